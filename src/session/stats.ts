import type { ConnRecord, ConnectionStats } from '../core/records';

export const EMPTY_STATS: ConnectionStats = Object.freeze({ messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 });

/**
 * The counts of a log restored after a window reload, its note included, so the counters agree with
 * the log shown. Bytes are the messages' sizes: the wire bytes (framing included) are not kept.
 */
export function restoredStats(records: readonly ConnRecord[]): ConnectionStats {
  const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: records.length + 1 };
  for (const r of records) {
    if (r.kind === 'message') {
      if (r.dir === 'in') {
        stats.messagesIn++;
        stats.bytesIn += r.size;
      } else {
        stats.messagesOut++;
        stats.bytesOut += r.size;
      }
    }
  }
  return stats;
}

/** `restored` and `live` added up; `live` itself when nothing was restored. */
export function addStats(restored: ConnectionStats | undefined, live: Readonly<ConnectionStats>): Readonly<ConnectionStats> {
  if (!restored) {
    return live;
  }
  return {
    messagesIn: restored.messagesIn + live.messagesIn,
    messagesOut: restored.messagesOut + live.messagesOut,
    bytesIn: restored.bytesIn + live.bytesIn,
    bytesOut: restored.bytesOut + live.bytesOut,
    records: restored.records + live.records,
  };
}
