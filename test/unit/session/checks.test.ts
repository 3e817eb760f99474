import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '../../../src/core/connection';
import { createConnection } from '../../../src/core/index';
import type { ConnRecord } from '../../../src/core/records';
import { type DemoServer, startDemoServer } from '../../../src/demo/server';
import { SessionChecks } from '../../../src/session/checks';

/** Resolves once `cond` holds, checked after each record of `conn`. */
function until(conn: Connection, cond: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (cond()) {
      resolve();
      return;
    }
    const sub = conn.onRecord(() =>
      queueMicrotask(() => {
        if (cond()) {
          sub.dispose();
          resolve();
        }
      }),
    );
  });
}

describe("a session's contract runs", () => {
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer({ host: '127.0.0.1', tickMs: 20 });
  });
  after(async () => {
    await demo.close();
  });

  function connection(path = '/sse') {
    const conn = createConnection({ url: `${demo.url}${path}`, kind: 'auto', reconnect: { enabled: false } });
    const records: ConnRecord[] = [];
    conn.onRecord((r) => records.push({ ...r, ...(r.kind === 'message' ? { data: r.data } : {}) } as ConnRecord));
    return { conn, records };
  }

  it('runs the rules on the connection, logs each result and the summary, and leaves the connection open', async () => {
    const checks = new SessionChecks();
    const { conn, records } = connection();
    try {
      const run = checks.start(
        conn,
        {
          timeoutMs: 5000,
          messages: [
            { name: 'a tick', event: 'tick' },
            { name: 'news', event: 'news' },
          ],
        },
        'demo',
      )!;
      assert.deepEqual(run.rules, ['a tick', 'news']);
      assert.deepEqual(
        checks.view?.rules.map((r) => r.status),
        ['pending', 'pending'],
      );
      assert.equal(checks.view?.running, true);
      conn.connect();
      const outcome = await run.done;
      assert.ok(outcome.finished && outcome.summary.passed === 2 && outcome.summary.end.reason === 'settled');
      assert.equal(run.opened, true);
      const view = checks.view!;
      assert.equal(view.running, false);
      assert.equal(view.summary?.end, 'every rule settled');
      await until(conn, () => records.some((r) => r.kind === 'summary'));
      assert.deepEqual(
        records.filter((r) => r.kind === 'assertion').map((r) => r.kind === 'assertion' && r.rule),
        ['a tick', 'news'],
      );
      assert.equal(conn.state, 'open', 'the user is still inspecting it');
    } finally {
      conn.dispose();
      checks.dispose();
    }
  });

  it('a new run replaces one still going: the old one stops, logging no failures for rules it never finished', async () => {
    const checks = new SessionChecks();
    const { conn, records } = connection();
    try {
      const first = checks.start(conn, { timeoutMs: 60_000, messages: [{ name: 'never comes', event: 'nope' }] }, 'demo')!;
      conn.connect();
      await until(conn, () => records.some((r) => r.kind === 'message'));
      const second = checks.start(conn, { timeoutMs: 60_000, messages: [{ name: 'a tick', event: 'tick' }] }, 'demo')!;
      const stopped = await first.done;
      assert.deepEqual(stopped, { finished: false, reason: 'a new run started' });
      assert.ok(records.some((r) => r.kind === 'info' && /Checks of "demo" stopped: a new run started/.test(r.message)));
      conn.reconnectNow();
      const outcome = await second.done;
      assert.ok(outcome.finished && outcome.summary.passed === 1);
      assert.deepEqual(
        records.filter((r) => r.kind === 'assertion').map((r) => r.kind === 'assertion' && r.rule),
        ['a tick'],
        'nothing logged for the stopped run',
      );
      assert.notEqual(first.id, second.id);
    } finally {
      conn.dispose();
      checks.dispose();
    }
  });

  it('an expect block that does not compile runs nothing; the view says why; clearing hides it', () => {
    const checks = new SessionChecks();
    const { conn, records } = connection();
    let changes = 0;
    checks.onDidChange(() => changes++);
    try {
      assert.equal(checks.start(conn, { messages: [{ json: '$[' }] }, 'demo'), undefined);
      assert.match(checks.view?.problem ?? '', /^expect\.messages\[0\]/);
      assert.ok(records.some((r) => r.kind === 'info' && /Checks of "demo" not run/.test(r.message)));
      checks.clear();
      assert.equal(checks.view, undefined);
      assert.equal(changes, 2);
    } finally {
      conn.dispose();
      checks.dispose();
    }
  });

  it('a run on a stream that never opens ends with every rule failed, the stream never opened', async () => {
    const checks = new SessionChecks();
    const conn = createConnection({ url: 'http://127.0.0.1:1/sse', kind: 'auto', reconnect: { enabled: false } });
    try {
      const run = checks.start(conn, { timeoutMs: 5000, messages: [{ name: 'anything' }] }, 'nowhere')!;
      conn.connect();
      const outcome = await run.done;
      assert.ok(outcome.finished);
      assert.equal(outcome.summary.opened, false);
      assert.equal(run.opened, false);
      assert.match(outcome.summary.results[0].detail, /^not connected: /);
    } finally {
      conn.dispose();
      checks.dispose();
    }
  });
});
