/**
 * Environments outside the editor (the CLI's `--environment NAME`): `realtimeInspector.environments`
 * read from a VS Code settings file (JSONC) or a `.code-workspace` file's `settings`, and one picked
 * by name. Errors are one line naming the file and what is wrong. Plain Node.
 */
import { readFile } from 'node:fs/promises';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { fileErrorReason } from '../fileError';
import { lineAndColumn } from '../profileFile';
import { ENVIRONMENTS_KEY, validateEnvironments } from './environments';

export class EnvironmentFileError extends Error {}

/** The variables of environment `name` in `file` (shown as `shown`). Throws {@link EnvironmentFileError}. */
export async function loadEnvironment(file: string, name: string, shown = file): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new EnvironmentFileError(`cannot read ${shown} for --environment ${name}: ${fileErrorReason(err)}`);
  }
  const errors: ParseError[] = [];
  const parsed: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const { line, column } = lineAndColumn(text, errors[0].offset);
    throw new EnvironmentFileError(`${shown}:${line}:${column}: invalid JSON: ${printParseErrorCode(errors[0].error)}`);
  }
  const settings = isObject(parsed) && isObject(parsed.settings) && !(ENVIRONMENTS_KEY in parsed) ? parsed.settings : parsed;
  const value = isObject(settings) ? settings[ENVIRONMENTS_KEY] : undefined;
  if (value === undefined) {
    throw new EnvironmentFileError(`${shown} has no "${ENVIRONMENTS_KEY}": no environment named "${name}"`);
  }
  const { environments, issues } = validateEnvironments(value);
  const vars = environments[name];
  if (!Object.hasOwn(environments, name) || vars === undefined) {
    const there = Object.keys(environments);
    throw new EnvironmentFileError(
      `no environment named "${name}" in ${shown}${there.length ? `; the environments there: ${there.map((n) => JSON.stringify(n)).join(', ')}` : ''}`,
    );
  }
  const own = issues.find((i) => i.startsWith(`${ENVIRONMENTS_KEY}.${name}.`) || i.startsWith(`${ENVIRONMENTS_KEY}.${name} `));
  if (own) {
    throw new EnvironmentFileError(`${shown}: ${own}`);
  }
  return vars;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
