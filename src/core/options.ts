import { authSchemeOf, isCredentialHeader } from './credentials';
import { ReconnectOptions } from './reconnect';
import { Headers, TransportKind } from './records';

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
  /** Secret values (tokens…) that must never appear in records; they are masked as `••••`. */
  secrets?: string[];
  /**
   * SSE: receives the response body's bytes exactly as they arrive, before decoding (the raw view,
   * the CLI's `--raw`). Costs nothing when unset. The chunk is only valid during the call.
   */
  onRaw?: (chunk: Buffer) => void;
}

export const MASK = '••••';

export const DEFAULTS = Object.freeze({
  timeoutMs: 30_000,
  maxRedirects: 10,
  maxEventSize: 64 * 1024 * 1024,
  errorBodyLimit: 64 * 1024,
  maxPayload: 100 * 1024 * 1024,
});

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

/** Masks secret values wherever they appear, and the values of headers that carry credentials. */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[] = []) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  }

  get hasSecrets(): boolean {
    return this.secrets.length > 0;
  }

  private bytes: Buffer[] | undefined;

  /** The secrets as UTF-8, to search bytes for them. */
  get secretBytes(): readonly Buffer[] {
    return (this.bytes ??= this.secrets.map((s) => Buffer.from(s, 'utf8')));
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) {
      if (out.includes(secret)) {
        out = out.split(secret).join(MASK);
      }
    }
    return out;
  }

  /**
   * How many characters at the end of `text` a secret begins with, so the secret may finish in the
   * text that follows: a stream masked piece by piece holds these back until the next piece, or a
   * secret split across two pieces would go out in clear. `text` is masked already.
   */
  unfinishedAtEnd(text: string): number {
    let longest = 0;
    for (const secret of this.secrets) {
      for (let k = Math.min(secret.length - 1, text.length); k > longest; k--) {
        if (text.endsWith(secret.slice(0, k))) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  /** Header values with credentials keep only their scheme (`Bearer ••••`). */
  headers(headers: Headers | undefined): Headers {
    const out: Headers = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      out[name] = isCredentialHeader(name) ? maskCredential(value) : this.text(value);
    }
    return out;
  }

  url(url: string): string {
    let masked = this.text(url);
    try {
      const u = new URL(masked);
      if (u.password) {
        u.password = MASK;
        masked = u.toString();
      }
    } catch {
      // not a URL: leave the text masking in place
    }
    return masked;
  }
}

function maskCredential(value: string): string {
  const scheme = authSchemeOf(value);
  return scheme ? `${scheme} ${MASK}` : MASK;
}
