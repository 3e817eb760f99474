/** Stamps a connection's records with their `seq` and `time`, and counts them in its stats. Hot path. */
import type { ConnRecord, ConnectionStats, RecordInit } from './records';

export class RecordStamper {
  /** The seq of the last record stamped. */
  private seq = 0;
  readonly stats: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
  private stampMs = Number.NaN;
  private stampText = '';
  /** The clock was read in this synchronous run (one chunk from the network): messages share it. */
  private clockRead = false;
  private readonly clockExpires = (): void => {
    this.clockRead = false;
  };

  constructor(private readonly now: () => number) {}

  /** Makes the next seq follow `seq` (never goes back). */
  continueAfter(seq: number): void {
    if (Number.isSafeInteger(seq) && seq > this.seq) {
      this.seq = seq;
    }
  }

  /** `init` made a record: stamped in place and counted. */
  stamp(init: RecordInit): ConnRecord {
    const record = init as ConnRecord;
    record.seq = ++this.seq;
    // Messages from one chunk of the network arrived together: they share one reading of the clock
    // (reading it costs more than the rest of a record), taken at the first, until the run ends.
    // Anything else reads the clock afresh, and messages after it share that reading.
    if (!this.clockRead || record.kind !== 'message') {
      const now = this.now();
      if (!this.clockRead) {
        this.clockRead = true;
        queueMicrotask(this.clockExpires);
      }
      // Formatting a date costs more still: a burst within one millisecond shares the text.
      if (now !== this.stampMs) {
        this.stampMs = now;
        this.stampText = new Date(now).toISOString();
      }
    }
    record.time = this.stampText;
    const stats = this.stats;
    stats.records++;
    if (record.kind === 'message') {
      if (record.dir === 'in') {
        stats.messagesIn++;
      } else {
        stats.messagesOut++;
        stats.bytesOut += record.size;
      }
    }
    return record;
  }
}
