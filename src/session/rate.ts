/** Least time between two samples. */
const MIN_SAMPLE_MS = 500;
/**
 * The rate is the count's growth over the last this long: messages come in bursts (a socket read, a
 * batch), and over a second alone a steady 5,000/s reads anywhere from 1,000 to 8,000.
 */
export const RATE_WINDOW_MS = 5000;

/** Messages per second of a growing message count, sampled by the views' ticker, smoothed over {@link RATE_WINDOW_MS}. */
export class MessageRate {
  /** Samples oldest first; the first is the base, at most the window before the newest. */
  private samples: { count: number; at: number }[] = [{ count: 0, at: Date.now() }];
  private perSecond = 0;

  /** The rate the last sample found. */
  get value(): number {
    return this.perSecond;
  }

  /** Counts from `count`, now (a new connection starts). */
  restart(count: number, now = Date.now()): void {
    this.samples = [{ count, at: now }];
  }

  /** The rate over the window, taken anew when the previous sample was at least {@link MIN_SAMPLE_MS} ago. */
  sample(count: number, now = Date.now()): number {
    const samples = this.samples;
    if (now - samples[samples.length - 1].at >= MIN_SAMPLE_MS) {
      samples.push({ count, at: now });
      while (samples.length > 2 && now - samples[1].at >= RATE_WINDOW_MS) {
        samples.shift();
      }
      const base = samples[0];
      this.perSecond = Math.max(0, ((count - base.count) * 1000) / (now - base.at));
    }
    return this.perSecond;
  }
}
