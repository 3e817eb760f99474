/**
 * WebSocket against servers that misbehave on purpose: what the user is shown, what stays in the
 * store, and handles and memory back to the baseline afterwards. Raw-socket servers speak just
 * enough RFC 6455 to break it in exactly one way.
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type * as net from 'node:net';
import { describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import type { CloseRecord, MessageRecord, PingPongRecord } from '../../src/core/records';
import { selfSignedCert } from '../fixtures/tlsCert';
import { acceptUpgradeByHand, frame, OP, startRawServer, startWsServer } from '../fixtures/wsServer';
import {
  delay,
  freePort,
  hostileCase,
  isKind,
  killableServer,
  MB,
  mb,
  sampleMemory,
  type Scope,
  settledMemory,
  UNRESOLVABLE_HOST,
} from './helpers';

const T = { timeout: 60_000 };
const texts = (o: { messages(): MessageRecord[] }) => o.messages().map((m) => m.data);
const closeOf = (o: { store: { toArray(): unknown[] } }) => (o.store.toArray() as CloseRecord[]).filter((r) => r.kind === 'close').at(-1);

/** A raw server that completes the handshake by hand, then runs `then` on the socket. */
async function rawWs(scope: Scope, then: (socket: net.Socket) => void) {
  const raw = await startRawServer((socket) => {
    void acceptUpgradeByHand(socket).then(() => then(socket));
  });
  scope.defer(() => raw.close());
  return raw;
}

describe('WebSocket: the server goes away', () => {
  it('killed mid-stream (1006), then restarted on the same port: reconnects and the stream goes on, nothing lost', T, (t) =>
    hostileCase(t, async (scope) => {
      let generation = 1;
      const servers: WebSocketServer[] = [];
      const srv = await killableServer(() => {
        const server = http.createServer();
        const wss = new WebSocketServer({ server });
        servers.push(wss);
        wss.on('connection', (ws) => {
          ws.on('error', () => undefined);
          for (const word of generation === 1 ? ['one', 'two', 'three'] : ['four', 'five']) {
            ws.send(word);
          }
        });
        return server;
      });
      scope.defer(() => srv.kill());
      scope.defer(() => servers.forEach((w) => w.close()));
      const o = scope.observe({
        url: `ws://127.0.0.1:${srv.port}/live`,
        reconnect: { enabled: true, initialDelayMs: 40, maxDelayMs: 160, jitter: false, maxAttempts: null },
      });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'three', 5000, 'the first three messages');
      await srv.kill();
      const lost = (await o.waitFor(isKind('close'), 5000, 'the close')) as CloseRecord;
      assert.deepEqual([lost.code, lost.clean, lost.by], [1006, false, 'network']);
      assert.equal(lost.reason, 'connection lost without a close frame');
      await o.waitFor((r) => r.kind === 'error' && /refused/.test(r.message), 5000, 'a refused reconnect');
      await o.waitFor((r) => r.kind === 'reconnecting' && r.attempt >= 3, 5000, 'the third reconnect');
      assert.equal(o.conn.status.state, 'reconnecting');
      assert.equal(o.conn.status.lastClose?.code, 1006);
      generation = 2;
      await srv.restart();
      await o.waitFor((r) => r.kind === 'message' && r.data === 'five', 5000, 'the stream after the restart');
      assert.equal(o.conn.state, 'open');
      assert.deepEqual(texts(o), ['one', 'two', 'three', 'four', 'five']);
      assert.ok(o.errors().every((e) => !e.fatal && e.code === 'ERR_NETWORK'));
    }),
  );

  it('connection refused and a host that does not resolve: failed, each with its own code and message', T, (t) =>
    hostileCase(t, async (scope) => {
      const port = await freePort();
      const refused = scope.observe({ url: `ws://127.0.0.1:${port}/` });
      const unresolved = scope.observe({ url: `ws://${UNRESOLVABLE_HOST}/socket` });
      await refused.waitState('failed');
      await unresolved.waitState('failed');
      const a = refused.errors()[0];
      assert.deepEqual(
        [a.code, a.fatal, a.message],
        ['ERR_NETWORK', true, `Connection refused by 127.0.0.1:${port} (is the server running?)`],
      );
      const b = unresolved.errors()[0];
      assert.equal(b.code, 'ERR_DNS');
      assert.match(b.message, /^Cannot resolve host x{64}\.invalid/);
    }),
  );

  it('wss with a self-signed certificate: refused by default with the reason, never retried; accepted with tls.insecure', T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await startWsServer({ tls: selfSignedCert() });
      scope.defer(() => srv.close());
      const refused = scope.observe({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 5 } });
      await refused.waitState('failed');
      const err = refused.errors()[0];
      assert.deepEqual([err.code, err.fatal], ['ERR_TLS', true]);
      assert.match(err.message, /self-signed certificate.*tls\.insecure/);
      assert.equal(refused.errors().length, 1);
      assert.equal(srv.requests.length, 0, 'no upgrade request went over the unverified connection');

      const insecure = scope.observe({ url: srv.url, tls: { insecure: true } });
      await insecure.waitState('open');
      insecure.conn.sendText('hello');
      await insecure.waitFor((r) => r.kind === 'message' && r.dir === 'in', 5000, 'the echo');
      assert.deepEqual(texts(insecure), ['hello', 'hello']);
    }),
  );

  it('a server that accepts TCP and never answers the handshake: ERR_TIMEOUT after timeoutMs', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await startRawServer((socket) => socket.resume());
      scope.defer(() => raw.close());
      const started = Date.now();
      const o = scope.observe({ url: raw.url, timeoutMs: 400 });
      await o.waitState('failed');
      const took = Date.now() - started;
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.message], ['ERR_TIMEOUT', `No WebSocket handshake with 127.0.0.1:${raw.port} within 400 ms`]);
      assert.ok(took >= 380, `failed after ${took} ms`);
    }),
  );

  it('an answer to the upgrade that is not HTTP: ERR_PROTOCOL saying so', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await startRawServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.2\r\n')));
      scope.defer(() => raw.close());
      const o = scope.observe({ url: raw.url });
      await o.waitState('failed');
      const err = o.errors()[0];
      assert.deepEqual(
        [err.code, err.message],
        [
          'ERR_PROTOCOL',
          `The answer from 127.0.0.1:${raw.port} is not valid HTTP: it does not start like an HTTP response (is this the right port?) (HPE_INVALID_CONSTANT)`,
        ],
      );
    }),
  );

  it('a peer that stops answering pings is declared dead by keep-alive; what it sent before is kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await rawWs(scope, (socket) => {
        socket.write(frame(OP.text, Buffer.from('last words')));
        socket.resume(); // reads our pings, never answers
      });
      const o = scope.observe({ url: raw.url, keepAlive: { intervalMs: 100, timeoutMs: 300 } });
      await o.waitState('failed', 5000);
      const pings = o.store.toArray().filter((r): r is PingPongRecord => r.kind === 'ping' && r.dir === 'out');
      assert.ok(pings.length >= 1 && pings.every((p) => p.auto), `${pings.length} keep-alive pings`);
      const close = closeOf(o)!;
      assert.deepEqual([close.code, close.clean, close.reason], [1006, false, 'no pong within 300 ms']);
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.fatal, err.message], ['ERR_TIMEOUT', true, 'No pong within 300 ms — connection presumed dead']);
      assert.deepEqual(texts(o), ['last words']);
    }),
  );
});

describe('WebSocket: hostile frames', () => {
  it('a 200 MB message against the default maxPayload: 1009 shown, read no further, memory bounded, what came before kept', T, (t) =>
    hostileCase(t, async (scope) => {
      let sent = 0;
      const raw = await rawWs(scope, (socket) => {
        socket.write(frame(OP.text, Buffer.from('before')));
        // The header announces 200 MB; a few MB of it follow, no more is ever allocated here.
        socket.write(frame(OP.binary, Buffer.alloc(0), { length: 200 * MB }));
        const chunk = Buffer.alloc(MB, 0x61);
        for (let i = 0; i < 4; i++) {
          sent += chunk.length;
          socket.write(chunk);
        }
      });
      const base = await settledMemory();
      const sampler = sampleMemory();
      const o = scope.observe({ url: raw.url });
      await o.waitState('failed');
      const peak = sampler.stop();
      const close = closeOf(o)!;
      assert.deepEqual([close.code, close.clean], [1009, false]);
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.closeCode, err.fatal], ['ERR_PAYLOAD_TOO_BIG', 1009, true]);
      assert.match(err.message, /over the size limit.*closed with 1009/);
      assert.deepEqual(texts(o), ['before']);
      assert.ok(o.conn.stats.bytesIn <= sent + 1024, `${o.conn.stats.bytesIn} bytes read`);
      t.diagnostic(`200 MB announced: peak heap +${mb(peak.peakHeap - base.heapUsed)}, peak rss +${mb(peak.peakRss - base.rss)}`);
      assert.ok(peak.peakHeap - base.heapUsed < 64 * MB, `peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
    }),
  );

  it('invalid UTF-8 in a text frame: 1007 shown, earlier messages kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await rawWs(scope, (socket) => {
        socket.write(Buffer.concat([frame(OP.text, Buffer.from('fine')), frame(OP.text, Buffer.from([0x68, 0x69, 0xff, 0xfe]))]));
        socket.resume();
      });
      const o = scope.observe({ url: raw.url });
      await o.waitState('failed');
      const close = closeOf(o)!;
      assert.deepEqual([close.code, close.clean, close.by], [1007, false, 'client']);
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.closeCode], ['ERR_INVALID_UTF8', 1007]);
      assert.match(err.message, /not valid UTF-8.*closed with 1007/);
      assert.deepEqual(texts(o), ['fine']);
      assert.equal(o.conn.status.lastClose?.code, 1007);
    }),
  );

  it('a message in 10,000 fragments arrives whole, as one message', T, (t) =>
    hostileCase(t, async (scope) => {
      const piece = Buffer.from('0123456789');
      const raw = await rawWs(scope, (socket) => {
        const frames: Buffer[] = [frame(OP.text, piece, { fin: false })];
        for (let i = 1; i < 9_999; i++) {
          frames.push(frame(0, piece, { fin: false }));
        }
        frames.push(frame(0, piece), frame(OP.text, Buffer.from('after')));
        socket.write(Buffer.concat(frames));
        socket.resume();
      });
      const o = scope.observe({ url: raw.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'after', 10_000, 'the message after');
      const [whole] = o.messages();
      assert.equal(whole.size, 100_000);
      assert.equal(whole.data, '0123456789'.repeat(10_000));
      assert.equal(o.messages().length, 2);
      assert.equal(o.conn.state, 'open');
    }),
  );

  it('a message whose fragments never end is cut at the fragment limit (1008), memory bounded, what came before kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await rawWs(scope, (socket) => {
        socket.write(frame(OP.text, Buffer.from('before')));
        const frames: Buffer[] = [frame(OP.text, Buffer.from('x'), { fin: false })];
        for (let i = 0; i < 20_000; i++) {
          frames.push(frame(0, Buffer.from('x'), { fin: false }));
        }
        socket.write(Buffer.concat(frames));
        socket.resume();
      });
      const o = scope.observe({ url: raw.url });
      await o.waitState('failed');
      const close = closeOf(o)!;
      assert.deepEqual([close.code, close.clean], [1008, false]);
      const err = o.errors()[0];
      assert.equal(err.closeCode, 1008);
      assert.match(err.message, /in more pieces than the client buffers.*closed with 1008/);
      assert.deepEqual(texts(o), ['before']);
    }),
  );

  it('a ping flood is answered pong for pong, in the store, and the connection stays open', T, (t) =>
    hostileCase(t, async (scope) => {
      const pings = 20_000;
      let pongBytes = 0;
      const raw = await rawWs(scope, (socket) => {
        socket.on('data', (c: Buffer) => (pongBytes += c.length));
        const flood = Buffer.concat(Array.from({ length: pings }, (_, i) => frame(OP.ping, Buffer.from(String(i % 10)))));
        socket.write(Buffer.concat([flood, frame(OP.text, Buffer.from('after the flood'))]));
      });
      const o = scope.observe({ url: raw.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'after the flood', 15_000, 'the message after the flood');
      const all = o.store.toArray();
      const pingsIn = all.filter((r) => r.kind === 'ping' && r.dir === 'in').length;
      const pongsOut = all.filter((r) => r.kind === 'pong' && r.dir === 'out').length;
      assert.deepEqual([pingsIn, pongsOut], [pings, pings]);
      assert.equal(o.conn.state, 'open');
      // Each pong is 2 header + 4 mask + 1 payload bytes: every one reached the server.
      const deadline = Date.now() + 5000;
      while (pongBytes < pings * 7 && Date.now() < deadline) {
        await delay(20);
      }
      assert.equal(pongBytes, pings * 7);
    }),
  );

  it('a close with a 123-byte reason is shown whole, clean, by the server; earlier messages kept', T, (t) =>
    hostileCase(t, async (scope) => {
      // 123 bytes in UTF-8 with multi-byte characters: the most a close frame can carry.
      const reason = 'é'.repeat(40) + 'x'.repeat(43);
      assert.equal(Buffer.byteLength(reason), 123);
      const srv = await startWsServer({
        onConnection: (ws) => {
          ws.send('before');
          ws.close(4000, reason);
        },
      });
      scope.defer(() => srv.close());
      const o = scope.observe({ url: srv.url });
      await o.waitState('closed');
      const close = closeOf(o)!;
      assert.deepEqual([close.code, close.reason, close.clean, close.by], [4000, reason, true, 'server']);
      assert.deepEqual(o.conn.status.lastClose, { code: 4000, reason, clean: true });
      assert.deepEqual(texts(o), ['before']);
      assert.equal(o.errors().length, 0);
    }),
  );
});
