/** Least time between two samples: over a shorter window the rate would jump with every burst. */
const MIN_SAMPLE_MS = 500;

/** Messages per second of a growing message count, sampled by the views' ticker. */
export class MessageRate {
  private last = { count: 0, at: Date.now() };
  private perSecond = 0;

  /** The rate the last sample found. */
  get value(): number {
    return this.perSecond;
  }

  /** Counts from `count`, now (a new connection starts). */
  restart(count: number, now = Date.now()): void {
    this.last = { count, at: now };
  }

  /** The rate since the previous sample, taken anew when that was at least {@link MIN_SAMPLE_MS} ago. */
  sample(count: number, now = Date.now()): number {
    const elapsed = now - this.last.at;
    if (elapsed >= MIN_SAMPLE_MS) {
      this.perSecond = Math.max(0, ((count - this.last.count) * 1000) / elapsed);
      this.last = { count, at: now };
    }
    return this.perSecond;
  }
}
