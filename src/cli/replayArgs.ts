/** `realtime-inspector replay`'s command line: parsed and checked here, with nothing run. */
import { parseArgs } from 'node:util';
import { serverCloseProblem } from '../core/replay/wsReplay';
import { integer, UsageError } from './args';

export interface ReplayArgs {
  command: 'replay';
  file: string;
  port: number;
  host: string;
  speed: number;
  loop: boolean;
  path?: string;
  dropAfter?: number;
  close?: { code: number; reason?: string };
  /** 1-based: which connection of a file that holds several. */
  connection?: number;
}

export const REPLAY_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  speed: { type: 'string' },
  loop: { type: 'boolean' },
  path: { type: 'string' },
  'drop-after': { type: 'string' },
  close: { type: 'string' },
  connection: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseReplayArgs(argv: string[]): ReplayArgs | { command: 'replay-help' } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: REPLAY_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`replay: ${(err as Error).message.split('\n')[0]}`);
  }
  const v = parsed.values;
  if (v.help) {
    return { command: 'replay-help' };
  }
  if (parsed.positionals.length === 0) {
    throw new UsageError('replay needs a FILE: an NDJSON log (Export, --json) or a HAR file');
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(`replay takes one FILE, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
  }
  const port = integer(v.port, '--port', 0) ?? 0;
  if (port > 65535) {
    throw new UsageError('--port must be at most 65535');
  }
  let speed = 1;
  if (v.speed !== undefined) {
    speed = Number(v.speed);
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(v.speed) || !Number.isFinite(speed)) {
      throw new UsageError(`--speed needs a number such as 1, 2 or 0.5 (0: as fast as possible), got "${v.speed}"`);
    }
  }
  if (v.path !== undefined && (!v.path.startsWith('/') || /[\s?#]/.test(v.path))) {
    throw new UsageError(`--path needs a path starting with "/" (no spaces, query or fragment), got "${v.path}"`);
  }
  if (v.host !== undefined && v.host.trim() === '') {
    throw new UsageError('--host needs a host name or address');
  }
  return {
    command: 'replay',
    file: parsed.positionals[0],
    port,
    host: v.host ?? '127.0.0.1',
    speed,
    loop: !!v.loop,
    path: v.path,
    dropAfter: integer(v['drop-after'], '--drop-after', 1),
    close: v.close === undefined ? undefined : closeCode(v.close),
    connection: integer(v.connection, '--connection', 1),
  };
}

/** `CODE[:REASON]`, a close frame a server may send. */
function closeCode(value: string): { code: number; reason?: string } {
  const colon = value.indexOf(':');
  const codeText = colon === -1 ? value : value.slice(0, colon);
  const reason = colon === -1 ? undefined : value.slice(colon + 1);
  if (!/^\d{4}$/.test(codeText)) {
    throw new UsageError(`--close needs a close code such as 1000, 1011 or 4000 (CODE[:REASON]), got "${value}"`);
  }
  const code = Number(codeText);
  const problem = serverCloseProblem(code, reason);
  if (problem) {
    throw new UsageError(`--close: ${problem}`);
  }
  return reason === undefined ? { code } : { code, reason };
}
