import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { CloseRecord, MessageRecord, OpenRecord } from '../../../src/core/records';
import { openRecording, type Recording } from '../../../src/core/replay/recording';
import { ReplayServer, type ReplayServerOptions } from '../../../src/core/replay/server';
import { client, type Client, essence, exportLog, removeTempDirs, stopClients, tempDir } from '../../fixtures/replayRecord';
import { startWsServer, type WsFixture } from '../../fixtures/wsServer';

const HAR = resolve(__dirname, '../../../../test/fixtures/replay/chrome-websocket.har');
/** The recorded server's delay before each reply (ms). */
const REPLY_MS = 30;

/**
 * The recorded API: a hello and a binary greeting on open, a ping; each text message answered
 * `reply:<text>` and each binary one with its bytes reversed, after REPLY_MS; "bye" closes with 4001.
 */
function api(ws: WebSocket): void {
  ws.send('{"type":"hello"}');
  setTimeout(() => ws.send(Buffer.from([1, 2, 3]), { binary: true }), 40);
  setTimeout(() => ws.ping(Buffer.from('hb')), 60);
  ws.on('message', (data: Buffer, isBinary) => {
    setTimeout(() => {
      if (isBinary) {
        ws.send(Buffer.from(data).reverse(), { binary: true });
      } else if (data.toString() === 'bye') {
        ws.close(4001, 'done');
      } else {
        ws.send(`reply:${data.toString()}`);
      }
    }, REPLY_MS);
  });
}

/** What the recorded client said, in order (binary as base64). */
const SAID: { text?: string; binary?: string }[] = [
  { text: 'alpha' },
  { text: '{"op":"get","id":1}' },
  { binary: 'CQgH' },
  { text: 'omega' },
];

let source: WsFixture;
let recorded: Client;
let file: string;
const recordings: Recording[] = [];
const servers: ReplayServer[] = [];

/** Sends what the recorded client said, each after the previous reply (and the greetings first). */
async function converse(c: Client, said = SAID, bye = true): Promise<void> {
  await c.until((_r, all) => all.filter((r) => r.kind === 'message' && r.dir === 'in').length >= 2);
  for (const s of said) {
    const before = c.incoming().length;
    if (s.text !== undefined) {
      c.conn.sendText(s.text);
    } else {
      c.conn.sendBinary(Buffer.from(s.binary!, 'base64'));
    }
    await c.until(() => c.incoming().length > before);
  }
  // At speed 0 the replay may already be closing once the last reply is in.
  if (bye && c.conn.canSend) {
    c.conn.sendText('bye');
  }
}

before(async () => {
  source = await startWsServer({ onConnection: api, server: { handleProtocols: () => 'chat.v1' }, path: '/api' });
  recorded = client({ url: source.url, protocols: ['chat.v1', 'chat.v0'], reconnect: { enabled: false } });
  await converse(recorded);
  await recorded.until((r) => r.kind === 'close');
  file = await exportLog(recorded, join(tempDir(), 'api.ndjson'));
});

after(async () => {
  await source.close();
  removeTempDirs();
});

afterEach(async () => {
  await stopClients();
  for (const s of servers.splice(0)) {
    await s.close();
  }
  for (const r of recordings.splice(0)) {
    r.dispose();
  }
});

async function replay(options: ReplayServerOptions, path = file): Promise<ReplayServer> {
  const recording = await openRecording(path);
  recordings.push(recording);
  const server = new ReplayServer(recording.connections[0], options);
  servers.push(server);
  await server.start();
  return server;
}

const closeOf = async (c: Client) => (await c.until((r) => r.kind === 'close')) as CloseRecord;

describe('replay of a WebSocket recording', () => {
  it('accepts the recorded subprotocol and sends the same messages, pings and replies in the same order (speed 0)', async () => {
    assert.equal(recorded.incoming().length, 6);
    const server = await replay({ speed: 0 });
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/api$/);
    const c = client({ url: server.url, protocols: ['chat.v0', 'chat.v1'], reconnect: { enabled: false } });
    const open = (await c.until((r) => r.kind === 'open')) as OpenRecord;
    assert.equal(open.protocol, 'chat.v1');
    await converse(c);
    const close = await closeOf(c);
    assert.deepEqual(c.incoming().map(essence), recorded.incoming().map(essence));
    assert.ok(c.records.some((r) => r.kind === 'ping' && r.dir === 'in' && r.data === Buffer.from('hb').toString('base64')));
    assert.equal(close.code, 4001, 'the recorded close, once the client said what the recorded one said');
    assert.equal(close.reason, 'done');
  });

  it('answers by exact text first, then by JSON shape, then with the next unanswered reply', async () => {
    const server = await replay({ speed: 0 });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    const replies: string[] = [];
    const ask = async (text: string) => {
      const n = c.incoming().length;
      c.conn.sendText(text);
      await c.until(() => c.incoming().length > n);
      replies.push(c.incoming()[n].data);
    };
    await c.until((_r, all) => all.filter((r) => r.kind === 'message' && r.dir === 'in').length >= 2);
    await ask('omega');
    await ask('{"id":99,"op":"put"}');
    await ask('something never recorded');
    assert.deepEqual(replies, ['reply:omega', 'reply:{"op":"get","id":1}', 'reply:alpha']);
    const n = c.incoming().length;
    c.conn.sendBinary(Buffer.from([0xff]));
    await c.until(() => c.incoming().length > n);
    const binary = c.incoming()[n];
    assert.equal(binary.format, 'binary');
    assert.equal(binary.data, Buffer.from([7, 8, 9]).toString('base64'), 'the one reply left, in order');
  });

  it('keeps the recorded gaps and reply delays at speed 1 (never shorter, less a small tolerance)', async () => {
    const server = await replay({ speed: 1 });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await converse(c);
    await closeOf(c);
    const inOut = (cl: Client) => cl.records.filter((r): r is MessageRecord => r.kind === 'message');
    assert.deepEqual(inOut(c).map(essence), inOut(recorded).map(essence));
    const t = (r: MessageRecord) => Date.parse(r.time);
    const greet = (cl: Client) => t(cl.incoming()[1]) - t(cl.incoming()[0]);
    assert.ok(greet(c) >= greet(recorded) - 15, `greeting gap ${greet(c)} ms, recorded ${greet(recorded)} ms`);
    const all = inOut(c);
    for (let i = 1; i < all.length; i++) {
      if (all[i - 1].dir === 'out' && all[i].dir === 'in') {
        assert.ok(t(all[i]) - t(all[i - 1]) >= REPLY_MS - 15, `reply ${i} came ${t(all[i]) - t(all[i - 1])} ms after its message`);
      }
    }
  });

  it('cuts the TCP connection after --drop-after messages: the client sees 1006', async () => {
    const server = await replay({ speed: 0, dropAfter: 1 });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    const close = await closeOf(c);
    assert.equal(close.code, 1006);
    assert.equal(close.clean, false);
    assert.deepEqual(
      c.incoming().map((m) => m.data),
      ['{"type":"hello"}'],
    );
  });

  it('closes with --close CODE when the recording is done', async () => {
    const server = await replay({ speed: 0, close: { code: 4000, reason: 'replayed' } });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await converse(c, SAID, false);
    const close = await closeOf(c);
    assert.equal(close.code, 4000);
    assert.equal(close.reason, 'replayed');
    assert.equal(c.incoming().length, 6);
  });

  it('replays a Chrome HAR: its subprotocol, its frames at their places and its replies', async () => {
    const server = await replay({ speed: 0 }, HAR);
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/live$/);
    const c = client({ url: server.url, protocols: ['prices.v1'], reconnect: { enabled: false } });
    const open = (await c.until((r) => r.kind === 'open')) as OpenRecord;
    assert.equal(open.protocol, 'prices.v1');
    assert.equal(open.headers['x-served-by'], 'prices-7');
    // Without a client message, only what the server sent on its own comes.
    await c.until((_r, all) => all.filter((r) => r.kind === 'message' && r.dir === 'in').length >= 3);
    const n = c.incoming().length;
    c.conn.sendText('{"op":"subscribe","topic":"usd"}');
    await c.until(() => c.incoming().length > n);
    c.conn.sendBinary(Buffer.from([1, 2, 3]));
    await c.until(() => c.incoming().length > n + 1);
    assert.deepEqual(
      c.incoming().map((m) => m.data),
      [
        '{"type":"hello","server":"prices"}',
        '{"topic":"eur","price":1.0812}',
        '{"topic":"eur","price":1.0815}',
        '{"ok":true,"topic":"eur"}',
        'AwIB',
      ],
    );
  });
  it('starts over with --loop, and gives several clients at once their own replay', async () => {
    const server = await replay({ speed: 0, loop: true });
    const two = new Promise<void>((resolve) => server.onDidChangeClients((n) => n === 2 && resolve()));
    const a = client({ url: server.url, reconnect: { enabled: false } });
    const b = client({ url: server.url, reconnect: { enabled: false } });
    await two;
    const greetings = recorded.incoming().slice(0, 2).map(essence);
    for (const c of [a, b]) {
      // With no client message, each pass sends what the server sent on its own: the hello and the binary greeting.
      await c.until((_r, all) => all.filter((r) => r.kind === 'message' && r.dir === 'in').length >= 6);
      assert.deepEqual(c.incoming().slice(0, 6).map(essence), [...greetings, ...greetings, ...greetings]);
    }
    assert.equal(server.clients, 2);
  });
});
