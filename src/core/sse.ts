/**
 * The SSE transport: an HTTP request we control end to end (method, body, headers, TLS, proxy,
 * redirects) and `eventsource-parser` for the event stream's lines, interpreted as the WHATWG HTML
 * "Server-sent events" section says (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Quotes below are from that section unless marked otherwise.
 *
 * Where this goes past the browser's EventSource, for an inspector: any 2xx is accepted (not only
 * 200), comments and `retry:` are records, the response status/headers and the raw bytes are shown,
 * and a failure says why (status, headers and a capped body).
 */
import { isAscii } from 'node:buffer';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { TextDecoder } from 'node:util';
import { createParser, EventSourceMessage, EventSourceParser, ParseError } from 'eventsource-parser';
import type { DriverFactory, EndInfo, SseDetails, SseRequestInfo, SseResponseInfo, SseTransportDriver, TransportAttempt, TransportSink } from './transport';
import { redirectRule, withoutCredentials } from './credentials';
import { BodyDecoder, codingsOf, createBodyDecoder, unsupportedCoding } from './decode';
import { agentFor, describeNetworkError, headersOf, proxyFor, proxyNetworkError, proxyRefusalMessage, readBodyCapped, REDIRECT_STATUSES, redirectTarget, tlsOptionsFor } from './net';
import { ConnectionOptions, DEFAULTS, Redactor } from './options';
import { disposableTimeout, MutableDisposable } from './lifecycle';
import { Headers, RecordInit } from './records';

export const createSseDriver: DriverFactory = (options, redactor) => new SseDriver(options, redactor);

/** What persists across attempts: the last event ID and the reconnection time, as the spec keeps them on the EventSource. */
class SseDriver implements SseTransportDriver {
  readonly kind = 'sse' as const;
  /** "the last event ID string": persists across events and reconnects; '' means none. */
  lastEventId: string;
  /** The server's `retry:` in force, if it sent one. */
  retryMs: number | undefined;
  lastRequest: SseRequestInfo | undefined;
  lastResponse: SseResponseInfo | undefined;
  /** The attempt in progress, if any: one at a time. */
  private current: SseAttempt | undefined;
  private disposed = false;

  constructor(
    readonly options: ConnectionOptions,
    readonly redactor: Redactor,
  ) {
    this.lastEventId = options.lastEventId ?? '';
  }

  get method(): string {
    return (this.options.method || 'GET').toUpperCase();
  }

  describe(): { url: string; method: string; headers: Headers; lastEventId?: string } {
    return {
      url: this.options.url,
      method: this.method,
      headers: this.requestHeaders(this.options.body !== undefined, false),
      ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}),
    };
  }

  /**
   * The request's headers: the user's, plus what the spec's fetch sets — "`Accept`/`text/event-stream`",
   * "cache mode to no-store" (sent as `Cache-Control: no-cache`, as browsers do) and, "if the EventSource
   * object's last event ID string is not the empty string", `Last-Event-ID`. The user's own Accept and
   * Cache-Control win: an inspector may need to send something else.
   */
  requestHeaders(withBody: boolean, forWire = true): Headers {
    const out: Headers = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
    const lower = new Map<string, string>([
      ['accept', 'Accept'],
      ['cache-control', 'Cache-Control'],
    ]);
    for (const [name, value] of Object.entries(this.options.headers ?? {})) {
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
    if (withBody && !lower.has('content-type') && this.options.body !== undefined) {
      out['Content-Type'] = looksLikeJson(this.options.body) ? 'application/json' : 'text/plain;charset=UTF-8';
    }
    if (this.lastEventId) {
      const existing = lower.get('last-event-id');
      if (existing !== undefined) {
        delete out[existing];
      }
      // "set `Last-Event-ID` to last event ID string, encoded as UTF-8": Node takes header values as
      // Latin-1 strings, so on the wire the UTF-8 bytes are passed one char per byte.
      out['Last-Event-ID'] = forWire ? Buffer.from(this.lastEventId, 'utf8').toString('latin1') : this.lastEventId;
    }
    return out;
  }

  start(sink: TransportSink, _attempt: number): TransportAttempt {
    this.current?.abort();
    const attempt = new SseAttempt(this, sink);
    this.current = attempt;
    attempt.begin();
    return attempt;
  }

  details(): SseDetails {
    const r = this.redactor;
    return {
      lastEventId: this.lastEventId,
      retryMs: this.retryMs,
      request: this.lastRequest && { ...this.lastRequest, url: r.url(this.lastRequest.url), headers: r.headers(this.lastRequest.headers) },
      response: this.lastResponse && { ...this.lastResponse, headers: r.headers(this.lastResponse.headers) },
    };
  }

  /** `attempt` is over: it is no longer the current one. */
  attemptOver(attempt: SseAttempt): void {
    if (this.current === attempt) {
      this.current = undefined;
    }
  }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true;
      this.current?.abort();
      this.current = undefined;
    }
  }
}

/** The shortest reconnection time a server's `retry:` can set. */
export const MIN_RECONNECT_MS = 100;
/**
 * The longest reconnection time a server's `retry:` can set: 2^31-1 ms (about 24.8 days), the
 * longest delay one timer holds. A longer value (up to `retry:` with hundreds of digits, which
 * parses to Infinity) is recorded as this, marked `clamped`.
 */
export const MAX_RECONNECT_MS = 2_147_483_647;
/** Header values Node refuses (it throws ERR_INVALID_CHAR); a Last-Event-ID with these cannot be sent. */
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/** One request and, if it succeeds, its event stream. */
class SseAttempt implements TransportAttempt {
  private req: http.ClientRequest | undefined;
  private res: http.IncomingMessage | undefined;
  private agent: http.Agent | undefined;
  /** Bounds the wait for the response's head. */
  private readonly responseTimer = new MutableDisposable();
  private parser: EventSourceParser | undefined;
  private decoder: TextDecoder | undefined;
  /**
   * The decoder has made text once (so it has decided on the leading BOM) and holds no part of a
   * character: an ASCII chunk can then be read as it is, without it.
   */
  private decoderIdle = false;
  /** Every byte of this response so far was ASCII: a string's UTF-8 length is its length. */
  private allAscii = true;
  private inflater: BodyDecoder | undefined;
  private over = false;
  private paused = false;
  private sawEvent = false;
  /** The previous text ended in CR (completed to CRLF): a leading LF of the next one is that CR's own LF. */
  private pendingCr = false;
  private unknownFields: Set<string> | undefined;
  private flooredRetry = false;
  private clampedRetry = false;
  /** Events the parser has dispatched on this connection. */
  private events = 0;
  private readonly idBlocks = new IdOnlyBlocks();
  private readonly visited = new Set<string>();
  private redirects = 0;
  /** A redirect left the origin the credentials were given for: from then on they are not sent. */
  private crossOrigin = false;
  /** The proxy answered CONNECT with something other than 200: the response is the proxy's. */
  private proxyRefused = false;

  constructor(
    private readonly driver: SseDriver,
    private readonly sink: TransportSink,
  ) {}

  begin(): void {
    const o = this.driver.options;
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      this.end({ error: { code: 'ERR_INVALID_URL', message: `Invalid URL: ${this.driver.redactor.url(o.url)}` }, retry: false });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      this.end({ error: { code: 'ERR_INVALID_URL', message: `SSE needs an http:// or https:// URL, not ${url.protocol}` }, retry: false });
      return;
    }
    if (this.driver.lastEventId && INVALID_HEADER_CHAR.test(Buffer.from(this.driver.lastEventId, 'utf8').toString('latin1'))) {
      this.sink.record({ kind: 'info', message: 'Last-Event-ID not sent: the ID holds characters an HTTP header cannot carry' });
    }
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength);
    this.request(url, this.driver.method, body);
  }

  private request(url: URL, method: string, body: Buffer | undefined): void {
    const o = this.driver.options;
    this.visited.add(`${method} ${url.href}`);
    const headers = this.driver.requestHeaders(body !== undefined);
    const lastId = headers['Last-Event-ID'];
    if (lastId !== undefined && INVALID_HEADER_CHAR.test(lastId)) {
      delete headers['Last-Event-ID'];
    }
    if (body !== undefined) {
      headers['Content-Length'] = String(body.length);
    }
    const sent = this.crossOrigin ? withoutCredentials(headers).headers : headers;
    this.driver.lastRequest = { method, url: url.href, headers: sent };
    this.agent?.destroy();
    this.agent = agentFor(url, o);
    const secure = url.protocol === 'https:';
    const reqOptions: https.RequestOptions = {
      method,
      headers: sent,
      // A fresh agent per request (no keep-alive pool): a stream owns its socket, and nothing idles after it.
      agent: this.agent ?? false,
      ...(secure ? tlsOptionsFor(o.tls) : {}),
    };
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(url, reqOptions);
    } catch (err) {
      // Invalid header names or values from the user: nothing was sent.
      this.end({ error: { code: 'ERR_INTERNAL', message: `Cannot send the request: ${(err as Error).message}` }, retry: false });
      return;
    }
    this.req = req;
    const timeoutMs = o.timeoutMs ?? DEFAULTS.timeoutMs;
    this.responseTimer.value = disposableTimeout(() => {
      this.end({
        error: { code: 'ERR_TIMEOUT', message: `No response from ${url.host} within ${timeoutMs} ms` },
        retry: true,
      });
    }, timeoutMs);
    req.on('error', (err) => this.networkError(err, url));
    req.on('response', (res) => this.response(res, url, method, body));
    // A 101 to a request that asked for no upgrade: Node hands the socket over here, and without this
    // listener it drops it silently, leaving the attempt to wait out the timeout.
    req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket) => {
      socket.destroy();
      if (this.over) {
        return;
      }
      const headers = headersOf(res.headers);
      const to = headers.upgrade ? ` to ${headers.upgrade}` : '';
      const r = this.driver.redactor;
      this.driver.lastResponse = { status: res.statusCode ?? 101, statusText: res.statusMessage ?? '', headers };
      this.end({
        error: {
          code: 'ERR_PROTOCOL',
          message: `The server switched protocols${to} (HTTP ${res.statusCode ?? 101}${res.statusMessage ? ' ' + res.statusMessage : ''}) instead of answering with an event stream: this is not an SSE endpoint${/websocket/i.test(to) ? ' (a WebSocket one? use ws:// or --ws)' : ''}`,
          status: res.statusCode ?? 101,
          statusText: res.statusMessage ?? '',
          headers: r.headers(headers),
        },
        retry: false,
      });
    });
    // https-proxy-agent replays a refused CONNECT's response as if it were the server's: remember
    // that it came from the proxy, so the error says so.
    req.once('proxyConnect', (connect: { statusCode?: number }) => {
      this.proxyRefused = connect.statusCode !== 200;
    });
    req.end(body);
  }

  private response(res: http.IncomingMessage, url: URL, method: string, body: Buffer | undefined): void {
    if (this.over) {
      res.destroy();
      return;
    }
    this.res = res;
    const status = res.statusCode ?? 0;
    const statusText = res.statusMessage ?? '';
    const headers = headersOf(res.headers);
    const r = this.driver.redactor;

    if (REDIRECT_STATUSES.has(status) && headers.location !== undefined) {
      const target = redirectTarget(url, headers.location, 'sse');
      if (typeof target === 'string') {
        this.end({ error: { code: 'ERR_REDIRECT', message: r.text(target), status, statusText, headers: r.headers(headers) }, retry: false });
        return;
      }
      this.redirects++;
      const max = this.driver.options.maxRedirects ?? DEFAULTS.maxRedirects;
      if (this.redirects > max) {
        this.end({ error: { code: 'ERR_REDIRECT', message: `Too many redirects (more than ${max})`, status, statusText, headers: r.headers(headers) }, retry: false });
        return;
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
        this.end({
          error: { code: 'ERR_REDIRECT', message: `Redirect loop: ${r.url(url.href)} → ${r.url(target.href)} was already requested`, status, statusText, headers: r.headers(headers) },
          retry: false,
        });
        return;
      }
      // One rule for both transports (credentials.ts): no downgrade from TLS unless allowed, and the
      // credentials stay with the origin they were given for.
      const rule = redirectRule(url, target, this.driver.options.allowDowngrade);
      if (rule.refused) {
        this.end({ error: { code: 'ERR_REDIRECT', message: `${rule.refused}: ${r.url(url.href)} → ${r.url(target.href)}`, status, statusText, headers: r.headers(headers) }, retry: false });
        return;
      }
      const dropped = !this.crossOrigin && rule.dropCredentials ? withoutCredentials(this.driver.requestHeaders(nextBody !== undefined)).dropped : [];
      this.crossOrigin ||= rule.dropCredentials;
      if (this.crossOrigin) {
        target.username = '';
        target.password = '';
      }
      this.sink.record({
        kind: 'info',
        message:
          `Redirect ${status} ${statusText} → ${r.url(target.href)}` +
          (nextMethod !== method ? ` (now ${nextMethod}, without the body)` : '') +
          (rule.downgrade ? ' (leaves TLS: allowed by allowDowngrade)' : '') +
          (dropped.length ? ` (another origin: ${dropped.join(', ')} not sent)` : ''),
      });
      discard(this.req, res);
      this.res = undefined;
      this.req = undefined;
      this.request(target, nextMethod, nextBody);
      return;
    }

    this.responseTimer.clear();
    if (status === 204) {
      // "a client can be told to stop reconnecting using the HTTP 204 No Content response code."
      res.resume();
      this.driver.lastResponse = { status, statusText, headers };
      this.end({ close: { clean: true, reason: 'HTTP 204 No Content: the server asked not to reconnect' }, retry: false });
      return;
    }
    if (this.proxyRefused) {
      this.failWithBody(res, { code: 'ERR_PROXY', message: proxyRefusalMessage(url.host, status, statusText) }, status, statusText, headers);
      return;
    }
    if (status < 200 || status > 299) {
      // The spec's "fail the connection" for any status but 200; we accept every 2xx.
      this.failWithBody(res, { code: 'ERR_HTTP_STATUS', message: `HTTP ${status}${statusText ? ' ' + statusText : ''}` }, status, statusText, headers);
      return;
    }
    const type = headers['content-type'];
    const essence = (type ?? '').split(';')[0].trim().toLowerCase();
    if (essence !== 'text/event-stream') {
      // "if res's Content-Type is not `text/event-stream`, then fail the connection."
      this.failWithBody(
        res,
        {
          code: 'ERR_CONTENT_TYPE',
          message: type ? `Expected Content-Type text/event-stream, got ${type}` : 'Expected Content-Type text/event-stream, the response has none',
        },
        status,
        statusText,
        headers,
      );
      return;
    }
    this.open(res, url, status, statusText, headers);
  }

  private failWithBody(
    res: http.IncomingMessage,
    error: { code: 'ERR_HTTP_STATUS' | 'ERR_CONTENT_TYPE' | 'ERR_PROXY'; message: string },
    status: number,
    statusText: string,
    headers: Headers,
  ): void {
    const r = this.driver.redactor;
    this.driver.lastResponse = { status, statusText, headers };
    const limit = this.driver.options.errorBodyLimit ?? DEFAULTS.errorBodyLimit;
    void readBodyCapped(res, limit).then(({ body, truncated }) => {
      this.end({
        error: {
          ...error,
          status,
          statusText,
          headers: r.headers(headers),
          body: r.text(body),
          ...(truncated ? { bodyTruncated: true } : {}),
        },
        retry: false,
      });
    });
  }

  private open(res: http.IncomingMessage, url: URL, status: number, statusText: string, headers: Headers): void {
    this.driver.lastResponse = { status, statusText, headers };
    // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any." A streaming
    // TextDecoder does exactly that, once per stream, and replaces invalid sequences with U+FFFD as
    // the Encoding standard says, also when a character is split across chunks.
    this.decoder = new TextDecoder('utf-8');
    this.decoderIdle = false;
    this.allAscii = true;
    this.parser = createParser({
      onEvent: (e) => this.onEvent(e),
      onRetry: (ms) => this.onRetry(ms),
      onComment: (text) => this.onComment(text),
      onError: (err) => this.onParseError(err),
      maxBufferSize: this.driver.options.maxEventSize ?? DEFAULTS.maxEventSize,
    });
    // The parser strips a BOM it sees as the three Latin-1 chars U+00EF U+00BB U+00BF at the very start
    // (for callers that decode as Latin-1). Our text is already decoded, so such chars are content:
    // an empty first feed turns that heuristic off.
    this.parser.feed('');
    const ended = () => {
      // "Once the end of the file is reached, any pending data must be discarded. (If the file ends in
      // the middle of an event, before the final empty line, the incomplete event is not dispatched.)"
      // and "When a user agent is to reestablish the connection …": the server closing is a reconnect.
      this.end({ close: { clean: true, reason: 'The server ended the stream' }, retry: true, serverEnded: true });
    };
    const codings = codingsOf(headers['content-encoding']);
    if (codings.length === 0) {
      res.on('data', (chunk: Buffer) => this.onData(chunk));
      res.on('end', ended);
    } else {
      // We never ask for compression, but a user may send Accept-Encoding (headers copied from a
      // browser): decode as a browser would, each flushed block as it comes.
      const unsupported = unsupportedCoding(codings);
      if (unsupported) {
        this.failWithBody(res, { code: 'ERR_CONTENT_TYPE', message: unsupported }, status, statusText, headers);
        return;
      }
      const decoder = createBodyDecoder(
        codings,
        (chunk) => this.onDecoded(chunk),
        ended,
        (coding, err) => this.end({ error: { code: 'ERR_PROTOCOL', message: `Cannot decode the ${coding} stream: ${err.message}` }, retry: false }),
      );
      this.inflater = decoder;
      res.on('data', (chunk: Buffer) => {
        if (!this.over) {
          this.countBytes(chunk);
          decoder.write(chunk);
        }
      });
      res.on('end', () => decoder.end());
    }
    res.on('error', (err) => this.networkError(err, url));
    res.on('close', () => {
      if (!this.over && !res.complete) {
        this.networkError(Object.assign(new Error('The stream was cut off'), { code: 'ECONNRESET' }), url);
      }
    });
    if (this.paused) {
      res.pause();
    }
    this.sink.opened({ url: url.href, status, statusText, headers });
  }

  private onData(chunk: Buffer): void {
    if (this.over) {
      return;
    }
    this.countBytes(chunk);
    this.onDecoded(chunk);
  }

  private countBytes(chunk: Buffer): void {
    this.sink.bytesIn(chunk.length);
    this.sink.rawChunk(chunk);
  }

  /** Bytes of the event stream itself (after any Content-Encoding). */
  private onDecoded(chunk: Buffer): void {
    if (this.over) {
      return;
    }
    // Most streams are ASCII (JSON escapes the rest). An ASCII chunk read as Latin-1 is the same text
    // as decoded, made in one copy and one byte a character (the decoder makes two: it goes through
    // UTF-16), which everything after it reads faster.
    const ascii = isAscii(chunk);
    let text: string;
    if (ascii && this.decoderIdle) {
      text = chunk.toString('latin1');
    } else {
      text = this.decoder!.decode(chunk, { stream: true });
      if (!ascii) {
        this.allAscii = false;
      }
      // Ending in an ASCII byte, the chunk left no part of a character behind.
      this.decoderIdle = text.length > 0 && chunk[chunk.length - 1] < 0x80;
    }
    if (text.length === 0) {
      return;
    }
    // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
    // pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR)
    // character." The parser holds a chunk-final CR until it sees whether LF follows, which delays
    // the last event of a CR-only stream until more bytes come. A final CR ends a line either way, so
    // it is completed to CRLF now, and a next chunk's leading LF (that CR's own LF) is dropped.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) {
        text = text.slice(1);
      }
    }
    if (text.charCodeAt(text.length - 1) === 13) {
      this.pendingCr = true;
      text += '\n';
    }
    this.idBlocks.scan(text);
    try {
      this.parser!.feed(text);
      if (this.idBlocks.pending && !this.over) {
        this.applyIdBlocks();
      }
    } catch (err) {
      // Only after the parser terminated on its buffer limit, which already ended the attempt.
      if (!this.over) {
        this.end({ error: { code: 'ERR_INTERNAL', message: (err as Error).message }, retry: false });
      }
    }
  }

  private onEvent(e: EventSourceMessage): void {
    if (this.over) {
      return;
    }
    const driver = this.driver;
    if (this.idBlocks.pending) {
      this.applyIdBlocks();
    }
    this.events++;
    // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field
    // value. Otherwise, ignore the field." (the parser drops such ids) — and the buffer "does not get
    // reset", so an event without an id keeps the previous one; an empty id resets it.
    const id = e.id;
    if (id !== undefined) {
      driver.lastEventId = id;
    }
    const data = e.data;
    // "Initialize event's type attribute to "message"…  If the event type buffer has a value other
    // than the empty string, change the type of the newly created event to equal the value".
    const event = e.event || 'message';
    // `seq` and `time` are stamped by the connection; declared here, every event's record keeps one
    // object shape with in-object fields (no property store grown per event, cheaper to serialise).
    if (id === undefined) {
      this.sink.record({ kind: 'message', dir: 'in', format: 'text', event, data, lastEventId: driver.lastEventId, size: this.allAscii ? data.length : utf8Length(data), seq: 0, time: '' } as RecordInit);
    } else {
      this.sink.record({ kind: 'message', dir: 'in', format: 'text', event, data, id, lastEventId: driver.lastEventId, size: this.allAscii ? data.length : utf8Length(data), seq: 0, time: '' } as RecordInit);
    }
    if (!this.sawEvent) {
      this.sawEvent = true;
      this.sink.healthy();
    }
  }

  /** Id-only blocks that came before the next event (or the end of the chunk) set the last event ID now. */
  private applyIdBlocks(): void {
    const id = this.idBlocks.take(this.events);
    if (id !== undefined) {
      this.driver.lastEventId = id;
    }
  }

  private onRetry(ms: number): void {
    if (this.over) {
      return;
    }
    // "If the field value consists of only ASCII digits, then interpret the field value as an integer
    // in base ten, and set the event stream's reconnection time to that integer."
    if (!(ms <= MAX_RECONNECT_MS)) {
      this.driver.retryMs = MAX_RECONNECT_MS;
      this.sink.record({ kind: 'retry', ms: MAX_RECONNECT_MS, clamped: true });
      if (!this.clampedRetry) {
        this.clampedRetry = true;
        this.sink.record({
          kind: 'info',
          message: `retry: ${ms < 1e21 ? ms : 'a value of more than 21 digits'} is above the ${MAX_RECONNECT_MS} ms maximum (about 24.8 days): reconnecting after ${MAX_RECONNECT_MS} ms`,
        });
      }
      this.sink.setReconnectDelay(MAX_RECONNECT_MS);
      return;
    }
    this.driver.retryMs = ms;
    this.sink.record({ kind: 'retry', ms });
    // "Optionally, wait some more": a floor keeps `retry: 0` from a server that closes at once from
    // turning into a reconnect loop at full speed. The reconnection time is the least every reconnect
    // waits (the policy's backoff and jitter only add to it).
    if (ms < MIN_RECONNECT_MS && !this.flooredRetry) {
      this.flooredRetry = true;
      this.sink.record({ kind: 'info', message: `retry: ${ms} is below ${MIN_RECONNECT_MS} ms: reconnecting no sooner than ${MIN_RECONNECT_MS} ms` });
    }
    this.sink.setReconnectDelay(Math.max(ms, MIN_RECONNECT_MS));
  }

  private onComment(text: string): void {
    if (!this.over) {
      // "If the line starts with a U+003A COLON character (:) — Ignore the line." The browser does;
      // an inspector shows it: heartbeats are what keeps proxies from closing the stream.
      this.sink.record({ kind: 'comment', text });
    }
  }

  private onParseError(err: ParseError): void {
    if (this.over) {
      return;
    }
    switch (err.type) {
      case 'max-buffer-size-exceeded': {
        const max = this.driver.options.maxEventSize ?? DEFAULTS.maxEventSize;
        this.end({
          error: {
            code: 'ERR_BUFFER_LIMIT',
            message: `A line or event grew past ${max} characters without ending (maxEventSize): the connection was closed to keep memory bounded`,
          },
          retry: false,
        });
        return;
      }
      case 'invalid-retry':
        // "Otherwise, ignore the field." Said once per value, so the user knows why it had no effect.
        this.sink.record({ kind: 'info', message: `Ignored retry: "${clip(err.value ?? '')}" (only ASCII digits are a reconnection time)` });
        return;
      case 'unknown-field': {
        // "Otherwise — The field is ignored." Named once per field and connection.
        const field = err.field ?? '';
        this.unknownFields ??= new Set();
        if (this.unknownFields.size < 16 && !this.unknownFields.has(field)) {
          this.unknownFields.add(field);
          this.sink.record({ kind: 'info', message: `Ignored unknown field "${clip(field)}"` });
        }
        return;
      }
    }
  }

  private networkError(err: unknown, url: URL): void {
    if (this.over) {
      return;
    }
    const proxy = proxyFor(url, this.driver.options.proxy);
    const described = (proxy && !this.res ? proxyNetworkError(err, proxy, this.driver.redactor.url(proxy)) : undefined) ?? describeNetworkError(err, url);
    // A certificate the client refuses will be refused again: retrying only hides the reason.
    this.end({ error: { code: described.code, message: this.driver.redactor.text(described.message) }, retry: described.code !== 'ERR_TLS' });
  }

  pause(): void {
    this.paused = true;
    this.res?.pause();
  }

  resume(): void {
    this.paused = false;
    this.res?.resume();
  }

  close(): void {
    // SSE has no closing handshake: hanging up is the close.
    this.end({ close: { clean: true, reason: 'Closed by the client' }, retry: false });
  }

  abort(): void {
    this.teardown();
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
    this.responseTimer.dispose();
    this.parser = undefined;
    this.decoder = undefined;
    this.inflater?.destroy();
    this.inflater = undefined;
    const res = this.res;
    const req = this.req;
    this.res = undefined;
    this.req = undefined;
    discard(req, res);
    this.agent?.destroy();
    this.agent = undefined;
    this.driver.attemptOver(this);
  }

}

/**
 * The spec's dispatch step 1 — "Set the last event ID string of the event source to the value of the
 * last event ID buffer" — comes before step 2 — "If the data buffer is an empty string, … return" —
 * so a block with an `id` and no `data` (`id: 7` + blank line) moves the last event ID without an
 * event. eventsource-parser reports nothing for such a block. This scans the same text for them:
 * line starts only, the way the parser classifies lines ("data" / "id" fields, blank lines), and
 * remembers after how many dispatched events each one came.
 */
export class IdOnlyBlocks {
  /** The unfinished last line of the previous text: whole when it may be an `id` line, else its first 8 chars. */
  private carry = '';
  /** Full length of that unfinished line. */
  private carryLen = 0;
  private hasData = false;
  private id: string | undefined;
  private dispatched = 0;
  private readonly updates: { at: number; id: string }[] = [];

  get pending(): boolean {
    return this.updates.length > 0;
  }

  /** The id of the latest id-only block that came after at most `events` events, if any (and forgets them). */
  take(events: number): string | undefined {
    let id: string | undefined;
    let n = 0;
    while (n < this.updates.length && this.updates[n].at <= events) {
      id = this.updates[n].id;
      n++;
    }
    if (n > 0) {
      this.updates.splice(0, n);
    }
    return id;
  }

  /** `text` never ends in a lone CR (the caller completes it to CRLF). Hot path: locals and char codes only. */
  scan(text: string): void {
    const noCr = text.indexOf('\r') === -1;
    // Without a NUL in the text every id is valid, and the value of an `id` line is cut from the text
    // only if its block turns out to be id-only: [idFrom, idTo) stands for it meanwhile.
    const noNul = text.indexOf('\0') === -1;
    let hasData = this.hasData;
    let id = this.id;
    let idFrom = -1;
    let idTo = -1;
    let start = 0;
    for (;;) {
      let end: number;
      let next: number;
      if (noCr) {
        end = text.indexOf('\n', start);
        next = end + 1;
      } else {
        const lf = text.indexOf('\n', start);
        const cr = text.indexOf('\r', start);
        if (cr !== -1 && (lf === -1 || cr < lf)) {
          end = cr;
          next = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
        } else {
          end = lf;
          next = lf + 1;
        }
      }
      if (end === -1) {
        this.keep(text, start);
        break;
      }
      if (this.carryLen > 0) {
        // The first line began in the previous text.
        const idLike = isIdLike(this.carry);
        const line = idLike ? this.carry + text.slice(start, end) : (this.carry + text.slice(start, Math.min(end, start + 8))).slice(0, 8);
        const fullLen = this.carryLen + end - start;
        this.carry = '';
        this.carryLen = 0;
        if (fullLen === 4 ? line === 'data' : line.startsWith('data:')) {
          hasData = true;
        } else if (idLike && (line === 'id' || line.startsWith('id:'))) {
          idFrom = -1;
          const value = line.slice(line.charCodeAt(3) === 32 ? 4 : 3);
          if (!value.includes('\0')) {
            id = value;
          }
        }
      } else if (end === start) {
        // A blank line: the parser dispatches the block if it had data.
        if (hasData) {
          this.dispatched++;
        } else if (idFrom >= 0) {
          this.updates.push({ at: this.dispatched, id: text.slice(idFrom, idTo) });
        } else if (id !== undefined) {
          this.updates.push({ at: this.dispatched, id });
        }
        hasData = false;
        id = undefined;
        idFrom = -1;
      } else {
        const c = text.charCodeAt(start);
        if (c === 100 /* d */) {
          if (
            text.charCodeAt(start + 1) === 97 &&
            text.charCodeAt(start + 2) === 116 &&
            text.charCodeAt(start + 3) === 97 &&
            (end === start + 4 || text.charCodeAt(start + 4) === 58)
          ) {
            hasData = true;
          }
        } else if (c === 105 /* i */ && text.charCodeAt(start + 1) === 100) {
          if (end === start + 2) {
            id = '';
            idFrom = -1;
          } else if (text.charCodeAt(start + 2) === 58) {
            const from = text.charCodeAt(start + 3) === 32 ? start + 4 : start + 3;
            if (noNul) {
              idFrom = from;
              idTo = end;
            } else {
              const value = text.slice(from, end);
              if (value.indexOf('\0') === -1) {
                id = value;
                idFrom = -1;
              }
            }
          }
        }
      }
      start = next;
    }
    this.hasData = hasData;
    this.id = idFrom >= 0 ? text.slice(idFrom, idTo) : id;
  }

  /** Remembers the unfinished last line: all of it when it may be an `id` line, else its start (bounded). */
  private keep(text: string, start: number): void {
    if (start >= text.length) {
      return;
    }
    const head = this.carry + text.slice(start, start + 8);
    this.carry = isIdLike(head) ? this.carry + text.slice(start) : head.slice(0, 8);
    this.carryLen += text.length - start;
  }
}

function isIdLike(s: string): boolean {
  return s.charCodeAt(0) === 105 && (s.length < 2 || s.charCodeAt(1) === 100);
}

function noop(): void {
  // intentionally empty
}

/**
 * Destroys a request and its response. Our response handlers check `over`, and the response keeps
 * its other listeners so a pending `readBodyCapped` hears the close and clears its timer.
 */
function discard(req: http.ClientRequest | undefined, res: http.IncomingMessage | undefined): void {
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

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function looksLikeJson(body: string | Uint8Array): boolean {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') {
    return false;
  }
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
