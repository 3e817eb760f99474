/**
 * The counters' figures (messages, bytes, rate, dropped) and when they are drawn: they change with
 * every batch, and redrawing them more than a few times a second only costs layout, so drawing is
 * throttled (a user action still draws them on the next frame).
 */
import type { ConnectionStats } from '../src/protocol';
import type { CounterFigures } from './filterBar';

/** Least time between two draws, unless urgent. */
const DRAW_INTERVAL_MS = 200;
/** How often the rate is measured. */
const RATE_INTERVAL_MS = 1000;
/**
 * The rate is the growth over the last this long, between the times the figures arrived: the host
 * posts in batches, and under load unevenly, so over one second alone a steady 5,000/s read anywhere
 * from 1,000 to 8,600.
 */
export const RATE_WINDOW_MS = 5000;

/** A message total and when it arrived. */
interface RateSample {
  at: number;
  total: number;
}

export class Counters {
  private stats: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
  /** Records the host's store has evicted. */
  private hostDropped = 0;
  private rate = 0;
  /** Samples oldest first, one per measure; the first is the base, at most the window before the newest. */
  private samples: RateSample[] = [{ at: performance.now(), total: 0 }];
  /** When the figures now held arrived, or undefined when none arrived since the last measure. */
  private arrivedAt: number | undefined;
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;

  /** `draw` puts the figures on screen; `viewDropped` counts the records the view itself dropped. */
  constructor(
    private readonly draw: (figures: CounterFigures) => void,
    private readonly viewDropped: () => number,
  ) {
    setInterval(() => this.measure(), RATE_INTERVAL_MS);
  }

  /** Takes a sample: at the arrival of the newest figures (or now, when none came), and the rate over the window. */
  private measure(): void {
    const at = this.arrivedAt ?? performance.now();
    this.arrivedAt = undefined;
    const samples = this.samples;
    const total = this.stats.messagesIn + this.stats.messagesOut;
    if (at > samples[samples.length - 1].at) {
      samples.push({ at, total });
    }
    while (samples.length > 2 && at - samples[1].at >= RATE_WINDOW_MS) {
      samples.shift();
    }
    const base = samples[0];
    this.rate = Math.max(0, ((total - base.total) * 1000) / Math.max(1, at - base.at));
    this.schedule();
  }

  /** New figures from the host; `restart` (a new init) measures the rate from here. */
  update(stats: ConnectionStats, hostDropped: number, restart = false): void {
    this.stats = stats;
    this.hostDropped = hostDropped;
    const now = performance.now();
    if (restart) {
      this.samples = [{ at: now, total: stats.messagesIn + stats.messagesOut }];
      this.arrivedAt = undefined;
    } else {
      this.arrivedAt = now;
    }
  }

  /** Draws on a coming frame: the next one when `urgent`, else no sooner than the draw interval allows. */
  schedule(urgent = false): void {
    if (this.frame || (this.timer && !urgent)) {
      return;
    }
    const wait = urgent ? 0 : DRAW_INTERVAL_MS - (performance.now() - this.lastDraw);
    if (wait <= 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.frame = requestAnimationFrame(() => this.render());
    } else {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.frame = requestAnimationFrame(() => this.render());
      }, wait);
    }
  }

  private render(): void {
    this.frame = 0;
    this.lastDraw = performance.now();
    this.draw({ ...this.stats, rate: this.rate, dropped: this.hostDropped + this.viewDropped() });
  }
}
