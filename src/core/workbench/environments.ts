/**
 * Environments (`realtimeInspector.environments`): named sets of variables, `{ "dev": { "host":
 * "localhost:8080", "token": "${secret:devToken}" } }`, that `{{host}}` / `{{token}}` read anywhere
 * in profiles and saved messages. The active one is applied before `${env:}` / `${secret:}` are
 * resolved, so a value may be a secret reference and is masked like one. A name no environment
 * defines is an error before connecting: nothing is ever sent as `{{host}}`.
 */
import { mapJsonStrings } from '../jsonStrings';
import { checkTemplates, type Profile } from '../profile';
import type { SendItem } from '../profileSend';
import { VARIABLE_NAME, placeholderProblem, substituteVariables, undefinedMessage, variableNames } from './placeholders';
import type { SavedMessage } from './savedMessages';

export const ENVIRONMENTS_KEY = 'realtimeInspector.environments';

/** Variables by environment name. */
export type Environments = Record<string, Record<string, string>>;

export interface EnvironmentsResult {
  environments: Environments;
  /** Each problem names the environment and the variable. */
  issues: string[];
}

/** Validates the raw settings value; bad variables are left out and described. */
export function validateEnvironments(value: unknown): EnvironmentsResult {
  const result: EnvironmentsResult = { environments: {}, issues: [] };
  if (value === undefined || value === null) {
    return result;
  }
  if (!isObject(value)) {
    result.issues.push(
      `${ENVIRONMENTS_KEY} must be an object of environment names to variables, e.g. { "dev": { "host": "localhost:8080" } }`,
    );
    return result;
  }
  for (const [name, vars] of Object.entries(value)) {
    const where = `${ENVIRONMENTS_KEY}.${name}`;
    if (!name.trim()) {
      result.issues.push(`${ENVIRONMENTS_KEY}: an environment needs a non-empty name`);
      continue;
    }
    if (!isObject(vars)) {
      result.issues.push(`${where} must be an object of variable names to string values`);
      continue;
    }
    const ok: Record<string, string> = {};
    for (const [key, v] of Object.entries(vars)) {
      const problem = variableProblem(key, v);
      if (problem) {
        result.issues.push(`${where}.${key}: ${problem}`);
      } else {
        ok[key] = v as string;
      }
    }
    result.environments[name] = ok;
  }
  return result;
}

function variableProblem(key: string, v: unknown): string | undefined {
  if (!VARIABLE_NAME.test(key)) {
    return 'a variable name is letters, digits, "_", "-" and "." and starts with a letter or "_"';
  }
  if (typeof v !== 'string') {
    return 'must be a string';
  }
  if (v.includes('{{')) {
    return 'a value cannot hold {{…}} (variables do not refer to other variables)';
  }
  return checkTemplates(v);
}

/** A profile or message with `{{name}}` left undefined: the names, and the sentence that says so. */
export class UndefinedVariableError extends Error {
  constructor(
    readonly names: string[],
    readonly environment: string | undefined,
    readonly where: string,
  ) {
    super(`${where}: ${undefinedMessage(names, environment)}`);
    this.name = 'UndefinedVariableError';
  }
}

/** Every `{{name}}` a profile uses (its strings and saved messages), each once. */
export function profileVariables(p: Partial<Profile> & { messages?: readonly SavedMessage[] }): string[] {
  const out = new Set<string>();
  mapProfileStrings(p, (s) => {
    variableNames(s).forEach((n) => out.add(n));
    return s;
  });
  return [...out];
}

/**
 * `p` with the environment's variables substituted in every string that may hold templates (the URL,
 * header values, body, protocols, lastEventId, tls.caFile, `send` and `messages`). Throws
 * {@link UndefinedVariableError} naming every variable `vars` lacks, or a malformed placeholder.
 */
export function applyEnvironment<P extends Partial<Profile> & { url: string }>(
  p: P,
  vars: Readonly<Record<string, string>> | undefined,
  environment?: string,
  where = p.name !== undefined ? `profile "${p.name}"` : 'the connection',
): P {
  const missing = profileVariables(p).filter((n) => !vars || !Object.hasOwn(vars, n));
  if (missing.length) {
    throw new UndefinedVariableError(missing, environment, where);
  }
  return mapProfileStrings(p, (s) => substituteVariables(s, vars ?? {}));
}

/** `text` with the environment's variables substituted; throws {@link UndefinedVariableError} for a missing one. */
export function applyEnvironmentText(
  text: string,
  vars: Readonly<Record<string, string>> | undefined,
  environment?: string,
  where = 'the message',
): string {
  const missing = variableNames(text).filter((n) => !vars || !Object.hasOwn(vars, n));
  if (missing.length) {
    throw new UndefinedVariableError(missing, environment, where);
  }
  return substituteVariables(text, vars ?? {});
}

/** The first malformed placeholder among a profile's strings, or undefined. */
export function profilePlaceholderProblem(p: Partial<Profile>): string | undefined {
  let problem: string | undefined;
  mapProfileStrings(p, (s) => {
    problem ??= placeholderProblem(s);
    return s;
  });
  return problem;
}

/** A copy of `p` with `fn` applied to each templated string (the same fields `resolve.ts` resolves, and `messages`). */
export function mapProfileStrings<P extends Partial<Profile>>(p: P, fn: (s: string) => string): P {
  const out: P = { ...p };
  if (p.url !== undefined) {
    out.url = fn(p.url);
  }
  if (p.headers) {
    out.headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, fn(v)]));
  }
  if (p.body !== undefined) {
    out.body = fn(p.body);
  }
  if (p.protocols) {
    out.protocols = p.protocols.map(fn);
  }
  if (p.lastEventId !== undefined) {
    out.lastEventId = fn(p.lastEventId);
  }
  if (p.tls?.caFile !== undefined) {
    out.tls = { ...p.tls, caFile: fn(p.tls.caFile) };
  }
  if (p.send) {
    out.send = p.send.map((item) => mapSendItem(item, fn));
  }
  const messages = (p as { messages?: SavedMessage[] }).messages;
  if (messages) {
    (out as { messages?: SavedMessage[] }).messages = messages.map((m) => mapMessage(m, fn));
  }
  return out;
}

/** Variables apply inside a JSON value's keys as well as its strings. */
const KEYS_TOO = { keys: true };

function mapSendItem(item: SendItem, fn: (s: string) => string): SendItem {
  if (typeof item === 'string') {
    return fn(item);
  }
  if ('text' in item) {
    return { text: fn(item.text) };
  }
  if ('json' in item) {
    return { json: mapJsonStrings(item.json, fn, KEYS_TOO) };
  }
  return item;
}

/** A saved message with `fn` applied to its body (or its verb's fields). */
export function mapMessage(m: SavedMessage, fn: (s: string) => string): SavedMessage {
  const out: SavedMessage = { ...m };
  if (m.body !== undefined) {
    out.body = typeof m.body === 'string' ? fn(m.body) : mapJsonStrings(m.body, fn, KEYS_TOO);
  }
  if (m.fields !== undefined) {
    out.fields = mapJsonStrings(m.fields, fn, KEYS_TOO) as Record<string, unknown>;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
