/**
 * WebSocket keep-alive: a ping every `intervalMs` while open, and a deadline of `timeoutMs` from the
 * first unanswered ping (later pings do not push it back). A peer that misses it is presumed dead.
 */
import { disposableInterval, disposableTimeout, type IDisposable, MutableDisposable } from './lifecycle';
import type { KeepAliveOptions } from './options';

/** The socket side of keep-alive: the attempt that owns the WebSocket. */
export interface KeepAlivePeer {
  /** Sends one keep-alive ping and records it; false when none was sent (not open, paused, the send failed). */
  sendPing(): boolean;
  /** No pong came within `timeoutMs` of a ping: the attempt drops the connection. */
  presumedDead(timeoutMs: number): void;
}

export class KeepAlive implements IDisposable {
  private readonly pinger = new MutableDisposable();
  /** Runs from the first unanswered ping until a pong arrives. */
  private readonly pongDeadline = new MutableDisposable();

  constructor(
    private readonly options: KeepAliveOptions,
    private readonly peer: KeepAlivePeer,
  ) {}

  /** Starts pinging (the WebSocket is open). */
  start(): void {
    const { intervalMs, timeoutMs } = this.options;
    this.pinger.value = disposableInterval(() => {
      if (this.peer.sendPing() && !this.pongDeadline.value) {
        this.pongDeadline.value = disposableTimeout(() => {
          this.stop();
          this.peer.presumedDead(timeoutMs);
        }, timeoutMs);
      }
    }, intervalMs);
  }

  /** A pong arrived, or the consumer stopped reading (and so cannot see pongs): no deadline runs. */
  cancelDeadline(): void {
    this.pongDeadline.clear();
  }

  /** No more pings and no deadline (a close began, the attempt is over). */
  stop(): void {
    this.pinger.clear();
    this.pongDeadline.clear();
  }

  dispose(): void {
    this.pinger.dispose();
    this.pongDeadline.dispose();
  }
}
