/**
 * The transport contract, written once: what a connection gives a driver, what a driver's attempt
 * reports back, and the lifecycle words both drivers (SSE in sse.ts, WebSocket in ws.ts) use.
 *
 * Lifecycle, the same in both drivers:
 * - A driver makes one attempt at a time, its `current`: `start()` makes it and begins it.
 * - An attempt is `over` once it ended. `end(info)` reports how, once, through the sink, after
 *   `teardown()` released everything the attempt holds (request, socket, timers, listeners) and told
 *   the driver (`attemptOver`). The connection's `abort()` is a teardown without a report.
 */
import type { Adapter, AdapterSend } from './adapters/adapter';
import type { IDisposable } from './lifecycle';
import type { ConnectionOptions } from './options';
import type { Redactor } from './redactor';
import type { CloseRecord, ConnectingRecord, ErrorRecord, OpenRecord, RecordInit, SseDetails, TransportKind, WsDetails } from './records';

/** A record as a transport makes it: the connection stamps `seq` and `time` and sets `kind`/`state`. */
export type Init<R> = Omit<R, 'seq' | 'time' | 'kind' | 'state'>;

/** An error as a transport reports it (the connection decides whether it is fatal). */
export type TransportError = Omit<Init<ErrorRecord>, 'fatal'>;

/** How a transport attempt ended, as the transport saw it. */
export interface EndInfo {
  /** What went wrong, if anything (the connection decides whether it is fatal). */
  error?: TransportError;
  /** The close, when the transport had a channel to close (an open response or socket). */
  close?: Omit<Init<CloseRecord>, 'by'> & { by?: CloseRecord['by'] };
  /** Whether the reconnect policy may reopen after this end (false for HTTP 204, a refused upgrade…). */
  retry: boolean;
  /**
   * SSE: the server ended the response body (it finished answering) rather than the network or the
   * server failing. Such an end is reconnected only as `reconnect.onEnd` says, and it does not count
   * as a recovery: the attempt counter counts on.
   */
  serverEnded?: boolean;
}

/** Where a transport attempt reports. Calls after the attempt ended (or was aborted) are ignored. */
export interface TransportSink {
  /** The transport is open; becomes the `open` record. */
  opened(init: Init<OpenRecord>): void;
  /** Any non-transition record: message, comment, retry, ping, pong, info, non-fatal error. */
  record(init: RecordInit): void;
  /** The attempt is over; the connection decides what comes next. */
  ended(info: EndInfo): void;
  /** Raw bytes arrived (counted in stats even when they carry no record). */
  bytesIn(n: number): void;
  /**
   * SSE: the response body's bytes exactly as they arrived, before any decoding (the raw view, the
   * CLI's `--raw`). The chunk is only valid during the call.
   */
  rawChunk(chunk: Buffer): void;
  /** SSE `retry:`: the base reconnection delay from now on. */
  setReconnectDelay(ms: number): void;
  /**
   * Data arrived: the server has shown the connection works. If the attempt then fails, the attempt
   * counter starts again; if the server ends it cleanly before `resetAfterMs`, it counts on.
   */
  healthy(): void;
  /** WS with a protocol adapter: its handshake is done, or its work is (every GraphQL operation completed). */
  adapterSignal?(signal: AdapterSignal): void;
}

/** What a protocol adapter tells the connection beyond records. */
export type AdapterSignal = { kind: 'ready' } | { kind: 'done'; reason: string; failed?: boolean };

/** One attempt to connect, as the connection controls it. */
export interface TransportAttempt {
  /** Close gracefully (WS closing handshake); must end with `sink.ended`. */
  close(code?: number, reason?: string): void;
  /** Tear down now, silently: no further sink calls matter. */
  abort(): void;
  sendText?(text: string): void;
  sendBinary?(bytes: Uint8Array): void;
  ping?(data?: Uint8Array): void;
  /** WS with a protocol adapter: a send through the protocol's verbs; throws `AdapterSendError` in words. */
  sendAdapter?(input: AdapterSend): void;
  /** Stop reading from the network (back-pressure from a slow consumer); TCP flow control slows the peer. */
  pause?(): void;
  /** Read again after `pause()`. */
  resume?(): void;
}

/** The transport side of a connection: makes attempts and keeps what persists across them. */
interface DriverOf<K extends TransportKind, D> extends IDisposable {
  readonly kind: K;
  /** What the `connecting` record shows (headers already redacted by the connection). */
  describe(): Omit<Init<ConnectingRecord>, 'attempt'>;
  /** Makes the current attempt (a previous one still live is aborted) and begins it. */
  start(sink: TransportSink, attempt: number): TransportAttempt;
  /** What persists across attempts, for the status; URLs and headers masked by the driver. */
  details(): D;
}

export type SseTransportDriver = DriverOf<'sse', SseDetails>;
export type WsTransportDriver = DriverOf<'ws', WsDetails> & {
  /** The protocol adapter the attempts run, if the options chose one (options already checked). */
  readonly adapter?: Adapter;
};
/** Either driver: `kind` tells which, and so what its details are. */
export type TransportDriver = SseTransportDriver | WsTransportDriver;

export type DriverFactory = (options: ConnectionOptions, redactor: Redactor) => TransportDriver;

/** What the connection does with what its current attempt reports (the attempt's sink forwards here). */
export interface SinkTarget {
  opened(sink: AttemptSink, init: Init<OpenRecord>): void;
  record(init: RecordInit): void;
  ended(sink: AttemptSink, info: EndInfo): void;
  bytesIn(n: number): void;
  rawChunk(chunk: Buffer): void;
  setReconnectDelay(ms: number): void;
  adapterSignal(signal: AdapterSignal): void;
}

/**
 * The sink of one attempt. The connection detaches it when it lets go of the attempt (abort, idle
 * timeout, close timeout); from then on, and after `ended`, nothing the attempt reports arrives.
 */
export class AttemptSink implements TransportSink {
  private detached = false;
  /** The attempt received data (an SSE event, a WS message). */
  sawData = false;

  constructor(private readonly target: SinkTarget) {}

  get isDetached(): boolean {
    return this.detached;
  }

  detach(): void {
    this.detached = true;
  }

  opened(init: Init<OpenRecord>): void {
    if (!this.detached) {
      this.target.opened(this, init);
    }
  }

  record(init: RecordInit): void {
    if (!this.detached) {
      this.target.record(init);
    }
  }

  ended(info: EndInfo): void {
    if (!this.detached) {
      this.detached = true;
      this.target.ended(this, info);
    }
  }

  bytesIn(n: number): void {
    if (!this.detached) {
      this.target.bytesIn(n);
    }
  }

  rawChunk(chunk: Buffer): void {
    if (!this.detached) {
      this.target.rawChunk(chunk);
    }
  }

  setReconnectDelay(ms: number): void {
    if (!this.detached) {
      this.target.setReconnectDelay(ms);
    }
  }

  healthy(): void {
    if (!this.detached) {
      this.sawData = true;
    }
  }

  adapterSignal(signal: AdapterSignal): void {
    if (!this.detached) {
      this.target.adapterSignal(signal);
    }
  }
}
