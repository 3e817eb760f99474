import { Disposable, Emitter } from './lifecycle';

/**
 * Paces a stream into batches: at most one flush per `intervalMs` whatever the input rate. The first
 * item after a quiet period is delivered after at most `intervalMs`, so latency at low rates stays
 * one frame. It counts the items and holds none: the flush handler reads them from where they are
 * kept (a store), so nothing is kept alive in between for the garbage collector to copy.
 */
export class Batcher extends Disposable {
  private pending = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly _onFlush = this._register(new Emitter<number>());
  /** Fires with the number of items pushed since the last flush. */
  readonly onFlush = this._onFlush.event;

  /** Least time between two flushes; a change applies from the next flush armed. */
  intervalMs: number;

  constructor(intervalMs = 16) {
    super();
    this.intervalMs = intervalMs;
    this._register({ dispose: () => this.cancel() });
  }

  /** One more item is due in the next batch. */
  push(): void {
    if (this.isDisposed) {
      return;
    }
    this.pending++;
    if (this.timer === undefined) {
      this.arm();
    }
  }

  /**
   * Flushes when the interval since the last flush is over. A timer may fire a little early by the
   * wall clock (the event loop's clock is read once per turn), so it checks and waits out the rest.
   */
  private arm(): void {
    const wait = this.lastFlush + this.intervalMs - Date.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (Date.now() < this.lastFlush + this.intervalMs) {
          this.arm();
        } else {
          this.flush();
        }
      },
      Math.max(0, wait),
    );
  }

  /** Delivers what is pending now. */
  flush(): void {
    this.cancel();
    if (this.pending === 0) {
      return;
    }
    const count = this.pending;
    this.pending = 0;
    this.lastFlush = Date.now();
    this._onFlush.fire(count);
  }

  /** Drops what is pending (e.g. when the log is cleared). */
  discard(): void {
    this.cancel();
    this.pending = 0;
  }

  get pendingCount(): number {
    return this.pending;
  }

  private cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
