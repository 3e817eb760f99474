/** `realtime-inspector run`'s command line: parsed and checked here, with nothing read or run. */
import { parseArgs } from 'node:util';
import { UsageError } from './usageError';

export interface RunArgs {
  command: 'run';
  /** Profiles picked by name, in the order given; empty: every profile with an `expect` block. */
  names: string[];
  /** The profiles file; undefined: `.vscode/settings.json` under the current folder. */
  profiles?: string;
  junit?: string;
  json: boolean;
  envFile?: string;
  /** How many profiles run at once. Default 1: one after the other. */
  parallel: number;
  /** `{{name}}` in the profiles from this environment of the profiles file's `realtimeInspector.environments`. */
  environment?: string;
}

/** Every option of `run`; `run --help` names each one. */
export const RUN_OPTIONS = {
  profiles: { type: 'string' },
  junit: { type: 'string' },
  json: { type: 'boolean' },
  'env-file': { type: 'string' },
  parallel: { type: 'string' },
  environment: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseRunArgs(argv: string[]): RunArgs | { command: 'run-help' } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`run: ${(err as Error).message.split('\n')[0]}`);
  }
  const v = parsed.values;
  if (v.help) {
    return { command: 'run-help' };
  }
  for (const [flag, value] of [
    ['--profiles', v.profiles],
    ['--junit', v.junit],
    ['--env-file', v['env-file']],
    ['--environment', v.environment],
  ] as const) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError(`run: ${flag} needs a ${flag === '--environment' ? 'name' : 'file name'}`);
    }
  }
  let parallel = 1;
  if (v.parallel !== undefined) {
    if (!/^\d+$/.test(v.parallel) || Number(v.parallel) < 1 || !Number.isSafeInteger(Number(v.parallel))) {
      throw new UsageError(`run: --parallel needs a whole number of at least 1, got "${v.parallel}"`);
    }
    parallel = Number(v.parallel);
  }
  const names: string[] = [];
  for (const name of parsed.positionals) {
    if (!names.includes(name)) {
      names.push(name);
    }
  }
  return {
    command: 'run',
    names,
    profiles: v.profiles,
    junit: v.junit,
    json: !!v.json,
    envFile: v['env-file'],
    parallel,
    ...(v.environment !== undefined ? { environment: v.environment } : {}),
  };
}
