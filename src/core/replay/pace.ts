/** What every client's replay shares: its clock (the recorded times, scaled) and its reading of the items. */
import { performance } from 'node:perf_hooks';
import type { IDisposable } from '../lifecycle';
import type { RecordedConnection, ReplayItem } from './items';

/** Waits at speed 0 that go by before the replay lets other sockets have a turn of the event loop. */
const TURN_EVERY = 64;

/**
 * The replay's clock: timeline ms `base` is the moment of {@link reset}; `at` comes (at - base) / speed
 * later. Waits are measured from that one start, so slow sends never add up to drift. Speed 0: no waits.
 */
export class Pacer implements IDisposable {
  private wall0 = performance.now();
  private base = 0;
  private turns = 0;
  private disposed = false;
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly speed: number) {}

  /** From now on, timeline ms `baseMs` is now. */
  reset(baseMs: number): void {
    this.wall0 = performance.now();
    this.base = baseMs;
  }

  /** Resolves true when the timeline reaches `atMs`; false once disposed. */
  until(atMs: number): Promise<boolean> {
    if (this.speed === 0) {
      return this.turn();
    }
    return this.sleep(this.wall0 + (atMs - this.base) / this.speed - performance.now());
  }

  /** Resolves true after a recorded delay of `ms`, scaled; false once disposed. */
  after(ms: number): Promise<boolean> {
    return this.speed === 0 ? this.turn() : this.sleep(ms / this.speed);
  }

  private turn(): Promise<boolean> {
    if (this.disposed) {
      return Promise.resolve(false);
    }
    if (++this.turns % TURN_EVERY !== 0) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => setImmediate(() => resolve(!this.disposed)));
  }

  private sleep(ms: number): Promise<boolean> {
    if (this.disposed) {
      return Promise.resolve(false);
    }
    if (ms <= 0) {
      return this.turn();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve(!this.disposed);
      }, Math.ceil(ms));
      this.timers.set(timer, () => resolve(false));
    });
  }

  dispose(): void {
    this.disposed = true;
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
  }
}

/** Items read per batch (fewer when they are large: the source decides). */
const BATCH = 256;

/** Walks a connection's items from a slot on, those `accept` takes, reading them in batches. */
export class ItemCursor {
  private batch: ReplayItem[] = [];
  private batchStart = 0;
  private pos: number;

  constructor(
    private readonly conn: RecordedConnection,
    start: number,
    private readonly accept: (slot: number) => boolean = () => true,
  ) {
    this.pos = start;
  }

  /** The next accepted item and its slot; undefined at the end. */
  async next(): Promise<{ slot: number; item: ReplayItem } | undefined> {
    const t = this.conn.items;
    while (this.pos < t.count && !this.accept(this.pos)) {
      this.pos++;
    }
    if (this.pos >= t.count) {
      return undefined;
    }
    const slot = this.pos++;
    if (slot < this.batchStart || slot >= this.batchStart + this.batch.length) {
      this.batch = await this.conn.source.read(slot, BATCH);
      this.batchStart = slot;
    }
    return { slot, item: this.batch[slot - this.batchStart] };
  }
}

/** One item, read on its own (a reply, or a candidate to compare). */
export async function readItem(conn: RecordedConnection, slot: number): Promise<ReplayItem> {
  return (await conn.source.read(slot, 1))[0];
}

/** How every client's replay goes (the command line's `--speed`, `--loop`, `--drop-after`, `--close`). */
export interface ReplaySettings {
  /** 1 as recorded, 2 twice as fast, 0 as fast as the client reads. */
  speed: number;
  /** Start over at the end of the recording. */
  loop: boolean;
  /** SSE: end the response after this many events; WebSocket: cut the connection after this many messages. */
  dropAfter?: number;
  /** WebSocket: close with this code when the recording is done (default: as recorded). */
  close?: { code: number; reason?: string };
}

/** How a client's replay ended, for the log: how many messages it got and why it stopped. */
export interface ReplayEnd {
  sent: number;
  why: string;
}
