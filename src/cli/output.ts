/**
 * Writing to stdout without losing anything and without unbounded memory.
 *
 * Records are batched (one `write` per turn of the event loop, not one per record) and handed to
 * the stream. When the stream reports back-pressure (`write` returns false) or the batch grows past
 * `highWaterBytes`, the writer asks its owner to pause intake — the CLI pauses the connection, which
 * stops reading the socket, so TCP flow control slows the server — and resumes it on `drain`.
 * What can still arrive while paused is bounded by one network read's worth of records.
 */
import type { Writable } from 'node:stream';

export class OutputWriter {
  private pending: (string | Buffer)[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private blocked = false;
  private pressure = false;
  private failed = false;

  constructor(
    private readonly stream: Writable,
    /** Called with true when intake should pause, false when it may resume. */
    private readonly onPressure: (pause: boolean) => void = () => undefined,
    private readonly highWaterBytes = 1024 * 1024,
    /** Called once when the stream fails (EPIPE: the reader went away, as with `| head`). */
    private readonly onBroken: () => void = () => undefined,
  ) {
    // EPIPE must not crash the process: the owner decides to stop.
    stream.on('error', () => {
      if (this.failed) {
        return;
      }
      this.failed = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.setPressure(false);
      this.onBroken();
    });
  }

  /** True once the stream failed (closed pipe): nothing more can be written. */
  get isBroken(): boolean {
    return this.failed;
  }

  write(chunk: string | Buffer): void {
    if (this.failed) {
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.highWaterBytes) {
      this.setPressure(true);
    }
    if (!this.scheduled && !this.blocked) {
      this.scheduled = true;
      setImmediate(() => this.flushPending());
    }
  }

  /** Resolves once everything written so far has been handed to the OS (or the stream failed). */
  async flush(): Promise<void> {
    this.flushPending();
    while (!this.failed && (this.blocked || this.pending.length > 0)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.removeListener('drain', done);
          this.stream.removeListener('error', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('error', done);
      });
      this.flushPending();
    }
    if (this.failed) {
      return;
    }
    // An empty write's callback runs after every earlier write has been flushed.
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }

  private flushPending(): void {
    this.scheduled = false;
    if (this.blocked || this.failed || this.pending.length === 0) {
      return;
    }
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    let ok: boolean;
    if (chunks.every((c) => typeof c === 'string')) {
      ok = this.stream.write((chunks as string[]).join(''));
    } else {
      // Buffers go as they are (a large message is not copied into one joined buffer): corked, so
      // the stream still hands them to the OS in one writev.
      this.stream.cork();
      ok = true;
      for (const c of chunks) {
        ok = this.stream.write(c) && ok;
      }
      this.stream.uncork();
    }
    if (ok) {
      this.setPressure(false);
      return;
    }
    this.blocked = true;
    this.setPressure(true);
    this.stream.once('drain', () => {
      this.blocked = false;
      if (this.pending.length > 0) {
        this.flushPending();
      } else {
        this.setPressure(false);
      }
    });
  }

  private setPressure(on: boolean): void {
    if (this.pressure !== on) {
      this.pressure = on;
      this.onPressure(on);
    }
  }
}
