/**
 * A protocol adapter running on one WebSocket attempt: the {@link AdapterHost} the adapter talks to.
 * It owns the adapter's attempt and every timer the adapter made, and dies with the socket's attempt
 * (`wsAttempt.ts` makes one per attempt when the connection has an adapter). The user's sends made
 * before the protocol's handshake is done wait here and go out, in order, once it is.
 */
import type { AdapterAttempt, AdapterHost, AdapterSend, FrameDecoded, InboundFrame } from './adapters/adapter';
import { AdapterSendError } from './adapters/adapter';
import type { ResolvedAdapter } from './adapters/registry';
import { DisposableStore, type IDisposable, disposableInterval, disposableTimeout } from './lifecycle';
import type { Decoded, RecordInit } from './records';
import type { AdapterSignal } from './transport';

/** What the adapter's run needs of its socket's attempt. */
export interface AdapterSocket {
  writeText(text: string, decoded: Decoded): void;
  writeBinary(bytes: Uint8Array, decoded: Decoded): void;
  record(init: RecordInit): void;
  /** The protocol ended the session: close the socket with `closeCode`, end the attempt with `message`. */
  fail(message: string, retry: boolean, closeCode: number): void;
  /** The handshake is done, or every operation completed. */
  signal(signal: AdapterSignal): void;
}

/** Most sends kept while the handshake is under way; beyond that a send is refused in words. */
const MAX_QUEUED_SENDS = 1000;

export class AdapterRun implements AdapterHost, IDisposable {
  private readonly timers = new DisposableStore();
  private readonly attempt: AdapterAttempt;
  private over = false;
  private isReady = false;
  private queued: AdapterSend[] = [];

  constructor(
    readonly resolved: ResolvedAdapter,
    private readonly socket: AdapterSocket,
  ) {
    this.attempt = resolved.adapter.begin(this, resolved.options as never);
  }

  get name(): string {
    return this.resolved.adapter.name;
  }

  // ---- the transport's side ----

  opened(protocol: string): void {
    if (!this.over) {
      this.guard(() => this.attempt.opened({ protocol }));
    }
  }

  /** The frame's decoded messages; a failing adapter yields one `invalid` entry, never a throw. */
  receive(frame: InboundFrame): readonly FrameDecoded[] {
    if (this.over) {
      return [];
    }
    try {
      return this.attempt.receive(frame);
    } catch (err) {
      return [
        {
          protocol: this.resolved.adapter.name,
          type: 'invalid',
          error: `the ${this.name} adapter could not read this frame: ${messageOf(err)}`,
        },
      ];
    }
  }

  /** A user send: made now when the handshake is done, kept until it is otherwise. Throws {@link AdapterSendError}. */
  send(input: AdapterSend): void {
    if (this.over) {
      throw new AdapterSendError('Cannot send: the connection is closed');
    }
    if (!this.isReady) {
      if (this.queued.length >= MAX_QUEUED_SENDS) {
        throw new AdapterSendError(`Cannot send: the ${this.name} handshake is not done and ${MAX_QUEUED_SENDS} sends are already waiting`);
      }
      this.queued.push(input);
      return;
    }
    this.attempt.send(input);
  }

  closing(): void {
    if (!this.over) {
      this.guard(() => this.attempt.closing?.());
    }
  }

  closed(close: { code: number; reason: string }): { message: string; retry: boolean } | undefined {
    if (this.over || !this.attempt.closed) {
      return undefined;
    }
    try {
      return this.attempt.closed(close);
    } catch {
      return undefined;
    }
  }

  // ---- AdapterHost ----

  sendText(text: string, decoded: Decoded): void {
    if (!this.over) {
      this.socket.writeText(text, decoded);
    }
  }

  sendBinary(bytes: Uint8Array, decoded: Decoded): void {
    if (!this.over) {
      this.socket.writeBinary(bytes, decoded);
    }
  }

  note(message: string): void {
    if (!this.over) {
      this.socket.record({ kind: 'info', message });
    }
  }

  ready(): void {
    if (this.over || this.isReady) {
      return;
    }
    this.isReady = true;
    this.socket.signal({ kind: 'ready' });
    const queued = this.queued;
    this.queued = [];
    for (const input of queued) {
      if (this.over) {
        return;
      }
      try {
        this.attempt.send(input);
      } catch (err) {
        this.socket.record({ kind: 'error', code: 'ERR_SEND', message: messageOf(err), fatal: false });
      }
    }
  }

  fail(message: string, options: { retry: boolean; closeCode?: number }): void {
    if (this.over) {
      return;
    }
    this.socket.fail(message, options.retry, options.closeCode ?? 1000);
  }

  done(reason: string, options?: { failed?: boolean }): void {
    if (!this.over) {
      this.socket.signal({ kind: 'done', reason, ...(options?.failed ? { failed: true } : {}) });
    }
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const timer: IDisposable = disposableTimeout(() => {
      this.timers.delete(timer);
      this.guard(fn);
    }, ms);
    return this.timer(timer);
  }

  setInterval(fn: () => void, ms: number): IDisposable {
    return this.timer(disposableInterval(() => this.guard(fn), ms));
  }

  now(): number {
    return Date.now();
  }

  dispose(): void {
    if (this.over) {
      return;
    }
    this.over = true;
    this.queued = [];
    this.timers.dispose();
    try {
      this.attempt.dispose();
    } catch {
      // An adapter failing to let go must not keep the attempt alive.
    }
  }

  // ---- helpers ----

  /** A timer held until it fires or its holder disposes it; every one left dies with the run. */
  private timer(inner: IDisposable): IDisposable {
    this.timers.add(inner);
    return { dispose: () => this.timers.delete(inner) };
  }

  /** Runs adapter code from a timer or a lifecycle call: a throw is an error record, not a crash. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.socket.record({
        kind: 'error',
        code: 'ERR_INTERNAL',
        message: `The ${this.name} adapter failed: ${messageOf(err)}`,
        fatal: false,
      });
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
