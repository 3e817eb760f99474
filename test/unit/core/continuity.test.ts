/**
 * SSE continuity: a real local SSE server drops the stream after a few events, and answers the
 * reconnect's Last-Event-ID as told (resumes, skips, repeats, starts over); the connection's
 * `continuity` records must say which. Then the tracker alone, for what must never raise an alarm.
 */
import { strict as assert } from 'node:assert';
import type * as http from 'node:http';
import { after, describe, it } from 'node:test';
import { ContinuityTracker } from '../../../src/core/continuity';
import { attachCheck } from '../../../src/core/contracts/attach';
import { ContractCheck } from '../../../src/core/contracts/check';
import { compileExpect, expectProblem } from '../../../src/core/contracts/expect';
import { createConnection } from '../../../src/core/index';
import type { ConnRecord, ContinuityRecord } from '../../../src/core/records';
import { sseHead, startServer, type TestServer } from '../../fixtures/sseServer';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

type Resume = (last: number) => number[];

/** Serves ids `first` (prefix + 1…6), drops the connection, then on the reconnect sends the ids `resume` picks for the Last-Event-ID. */
async function serveIds(prefix: string, resume: Resume): Promise<TestServer> {
  const s = await startServer((req: http.IncomingMessage, res: http.ServerResponse, { n }) => {
    sseHead(res);
    if (n === 1) {
      for (let i = 1; i <= 6; i++) {
        res.write(`id: ${prefix}${i}\ndata: event ${i}\n\n`);
      }
      // Written, then the connection breaks: the client reconnects with Last-Event-ID.
      setTimeout(() => res.destroy(), 20);
      return;
    }
    const sent = String(req.headers['last-event-id'] ?? '');
    const last = Number(sent.slice(prefix.length));
    for (const i of resume(last)) {
      res.write(`id: ${prefix}${i}\ndata: event ${i}\n\n`);
    }
  });
  servers.push(s);
  return s;
}

/** Connects, and resolves with the records once `done` says so. */
async function recordsUntil(url: string, done: (records: ConnRecord[]) => boolean): Promise<ConnRecord[]> {
  const conn = createConnection({ url, reconnect: { initialDelayMs: 10, jitter: false } });
  const records: ConnRecord[] = [];
  await new Promise<void>((resolve) => {
    conn.onRecord((r) => {
      records.push(r);
      if (done(records)) {
        resolve();
      }
    });
    conn.connect();
  });
  conn.dispose();
  return records;
}

const findings = (records: ConnRecord[]) => records.filter((r): r is ContinuityRecord => r.kind === 'continuity');
const messagesOfSecond = (records: ConnRecord[]) => {
  const second = records.filter((r) => r.kind === 'connecting')[1];
  return second ? records.filter((r) => r.kind === 'message' && r.seq > second.seq).length : 0;
};

describe('SSE continuity across a reconnect, against a real server', () => {
  it('resume-ok: the first event after Last-Event-ID 6 is 7: "resumed", nothing missing or doubled', async () => {
    const s = await serveIds('', (last) => [last + 1, last + 2, last + 3]);
    const records = await recordsUntil(s.url, (rs) => messagesOfSecond(rs) === 3);
    const f = findings(records);
    assert.deepEqual(
      f.map(({ status, lastEventId, id, missing, duplicates }) => ({ status, lastEventId, id, missing, duplicates })),
      [{ status: 'resumed', lastEventId: '6', id: '7', missing: 0, duplicates: 0 }],
    );
    assert.match(f[0].basis, /6 ids in sequence from 1; compared with the Last-Event-ID sent/);
    // The finding follows the event it judged.
    const judged = records.find((r) => r.kind === 'message' && r.id === '7')!;
    assert.equal(f[0].seq, judged.seq + 1);
  });

  it('gap: the server resumes at 10 after 6: "gap", 3 missing', async () => {
    const s = await serveIds('message_id_', (last) => [last + 4, last + 5]);
    const records = await recordsUntil(s.url, (rs) => messagesOfSecond(rs) === 2);
    assert.deepEqual(
      findings(records).map(({ status, lastEventId, id, missing }) => ({ status, lastEventId, id, missing })),
      [{ status: 'gap', lastEventId: 'message_id_6', id: 'message_id_10', missing: 3 }],
    );
  });

  it('duplicate: the server sends 5 and 6 again: "duplicate", 2 duplicates, and no finding for 7 after them', async () => {
    const s = await serveIds('', (last) => [last - 1, last, last + 1]);
    const records = await recordsUntil(s.url, (rs) => messagesOfSecond(rs) === 3);
    assert.deepEqual(
      findings(records).map(({ status, lastEventId, id, duplicates }) => ({ status, lastEventId, id, duplicates })),
      [{ status: 'duplicate', lastEventId: '6', id: '5', duplicates: 2 }],
    );
  });

  it('restarted: the server starts over from 1 although 6 was asked for', async () => {
    const s = await serveIds('', () => [1, 2, 3]);
    const records = await recordsUntil(s.url, (rs) => messagesOfSecond(rs) === 3);
    assert.deepEqual(
      findings(records).map(({ status, lastEventId, id, duplicates }) => ({ status, lastEventId, id, duplicates })),
      [{ status: 'restarted', lastEventId: '6', id: '1', duplicates: 6 }],
    );
  });

  it('ids that look sequential by chance (numbers, then words) raise nothing across the reconnect', async () => {
    const s = await startServer((_req, res, { n }) => {
      sseHead(res);
      if (n === 1) {
        res.write('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: c\n\n');
        setTimeout(() => res.destroy(), 20);
        return;
      }
      // Three numbers are no sequence yet: 17 after Last-Event-ID 3 is no gap, and 2 no duplicate.
      res.write('id: 17\ndata: f\n\nid: pear\ndata: g\n\nid: 2\ndata: h\n\n');
    });
    servers.push(s);
    const records = await recordsUntil(s.url, (rs) => messagesOfSecond(rs) === 3);
    assert.deepEqual(findings(records), []);
  });
});

describe("a profile's expect can require continuity", () => {
  async function runCheck(resume: Resume): Promise<ConnRecord[]> {
    const s = await serveIds('', resume);
    const conn = createConnection({ url: s.url, reconnect: { initialDelayMs: 10, jitter: false } });
    const check = new ContractCheck(compileExpect({ continuity: true, timeoutMs: 60_000 }, 'sse'));
    const attached = attachCheck(conn, check, 'feed');
    const records: ConnRecord[] = [];
    conn.onRecord((r) => records.push(r));
    conn.connect();
    await new Promise<void>((resolve) => {
      const sub = conn.onRecord(() => {
        if (messagesOfSecond(records) === 3) {
          sub.dispose();
          resolve();
        }
      });
    });
    conn.disconnect();
    await attached.done;
    attached.dispose();
    conn.dispose();
    return records;
  }

  it('fails on a gap, naming it, and passes a clean resume', async () => {
    const gap = await runCheck((last) => [last + 3, last + 4, last + 5]);
    const failed = gap.find((r) => r.kind === 'assertion');
    assert.ok(failed && failed.kind === 'assertion');
    assert.equal(failed.ok, false);
    assert.equal(failed.detail, 'gap: 2 events missing (7-8)');
    assert.equal(failed.decidedBy, gap.find((r) => r.kind === 'continuity')!.seq);
    const ok = await runCheck((last) => [last + 1, last + 2, last + 3]);
    const passed = ok.find((r) => r.kind === 'assertion');
    assert.ok(passed && passed.kind === 'assertion');
    assert.equal(passed.ok, true);
  });

  it('is refused for a WebSocket and must be a boolean', () => {
    assert.match(expectProblem({ continuity: true }, 'ws')!, /continuity.*WebSocket/);
    assert.match(expectProblem({ continuity: 'yes' }, 'sse')!, /"continuity" must be true or false/);
  });
});

describe('ContinuityTracker', () => {
  const feed = (t: ContinuityTracker, ids: (string | undefined)[]) => ids.map((id) => t.observe(id)).filter((f) => f !== undefined);

  it('judges nothing until several steps of one established the sequence', () => {
    const t = new ContinuityTracker();
    t.begin(undefined);
    assert.deepEqual(feed(t, ['1', '2', '5', '6', '7']), []);
    // Now 5, 6, 7, 8 are a sequence: a jump is a gap.
    assert.deepEqual(
      feed(t, ['8', '12']).map((f) => [f.status, f.missing]),
      [['gap', 3]],
    );
  });

  it('events without an id change nothing; another prefix loses the sequence', () => {
    const t = new ContinuityTracker();
    t.begin('');
    assert.deepEqual(feed(t, ['a1', undefined, 'a2', 'a3', undefined, 'a4', 'b5', 'b9']), []);
  });

  it('a resume asked of a stream that was no sequence gives no finding', () => {
    const t = new ContinuityTracker();
    t.begin(undefined);
    feed(t, ['7', '8']);
    t.begin('8');
    assert.deepEqual(feed(t, ['20']), []);
  });

  it('a duplicate inside one connection counts what came again', () => {
    const t = new ContinuityTracker();
    t.begin(undefined);
    assert.deepEqual(
      feed(t, ['1', '2', '3', '4', '5', '3', '4', '5', '6']).map((f) => [f.status, f.lastEventId, f.id, f.duplicates]),
      [['duplicate', '5', '3', 3]],
    );
  });
});
