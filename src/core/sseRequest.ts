/**
 * The SSE request: its headers (what the spec's fetch sets, and the user's), its body, and the
 * redirects it follows (fetch's "HTTP-redirect fetch", with the rule both transports share).
 */
import type * as http from 'node:http';
import { redirectRule, withoutCredentials } from './credentials';
import { redirectTarget } from './net';
import { type ConnectionOptions, DEFAULTS } from './options';
import { type Redactor } from './redactor';
import { looksLikeJson } from './payloadText';
import type { Headers } from './records';
import type { TransportError } from './transport';

/** Header values Node refuses (it throws ERR_INVALID_CHAR); a Last-Event-ID with these cannot be sent. */
export const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * The request's headers: the user's, plus what the spec's fetch sets — "`Accept`/`text/event-stream`",
 * "cache mode to no-store" (sent as `Cache-Control: no-cache`, as browsers do) and, "if the EventSource
 * object's last event ID string is not the empty string", `Last-Event-ID`. The user's own Accept and
 * Cache-Control win: an inspector may need to send something else.
 */
export function sseRequestHeaders(options: ConnectionOptions, lastEventId: string, withBody: boolean, forWire = true): Headers {
  const out: Headers = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
  const lower = new Map<string, string>([
    ['accept', 'Accept'],
    ['cache-control', 'Cache-Control'],
  ]);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const key = name.toLowerCase();
    const existing = lower.get(key);
    if (existing !== undefined) {
      delete out[existing];
    }
    if (!withBody && (key === 'content-type' || key === 'content-length')) {
      continue;
    }
    out[name] = value;
    lower.set(key, name);
  }
  if (withBody && !lower.has('content-type') && options.body !== undefined) {
    out['Content-Type'] = isJsonDocument(options.body) ? 'application/json' : 'text/plain;charset=UTF-8';
  }
  if (lastEventId) {
    const existing = lower.get('last-event-id');
    if (existing !== undefined) {
      delete out[existing];
    }
    // "set `Last-Event-ID` to last event ID string, encoded as UTF-8": Node takes header values as
    // Latin-1 strings, so on the wire the UTF-8 bytes are passed one char per byte.
    out['Last-Event-ID'] = forWire ? Buffer.from(lastEventId, 'utf8').toString('latin1') : lastEventId;
  }
  return out;
}

/** The request body's bytes, if the options give one. */
export function requestBody(options: ConnectionOptions): Buffer | undefined {
  const body = options.body;
  return body === undefined
    ? undefined
    : typeof body === 'string'
      ? Buffer.from(body, 'utf8')
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The next request a redirect asks for, and the info record's text that says so. */
export interface RedirectHop {
  target: URL;
  method: string;
  body: Buffer | undefined;
  message: string;
}

/** The redirects of one attempt: how many, which requests were made, whether the credentials were left behind. */
export class SseRedirects {
  private readonly visited = new Set<string>();
  private count = 0;
  /** A redirect left the origin the credentials were given for: from then on they are not sent. */
  crossOrigin = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly redactor: Redactor,
    /** The headers a request with or without a body sends, before any credentials are dropped. */
    private readonly headersFor: (withBody: boolean) => Headers,
  ) {}

  /** A request is being made: asking for it again is a loop. */
  requested(method: string, url: URL): void {
    this.visited.add(`${method} ${url.href}`);
  }

  /** A 3xx with a Location to `from`: the next request, or the error that refuses it. */
  follow(
    from: URL,
    method: string,
    body: Buffer | undefined,
    res: { status: number; statusText: string; headers: Headers },
  ): RedirectHop | { error: TransportError } {
    const r = this.redactor;
    const { status, statusText, headers } = res;
    const refuse = (message: string) => ({
      error: { code: 'ERR_REDIRECT' as const, message, status, statusText, headers: r.headers(headers) },
    });
    const target = redirectTarget(from, headers.location, 'sse');
    if (typeof target === 'string') {
      return refuse(r.text(target));
    }
    this.count++;
    const max = this.options.maxRedirects ?? DEFAULTS.maxRedirects;
    if (this.count > max) {
      return refuse(`Too many redirects (more than ${max})`);
    }
    // Fetch's "HTTP-redirect fetch": 301/302 turn POST into GET, 303 turns anything but GET/HEAD
    // into GET, and the body goes with it; 307/308 keep the method and the body.
    let nextMethod = method;
    let nextBody = body;
    if (((status === 301 || status === 302) && method === 'POST') || (status === 303 && method !== 'GET' && method !== 'HEAD')) {
      nextMethod = 'GET';
      nextBody = undefined;
    }
    if (this.visited.has(`${nextMethod} ${target.href}`)) {
      return refuse(`Redirect loop: ${r.url(from.href)} → ${r.url(target.href)} was already requested`);
    }
    // One rule for both transports (credentials.ts): no downgrade from TLS unless allowed, and the
    // credentials stay with the origin they were given for.
    const rule = redirectRule(from, target, this.options.allowDowngrade);
    if (rule.refused) {
      return refuse(`${rule.refused}: ${r.url(from.href)} → ${r.url(target.href)}`);
    }
    const dropped = !this.crossOrigin && rule.dropCredentials ? withoutCredentials(this.headersFor(nextBody !== undefined)).dropped : [];
    this.crossOrigin ||= rule.dropCredentials;
    if (this.crossOrigin) {
      target.username = '';
      target.password = '';
    }
    const message =
      `Redirect ${status} ${statusText} → ${r.url(target.href)}` +
      (nextMethod !== method ? ` (now ${nextMethod}, without the body)` : '') +
      (rule.downgrade ? ' (leaves TLS: allowed by allowDowngrade)' : '') +
      (dropped.length ? ` (another origin: ${dropped.join(', ')} not sent)` : '');
    return { target, method: nextMethod, body: nextBody, message };
  }
}

/** A 101 to a request that asked for no upgrade: this is not an SSE endpoint. */
export function switchedProtocols(res: http.IncomingMessage, headers: Headers, redactor: Redactor): TransportError {
  const to = headers.upgrade ? ` to ${headers.upgrade}` : '';
  return {
    code: 'ERR_PROTOCOL',
    message: `The server switched protocols${to} (HTTP ${res.statusCode ?? 101}${res.statusMessage ? ' ' + res.statusMessage : ''}) instead of answering with an event stream: this is not an SSE endpoint${/websocket/i.test(to) ? ' (a WebSocket one? use ws:// or --ws)' : ''}`,
    status: res.statusCode ?? 101,
    statusText: res.statusMessage ?? '',
    headers: redactor.headers(headers),
  };
}

function noop(): void {
  // intentionally empty
}

/**
 * Destroys a request and its response. Our response handlers check `over`, and the response keeps
 * its other listeners so a pending `readBodyCapped` hears the close and clears its timer.
 */
export function discard(req: http.ClientRequest | undefined, res: http.IncomingMessage | undefined): void {
  if (res) {
    res.on('error', noop);
    res.destroy();
  }
  if (req) {
    // A no-op error listener stays: destroying may still emit an error nobody needs to hear.
    req.removeAllListeners('response');
    req.removeAllListeners('error');
    req.on('error', noop);
    req.destroy();
  }
}

/** A body that reads as a JSON document (an object or array that parses) is sent as `application/json`. */
function isJsonDocument(body: string | Uint8Array): boolean {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (!looksLikeJson(text)) {
    return false;
  }
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
