// Over 400 lines: every flag of the connect command is parsed and checked here, with nothing run (the subcommands have files of their own).
/** The CLI's command line: parsed and checked here, with nothing run. */
import { parseArgs } from 'node:util';
import type { AdapterSend } from '../core/adapters/adapter';
import { AdapterSendError } from '../core/adapters/adapter';
import { findAdapter, resolveAdapter } from '../core/adapters/registry';
import { maskUrlCredentials } from '../core/credentials';
import type { AdapterChoice } from '../core/options';
import { MASK } from '../core/redactor';
import { parseBase64 } from '../core/payloadText';
import type { Headers, TransportKind } from '../core/records';
import { closeProblem } from '../core/ws';
import { adapterOptions, parseAdapterArgs } from './adapterArgs';
import { parseRunArgs, type RunArgs } from './runArgs';
import { UsageError } from './usageError';

export { UsageError };

export type Send =
  | { type: 'text'; text: string }
  | { type: 'binary'; base64: string; bytes: Buffer }
  | { type: 'ping'; text: string; bytes: Buffer }
  /** `--send TEXT` read by the protocol adapter (Socket.IO `["chat", {...}]` emits `chat`). */
  | { type: 'adapter'; text: string; input: AdapterSend };

/** Largest ping payload (a control frame carries at most 125 bytes). */
const MAX_PING_BYTES = 125;

export interface ConnectArgs {
  command: 'connect';
  url: string;
  kind: TransportKind;
  headers: Headers;
  method?: string;
  /** Inline body, or `{file}` for `-d @file` (read by the runner). */
  data?: { text: string } | { file: string };
  lastEventId?: string;
  protocols: string[];
  /** WS: `--adapter` and its flags, the options checked by the adapter. */
  adapter?: AdapterChoice;
  /** WS: --send, --send-binary and --ping, in the order given. */
  sends: Send[];
  /** WS: send the lines of stdin; undefined: when stdin is a terminal (decided by the runner). */
  interactive?: boolean;
  /** WS: the close frame sent when the CLI stops. */
  close?: { code: number; reason?: string };
  keepAlive?: { intervalMs: number; timeoutMs: number };
  perMessageDeflate?: boolean;
  maxPayload?: number;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  allowDowngrade: boolean;
  reconnect: boolean;
  /** SSE: reconnect after a clean end of the stream; undefined: only a GET (the core's default). */
  reconnectOnEnd?: boolean;
  /** SSE: methods retried after a network failure; undefined: the core's default (GET). */
  retryMethods?: string[];
  maxRetries?: number;
  retryDelayMs?: number;
  count?: number;
  timeoutMs?: number;
  insecure: boolean;
  cacert?: string;
  raw: boolean;
  json: boolean;
  /** The LLM lens: `auto` (default) reads a model's stream when the events are one. */
  lens: 'auto' | 'llm' | 'none';
  /** Mark silences between messages longer than this many ms. */
  silenceMs?: number;
  /** `--environment NAME`: `{{name}}` in the URL, headers, body and messages from this environment. */
  environment?: string;
  /** Where `--environment` reads `realtimeInspector.environments` (default `.vscode/settings.json`). */
  profiles?: string;
  /** WS: `--every MS [--times K]`: the `--send` messages again every MS ms, K times or until stopped. */
  repeat?: { everyMs: number; times?: number };
}

export interface DemoArgs {
  command: 'demo';
  port: number;
  host: string;
}

export type CliArgs = ConnectArgs | DemoArgs | RunArgs | { command: 'help' | 'demo-help' | 'run-help' | 'version' };

/** Every option of `<url>`; `--help` names each one. */
export const OPTIONS = {
  sse: { type: 'boolean' },
  ws: { type: 'boolean' },
  header: { type: 'string', short: 'H', multiple: true },
  method: { type: 'string', short: 'X' },
  data: { type: 'string', short: 'd' },
  'last-event-id': { type: 'string' },
  protocol: { type: 'string', short: 'p', multiple: true },
  send: { type: 'string', short: 's', multiple: true },
  'send-binary': { type: 'string', multiple: true },
  ping: { type: 'string', multiple: true },
  interactive: { type: 'boolean', short: 'i' },
  'no-interactive': { type: 'boolean' },
  close: { type: 'string' },
  keepalive: { type: 'string' },
  'keepalive-timeout': { type: 'string' },
  deflate: { type: 'boolean' },
  'no-deflate': { type: 'boolean' },
  'max-payload': { type: 'string' },
  'connect-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'allow-downgrade': { type: 'boolean' },
  'no-reconnect': { type: 'boolean' },
  'reconnect-on-end': { type: 'boolean' },
  'no-reconnect-on-end': { type: 'boolean' },
  'retry-methods': { type: 'string' },
  'max-retries': { type: 'string' },
  'retry-delay': { type: 'string' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  insecure: { type: 'boolean' },
  cacert: { type: 'string' },
  raw: { type: 'boolean' },
  json: { type: 'boolean' },
  lens: { type: 'string' },
  silence: { type: 'string' },
  environment: { type: 'string' },
  profiles: { type: 'string' },
  every: { type: 'string' },
  times: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseCliArgs(argv: string[]): CliArgs {
  if (argv[0] === 'demo') {
    return parseDemo(argv.slice(1));
  }
  if (argv[0] === 'run') {
    return parseRunArgs(argv.slice(1));
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: withPingValues(argv),
      options: { ...adapterOptions(), ...OPTIONS },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    throw new UsageError(firstLine((err as Error).message));
  }
  const v = parsed.values;
  if (v.help) {
    return { command: 'help' };
  }
  if (v.version) {
    return { command: 'version' };
  }
  if (parsed.positionals.length === 0) {
    throw new UsageError('missing <url>');
  }
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `one URL expected, got ${parsed.positionals.length}: ${parsed.positionals.map((p) => maskUrlCredentials(p, MASK)).join(' ')}`,
    );
  }
  const url = parsed.positionals[0];
  let scheme: string;
  try {
    // `{{host}}` stands for part of the URL until the environment fills it: only the scheme is read here.
    scheme = /\{\{[^{}]*\}\}/.test(url)
      ? (/^([a-z][a-z0-9+.-]*:)\/\//i.exec(url)?.[1]?.toLowerCase() ?? new URL(url).protocol)
      : new URL(url).protocol;
  } catch {
    throw new UsageError(`invalid URL: ${maskUrlCredentials(url, MASK)}`);
  }
  if (v.sse && v.ws) {
    throw new UsageError('--sse and --ws cannot be combined');
  }
  const adapter = parseAdapterArgs(v as Record<string, unknown>);
  let kind: TransportKind;
  if (adapter) {
    // An adapter speaks over a WebSocket; Socket.IO users give the server's http:// URL.
    if (v.sse) {
      throw new UsageError(`--adapter ${adapter.name} speaks over a WebSocket: --sse cannot be combined with it`);
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(scheme)) {
      throw new UsageError(`--adapter needs a ws://, wss://, http:// or https:// URL, not ${scheme}`);
    }
    kind = 'ws';
  } else if (v.sse) {
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw new UsageError(`--sse needs an http:// or https:// URL, not ${scheme}`);
    }
    kind = 'sse';
  } else if (v.ws) {
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(scheme)) {
      throw new UsageError(`--ws needs a ws:// or wss:// URL, not ${scheme}`);
    }
    kind = 'ws';
  } else if (scheme === 'http:' || scheme === 'https:') {
    kind = 'sse';
  } else if (scheme === 'ws:' || scheme === 'wss:') {
    kind = 'ws';
  } else {
    throw new UsageError(`unsupported URL scheme ${scheme} (use http(s):// for SSE or ws(s):// for WebSocket)`);
  }

  const only = (k: TransportKind, names: (keyof typeof v)[]) => {
    if (kind === k) {
      return;
    }
    for (const name of names) {
      if (v[name] !== undefined) {
        throw new UsageError(`--${name} is for ${k === 'sse' ? 'SSE (http:// https://)' : 'WebSocket (ws:// wss://)'} connections`);
      }
    }
  };
  if (kind === 'sse' && v.interactive) {
    throw new UsageError('-i/--interactive sends messages, and an SSE stream (http:// https://) only receives: use a ws:// or wss:// URL');
  }
  only('sse', ['method', 'data', 'last-event-id', 'raw', 'reconnect-on-end', 'no-reconnect-on-end', 'retry-methods']);
  only('ws', [
    'protocol',
    'send',
    'send-binary',
    'ping',
    'close',
    'keepalive',
    'keepalive-timeout',
    'deflate',
    'no-deflate',
    'max-payload',
    'every',
    'times',
  ]);

  const headers = parseHeaders(v.header);

  let method = v.method;
  if (method !== undefined && !TOKEN.test(method)) {
    throw new UsageError(`invalid method "${method}"`);
  }
  let data: ConnectArgs['data'];
  if (v.data !== undefined) {
    data = v.data.startsWith('@') ? { file: v.data.slice(1) } : { text: v.data };
    if ('file' in data && !data.file) {
      throw new UsageError('-d @file needs a file name');
    }
    method ??= 'POST';
  }

  // --send, --send-binary and --ping interleave in the order given.
  const sends: Send[] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.value === undefined) {
      continue;
    }
    if (t.name === 'send') {
      sends.push(adapter ? adapterSend(adapter, t.value) : { type: 'text', text: t.value });
    } else if (t.name === 'send-binary') {
      const b64 = t.value.trim();
      const parsed = parseBase64(b64, { canonical: true });
      if (!parsed.ok) {
        throw new UsageError(`--send-binary needs base64, got "${t.value}"`);
      }
      sends.push({
        type: 'binary',
        base64: b64,
        bytes: Buffer.from(parsed.bytes.buffer, parsed.bytes.byteOffset, parsed.bytes.byteLength),
      });
    } else if (t.name === 'ping') {
      const bytes = Buffer.from(t.value, 'utf8');
      if (bytes.length > MAX_PING_BYTES) {
        throw new UsageError(`--ping payload is ${bytes.length} bytes; a ping carries at most ${MAX_PING_BYTES}`);
      }
      sends.push({ type: 'ping', text: t.value, bytes });
    }
  }

  if (v.interactive && v['no-interactive']) {
    throw new UsageError('-i/--interactive and --no-interactive cannot be combined');
  }
  if (v.deflate && v['no-deflate']) {
    throw new UsageError('--deflate and --no-deflate cannot be combined');
  }
  const close = v.close === undefined ? undefined : parseClose(v.close);
  const keepAliveMs = integer(v.keepalive, '--keepalive', 1);
  const keepAliveTimeoutMs = integer(v['keepalive-timeout'], '--keepalive-timeout', 1);
  if (keepAliveTimeoutMs !== undefined && keepAliveMs === undefined) {
    throw new UsageError('--keepalive-timeout needs --keepalive MS (the ping interval)');
  }

  const maxRetries = integer(v['max-retries'], '--max-retries', 0);
  const retryDelayMs = integer(v['retry-delay'], '--retry-delay', 0);
  if (v['no-reconnect'] && (maxRetries !== undefined || retryDelayMs !== undefined)) {
    throw new UsageError('--no-reconnect cannot be combined with --max-retries or --retry-delay');
  }
  if (v['reconnect-on-end'] && v['no-reconnect-on-end']) {
    throw new UsageError('--reconnect-on-end and --no-reconnect-on-end cannot be combined');
  }
  if (v['no-reconnect'] && (v['reconnect-on-end'] || v['retry-methods'] !== undefined)) {
    throw new UsageError('--no-reconnect cannot be combined with --reconnect-on-end or --retry-methods');
  }
  let retryMethods: string[] | undefined;
  if (v['retry-methods'] !== undefined) {
    retryMethods = v['retry-methods'].split(',').map((m) => m.trim());
    const bad = retryMethods.find((m) => !TOKEN.test(m));
    if (bad !== undefined) {
      throw new UsageError(`--retry-methods takes HTTP methods separated by commas (GET,POST), got "${v['retry-methods']}"`);
    }
    retryMethods = retryMethods.map((m) => m.toUpperCase());
  }
  const everyMs = integer(v.every, '--every', 1);
  const times = integer(v.times, '--times', 1);
  if (times !== undefined && everyMs === undefined) {
    throw new UsageError('--times needs --every MS (the interval)');
  }
  if (everyMs !== undefined && !sends.some((s) => s.type !== 'ping')) {
    throw new UsageError('--every repeats the --send messages: give at least one --send or --send-binary');
  }
  for (const [flag, value] of [
    ['--environment', v.environment],
    ['--profiles', v.profiles],
  ] as const) {
    if (value !== undefined && value.trim() === '') {
      throw new UsageError(`${flag} needs a ${flag === '--profiles' ? 'file name' : 'name'}`);
    }
  }
  if (v.profiles !== undefined && v.environment === undefined) {
    throw new UsageError('--profiles names the file --environment reads: give --environment NAME too');
  }
  if (v.raw && v.json) {
    throw new UsageError('--raw and --json cannot be combined');
  }
  const lens = v.lens ?? 'auto';
  if (lens !== 'auto' && lens !== 'llm' && lens !== 'none') {
    throw new UsageError(`--lens takes llm, none or auto, got "${v.lens}"`);
  }
  if (v.insecure && v.cacert !== undefined) {
    throw new UsageError('--insecure and --cacert cannot be combined (--insecure accepts any certificate)');
  }

  return {
    command: 'connect',
    url,
    kind,
    headers,
    method: method?.toUpperCase(),
    data,
    lastEventId: v['last-event-id'],
    protocols: v.protocol ?? [],
    ...(adapter ? { adapter } : {}),
    sends,
    interactive: v.interactive ? true : v['no-interactive'] ? false : undefined,
    close,
    keepAlive:
      keepAliveMs !== undefined ? { intervalMs: keepAliveMs, timeoutMs: keepAliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS } : undefined,
    perMessageDeflate: v['no-deflate'] ? false : v.deflate ? true : undefined,
    maxPayload: integer(v['max-payload'], '--max-payload', 1),
    connectTimeoutMs: integer(v['connect-timeout'], '--connect-timeout', 1),
    idleTimeoutMs: integer(v['idle-timeout'], '--idle-timeout', 1),
    allowDowngrade: !!v['allow-downgrade'],
    reconnect: !v['no-reconnect'],
    reconnectOnEnd: v['reconnect-on-end'] ? true : v['no-reconnect-on-end'] ? false : undefined,
    retryMethods,
    maxRetries,
    retryDelayMs,
    count: integer(v.count, '--count', 1),
    timeoutMs: integer(v.timeout, '--timeout', 1),
    insecure: !!v.insecure,
    cacert: v.cacert,
    raw: !!v.raw,
    json: !!v.json,
    lens,
    silenceMs: integer(v.silence, '--silence', 1),
    ...(v.environment !== undefined ? { environment: v.environment } : {}),
    ...(v.profiles !== undefined ? { profiles: v.profiles } : {}),
    ...(everyMs !== undefined ? { repeat: { everyMs, ...(times !== undefined ? { times } : {}) } } : {}),
  };
}

/** `--send TEXT` on an adapter's connection: the protocol's send when it reads one from text, else a raw frame. */
function adapterSend(choice: AdapterChoice, text: string): Send {
  const adapter = findAdapter(choice.name)!;
  if (!adapter.cliSend) {
    return { type: 'text', text };
  }
  try {
    return { type: 'adapter', text, input: adapter.cliSend(text, resolveAdapter(choice).options as never) };
  } catch (err) {
    if (err instanceof AdapterSendError) {
      throw new UsageError(`--send: ${err.message}`);
    }
    throw err;
  }
}

/** The keep-alive's dead-peer timeout when only --keepalive is given (as for profiles). */
const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;

/**
 * `--ping` takes an optional value, which parseArgs cannot express: a bare `--ping` becomes
 * `--ping=` (an empty payload) and a payload must be written `--ping=TEXT`, so `--ping` never takes
 * the next argument. Arguments after `--` are left alone.
 */
function withPingValues(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((a, i) => (a === '--ping' && (end === -1 || i < end) ? '--ping=' : a));
}

/** `CODE[:REASON]` for --close, checked as a close frame the client may send. */
function parseClose(value: string): { code: number; reason?: string } {
  const colon = value.indexOf(':');
  const codeText = colon === -1 ? value : value.slice(0, colon);
  const reason = colon === -1 ? undefined : value.slice(colon + 1);
  if (!/^\d{4}$/.test(codeText)) {
    throw new UsageError(`--close needs CODE[:REASON] with a close code such as 1000 or 4000, got "${value}"`);
  }
  const code = Number(codeText);
  const problem = closeProblem(code, reason);
  if (problem) {
    throw new UsageError(`--close: ${problem}`);
  }
  return reason === undefined ? { code } : { code, reason };
}

function parseDemo(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(firstLine((err as Error).message));
  }
  if (parsed.values.help) {
    return { command: 'demo-help' };
  }
  const port = integer(parsed.values.port, '--port', 0) ?? 0;
  if (port > 65535) {
    throw new UsageError('--port must be at most 65535');
  }
  return { command: 'demo', port, host: parsed.values.host ?? '127.0.0.1' };
}

/** A whole-number option's value (at least `min`), or undefined when it was not given; else a usage error naming it. */
export function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new UsageError(`${name} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got "${value}"`);
  }
  return Number(value);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** `-H "Name: value"` options as headers; a repeated name is joined with ", ". */
export function parseHeaders(list: readonly string[] | undefined): Headers {
  const headers: Headers = {};
  for (const h of list ?? []) {
    const colon = h.indexOf(':');
    const name = colon > 0 ? h.slice(0, colon).trim() : '';
    if (!name || !TOKEN.test(name)) {
      throw new UsageError(`invalid header "${h}" (expected "Name: value")`);
    }
    const value = h.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`invalid header value for ${name}: line breaks and NUL are not allowed`);
    }
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing) {
      headers[existing] += ', ' + value;
    } else {
      headers[name] = value;
    }
  }
  return headers;
}
