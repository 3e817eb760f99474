/**
 * Profiles outside the editor (`realtime-inspector run`): a VS Code settings file (JSONC) holding
 * `realtimeInspector.profiles`, a `.code-workspace` file holding them under `settings`, or a JSON
 * array of profiles; a dotenv file; and how `${env:NAME}` / `${secret:NAME}` read the environment.
 * Plain Node: no editor, no network.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseEnv } from 'node:util';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { ResolveEnv } from './resolve';
import { fileErrorReason } from './fileError';

/** A file that cannot be used as it is: one line that says which file and why. */
export class ProfileFileError extends Error {}

export const PROFILES_KEY = 'realtimeInspector.profiles';

export interface ProfileFile {
  /** The file as given, resolved to an absolute path. */
  file: string;
  /** The raw profiles value, for `validateProfiles`. */
  value: unknown;
  /**
   * The folder relative paths in profiles (`tls.caFile`) start from: the workspace folder for a
   * settings file (the folder holding `.vscode/`), else the file's own folder.
   */
  baseDir: string;
}

/**
 * Reads and parses `file`. Comments and trailing commas are allowed, as VS Code allows them in
 * settings. Errors name the file as `shown` (as the user wrote it).
 */
export async function loadProfileFile(file: string, shown = file): Promise<ProfileFile> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new ProfileFileError(`cannot read profiles file ${shown}: ${fileErrorReason(err)}`);
  }
  const errors: ParseError[] = [];
  const parsed: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineAndColumn(text, e.offset);
    throw new ProfileFileError(`${shown}:${line}:${column}: invalid JSON: ${parseErrorText(printParseErrorCode(e.error))}`);
  }
  const folder = path.dirname(absolute);
  const baseDir = path.basename(folder) === '.vscode' ? path.dirname(folder) : folder;
  if (Array.isArray(parsed)) {
    return { file: absolute, value: parsed, baseDir: folder };
  }
  if (isObject(parsed)) {
    if (PROFILES_KEY in parsed) {
      return { file: absolute, value: parsed[PROFILES_KEY], baseDir };
    }
    // A .code-workspace file: its settings, relative paths from the file's folder (VS Code's rule for it).
    if (isObject(parsed.settings) && PROFILES_KEY in parsed.settings) {
      return { file: absolute, value: parsed.settings[PROFILES_KEY], baseDir: folder };
    }
  }
  throw new ProfileFileError(`${file} holds no profiles: expected a settings object with "${PROFILES_KEY}" or a JSON array of profiles`);
}

/** The variables of a dotenv file (`NAME=value` lines, `#` comments, quoted values), as Node reads them. */
export async function loadEnvFile(file: string, shown = file): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ProfileFileError(`cannot read --env-file ${shown}: ${fileErrorReason(err)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnv(text))) {
    if (v !== undefined) {
      out[k] = v;
    }
  }
  return out;
}

/**
 * The environment variable a `${secret:NAME}` reads outside the editor: `RI_SECRET_` and the name
 * upper-cased, every character other than a letter or digit as `_` (`api.token` → `RI_SECRET_API_TOKEN`),
 * so a CI system's secrets can be handed in as variables.
 */
export function secretEnvName(name: string): string {
  return 'RI_SECRET_' + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `${env:}` and `${secret:}` over an environment (the process's, with a dotenv file's variables under it). */
export function environmentResolver(env: Readonly<Record<string, string | undefined>>): ResolveEnv {
  return {
    env: (name) => env[name],
    secret: (name) => Promise.resolve(env[secretEnvName(name)]),
  };
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** `PropertyNameExpected` → `property name expected`. */
function parseErrorText(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
