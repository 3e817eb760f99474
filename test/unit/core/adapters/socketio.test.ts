/**
 * The Socket.IO adapter against the real `socket.io` server on 127.0.0.1: emit and ack, namespaces
 * and auth, a refused namespace in words, binary attachments both ways, and a connection that lives
 * through many of the server's ping intervals (a short pingInterval; the server pings again only once
 * answered, so twenty pings are twenty answers, and a generous pingTimeout keeps a loaded machine in).
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server } from 'socket.io';
import { createConnection } from '../../../../src/core/index';
import type { Connection } from '../../../../src/core/connection';
import type { MessageRecord } from '../../../../src/core/records';
import { isDecoded, watch } from './records';

let server: http.Server;
let io: Server;
let base: string;
const conns: Connection[] = [];

before(async () => {
  server = http.createServer();
  io = new Server(server, { pingInterval: 50, pingTimeout: 10_000 });
  io.on('connection', (socket) => {
    socket.emit('hello', { n: 1 }, 'two');
    socket.on('chat', (msg: unknown, ack?: (r: unknown) => void) => {
      if (typeof ack === 'function') {
        ack({ got: msg });
      } else {
        socket.emit('echo', msg);
      }
    });
    socket.on('bin', (buf: Buffer, label: string) => {
      socket.emit('bin-back', label, Buffer.concat([buf, Buffer.from([0xff])]), { nested: Buffer.from('xyz') });
    });
  });
  io.of('/chat').use((socket, next) => {
    const token = (socket.handshake.auth as { token?: string }).token;
    if (token === 'good') {
      next();
    } else {
      next(new Error('Not authorized'));
    }
  });
  io.of('/chat').on('connection', (socket) => {
    socket.emit('welcome', (socket.handshake.auth as { token: string }).token);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const c of conns) {
    c.dispose();
  }
  await io.close();
});

function connect(options: Record<string, unknown> = {}): Connection {
  const conn = createConnection({ url: base, adapter: { name: 'socket.io', options }, reconnect: { enabled: false } });
  conns.push(conn);
  return conn;
}

describe('Socket.IO adapter (socket.io server)', () => {
  it('joins, receives events decoded with the raw frame as data, emits and gets an ack back', async () => {
    const conn = connect();
    assert.equal(conn.kind, 'ws');
    assert.equal(conn.adapter?.name, 'socket.io');
    const w = watch(conn);
    let ready = false;
    conn.onAdapterSignal((s) => (ready ||= s.kind === 'ready'));
    conn.connect();
    const hello = (await w.next(isDecoded('event', 'in', (d) => d.event === 'hello'))) as MessageRecord;
    assert.equal(hello.data, '42["hello",{"n":1},"two"]');
    assert.deepEqual(JSON.parse(JSON.stringify(hello.decoded)), {
      protocol: 'socket.io',
      type: 'event',
      namespace: '/',
      event: 'hello',
      args: [{ n: 1 }, 'two'],
      label: 'hello',
    });
    assert.ok(ready, 'ready signalled once the namespace was joined');
    const connecting = w.records.find((r) => r.kind === 'connecting');
    assert.match(connecting && 'url' in connecting ? connecting.url : '', /\/socket\.io\/\?EIO=4&transport=websocket$/);

    conn.send({ verb: 'emit', fields: { event: 'chat', args: [{ text: 'hi' }], ack: true } });
    const ack = await w.next(isDecoded('ack'));
    const out = w.decoded('event', 'out').find((d) => d.event === 'chat')!;
    assert.equal(out.ackId, 0);
    assert.equal((ack as MessageRecord).decoded!.ackId, 0);
    assert.deepEqual((ack as MessageRecord).decoded!.args, [{ got: { text: 'hi' } }]);

    conn.send({ verb: 'emit', fields: { event: 'chat', args: [{ text: 'no ack' }] } });
    const echo = (await w.next(isDecoded('event', 'in', (d) => d.event === 'echo'))) as MessageRecord;
    assert.deepEqual(echo.decoded!.args, [{ text: 'no ack' }]);
    assert.throws(() => conn.send({ verb: 'emit', fields: { event: 'chat', args: 'not an array' } }), /args must be a JSON array/);
  });

  it('answers the server pings and so stays open through many ping intervals', async () => {
    const conn = connect();
    const w = watch(conn);
    conn.connect();
    // Engine.IO 4 sends its next ping once the last one was answered: twenty pings are twenty pongs.
    await w.next((r) => w.decoded('ping').length >= 20 || r.kind === 'close' || r.kind === 'error');
    assert.equal(conn.state, 'open');
    assert.ok(w.decoded('pong', 'out').length >= 20);
    assert.ok(w.decoded('ping').every((d) => d.keepAlive === true));
    assert.ok(!w.records.some((r) => r.kind === 'close' || r.kind === 'error'), 'never dropped');
  });

  it('joins a namespace with auth, and a refusal ends the attempt with the reason in words', async () => {
    const good = connect({ namespace: '/chat', auth: { token: 'good' } });
    const wg = watch(good);
    good.connect();
    const welcome = (await wg.next(isDecoded('event', 'in', (d) => d.event === 'welcome'))) as MessageRecord;
    assert.equal(welcome.decoded!.namespace, '/chat');
    assert.deepEqual(welcome.decoded!.args, ['good']);
    assert.ok(wg.records.some((r) => r.kind === 'info' && /joined namespace \/chat/.test(r.message)));

    const bad = connect({ namespace: '/chat', auth: { token: 'bad' } });
    const wb = watch(bad);
    bad.connect();
    const err = await wb.next((r) => r.kind === 'error');
    assert.equal(err.kind === 'error' && err.code, 'ERR_PROTOCOL');
    assert.equal(err.kind === 'error' && err.message, 'Socket.IO refused namespace /chat: Not authorized');
    assert.equal(err.kind === 'error' && err.fatal, true);
    assert.equal(wb.decoded('connect_error')[0].message, 'Not authorized');
    assert.equal(bad.state, 'failed');
  });

  it('sends binary attachments and reassembles the ones that come back', async () => {
    const conn = connect();
    const w = watch(conn);
    conn.connect();
    await w.next(isDecoded('connect'));
    conn.send({ verb: 'emit', fields: { event: 'bin', args: [{ $binary: Buffer.from([1, 2, 3]).toString('base64'), size: 3 }, 'L'] } });
    const back = (await w.next(isDecoded('event', 'in', (d) => d.event === 'bin-back' && !d.partial))) as MessageRecord;
    assert.deepEqual(back.decoded!.args, [
      'L',
      { $binary: Buffer.from([1, 2, 3, 0xff]).toString('base64'), size: 4 },
      { nested: { $binary: Buffer.from('xyz').toString('base64'), size: 3 } },
    ]);
    assert.equal(back.format, 'binary', 'the record that completes it is the last attachment frame');
    const parts = w.records.filter((r) => r.kind === 'message' && r.dir === 'in' && r.decoded?.partial);
    assert.equal(parts.length, 2, 'the header frame and the first attachment are parts');
  });

  it('rejects options in words naming the option', () => {
    assert.throws(() => connect({ namespace: 'chat' }), /namespace: must start with "\/"/);
    assert.throws(() => connect({ auth: [1] }), /auth: must be a JSON object/);
  });
});
