/**
 * SSE continuity: did a reconnect lose or repeat events? Once a stream's ids form a sequence (integers,
 * or one prefix with an integer: `message_id_7`), each connection's first event is checked against the
 * Last-Event-ID it sent and every event against the one before. A finding needs the sequence
 * established over several events first ({@link MIN_STEPS} steps of one), and says on what it rests;
 * ids that are not such a sequence (a few numbers, then words) never give one. No Node or DOM.
 */
import type { ContinuityRecord } from './records';

/** Steps of exactly one between consecutive ids before the ids count as a sequence. */
export const MIN_STEPS = 3;

export type ContinuityFinding = Omit<ContinuityRecord, 'seq' | 'time'>;

interface SeqId {
  prefix: string;
  n: number;
}

function parseId(id: string): SeqId | undefined {
  const m = /^(.*?)(\d{1,15})$/s.exec(id);
  if (!m) {
    return undefined;
  }
  return { prefix: m[1], n: Number(m[2]) };
}

/**
 * Feed it each connection's Last-Event-ID ({@link begin}) and each event's id ({@link observe}); it
 * returns the findings. One per connection of an SSE stream, kept across its reconnects.
 */
export class ContinuityTracker {
  private prev: SeqId | undefined;
  private prevId = '';
  /** Steps of one in a row so far in the current prefix. */
  private steps = 0;
  private established = false;
  /** Where the established sequence began (its first id), and how many ids it has counted. */
  private firstId = '';
  private firstN = 0;
  private count = 0;
  /** The Last-Event-ID the current connection sent, until its first event with an id. */
  private sent: string | undefined;
  private firstOfConnection = false;

  /** A connection (or reconnection) starts; `lastEventId` is what it sent ('' or undefined: none). */
  begin(lastEventId: string | undefined): void {
    this.sent = lastEventId || undefined;
    this.firstOfConnection = true;
  }

  /** An event arrived with the id field `id` (undefined: it had none, and changes nothing). */
  observe(id: string | undefined): ContinuityFinding | undefined {
    if (id === undefined) {
      return undefined;
    }
    const first = this.firstOfConnection;
    this.firstOfConnection = false;
    const cur = parseId(id);
    if (!cur || (this.prev && cur.prefix !== this.prev.prefix)) {
      this.lose(id, cur);
      return undefined;
    }
    if (first && this.sent !== undefined) {
      const sent = this.sent;
      this.sent = undefined;
      return this.againstSent(sent, id, cur);
    }
    return this.againstPrevious(id, cur);
  }

  /** The ids stopped being a sequence: nothing is judged until one is established again. */
  private lose(id: string, cur: SeqId | undefined): void {
    this.established = false;
    this.steps = 0;
    this.prev = cur;
    this.prevId = id;
    this.firstId = id;
    this.firstN = cur?.n ?? 0;
    this.count = cur ? 1 : 0;
  }

  private advance(id: string, cur: SeqId): void {
    this.prev = cur;
    this.prevId = id;
    this.count++;
  }

  private againstPrevious(id: string, cur: SeqId): ContinuityFinding | undefined {
    const prev = this.prev;
    if (!prev) {
      this.lose(id, cur);
      return undefined;
    }
    if (cur.n === prev.n + 1) {
      this.steps++;
      if (!this.established && this.steps >= MIN_STEPS) {
        this.established = true;
      }
      this.advance(id, cur);
      return undefined;
    }
    if (!this.established) {
      this.lose(id, cur);
      return undefined;
    }
    const basis = `${this.count} ids in sequence from ${this.firstId}; compared with the event before`;
    const lastEventId = this.prevId;
    this.advance(id, cur);
    if (cur.n > prev.n + 1) {
      return { kind: 'continuity', status: 'gap', lastEventId, id, missing: cur.n - prev.n - 1, duplicates: 0, basis };
    }
    return { kind: 'continuity', status: 'duplicate', lastEventId, id, missing: 0, duplicates: prev.n - cur.n + 1, basis };
  }

  private againstSent(sent: string, id: string, cur: SeqId): ContinuityFinding | undefined {
    const last = parseId(sent);
    if (!this.established || !last || last.prefix !== cur.prefix) {
      // Nothing to judge by: the ids before the reconnect were no sequence (or not this one).
      this.lose(id, cur);
      return undefined;
    }
    const basis = `${this.count} ids in sequence from ${this.firstId}; compared with the Last-Event-ID sent`;
    this.advance(id, cur);
    if (cur.n === last.n + 1) {
      return { kind: 'continuity', status: 'resumed', lastEventId: sent, id, missing: 0, duplicates: 0, basis };
    }
    if (cur.n > last.n + 1) {
      return { kind: 'continuity', status: 'gap', lastEventId: sent, id, missing: cur.n - last.n - 1, duplicates: 0, basis };
    }
    const repeated = last.n - cur.n + 1;
    if (cur.n <= this.firstN && cur.n < last.n) {
      return { kind: 'continuity', status: 'restarted', lastEventId: sent, id, missing: 0, duplicates: repeated, basis };
    }
    return { kind: 'continuity', status: 'duplicate', lastEventId: sent, id, missing: 0, duplicates: repeated, basis };
  }
}
