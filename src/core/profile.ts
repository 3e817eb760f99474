// Over 400 lines: a profile's model and its validation, each message naming the entry, are read together.
/**
 * Saved connection profiles (`realtimeInspector.profiles`): their shape, validation with messages that
 * name the bad entry. One implementation for the extension and the CLI (`realtime-inspector run`).
 */
import { AdapterOptionError } from './adapters/adapter';
import { adapterNames, resolveAdapter } from './adapters/registry';
import { type Expect, expectProblem } from './contracts/expect';
import type { AdapterName } from './records';
import { type SendItem, sendProblem, sendStrings } from './profileSend';
import { validateReconnect, type ReconnectOptions } from './reconnect';
import { placeholderProblem } from './workbench/placeholders';
import { type SavedMessage, messageStrings, messagesProblem } from './workbench/savedMessages';

/** `mcp`: an MCP server (Streamable HTTP, or the older HTTP+SSE transport), inspected as an MCP session. */
export type ProfileKind = 'auto' | 'sse' | 'ws' | 'mcp';

/** One saved profile, as written in settings. String values may hold `${env:NAME}` / `${secret:NAME}`. */
export interface Profile {
  name: string;
  url: string;
  kind?: ProfileKind;
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  protocols?: string[];
  lastEventId?: string;
  perMessageDeflate?: boolean;
  maxPayload?: number;
  keepAlive?: { intervalMs: number; timeoutMs: number };
  timeoutMs?: number;
  /** Follow a redirect that leaves TLS (credentials are never sent over it). Default false. */
  allowDowngrade?: boolean;
  /** Fail (or reconnect) when an open connection gets no data for this many ms. Default off. */
  idleTimeoutMs?: number;
  tls?: { insecure?: boolean; caFile?: string };
  reconnect?: Partial<ReconnectOptions>;
  /** Environment variables whose values are masked wherever they appear (`${env:NAME}` in credential positions always are). */
  maskEnv?: string[];
  /** WebSocket: messages sent after every open, in order. */
  send?: SendItem[];
  /** The stream contract: rules its messages must meet (`realtime-inspector run`, the panel's Checks). */
  expect?: Expect;
  /** WebSocket: saved messages the send box lists (`src/core/workbench/savedMessages.ts`). */
  messages?: SavedMessage[];
  /** WebSocket: the protocol adapter that speaks and decodes the protocol, with its options (string values may hold templates). */
  adapter?: ProfileAdapter;
}

export interface ProfileAdapter {
  name: AdapterName;
  options?: Record<string, unknown>;
}

/** The transport a profile uses when its URL says so (`auto` follows the scheme); undefined while a template hides it. */
export function profileTransport(p: { url: string; kind?: ProfileKind; adapter?: unknown }): 'sse' | 'ws' | undefined {
  if (p.adapter !== undefined) {
    return 'ws'; // an adapter speaks over a WebSocket, also for the http:// URL Socket.IO users know
  }
  if (p.kind === 'sse' || p.kind === 'ws') {
    return p.kind;
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(p.url)?.[1]?.toLowerCase();
  return scheme === 'http' || scheme === 'https' ? 'sse' : scheme === 'ws' || scheme === 'wss' ? 'ws' : undefined;
}

/** Where a profile's effective value comes from: the user's settings or the workspace (less trusted). */
export type ProfileSource = 'user' | 'workspace';

export interface ProfileIssue {
  /** Index in the settings array. */
  index: number;
  /** The entry's name when it has a usable one. */
  name?: string;
  message: string;
}

export interface ValidationResult {
  profiles: Profile[];
  issues: ProfileIssue[];
}

const PROFILE_KEYS = new Set([
  'name',
  'url',
  'kind',
  'headers',
  'method',
  'body',
  'protocols',
  'lastEventId',
  'perMessageDeflate',
  'maxPayload',
  'keepAlive',
  'timeoutMs',
  'allowDowngrade',
  'idleTimeoutMs',
  'tls',
  'reconnect',
  'maskEnv',
  'send',
  'expect',
  'adapter',
  'messages',
]);
const TLS_KEYS = new Set(['insecure', 'caFile']);
const KEEPALIVE_KEYS = new Set(['intervalMs', 'timeoutMs']);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Za-z]+$/;
const TEMPLATE = /\$\{([^}]*)\}/g;
const VARIABLE = /^(env|secret):([A-Za-z0-9_.-]+)$/;
const ENV_NAME = /^[A-Za-z0-9_.-]+$/;

/** Names of the `${secret:NAME}` references in `text`. */
export function secretRefs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TEMPLATE)) {
    const v = VARIABLE.exec(m[1]);
    if (v && v[1] === 'secret') {
      out.push(v[2]);
    }
  }
  return out;
}

/** Every string of a profile that may hold templates. */
export function templatedStrings(p: Partial<Profile>): string[] {
  return [
    p.url ?? '',
    ...Object.values(p.headers ?? {}),
    p.body ?? '',
    ...(p.protocols ?? []),
    p.lastEventId ?? '',
    p.tls?.caFile ?? '',
    ...sendStrings(p.send),
    ...deepStrings(p.adapter?.options),
    ...messageStrings(p.messages),
  ];
}

/** Every string in a JSON value, at any depth. */
function deepStrings(v: unknown): string[] {
  if (typeof v === 'string') {
    return [v];
  }
  if (Array.isArray(v)) {
    return v.flatMap(deepStrings);
  }
  return v !== null && typeof v === 'object' ? Object.values(v).flatMap(deepStrings) : [];
}

/**
 * Checks `${…}` references (only `env:NAME` and `secret:NAME` exist) and `{{…}}` placeholders
 * (environment variables and dynamic values). Returns an error message or undefined.
 */
export function checkTemplates(text: string): string | undefined {
  for (const m of text.matchAll(TEMPLATE)) {
    if (!VARIABLE.test(m[1])) {
      return `unknown variable "\${${m[1]}}" (use \${env:NAME} or \${secret:NAME})`;
    }
  }
  return placeholderProblem(text);
}

/** Checks a URL that may contain templates: they are replaced by a placeholder first. */
export function checkUrl(url: string): string | undefined {
  const bad = checkTemplates(url);
  if (bad) {
    return bad;
  }
  if (/\$\{[^}]*\}|\{\{[^{}]*\}\}/.test(url)) {
    // A template can stand for any part (host, port, the whole URL): only a literal scheme can be checked.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
    return scheme === undefined || url.startsWith('${') || url.startsWith('{{') || ['http', 'https', 'ws', 'wss'].includes(scheme)
      ? undefined
      : `URL scheme "${scheme}:" is not supported (use http(s):// for SSE or ws(s):// for WebSocket)`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a valid URL`;
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    return `URL scheme "${parsed.protocol}" is not supported (use http(s):// for SSE or ws(s):// for WebSocket)`;
  }
  return undefined;
}

/** Validates the raw settings value. Bad entries are left out and described; good ones are returned. */
export function validateProfiles(value: unknown): ValidationResult {
  const result: ValidationResult = { profiles: [], issues: [] };
  if (value === undefined || value === null) {
    return result;
  }
  if (!Array.isArray(value)) {
    result.issues.push({ index: -1, message: 'realtimeInspector.profiles must be an array of profile objects' });
    return result;
  }
  const seen = new Set<string>();
  value.forEach((entry, index) => {
    const name = isObject(entry) && typeof entry.name === 'string' && entry.name.trim() ? entry.name : undefined;
    const problem = validateProfile(entry);
    const where = `realtimeInspector.profiles[${index}]${name ? ` ("${name}")` : ''}`;
    if (problem) {
      result.issues.push({ index, name, message: `${where}: ${problem}` });
      return;
    }
    const p = entry as Profile;
    if (seen.has(p.name)) {
      result.issues.push({ index, name, message: `${where}: another profile is already named "${p.name}"` });
      return;
    }
    seen.add(p.name);
    result.profiles.push(p);
  });
  return result;
}

/** The first problem with one entry, or undefined when it is a valid profile. */
export function validateProfile(entry: unknown): string | undefined {
  if (!isObject(entry)) {
    return 'must be an object with at least "name" and "url"';
  }
  for (const key of Object.keys(entry)) {
    if (!PROFILE_KEYS.has(key)) {
      return `unknown property "${key}"`;
    }
  }
  if (typeof entry.name !== 'string' || !entry.name.trim()) {
    return '"name" is required and must be a non-empty string';
  }
  if (typeof entry.url !== 'string' || !entry.url) {
    return '"url" is required and must be a string';
  }
  const urlProblem = checkUrl(entry.url);
  if (urlProblem) {
    return `"url": ${urlProblem}`;
  }
  if (entry.kind !== undefined && !['auto', 'sse', 'ws', 'mcp'].includes(entry.kind as string)) {
    return '"kind" must be "auto", "sse", "ws" or "mcp"';
  }
  if (entry.kind === 'mcp') {
    const problem = mcpProblem(entry);
    if (problem) {
      return problem;
    }
  }
  if (entry.headers !== undefined) {
    if (!isObject(entry.headers)) {
      return '"headers" must be an object of header names to string values';
    }
    for (const [h, v] of Object.entries(entry.headers)) {
      if (!HEADER_NAME.test(h)) {
        return `"headers": "${h}" is not a valid header name`;
      }
      if (typeof v !== 'string') {
        return `"headers.${h}" must be a string`;
      }
      const t = checkTemplates(v);
      if (t) {
        return `"headers.${h}": ${t}`;
      }
    }
  }
  if (entry.method !== undefined && (typeof entry.method !== 'string' || !METHOD.test(entry.method))) {
    return '"method" must be an HTTP method such as "GET" or "POST"';
  }
  for (const key of ['body', 'lastEventId'] as const) {
    if (entry[key] !== undefined) {
      if (typeof entry[key] !== 'string') {
        return `"${key}" must be a string`;
      }
      const t = checkTemplates(entry[key] as string);
      if (t) {
        return `"${key}": ${t}`;
      }
    }
  }
  if (entry.protocols !== undefined) {
    if (!Array.isArray(entry.protocols) || entry.protocols.some((p) => typeof p !== 'string' || !p)) {
      return '"protocols" must be an array of non-empty strings';
    }
    for (const p of entry.protocols as string[]) {
      const t = checkTemplates(p);
      if (t) {
        return `"protocols": ${t}`;
      }
    }
  }
  if (entry.perMessageDeflate !== undefined && typeof entry.perMessageDeflate !== 'boolean') {
    return '"perMessageDeflate" must be true or false';
  }
  if (entry.allowDowngrade !== undefined && typeof entry.allowDowngrade !== 'boolean') {
    return '"allowDowngrade" must be true or false';
  }
  for (const key of ['maxPayload', 'timeoutMs', 'idleTimeoutMs'] as const) {
    if (entry[key] !== undefined && !isPositiveInt(entry[key])) {
      return `"${key}" must be a positive integer`;
    }
  }
  if (entry.keepAlive !== undefined) {
    const k = entry.keepAlive;
    if (!isObject(k) || !isPositiveInt(k.intervalMs) || !isPositiveInt(k.timeoutMs)) {
      return '"keepAlive" must be { "intervalMs": number, "timeoutMs": number } with positive integers';
    }
    const extra = Object.keys(k).find((x) => !KEEPALIVE_KEYS.has(x));
    if (extra) {
      return `"keepAlive": unknown property "${extra}"`;
    }
  }
  if (entry.tls !== undefined) {
    const t = entry.tls;
    if (!isObject(t)) {
      return '"tls" must be an object';
    }
    const extra = Object.keys(t).find((x) => !TLS_KEYS.has(x));
    if (extra) {
      return `"tls": unknown property "${extra}"`;
    }
    if (t.insecure !== undefined && typeof t.insecure !== 'boolean') {
      return '"tls.insecure" must be true or false';
    }
    if (t.caFile !== undefined && (typeof t.caFile !== 'string' || !t.caFile)) {
      return '"tls.caFile" must be a path';
    }
    if (typeof t.caFile === 'string') {
      const bad = checkTemplates(t.caFile);
      if (bad) {
        return `"tls.caFile": ${bad}`;
      }
    }
  }
  if (entry.maskEnv !== undefined) {
    if (!Array.isArray(entry.maskEnv) || entry.maskEnv.some((n) => typeof n !== 'string' || !ENV_NAME.test(n))) {
      return '"maskEnv" must be a list of environment variable names, e.g. ["API_TOKEN"]';
    }
  }
  if (entry.reconnect !== undefined) {
    const problem = validateReconnect(entry.reconnect);
    if (problem) {
      return `"reconnect": ${problem}`;
    }
  }
  if (entry.adapter !== undefined) {
    const problem = adapterProblem(entry.adapter, entry.kind);
    if (problem) {
      return problem;
    }
  }
  const transport = profileTransport(entry as { url: string; kind?: ProfileKind });
  if (entry.send !== undefined) {
    const problem = sendProblem(entry.send, transport, checkTemplates);
    if (problem) {
      return problem;
    }
  }
  if (entry.messages !== undefined) {
    const problem = messagesProblem(entry.messages, transport, checkTemplates);
    if (problem) {
      return problem;
    }
  }
  if (entry.expect !== undefined) {
    const problem = expectProblem(entry.expect, transport);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/** What an MCP profile cannot hold: the session speaks JSON-RPC over HTTP itself. */
const NOT_FOR_MCP = [
  'method',
  'body',
  'protocols',
  'lastEventId',
  'perMessageDeflate',
  'maxPayload',
  'keepAlive',
  'allowDowngrade',
  'idleTimeoutMs',
  'reconnect',
  'send',
  'messages',
  'adapter',
  'expect',
];

function mcpProblem(entry: Record<string, unknown>): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(entry.url as string)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https' && !(entry.url as string).startsWith('${')) {
    return `"kind": "mcp" needs an http:// or https:// URL, got "${scheme}:"`;
  }
  const extra = NOT_FOR_MCP.filter((k) => entry[k] !== undefined);
  return extra.length
    ? `${extra.map((k) => `"${k}"`).join(', ')} ${extra.length === 1 ? 'does' : 'do'} not apply to "kind": "mcp"`
    : undefined;
}

/** What is wrong with a profile's `adapter`, naming the option, or undefined. */
function adapterProblem(a: unknown, kind: unknown): string | undefined {
  if (!isObject(a) || typeof a.name !== 'string') {
    return `"adapter" must be { "name": one of ${adapterNames().join(', ')}, "options": { … } }`;
  }
  const extra = Object.keys(a).find((k) => k !== 'name' && k !== 'options');
  if (extra) {
    return `"adapter": unknown property "${extra}"`;
  }
  if (kind === 'sse') {
    return `"adapter": ${a.name} speaks over a WebSocket, and "kind" is "sse"`;
  }
  if (a.options !== undefined && !isObject(a.options)) {
    return '"adapter.options" must be an object';
  }
  for (const t of deepStrings(a.options)) {
    const bad = checkTemplates(t);
    if (bad) {
      return `"adapter.options": ${bad}`;
    }
  }
  try {
    resolveAdapter({ name: a.name as AdapterName, options: (a.options as Record<string, unknown>) ?? {} });
  } catch (err) {
    if (err instanceof AdapterOptionError) {
      const why = err.message.slice(err.option.length + 2);
      return err.option === 'adapter' ? `"adapter.name": ${why}` : `"adapter.options.${err.option}": ${why}`;
    }
    throw err;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) > 0;
}
