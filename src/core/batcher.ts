import { Disposable, Emitter } from './lifecycle';

/**
 * Collects items and hands them over in batches, at most one batch per `intervalMs` whatever the
 * input rate. The first item after a quiet period is delivered after at most `intervalMs`, so
 * latency at low rates stays one frame.
 */
export class Batcher<T> extends Disposable {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly _onFlush = this._register(new Emitter<T[]>());
  readonly onFlush = this._onFlush.event;

  constructor(private readonly intervalMs = 16) {
    super();
    this._register({ dispose: () => this.cancel() });
  }

  push(item: T): void {
    if (this.isDisposed) {
      return;
    }
    this.pending.push(item);
    if (this.timer === undefined) {
      const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
      this.timer = setTimeout(() => this.flush(), wait);
    }
  }

  /** Delivers what is pending now. */
  flush(): void {
    this.cancel();
    if (this.pending.length === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = [];
    this.lastFlush = Date.now();
    this._onFlush.fire(batch);
  }

  /** Drops what is pending (e.g. when the log is cleared). */
  discard(): void {
    this.cancel();
    this.pending = [];
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private cancel(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
