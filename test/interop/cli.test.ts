/**
 * Interop, CLI: the built `dist/cli.js` against servers it was not written with — FastAPI with an
 * sse-starlette `/stream` and a FastAPI WebSocket echo `/ws` (servers/app.py), run by uvicorn. What the
 * server saw comes from servers/observed.py, so the reconnect delay is measured at the server.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { startDemoServer, type DemoServer } from '../../src/demo/server';
import { repoRoot } from '../harness/codeServer';
import { pythonEnv, serversDir, startFastApi, type FastApiServer, type Observation } from './python';

const CLI = join(repoRoot, 'dist', 'cli.js');
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const env = pythonEnv();

type Rec = Record<string, unknown> & { kind: string };

interface Cli {
  child: ChildProcess;
  records: Rec[];
  stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
}

const children = new Set<ChildProcess>();

/** This environment without proxy settings: everything here talks to 127.0.0.1 directly. */
function directEnv(): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of PROXY_VARS) {
    delete childEnv[name];
  }
  return childEnv;
}

function cli(args: string[], stdin?: string): Cli {
  const childEnv = directEnv();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: childEnv,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const records: Rec[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line !== '') {
      records.push(JSON.parse(line) as Rec);
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  if (stdin !== undefined) {
    child.stdin!.end(stdin);
  }
  return { child, records, stderr: () => stderr, exited };
}

/** Waits for the process to end; kills it when it has not within `timeoutMs` (and says so). */
async function ended(run: Cli, timeoutMs: number, what: string): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(
        new Error(`${what}: the CLI did not exit within ${timeoutMs} ms; stderr: ${run.stderr()}; records: ${JSON.stringify(run.records)}`),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([run.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const requests = (seen: Observation[], path: string) => seen.filter((o) => o.what === 'request' && o.path === path);

after(() => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
});

describe('the CLI against FastAPI (sse-starlette /stream, WebSocket /ws)', { skip: env.skip }, () => {
  let server: FastApiServer | undefined;

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
    server = await startFastApi(env.venv!);
  });

  after(async () => {
    await server?.stop();
  });

  it(
    '/stream: ten events with their ids and data, retry 15000, then a reconnect at least 15 s after the end with Last-Event-ID message_id_9',
    { timeout: 180_000 },
    async (t) => {
      const s = server!;
      const run = cli([`${s.url}/stream`, '--json']);
      try {
        // The first stream runs ten seconds; the reconnect comes at the earliest 15 s after its end.
        const seen = await s.waitFor((o) => requests(o, '/stream').length >= 2, 'a second request to /stream', 120_000);
        run.child.kill('SIGINT');
        await ended(run, 15_000, 'SIGINT');

        const [first, second] = requests(seen, '/stream');
        const firstEnd = seen.find((o) => o.what === 'end' && o.path === '/stream' && o.at >= first.at);
        assert.ok(firstEnd, `the server ended the first stream before the second request: ${JSON.stringify(seen)}`);
        assert.ok(firstEnd.at <= second.at, 'the first stream ended before the second request arrived');
        assert.equal(first.what === 'request' && first.last_event_id, null, 'the first request carries no Last-Event-ID');
        assert.equal(second.what === 'request' && second.last_event_id, 'message_id_9', 'the reconnect carries the last id received');
        const gap = second.at - firstEnd.at;
        t.diagnostic(`reconnect ${gap.toFixed(0)} ms after the end of the stream, measured at the server`);
        assert.ok(gap >= 15_000, `the reconnect came ${gap.toFixed(0)} ms after the stream ended, sooner than the server's retry: 15000`);

        const messages = run.records.filter((r) => r.kind === 'message');
        const firstTen = messages.slice(0, 10);
        assert.deepEqual(
          firstTen.map((r) => [r.event, r.id, r.data]),
          Array.from({ length: 10 }, (_, i) => ['message', `message_id_${i}`, `Counter value ${i}`]),
          'all ten events of the first stream, in order',
        );
        const retries = run.records.filter((r) => r.kind === 'retry');
        assert.ok(retries.length >= 1 && retries.every((r) => r.ms === 15_000), `the retry record says 15000: ${JSON.stringify(retries)}`);

        const closeAt = run.records.findIndex((r) => r.kind === 'close');
        assert.ok(closeAt > run.records.indexOf(firstTen[9]), 'the stream closed after the tenth event');
        assert.equal(run.records[closeAt].clean, true, `a clean end of the response: ${JSON.stringify(run.records[closeAt])}`);
        const reconnecting = run.records.find((r) => r.kind === 'reconnecting');
        assert.ok(
          reconnecting && Number(reconnecting.delayMs) >= 15_000,
          `the CLI waits at least the server's retry: ${JSON.stringify(reconnecting)}`,
        );
        const again = run.records.filter((r) => r.kind === 'connecting');
        assert.equal(
          again[1]?.lastEventId,
          'message_id_9',
          `the reconnect is made with Last-Event-ID message_id_9: ${JSON.stringify(again)}`,
        );
      } finally {
        run.child.kill('SIGKILL');
      }
    },
  );

  it(
    '/ws with -i: lines typed on stdin are sent one by one, both echoes printed, exit 0, closed with 1000',
    { timeout: 60_000 },
    async () => {
      const s = server!;
      const before = s.observations.length;
      const run = cli([`ws://127.0.0.1:${s.port}/ws`, '-i', '--count', '2', '--json'], 'hello\nworld\n');
      const code = await ended(run, 30_000, 'two echoes');
      assert.equal(code, 0, `exit 0 after two messages; stderr: ${run.stderr()}`);
      const incoming = run.records.filter((r) => r.kind === 'message' && r.dir === 'in').map((r) => r.data);
      assert.deepEqual(incoming, ['Message text was: hello', 'Message text was: world']);
      const outgoing = run.records.filter((r) => r.kind === 'message' && r.dir === 'out').map((r) => r.data);
      assert.deepEqual(outgoing, ['hello', 'world'], 'each line sent as its own text message, without the newline');

      const seen = await s.waitFor(
        (o) => o.slice(before).some((x) => x.what === 'disconnect' && x.path === '/ws'),
        'the WebSocket close',
        15_000,
      );
      const disconnect = seen.slice(before).find((x) => x.what === 'disconnect' && x.path === '/ws');
      assert.equal(disconnect?.what === 'disconnect' && disconnect.code, 1000, 'the server saw a normal closure');
    },
  );
});

/** Runs one of the note's clients in the virtual environment; resolves when it exits. */
async function python(args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(join(env.venv!, 'bin', 'python'), args, { cwd: serversDir, env: directEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdin.end(stdin);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  children.delete(child);
  return { code, out, err };
}

describe("the note's Python clients against the demo server", { skip: env.skip }, () => {
  let demo: DemoServer | undefined;

  before(async () => {
    demo = await startDemoServer({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await demo?.close();
  });

  it('client_sse.py (requests) prints the lines of /sse/once until the server ends it', { timeout: 60_000 }, async () => {
    const { code, out, err } = await python(['client_sse.py', `${demo!.url}/sse/once`]);
    assert.equal(code, 0, `client_sse.py failed: ${err}`);
    const lines = out.split('\n');
    assert.ok(lines.some((l) => /^id: \S/.test(l)) && lines.some((l) => /^data: \S/.test(l)), `id and data lines printed: ${out}`);
    assert.ok(lines.includes(''), 'events separated by blank lines');
  });

  it('client_ws.py (websockets) reads lines from stdin and prints the echo of each', { timeout: 60_000 }, async () => {
    const { code, out, err } = await python(['client_ws.py', `${demo!.url.replace(/^http/, 'ws')}/ws/echo`], 'hello\nworld\n');
    assert.equal(code, 0, `client_ws.py failed: ${err}`);
    assert.deepEqual(out.split('\n').filter(Boolean), ['hello', 'world']);
  });
});
