/**
 * The counters' figures (messages, bytes, rates per direction, dropped) and when they are drawn: they
 * change with every batch, and redrawing them more than a few times a second only costs layout, so
 * drawing is throttled (a user action still draws them on the next frame). The rates come from the
 * host's totals (`ConnectionStats`), sampled once a second, so a flood costs nothing per message here.
 */
import type { ConnectionStats } from '../src/protocol';
import type { CounterFigures } from './filterBar';
import { SPARK_WINDOW_MS } from './sparkline';

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

/** The host's totals and when they arrived. */
interface RateSample {
  at: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** Per second, each direction, over the rate window. */
export interface Rates {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** The messages/s of each direction at one measure (`performance.now()` time), for the sparkline. */
export interface RatePoint {
  at: number;
  messagesIn: number;
  messagesOut: number;
}

const NO_RATES: Rates = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

function sampleOf(at: number, s: ConnectionStats): RateSample {
  return { at, messagesIn: s.messagesIn, messagesOut: s.messagesOut, bytesIn: s.bytesIn, bytesOut: s.bytesOut };
}

export class Counters {
  private stats: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
  /** Records the host's store has evicted. */
  private hostDropped = 0;
  private rates: Rates = NO_RATES;
  /** Samples oldest first, one per measure; the first is the base, at most the window before the newest. */
  private samples: RateSample[];
  /** One point per measure over the last minute, oldest first. */
  private history: RatePoint[] = [];
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
    this.samples = [sampleOf(performance.now(), this.stats)];
    setInterval(() => this.measure(), RATE_INTERVAL_MS);
  }

  /** Takes a sample: at the arrival of the newest figures (or now, when none came), and the rates over the window. */
  private measure(): void {
    const now = performance.now();
    const at = this.arrivedAt ?? now;
    this.arrivedAt = undefined;
    const samples = this.samples;
    if (at > samples[samples.length - 1].at) {
      samples.push(sampleOf(at, this.stats));
    }
    while (samples.length > 2 && at - samples[1].at >= RATE_WINDOW_MS) {
      samples.shift();
    }
    const base = samples[0];
    const newest = samples[samples.length - 1];
    const span = Math.max(1, at - base.at) / 1000;
    const per = (a: number, b: number) => Math.max(0, (a - b) / span);
    this.rates = {
      messagesIn: per(newest.messagesIn, base.messagesIn),
      messagesOut: per(newest.messagesOut, base.messagesOut),
      bytesIn: per(newest.bytesIn, base.bytesIn),
      bytesOut: per(newest.bytesOut, base.bytesOut),
    };
    this.history.push({ at: now, messagesIn: this.rates.messagesIn, messagesOut: this.rates.messagesOut });
    while (this.history.length && now - this.history[0].at > SPARK_WINDOW_MS) {
      this.history.shift();
    }
    this.schedule();
  }

  /** New figures from the host; `restart` (a new init) measures the rates from here, with no history. */
  update(stats: ConnectionStats, hostDropped: number, restart = false): void {
    this.stats = stats;
    this.hostDropped = hostDropped;
    const now = performance.now();
    if (restart) {
      this.samples = [sampleOf(now, stats)];
      this.arrivedAt = undefined;
      this.rates = NO_RATES;
      this.history = [];
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
    this.draw({
      ...this.stats,
      rates: this.rates,
      history: this.history,
      now: this.lastDraw,
      dropped: this.hostDropped + this.viewDropped(),
    });
  }
}
