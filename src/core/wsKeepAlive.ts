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

/** Pings sent and not answered yet, kept at most this many (a peer that never answers costs nothing). */
const MAX_OUTSTANDING_PINGS = 32;

/**
 * Round-trip times: each ping we send (keep-alive or manual) is remembered with its payload and the
 * time; a pong with the same payload answers the oldest such ping (pings before it went unanswered)
 * and gives its `rttMs`. A pong that answers none of ours (unsolicited, the peer's heartbeat) has none.
 */
export class PingClock {
  private readonly outstanding: { payload: string; at: number }[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A ping with `payload` (base64) was sent. */
  sent(payload: string): void {
    if (this.outstanding.length >= MAX_OUTSTANDING_PINGS) {
      this.outstanding.shift();
    }
    this.outstanding.push({ payload, at: this.now() });
  }

  /** A pong with `payload` arrived: ms since the ping it answers (to 0.1 ms), or undefined. */
  answered(payload: string): number | undefined {
    const i = this.outstanding.findIndex((p) => p.payload === payload);
    if (i === -1) {
      return undefined;
    }
    const { at } = this.outstanding[i];
    this.outstanding.splice(0, i + 1);
    return Math.round((this.now() - at) * 10) / 10;
  }
}
