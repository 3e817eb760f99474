/**
 * The periodic sender against a real WebSocket server on 127.0.0.1: a schedule that does not drift
 * (each send due at start + i·N, measured by the records' times over 200 sends), it stops on close
 * and after a reconnect unless asked to resume.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { MessageRecord } from '../../../../src/core/records';
import { DynamicValues } from '../../../../src/core/workbench/placeholders';
import { PeriodicSender, repeatProblem } from '../../../../src/core/workbench/periodic';
import { wsConnection } from '../../../fixtures/wsHarness';
import { echo, startWsServer } from '../../../fixtures/wsServer';
import type { WebSocket } from 'ws';

const T = { timeout: 120_000 };
const servers: { close(): Promise<void> }[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const until = (sender: PeriodicSender, cond: () => boolean) =>
  new Promise<void>((resolve) => {
    if (cond()) {
      resolve();
      return;
    }
    const sub = sender.onDidChange(() => {
      if (cond()) {
        sub.dispose();
        resolve();
      }
    });
  });

describe('periodic sender', () => {
  test('200 sends keep to start + i·N: the schedule does not drift', T, async () => {
    const received: string[] = [];
    const server = await startWsServer({ onConnection: (ws: WebSocket) => ws.on('message', (d) => received.push(String(d))) });
    servers.push(server);
    const h = wsConnection({ url: server.url });
    h.conn.connect();
    await h.waitFor((r) => r.kind === 'open');
    const dynamic = new DynamicValues();
    const N = 5;
    const sender = new PeriodicSender(
      h.conn,
      () => h.conn.sendText(dynamic.resolve('tick {{$seq}}')),
      { everyMs: N, times: 200 },
      // The records' clock, so their times and the schedule's slots can be compared.
      Date.now,
    );
    const sends: { index: number; dueOffsetMs: number; atOffsetMs: number }[] = [];
    sender.onDidSend((s) => sends.push(s));
    sender.start();
    await until(sender, () => sender.status.stopped !== undefined);
    assert.equal(sender.status.stopped, 'done: 200 sent');
    assert.equal(sends.length, 200);
    // The schedule's own offsets: exactly i·N, however late a send went (no chained delays).
    sends.forEach((s, i) => {
      assert.equal(s.index, i);
      assert.equal(s.dueOffsetMs, i * N);
      assert.ok(s.atOffsetMs >= s.dueOffsetMs, `send ${i} went at ${s.atOffsetMs} ms, before it was due at ${s.dueOffsetMs} ms`);
    });
    // The records' times agree (ms resolution): no send before its slot.
    const out = h.records.filter((r): r is MessageRecord => r.kind === 'message' && r.dir === 'out');
    assert.equal(out.length, 200);
    const ms = (r: MessageRecord) => Date.parse(r.time) - sender.startedAt;
    out.forEach((r, i) => assert.ok(ms(r) >= i * N, `record ${i} at +${ms(r)} ms, due at +${i * N} ms`));
    const drift = ms(out[199]) - 199 * N;
    const lateness = sends.map((s) => s.atOffsetMs - s.dueOffsetMs);
    // A chained schedule's lateness would be the sum of every step's; here each is its own.
    const chained = sends.slice(1).reduce((sum, s, i) => sum + Math.max(0, s.atOffsetMs - sends[i].atOffsetMs - N), 0);
    assert.ok(lateness[199] <= chained + 1, `last send ${lateness[199]} ms late; chained timeouts would add up to ${chained} ms`);
    console.log(`drift over 200 sends: ${drift} ms by the records; max lateness ${Math.max(...lateness).toFixed(1)} ms`);
    await new Promise<void>((resolve) => {
      const check = () => (received.length >= 200 ? resolve() : setImmediate(check));
      check();
    });
    assert.deepEqual(
      received,
      Array.from({ length: 200 }, (_, i) => `tick ${i + 1}`),
      '$seq numbers the sends in order',
    );
    sender.dispose();
    h.conn.dispose();
  });

  test('stops when the connection closes, and does not resume after a reconnect unless asked', T, async () => {
    let clients = 0;
    const server = await startWsServer({
      onConnection: (ws: WebSocket) => {
        clients++;
        echo(ws);
        if (clients === 1) {
          ws.once('message', () => ws.terminate());
        }
      },
    });
    servers.push(server);
    const h = wsConnection({ url: server.url, reconnect: { enabled: true, initialDelayMs: 1, maxAttempts: 3 } });
    h.conn.connect();
    await h.waitFor((r) => r.kind === 'open');
    const plain = new PeriodicSender(h.conn, () => h.conn.sendText('x'), { everyMs: 20 });
    const resumed = new PeriodicSender(h.conn, () => h.conn.sendText('y'), { everyMs: 20, times: 3, resumeAfterReconnect: true });
    plain.start();
    resumed.start();
    await until(plain, () => plain.status.stopped !== undefined);
    assert.match(plain.status.stopped!, /the connection (is reconnecting|closed)/);
    await until(resumed, () => resumed.status.stopped !== undefined);
    assert.equal(resumed.status.stopped, 'done: 3 sent', 'the one asked to resume went on after the reconnect');
    assert.equal(h.conn.state, 'open');
    assert.equal(plain.status.running, false);
    const opens = h.records.filter((r) => r.kind === 'open').length;
    assert.equal(opens, 2);

    const third = new PeriodicSender(h.conn, () => h.conn.sendText('z'), { everyMs: 1000 });
    third.start();
    h.conn.disconnect(1000);
    await until(third, () => third.status.stopped !== undefined);
    assert.equal(third.status.stopped, 'the connection closed');
    assert.throws(() => new PeriodicSender(h.conn, () => undefined, { everyMs: 5 }).start(), /needs an open connection/);
    [plain, resumed, third].forEach((s) => s.dispose());
    h.conn.dispose();
  });

  test('bad options say what is wrong', () => {
    assert.match(repeatProblem({ everyMs: 0 }) ?? '', /interval/);
    assert.match(repeatProblem({ everyMs: 10, times: 0 }) ?? '', /count/);
    assert.equal(repeatProblem({ everyMs: 10, times: 2 }), undefined);
  });
});
