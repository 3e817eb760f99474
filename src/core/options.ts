import type { LensMode } from './llm/types';
import { type ReconnectOptions } from './reconnect';
import { type AdapterName, type Headers, type TransportKind } from './records';

/** TLS settings shared by SSE and WebSocket. */
export interface TlsOptions {
  /** Accept any certificate (self-signed, expired, wrong host). Off unless a profile turns it on. */
  insecure?: boolean;
  /** PEM of extra CAs to trust, on top of Node's bundled ones. */
  ca?: string | Buffer;
}

/** Where connections go through a proxy. */
export interface ProxyOptions {
  /** Proxy URL for all requests (VS Code's `http.proxy`). Takes precedence over the environment. */
  url?: string;
  /** Hosts reached directly even when `url` is set (VS Code's `http.noProxy`): `example.com`, `.corp`, `*`. */
  noProxy?: string[];
  /** Read `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` from the process environment (the CLI does). */
  fromEnv?: boolean;
  /** Verify the proxy's own TLS certificate. Default true. */
  strictSSL?: boolean;
}

/** Keep-alive for WebSocket: ping every `intervalMs`, declare the connection dead after `timeoutMs` without a pong. */
export interface KeepAliveOptions {
  intervalMs: number;
  timeoutMs: number;
}

export interface ConnectionOptions {
  url: string;
  /** `auto` picks by scheme: http(s) → SSE, ws(s) → WebSocket. */
  kind?: TransportKind | 'auto';
  /** Request (SSE) or upgrade (WS) headers, as the user wrote them, secrets already resolved. */
  headers?: Headers;
  /** SSE: HTTP method. Default GET. */
  method?: string;
  /** SSE: request body (POST/PUT…). */
  body?: string | Uint8Array;
  /** SSE: Last-Event-ID to send on the first request. */
  lastEventId?: string;
  /** WS: subprotocols to offer. */
  protocols?: string[];
  /** WS: negotiate permessage-deflate. Default true. */
  perMessageDeflate?: boolean;
  /** WS: largest message accepted, in bytes. Default 100 MiB. */
  maxPayload?: number;
  /** WS: optional ping/pong keep-alive. */
  keepAlive?: KeepAliveOptions;
  /** Connect / handshake / response-headers timeout in ms. Default 30000. */
  timeoutMs?: number;
  /** Redirects followed before giving up. Default 10. */
  maxRedirects?: number;
  /**
   * Follow a redirect that leaves TLS (https/wss → http/ws). Off by default: such a redirect is an
   * error. Credentials never follow it either way.
   */
  allowDowngrade?: boolean;
  /**
   * Once open, the connection fails when no data arrives for this many ms ("no data for N s"); the
   * reconnect policy then decides, as for a network failure. Off (undefined or 0) by default.
   */
  idleTimeoutMs?: number;
  /** SSE: most characters one line or one event may buffer before the connection fails. Default 64 Mi. */
  maxEventSize?: number;
  /** Most bytes of an error response's body kept for display. Default 64 KiB. */
  errorBodyLimit?: number;
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  reconnect?: Partial<ReconnectOptions>;
  /** The LLM lens: `auto` (default) reads a model's streamed answer when the events are one; `none` never. */
  lens?: LensMode;
  /** Marks a silence of more than this many ms between messages in the log; off when undefined or 0. */
  silenceMs?: number;
  /** Secret values (tokens…) that must never appear in records; they are masked as `••••`. */
  secrets?: string[];
  /**
   * WS: the protocol adapter that speaks and decodes the protocol on the socket (`adapters/registry.ts`);
   * `options` are checked by the adapter's `options()` when the connection is made.
   */
  adapter?: AdapterChoice;
}

/** A protocol adapter and its options, as a profile or the CLI gives them. */
export interface AdapterChoice {
  name: AdapterName;
  options: Record<string, unknown>;
}

export const DEFAULTS = Object.freeze({
  timeoutMs: 30_000,
  maxRedirects: 10,
  maxEventSize: 64 * 1024 * 1024,
  errorBodyLimit: 64 * 1024,
  maxPayload: 100 * 1024 * 1024,
});

/** The transport of a connection's options: a protocol adapter speaks over a WebSocket whatever the URL's scheme. */
export function kindOf(options: ConnectionOptions): TransportKind {
  return resolveKind(options.url, options.adapter ? 'ws' : options.kind);
}

/** Which transport a URL and an explicit kind select. Throws on a scheme neither supports. */
export function resolveKind(url: string, kind: TransportKind | 'auto' = 'auto'): TransportKind {
  if (kind === 'sse' || kind === 'ws') {
    return kind;
  }
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new Error(`Invalid URL: ${url}`);
  }
  if (scheme === 'http:' || scheme === 'https:') {
    return 'sse';
  }
  if (scheme === 'ws:' || scheme === 'wss:') {
    return 'ws';
  }
  throw new Error(`Unsupported URL scheme "${scheme}" (use http(s):// for SSE or ws(s):// for WebSocket)`);
}
