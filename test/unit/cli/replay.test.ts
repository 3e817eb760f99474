import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { REPLAY_OPTIONS } from '../../../src/cli/replayArgs';
import { client, type Client, essence, exportLog, removeTempDirs, stopClients, tempDir } from '../../fixtures/replayRecord';
import { sseHead, startServer, type TestServer } from '../../fixtures/sseServer';
import { startWsServer, type WsFixture } from '../../fixtures/wsServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const HAR = resolve(__dirname, '../../../../test/fixtures/replay/chrome-websocket.har');

interface Running {
  child: ChildProcess;
  out: string[];
  err(): string;
  /** Resolves with the first stdout line (past or future) matching `re`. */
  line(re: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

const children = new Set<ChildProcess>();

function cli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const out: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      out.push(l);
      for (const w of [...waiters]) {
        if (w.re.test(l)) {
          waiters.delete(w);
          w.resolve(l);
        }
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exit = once(child, 'close').then(([code]) => {
    children.delete(child);
    return code as number | null;
  });
  return {
    child,
    out,
    err: () => stderr,
    line(re) {
      const found = out.find((l) => re.test(l));
      return found !== undefined
        ? Promise.resolve(found)
        : new Promise((res, rej) => {
            waiters.add({ re, resolve: res });
            void exit.then(() => rej(new Error(`the CLI exited before printing ${re}; stderr: ${stderr}`)));
          });
    },
    exit,
  };
}

let sse: TestServer;
let ws: WsFixture;
let recorded: Client;
let dir: string;
let sseLog: string;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
  dir = tempDir();
  sse = await startServer((_req, res) => {
    sseHead(res);
    res.end('retry: 200\n: hello\n\nid: 1\nevent: tick\ndata: {"n":1}\n\nid: 2\ndata: two\ndata: lines\n\nid: 3\ndata: three\n\n');
  });
  ws = await startWsServer({ path: '/echo' });
  recorded = client({ url: `${sse.url}/stream`, reconnect: { enabled: false } });
  await recorded.until((r) => r.kind === 'close');
  sseLog = await exportLog(recorded, join(dir, 'stream.ndjson'));
});

after(async () => {
  await sse.close();
  await ws.close();
  removeTempDirs();
});

afterEach(async () => {
  await stopClients();
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

describe('realtime-inspector replay', () => {
  it('prints the URL it serves, replays the log to a client, logs the client, and exits 0 on Ctrl+C', async () => {
    const run = cli(['replay', sseLog, '--speed', '0']);
    const url = await run.line(/^http:/);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/stream$/);
    const c = client({ url, reconnect: { enabled: false } });
    await c.until((r) => r.kind === 'close');
    assert.deepEqual(c.incoming().map(essence), recorded.incoming().map(essence));
    await run.line(/^client 1: 3 events, the recording ends: the server ended the stream$/);
    assert.match(run.out.join('\n'), /client 1 connected from 127\.0\.0\.1:\d+/);
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 0);
    assert.equal(run.err(), '');
  });

  it('serves a Chrome HAR to the CLI as a client, on --path, without the recorded URL credentials in its output; SIGTERM exits 0', async () => {
    const run = cli(['replay', HAR, '--speed', '0', '--path', '/mock']);
    const url = await run.line(/^ws:/);
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/mock$/);
    const viewer = cli([url, '-p', 'prices.v1', '--json', '--count', '3', '--no-interactive', '--no-reconnect']);
    assert.equal(await viewer.exit, 0, viewer.err());
    const got = viewer.out
      .map((l) => JSON.parse(l) as { kind: string; dir?: string; data?: string; protocol?: string })
      .filter((r) => r.kind === 'message' && r.dir === 'in')
      .map((r) => r.data);
    assert.deepEqual(got, ['{"type":"hello","server":"prices"}', '{"topic":"eur","price":1.0812}', '{"topic":"eur","price":1.0815}']);
    assert.doesNotMatch(run.out.join('\n'), /s3cr3t-token/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exit, 0);
  });

  it('asks for --connection with a log of several connections, listing their URL and record count (exit 2); --connection N picks one', async () => {
    const echo = client({ url: ws.url, reconnect: { enabled: false } });
    await echo.until((r) => r.kind === 'open');
    await echo.stop();
    const file = join(dir, 'two.ndjson');
    writeFileSync(file, readFileSync(sseLog));
    await exportLog(echo, file, true);
    const run = cli(['replay', file]);
    assert.equal(await run.exit, 2);
    assert.equal(
      run.err(),
      `realtime-inspector: ${file} holds 2 connections: choose one with --connection N\n` +
        `  1  ${sse.url}/stream  (${recorded.records.length} records)\n` +
        `  2  ${ws.url}  (${echo.records.length} records)\n`,
    );
    const second = cli(['replay', file, '--connection', '2']);
    assert.match(await second.line(/^ws:/), /^ws:\/\/127\.0\.0\.1:\d+\/echo$/);
    second.child.kill('SIGINT');
    assert.equal(await second.exit, 0);
  });

  it('says which port is taken (exit 2)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = cli(['replay', sseLog, '--port', String(port)]);
      assert.equal(await run.exit, 2);
      assert.match(run.err(), new RegExp(`^realtime-inspector: port ${port} on 127\\.0\\.0\\.1 is taken`));
    } finally {
      blocker.close();
    }
  });

  it('warns once about lines that are not records, with their numbers, and replays the rest', async () => {
    const lines = readFileSync(sseLog, 'utf8').trimEnd().split('\n');
    const file = join(dir, 'edited.ndjson');
    writeFileSync(file, [lines[0], '{oops', ...lines.slice(1), '{"kind":"message","seq":'].join('\n'));
    const run = cli(['replay', file, '--speed', '0']);
    const url = await run.line(/^http:/);
    const c = client({ url, reconnect: { enabled: false } });
    await c.until((r) => r.kind === 'close');
    assert.deepEqual(c.incoming().map(essence), recorded.incoming().map(essence));
    run.child.kill('SIGINT');
    assert.equal(await run.exit, 0);
    assert.equal(run.err(), `realtime-inspector: warning: ${file}: skipped 2 lines that are not records (lines 2, ${lines.length + 2})\n`);
  });

  it('refuses a file it cannot read, a file with no connection and options that do not fit (exit 2)', async () => {
    const missing = cli(['replay', join(dir, 'missing.ndjson')]);
    assert.equal(await missing.exit, 2);
    assert.match(missing.err(), /cannot read .*missing\.ndjson: no such file/);
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    const none = cli(['replay', empty]);
    assert.equal(await none.exit, 2);
    assert.match(none.err(), /is empty: no connection to replay/);
    const close = cli(['replay', sseLog, '--close', '4000']);
    assert.equal(await close.exit, 2);
    assert.match(close.err(), /--close is for WebSocket recordings/);
    const speed = cli(['replay', sseLog, '--speed', 'fast']);
    assert.equal(await speed.exit, 2);
    assert.match(speed.err(), /--speed needs a number/);
    const help = cli(['replay', '--help']);
    assert.equal(await help.exit, 0);
    assert.match(help.out.join('\n'), /^Usage: realtime-inspector replay FILE \[--port P\]/);
    for (const [name, o] of Object.entries(REPLAY_OPTIONS)) {
      const short = (o as { short?: string }).short;
      assert.ok(help.out.join('\n').includes(short ? `-${short}, --${name}` : `--${name}`), `--${name} in replay --help`);
    }
  });
});
