// Over 400 lines: one session ties its configuration, connection, store, raw view, checks and sends together; the parts (checks.ts, rawView.ts, resolveForConnect.ts, stats.ts) are split out.
import { type Connection, SendError } from '../core/connection';
import { Disposable, DisposableStore, Emitter, MutableDisposable, disposableTimeout } from '../core/lifecycle';
import { urlSecrets } from '../core/credentials';
import { resolveKind } from '../core/options';
import type { SendPayload } from '../core/profileSend';
import type { AdapterSend } from '../core/adapters/adapter';
import { Redactor } from '../core/redactor';
import type { ConnRecord, ConnectionStats, ConnectionStatus, TransportKind } from '../core/records';
import { safeLabel } from '../core/unsafeText';
import { MessageStore, type StoreOptions } from '../core/store';
import type { Log } from '../log';
import type { SessionConfig } from '../profiles/connectOptions';
import { applyEditable, toEditable } from '../profiles/editable';
import type { ResolveEnv, ResolveError } from '../core/resolve';
import type { AdapterView, EditableConfig, SseDetails, WebviewPersistedState } from '../protocol';
import type { TrustGate, TrustSource } from '../trust';
import { SessionChecks } from './checks';
import { logRecord } from './outputLine';
import { MessageRate } from './rate';
import { applyEnvironmentText } from '../core/workbench/environments';
import { DynamicValues } from '../core/workbench/placeholders';
import { PeriodicSender, type RepeatOptions } from '../core/workbench/periodic';
import type { RepeatView } from '../protocol';
import { SentMessages, type WrittenMessage } from './sentMessages';
import { messagePayload } from '../core/workbench/savedMessages';
import { RawView } from './rawView';
import { type ResolvedConnect, resolveForConnect } from './resolveForConnect';
import { EMPTY_STATS, addStats, restoredStats } from './stats';
import { jsonStrings, mapJsonStrings } from '../core/jsonStrings';
import type { McpAsk, McpRun } from './mcpRun';
import { version } from '../../package.json';

/** Where a session's configuration came from (see {@link TrustSource}). `adhoc`: typed by the user (palette or panel). */
export type SessionSource = TrustSource;

export interface SessionDeps {
  log: Log;
  env: ResolveEnv;
  trust: TrustGate;
  storeOptions: () => StoreOptions;
  /** The active environment (`{{name}}` placeholders); none when not given. */
  environment?: () => { name?: string; vars?: Record<string, string> };
}

/** The outcome of {@link Session.connect}: errors are values the caller shows. */
export type ConnectResult =
  | { ok: true }
  | { ok: false; code: 'ERR_UNTRUSTED'; message: string }
  | { ok: false; code: ResolveError['code']; message: string; secretName: string }
  | { ok: false; code: 'ERR_INVALID_CONFIG'; message: string };

/** Where a read-only session's records came from. */
export interface SessionRecording {
  file: string;
  index: number;
}

const hostPrefix = Date.now().toString(36);
/** Most characters of a URL's query (with its "?") a label shows; a longer one ends in "…". */
const QUERY_IN_LABEL = 32;
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
  private readonly messageRate = new MessageRate();
  /** The counts of a log restored after a window reload, so the counters agree with the log shown. */
  private restored: ConnectionStats | undefined;
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
  /** The SSE stream as received, for the raw view. */
  private readonly raw = this._register(new RawView());
  /** SSE: the response body's text as it arrives (for the raw view). Fired only while someone listens. */
  readonly onDidRaw = this.raw.onDidRaw;
  /** The runs of the profile's `expect` rules (a fresh one on every connect the user asks for). */
  readonly checks = this._register(new SessionChecks());
  /**
   * A recording opened read-only (Open Recording): its file and which of its connections (0-based) the
   * log holds. Such a session never connects.
   */
  recording: SessionRecording | undefined;
  /** The profile's `send` messages, resolved at the last connect: sent after every open. */
  private sendOnOpen: SendPayload[] = [];
  /** A periodic send running on this session's connection (Send Saved Message… → Repeat, the send box's Repeat). */
  readonly repeat = this._register(new MutableDisposable<PeriodicSender>());
  /** What the repeat sends, in words. */
  private repeatWhat = '';
  private readonly _onDidChangeRepeat = this._register(new Emitter<RepeatView | undefined>());
  /** The repeat started, sent, stopped or was cleared. */
  readonly onDidChangeRepeat = this._onDidChangeRepeat.event;
  /** Where sent rows came from (a saved message; the text as written). */
  readonly sent = this._register(new SentMessages());
  /** Dynamic values (`{{$seq}}` counts the sends) of the current connection. */
  private dynamic = new DynamicValues();
  /** `kind: "mcp"`: the MCP session made at the last connect (instead of a connection). */
  private mcpRun: McpRun | undefined;
  /** The MCP server's requests for the user (sampling, elicitation, roots), and their end: the panel shows them. */
  private readonly _onDidMcpAsk = this._register(new Emitter<McpAsk>());
  readonly onDidMcpAsk = this._onDidMcpAsk.event;
  private readonly _onDidMcpSettle = this._register(new Emitter<number>());
  readonly onDidMcpSettle = this._onDidMcpSettle.event;
  private readonly mcpStore = this._register(new DisposableStore());

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
    this._register({ dispose: () => this.endMcp() });
  }

  /** A removed session ends its server's MCP session too (the DELETE), then lets it go. */
  private endMcp(): void {
    const run = this.mcpRun;
    this.mcpRun = undefined;
    if (run?.isActive) {
      void run.close().finally(() => run.dispose());
    } else {
      run?.dispose();
    }
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
   * The profile name, or host, path and query of the URL (credentials masked, a long query shortened),
   * for a tab, a tree row or a log line: one line, with control, bidi and invisible characters escaped
   * (a workspace chooses its profiles' names). The full URL is in the tree row's tooltip.
   */
  get label(): string {
    if (this.recording) {
      return safeLabel(this.recording.file.split(/[\\/]/).pop() ?? this.recording.file);
    }
    if (this._config.name) {
      return safeLabel(this._config.name);
    }
    const url = this.redactor.url(this._config.url);
    try {
      const parsed = new URL(url);
      // The query as written (the URL class would percent-encode the mask), without the fragment.
      const search = parsed.search ? /\?[^#]*/.exec(url)![0] : '';
      const query = search.length > QUERY_IN_LABEL ? `${search.slice(0, QUERY_IN_LABEL - 1)}…` : search;
      return safeLabel(`${parsed.host}${parsed.pathname === '/' && !query ? '' : parsed.pathname}${query}`);
    } catch {
      return safeLabel(url);
    }
  }

  /** An MCP server's session (`kind: "mcp"`): the panel shows its MCP view. */
  get isMcp(): boolean {
    return this._config.kind === 'mcp';
  }

  /** The MCP session of the last connect, for `kind: "mcp"`. */
  get mcp(): McpRun | undefined {
    return this.mcpRun;
  }

  /** SSE or WS, as the URL's scheme and the configured kind select (undefined when the URL has no scheme yet); MCP speaks HTTP and SSE. */
  get kind(): TransportKind | undefined {
    if (this._connection) {
      return this._connection.kind;
    }
    if (this.isMcp) {
      return 'sse';
    }
    try {
      return resolveKind(
        this._config.url.replace(/\$\{[^}]*\}/g, 'x'),
        this._config.adapter ? 'ws' : ((this._config.kind as 'sse' | 'ws' | 'auto' | undefined) ?? 'auto'),
      );
    } catch {
      return undefined;
    }
  }

  get status(): ConnectionStatus {
    return (
      (this.isMcp ? this.mcp?.status : this._connection?.status) ?? {
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

  /** The connection's counts, plus those of a log restored after a window reload. */
  get stats(): Readonly<ConnectionStats> {
    return addStats(this.restored, (this.isMcp ? this.mcp?.session.stats : this._connection?.stats) ?? EMPTY_STATS);
  }

  /** Connecting, open, closing or waiting to reconnect. */
  get isActive(): boolean {
    return (this.isMcp ? this.mcp?.isActive : this._connection?.isActive) ?? false;
  }

  /** Masks this session's resolved secrets. */
  get redactor(): Redactor {
    return (this.isMcp ? this.mcp?.session.redactor : this._connection?.redactor) ?? NO_REDACTION;
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
    return this.messageRate.sample(this.messageCount);
  }

  /** Messages per second (in + out), as last sampled. */
  get rate(): number {
    return this.messageRate.value;
  }

  private get messageCount(): number {
    const stats = this.stats;
    return stats.messagesIn + stats.messagesOut;
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
    this.connectHeld = undefined;
    const next = applyEditable(this._config, config) as SessionConfig;
    this.setConfig(next);
  }

  /**
   * Resolves the configuration and connects (or reconnects with the new configuration when active).
   * Asks for trust first when the configuration comes from an untrusted workspace.
   */
  connect(): Promise<ConnectResult> {
    // Two clicks in a row must not make two connections: the second joins the first.
    this.pendingConnect ??= this.doConnect().finally(() => (this.pendingConnect = undefined));
    return this.pendingConnect;
  }

  private pendingConnect: Promise<ConnectResult> | undefined;

  /** Why this session may not connect yet (its request is incomplete until its panel is back); cleared when a request is applied. */
  private connectHeld: string | undefined;

  /** Connecting fails with `reason` until a request is applied (see {@link applyEditable}). */
  holdConnect(reason: string): void {
    this.connectHeld = reason;
  }

  private async doConnect(): Promise<ConnectResult> {
    if (this.isDisposed) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
    }
    if (this.connectHeld) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: this.connectHeld };
    }
    if (this.recording) {
      return {
        ok: false,
        code: 'ERR_INVALID_CONFIG',
        message: 'This is a recording, shown read-only: it does not connect. Use Serve as Mock to replay it to a client.',
      };
    }
    const resolved = await resolveForConnect(this._config, this._source, this.label, this.deps);
    if (!resolved.ok) {
      return resolved;
    }
    const built = resolved.built;
    if (this.isDisposed) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
    }
    if (this.isMcp) {
      // The kind changed to MCP in the request bar: the stream it had ends.
      this._connection?.disconnect();
      return this.connectMcp(built);
    }
    if (this.mcpRun?.isActive) {
      // …and the other way round.
      void this.mcpRun.close();
    }
    // The output channel masks what the connection masks, the secrets a URL carries included.
    this.deps.log.addSecrets([...built.secrets, ...urlSecrets(built.value.url)]);
    this.sendOnOpen = built.send;
    try {
      if (!this._connection) {
        // Loaded on first connect: the transports (ws, proxy agents) cost nothing at activation.
        const { createConnection } = await import('../core/index');
        if (this.isDisposed) {
          return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
        }
        const conn = createConnection(built.value);
        // A log restored after a window reload keeps its seqs; this connection's records follow them.
        conn.continueSeqAfter(this.lastSeq);
        this.attach(conn);
        this.startChecks(conn);
        conn.connect();
      } else if (this._connection.isActive) {
        this._connection.setOptions(built.value);
        this.startChecks(this._connection);
        this._connection.reconnectNow();
      } else {
        this._connection.setOptions(built.value);
        this.startChecks(this._connection);
        this._connection.connect();
      }
    } catch (err) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: (err as Error).message };
    }
    return { ok: true };
  }

  /**
   * A fresh MCP session (the one before closed, with its DELETE): initialize and the lists run on,
   * their records and failures (in words) in the log.
   */
  private async connectMcp(built: ResolvedConnect): Promise<ConnectResult> {
    const previous = this.mcpRun;
    if (previous?.isActive) {
      await previous.close();
    }
    const { McpRun } = await import('./mcpRun');
    if (this.isDisposed) {
      return { ok: false, code: 'ERR_INVALID_CONFIG', message: 'The connection was removed' };
    }
    const o = built.value;
    const run = new McpRun(
      {
        url: o.url,
        headers: o.headers,
        secrets: built.secrets,
        tls: o.tls,
        proxy: o.proxy,
        timeoutMs: o.timeoutMs,
        clientInfo: { name: 'realtime-inspector', version },
      },
      // The server's requests wait for the user only while a panel shows them.
      { canAsk: () => this._onDidMcpAsk.hasListeners },
    );
    // A log that holds records already (an earlier session, a restored tail) goes on from its last seq.
    run.session.continueSeqAfter(this.lastSeq);
    this.mcpStore.clear();
    this.mcpRun?.dispose();
    this.mcpRun = run;
    this.messageRate.restart(this.messageCount);
    this.mcpStore.add(
      run.onRecord((record) => {
        this.store.add(record);
        logRecord(this.deps.log, record, this);
        this._onDidRecord.fire(record);
      }),
    );
    this.mcpStore.add(run.onDidChangeStatus((status) => this._onDidChangeStatus.fire(status)));
    this.mcpStore.add(run.onDidAsk((ask) => this._onDidMcpAsk.fire(ask)));
    this.mcpStore.add(run.onDidSettle((id) => this._onDidMcpSettle.fire(id)));
    void run.start();
    return { ok: true };
  }

  disconnect(code?: number, reason?: string): void {
    if (this.isMcp) {
      void this.mcp?.close();
      return;
    }
    this._connection?.disconnect(code, reason);
  }

  /** Reconnects now; a session that is not live connects again (resolving secrets afresh). */
  async reconnect(): Promise<ConnectResult> {
    if (this.isMcp) {
      return this.connect();
    }
    if (this._connection?.isActive) {
      this.startChecks(this._connection);
      this._connection.reconnectNow();
      return { ok: true };
    }
    return this.connect();
  }

  /**
   * Runs the profile's checks afresh: connects, or reconnects a live connection (a fresh run on a fresh
   * connection). The same path as Connect, trust and secrets included.
   */
  runChecks(): Promise<ConnectResult> {
    return this.connect();
  }

  /** A fresh run of the `expect` rules on `conn`, before it (re)connects; none without `expect`. */
  private startChecks(conn: Connection): void {
    const expect = this._config.expect;
    if (expect === undefined) {
      this.checks.clear();
      return;
    }
    this.checks.start(conn, expect, this._config.name ?? this.label);
  }

  /** The profile's `send` messages after an open, as the panel's send box sends them (each a sent row). */
  private sendAfterOpen(conn: Connection): void {
    for (const payload of this.sendOnOpen) {
      if (conn.state !== 'open') {
        return;
      }
      try {
        if (payload.type === 'text') {
          conn.sendText(this.dynamic.resolve(payload.text));
        } else {
          conn.sendBinary(payload.bytes);
        }
      } catch (err) {
        conn.note(`Could not send the profile's message: ${(err as Error).message}`);
        return;
      }
    }
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
    for (const r of records) {
      this.store.add(r);
    }
    this.restored = restoredStats(records);
    const info: ConnRecord = { kind: 'info', message: note, seq: this.lastSeq + 1, time: new Date().toISOString() };
    this.store.add(info);
    logRecord(this.deps.log, info, this);
  }

  /**
   * Fills the log of a session that never connects with a recording's records (seq increasing, as
   * written: an export is masked already), then `notes` as info records. Only for a new, empty session.
   */
  openRecordingLog(records: readonly ConnRecord[], recording: SessionRecording, notes: string[]): void {
    if (this._connection || this.store.size > 0) {
      throw new Error('A recording opens in a new session only');
    }
    this.recording = recording;
    for (const r of records) {
      this.store.add(r);
    }
    this.restored = restoredStats(records);
    const time = new Date().toISOString();
    for (const message of notes) {
      const info: ConnRecord = { kind: 'info', message, seq: this.lastSeq + 1, time };
      this.store.add(info);
      logRecord(this.deps.log, info, this);
    }
  }

  /** Empties the log (the connection stays as it is). */
  clear(): void {
    this.store.clear();
    this.sent.clear();
    this._onDidClear.fire();
    this._connection?.note('Log cleared');
  }

  /** The protocol adapter the connection speaks through, as the panel's send box offers it (undefined: none). */
  adapterView(): AdapterView | undefined {
    const adapter = this._connection?.adapter;
    return adapter && { name: adapter.name, verbs: adapter.verbs };
  }

  /**
   * A send through one of the adapter's verbs (the send box's protocol form): `Connection.send`, which
   * checks the fields and throws {@link SendError} in words before anything is written.
   */
  sendAdapter(input: AdapterSend): void {
    const c = this.requireConnection();
    c.send({ verb: input.verb, fields: this.resolveFields(input.fields) });
    // Counted once sent: a send the adapter refused is not one of the connection's sends.
    this.dynamic.countSend();
  }

  /**
   * A verb's fields as they go out: `{{…}}` in every string resolved as one send's (one `$seq`), the
   * environment's variables first. Throws a {@link SendError} naming what is undefined.
   */
  private resolveFields(fields: Record<string, unknown>): Record<string, unknown> {
    let resolved: string[];
    try {
      const env = this.deps.environment?.() ?? {};
      resolved = this.dynamic.resolveMany(
        jsonStrings(fields).map((t) => (t.includes('{{') ? applyEnvironmentText(t, env.vars, env.name) : t)),
        false,
      );
    } catch (err) {
      throw new SendError((err as Error).message);
    }
    let i = 0;
    return mapJsonStrings(fields, () => resolved[i++]) as Record<string, unknown>;
  }

  /**
   * A message typed or picked for sending, as it goes out: `{{name}}` from the active environment,
   * then dynamic values (`{{$seq}}`…). Throws a {@link SendError} naming what is undefined: nothing
   * is sent half resolved.
   */
  resolveOutgoing(text: string): string {
    if (!text.includes('{{')) {
      return this.dynamic.resolve(text);
    }
    try {
      const env = this.deps.environment?.() ?? {};
      return this.dynamic.resolve(applyEnvironmentText(text, env.vars, env.name));
    } catch (err) {
      throw new SendError((err as Error).message);
    }
  }

  /**
   * Sends a message as written in the send box or a saved message (binary as base64), `{{…}}` resolved
   * now; its row remembers `saved` (the saved message's name) and the text as written (`as`, else the body).
   */
  sendWritten(message: WrittenMessage, saved?: string, as?: string): void {
    const c = this.requireConnection();
    const { format, body } = message;
    this.sent.run({ saved, written: { format, body: as ?? body } }, () => {
      if (format === 'binary') {
        const payload = messagePayload({ name: saved ?? 'message', format: 'binary', body: this.resolveOutgoing(body) });
        c.sendBinary((payload as { bytes: Uint8Array }).bytes);
      } else if (format === 'json') {
        c.sendJson(this.resolveOutgoing(body));
      } else {
        c.sendText(this.resolveOutgoing(body));
      }
    });
  }

  /**
   * Starts a periodic send (replacing one that runs): `send(n)` sends the n-th message. It stops when
   * the connection leaves open unless `options.resumeAfterReconnect`; its start and end are noted in the log.
   */
  startRepeat(send: (n: number) => void, options: RepeatOptions, what: string): PeriodicSender {
    const conn = this.requireConnection();
    if (conn.state !== 'open') {
      throw new SendError(`Cannot repeat: the connection is ${conn.state}`);
    }
    this.stopRepeat('replaced by a new repeat');
    const sender = new PeriodicSender(conn, send, options);
    this.repeatWhat = what;
    sender.onDidChange((st) => {
      if (st.stopped !== undefined) {
        conn.note(`Repeat of ${what} stopped: ${st.stopped}`);
      }
      if (this.repeat.value === sender) {
        this._onDidChangeRepeat.fire(this.repeatView);
      }
    });
    this.repeat.value = sender;
    conn.note(`Repeating ${what} every ${options.everyMs} ms${options.times ? `, ${options.times} times` : ' until stopped'}`);
    sender.start();
    return sender;
  }

  /** Stops the repeat that runs, if any (it stays shown, stopped, until the next one). */
  stopRepeat(reason = 'stopped by the user'): void {
    this.repeat.value?.stop(reason);
  }

  /** The repeat as the panel shows it. */
  get repeatView(): RepeatView | undefined {
    const r = this.repeat.value;
    return r && { what: this.repeatWhat, ...r.status };
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
    const mcp = this.mcp;
    if (mcp?.isActive) {
      // The DELETE that ends the server's session, at most `timeoutMs`.
      const waiting = new DisposableStore();
      await Promise.race([mcp.close(), new Promise<void>((resolve) => waiting.add(disposableTimeout(resolve, timeoutMs)))]);
      waiting.dispose();
    }
    const conn = this._connection;
    if (conn?.isActive) {
      const waiting = new DisposableStore();
      const closed = new Promise<void>((resolve) => {
        waiting.add(
          conn.onDidChangeState((s) => {
            if (s.state === 'closed' || s.state === 'failed' || s.state === 'idle') {
              resolve();
            }
          }),
        );
        waiting.add(disposableTimeout(resolve, timeoutMs));
      }).finally(() => waiting.dispose());
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
    return this.raw.text(this.redactor);
  }

  private attach(conn: Connection): void {
    this._connection = conn;
    this.dynamic = new DynamicValues();
    this.connectionStore.add(conn);
    this.messageRate.restart(this.messageCount);
    this.connectionStore.add(conn.onRawChunk(this.raw.onRawChunk));
    this.connectionStore.add(
      conn.onRecord((record) => {
        if (record.kind === 'connecting') {
          this.raw.responseStart();
        }
        this.sent.recorded(record);
        this.store.add(record);
        logRecord(this.deps.log, record, this);
        this._onDidRecord.fire(record);
      }),
    );
    this.connectionStore.add(
      conn.onDidChangeState((status) => {
        if (status.state === 'open' && this.sendOnOpen.length) {
          // After every listener has seen the open (the check's clock, the panel's badge).
          queueMicrotask(() => this.sendAfterOpen(conn));
        }
        this._onDidChangeStatus.fire(status);
      }),
    );
  }
}

const NO_REDACTION = new Redactor();
