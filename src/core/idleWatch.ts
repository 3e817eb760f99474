/**
 * The idle timeout of an open attempt (`idleTimeoutMs`): expires when no byte arrived for that long.
 * Data only moves a timestamp; the timer, when it fires early, waits out the rest of the quiet time.
 */
import { disposableTimeout, type IDisposable, MutableDisposable } from './lifecycle';

export class IdleWatch implements IDisposable {
  private readonly timer = new MutableDisposable();
  /** When the last byte arrived (only kept while watching). */
  private lastDataAt = 0;

  constructor(private readonly now: () => number) {}

  /**
   * Watches for `ms` without data (replacing any watch in force). When the timer fires, a watch that
   * `stillWanted()` no longer is ends; one that saw no byte for `ms` ends with `expired()`.
   */
  start(ms: number, stillWanted: () => boolean, expired: () => void): void {
    this.lastDataAt = this.now();
    const check = (wait: number) => {
      this.timer.value = disposableTimeout(() => {
        if (!stillWanted()) {
          this.timer.clear();
          return;
        }
        const quiet = this.now() - this.lastDataAt;
        if (quiet < ms) {
          check(ms - quiet);
          return;
        }
        this.timer.clear();
        expired();
      }, wait);
    };
    check(ms);
  }

  /** Bytes arrived. */
  dataArrived(): void {
    if (this.timer.value) {
      this.lastDataAt = this.now();
    }
  }

  stop(): void {
    this.timer.clear();
  }

  dispose(): void {
    this.timer.dispose();
  }
}
