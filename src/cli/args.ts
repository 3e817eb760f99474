/** The CLI's command line: parsed and checked here, with nothing run. */
import { parseArgs } from 'node:util';
import type { Headers, TransportKind } from '../core/records';

export const USAGE = `Usage: realtime-inspector <url> [options]
       realtime-inspector demo [--port N] [--host H]

Connects to a Server-Sent Events (http:// https://) or WebSocket (ws:// wss://) endpoint and prints
what happens: every event, message, comment, retry, reconnect and error.

Options:
  --sse | --ws                 force the protocol (default: by URL scheme)
  -H, --header "Name: value"   request / upgrade header, repeatable
  -X, --method M               SSE: HTTP method (default GET, POST with --data)
  -d, --data TEXT | @file      SSE: request body
  --last-event-id ID           SSE: Last-Event-ID for the first request
  -p, --protocol NAME          WS: subprotocol to offer, repeatable
  -s, --send TEXT              WS: send a text message after open, repeatable, in order
  --send-binary BASE64         WS: send a binary message after open, repeatable, in order
                               (sent again after every reconnect)
  --no-reconnect               never reconnect
  --max-retries N              reconnect attempts before giving up (default 10)
  --retry-delay MS             first reconnect delay (default 1000; SSE retry: replaces it)
  --count N                    exit 0 after N incoming messages (SSE events / WS messages)
  --timeout MS                 stop after MS milliseconds (exit 0)
  --insecure                   TLS: accept any certificate
  --cacert FILE                TLS: trust the CA certificate(s) in FILE (PEM), too
  --raw                        SSE: print the stream's bytes as received instead of records
                               (status lines go to stderr)
  --json                       one JSON record a line; otherwise readable lines, coloured on a TTY
  -h, --help                   this help
  -V, --version                the version

Proxies: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY are honoured.
Exit status: 0 ended as asked (count, timeout, server closed with no reconnect due),
             1 the connection failed or ended in error, 2 usage error.`;

export const DEMO_USAGE = `Usage: realtime-inspector demo [--port N] [--host H]

Starts the built-in demo server (SSE and WebSocket endpoints) on 127.0.0.1 until interrupted.`;

/** A mistake in the command line: one line on stderr, exit status 2. */
export class UsageError extends Error {}

export type Send = { type: 'text'; text: string } | { type: 'binary'; base64: string; bytes: Buffer };

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
  sends: Send[];
  reconnect: boolean;
  maxRetries?: number;
  retryDelayMs?: number;
  count?: number;
  timeoutMs?: number;
  insecure: boolean;
  cacert?: string;
  raw: boolean;
  json: boolean;
}

export interface DemoArgs {
  command: 'demo';
  port: number;
  host: string;
}

export type CliArgs = ConnectArgs | DemoArgs | { command: 'help' | 'demo-help' | 'version' };

const OPTIONS = {
  sse: { type: 'boolean' },
  ws: { type: 'boolean' },
  header: { type: 'string', short: 'H', multiple: true },
  method: { type: 'string', short: 'X' },
  data: { type: 'string', short: 'd' },
  'last-event-id': { type: 'string' },
  protocol: { type: 'string', short: 'p', multiple: true },
  send: { type: 'string', short: 's', multiple: true },
  'send-binary': { type: 'string', multiple: true },
  'no-reconnect': { type: 'boolean' },
  'max-retries': { type: 'string' },
  'retry-delay': { type: 'string' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  insecure: { type: 'boolean' },
  cacert: { type: 'string' },
  raw: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseCliArgs(argv: string[]): CliArgs {
  if (argv[0] === 'demo') {
    return parseDemo(argv.slice(1));
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
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
    throw new UsageError(`one URL expected, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
  }
  const url = parsed.positionals[0];
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new UsageError(`invalid URL: ${url}`);
  }
  if (v.sse && v.ws) {
    throw new UsageError('--sse and --ws cannot be combined');
  }
  let kind: TransportKind;
  if (v.sse) {
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
  only('sse', ['method', 'data', 'last-event-id', 'raw']);
  only('ws', ['protocol', 'send', 'send-binary']);

  const headers: Headers = {};
  for (const h of v.header ?? []) {
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

  // --send and --send-binary interleave in the order given.
  const sends: Send[] = [];
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== 'option' || t.value === undefined) {
      continue;
    }
    if (t.name === 'send') {
      sends.push({ type: 'text', text: t.value });
    } else if (t.name === 'send-binary') {
      const b64 = t.value.trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
        throw new UsageError(`--send-binary needs base64, got "${t.value}"`);
      }
      sends.push({ type: 'binary', base64: b64, bytes: Buffer.from(b64, 'base64') });
    }
  }

  const maxRetries = integer(v['max-retries'], '--max-retries', 0);
  const retryDelayMs = integer(v['retry-delay'], '--retry-delay', 0);
  if (v['no-reconnect'] && (maxRetries !== undefined || retryDelayMs !== undefined)) {
    throw new UsageError('--no-reconnect cannot be combined with --max-retries or --retry-delay');
  }
  if (v.raw && v.json) {
    throw new UsageError('--raw and --json cannot be combined');
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
    sends,
    reconnect: !v['no-reconnect'],
    maxRetries,
    retryDelayMs,
    count: integer(v.count, '--count', 1),
    timeoutMs: integer(v.timeout, '--timeout', 1),
    insecure: !!v.insecure,
    cacert: v.cacert,
    raw: !!v.raw,
    json: !!v.json,
  };
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

function integer(value: string | undefined, name: string, min: number): number | undefined {
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
