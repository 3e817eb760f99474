import { ConnRecord, recordCost } from './records';

export interface StoreOptions {
  /** Most records kept; the oldest go first. Default 100,000. */
  maxRecords: number;
  /** Most bytes (approximate, see `recordCost`) kept. Default 128 MiB. The newest record is always kept. */
  maxBytes: number;
  /** Messages larger than this (bytes) are flagged `large` so views show a preview. Default 256 KiB. */
  displayLimit: number;
}

export const DEFAULT_STORE: Readonly<StoreOptions> = Object.freeze({
  maxRecords: 100_000,
  maxBytes: 128 * 1024 * 1024,
  displayLimit: 256 * 1024,
});

/**
 * The bounded log of one connection: capped by count and by bytes, evicting the oldest and counting
 * what it dropped. Records are appended in `seq` order, so lookups by seq are a binary search.
 */
export class MessageStore {
  private items: ConnRecord[] = [];
  private costs: number[] = [];
  private head = 0;
  private _bytes = 0;
  private _dropped = 0;
  readonly options: StoreOptions;

  constructor(options?: Partial<StoreOptions>) {
    this.options = { ...DEFAULT_STORE, ...options };
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this._bytes;
  }

  /** Records evicted by the caps since the last `clear()`. */
  get dropped(): number {
    return this._dropped;
  }

  add(record: ConnRecord): void {
    if (record.kind === 'message' && record.size > this.options.displayLimit) {
      record.large = true;
    }
    const cost = recordCost(record);
    this.items.push(record);
    this.costs.push(cost);
    this._bytes += cost;
    while (this.size > 1 && (this.size > this.options.maxRecords || this._bytes > this.options.maxBytes)) {
      this._bytes -= this.costs[this.head];
      this.items[this.head] = undefined as unknown as ConnRecord;
      this.head++;
      this._dropped++;
    }
    // Compact now and then instead of shifting on every eviction (shift is O(n)).
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
  }

  /** Record at position `i` (0 = oldest kept). */
  at(i: number): ConnRecord | undefined {
    return i >= 0 && i < this.size ? this.items[this.head + i] : undefined;
  }

  /** The record with this seq, if still kept. */
  bySeq(seq: number): ConnRecord | undefined {
    let lo = this.head;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.items[mid].seq;
      if (s === seq) {
        return this.items[mid];
      }
      if (s < seq) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return undefined;
  }

  /** All kept records, oldest first (a copy). */
  toArray(): ConnRecord[] {
    return this.items.slice(this.head);
  }

  [Symbol.iterator](): Iterator<ConnRecord> {
    let i = this.head;
    const items = this.items;
    return {
      next: () => (i < items.length ? { value: items[i++], done: false } : { value: undefined, done: true }),
    };
  }

  clear(): void {
    this.items = [];
    this.costs = [];
    this.head = 0;
    this._bytes = 0;
    this._dropped = 0;
  }
}
