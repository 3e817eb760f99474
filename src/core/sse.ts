// Over 400 lines: the driver and its one attempt share the stream state (the request, body decoding and fields are split out).
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
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { withoutCredentials } from './credentials';
import { type BodyDecoder, codingsOf, unsupportedCoding } from './decode';
import { disposableTimeout, MutableDisposable } from './lifecycle';
import {
  agentFor,
  describeNetworkError,
  headersOf,
  proxyFor,
  proxyNetworkError,
  proxyRefusalMessage,
  readBodyCapped,
  REDIRECT_STATUSES,
  tlsOptionsFor,
} from './net';
import { type ConnectionOptions, DEFAULTS } from './options';
import { type Redactor } from './redactor';
import type { Headers, SseDetails, SseRequestInfo, SseResponseInfo } from './records';
import { readBody } from './sseBody';
import { EventStreamReader, type EventStreamState } from './sseFields';
import { discard, INVALID_HEADER_CHAR, requestBody, SseRedirects, sseRequestHeaders, switchedProtocols } from './sseRequest';
import type { DriverFactory, EndInfo, SseTransportDriver, TransportAttempt, TransportSink } from './transport';

export { MAX_RECONNECT_MS, MIN_RECONNECT_MS } from './sseFields';

/**
 * Records one attempt reports in one turn of the event loop before it stops reading until the next.
 * libuv reads a ready socket up to 32 times (64 KiB each) in one go, so a fast server behind a full
 * receive buffer would otherwise hand ~2 MiB of events (>100,000 records) to one turn and stall the
 * host; pausing the response stops the reads at the next chunk, and the next turn resumes them.
 */
export const SSE_TURN_BUDGET = 16_384;

export const createSseDriver: DriverFactory = (options, redactor) => new SseDriver(options, redactor);

/** What persists across attempts: the last event ID and the reconnection time, as the spec keeps them on the EventSource. */
class SseDriver implements SseTransportDriver, EventStreamState {
  readonly kind = 'sse' as const;
  /** "the last event ID string": persists across events and reconnects; '' means none. */
  lastEventId: string;
  /** The server's `retry:` in force, if it sent one. */
  retryMs: number | undefined;
  lastRequest: SseRequestInfo | undefined;
  lastResponse: SseResponseInfo | undefined;
  /** The attempt in progress, if any: one at a time. */
  private current: SseAttempt | undefined;

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

  /** The request's headers (sseRequest.ts), with the last event ID in force. */
  requestHeaders(withBody: boolean, forWire = true): Headers {
    return sseRequestHeaders(this.options, this.lastEventId, withBody, forWire);
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
    this.current?.abort();
    this.current = undefined;
  }
}

/** One request and, if it succeeds, its event stream. */
class SseAttempt implements TransportAttempt {
  private req: http.ClientRequest | undefined;
  private res: http.IncomingMessage | undefined;
  private agent: http.Agent | undefined;
  /** Bounds the wait for the response's head. */
  private readonly responseTimer = new MutableDisposable();
  /** The open stream's fields, once the response is an event stream. */
  private reader: EventStreamReader | undefined;
  private inflater: BodyDecoder | undefined;
  private over = false;
  /** Paused by the user (`pause()`): only `resume()` reads on. */
  private paused = false;
  /** Paused for the rest of this turn (the turn's budget is spent); the next turn reads on. */
  private yielding = false;
  /** `reader.reported` when this turn's first chunk came; undefined until data comes in a turn. */
  private turnStart: number | undefined;
  private turnEnd: NodeJS.Immediate | undefined;
  private readonly redirects: SseRedirects;
  /** The proxy answered CONNECT with something other than 200: the response is the proxy's. */
  private proxyRefused = false;

  constructor(
    private readonly driver: SseDriver,
    private readonly sink: TransportSink,
  ) {
    this.redirects = new SseRedirects(driver.options, driver.redactor, (withBody) => driver.requestHeaders(withBody));
  }

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
    this.request(url, this.driver.method, requestBody(o));
  }

  private request(url: URL, method: string, body: Buffer | undefined): void {
    const o = this.driver.options;
    this.redirects.requested(method, url);
    const headers = this.driver.requestHeaders(body !== undefined);
    const lastId = headers['Last-Event-ID'];
    if (lastId !== undefined && INVALID_HEADER_CHAR.test(lastId)) {
      delete headers['Last-Event-ID'];
    }
    if (body !== undefined) {
      headers['Content-Length'] = String(body.length);
    }
    const sent = this.redirects.crossOrigin ? withoutCredentials(headers).headers : headers;
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
      this.driver.lastResponse = { status: res.statusCode ?? 101, statusText: res.statusMessage ?? '', headers };
      this.end({ error: switchedProtocols(res, headers, this.driver.redactor), retry: false });
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

    if (REDIRECT_STATUSES.has(status) && headers.location !== undefined) {
      const hop = this.redirects.follow(url, method, body, { status, statusText, headers });
      if ('error' in hop) {
        this.end({ error: hop.error, retry: false });
        return;
      }
      this.sink.record({ kind: 'info', message: hop.message });
      discard(this.req, res);
      this.res = undefined;
      this.req = undefined;
      this.request(hop.target, hop.method, hop.body);
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
      this.failWithBody(
        res,
        { code: 'ERR_PROXY', message: proxyRefusalMessage(url.host, status, statusText) },
        status,
        statusText,
        headers,
      );
      return;
    }
    if (status < 200 || status > 299) {
      // The spec's "fail the connection" for any status but 200; we accept every 2xx.
      this.failWithBody(
        res,
        { code: 'ERR_HTTP_STATUS', message: `HTTP ${status}${statusText ? ' ' + statusText : ''}` },
        status,
        statusText,
        headers,
      );
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
          message: type
            ? `Expected Content-Type text/event-stream, got ${type}`
            : 'Expected Content-Type text/event-stream, the response has none',
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
    const codings = codingsOf(headers['content-encoding']);
    const unsupported = codings.length === 0 ? undefined : unsupportedCoding(codings);
    if (unsupported) {
      this.failWithBody(res, { code: 'ERR_CONTENT_TYPE', message: unsupported }, status, statusText, headers);
      return;
    }
    const reader = new EventStreamReader(this.sink, this.driver, this.driver.options.maxEventSize ?? DEFAULTS.maxEventSize, (info) =>
      this.end(info),
    );
    this.reader = reader;
    this.inflater = readBody(res, codings, {
      received: (chunk) => {
        this.sink.bytesIn(chunk.length);
        this.sink.rawChunk(chunk);
      },
      decoded: (chunk) => {
        this.turnStart ??= this.startTurn(reader.reported);
        reader.feed(chunk);
        if (!this.yielding && !this.over && reader.reported - this.turnStart >= SSE_TURN_BUDGET) {
          this.yielding = true;
          res.pause();
        }
      },
      // "Once the end of the file is reached, any pending data must be discarded. (If the file ends in
      // the middle of an event, before the final empty line, the incomplete event is not dispatched.)"
      // and "When a user agent is to reestablish the connection …": the server closing is a reconnect.
      ended: () => this.end({ close: { clean: true, reason: 'The server ended the stream' }, retry: true, serverEnded: true }),
      undecodable: (coding, err) =>
        this.end({ error: { code: 'ERR_PROTOCOL', message: `Cannot decode the ${coding} stream: ${err.message}` }, retry: false }),
      isOver: () => this.over,
    });
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

  /** Marks the start of a turn in which data came; at its end, the budget is new and a yield is over. */
  private startTurn(reported: number): number {
    this.turnEnd = setImmediate(() => {
      this.turnEnd = undefined;
      this.turnStart = undefined;
      if (this.yielding) {
        this.yielding = false;
        if (!this.paused && !this.over) {
          this.res?.resume();
        }
      }
    });
    return reported;
  }

  private networkError(err: unknown, url: URL): void {
    if (this.over) {
      return;
    }
    const proxy = proxyFor(url, this.driver.options.proxy);
    const described =
      (proxy && !this.res ? proxyNetworkError(err, proxy, this.driver.redactor.url(proxy)) : undefined) ?? describeNetworkError(err, url);
    // A certificate the client refuses will be refused again: retrying only hides the reason.
    this.end({
      error: { code: described.code, message: this.driver.redactor.text(described.message) },
      retry: described.code !== 'ERR_TLS',
    });
  }

  pause(): void {
    this.paused = true;
    this.res?.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.yielding) {
      this.res?.resume();
    }
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
    if (this.turnEnd) {
      clearImmediate(this.turnEnd);
      this.turnEnd = undefined;
    }
    this.reader?.stop();
    this.reader = undefined;
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
