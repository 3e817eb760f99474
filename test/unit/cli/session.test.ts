// Over 400 lines: one recording server and CLI spawner for every session option; each test stands alone.
/**
 * The CLI as a WebSocket client for people (wscat / websocat style): stdin lines as messages (-i),
 * the connection options the panel has as flags, and a clean close on --count, --timeout, SIGINT and
 * --close, checked at a real `ws` server on 127.0.0.1 that records what it received.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type * as http from 'node:http';
import { resolve } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { OPTIONS } from '../../../src/cli/args';
import { sendStream, sseHead, startServer } from '../../fixtures/sseServer';
import { acceptUpgradeByHand, OP, startRawServer, startWsServer, type WsFixture, type WsFixtureOptions } from '../../fixtures/wsServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const T = { timeout: 20_000 };
const SCRIPT = '/usr/bin/script';

type Json = Record<string, unknown>;

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void>> = [];

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of PROXY_VARS) {
    delete env[k];
  }
  return env;
}

/** A running CLI: stdin to write to, stdout as it grows, and its end. */
interface Running {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves once stdout satisfies `test` (the CLI printed what was awaited). */
  waitFor(test: (stdout: string) => boolean): Promise<void>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string; json: Json[] }>;
}

function start(args: string[], opts: { stdin?: 'pipe' | 'ignore'; command?: [string, string[]]; env?: NodeJS.ProcessEnv } = {}): Running {
  const [cmd, cmdArgs] = opts.command ?? [process.execPath, [CLI, ...args]];
  const child = spawn(cmd, cmdArgs, { env: { ...cliEnv(), ...opts.env }, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (c: string) => {
    stdout += c;
    for (const w of [...waiters]) {
      if (w.test(stdout)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string; json: Json[] }>((resolveExit) => {
    child.on('close', (code) => {
      children.delete(child);
      const lines = stdout.split('\n').filter((l) => l !== '');
      resolveExit({ code, stdout, stderr, json: args.includes('--json') ? lines.map((l) => JSON.parse(l) as Json) : [] });
    });
  });
  return {
    child,
    out: () => stdout,
    err: () => stderr,
    waitFor: (test) =>
      new Promise<void>((resolveWait, reject) => {
        if (test(stdout)) {
          resolveWait();
          return;
        }
        waiters.push({ test, resolve: resolveWait });
        void exit.then(() => reject(new Error(`the CLI exited first\nstdout: ${stdout}\nstderr: ${stderr}`)));
      }),
    exit,
  };
}

const run = (args: string[]) => start(args).exit;
const of = (json: Json[], kind: string) => json.filter((r) => r.kind === kind);

/**
 * Runs the CLI with `--timeout`, which counts from the start: under load the timer can fire before the
 * handshake is done (and then no close frame can be sent). Runs again with a timeout four times as long
 * until the output shows the connection opened first, so the test is about what `--timeout` does once open.
 */
async function runTimedUntilOpen(args: string[], firstTimeoutMs: number): Promise<Awaited<ReturnType<typeof run>>> {
  for (let ms = firstTimeoutMs; ; ms *= 4) {
    const r = await run([...args, '--timeout', String(ms)]);
    if (of(r.json, 'open').length > 0 || ms > 60_000) {
      return r;
    }
  }
}

/** What one server-side connection received, in order, and the close frame it got. */
interface Peer {
  ws: WebSocket;
  req: http.IncomingMessage;
  /** `text:…`, `binary:<base64>`, `ping:…` in arrival order. */
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
}

async function recordingServer(
  onPeer: (peer: Peer) => void = () => undefined,
  options: WsFixtureOptions = {},
): Promise<{ srv: WsFixture; peers: Peer[]; peer: Promise<Peer> }> {
  const peers: Peer[] = [];
  let firstPeer!: (p: Peer) => void;
  const peer = new Promise<Peer>((r) => (firstPeer = r));
  const srv = await startWsServer({
    ...options,
    onConnection: (ws, req) => {
      const frames: string[] = [];
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
      );
      ws.on('message', (data, isBinary) =>
        frames.push(isBinary ? `binary:${(data as Buffer).toString('base64')}` : `text:${(data as Buffer).toString()}`),
      );
      ws.on('ping', (data) => frames.push(`ping:${data.toString()}`));
      const p: Peer = { ws, req, frames, closed };
      peers.push(p);
      firstPeer(p);
      onPeer(p);
    },
  });
  cleanups.push(srv.close);
  return { srv, peers, peer };
}

/** Echo, as text. */
const echoing = (p: Peer) => p.ws.on('message', (data, isBinary) => p.ws.send(data as Buffer, { binary: isBinary }));

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is built (npm run build)`);
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    await c();
  }
});

after(() => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

describe('CLI: stopping closes the connection cleanly', () => {
  test('--count: the server receives a close frame 1000, the CLI prints closing and the close, exit 0', T, async () => {
    const { srv, peer } = await recordingServer(echoing);
    const r = await run([srv.url, '--json', '-s', 'one', '--count', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
    assert.deepEqual(
      r.json.slice(-2).map((j) => [j.kind, j.code, j.state]),
      [
        ['closing', 1000, 'closing'],
        ['close', 1000, 'closed'],
      ],
    );
    const close = r.json.at(-1)!;
    assert.deepEqual([close.by, close.clean], ['client', true]);
  });

  test('--count: messages the server sends after the count are not printed', T, async () => {
    const { srv } = await recordingServer((p) => {
      for (let i = 1; i <= 50; i++) {
        p.ws.send(`m${i}`);
      }
    });
    const r = await run([srv.url, '--json', '--count', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      of(r.json, 'message').map((m) => m.data),
      ['m1', 'm2', 'm3'],
    );
    assert.equal(r.json.at(-1)?.kind, 'close');
  });

  test('--timeout: a close frame 1000 and the close record', T, async () => {
    const { srv, peers } = await recordingServer();
    const r = await runTimedUntilOpen([srv.url, '--json'], 200);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await peers.at(-1)!.closed, { code: 1000, reason: '' });
    assert.equal(r.json.at(-1)?.kind, 'close');
    assert.equal(r.json.at(-1)?.clean, true);
  });

  test('SIGINT: a close frame 1000 and the close record, exit 0', T, async () => {
    const { srv, peer } = await recordingServer();
    const cli = start([srv.url, '--json']);
    await cli.waitFor((s) => s.includes('"kind":"open"'));
    await peer;
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
    assert.deepEqual(
      r.json.slice(-2).map((j) => j.kind),
      ['closing', 'close'],
    );
  });

  test('SIGTERM closes cleanly too', T, async () => {
    const { srv, peer } = await recordingServer();
    const cli = start([srv.url]);
    await cli.waitFor((s) => s.includes('open 101'));
    cli.child.kill('SIGTERM');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
    assert.match(r.stdout, /closing 1000\n.*closed by client code 1000\n$/);
  });

  test('a second SIGINT while the server does not answer the close frame quits at once', T, async () => {
    let gotClose!: () => void;
    const closeSent = new Promise<void>((r) => (gotClose = r));
    const raw = await startRawServer((socket) => {
      // Accepts the upgrade, then reads frames without ever answering: the close frame goes unanswered.
      void acceptUpgradeByHand(socket).then(() => socket.on('data', (c: Buffer) => (c[0] & 0x0f) === OP.close && gotClose()));
    });
    cleanups.push(raw.close);
    const cli = start([raw.url, '--json']);
    await cli.waitFor((s) => s.includes('"kind":"open"'));
    cli.child.kill('SIGINT');
    await cli.waitFor((s) => s.includes('"kind":"closing"'));
    await closeSent;
    cli.child.kill('SIGINT');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.at(-1)?.kind, 'closing', 'quit without waiting for the close');
  });

  test('--close 4000:bye is the close frame sent, whatever ends the session', T, async () => {
    const { srv, peers } = await recordingServer(echoing);
    const counted = await run([srv.url, '-s', 'x', '--count', '1', '--close', '4000:bye']);
    assert.equal(counted.code, 0, counted.stderr);
    assert.match(counted.stdout, /closing 4000 bye\n.*closed by client code 4000: bye\n$/);
    assert.deepEqual(await peers[0].closed, { code: 4000, reason: 'bye' });
    const timed = await runTimedUntilOpen([srv.url, '--json', '--close', '4999:a:b ünï'], 100);
    assert.equal(timed.code, 0, timed.stderr);
    assert.deepEqual(await peers.at(-1)!.closed, { code: 4999, reason: 'a:b ünï' });
    const cli = start([srv.url, '--close', '3000']);
    await cli.waitFor((s) => s.includes('open 101'));
    cli.child.kill('SIGINT');
    assert.equal((await cli.exit).code, 0);
    assert.deepEqual(await peers.at(-1)!.closed, { code: 3000, reason: '' });
  });

  test('SSE: --count ends the request and prints the close by the client', T, async () => {
    let requestClosed!: () => void;
    const closed = new Promise<void>((r) => (requestClosed = r));
    const s = await startServer((_req, res) => {
      sseHead(res);
      res.write('data: one\n\ndata: two\n\n');
      res.on('close', () => requestClosed());
    });
    cleanups.push(s.close);
    const r = await run([s.url, '--json', '--count', '1']);
    assert.equal(r.code, 0, r.stderr);
    await closed;
    assert.deepEqual(
      of(r.json, 'message').map((m) => m.data),
      ['one'],
    );
    const close = r.json.at(-1)!;
    assert.deepEqual([close.kind, close.by, close.clean, close.state], ['close', 'client', true, 'closed']);
  });
});

describe('CLI: -i sends the lines of stdin', () => {
  test("printf 'a\\nb\\n' | … -i --count 2 prints both replies and exits 0; --send goes first", T, async () => {
    const { srv, peer } = await recordingServer(echoing);
    const cli = start([srv.url, '--json', '-i', '-s', 'first', '--count', '3'], { stdin: 'pipe' });
    cli.child.stdin!.end('a\nb\n');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    const msgs = of(r.json, 'message').map((m) => `${m.dir}:${m.data}`);
    assert.deepEqual(
      msgs.filter((m) => m.startsWith('out')),
      ['out:first', 'out:a', 'out:b'],
    );
    assert.deepEqual(
      msgs.filter((m) => m.startsWith('in')),
      ['in:first', 'in:a', 'in:b'],
    );
    assert.deepEqual((await peer).frames, ['text:first', 'text:a', 'text:b']);
    assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
  });

  test('the exact case: two lines, --count 2, readable output', T, async () => {
    const { srv } = await recordingServer(echoing);
    const cli = start([srv.url, '-i', '--count', '2'], { stdin: 'pipe' });
    cli.child.stdin!.end('a\nb\n');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout
        .split('\n')
        .filter((l) => / [←→] [ab]$/.test(l))
        .map((l) => l.slice(13)),
      ['→ a', '→ b', '← a', '← b'],
    );
  });

  test('lines read before the socket opens wait for it and go in order (CRLF and empty lines too)', T, async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { srv, peer } = await recordingServer(echoing, {
      server: {
        // The handshake waits until the test has written all of stdin.
        verifyClient: (_info, done) => void held.then(() => done(true)),
      },
    });
    const cli = start([srv.url, '--json', '-i', '--count', '4'], { stdin: 'pipe' });
    await cli.waitFor((s) => s.includes('"kind":"connecting"'));
    cli.child.stdin!.end('one\r\n\nthree\nfour');
    release();
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await peer).frames, ['text:one', 'text:', 'text:three', 'text:four']);
  });

  test('a long input piped before the socket opens: every line arrives, in order (stdin waits meanwhile)', T, async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const total = 5000;
    const { srv, peer } = await recordingServer(
      (p) => p.ws.on('message', (data) => String(data) === `line ${total}` && p.ws.send('all read')),
      { server: { verifyClient: (_info, done) => void held.then(() => done(true)) } },
    );
    const cli = start([srv.url, '-i', '--count', '1'], { stdin: 'pipe' });
    await cli.waitFor((s) => s.includes('connecting'));
    const lines = Array.from({ length: total }, (_, i) => `line ${i + 1}`);
    cli.child.stdin!.end(lines.join('\n') + '\n');
    release();
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (await peer).frames,
      lines.map((l) => `text:${l}`),
    );
  });

  test('at the end of input the connection stays open: a later message is still printed', T, async () => {
    const { srv, peer } = await recordingServer((p) => {
      p.ws.on('message', (data) => {
        p.ws.send(`got ${(data as Buffer).toString()}`);
        // Sent well after the CLI read the end of its input.
        setTimeout(() => p.ws.readyState === p.ws.OPEN && p.ws.send('later'), 300);
      });
    });
    const cli = start([srv.url, '--json', '-i', '--count', '2'], { stdin: 'pipe' });
    cli.child.stdin!.end('hi\n');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      of(r.json, 'message')
        .filter((m) => m.dir === 'in')
        .map((m) => m.data),
      ['got hi', 'later'],
    );
    assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
  });

  test('without -i, piped stdin is not read', T, async () => {
    const { srv, peer } = await recordingServer(echoing);
    const cli = start([srv.url, '--json', '-s', 'only', '--count', '1'], { stdin: 'pipe' });
    cli.child.stdin!.end('not sent\n');
    const r = await cli.exit;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await peer).frames, ['text:only']);
  });

  test('-i on an SSE URL is a usage error (exit 2), and so are -i with --no-interactive', T, async () => {
    const sse = await run(['http://127.0.0.1:9/events', '-i']);
    assert.equal(sse.code, 2);
    assert.match(sse.stderr, /^realtime-inspector: -i\/--interactive .*SSE.*ws:\/\/.*\n$/);
    const both = await run(['ws://127.0.0.1:9/', '-i', '--no-interactive']);
    assert.equal(both.code, 2);
    assert.equal(both.stderr.trimEnd().split('\n').length, 1);
  });

  test(
    'on a terminal: a "> " prompt, incoming records go above it with the typed text redrawn; Ctrl+C closes with 1000',
    { ...T, skip: !existsSync(SCRIPT) && 'needs script(1) for a pseudo-terminal' },
    async () => {
      let peerWs: WebSocket | undefined;
      const { srv, peer } = await recordingServer((p) => {
        peerWs = p.ws;
      });
      const cmd = `${process.execPath} ${CLI} ${srv.url}`;
      const cli = start([], { stdin: 'pipe', command: [SCRIPT, ['-qfec', cmd, '/dev/null']], env: { TERM: 'xterm' } });
      await cli.waitFor((s) => /open 101[^\n]*\r\n/.test(s));
      await peer;
      // What readline echoes shows the typed text was read.
      cli.child.stdin!.write('par');
      await cli.waitFor((s) => /open 101[\s\S]*> (\x1b\[[0-9;]*[A-Za-z])*par/.test(s)); // eslint-disable-line no-control-regex
      const before = cli.out().length;
      peerWs!.send('tick-1');
      await cli.waitFor((s) => /tick-1\r\n(\x1b\[[0-9;]*[A-Za-z])*> par/.test(s.slice(before))); // eslint-disable-line no-control-regex
      const shown = cli.out().slice(before);
      // The prompt line was cleared (cursor to column 1, clear below) before the record was written.
      assert.match(shown, /^(\x1b\[[0-9;]*[A-Za-z])*\x1b\[0J[^\n]*← tick-1\r\n/, JSON.stringify(shown)); // eslint-disable-line no-control-regex
      cli.child.stdin!.write('t\r');
      await cli.waitFor((s) => s.includes('→ part'));
      // Printed as it was sent: the server reads it a moment later.
      const { frames } = await peer;
      while (frames.length === 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(frames, ['text:part']);
      cli.child.stdin!.write('\x03');
      const r = await cli.exit;
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(await (await peer).closed, { code: 1000, reason: '' });
      assert.match(r.stdout, /closed by client code 1000\r\n$/);
    },
  );
});

describe('CLI: the connection options as flags', () => {
  test('--ping and --ping=TEXT send pings in order with --send; the pongs are printed', T, async () => {
    // The server pongs each ping as it reads it, and answers "two" after them.
    const { srv, peer } = await recordingServer((p) => p.ws.on('message', (data) => String(data) === 'two' && p.ws.send('done')));
    const r = await run([srv.url, '--json', '-s', 'one', '--ping', '--ping=héllo', '-s', 'two', '--count', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await peer).frames, ['text:one', 'ping:', 'ping:héllo', 'text:two']);
    assert.deepEqual(
      of(r.json, 'ping').map((p) => [p.dir, Buffer.from(String(p.data), 'base64').toString()]),
      [
        ['out', ''],
        ['out', 'héllo'],
      ],
    );
    assert.deepEqual(
      of(r.json, 'pong').map((p) => Buffer.from(String(p.data), 'base64').toString()),
      ['', 'héllo'],
    );
  });

  test('--ping never takes the next argument: "--ping URL" pings with no payload', T, async () => {
    const { srv, peer } = await recordingServer((p) => p.ws.on('ping', () => p.ws.send('pinged')));
    const r = await run(['--ping', srv.url, '--count', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((await peer).frames, ['ping:']);
  });

  test('--keepalive pings while open; --keepalive-timeout declares a silent peer dead', T, async () => {
    const { srv } = await recordingServer((p) => {
      let pings = 0;
      p.ws.on('ping', () => ++pings === 3 && p.ws.send('three pings'));
    });
    const alive = await run([srv.url, '--json', '--keepalive', '20', '--count', '1']);
    assert.equal(alive.code, 0, alive.stderr);
    assert.ok(of(alive.json, 'ping').filter((p) => p.dir === 'out' && p.auto).length >= 3, alive.stdout);

    const { srv: mute } = await recordingServer(() => undefined, { server: { autoPong: false } });
    const dead = await run([mute.url, '--json', '--keepalive', '20', '--keepalive-timeout', '150', '--no-reconnect']);
    assert.equal(dead.code, 1);
    const err = of(dead.json, 'error').at(-1)!;
    assert.equal(err.code, 'ERR_TIMEOUT');
    assert.match(String(err.message), /150 ms/);
  });

  test('--no-deflate does not offer permessage-deflate; by default (and with --deflate) it is offered', T, async () => {
    const { srv } = await recordingServer(echoing);
    for (const flags of [[], ['--deflate'], ['--no-deflate']]) {
      const r = await run([srv.url, '--json', '-s', 'x', '--count', '1', ...flags]);
      assert.equal(r.code, 0, r.stderr);
    }
    const offered = srv.requests.map((req) => /permessage-deflate/.test(String(req.headers['sec-websocket-extensions'] ?? '')));
    assert.deepEqual(offered, [true, true, false]);
  });

  test('--max-payload: a larger message closes with 1009 and exits 1 (--no-reconnect)', T, async () => {
    const { srv } = await recordingServer((p) => {
      p.ws.send('0123456789');
      p.ws.send('01234567890');
    });
    const r = await run([srv.url, '--json', '--max-payload', '10', '--no-reconnect']);
    assert.equal(r.code, 1);
    assert.deepEqual(
      of(r.json, 'message').map((m) => m.data),
      ['0123456789'],
    );
    assert.equal(of(r.json, 'close')[0].code, 1009);
    assert.equal(of(r.json, 'error')[0].code, 'ERR_PAYLOAD_TOO_BIG');
  });

  test('--connect-timeout bounds the WebSocket handshake and the SSE response', T, async () => {
    const silent = await startRawServer(() => undefined);
    cleanups.push(silent.close);
    const ws = await run([silent.url, '--json', '--connect-timeout', '150', '--no-reconnect']);
    assert.equal(ws.code, 1);
    assert.equal(of(ws.json, 'error')[0].code, 'ERR_TIMEOUT');
    assert.match(String(of(ws.json, 'error')[0].message), /within 150 ms/);
    const sse = await run([`http://127.0.0.1:${silent.port}/`, '--json', '--connect-timeout', '150', '--no-reconnect']);
    assert.equal(sse.code, 1);
    assert.equal(of(sse.json, 'error')[0].code, 'ERR_TIMEOUT');
    assert.match(String(of(sse.json, 'error')[0].message), /within 150 ms/);
  });

  test('bad values are one-line usage errors (exit 2) and nothing is connected', T, async () => {
    const { srv } = await recordingServer();
    const cases = [
      ['--close', '1001'],
      ['--close', '2999'],
      ['--close', '5000'],
      ['--close', '999'],
      ['--close', 'bye'],
      ['--close', '4000:' + 'é'.repeat(62)],
      ['--ping=' + 'x'.repeat(126)],
      ['--keepalive-timeout', '100'],
      ['--keepalive', '0'],
      ['--deflate', '--no-deflate'],
      ['--max-payload', '0'],
      ['--connect-timeout', 'soon'],
    ];
    const results = await Promise.all(cases.map((args) => run([srv.url, ...args])));
    for (const [i, args] of cases.entries()) {
      const r = results[i];
      assert.equal(r.code, 2, `exit 2 for ${JSON.stringify(args)}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^realtime-inspector: /);
    }
    assert.match(results[0].stderr, /1000 or 3000–4999/);
    assert.match(results[5].stderr, /124 bytes/);
    assert.equal(srv.requests.length, 0, 'nothing was connected');
    const sse = await run(['http://127.0.0.1:9/', '--close', '1000']);
    assert.equal(sse.code, 2);
    assert.match(sse.stderr, /--close is for WebSocket/);
  });
});

describe('CLI: help and readable output', () => {
  test('--help names every option', T, async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const [name, o] of Object.entries(OPTIONS)) {
      assert.ok(r.stdout.includes(`--${name}`), `--${name} in --help`);
      const short = (o as { short?: string }).short;
      if (short) {
        assert.ok(r.stdout.includes(`-${short}, --${name}`), `-${short} in --help`);
      }
    }
  });

  test('a retry line only when the value changes; --json keeps every retry record', T, async () => {
    const s = await startServer((_req, res) =>
      sendStream(res, 'retry: 500\n\nretry: 500\n\nretry: 700\n\nretry: 700\n\nretry: 500\n\ndata: x\n\n'),
    );
    cleanups.push(s.close);
    const readable = await run([s.url, '--count', '1']);
    assert.equal(readable.code, 0, readable.stderr);
    assert.deepEqual(
      readable.stdout
        .split('\n')
        .filter((l) => l.includes('retry'))
        .map((l) => l.slice(13)),
      ['↻ retry 500 ms', '↻ retry 700 ms', '↻ retry 500 ms'],
    );
    const json = await run([s.url, '--json', '--count', '1']);
    assert.deepEqual(
      of(json.json, 'retry').map((r) => r.ms),
      [500, 500, 700, 700, 500],
    );
  });
});
