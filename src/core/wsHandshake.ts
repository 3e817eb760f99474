/**
 * The WebSocket handshake: the upgrade request (through a proxy, over TLS), the redirects we follow
 * ourselves, a refusal with its body, and the one timer that bounds it all. The open socket (frames
 * both ways, the close, keep-alive) is the attempt's: `WsAttempt` (ws.ts) extends this class and
 * listens to each request's WebSocket (`listen`).
 */
import type * as http from 'node:http';
import WebSocket from 'ws';
import { redirectRule, withoutCredentials } from './credentials';
import { disposableTimeout, MutableDisposable } from './lifecycle';
import {
  agentFor,
  headersOf,
  proxyFor,
  proxyRefusalMessage,
  readBodyCapped,
  REDIRECT_STATUSES,
  redirectTarget,
  SCHEMES,
  tlsOptionsFor,
} from './net';
import { type ConnectionOptions, DEFAULTS } from './options';
import { type Redactor } from './redactor';
import type { ErrorCode, Headers } from './records';
import type { EndInfo, TransportError, TransportSink } from './transport';
import { refusalMessage } from './wsErrors';

/** The headers a request carries, with the names as written (the user's, then those `ws` and Node add). */
function headersSent(req: http.ClientRequest): Headers {
  const out: Headers = {};
  for (const name of req.getRawHeaderNames()) {
    const value = req.getHeader(name);
    if (value !== undefined) {
      out[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  return out;
}

export function noop(): void {
  // `ws` may still emit 'error' after an attempt is over (a handshake aborted by us): swallowed.
}

export abstract class WsHandshake {
  /** The current request's WebSocket: the first one, then each redirect's. */
  protected ws: WebSocket | undefined;
  protected over = false;
  protected opened = false;
  /** The upgrade was refused: its body is being read, then the attempt ends with it. */
  protected refusing = false;
  protected agent: http.Agent | undefined;
  /** The 101 response, until the attempt is open. */
  protected upgradeRes: http.IncomingMessage | undefined;
  /** One timer bounds the whole handshake (DNS, proxy, TLS, redirects). */
  protected readonly handshakeTimer = new MutableDisposable();
  /** The URL of the current request: the first one, then each redirect's. */
  protected target: URL | undefined;
  protected proxyUrl: string | undefined;
  /** The upgrade request's headers: the user's, without credentials once a redirect left their origin. */
  private headers: Headers = {};
  /** The headers the current upgrade request really carried (`ws`'s Sec-WebSocket-Key and the rest, Host), masked. */
  protected sentHeaders: Headers = {};
  private redirects = 0;
  private crossOrigin = false;
  /** The proxy answered CONNECT with something other than 200: the refusal is the proxy's. */
  private proxyRefused = false;
  protected readonly timeoutMs: number;

  constructor(
    protected readonly options: ConnectionOptions,
    protected readonly redactor: Redactor,
    protected readonly sink: TransportSink,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  }

  /** Listens to a new request's WebSocket: error, open, messages, pings, pongs, close. */
  protected abstract listen(ws: WebSocket): void;

  /** Ends the attempt with `info` (once). */
  protected abstract end(info: EndInfo): void;

  /** An upgrade request went out with these headers (masked): each redirect's too. */
  protected abstract requestSent(headers: Headers): void;

  /** Starts the handshake to `url` (the options' URL unless a protocol adapter's preconnect step gave another). */
  begin(url: string = this.options.url): void {
    const o = this.options;
    try {
      this.target = new URL(url);
    } catch {
      this.end({ error: { code: 'ERR_INVALID_URL', message: `Invalid URL: ${this.redactor.url(url)}` }, retry: false });
      return;
    }
    if (!SCHEMES.ws.includes(this.target.protocol)) {
      // `ws` would open `ws+unix:` as a local socket; a WebSocket here is what a browser can open.
      this.end({
        error: {
          code: 'ERR_INVALID_URL',
          message: `A WebSocket needs a ws://, wss://, http:// or https:// URL, not ${this.target.protocol}`,
        },
        retry: false,
      });
      return;
    }
    this.headers = { ...o.headers };
    // ws's own handshakeTimeout only covers each HTTP request's idle time.
    this.handshakeTimer.value = disposableTimeout(() => {
      if (!this.opened && !this.refusing) {
        this.end({ error: this.timeoutError(), retry: true });
      }
    }, this.timeoutMs);
    this.request(this.target);
  }

  /**
   * One upgrade request. Redirects are followed here, not by `ws`: its own following accepts
   * `ws+unix:` (a local socket) and opens the next request before any listener can check it.
   */
  private request(target: URL): void {
    const o = this.options;
    this.target = target;
    this.proxyUrl = proxyFor(target, o.proxy);
    this.proxyRefused = false;
    this.agent?.destroy();
    this.agent = undefined;
    let ws: WebSocket;
    try {
      this.agent = agentFor(target, o);
      this.agent?.once('proxyConnect', this.onProxyConnect);
      const wsOptions: WebSocket.ClientOptions & { closeTimeout?: number } = {
        headers: { ...this.headers },
        perMessageDeflate: o.perMessageDeflate !== false,
        maxPayload: o.maxPayload ?? DEFAULTS.maxPayload,
        handshakeTimeout: this.timeoutMs,
        followRedirects: false,
        agent: this.agent,
        // Pongs are sent here rather than by ws, so each one is recorded and a flood has a clear end.
        autoPong: false,
        // A close the user asks for is torn down by the connection after its own timeout (5 s);
        // this bounds the closes ws starts by itself (after a bad frame) when the peer never hangs up.
        closeTimeout: 10_000,
        // The request as it goes out: what it really carries is recorded, then it is sent unchanged.
        finishRequest: (req) => {
          this.sentHeaders = this.redactor.headers(headersSent(req));
          this.requestSent(this.sentHeaders);
          req.end();
        },
        ...tlsOptionsFor(o.tls),
      };
      ws = new WebSocket(target, o.protocols ?? [], wsOptions);
    } catch (err) {
      // Invalid or duplicated subprotocol names, a URL ws cannot use, a header Node will not send…
      const message = (err as Error).message ?? String(err);
      const code: ErrorCode = /subprotocol/i.test(message)
        ? 'ERR_PROTOCOL'
        : err instanceof SyntaxError
          ? 'ERR_INVALID_URL'
          : 'ERR_INTERNAL';
      this.end({ error: { code, message: code === 'ERR_INTERNAL' ? `Cannot start the handshake: ${message}` : message }, retry: false });
      return;
    }
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('upgrade', this.onUpgrade);
    ws.on('unexpected-response', this.onRefused);
    this.listen(ws);
  }

  private readonly onProxyConnect = (connect: { statusCode?: number }): void => {
    this.proxyRefused = connect.statusCode !== 200;
  };

  private readonly onUpgrade = (res: http.IncomingMessage): void => {
    this.upgradeRes = res;
  };

  private readonly onRefused = (_req: http.ClientRequest, res: http.IncomingMessage): void => {
    if (this.over) {
      res.destroy();
      return;
    }
    if (REDIRECT_STATUSES.has(res.statusCode ?? 0) && res.headers.location !== undefined && !this.proxyRefused) {
      this.redirect(res);
      return;
    }
    this.refusing = true;
    this.handshakeTimer.clear();
    const status = res.statusCode ?? 0;
    const statusText = res.statusMessage ?? '';
    const headers = this.redactor.headers(headersOf(res.headers));
    const limit = this.options.errorBodyLimit ?? DEFAULTS.errorBodyLimit;
    void readBodyCapped(res, limit).then(({ body, truncated }) => {
      if (this.over) {
        return;
      }
      const byProxy = this.proxyRefused || status === 407;
      this.end({
        error: {
          code: byProxy ? 'ERR_PROXY' : 'ERR_HTTP_STATUS',
          message: byProxy ? proxyRefusalMessage(this.target?.host ?? '', status, statusText) : refusalMessage(status, statusText),
          status,
          statusText,
          headers,
          body: this.redactor.text(body),
          ...(truncated ? { bodyTruncated: true } : {}),
        },
        // 5xx and 429 are the server's passing trouble; any other refusal (401, 403, 404, 426…)
        // will be the same on the next try.
        retry: !byProxy && (status >= 500 || status === 429),
      });
    });
  };

  /** A 3xx with a Location: checked by the rules SSE follows too, then the next request. */
  private redirect(res: http.IncomingMessage): void {
    const from = this.target!;
    const r = this.redactor;
    const status = res.statusCode ?? 0;
    const statusText = res.statusMessage ?? '';
    const headers = headersOf(res.headers);
    res.destroy();
    // This request is over: its WebSocket goes, and nothing it still emits matters.
    const old = this.ws;
    this.ws = undefined;
    if (old) {
      old.removeAllListeners();
      old.on('error', noop);
      old.terminate();
    }
    const refuse = (message: string) =>
      this.end({ error: { code: 'ERR_REDIRECT', message, status, statusText, headers: r.headers(headers) }, retry: false });
    const max = this.options.maxRedirects ?? DEFAULTS.maxRedirects;
    if (++this.redirects > max) {
      refuse(`Too many redirects (more than ${max})`);
      return;
    }
    const target = redirectTarget(from, headers.location, 'ws');
    if (typeof target === 'string') {
      refuse(r.text(target));
      return;
    }
    const rule = redirectRule(from, target, this.options.allowDowngrade);
    if (rule.refused) {
      refuse(`${rule.refused}: ${r.url(from.href)} → ${r.url(target.href)}`);
      return;
    }
    let dropped: string[] = [];
    if (rule.dropCredentials && !this.crossOrigin) {
      this.crossOrigin = true;
      ({ headers: this.headers, dropped } = withoutCredentials(this.headers));
    }
    if (this.crossOrigin) {
      target.username = '';
      target.password = '';
    }
    if (target.host !== from.host) {
      // A Host header the user set was for the first server, not this one.
      for (const name of Object.keys(this.headers)) {
        if (name.toLowerCase() === 'host') {
          delete this.headers[name];
        }
      }
    }
    this.sink.record({
      kind: 'info',
      message:
        `Redirected to ${r.url(target.href)} (${status}${statusText ? ` ${statusText}` : ''})` +
        (rule.downgrade ? ' (leaves TLS: allowed by allowDowngrade)' : '') +
        (dropped.length ? ` (another origin: ${dropped.join(', ')} not forwarded)` : ''),
    });
    this.request(target);
  }

  protected timeoutError(): TransportError {
    const host = this.target?.host ?? 'the server';
    const via = this.proxyUrl ? ` (through proxy ${this.redactor.url(this.proxyUrl)})` : '';
    return { code: 'ERR_TIMEOUT', message: `No WebSocket handshake with ${host}${via} within ${this.timeoutMs} ms` };
  }
}
