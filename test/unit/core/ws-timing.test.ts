/**
 * WebSocket timing against a real `ws` server: a pong answering one of our pings (manual or
 * keep-alive) carries `rttMs`, matched by payload; one answering none has none. A silence longer than
 * `silenceMs` between messages is marked before the message that ended it.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ConnRecord, PingPongRecord } from '../../../src/core/records';
import { wsConnection } from '../../fixtures/wsHarness';
import { startWsServer, type WsFixture } from '../../fixtures/wsServer';

const fixtures: WsFixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
const pongIn = (r: ConnRecord): r is PingPongRecord => r.kind === 'pong' && r.dir === 'in';

describe('WebSocket round-trip times', () => {
  test('a manual ping’s pong carries rttMs; an unsolicited pong has none', async () => {
    const f = await startWsServer({
      onConnection: (ws) => ws.on('message', () => ws.pong(Buffer.from('unasked'))),
    });
    fixtures.push(f);
    const h = wsConnection({ url: f.url });
    h.conn.connect();
    await h.waitFor((r) => r.kind === 'open');
    h.conn.ping(Buffer.from('rtt-1'));
    const pong = (await h.waitFor(pongIn)) as PingPongRecord;
    assert.equal(Buffer.from(pong.data, 'base64').toString(), 'rtt-1');
    assert.equal(typeof pong.rttMs, 'number');
    assert.ok(pong.rttMs! >= 0);
    h.conn.sendText('go');
    const unasked = (await h.waitFor((r) => pongIn(r) && Buffer.from(r.data, 'base64').toString() === 'unasked')) as PingPongRecord;
    assert.equal(unasked.rttMs, undefined);
    h.conn.dispose();
  });

  test('pongs are matched by payload: a ping left unanswered gets no late RTT from another’s pong', async () => {
    // The server answers only the ping whose payload is "b" (its own pongs off), then "a" when asked.
    const f = await startWsServer({
      server: { autoPong: false },
      onConnection: (ws) => {
        ws.on('ping', (data: Buffer) => {
          if (data.toString() === 'b') {
            ws.pong(data);
          }
        });
        ws.on('message', () => ws.pong(Buffer.from('a')));
      },
    });
    fixtures.push(f);
    const h = wsConnection({ url: f.url });
    h.conn.connect();
    await h.waitFor((r) => r.kind === 'open');
    h.conn.ping(Buffer.from('a'));
    h.conn.ping(Buffer.from('b'));
    const b = (await h.waitFor(pongIn)) as PingPongRecord;
    assert.equal(Buffer.from(b.data, 'base64').toString(), 'b');
    assert.equal(typeof b.rttMs, 'number');
    // "a" was sent before "b": b's pong settled it as unanswered.
    h.conn.sendText('now a');
    const a = (await h.waitFor((r) => pongIn(r) && Buffer.from(r.data, 'base64').toString() === 'a')) as PingPongRecord;
    assert.equal(a.rttMs, undefined);
    h.conn.dispose();
  });

  test('keep-alive pings get their RTT too', async () => {
    const f = await startWsServer({});
    fixtures.push(f);
    const h = wsConnection({ url: f.url, keepAlive: { intervalMs: 20, timeoutMs: 60_000 } });
    h.conn.connect();
    const pong = (await h.waitFor(pongIn)) as PingPongRecord;
    assert.equal(pong.size, 0);
    assert.equal(typeof pong.rttMs, 'number');
    h.conn.dispose();
  });
});

describe('silence marks', () => {
  test('no message for longer than silenceMs: a silence record right before the message that ended it', async () => {
    const f = await startWsServer({
      onConnection: (ws) => {
        ws.send('first');
        setTimeout(() => ws.send('after a pause'), 150);
      },
    });
    fixtures.push(f);
    const h = wsConnection({ url: f.url, silenceMs: 60 });
    h.conn.connect();
    const second = await h.waitFor((r) => r.kind === 'message' && r.data === 'after a pause');
    const i = h.records.indexOf(second);
    const mark = h.records[i - 1];
    assert.equal(mark.kind, 'silence');
    assert.ok(mark.kind === 'silence' && mark.ms > 60, JSON.stringify(mark));
    h.conn.dispose();
  });
});
