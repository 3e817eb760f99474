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

export class Counters {
  private stats: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
  /** Records the host's store has evicted. */
  private hostDropped = 0;
  private rate = 0;
  private rateBase = { at: performance.now(), total: 0 };
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDraw = 0;

  /** `draw` puts the figures on screen; `viewDropped` counts the records the view itself dropped. */
  constructor(
    private readonly draw: (figures: CounterFigures) => void,
    private readonly viewDropped: () => number,
  ) {
    setInterval(() => {
      const now = performance.now();
      const total = this.stats.messagesIn + this.stats.messagesOut;
      this.rate = Math.max(0, ((total - this.rateBase.total) * 1000) / Math.max(1, now - this.rateBase.at));
      this.rateBase = { at: now, total };
      this.schedule();
    }, RATE_INTERVAL_MS);
  }

  /** New figures from the host; `restart` (a new init) measures the rate from here. */
  update(stats: ConnectionStats, hostDropped: number, restart = false): void {
    this.stats = stats;
    this.hostDropped = hostDropped;
    if (restart) {
      this.rateBase = { at: performance.now(), total: stats.messagesIn + stats.messagesOut };
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
