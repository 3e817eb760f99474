// Over 400 lines: one MCP session's exchanges share its state (session id, pending requests, open streams and their resumption); HTTP, event streams and auth are split out.
/* Over 400 lines: one MCP session's whole exchange (handshake, requests, answers as JSON or SSE, resumption, server requests, close) reads as one state machine. */
/**
 * An MCP client session over Streamable HTTP (spec 2025-11-25 "Transports"): every JSON-RPC message is
 * POSTed to one endpoint, answered as `application/json` or as a `text/event-stream`; an optional GET
 * stream carries the server's own messages; `Mcp-Session-Id` and `MCP-Protocol-Version` ride on every
 * request after `initialize`; a cut stream is resumed with `Last-Event-ID`; `DELETE` ends the session.
 * The older HTTP+SSE transport (2024-11-05: GET the SSE URL, an `endpoint` event, POSTs there, every
 * answer on the SSE stream) is used when the server speaks it, as the SDK's client falls back to it.
 *
 * Everything becomes records (the one record type): each HTTP exchange as `connecting`/`open` (or an
 * `error` in words), each JSON-RPC message both ways as a `message` record with `decoded` read by the
 * shared JSON-RPC reading (`../jsonRpc.ts`), and the session's steps as `mcp` records.
 */
import type * as http from 'node:http';
import { ContinuityTracker } from '../continuity';
import { type JsonRpcDecoded, type JsonRpcId, JsonRpcTracker, decodeJsonRpcText } from '../jsonRpc';
import { Disposable, Emitter, type Event, type IDisposable, disposableTimeout } from '../lifecycle';
import { DEFAULTS } from '../options';
import { RecordStamper } from '../recordStamp';
import { Redactor } from '../redactor';
import type { ConnRecord, ConnectionStats, Headers, McpRecord, MessageRecord, RecordInit } from '../records';
import { type EventStreamState, MIN_RECONNECT_MS } from '../sseFields';
import { describeUnauthorized, resourceMetadataUrl } from './auth';
import { readEventStream } from './eventStream';
import { type Exchange, ExchangeError, exchange, headersOf } from './http';
import { MCP_PROTOCOL_VERSIONS, McpError, type McpSessionOptions, type McpTransport } from './types';

export type McpState = 'idle' | 'initializing' | 'ready' | 'expired' | 'closed' | 'failed';

export type McpListKind = 'tools' | 'resources' | 'prompts';

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: McpError): void;
  onProgress?(params: unknown): void;
  timer: IDisposable;
}

/** Most pages of one list read before stopping (a server whose `nextCursor` never ends). */
const MAX_PAGES = 100;
/** Most bytes of an HTTP error's body kept. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** The reconnection time when the server set none. */
const DEFAULT_RESUME_MS = 1000;

export class McpSession extends Disposable {
  private readonly _onRecord = this._register(new Emitter<ConnRecord>());
  /** Every record, stamped and masked. */
  readonly onRecord: Event<ConnRecord> = this._onRecord.event;
  private readonly _onDidChange = this._register(new Emitter<void>());
  /** The state, the server's info or a list changed. */
  readonly onDidChange: Event<void> = this._onDidChange.event;

  private readonly stamper: RecordStamper;
  readonly redactor: Redactor;
  private readonly tracker = new JsonRpcTracker();
  private readonly pending = new Map<string, Pending>();
  /** A request's progressToken (as JSON) → the request's id. */
  private readonly progressTokens = new Map<string, JsonRpcId>();
  private readonly exchanges = new Set<Exchange>();
  /** Each stream's continuity (did a resumption lose or repeat events?), kept across its resumptions. */
  private readonly continuity = new WeakMap<EventStreamState, ContinuityTracker>();
  private readonly streams = new Set<{ stop(): void }>();
  private readonly url: URL;
  private readonly now: () => number;
  private nextId = 1;
  private endpoint: URL;
  private legacyReady: ((endpoint: URL) => void) | undefined;

  state: McpState = 'idle';
  transport: McpTransport | undefined;
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  serverInfo: Record<string, unknown> | undefined;
  capabilities: Record<string, unknown> | undefined;
  instructions: string | undefined;
  readonly lists: Partial<Record<McpListKind, unknown[]>> = {};

  constructor(private readonly options: McpSessionOptions) {
    super();
    this.url = new URL(options.url);
    this.endpoint = this.url;
    this.now = options.now ?? Date.now;
    this.stamper = new RecordStamper(this.now);
    this.redactor = Redactor.forOptions({ url: options.url, secrets: options.secrets });
    this._register({ dispose: () => this.stopAll('the session was disposed') });
  }

  /** Makes the next record's seq follow `seq` (a log that already holds records, as an editor session's does). */
  continueSeqAfter(seq: number): void {
    this.stamper.continueAfter(seq);
  }

  /** The records' counts (messages each way, bytes sent). */
  get stats(): Readonly<ConnectionStats> {
    return this.stamper.stats;
  }

  /** A note in the log. */
  note(message: string): void {
    this.emit({ kind: 'info', message });
  }

  private emit(init: RecordInit): ConnRecord {
    const record = this.redactor.record(this.stamper.stamp(init));
    if (record.kind === 'message' && record.dir === 'in') {
      // The stamper counts what was sent; what arrived is counted here, as a connection's sink does.
      this.stamper.stats.bytesIn += record.size;
    }
    this._onRecord.fire(record);
    return record;
  }

  private setState(state: McpState): void {
    if (this.state !== state) {
      this.state = state;
      this._onDidChange.fire();
    }
  }

  // ---- the handshake -------------------------------------------------------------------------

  /**
   * `initialize`, then `notifications/initialized`, then the GET stream when the server offers one.
   * Resolves with the `initialized` record; rejects with an {@link McpError} in words.
   */
  async initialize(): Promise<McpRecord> {
    this.stopAll('initializing again');
    this.sessionId = undefined;
    this.protocolVersion = undefined;
    this.tracker.clear();
    this.setState('initializing');
    const params = {
      protocolVersion: MCP_PROTOCOL_VERSIONS[0],
      capabilities: this.options.capabilities ?? {},
      clientInfo: this.options.clientInfo ?? { name: 'realtime-inspector', version: '0' },
    };
    let result: Record<string, unknown>;
    try {
      if (this.options.transport === 'sse') {
        await this.openLegacy();
      } else {
        this.transport = 'streamable-http';
      }
      try {
        result = (await this.request('initialize', params, { initializing: true })) as Record<string, unknown>;
      } catch (err) {
        if (!(err instanceof FallBack)) {
          throw err;
        }
        this.note(
          `${err.message}: trying the older HTTP+SSE transport (protocol 2024-11-05) with a GET of ${this.redactor.url(this.url.href)}`,
        );
        await this.openLegacy();
        result = (await this.request('initialize', params, { initializing: true })) as Record<string, unknown>;
      }
    } catch (err) {
      this.setState('failed');
      throw err;
    }
    const version = typeof result?.protocolVersion === 'string' ? result.protocolVersion : undefined;
    if (!version || !(MCP_PROTOCOL_VERSIONS as readonly string[]).includes(version)) {
      this.setState('failed');
      const message = version
        ? `The server chose protocol version ${version}, which this client does not speak (it speaks ${MCP_PROTOCOL_VERSIONS.join(', ')})`
        : 'The initialize result names no protocolVersion';
      this.emit({ kind: 'error', code: 'ERR_PROTOCOL', message, fatal: true, state: 'failed' });
      throw new McpError('protocol', message);
    }
    this.protocolVersion = version;
    this.serverInfo = asObject(result.serverInfo);
    this.capabilities = asObject(result.capabilities) ?? {};
    this.instructions = typeof result.instructions === 'string' ? result.instructions : undefined;
    const record = this.emit({
      kind: 'mcp',
      event: 'initialized',
      state: 'open',
      transport: this.transport,
      ...(this.sessionId !== undefined ? { sessionId: this.sessionId } : {}),
      protocolVersion: version,
      serverInfo: this.serverInfo ?? {},
      capabilities: this.capabilities,
      ...(this.instructions !== undefined ? { instructions: this.instructions } : {}),
    }) as McpRecord;
    this.setState('ready');
    await this.notify('notifications/initialized');
    if (this.transport === 'streamable-http' && this.options.getStream !== false) {
      this.openGetStream(undefined, 0);
    }
    return record;
  }

  // ---- requests ------------------------------------------------------------------------------

  /** A JSON-RPC request; resolves with its result, rejects with an {@link McpError} (a JSON-RPC error, HTTP, timeout). */
  request(
    method: string,
    params?: Record<string, unknown>,
    opts: { onProgress?: (params: unknown) => void; initializing?: boolean } = {},
  ): Promise<unknown> {
    if (!opts.initializing && this.state !== 'ready') {
      return Promise.reject(new McpError(this.state === 'expired' ? 'expired' : 'closed', this.notReadyWords()));
    }
    const id = this.nextId++;
    let body = params;
    if (opts.onProgress) {
      const token = `p${id}`;
      body = { ...params, _meta: { ...asObject(params?._meta), progressToken: token } };
      this.progressTokens.set(JSON.stringify(token), id);
    }
    const message = { jsonrpc: '2.0', id, method, ...(body !== undefined ? { params: body } : {}) };
    return new Promise<unknown>((resolve, reject) => {
      const key = JSON.stringify(id);
      const timeoutMs = this.options.requestTimeoutMs ?? 120_000;
      const timer = disposableTimeout(() => {
        if (this.pending.delete(key)) {
          const words = `No response to ${method} (id ${id}) after ${timeoutMs} ms: the request is cancelled`;
          this.emit({ kind: 'error', code: 'ERR_TIMEOUT', message: words, fatal: false });
          void this.notify('notifications/cancelled', { requestId: id, reason: 'timed out' }).catch(() => undefined);
          reject(new McpError('timeout', words));
        }
      }, timeoutMs);
      this.pending.set(key, {
        method,
        resolve,
        reject,
        onProgress: opts.onProgress,
        timer,
      });
      this.post(message, id).catch((err: unknown) => this.failPending(key, err));
    });
  }

  /** A JSON-RPC notification (no answer but the HTTP status). */
  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.post({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}) });
  }

  private failPending(key: string, err: unknown): void {
    const p = this.pending.get(key);
    if (p) {
      this.pending.delete(key);
      p.timer.dispose();
      p.reject(err instanceof McpError || err instanceof FallBack ? (err as McpError) : new McpError('protocol', String(err)));
    }
  }

  /** Every page of `tools/list`, `resources/list` or `prompts/list`, as one `mcp` record; undefined when the server offers none. */
  async list(kind: McpListKind): Promise<unknown[] | undefined> {
    if (this.capabilities && !(kind in this.capabilities)) {
      this.note(`The server offers no ${kind} (no "${kind}" capability): ${kind}/list not asked`);
      return undefined;
    }
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = asObject(await this.request(`${kind}/list`, cursor === undefined ? undefined : { cursor })) ?? {};
      const got = result[kind];
      if (Array.isArray(got)) {
        items.push(...(got as unknown[]));
      } else {
        this.emit({ kind: 'error', code: 'ERR_PROTOCOL', message: `The ${kind}/list result has no "${kind}" array`, fatal: false });
      }
      cursor = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
      if (cursor === undefined) {
        break;
      }
      if (page === MAX_PAGES - 1) {
        this.note(`${kind}/list: stopped after ${MAX_PAGES} pages (the server keeps giving a nextCursor)`);
      }
    }
    this.lists[kind] = items;
    this.emit({ kind: 'mcp', event: kind, items });
    this._onDidChange.fire();
    return items;
  }

  /** `tools/call`; the result (with `isError` when the tool failed) is also an `mcp` `result` record. */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    onProgress?: (params: unknown) => void,
  ): Promise<Record<string, unknown>> {
    const result =
      asObject(await this.request('tools/call', { name, arguments: args }, { onProgress: onProgress ?? (() => undefined) })) ?? {};
    this.emit({ kind: 'mcp', event: 'result', method: 'tools/call', name, result, ...(result.isError === true ? { isError: true } : {}) });
    return result;
  }

  async readResource(uri: string): Promise<Record<string, unknown>> {
    const result = asObject(await this.request('resources/read', { uri })) ?? {};
    this.emit({ kind: 'mcp', event: 'result', method: 'resources/read', name: uri, result });
    return result;
  }

  async getPrompt(name: string, args: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const result = asObject(await this.request('prompts/get', { name, arguments: args })) ?? {};
    this.emit({ kind: 'mcp', event: 'result', method: 'prompts/get', name, result });
    return result;
  }

  // ---- closing -------------------------------------------------------------------------------

  /** Ends the session: the streams stopped, Streamable HTTP's `DELETE` with the session id, a `close` record. */
  async close(): Promise<void> {
    if (this.state === 'closed') {
      return;
    }
    const hadSession = this.transport === 'streamable-http' && this.sessionId !== undefined && this.state !== 'expired';
    this.stopAll('the session was closed');
    if (hadSession) {
      try {
        const res = await this.send('DELETE', this.endpoint, this.requestHeaders(false));
        res.resume();
        if (res.statusCode === 405) {
          this.note('The server does not let clients end sessions (DELETE answered 405): it ends the session itself');
        }
      } catch (err) {
        this.note(`DELETE of the session failed: ${(err as Error).message}`);
      }
    }
    this.setState('closed');
    this.emit({ kind: 'close', state: 'closed', by: 'client', clean: true });
  }

  private stopAll(why: string, failure: 'closed' | 'expired' = 'closed'): void {
    for (const s of this.streams) {
      s.stop();
    }
    this.streams.clear();
    for (const e of this.exchanges) {
      e.abort();
    }
    this.exchanges.clear();
    for (const key of [...this.pending.keys()]) {
      this.failPending(key, new McpError(failure, `${this.pending.get(key)?.method ?? 'The request'} got no answer: ${why}`));
    }
    this.progressTokens.clear();
  }

  private notReadyWords(): string {
    switch (this.state) {
      case 'expired':
        return `The server forgot session ${this.sessionId ?? ''}: initialize again`;
      case 'closed':
        return 'The session is closed';
      case 'failed':
        return 'The session failed: initialize again';
      default:
        return 'The session is not initialized yet';
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private requestHeaders(post: boolean, lastEventId?: string): Headers {
    const h: Headers = { ...this.options.headers };
    if (post) {
      h['Content-Type'] = 'application/json';
      h.Accept = this.transport === 'sse' ? 'application/json' : 'application/json, text/event-stream';
    } else {
      h.Accept = 'text/event-stream';
    }
    if (this.sessionId !== undefined) {
      h['Mcp-Session-Id'] = this.sessionId;
    }
    if (this.protocolVersion !== undefined && this.transport === 'streamable-http') {
      h['MCP-Protocol-Version'] = this.protocolVersion;
    }
    if (lastEventId) {
      h['Last-Event-ID'] = lastEventId;
    }
    return h;
  }

  /** One HTTP request, with its `connecting` record; resolves with the response (its `open` or error record is the caller's). */
  private async send(
    method: 'GET' | 'POST' | 'DELETE',
    url: URL,
    headers: Headers,
    body?: string,
    attempt = 0,
  ): Promise<http.IncomingMessage> {
    const lastEventId = headers['Last-Event-ID'];
    this.emit({
      kind: 'connecting',
      ...(this.state === 'initializing' && method === 'POST' && attempt === 0 && this.stamper.stats.records === 0
        ? { state: 'connecting' }
        : {}),
      url: this.redactor.url(url.href),
      method,
      headers: this.redactor.headers(headers),
      attempt,
      ...(lastEventId ? { lastEventId } : {}),
    } as RecordInit);
    const ex = exchange({ method, url, headers, body, timeoutMs: this.options.timeoutMs ?? DEFAULTS.timeoutMs }, this.options);
    this.exchanges.add(ex);
    try {
      const res = await ex.response;
      res.once('close', () => this.exchanges.delete(ex));
      return res;
    } catch (err) {
      this.exchanges.delete(ex);
      if (err instanceof ExchangeError) {
        this.emit({ kind: 'error', code: err.code, message: err.message, fatal: this.state === 'initializing' });
        throw new McpError('unreachable', err.message);
      }
      throw err;
    }
  }

  private opened(res: http.IncomingMessage, url: URL): void {
    this.emit({
      kind: 'open',
      url: this.redactor.url(url.href),
      status: res.statusCode,
      statusText: res.statusMessage ?? '',
      headers: this.redactor.headers(headersOf(res.headers)),
    });
  }

  /** Records an outbound JSON-RPC message and POSTs it; its answer (JSON, SSE or 202) is read here. */
  private async post(message: Record<string, unknown>, forId?: JsonRpcId): Promise<void> {
    const text = JSON.stringify(message);
    const [decoded] = decodeJsonRpcText(text);
    const initializing = message.method === 'initialize';
    const endpoint = this.endpoint;
    const headers = this.requestHeaders(true);
    const resP = this.send('POST', endpoint, headers, text);
    this.tracker.sent(decoded, this.now());
    this.emit({ kind: 'message', dir: 'out', format: 'text', data: text, size: Buffer.byteLength(text), decoded });
    const res = await resP;
    const status = res.statusCode ?? 0;
    if (initializing && this.transport === 'streamable-http') {
      const sid = res.headers['mcp-session-id'];
      if (typeof sid === 'string' && sid !== '') {
        this.sessionId = sid;
      }
    }
    if (status < 200 || status > 299) {
      await this.refused(
        res,
        endpoint,
        initializing && this.options.transport !== 'streamable-http' && this.transport === 'streamable-http',
      );
      return;
    }
    this.opened(res, endpoint);
    if (this.transport === 'sse' || status === 202 || forId === undefined) {
      // The older transport answers on its SSE stream; a notification or response gets 202 Accepted.
      res.resume();
      return;
    }
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('text/event-stream')) {
      this.readAnswerStream(res, forId, { lastEventId: '', retryMs: undefined }, 0);
    } else if (type.startsWith('application/json')) {
      await this.readJsonAnswer(res);
    } else {
      res.resume();
      const words = `The answer to ${String(message.method)} is ${type ? `"${type}"` : 'untyped'}, neither application/json nor text/event-stream`;
      this.emit({ kind: 'error', code: 'ERR_CONTENT_TYPE', message: words, fatal: false });
      throw new McpError('protocol', words);
    }
  }

  /** A non-2xx answer: an error record in words (401's challenge, 404's forgotten session). */
  private async refused(res: http.IncomingMessage, url: URL, mayFallBack: boolean): Promise<never> {
    const status = res.statusCode ?? 0;
    const statusText = res.statusMessage ?? '';
    const { body, truncated } = await readCapped(res, ERROR_BODY_LIMIT);
    const headers = this.redactor.headers(headersOf(res.headers));
    const base = {
      kind: 'error' as const,
      code: 'ERR_HTTP_STATUS' as const,
      status,
      statusText,
      headers,
      body,
      ...(truncated ? { bodyTruncated: true } : {}),
    };
    if (status === 404 && this.sessionId !== undefined && this.state !== 'initializing') {
      const words = `The server no longer knows session ${this.sessionId} (HTTP 404): initialize again to start a new session`;
      this.setState('expired');
      this.emit({ ...base, message: words, fatal: false });
      this.emit({ kind: 'mcp', event: 'expired', sessionId: this.sessionId });
      this.stopAll('the server forgot the session', 'expired');
      throw new McpError('expired', words);
    }
    if (status === 401) {
      const challenge = String(res.headers['www-authenticate'] ?? '') || undefined;
      const servers = await this.authorizationServers(url, challenge);
      const words = describeUnauthorized(url, challenge, servers);
      this.emit({
        ...base,
        message: words,
        fatal: this.state === 'initializing',
        ...(this.state === 'initializing' ? { state: 'failed' } : {}),
      } as RecordInit);
      throw new McpError('http', words);
    }
    if (mayFallBack && status >= 400 && status < 500 && status !== 403) {
      this.note(`POST of initialize answered HTTP ${`${status} ${statusText}`.trim()}${body ? `: ${firstLine(body)}` : ''}`);
      throw new FallBack(`Streamable HTTP was refused (HTTP ${status})`);
    }
    const words = `The server answered HTTP ${status}${statusText ? ' ' + statusText : ''}${body ? `: ${firstLine(body)}` : ''}`;
    this.emit({
      ...base,
      message: words,
      fatal: this.state === 'initializing',
      ...(this.state === 'initializing' ? { state: 'failed' } : {}),
    } as RecordInit);
    throw new McpError('http', words);
  }

  /** The protected resource metadata's `authorization_servers`, read once for a 401's words (best effort). */
  private async authorizationServers(url: URL, challenge: string | undefined): Promise<string[] | undefined> {
    try {
      const metaUrl = new URL(resourceMetadataUrl(url, challenge));
      const ex = exchange(
        { method: 'GET', url: metaUrl, headers: { Accept: 'application/json' }, timeoutMs: this.options.timeoutMs ?? DEFAULTS.timeoutMs },
        this.options,
      );
      const res = await ex.response;
      if (res.statusCode !== 200) {
        res.resume();
        return undefined;
      }
      const { body } = await readCapped(res, ERROR_BODY_LIMIT);
      const servers = (JSON.parse(body) as { authorization_servers?: unknown }).authorization_servers;
      return Array.isArray(servers) ? servers.filter((s): s is string => typeof s === 'string') : undefined;
    } catch {
      return undefined;
    }
  }

  private async readJsonAnswer(res: http.IncomingMessage): Promise<void> {
    const limit = this.options.maxMessageSize ?? DEFAULTS.maxEventSize;
    const { body, truncated } = await readCapped(res, limit);
    if (truncated) {
      const words = `The JSON answer is larger than ${limit} bytes (maxMessageSize): it was not read`;
      this.emit({ kind: 'error', code: 'ERR_BUFFER_LIMIT', message: words, fatal: false });
      throw new McpError('protocol', words);
    }
    this.received(body, { kind: 'message', dir: 'in', format: 'text', data: body, size: Buffer.byteLength(body) });
  }

  /**
   * An SSE answer to request `forId`: each event's JSON-RPC message dispatched; stopped once the
   * response came; resumed with Last-Event-ID (a GET, as the spec says) when it is cut before.
   */
  private readAnswerStream(res: http.IncomingMessage, forId: JsonRpcId | undefined, state: EventStreamState, resumes: number): void {
    const key = JSON.stringify(forId);
    let tracker = this.continuity.get(state);
    if (!tracker) {
      tracker = new ContinuityTracker();
      this.continuity.set(state, tracker);
    }
    tracker.begin(state.lastEventId);
    const stream = readEventStream(res, state, this.options.maxMessageSize ?? DEFAULTS.maxEventSize, {
      event: (r) => {
        const finding = tracker.observe(r.id);
        if (r.data !== '') {
          this.received(r.data, r);
        } else {
          // The priming event (an id and empty data): what a resumption starts from.
          this.emit(r as RecordInit);
        }
        if (finding) {
          this.emit(finding);
        }
        if (forId !== undefined && !this.pending.has(key)) {
          stream.stop();
          this.streams.delete(stream);
        }
      },
      record: (r) => this.emit(r),
      ended: (error) => {
        this.streams.delete(stream);
        if (forId !== undefined && !this.pending.has(key)) {
          return;
        }
        const what =
          forId === undefined
            ? 'The GET stream'
            : `The answer stream of ${this.pending.get(key)?.method ?? 'a request'} (id ${String(forId)})`;
        const how = error ? `was cut: ${error.message}` : 'ended';
        if (this.state !== 'ready' && this.state !== 'initializing') {
          return;
        }
        if (state.lastEventId === '') {
          const words = `${what} ${how} before ${forId === undefined ? 'the session ended' : 'its response'}, and the server gave no event id to resume from`;
          this.emit({ kind: 'error', code: error?.code ?? 'ERR_PROTOCOL', message: words, fatal: false });
          if (forId !== undefined) {
            this.failPending(key, new McpError('protocol', words));
          }
          return;
        }
        if (resumes >= (this.options.maxResumes ?? 5)) {
          const words = `${what} ${how}; resumed ${resumes} times already: giving up`;
          this.emit({ kind: 'error', code: 'ERR_RETRIES_EXHAUSTED', message: words, fatal: false });
          if (forId !== undefined) {
            this.failPending(key, new McpError('protocol', words));
          }
          return;
        }
        const delay = Math.max(MIN_RECONNECT_MS, state.retryMs ?? DEFAULT_RESUME_MS);
        this.note(`${what} ${how}: resuming after event ${state.lastEventId} in ${delay} ms (GET with Last-Event-ID)`);
        this.resumeLater(delay, forId, state, resumes + 1);
      },
    });
    this.streams.add(stream);
  }

  private resumeLater(delay: number, forId: JsonRpcId | undefined, state: EventStreamState, resumes: number): void {
    const timer = disposableTimeout(() => {
      this.streams.delete(handle);
      void this.resume(forId, state, resumes);
    }, delay);
    const handle = { stop: () => timer.dispose() };
    this.streams.add(handle);
  }

  private async resume(forId: JsonRpcId | undefined, state: EventStreamState, resumes: number): Promise<void> {
    const key = JSON.stringify(forId);
    const from = state.lastEventId;
    try {
      const res = await this.send('GET', this.endpoint, this.requestHeaders(false, from), undefined, resumes);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        await this.refused(res, this.endpoint, false);
      }
      this.opened(res, this.endpoint);
      if (
        !String(res.headers['content-type'] ?? '')
          .toLowerCase()
          .startsWith('text/event-stream')
      ) {
        res.resume();
        throw new McpError('protocol', `The resumed stream is not text/event-stream (${String(res.headers['content-type'] ?? 'untyped')})`);
      }
      this.note(`Resumed after event ${from}: the server replays what followed it`);
      this.readAnswerStream(res, forId, state, resumes);
    } catch (err) {
      if (forId !== undefined) {
        this.failPending(key, err);
      }
    }
  }

  /** The GET stream for the server's own messages (spec: the server may answer 405 when it offers none). */
  private openGetStream(state: EventStreamState | undefined, resumes: number): void {
    void (async () => {
      try {
        const res = await this.send('GET', this.endpoint, this.requestHeaders(false));
        if (res.statusCode === 405) {
          res.resume();
          this.note('The server offers no GET stream (405): its messages come only on answers');
          return;
        }
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) {
          await this.refused(res, this.endpoint, false);
        }
        this.opened(res, this.endpoint);
        this.readAnswerStream(res, undefined, state ?? { lastEventId: '', retryMs: undefined }, resumes);
      } catch {
        // Recorded already (an error record in words); the session goes on without the stream.
      }
    })();
  }

  // ---- the older HTTP+SSE transport ------------------------------------------------------------

  /** GET the SSE URL and wait for its `endpoint` event; every answer then arrives on this stream. */
  private async openLegacy(): Promise<void> {
    this.transport = 'sse';
    const res = await this.send('GET', this.url, this.requestHeaders(false));
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      await this.refused(res, this.url, false);
    }
    this.opened(res, this.url);
    const type = String(res.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('text/event-stream')) {
      res.resume();
      const words = `${this.redactor.url(this.url.href)} is not an MCP server: neither a Streamable HTTP endpoint nor an SSE stream (the GET answered "${type || 'untyped'}")`;
      this.emit({ kind: 'error', code: 'ERR_CONTENT_TYPE', message: words, fatal: true, state: 'failed' });
      throw new McpError('protocol', words);
    }
    const endpoint = new Promise<URL>((resolve) => (this.legacyReady = resolve));
    const stream = readEventStream(res, { lastEventId: '', retryMs: undefined }, this.options.maxMessageSize ?? DEFAULTS.maxEventSize, {
      event: (r) => {
        if (r.event === 'endpoint') {
          this.emit(r as RecordInit);
          try {
            const url = new URL(r.data, this.url);
            this.endpoint = url;
            this.note(`The server's message endpoint: ${this.redactor.url(url.href)}`);
            this.legacyReady?.(url);
            this.legacyReady = undefined;
          } catch {
            this.emit({
              kind: 'error',
              code: 'ERR_PROTOCOL',
              message: `The endpoint event holds no URL: ${firstLine(r.data)}`,
              fatal: false,
            });
          }
          return;
        }
        this.received(r.data, r);
      },
      record: (r) => this.emit(r),
      ended: (error) => {
        this.streams.delete(stream);
        if (this.state === 'ready' || this.state === 'initializing') {
          const words = `The SSE stream ${error ? `was cut: ${error.message}` : 'ended'}; the older transport cannot resume: initialize again`;
          this.emit({ kind: 'error', code: error?.code ?? 'ERR_NETWORK', message: words, fatal: false });
          this.setState('failed');
          this.stopAll(words);
        }
      },
    });
    this.streams.add(stream);
    await endpoint;
  }

  // ---- what arrives --------------------------------------------------------------------------

  /** Text of one inbound frame (a JSON body or an SSE event's data): one message record per JSON-RPC message, then each dispatched. */
  private received(text: string, record: Omit<MessageRecord, 'seq' | 'time'>): void {
    const parts = decodeJsonRpcText(text);
    const at = this.now();
    for (const d of parts) {
      this.tracker.received(d, at);
      this.tieProgress(d);
      const data = parts.length > 1 && d.part ? JSON.stringify((JSON.parse(text) as unknown[])[d.part.index]) : text;
      this.emit({ ...record, data, size: parts.length > 1 ? Buffer.byteLength(data) : record.size, decoded: d } as RecordInit);
      this.dispatch(d);
    }
  }

  /** A progress notification names its request: `progressFor` and the label say which. */
  private tieProgress(d: JsonRpcDecoded): void {
    if (d.type !== 'notification' || d.method !== 'notifications/progress') {
      return;
    }
    const params = asObject(d.params);
    const id = params && this.progressTokens.get(JSON.stringify(params.progressToken));
    if (id === undefined) {
      return;
    }
    const p = this.pending.get(JSON.stringify(id));
    d.progressFor = id;
    const total = typeof params?.total === 'number' ? `/${params.total}` : '';
    d.label = `progress ${String(params?.progress)}${total} of ${p?.method ?? 'request'} (id ${String(id)})`;
    p?.onProgress?.(params);
  }

  private dispatch(d: JsonRpcDecoded): void {
    switch (d.type) {
      case 'response':
      case 'error': {
        const key = JSON.stringify(d.id);
        const p = this.pending.get(key);
        if (!p) {
          this.emit({
            kind: 'info',
            message: `A response to id ${JSON.stringify(d.id)}, which no request of this session is waiting for: kept in the log, ignored`,
          });
          return;
        }
        this.pending.delete(key);
        p.timer.dispose();
        this.forgetProgress(d.id ?? null);
        if (d.type === 'response') {
          p.resolve(d.result);
        } else {
          const e = asObject(d.error);
          const words = `${p.method} failed: ${typeof e?.message === 'string' ? e.message : 'a JSON-RPC error'}${typeof e?.code === 'number' ? ` (code ${e.code})` : ''}`;
          p.reject(new McpError('rpc', words, d.error));
        }
        return;
      }
      case 'request':
        void this.answerServer(d);
        return;
      case 'notification':
        if (d.method?.endsWith('/list_changed')) {
          this.note(`The server says its ${d.method.split('/')[1]} changed: list them again to see it`);
        }
        return;
      case 'invalid':
        this.emit({
          kind: 'error',
          code: 'ERR_PROTOCOL',
          message: `The server sent something that is not JSON-RPC: ${String(d.error)}`,
          fatal: false,
        });
        return;
    }
  }

  private forgetProgress(id: JsonRpcId): void {
    for (const [token, of] of this.progressTokens) {
      if (of === id) {
        this.progressTokens.delete(token);
      }
    }
  }

  /** A server's request (sampling, elicitation, roots/list, ping): answered by the front or refused in words. */
  private async answerServer(d: JsonRpcDecoded): Promise<void> {
    const method = d.method ?? '';
    let answer: { result: unknown } | { error: { code: number; message: string; data?: unknown } } | undefined;
    if (method === 'ping') {
      answer = { result: {} };
    } else {
      try {
        answer = await this.options.answerServerRequest?.(method, d.params);
      } catch (err) {
        answer = { error: { code: -32603, message: (err as Error).message } };
      }
      if (!answer) {
        this.note(`The server asked for ${method} (id ${JSON.stringify(d.id)}): answered "not supported by this client"`);
        answer = { error: { code: -32601, message: `${method} is not supported by this client` } };
      }
    }
    try {
      await this.post({ jsonrpc: '2.0', id: d.id, ...answer });
    } catch {
      // Recorded already.
    }
  }
}

/** Streamable HTTP was refused with a 4xx at initialize: the older transport may be what the server speaks. */
class FallBack extends Error {}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}

/** Reads a body up to `limit` bytes (the rest not read: `truncated`). */
function readCapped(res: http.IncomingMessage, limit: number): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean) => {
      if (!done) {
        done = true;
        resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
      }
    };
    res.on('data', (chunk: Buffer) => {
      if (done) {
        return;
      }
      size += chunk.length;
      if (size > limit) {
        res.destroy();
        finish(true);
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => finish(false));
    res.on('error', () => finish(false));
    res.on('close', () => finish(false));
  });
}
