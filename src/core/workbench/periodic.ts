/**
 * A periodic sender: a message every N ms, K times or until stopped. The schedule does not drift:
 * send i is due at start + i·N on one monotonic clock, and each timer waits only until the next due
 * time (a late send makes the wait after it shorter instead of pushing every later send back, as
 * chained timeouts would). It stops when the connection leaves `open` (a close, a failure, a
 * reconnect) and starts again after a reconnect only when asked to (`resumeAfterReconnect`).
 */
import type { ConnectionState } from '../records';
import { Disposable, Emitter, type Event, MutableDisposable, disposableTimeout, toDisposable } from '../lifecycle';

export interface RepeatOptions {
  /** The interval, in ms (at least 1). */
  everyMs: number;
  /** How many sends in all; undefined: until stopped. */
  times?: number;
  /** After a reconnect, go on with the sends left (a fresh schedule from the new open). Default false. */
  resumeAfterReconnect?: boolean;
}

/** What the sender needs of a connection. */
export interface RepeatTarget {
  readonly state: ConnectionState;
  readonly onDidChangeState: Event<unknown>;
}

export interface RepeatStatus {
  running: boolean;
  /** Waiting for the connection to open again (`resumeAfterReconnect`). */
  waiting: boolean;
  sent: number;
  times?: number;
  everyMs: number;
  /** Why it stopped, in words, once it has. */
  stopped?: string;
}

/** The smallest interval accepted. */
export const MIN_REPEAT_MS = 1;

/** The problem with repeat options, in words, or undefined. */
export function repeatProblem(o: { everyMs: unknown; times?: unknown }): string | undefined {
  if (!Number.isSafeInteger(o.everyMs) || (o.everyMs as number) < MIN_REPEAT_MS) {
    return `the interval must be a whole number of milliseconds of at least ${MIN_REPEAT_MS}`;
  }
  if (o.times !== undefined && (!Number.isSafeInteger(o.times) || (o.times as number) < 1)) {
    return 'the count must be a whole number of at least 1';
  }
  return undefined;
}

export class PeriodicSender extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private readonly _onDidChange = this._register(new Emitter<RepeatStatus>());
  /** Fires on every send and when it stops or waits. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidSend = this._register(new Emitter<{ index: number; dueOffsetMs: number; atOffsetMs: number }>());
  /** Each send: its index in the current schedule, when it was due and when it went, as offsets from the schedule's start. */
  readonly onDidSend = this._onDidSend.event;

  private started = 0;
  /** Sends made in the current schedule (a resumed one starts at 0 again). */
  private index = 0;
  private _sent = 0;
  private _running = false;
  private _waiting = false;
  private _stopped: string | undefined;

  /**
   * `send(n)` sends the n-th message (0 first, counted over all schedules) and throws when it
   * cannot: the sender stops with that error's message.
   */
  constructor(
    private readonly target: RepeatTarget,
    private readonly send: (n: number) => void,
    readonly options: RepeatOptions,
    private readonly clock: () => number = () => performance.now(),
  ) {
    super();
    const problem = repeatProblem(options);
    if (problem) {
      throw new RangeError(problem);
    }
    this._register(target.onDidChangeState(() => this.onState()));
  }

  get status(): RepeatStatus {
    return {
      running: this._running,
      waiting: this._waiting,
      sent: this._sent,
      times: this.options.times,
      everyMs: this.options.everyMs,
      stopped: this._stopped,
    };
  }

  /** When the current schedule started, on the sender's clock. */
  get startedAt(): number {
    return this.started;
  }

  /** The offset from the schedule's start at which send `i` is due: always `i · everyMs`. */
  dueOffset(i: number): number {
    return i * this.options.everyMs;
  }

  /** Starts the schedule now (the first send at once). Throws when the connection is not open. */
  start(): void {
    if (this._running || this._stopped !== undefined) {
      return;
    }
    if (this.target.state !== 'open') {
      throw new Error('Repeat needs an open connection');
    }
    this.begin();
  }

  /** Stops for good, with the reason shown. */
  stop(reason = 'stopped'): void {
    if (this._stopped !== undefined) {
      return;
    }
    this.timer.clear();
    this._running = false;
    this._waiting = false;
    this._stopped = reason;
    this._onDidChange.fire(this.status);
  }

  private begin(): void {
    this._running = true;
    this._waiting = false;
    this.started = this.clock();
    this.index = 0;
    this._onDidChange.fire(this.status);
    this.tick();
  }

  private tick(): void {
    if (!this._running) {
      return;
    }
    const due = this.dueOffset(this.index);
    // A timer may fire a fraction of a millisecond early: wait out the rest, never send before the slot.
    const early = this.started + due - this.clock();
    if (early > 0) {
      this.timer.value = disposableTimeout(() => this.tick(), Math.ceil(early));
      return;
    }
    try {
      this.send(this._sent);
    } catch (err) {
      this.stop(`cannot send: ${(err as Error).message}`);
      return;
    }
    const at = this.clock() - this.started;
    this.index++;
    this._sent++;
    this._onDidSend.fire({ index: this.index - 1, dueOffsetMs: due, atOffsetMs: at });
    if (this.options.times !== undefined && this._sent >= this.options.times) {
      this.stop(`done: ${this._sent} sent`);
      return;
    }
    this._onDidChange.fire(this.status);
    const wait = Math.max(0, Math.ceil(this.started + this.dueOffset(this.index) - this.clock()));
    this.timer.value = disposableTimeout(() => this.tick(), wait);
  }

  private onState(): void {
    const state = this.target.state;
    if (this._running && state !== 'open') {
      this.timer.clear();
      this._running = false;
      if (this.options.resumeAfterReconnect && state !== 'closing') {
        this._waiting = true;
        this._onDidChange.fire(this.status);
        this.settle();
      } else {
        this.stop(state === 'closing' || state === 'closed' ? 'the connection closed' : `the connection is ${state}`);
      }
    } else if (this._waiting) {
      if (state === 'open') {
        this.timer.clear();
        this.begin();
      } else if (state === 'closing') {
        this.stop('the connection closed');
      } else {
        this.settle();
      }
    }
  }

  /** A close may be followed at once by a reconnect: decide once the transition has settled. */
  private settle(): void {
    const state = this.target.state;
    if (state !== 'closed' && state !== 'failed') {
      return;
    }
    const handle = setImmediate(() => {
      const now = this.target.state;
      if (this._waiting && (now === 'closed' || now === 'failed')) {
        this.stop(now === 'failed' ? 'the connection failed' : 'the connection closed');
      }
    });
    this.timer.value = toDisposable(() => clearImmediate(handle));
  }
}
