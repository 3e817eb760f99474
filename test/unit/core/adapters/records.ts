/** Waiting on a connection's records in adapter tests: conditions, never time. */
import type { Connection } from '../../../../src/core/connection';
import type { ConnRecord, Decoded, MessageRecord } from '../../../../src/core/records';

export interface Watched {
  records: ConnRecord[];
  /** Resolves with the first record (already seen or still to come) that `pred` accepts. */
  next(pred: (r: ConnRecord) => boolean): Promise<ConnRecord>;
  /** The inbound messages decoded with `type`. */
  decoded(type: string, dir?: 'in' | 'out'): Decoded[];
}

export function watch(conn: Connection): Watched {
  const records: ConnRecord[] = [];
  const waiters: { pred: (r: ConnRecord) => boolean; resolve: (r: ConnRecord) => void }[] = [];
  conn.onRecord((r) => {
    records.push(r);
    for (const w of [...waiters]) {
      if (w.pred(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  });
  return {
    records,
    next(pred) {
      const found = records.find(pred);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    decoded(type, dir = 'in') {
      return records
        .filter((r): r is MessageRecord => r.kind === 'message' && r.dir === dir && r.decoded?.type === type)
        .map((r) => r.decoded!);
    },
  };
}

/** A message record whose decoded object matches. */
export function isDecoded(type: string, dir: 'in' | 'out' = 'in', also: (d: Decoded) => boolean = () => true) {
  return (r: ConnRecord): boolean => r.kind === 'message' && r.dir === dir && r.decoded?.type === type && also(r.decoded);
}
