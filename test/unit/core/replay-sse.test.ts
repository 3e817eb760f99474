import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CommentRecord, MessageRecord, OpenRecord, RetryRecord } from '../../../src/core/records';
import { openRecording, type Recording } from '../../../src/core/replay/recording';
import { ReplayServer, type ReplayServerOptions } from '../../../src/core/replay/server';
import { client, type Client, essence, exportLog, removeTempDirs, stopClients, tempDir } from '../../fixtures/replayRecord';
import { sseHead, startServer, type TestServer, trickle } from '../../fixtures/sseServer';

/** The recorded stream: ids, event types, a two-line data, comments and a retry, with gaps between. */
const STREAM = [
  'retry: 150\n: connected\n\n',
  'id: 1\nevent: tick\ndata: {"n":1}\n\n',
  'id: 2\ndata: line one\ndata: line two\n\n',
  ': heartbeat\n\n',
  'id: 3\nevent: tick\ndata: {"n":3}\n\n',
  'id: 4\nevent: news\ndata: headline\n\n',
  'id: 5\ndata: five\n\n',
  'id: 6\nevent: tick\ndata: {"n":6}\n\n',
];
/** The pause after each chunk while recording (ms). */
const GAP_MS = 40;

let source: TestServer;
let recorded: Client;
let file: string;
const recordings: Recording[] = [];
const servers: ReplayServer[] = [];

before(async () => {
  source = await startServer(async (_req, res) => {
    sseHead(res, { 'X-Feed': 'prices', 'Set-Cookie': 'session=abc', 'Cache-Control': 'no-cache' });
    await trickle(res, STREAM, GAP_MS);
    res.end();
  });
  recorded = client({ url: `${source.url}/feed?x=1`, reconnect: { enabled: false } });
  await recorded.until((r) => r.kind === 'close');
  file = await exportLog(recorded, join(tempDir(), 'feed.ndjson'));
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

async function replay(options: ReplayServerOptions): Promise<ReplayServer> {
  const recording = await openRecording(file);
  recordings.push(recording);
  const server = new ReplayServer(recording.connections[0], options);
  servers.push(server);
  await server.start();
  return server;
}

const recordedMessages = () => recorded.incoming().map(essence);
const streamOf = (c: Client) =>
  c.records
    .filter((r) => r.kind === 'message' || r.kind === 'comment' || r.kind === 'retry')
    .map((r) =>
      r.kind === 'message' ? essence(r) : r.kind === 'comment' ? { comment: (r as CommentRecord).text } : { retry: (r as RetryRecord).ms },
    );

describe('replay of an SSE recording', () => {
  it('serves the recorded path on 127.0.0.1 and sends the same events, comments and retry in the same order (speed 0)', async () => {
    assert.equal(recordedMessages().length, 6);
    const server = await replay({ speed: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/feed$/);
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await c.until((r) => r.kind === 'close');
    assert.deepEqual(streamOf(c), streamOf(recorded));
    const two = c.incoming()[1];
    assert.equal(two.data, 'line one\nline two');
    const close = c.records.find((r) => r.kind === 'close');
    assert.equal(close?.kind === 'close' && close.by, 'server', 'the recorded server end is replayed');
  });

  it('sends the recorded status and headers, without credential and hop-by-hop headers', async () => {
    const server = await replay({ speed: 0 });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    const open = (await c.until((r) => r.kind === 'open')) as OpenRecord;
    assert.equal(open.status, 200);
    assert.equal(open.headers['x-feed'], 'prices');
    assert.equal(open.headers['cache-control'], 'no-cache');
    assert.match(open.headers['content-type'], /^text\/event-stream/);
    assert.equal(open.headers['set-cookie'], undefined);
  });

  it('keeps the recorded gaps at speed 1 (never shorter than recorded, less a small tolerance)', async () => {
    const server = await replay({ speed: 1 });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await c.until((r) => r.kind === 'close');
    assert.deepEqual(c.incoming().map(essence), recordedMessages());
    const gaps = (ms: MessageRecord[]) => ms.slice(1).map((m, i) => Date.parse(m.time) - Date.parse(ms[i].time));
    const want = gaps(recorded.incoming());
    const got = gaps(c.incoming());
    for (let i = 0; i < want.length; i++) {
      assert.ok(got[i] >= want[i] - 15, `gap ${i + 1}: replayed ${got[i]} ms, recorded ${want[i]} ms`);
    }
  });

  it('ends the response after --drop-after events; the client resumes with Last-Event-ID with no gap and no duplicate', async () => {
    const server = await replay({ speed: 0, dropAfter: 2 });
    const c = client({ url: server.url });
    await c.until((_r, all) => all.filter((r) => r.kind === 'message').length >= 6);
    assert.deepEqual(c.incoming().slice(0, 6).map(essence), recordedMessages());
    const resumes = c.records.filter((r) => r.kind === 'connecting').map((r) => (r.kind === 'connecting' ? r.lastEventId : ''));
    assert.deepEqual(resumes.slice(0, 3), [undefined, '2', '4']);
    const ends = c.records.filter((r) => r.kind === 'close');
    assert.ok(ends.length >= 2 && ends.every((r) => r.kind === 'close' && r.clean), 'each drop is a clean end of the response');
  });

  it('resumes after the Last-Event-ID the first request carries', async () => {
    const server = await replay({ speed: 0 });
    const c = client({ url: server.url, lastEventId: '3', reconnect: { enabled: false } });
    await c.until((r) => r.kind === 'close');
    assert.deepEqual(
      c.incoming().map((m) => m.id),
      ['4', '5', '6'],
    );
  });

  it('starts over at the end with --loop', async () => {
    const server = await replay({ speed: 0, loop: true });
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await c.until((_r, all) => all.filter((r) => r.kind === 'message').length >= 12);
    const ms = c.incoming().map(essence);
    assert.deepEqual(ms.slice(0, 6), recordedMessages());
    assert.deepEqual(ms.slice(6, 12), recordedMessages());
  });

  it('gives several clients at once each their own replay, and counts them', async () => {
    const server = await replay({ speed: 0, loop: true });
    const counts: number[] = [];
    server.onDidChangeClients((n) => counts.push(n));
    const two = new Promise<void>((resolve) => server.onDidChangeClients((n) => n === 2 && resolve()));
    const a = client({ url: server.url, reconnect: { enabled: false } });
    const b = client({ url: server.url, reconnect: { enabled: false } });
    await two;
    for (const c of [a, b]) {
      await c.until((_r, all) => all.filter((r) => r.kind === 'message').length >= 6);
      assert.deepEqual(c.incoming().slice(0, 6).map(essence), recordedMessages());
    }
    assert.equal(server.clients, 2);
    const none = new Promise<void>((resolve) => server.onDidChangeClients((n) => n === 0 && resolve()));
    await a.stop();
    await b.stop();
    await none;
    assert.deepEqual(counts.slice(0, 2), [1, 2]);
    assert.equal(counts.at(-1), 0);
  });
});
