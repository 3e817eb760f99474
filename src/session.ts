import { Connection, SendError } from './core/connection';
import { Disposable, DisposableStore, Emitter } from './core/lifecycle';
import { urlSecrets } from './core/credentials';
import { Redactor, resolveKind } from './core/options';
import type { ConnRecord, ConnectionStats, ConnectionStatus, TransportKind } from './core/records';
import { RawTail } from './core/rawTail';
import { safeLabel } from './core/unsafeText';
import { MessageStore, type StoreOptions } from './core/store';
import type { Log } from './log';
import { buildConnectionOptions, type SessionConfig } from './profiles/connectOptions';
import { applyEditable, toEditable } from './profiles/profile';
import type { ResolveEnv, ResolveError } from './profiles/resolve';
import type { EditableConfig, SseDetails, WebviewPersistedState } from './protocol';
import { originOf, type TrustGate, type TrustSource } from './trust';

/** Where a session's configuration came from (see {@link TrustSource}). `adhoc`: typed by the user (palette or panel). */
export type SessionSource = TrustSource;

export interface SessionDeps {
  log: Log;
  env: ResolveEnv;
  trust: TrustGate;
  storeOptions: () => StoreOptions;
}

/** The outcome of {@link Session.connect}: errors are values the caller shows. */
export type ConnectResult =
  | { ok: true }
  | { ok: false; code: 'ERR_UNTRUSTED'; message: string }
  | { ok: false; code: ResolveError['code']; message: string; secretName: string }
  | { ok: false; code: 'ERR_INVALID_CONFIG'; message: string };

const EMPTY_STATS: ConnectionStats = Object.freeze({ messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 });
const hostPrefix = Date.now().toString(36);
let nextSession = 1;

/**
 * One inspected endpoint: its configuration (with templates, never resolved secrets), the core
 * connection made from it at connect time, and the host-side store of its records that panels are
 * (re)built from. A session outlives its panels; it ends when the user removes it.
 */
export class Session extends Disposable {
  /** Unique across window reloads too, since restored panels name it in their persisted state. */
  readonly id: string;
  readonly store: MessageStore;
  private _connection: Connection | undefined;
  private readonly connectionStore = this._register(new DisposableStore());
  private _config: SessionConfig;
  private _source: SessionSource;
  private rateSample = { count: 0, at: Date.now() };
  private _rate = 0;
  /**
   * How the last panel of this session showed it (filter, selection, scroll…), as that panel reported
   * it; a panel opened later starts from it. Kept in memory only.
   */
  viewState: WebviewPersistedState | undefined;

  private readonly _onDidRecord = this._register(new Emitter<ConnRecord>());
  /** Every record, after the store has it. */
  readonly onDidRecord = this._onDidRecord.event;
  private readonly _onDidChangeStatus = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus = this._onDidChangeStatus.event;
  private readonly _onDidChangeConfig = this._register(new Emitter<EditableConfig>());
  readonly onDidChangeConfig = this._onDidChangeConfig.event;
  private readonly _onDidClear = this._register(new Emitter<void>());
  readonly onDidClear = this._onDidClear.event;
  private readonly _onDidRaw = this._register(new Emitter<string>());
  /** SSE: the response body's text as it arrives (for the raw view). Fired only while someone listens. */
  readonly onDidRaw = this._onDidRaw.event;

  /** The tail of the SSE stream as received, kept small so the raw view can open with context. */
  private readonly raw = new RawTail(RAW_TAIL);
  /** Decodes the chunks for `onDidRaw` listeners. */
  private rawDecoder = new TextDecoder('utf-8');

  constructor(
    config: SessionConfig,
    source: SessionSource,
    private readonly deps: SessionDeps,
    id?: string,
  ) {
    super();
    this.id = id ?? `${hostPrefix}-${nextSession++}`;
    this._config = config;
    this._source = source;
    this.store = new MessageStore(deps.storeOptions());
  }

  get connection(): Connection | undefined {
    return this._connection;
  }

  get config(): SessionConfig {
    return this._config;
  }

  get source(): SessionSource {
    return this._source;
  }

  /**
   * The profile name, or host and path of the URL, for a tab, a tree row or a log line: one line, with
   * control, bidi and invisible characters escaped (a workspace chooses its profiles' names).
   */
  get label(): string {
    if (this._config.name) {
      return safeLabel(this._config.name);
    }
    try {
      const u = new URL(this._config.url);
      return safeLabel(`${u.host}${u.pathname === '/' ? '' : u.pathname}`);
    } catch {
      return safeLabel(this.redactor.url(this._config.url));
    }
  }

  /** SSE or WS, as the URL's scheme and the configured kind select (undefined when the URL has no scheme yet). */
  get kind(): TransportKind | undefined {
    if (this._connection) {
      return this._connection.kind;
    }
    try {
      return resolveKind(this._config.url.replace(/\$\{[^}]*\}/g, 'x'), this._config.kind ?? 'auto');
    } catch {
      return undefined;
    }
  }

  get status(): ConnectionStatus {
    return (
      this._connection?.status ?? {
        state: 'idle',
        since: Date.now(),
        autoRetry: true,
        attempt: 0,
        maxAttempts: null,
        reconnectDelayMs: 0,
        details: {},
      }
    );
  }

  get stats(): Readonly<ConnectionStats> {
    const live = this._connection?.stats ?? EMPTY_STATS;
    const base = this.restoredStats;
    if (!base) {
      return live;
    }
    return {
      messagesIn: base.messagesIn + live.messagesIn,
      messagesOut: base.messagesOut + live.messagesOut,
      bytesIn: base.bytesIn + live.bytesIn,
      bytesOut: base.bytesOut + live.bytesOut,
      records: base.records + live.records,
    };
  }

  /** The counts of a log restored after a window reload, so the counters agree with the log shown. */
  private restoredStats: ConnectionStats | undefined;

  /** Connecting, open, closing or waiting to reconnect. */
  get isLive(): boolean {
    return this._connection?.isActive ?? false;
  }

  /** Masks this session's resolved secrets. */
  get redactor(): Redactor {
    return this._connection?.secrets ?? NO_SECRETS;
  }

  get editableConfig(): EditableConfig {
    return toEditable(this._config);
  }

  /** What the panel's SSE details pane shows: the connection's (last request and response, retry and Last-Event-ID in force). */
  sseDetails(): SseDetails | undefined {
    return this.kind === 'sse' ? this._connection?.sseDetails : undefined;
  }

  /** Messages per second (in + out) since the previous call; sampled by the views' ticker. */
  sampleRate(): number {
    const now = Date.now();
    const count = this.stats.messagesIn + this.stats.messagesOut;
    const elapsed = now - this.rateSample.at;
    if (elapsed >= 500) {
      this._rate = Math.max(0, ((count - this.rateSample.count) * 1000) / elapsed);
      this.rateSample = { count, at: now };
    }
    return this._rate;
  }

  get rate(): number {
    return this._rate;
  }

  /** Replaces the configuration; takes effect on the next connect. */
  setConfig(config: SessionConfig, source?: SessionSource): void {
    this._config = config;
    if (source) {
      this._source = source;
    }
    this._onDidChangeConfig.fire(this.editableConfig);
  }

  /** Applies the request bar's edits (what the bar cannot edit is kept). */
  applyEditable(config: EditableConfig): void {
    const next = applyEditable(this._config, config) as SessionConfig;
    this.setConfig(next);
  }

  /**
   * Resolves the configuration and connects (or reconnects with the new configuration when live).
   * Asks for trust first when the configuration comes from an untrusted workspace.
   */
  connect(): Promise<ConnectResult> {
    // Two clicks in a row must not make two connections: the second joins the first.
    this.pendingConnect ??= this.doConnect().finally(() => (this.pendingConnect = undefined));
    return this.pendingConnect;
  }

  private pendingConnect: Promise<ConnectResult> | undefined;

  private async doConnect(): Promise<ConnectResult> {
    if (this.isDisposed) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
    }
    const config = this._config;
    let built;
    try {
      built = await buildConnectionOptions(config, this.deps.env);
    } catch (err) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: (err as Error).message };
    }
    if (!built.ok) {
      return { ok: false, code: built.error.code, message: built.error.message, secretName: built.error.name };
    }
    // Asked for what will really be sent: the resolved URL's origin and the references resolved. So a
    // profile the workspace pointed elsewhere, or gave one more secret, asks again on any reconnect.
    const masked = new Redactor(built.secrets);
    const { origin, host } = originOf(built.value.url);
    const allowed = await this.deps.trust.allows({
      source: this._source,
      name: config.name,
      url: masked.url(built.value.url),
      origin,
      host: masked.text(host),
      headers: Object.keys(built.value.headers ?? {}),
      refs: built.refs,
      insecureTls: built.value.tls?.insecure === true,
    });
    if (!allowed) {
      this.deps.log.warn(`[${this.label}] not connected to ${masked.text(origin)}: not confirmed (configuration from ${this._source === 'workspace' ? 'an untrusted workspace' : `a source the user did not write (${this._source})`})`);
      return { ok: false, code: 'ERR_UNTRUSTED', message: `Not connected: ${masked.text(host)} was not confirmed.` };
    }
    if (this.isDisposed) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
    }
    // The output channel masks what the connection masks, the secrets a URL carries included.
    this.deps.log.addSecrets([...built.secrets, ...urlSecrets(built.value.url)]);
    try {
      if (!this._connection) {
        // Loaded on first connect: the transports (ws, proxy agents) cost nothing at activation.
        const { createConnection } = await import('./core/index');
        if (this.isDisposed) {
          return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
        }
        const conn = createConnection(built.value);
        // A log restored after a window reload keeps its seqs; this connection's records follow them.
        conn.continueSeqAfter(this.lastSeq);
        this.attach(conn);
        conn.connect();
      } else if (this._connection.isActive) {
        this._connection.setOptions(built.value);
        this._connection.reconnectNow();
      } else {
        this._connection.setOptions(built.value);
        this._connection.connect();
      }
    } catch (err) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: (err as Error).message };
    }
    return { ok: true };
  }

  disconnect(code?: number, reason?: string): void {
    this._connection?.disconnect(code, reason);
  }

  /** Reconnects now; a session that is not live connects again (resolving secrets afresh). */
  async reconnect(): Promise<ConnectResult> {
    if (this._connection?.isActive) {
      this._connection.reconnectNow();
      return { ok: true };
    }
    return this.connect();
  }

  setAutoRetry(on: boolean): void {
    this._connection?.setAutoRetry(on);
  }

  /** The seq of the newest record kept (0 for an empty log). */
  get lastSeq(): number {
    return this.store.lastSeq;
  }

  /**
   * Puts back the records kept from before a window reload (seq increasing, secrets already masked)
   * and notes it in the log. Only for a session that has no connection yet, so the seqs of the
   * records its connection will add follow these.
   */
  restoreLog(records: readonly ConnRecord[], note: string): void {
    if (this._connection || this.store.size > 0 || records.length === 0) {
      return;
    }
    // Bytes in are the messages' sizes: the wire bytes (framing included) are not kept.
    const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: records.length + 1 };
    for (const r of records) {
      this.store.add(r);
      if (r.kind === 'message') {
        if (r.dir === 'in') {
          stats.messagesIn++;
          stats.bytesIn += r.size;
        } else {
          stats.messagesOut++;
          stats.bytesOut += r.size;
        }
      }
    }
    this.restoredStats = stats;
    const info: ConnRecord = { kind: 'info', message: note, seq: this.lastSeq + 1, time: new Date().toISOString() };
    this.store.add(info);
    this.logRecord(info);
  }

  /** Empties the log (the connection stays as it is). */
  clear(): void {
    this.store.clear();
    this._onDidClear.fire();
    this._connection?.note('Log cleared');
  }

  /** WS send helpers: errors are thrown as {@link SendError} with a message for the user. */
  requireConnection(): Connection {
    if (!this._connection) {
      throw new SendError('Not connected');
    }
    return this._connection;
  }

  /** Closes cleanly (WS close frame, SSE request ended) and waits up to `timeoutMs` for it. */
  async shutdown(timeoutMs = 1500): Promise<void> {
    const conn = this._connection;
    if (conn?.isActive) {
      const closed = new Promise<void>((resolve) => {
        const sub = conn.onDidChangeState((s) => {
          if (s.state === 'closed' || s.state === 'failed' || s.state === 'idle') {
            sub.dispose();
            resolve();
          }
        });
        setTimeout(() => {
          sub.dispose();
          resolve();
        }, timeoutMs);
      });
      conn.setAutoRetry(false);
      conn.disconnect(1000, 'Editor closing');
      if (conn.isActive) {
        await closed;
      }
    }
    this.dispose();
  }

  /** The kept tail of the SSE stream, secrets masked. */
  rawText(): string {
    return this.raw.maskedText(this.redactor);
  }

  private readonly onRawChunk = (chunk: Buffer): void => {
    this.raw.push(chunk);
    if (this._onDidRaw.hasListeners) {
      const text = this.rawDecoder.decode(chunk, { stream: true });
      if (text) {
        this._onDidRaw.fire(text);
      }
    }
  };

  private attach(conn: Connection): void {
    this._connection = conn;
    this.connectionStore.add(conn);
    this.connectionStore.add(conn.onRawChunk(this.onRawChunk));
    this.rateSample = { count: this.stats.messagesIn + this.stats.messagesOut, at: Date.now() };
    this.connectionStore.add(
      conn.onRecord((record) => {
        if (record.kind === 'connecting') {
          // A new response: a multi-byte character cut by the last one must not leak into this one.
          this.rawDecoder = new TextDecoder('utf-8');
          this.raw.responseStart();
        }
        this.store.add(record);
        this.logRecord(record);
        this._onDidRecord.fire(record);
      }),
    );
    this.connectionStore.add(conn.onDidChangeState((status) => this._onDidChangeStatus.fire(status)));
  }

  private logRecord(record: ConnRecord): void {
    const log = this.deps.log;
    if (record.kind === 'message') {
      const r = record;
      // The per-message path: nothing is built unless the channel is at trace level.
      if (log.output.logLevel <= 1 /* Trace */) {
        log.trace(`[${this.label}] ${r.dir} ${r.event ?? r.format} ${r.size} B`);
      }
      return;
    }
    // Masked field by field before it becomes a line of text, like every other output.
    const r = this.redactor.record(record);
    const tag = `[${this.label}]`;
    switch (r.kind) {
      case 'connecting':
        log.info(`${tag} connecting ${r.method ?? (this.kind === 'ws' ? 'WS' : 'GET')} ${r.url}${r.attempt ? ` (attempt ${r.attempt})` : ''}`);
        return;
      case 'open':
        log.info(`${tag} open${r.status ? ` ${r.status} ${r.statusText ?? ''}` : ''}${r.protocol ? ` protocol=${r.protocol}` : ''}`);
        return;
      case 'reconnecting':
        log.info(`${tag} reconnecting in ${r.delayMs} ms (attempt ${r.attempt}${r.maxAttempts === null ? '' : ` of ${r.maxAttempts}`})`);
        return;
      case 'closing':
        log.info(`${tag} closing${r.code ? ` ${r.code}` : ''}${r.reason ? ` "${r.reason}"` : ''}`);
        return;
      case 'close':
        log.info(`${tag} closed by ${r.by}${r.code ? ` ${r.code}` : ''}${r.reason ? ` "${r.reason}"` : ''}${r.clean ? '' : ' (not clean)'}`);
        return;
      case 'error':
        (r.fatal ? log.error.bind(log) : log.warn.bind(log))(`${tag} ${r.code}: ${r.message}`);
        return;
      case 'info':
        log.info(`${tag} ${r.message}`);
        return;
      default:
        return;
    }
  }
}

const NO_SECRETS = new Redactor();
/** Bytes of the SSE stream kept for the raw view. */
const RAW_TAIL = 64 * 1024;

/** Every session of the window, with events for the views. */
export class SessionRegistry extends Disposable {
  private readonly map = new Map<string, { session: Session; subs: DisposableStore }>();

  private readonly _onDidAdd = this._register(new Emitter<Session>());
  readonly onDidAdd = this._onDidAdd.event;
  private readonly _onDidRemove = this._register(new Emitter<Session>());
  readonly onDidRemove = this._onDidRemove.event;
  /** A session's state or configuration changed. */
  private readonly _onDidChangeSession = this._register(new Emitter<Session>());
  readonly onDidChangeSession = this._onDidChangeSession.event;

  constructor(private readonly deps: SessionDeps) {
    super();
    this._register({
      dispose: () => {
        for (const { session, subs } of this.map.values()) {
          subs.dispose();
          session.dispose();
        }
        this.map.clear();
      },
    });
  }

  create(config: SessionConfig, source: SessionSource, id?: string): Session {
    const session = new Session(config, source, this.deps, id && !this.map.has(id) ? id : undefined);
    const subs = new DisposableStore();
    subs.add(session.onDidChangeStatus(() => this._onDidChangeSession.fire(session)));
    subs.add(session.onDidChangeConfig(() => this._onDidChangeSession.fire(session)));
    this.map.set(session.id, { session, subs });
    this._onDidAdd.fire(session);
    return session;
  }

  get(id: string): Session | undefined {
    return this.map.get(id)?.session;
  }

  get all(): Session[] {
    return [...this.map.values()].map((e) => e.session);
  }

  get live(): Session[] {
    return this.all.filter((s) => s.isLive);
  }

  /** Ends the session: its connection is closed at once and its store dropped. */
  remove(session: Session): void {
    const entry = this.map.get(session.id);
    if (!entry) {
      return;
    }
    this.map.delete(session.id);
    entry.subs.dispose();
    session.dispose();
    this._onDidRemove.fire(session);
  }

  /** Closes every connection cleanly (bounded in time), then disposes everything. */
  async shutdown(timeoutMs = 1500): Promise<void> {
    await Promise.all(this.all.map((s) => s.shutdown(timeoutMs)));
    this.dispose();
  }
}
