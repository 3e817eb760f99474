/**
 * The connect command's placeholders: `--environment NAME` fills `{{name}}` in the URL, the headers,
 * the body and the `--send` messages (its values may be `${env:NAME}` / `${secret:NAME}`, read from
 * the environment as `run` reads them, and masked); dynamic values in the URL and headers are
 * resolved once here, those in `--send` at each send (`run.ts`). Anything left undefined or
 * malformed is a usage error (exit 2) before connecting.
 */
import * as path from 'node:path';
import { environmentResolver, secretEnvName } from '../core/profileFile';
import { UndefinedVariableError, applyEnvironmentText } from '../core/workbench/environments';
import { EnvironmentFileError, loadEnvironment } from '../core/workbench/environmentFile';
import { DynamicValues, PlaceholderError, placeholderProblem, variableNames } from '../core/workbench/placeholders';
import type { ConnectArgs } from './args';
import type { CliIo } from './run';
import { UsageError } from './usageError';

const REF = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g;

/** `args` with the environment applied; `secrets` are the values to mask (each `${secret:}` a variable used). */
export async function withEnvironment(args: ConnectArgs, io: CliIo): Promise<{ args: ConnectArgs; secrets: string[] }> {
  const fields: [string, string][] = [
    ['the URL', args.url],
    ...Object.entries(args.headers).map(([n, v]): [string, string] => [`-H ${n}`, v]),
    ...(args.data && 'text' in args.data ? [['-d', args.data.text] as [string, string]] : []),
    ...args.sends.filter((s) => s.type === 'text').map((s, i): [string, string] => [`--send #${i + 1}`, s.text]),
  ];
  for (const [where, text] of fields) {
    const problem = placeholderProblem(text);
    if (problem) {
      throw new UsageError(`${where}: ${problem}`);
    }
  }
  const used = new Set(fields.flatMap(([, text]) => variableNames(text)));
  if (used.size === 0 && args.environment === undefined) {
    return { args: resolveRequestDynamics(args), secrets: [] };
  }
  let vars: Record<string, string> | undefined;
  if (args.environment !== undefined) {
    const shown = args.profiles ?? path.join('.vscode', 'settings.json');
    try {
      vars = await loadEnvironment(path.resolve(io.cwd ?? process.cwd(), shown), args.environment, shown);
    } catch (e) {
      throw e instanceof EnvironmentFileError ? new UsageError(e.message) : e;
    }
  }
  // The variables used, with their `${env:}` / `${secret:}` read now.
  const resolver = environmentResolver(io.env);
  const secrets: string[] = [];
  const values: Record<string, string> = {};
  for (const name of used) {
    if (!vars || !Object.hasOwn(vars, name)) {
      continue;
    }
    let failed: string | undefined;
    const value = vars[name].replace(REF, (_m, kind: string, ref: string) => {
      const v = kind === 'env' ? resolver.env(ref) : io.env[secretEnvName(ref)];
      if (v === undefined) {
        failed ??=
          kind === 'env'
            ? `{{${name}}} is \${env:${ref}}, and the environment variable ${ref} is not set`
            : `{{${name}}} is \${secret:${ref}}: set the environment variable ${secretEnvName(ref)}`;
        return '';
      }
      if (kind === 'secret') {
        secrets.push(v);
      }
      return v;
    });
    if (failed) {
      throw new UsageError(failed);
    }
    values[name] = value;
  }
  const apply = (text: string, where: string) => {
    try {
      return applyEnvironmentText(text, vars ? values : undefined, args.environment, where);
    } catch (e) {
      throw e instanceof UndefinedVariableError ? new UsageError(e.message) : e;
    }
  };
  const out: ConnectArgs = {
    ...args,
    url: apply(args.url, 'the URL'),
    headers: Object.fromEntries(Object.entries(args.headers).map(([n, v]) => [n, apply(v, `-H ${n}`)])),
    data: args.data && 'text' in args.data ? { text: apply(args.data.text, '-d') } : args.data,
    sends: args.sends.map((s, i) => (s.type === 'text' ? { ...s, text: apply(s.text, `--send #${i + 1}`) } : s)),
  };
  try {
    new URL(out.url);
  } catch {
    throw new UsageError(`the URL is not valid once the environment is applied`);
  }
  return { args: resolveRequestDynamics(out), secrets };
}

/** Dynamic values in the URL, headers and body: one value for the whole run. */
function resolveRequestDynamics(args: ConnectArgs): ConnectArgs {
  const once = new DynamicValues();
  const r = (text: string) => {
    try {
      return text.includes('{{') ? once.resolve(text) : text;
    } catch (e) {
      throw e instanceof PlaceholderError ? new UsageError(e.message) : e;
    }
  };
  return {
    ...args,
    url: r(args.url),
    headers: Object.fromEntries(Object.entries(args.headers).map(([n, v]) => [n, r(v)])),
    data: args.data && 'text' in args.data ? { text: r(args.data.text) } : args.data,
  };
}
