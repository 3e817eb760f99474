// Over 400 lines: one state machine whose transitions share its state; its seams (transport.ts, idleWatch.ts, recordStamp.ts, reconnect.ts) are split out.
import { DerivedRecords } from './derived';
import { IdleWatch } from './idleWatch';
import { Disposable, Emitter, MutableDisposable, disposableTimeout } from './lifecycle';
import type { Adapter, AdapterSend } from './adapters/adapter';
import { AdapterSendError } from './adapters/adapter';
import { type ConnectionOptions, kindOf } from './options';
import { Redactor } from './redactor';
import { RecordStamper } from './recordStamp';
import { type ReconnectOptions, ReconnectPolicy, resolveReconnectOptions } from './reconnect';
import {
  type AssertionRecord,
  type ConnRecord,
  type SummaryRecord,
  type ConnectionStats,
  type ConnectionStatus,
  type ConnectionState,
  type OpenRecord,
  type RecordInit,
  type SseDetails,
  type TransportKind,
} from './records';
import {
  type AdapterSignal,
  AttemptSink,
  type DriverFactory,
  type EndInfo,
  type Init,
  type SinkTarget,
  type TransportAttempt,
  type TransportDriver,
  type TransportError,
} from './transport';

let nextId = 1;

/**
 * One endpoint, one state machine: idle → connecting → open → closing → closed, plus reconnecting
 * and failed. Every transition is a record with `state` set. The transport (SSE or WS) lives behind
 * a {@link TransportDriver}; this class owns the lifecycle, the reconnect policy and the records.
 */
export class Connection extends Disposable {
  readonly id: string;
  private _options: ConnectionOptions;
  private _kind: TransportKind;
  private driver: TransportDriver;
  private _redactor: Redactor;
  private policy: ReconnectPolicy;
  private _state: ConnectionState = 'idle';
  private since = Date.now();
  private attemptNo = 0;
  private current: CurrentAttempt | undefined;
  private userClosing = false;
  private paused = false;
  private autoRetry: boolean;
  private serverRetryMs: number | undefined;
  private readonly reconnectTimer = this._register(new MutableDisposable());
  private readonly healthyTimer = this._register(new MutableDisposable());
  private readonly closeTimer = this._register(new MutableDisposable());
  /** `idleTimeoutMs` while open: fires when no byte arrived for that long. */
  private readonly idleWatch = this._register(new IdleWatch(() => this.now()));
  private readonly stamper = new RecordStamper(() => this.now());
  /** The `llm`, `continuity` and `silence` records this connection's own records give. */
  private readonly derived: DerivedRecords;
  private nextAttemptAt: number | undefined;
  private delayMs: number | undefined;
  private lastClose: ConnectionStatus['lastClose'];
  private lastError: ConnectionStatus['lastError'];
  /** Why the last end was not reconnected (the request's method, `reconnect.onEnd`); cleared by the next attempt. */
  private notReconnected: string | undefined;

  private readonly _onRecord = this._register(new Emitter<ConnRecord>());
  /** Every record, in seq order. */
  readonly onRecord = this._onRecord.event;
  private readonly _onDidChangeState = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onRawChunk = this._register(new Emitter<Buffer>());
  /**
   * SSE: the response body's bytes exactly as they arrive, before any decoding (the raw view, the
   * CLI's `--raw`). Costs nothing while nobody listens. The chunk is only valid during the call.
   */
  readonly onRawChunk = this._onRawChunk.event;
  private readonly _onAdapterSignal = this._register(new Emitter<AdapterSignal>());
  /**
   * WS with a protocol adapter: its handshake is done (`ready`: sends go out from now on), or the
   * protocol says the session's work is complete (`done`: every GraphQL operation completed).
   */
  readonly onAdapterSignal = this._onAdapterSignal.event;

  /** Where the current attempt's sink forwards what the attempt reports. */
  private readonly sinkTarget: SinkTarget = {
    opened: (sink, init) => this.attemptOpened(sink, init),
    record: (init) => {
      this.emit(init);
    },
    ended: (sink, info) => this.attemptEnded(sink, info),
    bytesIn: (n) => {
      this.stamper.stats.bytesIn += n;
      this.idleWatch.dataArrived();
    },
    rawChunk: (chunk) => {
      if (this._onRawChunk.hasListeners) {
        this._onRawChunk.fire(chunk);
      }
    },
    adapterSignal: (signal) => {
      if (signal.kind === 'done') {
        this.emit({ kind: 'info', message: signal.reason });
      }
      this._onAdapterSignal.fire(signal);
    },
    setReconnectDelay: (ms) => {
      // A delay is a number a record can carry (JSON has no Infinity): `retry:` with 400 digits is "forever".
      this.serverRetryMs = Math.min(ms, Number.MAX_SAFE_INTEGER);
    },
  };

  /** How long a client-initiated close may take before the transport is torn down. */
  closeTimeoutMs = 5000;

  constructor(
    options: ConnectionOptions,
    private readonly factories: Record<TransportKind, DriverFactory>,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.id = `c${nextId++}`;
    this._options = options;
    this._kind = kindOf(options);
    this._redactor = Redactor.forOptions(options);
    this.policy = new ReconnectPolicy(resolveReconnectOptions(options.reconnect));
    this.autoRetry = this.policy.options.enabled;
    this.derived = new DerivedRecords(options);
    this.driver = this.factories[this._kind](options, this._redactor);
    this._register({
      dispose: () => {
        this.cancelTimers();
        this.current?.attempt.abort();
        this.current = undefined;
        this.driver.dispose();
      },
    });
  }

  get kind(): TransportKind {
    return this._kind;
  }

  get options(): ConnectionOptions {
    return this._options;
  }

  get state(): ConnectionState {
    return this._state;
  }

  get stats(): Readonly<ConnectionStats> {
    return this.stamper.stats;
  }

  get reconnectOptions(): ReconnectOptions {
    return this.policy.options;
  }

  /** True while a transport is connecting or open (or a reconnect is pending). */
  get isActive(): boolean {
    return this._state === 'connecting' || this._state === 'open' || this._state === 'closing' || this._state === 'reconnecting';
  }

  /** Secrets masked: close reasons, error texts and transport details carry what the server sent. */
  get status(): ConnectionStatus {
    const status: ConnectionStatus = {
      state: this._state,
      since: this.since,
      autoRetry: this.autoRetry,
      attempt: this.attemptNo,
      maxAttempts: this.policy.options.maxAttempts,
      nextAttemptAt: this._state === 'reconnecting' ? this.nextAttemptAt : undefined,
      delayMs: this._state === 'reconnecting' ? this.delayMs : undefined,
      reconnectDelayMs: this.serverRetryMs ?? this.policy.options.initialDelayMs,
      lastClose: this.lastClose,
      lastError: this.lastError,
      ...(this.notReconnected !== undefined && (this._state === 'closed' || this._state === 'failed')
        ? { notReconnected: this.notReconnected }
        : {}),
      details: this.driver.details(),
    };
    const r = this._redactor;
    if (!r.hasSecrets) {
      return status;
    }
    // Field by field, on the values: numbers stay numbers whatever the secrets are.
    status.lastClose = r.value(status.lastClose);
    status.lastError = r.value(status.lastError);
    status.details = r.value(status.details);
    return status;
  }

  /**
   * SSE: what the details pane shows (the last request and response, the retry and Last-Event-ID in
   * force), secrets masked as in {@link status}; undefined for a WebSocket.
   */
  get sseDetails(): SseDetails | undefined {
    const driver = this.driver;
    if (driver.kind !== 'sse') {
      return undefined;
    }
    const details = driver.details();
    return this._redactor.hasSecrets ? this._redactor.value(details) : details;
  }

  /** The redactor in force: masks this connection's secrets. */
  get redactor(): Redactor {
    return this._redactor;
  }

  /**
   * Replaces the options (URL, kind, headers…). Takes effect on the next connect; a live transport is
   * left as it is. The seq keeps counting, so one log can span several configurations.
   */
  setOptions(options: ConnectionOptions): void {
    const kind = kindOf(options);
    this._options = options;
    this._redactor = Redactor.forOptions(options);
    this.policy = new ReconnectPolicy(resolveReconnectOptions(options.reconnect));
    this.autoRetry = this.policy.options.enabled;
    this.serverRetryMs = undefined;
    this.derived.setOptions(options);
    if (!this.current) {
      this.driver.dispose();
      this._kind = kind;
      this.driver = this.factories[kind](options, this._redactor);
    } else {
      this.pendingKind = kind;
    }
  }

  private pendingKind: TransportKind | undefined;

  /** Opens the connection. No-op while connecting, open or reconnecting. */
  connect(): void {
    if (this.isDisposed || this.isActive) {
      return;
    }
    this.attemptNo = 0;
    this.serverRetryMs = undefined;
    this.startAttempt();
  }

  /** Closes on the user's behalf: never followed by a reconnect. */
  disconnect(code?: number, reason?: string): void {
    if (this.isDisposed) {
      return;
    }
    switch (this._state) {
      case 'reconnecting':
        this.cancelTimers();
        this.attemptNo = 0;
        this.transition({ kind: 'close', clean: true, by: 'client', reason: 'reconnect cancelled' }, 'closed');
        return;
      case 'connecting': {
        const cur = this.current;
        this.current = undefined;
        cur?.sink.detach();
        cur?.attempt.abort();
        this.cancelTimers();
        // As when cancelled while waiting: a stopped connection is on no attempt.
        this.attemptNo = 0;
        this.transition({ kind: 'close', clean: true, by: 'client', reason: 'cancelled while connecting' }, 'closed');
        return;
      }
      case 'open': {
        const cur = this.current;
        if (!cur) {
          return;
        }
        this.cancelTimers();
        this.userClosing = true;
        this.transition({ kind: 'closing', code, reason }, 'closing');
        this.closeTimer.value = disposableTimeout(() => {
          // The peer never completed the closing handshake: tear down and say so.
          if (this.current === cur) {
            this.current = undefined;
            cur.sink.detach();
            cur.attempt.abort();
            this.userClosing = false;
            this.transition({ kind: 'close', code: 1006, reason: 'closing handshake timed out', clean: false, by: 'client' }, 'closed');
          }
        }, this.closeTimeoutMs);
        cur.attempt.close(code, reason);
        return;
      }
      default:
        return;
    }
  }

  /** Reconnects at once: skips a pending wait, or closes a live transport and opens a new one. */
  reconnectNow(): void {
    if (this.isDisposed) {
      return;
    }
    if (this._state === 'reconnecting') {
      this.cancelTimers();
      this.startAttempt();
      return;
    }
    if (this._state === 'open' || this._state === 'connecting' || this._state === 'closing') {
      const cur = this.current;
      this.current = undefined;
      this.userClosing = false;
      cur?.sink.detach();
      cur?.attempt.abort();
      this.cancelTimers();
      this.transition({ kind: 'close', clean: true, by: 'client', reason: 'reconnect requested' }, 'closed');
    }
    this.attemptNo = 0;
    this.startAttempt();
  }

  /** Turns automatic reconnection on or off, also while connected; off cancels a pending reconnect. */
  setAutoRetry(on: boolean): void {
    if (this.autoRetry === on) {
      return;
    }
    this.autoRetry = on;
    if (!on && this._state === 'reconnecting') {
      this.cancelTimers();
      this.attemptNo = 0;
      this.transition({ kind: 'info', message: 'Auto-retry turned off: pending reconnect cancelled' }, 'closed');
    } else {
      this.emit({ kind: 'info', message: on ? 'Auto-retry turned on' : 'Auto-retry turned off' });
      this._onDidChangeState.fire(this.status);
    }
  }

  /** WS: sends a text frame. Throws when not open or not a WebSocket. */
  sendText(text: string): void {
    this.requireSend('sendText').sendText!(text);
  }

  /** WS: sends JSON text after checking it parses. */
  sendJson(text: string): void {
    try {
      JSON.parse(text);
    } catch (err) {
      throw new SendError(`Not valid JSON: ${(err as Error).message}`);
    }
    this.sendText(text);
  }

  /**
   * The protocol adapter the connection speaks through (its verbs and flags), if its options chose one.
   * Undefined for SSE and bare WebSocket connections.
   */
  get adapter(): Adapter | undefined {
    const driver = this.driver;
    return driver.kind === 'ws' ? driver.adapter : undefined;
  }

  /**
   * WS with a protocol adapter: a send through one of its verbs (Socket.IO emit, GraphQL subscribe…).
   * Made once the protocol's handshake is done; until then it waits. Throws {@link SendError} in words.
   */
  send(input: AdapterSend): void {
    if (!this.adapter) {
      throw new SendError('This connection has no protocol adapter: send text, JSON or binary instead');
    }
    const attempt = this.current?.attempt;
    if ((this._state !== 'open' && this._state !== 'connecting') || !attempt?.sendAdapter) {
      throw new SendError(`Cannot send: the connection is ${this._state}`);
    }
    try {
      attempt.sendAdapter(input);
    } catch (err) {
      if (err instanceof AdapterSendError) {
        throw new SendError(err.message);
      }
      throw err;
    }
  }

  /** WS: sends a binary frame. */
  sendBinary(bytes: Uint8Array): void {
    this.requireSend('sendBinary').sendBinary!(bytes);
  }

  /** WS: sends a ping with an optional payload (at most 125 bytes). */
  ping(data?: Uint8Array): void {
    if (data && data.length > 125) {
      throw new SendError('A ping payload is at most 125 bytes');
    }
    this.requireSend('ping').ping!(data);
  }

  /**
   * Back-pressure: stops reading from the network until {@link resume} (a consumer that cannot keep
   * up, e.g. the CLI writing to a slow pipe). Records already parsed from a chunk still arrive.
   * Stays in force across reconnects.
   */
  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.current?.attempt.pause?.();
      // Not reading is our doing, not the server's: the idle timeout waits until reading again.
      this.idleWatch.stop();
    }
  }

  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.current?.attempt.resume?.();
      if (this._state === 'open' && this.current) {
        this.startIdleWatch(this.current.sink);
      }
    }
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get canSend(): boolean {
    return this._state === 'open' && !!this.current?.attempt.sendText;
  }

  /**
   * Makes the next record's seq follow `seq` (never goes back): a log restored from disk keeps its
   * seqs, and the records this connection adds come after them, so the log stays in seq order.
   */
  continueSeqAfter(seq: number): void {
    this.stamper.continueAfter(seq);
  }

  /** Adds a contract's result to the log, in order with the records it judged. */
  annotate(init: Omit<AssertionRecord, 'seq' | 'time'> | Omit<SummaryRecord, 'seq' | 'time'>): ConnRecord {
    return this.emit(init);
  }

  /** Adds a note to the log (e.g. "log cleared"). */
  note(message: string): void {
    this.emit({ kind: 'info', message });
  }

  private requireSend(method: 'sendText' | 'sendBinary' | 'ping'): TransportAttempt {
    const attempt = this.current?.attempt;
    if (this._kind !== 'ws') {
      throw new SendError('Sending is only possible on a WebSocket connection');
    }
    if (this._state !== 'open' || !attempt || !attempt[method]) {
      throw new SendError(`Cannot send: the connection is ${this._state}`);
    }
    return attempt;
  }

  // ---- internals ----

  private startAttempt(): void {
    // New options while a transport was live: the driver still holds the old ones (URL, headers…),
    // so it is replaced even when the kind stayed the same.
    if (this.pendingKind) {
      this.driver.dispose();
      this._kind = this.pendingKind;
      this.driver = this.factories[this._kind](this._options, this._redactor);
    }
    this.pendingKind = undefined;
    this.nextAttemptAt = undefined;
    this.delayMs = undefined;
    this.notReconnected = undefined;
    this.userClosing = false;
    const d = this.driver.describe();
    this.transition(
      {
        kind: 'connecting',
        ...d,
        url: this._redactor.url(d.url),
        headers: this._redactor.headers(d.headers),
        attempt: this.attemptNo,
      },
      'connecting',
    );
    const sink = new AttemptSink(this.sinkTarget);
    let attempt: TransportAttempt;
    try {
      attempt = this.driver.start(sink, this.attemptNo);
    } catch (err) {
      // A transport that cannot even start (bad URL, unreadable CA file…) fails without retry.
      sink.detach();
      this.current = undefined;
      this.failNow({ code: 'ERR_INTERNAL', message: (err as Error).message ?? String(err) });
      return;
    }
    if (sink.isDetached) {
      return; // ended synchronously inside start()
    }
    this.current = { attempt, sink };
    if (this.paused) {
      attempt.pause?.();
    }
  }

  private attemptOpened(sink: AttemptSink, init: Init<OpenRecord>): void {
    if (this.current && this.current.sink !== sink) {
      return;
    }
    this.lastError = undefined;
    this.transition({ kind: 'open', ...init, url: this._redactor.url(init.url), headers: this._redactor.headers(init.headers) }, 'open');
    this.healthyTimer.value = disposableTimeout(() => {
      // Open this long: whatever ends it, the next reconnect is attempt 1.
      if (!sink.isDetached) {
        this.attemptNo = 0;
      }
    }, this.policy.options.resetAfterMs);
    this.startIdleWatch(sink);
  }

  private get idleTimeoutMs(): number {
    const ms = this._options.idleTimeoutMs;
    return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  /** Starts (or restarts) the idle timeout for the open attempt of `sink`, when one is set. */
  private startIdleWatch(sink: AttemptSink): void {
    const ms = this.idleTimeoutMs;
    this.idleWatch.stop();
    if (ms === 0 || this.paused) {
      return;
    }
    const stillWanted = () => this.current?.sink === sink && this._state === 'open' && !this.paused;
    this.idleWatch.start(ms, stillWanted, () => this.idleExpired(this.current!, ms));
  }

  /**
   * No byte for `ms`: the stream stalled. A stall is a network failure (a proxy or a peer that went
   * quiet without hanging up), so it ends the attempt as one: the reconnect policy decides, and an
   * SSE reconnect sends Last-Event-ID.
   */
  private idleExpired(cur: CurrentAttempt, ms: number): void {
    const what = `no data for ${formatSeconds(ms)}`;
    cur.sink.detach();
    cur.attempt.abort();
    this.attemptEnded(cur.sink, {
      close: { ...(this._kind === 'ws' ? { code: 1006 } : {}), reason: what, clean: false, by: 'client' },
      error: { code: 'ERR_TIMEOUT', message: `No data for ${formatSeconds(ms)} (idle timeout ${ms} ms): the connection was dropped` },
      retry: true,
    });
  }

  private attemptEnded(sink: AttemptSink, info: EndInfo): void {
    if (this.current && this.current.sink !== sink) {
      return;
    }
    this.current = undefined;
    this.healthyTimer.clear();
    this.closeTimer.clear();
    this.idleWatch.stop();

    if (this.userClosing) {
      this.userClosing = false;
      this.transition({ kind: 'close', clean: true, ...info.close, by: 'client' }, 'closed');
      return;
    }
    // Data, then a failure: the server works, so the counter starts again. Data, then a clean end
    // before resetAfterMs: the server answered and hung up, and doing that again is a loop, not a
    // recovery, so the counter counts on (and the loop ends at maxAttempts).
    if (sink.sawData && !info.serverEnded) {
      this.attemptNo = 0;
    }
    let retryable = info.retry && this.autoRetry && !this.isDisposed;
    const refusal = retryable ? this.refusal(info) : undefined;
    if (refusal !== undefined) {
      retryable = false;
      this.notReconnected = refusal;
    }
    if (info.close) {
      this.transition({ kind: 'close', by: 'server', ...info.close }, 'closed');
    }
    const nextAttempt = this.attemptNo + 1;
    const willRetry = retryable && this.policy.allows(nextAttempt);
    if (info.error) {
      this.lastError = { code: info.error.code, message: info.error.message, status: info.error.status, statusText: info.error.statusText };
      if (willRetry || retryable) {
        this.emit({ kind: 'error', ...info.error, fatal: false });
      } else {
        if (refusal !== undefined) {
          this.emit({ kind: 'info', message: refusal });
        }
        this.transition({ kind: 'error', ...info.error, fatal: true }, 'failed');
        return;
      }
    } else if (!info.close) {
      this.transition({ kind: 'close', clean: false, by: 'network' }, 'closed');
    }
    if (refusal !== undefined) {
      this.emit({ kind: 'info', message: refusal });
    }
    if (willRetry) {
      this.scheduleReconnect(nextAttempt);
    } else if (retryable) {
      const max = this.policy.options.maxAttempts;
      this.failNow({
        code: 'ERR_RETRIES_EXHAUSTED',
        message: `Gave up after ${max} reconnect attempt${max === 1 ? '' : 's'}`,
      });
    }
  }

  /**
   * SSE: why this end is not reconnected although the transport would allow it, or undefined. A
   * request that is not a GET (an LLM prompt, an order) is not sent again when the server finished
   * answering it, nor after a network failure, unless the policy says so (`onEnd`, `methods`).
   */
  private refusal(info: EndInfo): string | undefined {
    if ((this.pendingKind ?? this._kind) !== 'sse') {
      return undefined;
    }
    const method = (this._options.method || 'GET').toUpperCase();
    if (info.serverEnded) {
      if (this.policy.reconnectsAfterEnd(method)) {
        return undefined;
      }
      return this.policy.options.onEnd === false
        ? 'The server ended the stream; not reconnecting (reconnect.onEnd is off)'
        : `The server ended the ${method} stream; not reconnecting (a ${method} is sent again after the stream ends only with reconnect.onEnd)`;
    }
    if (this.policy.retriesAfterFailure(method)) {
      return undefined;
    }
    return `Not retrying: a ${method} is retried after a network failure only when reconnect.methods includes ${method}`;
  }

  private failNow(error: TransportError): void {
    this.lastError = { code: error.code, message: error.message, status: error.status, statusText: error.statusText };
    this.transition({ kind: 'error', ...error, fatal: true }, 'failed');
  }

  private scheduleReconnect(attempt: number): void {
    this.attemptNo = attempt;
    const delay = this.policy.delayFor(attempt, this.serverRetryMs);
    this.delayMs = delay;
    this.nextAttemptAt = this.now() + delay;
    this.transition({ kind: 'reconnecting', attempt, delayMs: delay, maxAttempts: this.policy.options.maxAttempts }, 'reconnecting');
    this.reconnectTimer.value = disposableTimeout(() => {
      if (this._state === 'reconnecting' && !this.isDisposed) {
        this.startAttempt();
      }
    }, delay);
  }

  private cancelTimers(): void {
    this.reconnectTimer.clear();
    this.healthyTimer.clear();
    this.closeTimer.clear();
    this.idleWatch.stop();
  }

  private transition(init: RecordInit, state: ConnectionState): void {
    this._state = state;
    this.since = this.now();
    if (init.kind === 'close') {
      this.lastClose = { code: init.code, reason: init.reason, clean: init.clean };
    }
    this.emit({ ...init, state } as RecordInit);
    this._onDidChangeState.fire(this.status);
  }

  private emit(init: RecordInit): ConnRecord {
    const mark = this.derived.before(init, this.now());
    if (mark) {
      this.fire(this.stamper.stamp(mark));
    }
    const record = this.stamper.stamp(init);
    // The lens reads the record before the listeners do, so they see the response it joined so far.
    const derived = this.derived.after(record);
    this.fire(record);
    for (const d of derived) {
      this.fire(this.stamper.stamp(d));
    }
    return record;
  }

  private fire(record: ConnRecord): void {
    if (this._onRecord.hasListeners) {
      this._onRecord.fire(record);
    }
  }

  /** The LLM response being joined from this connection's events now, if any (the lens, `llm/lens.ts`). */
  get llmLens(): DerivedRecords['llm'] {
    return this.derived.llm;
  }
}

/** `1500` → "1.5 s", `30000` → "30 s". */
function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Thrown by the send methods; the message is for the user. */
export class SendError extends Error {
  readonly code = 'ERR_SEND';
}

/** The attempt the connection is on, and the sink it reports to. */
interface CurrentAttempt {
  attempt: TransportAttempt;
  sink: AttemptSink;
}
