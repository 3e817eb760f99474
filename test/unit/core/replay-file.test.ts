import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { describeConnections, openRecording, type Recording, RecordingError, skippedWarning } from '../../../src/core/replay/recording';
import { ReplayServer } from '../../../src/core/replay/server';
import { client, type Client, essence, exportLog, removeTempDirs, stopClients, tempDir } from '../../fixtures/replayRecord';
import { sendStream, startServer, type TestServer } from '../../fixtures/sseServer';
import { startWsServer, type WsFixture } from '../../fixtures/wsServer';

let sse: TestServer;
let ws: WsFixture;
let sseRecorded: Client;
let dir: string;
let sseLog: string;
const recordings: Recording[] = [];
const servers: ReplayServer[] = [];

before(async () => {
  dir = tempDir();
  sse = await startServer((_req, res) => sendStream(res, 'id: a\ndata: one\n\nid: b\ndata: two\n\nid: c\ndata: three\n\n'));
  ws = await startWsServer({ path: '/echo' });
  sseRecorded = client({ url: `${sse.url}/events`, reconnect: { enabled: false } });
  await sseRecorded.until((r) => r.kind === 'close');
  sseLog = await exportLog(sseRecorded, join(dir, 'events.ndjson'));
});

after(async () => {
  await sse.close();
  await ws.close();
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

async function open(path: string): Promise<Recording> {
  const r = await openRecording(path);
  recordings.push(r);
  return r;
}

async function rejection(path: string): Promise<string> {
  try {
    (await open(path)).dispose();
  } catch (err) {
    assert.ok(err instanceof RecordingError, `a RecordingError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('the file was accepted');
}

describe('reading a recording', () => {
  it('skips lines that do not parse and counts them in one warning (first few line numbers, then "and N more"); unknown kinds are ignored', async () => {
    const lines = readFileSync(sseLog, 'utf8').trimEnd().split('\n');
    const broken = [
      lines[0],
      'not json at all',
      lines[1],
      '{"kind": "message", "seq": 3, "time": ',
      '[1, 2, 3]',
      '{"seq": 99, "time": "2026-01-01T00:00:00.000Z"}',
      '{"kind":"telemetry","seq":4,"time":"2026-01-01T00:00:00.000Z","cpu":3}',
      ...lines.slice(2),
      '{"kind":"message","seq":100,"time":"2026-01-01T00:00:00.000Z","dir":"in"}',
      '{"kind":"comment","seq":101,"time":"yesterday","text":"x"}',
      '{"kind":"message","seq":102,"time":"2026-01-01T00:00:0',
    ];
    const file = join(dir, 'broken.ndjson');
    writeFileSync(file, broken.join('\n'));
    const r = await open(file);
    assert.equal(r.connections.length, 1);
    assert.equal(r.skipped.count, 7);
    assert.deepEqual(r.skipped.lines, [2, 4, 5, 6, 8 + lines.length - 2]);
    assert.equal(r.ignored, 1);
    assert.equal(skippedWarning(r.skipped), `skipped 7 lines that are not records (lines 2, 4, 5, 6, ${8 + lines.length - 2} and 2 more)`);

    const server = new ReplayServer(r.connections[0], { speed: 0 });
    servers.push(server);
    await server.start();
    const c = client({ url: server.url, reconnect: { enabled: false } });
    await c.until((x) => x.kind === 'close');
    assert.deepEqual(c.incoming().map(essence), sseRecorded.incoming().map(essence), 'every good record still replays');
  });

  it('tells the connections of a log apart (seq starting again at 1), with their URL and record count', async () => {
    const echo = client({ url: ws.url, reconnect: { enabled: false } });
    await echo.until((r) => r.kind === 'open');
    echo.conn.sendText('hi');
    await echo.until((r) => r.kind === 'message' && r.dir === 'in');
    await echo.stop();
    const file = join(dir, 'two.ndjson');
    writeFileSync(file, readFileSync(sseLog));
    await exportLog(echo, file, true);
    const r = await open(file);
    assert.deepEqual(
      r.connections.map((c) => [c.n, c.kind, c.url, c.records]),
      [
        [1, 'sse', `${sse.url}/events`, sseRecorded.records.length],
        [2, 'ws', ws.url, echo.records.length],
      ],
    );
    assert.deepEqual(describeConnections(r.connections), [
      `  1  ${sse.url}/events  (${sseRecorded.records.length} records)`,
      `  2  ${ws.url}  (${echo.records.length} records)`,
    ]);
  });

  it('says so for a HAR without WebSocket frames, an empty file, a missing file and a file that is no recording', async () => {
    const har = join(dir, 'pages.har');
    writeFileSync(
      har,
      JSON.stringify(
        {
          log: {
            version: '1.2',
            creator: { name: 'WebInspector', version: '537.36' },
            entries: [{ _resourceType: 'document', request: { url: 'http://x/' } }],
          },
        },
        null,
        2,
      ),
    );
    assert.match(await rejection(har), /has no WebSocket frames \(1 entry, none a WebSocket/);
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '\n\n');
    assert.match(await rejection(empty), /is empty: no connection to replay/);
    assert.match(await rejection(join(dir, 'nowhere.ndjson')), /cannot read .*nowhere\.ndjson: no such file/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\nworld\n');
    assert.match(
      await rejection(text),
      /holds no connection to replay: it is neither an NDJSON log .* nor a HAR file \(2 lines that are not records\)/,
    );
  });

  it('leaves the wait between a close and the reconnect out of the timeline', async () => {
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const log = [
      { seq: 1, time: t(0), kind: 'connecting', url: 'http://h/s', method: 'GET', headers: {}, attempt: 0 },
      { seq: 2, time: t(10), kind: 'open', url: 'http://h/s', status: 200, headers: {} },
      { seq: 3, time: t(110), kind: 'message', dir: 'in', format: 'text', data: 'a', size: 1, id: '1', lastEventId: '1' },
      { seq: 4, time: t(210), kind: 'close', clean: true, by: 'server' },
      { seq: 5, time: t(211), kind: 'reconnecting', attempt: 1, delayMs: 60000, maxAttempts: null },
      { seq: 6, time: t(60_211), kind: 'connecting', url: 'http://h/s', headers: {}, attempt: 1, lastEventId: '1' },
      { seq: 7, time: t(60_220), kind: 'open', url: 'http://h/s', status: 200, headers: {} },
      { seq: 8, time: t(60_320), kind: 'message', dir: 'in', format: 'text', data: 'b', size: 1, id: '2', lastEventId: '2' },
    ];
    const file = join(dir, 'reconnect.ndjson');
    writeFileSync(file, log.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const [c] = (await open(file)).connections;
    assert.deepEqual([...c.items.atMs.subarray(0, c.items.count)], [100, 300]);
    assert.equal(c.endMs, 300);
  });
  it('takes an echo as the reply of the message it repeats, else as the reply of the oldest waiting message (pipelined requests)', async () => {
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const msg = (seq: number, dir: 'in' | 'out', data: string) => ({
      seq,
      time: t(seq * 10),
      kind: 'message',
      dir,
      format: 'text',
      data,
      size: data.length,
    });
    const log = [
      { seq: 1, time: t(0), kind: 'open', url: 'ws://h/api', status: 101, headers: {} },
      msg(2, 'in', 'welcome'),
      msg(3, 'out', 'a'),
      msg(4, 'out', 'b'),
      msg(5, 'in', 'b'),
      msg(6, 'in', 'a'),
      msg(7, 'out', 'req1'),
      msg(8, 'out', 'req2'),
      msg(9, 'in', 'res1'),
      msg(10, 'in', 'res2'),
      msg(11, 'in', 'tick'),
    ];
    const file = join(dir, 'pipelined.ndjson');
    writeFileSync(file, log.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const [c] = (await open(file)).connections;
    // Slots: 0 welcome, 1 a, 2 b, 3 echo b, 4 echo a, 5 req1, 6 req2, 7 res1, 8 res2, 9 tick.
    assert.deepEqual([...c.items.replyTo.subarray(0, c.items.count)], [-1, -1, -1, 2, 1, -1, -1, 5, 6, -1]);
  });
});
