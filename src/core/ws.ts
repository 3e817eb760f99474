/**
 * The WebSocket transport, on `ws`. Every frame the connection sends or receives becomes a record:
 * messages both ways, pings and pongs both ways (including the pong `ws` answers a server ping
 * with), the upgrade's response headers, and the close with its code and whether it was clean.
 *
 * Rules this transport applies (the reconnect policy decides the timing):
 * - Before open, a failure ends the attempt with an error; the connection makes it fatal when no
 *   retry follows. Network errors, handshake timeouts, 5xx and 429 may retry; a refused upgrade
 *   (other 4xx: bad credentials, wrong path, wrong protocol) and TLS or handshake-protocol
 *   failures will not get better by themselves and do not.
 * - After open, an error (invalid UTF-8, over-size message, protocol error, reset, dead peer) ends
 *   the attempt with both the close (code, reason, clean) and the error (with the close code `ws`
 *   sent); the connection shows the close, then the error, fatal when no reconnect follows (so the
 *   CLI exits 1), and everything received before stays in the log.
 * - A server close with 1000 ("normal closure") is the server saying it is done: no reconnect.
 *   Any other close code, a close without a close frame (1006) and our own protocol-error closes
 *   reconnect under the policy. A close the user asked for never reconnects (the connection sees to it).
 */
import type * as http from 'node:http';
import type * as net from 'node:net';
import WebSocket from 'ws';
import type { DriverFactory, EndInfo, TransportAttempt, TransportSink, WsDetails, WsTransportDriver } from './transport';
import { ConnectionOptions, DEFAULTS, KeepAliveOptions, Redactor } from './options';
import { redirectRule, withoutCredentials } from './credentials';
import { agentFor, describeNetworkError, headersOf, proxyFor, proxyNetworkError, proxyRefusalMessage, readBodyCapped, REDIRECT_STATUSES, redirectTarget, SCHEMES, tlsOptionsFor } from './net';
import { ReceivedText } from './receivedText';
import { ErrorCode, ErrorRecord, Headers, MessageRecord } from './records';

type ErrorInit = Omit<ErrorRecord, 'seq' | 'time' | 'kind' | 'state' | 'fatal'>;

/** Largest close reason a close frame can carry, in UTF-8 bytes (125 minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Why `code` / `reason` cannot go into a close frame the user sends, or undefined when they can.
 * Only 1000 and the application range 3000–4999 are the user's to send; the rest are reserved for
 * the protocol or for what a close means (1001 going away, 1011 server error…).
 */
export function closeProblem(code?: number, reason?: string): string | undefined {
  if (code !== undefined && !(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    return `Close code ${code} cannot be sent: use 1000 or 3000–4999`;
  }
  const bytes = reason ? Buffer.byteLength(reason) : 0;
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return `The close reason is ${bytes} bytes; a close frame holds at most ${MAX_CLOSE_REASON_BYTES}`;
  }
  return undefined;
}

/** `ws` receiver error codes → our codes and the close code `ws` sent for them. */
const FRAME_ERRORS: Record<string, { code: ErrorCode; closeCode: number }> = {
  WS_ERR_INVALID_UTF8: { code: 'ERR_INVALID_UTF8', closeCode: 1007 },
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1009 },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1009 },
  WS_ERR_TOO_MANY_BUFFERED_PARTS: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1008 },
  WS_ERR_EXPECTED_FIN: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_EXPECTED_MASK: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_MASK: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_CLOSE_CODE: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_OPCODE: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_RSV_1: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_RSV_2_3: { code: 'ERR_PROTOCOL', closeCode: 1002 },
};

const EMPTY = Buffer.alloc(0);

/**
 * Pongs handed to the socket and not yet written. One 64 KiB read can hold 32,768 empty pings, so a
 * burst that size is answered in full; beyond this the peer is not reading what we send and the
 * connection is dropped rather than buffering without bound.
 */
const MAX_PENDING_PONGS = 65_536;

/**
 * Bytes read in one turn of the event loop before reading pauses until the next turn. libuv reads a
 * busy socket up to 32 times (2 MiB) per turn, and `ws` turns all of it into messages at once: a
 * server sending small messages as fast as it can would otherwise block the host for a second at a time.
 */
const YIELD_AFTER_BYTES = 64 * 1024;

function noop(): void {
  // `ws` may still emit 'error' after an attempt is over (a handshake aborted by us): swallowed.
}

/** The close code `ws` attached to a frame error, when the code is not in the table above. */
function statusCodeOf(err: Error): number | undefined {
  const sym = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
  const value = sym ? (err as unknown as Record<symbol, unknown>)[sym] : undefined;
  return typeof value === 'number' ? value : undefined;
}

function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) {
    return text;
  }
  let end = maxBytes;
  // Step back over continuation bytes so no character is cut in half.
  while (end > 0 && (buf[end] & 0xc0) === 0x80) {
    end--;
  }
  return buf.subarray(0, end).toString('utf8');
}

function asBuffer(bytes: Uint8Array | undefined): Buffer {
  if (!bytes) {
    return EMPTY;
  }
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class WsDriver implements WsTransportDriver {
  readonly kind = 'ws' as const;
  /** The attempt in progress, if any: one at a time. */
  private current: WsAttempt | undefined;
  /** What the last successful handshake negotiated, for `details()`. */
  protocol = '';
  extensions = '';
  url: string | undefined;
  responseHeaders: Headers = {};

  constructor(
    readonly options: ConnectionOptions,
    readonly redactor: Redactor,
  ) {}

  describe() {
    const protocols = this.options.protocols;
    return {
      url: this.options.url,
      headers: { ...this.options.headers },
      ...(protocols && protocols.length ? { protocols: [...protocols] } : {}),
    };
  }

  start(sink: TransportSink, _attempt: number): TransportAttempt {
    this.current?.abort();
    const attempt = new WsAttempt(this, sink);
    this.current = attempt;
    attempt.begin();
    return attempt;
  }

  /** `attempt` is over: it is no longer the current one. */
  attemptOver(attempt: WsAttempt): void {
    if (this.current === attempt) {
      this.current = undefined;
    }
  }

  details(): WsDetails {
    return {
      protocol: this.protocol,
      extensions: this.extensions,
      offeredProtocols: [...(this.options.protocols ?? [])],
      url: this.redactor.url(this.url ?? this.options.url),
      requestHeaders: this.redactor.headers(this.options.headers),
      responseHeaders: this.redactor.headers(this.responseHeaders),
    };
  }

  dispose(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

/** One WebSocket, from handshake to close. Reports to its sink; every timer and listener dies with it. */
class WsAttempt implements TransportAttempt {
  private ws: WebSocket | undefined;
  private over = false;
  private opened = false;
  private refusing = false;
  private userClosing = false;
  private sawMessage = false;
  private paused = false;
  private agent: http.Agent | undefined;
  private socket: net.Socket | undefined;
  private upgradeRes: http.IncomingMessage | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  /** What went wrong on an open connection (bad frame, reset, dead peer): reported with the close. */
  private failure: ErrorInit | undefined;
  /** Set when `ws` closed the connection itself over a bad frame: the close code it sent. */
  private frameClose: { code: number; reason: string } | undefined;
  /** Set when keep-alive gave up on the peer. */
  private deadReason: string | undefined;
  /** Set when we dropped the connection ourselves (ping flood): the close's reason. */
  private dropReason: string | undefined;
  private pendingPongs = 0;
  /** Bytes read in this turn of the event loop, and whether reading paused to let the loop turn. */
  private turnBytes = 0;
  private turnScheduled = false;
  private yielded = false;
  /** The URL of the current request: the first one, then each redirect's. */
  private target: URL | undefined;
  private proxyUrl: string | undefined;
  /** The upgrade request's headers: the user's, without credentials once a redirect left their origin. */
  private headers: Headers = {};
  private redirects = 0;
  private crossOrigin = false;
  /** The proxy answered CONNECT with something other than 200: the refusal is the proxy's. */
  private proxyRefused = false;
  private readonly timeoutMs: number;
  private readonly keepAlive: KeepAliveOptions | undefined;

  constructor(
    private readonly driver: WsDriver,
    private readonly sink: TransportSink,
  ) {
    const o = driver.options;
    this.timeoutMs = o.timeoutMs ?? DEFAULTS.timeoutMs;
    this.keepAlive = o.keepAlive && o.keepAlive.intervalMs > 0 && o.keepAlive.timeoutMs > 0 ? o.keepAlive : undefined;
  }

  begin(): void {
    const o = this.driver.options;
    try {
      this.target = new URL(o.url);
    } catch {
      this.end({ error: { code: 'ERR_INVALID_URL', message: `Invalid URL: ${this.driver.redactor.url(o.url)}` }, retry: false });
      return;
    }
    if (!SCHEMES.ws.includes(this.target.protocol)) {
      // `ws` would open `ws+unix:` as a local socket; a WebSocket here is what a browser can open.
      this.end({ error: { code: 'ERR_INVALID_URL', message: `A WebSocket needs a ws://, wss://, http:// or https:// URL, not ${this.target.protocol}` }, retry: false });
      return;
    }
    this.headers = { ...o.headers };
    // One timer bounds the whole handshake (DNS, proxy, TLS, redirects); ws's own handshakeTimeout
    // only covers each HTTP request's idle time.
    this.handshakeTimer = setTimeout(() => {
      this.handshakeTimer = undefined;
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
    const o = this.driver.options;
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
    ws.on('error', this.onError);
    ws.on('upgrade', this.onUpgrade);
    ws.on('unexpected-response', this.onRefused);
    ws.on('open', this.onOpen);
    ws.on('message', this.onMessage);
    ws.on('ping', this.onPing);
    ws.on('pong', this.onPong);
    ws.on('close', this.onClose);
  }

  private readonly onProxyConnect = (connect: { statusCode?: number }): void => {
    this.proxyRefused = connect.statusCode !== 200;
  };

  // ---- TransportAttempt ----

  close(code?: number, reason?: string): void {
    const ws = this.ws;
    if (this.over || !ws) {
      return;
    }
    const problem = closeProblem(code, reason);
    if (problem) {
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `${problem}; closing with 1000 instead`, fatal: false });
      code = 1000;
      reason = reason === undefined ? undefined : truncateUtf8(reason, MAX_CLOSE_REASON_BYTES);
    }
    this.userClosing = true;
    this.stopKeepAlive();
    if (ws.readyState === WebSocket.CONNECTING) {
      // Nothing to close gracefully yet: the handshake is abandoned.
      this.end({ close: { code: 1006, reason: 'closed before the handshake completed', clean: false, by: 'client' }, retry: false });
      return;
    }
    ws.close(code ?? 1000, reason);
  }

  abort(): void {
    this.teardown();
  }

  pause(): void {
    this.paused = true;
    // A consumer that is not reading cannot see pongs either: keep-alive waits until it reads again.
    if (this.pongTimer) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
    if (this.opened && !this.over) {
      this.ws?.pause();
    }
  }

  resume(): void {
    this.paused = false;
    if (this.opened && !this.over) {
      this.ws?.resume();
    }
  }

  sendText(text: string): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    try {
      ws.send(text, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    this.sink.record({ kind: 'message', dir: 'out', format: 'text', data: text, size: Buffer.byteLength(text) });
  }

  sendBinary(bytes: Uint8Array): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    const buf = asBuffer(bytes);
    // Encoded before sending: the frame is masked from these bytes.
    const data = buf.toString('base64');
    try {
      ws.send(buf, { binary: true }, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    this.sink.record({ kind: 'message', dir: 'out', format: 'binary', data, size: buf.length });
  }

  ping(bytes?: Uint8Array): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    const buf = asBuffer(bytes);
    const data = buf.toString('base64');
    try {
      ws.ping(buf, undefined, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    this.sink.record({ kind: 'ping', dir: 'out', data, size: buf.length });
  }

  // ---- ws events ----

  private readonly onUpgrade = (res: http.IncomingMessage): void => {
    this.upgradeRes = res;
  };

  private readonly onOpen = (): void => {
    const ws = this.ws;
    if (this.over || !ws) {
      return;
    }
    this.opened = true;
    this.clearHandshakeTimer();
    const res = this.upgradeRes;
    const headers = res ? headersOf(res.headers) : {};
    const extensions = headers['sec-websocket-extensions'] ?? '';
    this.driver.protocol = ws.protocol;
    this.driver.extensions = extensions;
    this.driver.url = ws.url;
    this.driver.responseHeaders = headers;
    this.socket = res?.socket;
    this.socket?.on('data', this.onSocketData);
    this.upgradeRes = undefined;
    this.sink.opened({
      url: ws.url,
      status: res?.statusCode ?? 101,
      statusText: res?.statusMessage,
      headers,
      protocol: ws.protocol,
      extensions,
    });
    if (this.paused) {
      ws.pause();
    }
    this.startKeepAlive();
  };

  private readonly onSocketData = (chunk: Buffer): void => {
    this.sink.bytesIn(chunk.length);
    this.turnBytes += chunk.length;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.nextTurn);
    }
    if (this.turnBytes >= YIELD_AFTER_BYTES && !this.yielded) {
      this.yielded = true;
      this.ws?.pause();
    }
  };

  private readonly nextTurn = (): void => {
    this.turnScheduled = false;
    this.turnBytes = 0;
    if (this.yielded) {
      this.yielded = false;
      // A pause the consumer asked for (back-pressure) stays in force.
      if (!this.over && !this.paused) {
        this.ws?.resume();
      }
    }
  };

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    if (!this.sawMessage) {
      this.sawMessage = true;
      this.sink.healthy();
    }
    // `seq` and `time` are stamped by the connection; declared here, every record keeps one object
    // shape with in-object fields (no property store grown per message, cheaper to serialise). Text
    // stays in bytes until someone reads it: the store keeps bytes, so under a flood none is decoded.
    const record: MessageRecord = isBinary
      ? { kind: 'message', dir: 'in', format: 'binary', data: data.toString('base64'), size: data.length, seq: 0, time: '' }
      : new ReceivedText(data);
    this.sink.record(record);
  };

  private readonly onPing = (data: Buffer): void => {
    const b64 = data.toString('base64');
    this.sink.record({ kind: 'ping', dir: 'in', data: b64, size: data.length });
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return;
    }
    if (this.pendingPongs >= MAX_PENDING_PONGS) {
      this.dropReason = 'ping flood: the peer does not read our pongs';
      this.failure ??= {
        code: 'ERR_PROTOCOL',
        message: `Ping flood: ${MAX_PENDING_PONGS} pongs are waiting to be sent, the peer is not reading them; the connection was dropped to keep memory bounded`,
      };
      ws.terminate();
      return;
    }
    this.pendingPongs++;
    try {
      ws.pong(data, undefined, this.onPongSent);
    } catch (err) {
      this.pendingPongs--;
      this.sendFailed(err);
      return;
    }
    this.sink.record({ kind: 'pong', dir: 'out', data: b64, size: data.length, auto: true });
  };

  private readonly onPongSent = (): void => {
    this.pendingPongs--;
  };

  private readonly onPong = (data: Buffer): void => {
    if (this.pongTimer) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
    this.sink.record({ kind: 'pong', dir: 'in', data: data.toString('base64'), size: data.length });
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
    this.clearHandshakeTimer();
    const status = res.statusCode ?? 0;
    const statusText = res.statusMessage ?? '';
    const headers = this.driver.redactor.headers(headersOf(res.headers));
    const limit = this.driver.options.errorBodyLimit ?? DEFAULTS.errorBodyLimit;
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
          body: this.driver.redactor.text(body),
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
    const r = this.driver.redactor;
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
    const max = this.driver.options.maxRedirects ?? DEFAULTS.maxRedirects;
    if (++this.redirects > max) {
      refuse(`Too many redirects (more than ${max})`);
      return;
    }
    const target = redirectTarget(from, headers.location, 'ws');
    if (typeof target === 'string') {
      refuse(r.text(target));
      return;
    }
    const rule = redirectRule(from, target, this.driver.options.allowDowngrade);
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

  private readonly onError = (err: Error): void => {
    if (this.over || this.refusing) {
      return;
    }
    if (!this.opened) {
      this.end(this.handshakeFailure(err));
      return;
    }
    const errCode = (err as NodeJS.ErrnoException).code ?? '';
    const frame = FRAME_ERRORS[errCode] ?? (errCode.startsWith('WS_ERR_') ? { code: 'ERR_PROTOCOL' as const, closeCode: statusCodeOf(err) ?? 1002 } : undefined);
    if (frame) {
      this.frameClose = { code: frame.closeCode, reason: err.message };
      this.failure ??= { code: frame.code, message: frameMessage(frame.code, frame.closeCode, err.message), closeCode: frame.closeCode };
      return;
    }
    this.failure ??= describeNetworkError(err, this.target);
  };

  private readonly onClose = (code: number, reasonBuf: Buffer): void => {
    if (this.over) {
      return;
    }
    if (!this.opened) {
      // ws always reports an error before a close during the handshake; this is a backstop.
      this.end({ error: { code: 'ERR_NETWORK', message: 'The connection closed during the WebSocket handshake' }, retry: true });
      return;
    }
    let info: EndInfo;
    if (this.frameClose) {
      // ws stops reading after a bad frame, so the server's answering close frame is never seen.
      info = { close: { ...this.frameClose, clean: false, by: 'client' }, retry: true };
    } else if (code === 1006 && this.dropReason) {
      info = { close: { code: 1006, reason: this.dropReason, clean: false, by: 'client' }, retry: true };
    } else if (code === 1006) {
      info = { close: { code: 1006, reason: this.deadReason ?? 'connection lost without a close frame', clean: false, by: 'network' }, retry: true };
    } else {
      const reason = reasonBuf.length ? reasonBuf.toString('utf8') : '';
      const by = this.userClosing ? 'client' : 'server';
      info = { close: { code, reason, clean: true, by }, retry: !this.userClosing && code !== 1000 };
    }
    // The connection shows the close, then the error: fatal (state failed) unless a reconnect follows.
    if (this.failure && !this.userClosing) {
      info.error = this.failure;
    }
    this.end(info);
  };

  private readonly onSent = (err?: Error | null): void => {
    if (err && !this.over) {
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Send failed: ${err.message}`, fatal: false });
    }
  };

  // ---- helpers ----

  private openSocket(): WebSocket | undefined {
    const ws = this.ws;
    if (this.over || !ws) {
      return undefined;
    }
    if (ws.readyState !== WebSocket.OPEN) {
      const state = ['connecting', 'open', 'closing', 'closed'][ws.readyState];
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Cannot send: the WebSocket is ${state}`, fatal: false });
      return undefined;
    }
    return ws;
  }

  private sendFailed(err: unknown): void {
    this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Send failed: ${(err as Error).message ?? String(err)}`, fatal: false });
  }

  private startKeepAlive(): void {
    const ka = this.keepAlive;
    if (!ka) {
      return;
    }
    this.keepAliveTimer = setInterval(() => {
      const ws = this.ws;
      if (this.over || !ws || ws.readyState !== WebSocket.OPEN || this.paused) {
        return;
      }
      try {
        ws.ping(EMPTY, undefined, this.onSent);
      } catch (err) {
        this.sendFailed(err);
        return;
      }
      this.sink.record({ kind: 'ping', dir: 'out', data: '', size: 0, auto: true });
      // The deadline runs from the first unanswered ping; later pings do not push it back.
      this.pongTimer ??= setTimeout(() => this.declareDead(ka.timeoutMs), ka.timeoutMs);
    }, ka.intervalMs);
  }

  private declareDead(timeoutMs: number): void {
    this.pongTimer = undefined;
    if (this.over || !this.ws) {
      return;
    }
    this.deadReason = `no pong within ${timeoutMs} ms`;
    this.failure = { code: 'ERR_TIMEOUT', message: `No pong within ${timeoutMs} ms — connection presumed dead` };
    this.stopKeepAlive();
    // No closing handshake with a peer that does not answer: the socket goes, 'close' says 1006.
    this.ws.terminate();
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) {
      clearInterval(this.keepAliveTimer);
      this.keepAliveTimer = undefined;
    }
    if (this.pongTimer) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
  }

  private timeoutError(): ErrorInit {
    const host = this.target?.host ?? 'the server';
    const via = this.proxyUrl ? ` (through proxy ${this.driver.redactor.url(this.proxyUrl)})` : '';
    return { code: 'ERR_TIMEOUT', message: `No WebSocket handshake with ${host}${via} within ${this.timeoutMs} ms` };
  }

  /** A handshake that failed before any HTTP response: what to show and whether to try again. */
  private handshakeFailure(err: Error): EndInfo {
    const msg = err.message ?? String(err);
    if (msg === 'Opening handshake has timed out') {
      return { error: this.timeoutError(), retry: true };
    }
    if (/^(Invalid (Upgrade|Sec-WebSocket)|Server (sent|indicated))/.test(msg)) {
      // The 101 arrived but cannot be accepted: its headers are what the user needs to see.
      const res = this.upgradeRes;
      const offered = this.driver.options.protocols ?? [];
      const message =
        msg === 'Server sent no subprotocol'
          ? `The server accepted the upgrade without choosing one of the offered subprotocols (${offered.join(', ')}); browsers fail this handshake too`
          : `The server's handshake response is not valid: ${msg}`;
      return {
        error: {
          code: 'ERR_PROTOCOL',
          message,
          ...(res ? { status: res.statusCode, statusText: res.statusMessage, headers: this.driver.redactor.headers(headersOf(res.headers)) } : {}),
        },
        retry: false,
      };
    }
    const viaProxy = this.proxyUrl ? proxyNetworkError(err, this.proxyUrl, this.driver.redactor.url(this.proxyUrl)) : undefined;
    if (viaProxy) {
      return { error: viaProxy, retry: true };
    }
    const described = describeNetworkError(err, this.target);
    return { error: described, retry: described.code !== 'ERR_TLS' };
  }

  private end(info: EndInfo): void {
    if (this.over) {
      return;
    }
    this.teardown();
    this.sink.ended(info);
  }

  private teardown(): void {
    if (this.over) {
      return;
    }
    this.over = true;
    this.clearHandshakeTimer();
    this.stopKeepAlive();
    this.driver.attemptOver(this);
    this.socket?.removeListener('data', this.onSocketData);
    this.socket = undefined;
    this.upgradeRes = undefined;
    const ws = this.ws;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', noop);
      if (ws.readyState !== WebSocket.CLOSED) {
        ws.terminate();
      }
    }
    this.agent?.destroy();
    this.agent = undefined;
  }
}

function refusalMessage(status: number, statusText: string): string {
  const line = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status >= 300 && status < 400) {
    return `The server answered the upgrade with ${line}, which is not a redirect with a Location to follow`;
  }
  if (status >= 200 && status < 300) {
    return `The server answered ${line} instead of switching protocols: is this a WebSocket endpoint?`;
  }
  return `The server refused the WebSocket upgrade: ${line}`;
}

function frameMessage(code: ErrorCode, closeCode: number, detail: string): string {
  switch (code) {
    case 'ERR_INVALID_UTF8':
      return `The server sent a text message that is not valid UTF-8 (${detail}); closed with 1007`;
    case 'ERR_PAYLOAD_TOO_BIG':
      return closeCode === 1009
        ? `The server sent a message over the size limit (${detail}); closed with 1009 without reading it`
        : `The server sent a message in more pieces than the client buffers (${detail}); closed with ${closeCode}`;
    default:
      return `The server broke the WebSocket protocol (${detail}); closed with ${closeCode}`;
  }
}

/** The WebSocket transport for a {@link Connection}. */
export const createWsDriver: DriverFactory = (options, redactor) => new WsDriver(options, redactor);
