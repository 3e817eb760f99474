/**
 * The CLI's WebSocket side, as scripts use it: `node dist/cli.js ws://… --json …` against local
 * servers, checking the records on stdout and the exit status.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy } from '../../fixtures/proxyServer';
import { selfSignedCert } from '../../fixtures/ws-tls';
import { OP, acceptUpgradeByHand, echo, frame, refuse, startRawServer, startWsServer } from '../../fixtures/wsServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const T = { timeout: 20_000 };

type Json = Record<string, unknown>;
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Json[];
}

const children = new Set<ChildProcess>();

function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of PROXY_VARS) {
    delete env[k];
  }
  Object.assign(env, opts.env);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `CLI did not exit: ${args.join(' ')}\nstdout: ${Buffer.concat(out).toString()}\nstderr: ${Buffer.concat(err).toString()}`,
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const stdout = Buffer.concat(out).toString('utf8');
      const lines = stdout.split('\n').filter((l) => l !== '');
      resolveRun({
        code,
        stdout,
        stderr: Buffer.concat(err).toString('utf8'),
        json: args.includes('--json') ? lines.map((l) => JSON.parse(l) as Json) : [],
      });
    });
  });
}

const of = (run: Run, kind: string) => run.json.filter((r) => r.kind === kind);

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('CLI over WebSocket', () => {
  const cleanups: Array<() => Promise<void>> = [];
  before(() => {
    assert.ok(existsSync(CLI), `${CLI} is built (npm run build)`);
  });
  after(async () => {
    for (const c of children) {
      c.kill('SIGKILL');
    }
    for (const c of cleanups.reverse()) {
      await c();
    }
  });

  test('stopping at --count closes the WebSocket with a close frame, 1000, before the process exits', T, async () => {
    const codes: number[] = [];
    const srv = await startWsServer({
      onConnection: (ws) => {
        echo(ws);
        ws.on('close', (code) => codes.push(code));
      },
    });
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json', '-s', 'bye', '--count', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      of(run, 'message').map((m) => [m.dir, m.data]),
      [
        ['out', 'bye'],
        ['in', 'bye'],
      ],
      'the output ends with what was asked for',
    );
    await waitUntil(() => codes.length > 0);
    assert.deepEqual(codes, [1000], 'the server saw a normal closure, not a dropped connection (1006)');
  });

  test('--json with --send and --count prints open, outgoing and echoed records, then exits 0', T, async () => {
    const srv = await startWsServer();
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json', '-s', 'hello', '--send', '{"a":1}', '--count', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      run.json.map((r) => r.kind),
      ['connecting', 'open', 'message', 'message', 'message', 'message', 'closing', 'close'],
    );
    const open = of(run, 'open')[0];
    assert.equal(typeof open.protocol, 'string');
    assert.equal(typeof open.extensions, 'string');
    assert.equal((open.headers as Json).upgrade, 'websocket');
    const msgs = of(run, 'message').map((m) => ({ dir: m.dir, format: m.format, data: m.data, size: m.size }));
    assert.deepEqual(msgs, [
      { dir: 'out', format: 'text', data: 'hello', size: 5 },
      { dir: 'out', format: 'text', data: '{"a":1}', size: 7 },
      { dir: 'in', format: 'text', data: 'hello', size: 5 },
      { dir: 'in', format: 'text', data: '{"a":1}', size: 7 },
    ]);
    for (const r of run.json) {
      assert.equal(typeof r.seq, 'number');
      assert.match(String(r.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  test('--protocol offers subprotocols in order and the open record shows the chosen one', T, async () => {
    const srv = await startWsServer({ server: { handleProtocols: (p) => (p.has('graphql-ws') ? 'graphql-ws' : false) } });
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json', '-p', 'graphql-transport-ws', '--protocol', 'graphql-ws', '-s', 'x', '--count', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(srv.requests[0].headers['sec-websocket-protocol'], 'graphql-transport-ws,graphql-ws');
    assert.deepEqual(of(run, 'connecting')[0].protocols, ['graphql-transport-ws', 'graphql-ws']);
    assert.equal(of(run, 'open')[0].protocol, 'graphql-ws');
  });

  test('--send-binary sends a binary frame; the echo comes back as base64 with its size', T, async () => {
    let got: { data: Buffer; isBinary: boolean } | undefined;
    const srv = await startWsServer({
      onConnection: (ws) => {
        ws.on('message', (data, isBinary) => (got = { data: data as Buffer, isBinary }));
        echo(ws);
      },
    });
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json', '--send-binary', 'AAEC/w==', '--count', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(got, { data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    const msgs = of(run, 'message').map((m) => ({ dir: m.dir, format: m.format, data: m.data, size: m.size }));
    assert.deepEqual(msgs, [
      { dir: 'out', format: 'binary', data: 'AAEC/w==', size: 4 },
      { dir: 'in', format: 'binary', data: 'AAEC/w==', size: 4 },
    ]);
  });

  test('a 401 upgrade exits 1 with the error record: status, headers and body', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (_req, socket) => {
        refuse(socket, 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, '{"error":"unauthorized"}');
        return true;
      },
    });
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json']);
    assert.equal(run.code, 1);
    const err = of(run, 'error')[0];
    assert.ok(err, run.stdout);
    assert.equal(err.code, 'ERR_HTTP_STATUS');
    assert.equal(err.status, 401);
    assert.equal((err.headers as Json)['www-authenticate'], 'Bearer');
    assert.equal(err.body, '{"error":"unauthorized"}');
    assert.equal(typeof err.message, 'string');
    assert.equal(of(run, 'reconnecting').length, 0, 'a 401 is not retried');
  });

  test('a server close gives a close record with code, reason and clean; 1000 exits 0', T, async () => {
    const srv = await startWsServer({ onConnection: (ws) => setTimeout(() => ws.close(1000, 'all done'), 20) });
    cleanups.push(srv.close);
    const run = await cli([srv.url, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const close = of(run, 'close')[0];
    assert.deepEqual(
      { code: close.code, reason: close.reason, clean: close.clean, by: close.by },
      { code: 1000, reason: 'all done', clean: true, by: 'server' },
    );
  });

  test('a server close with 1011 reconnects unless --no-reconnect', T, async () => {
    let connections = 0;
    const srv = await startWsServer({
      onConnection: (ws) => {
        connections++;
        setTimeout(() => ws.close(1011, 'internal error'), 20);
      },
    });
    cleanups.push(srv.close);
    const retrying = await cli([srv.url, '--json', '--retry-delay', '10', '--max-retries', '2']);
    assert.equal(of(retrying, 'reconnecting').length, 2);
    assert.equal(connections, 3);
    assert.equal(retrying.code, 1, 'gave up after the retries');
    const once = await cli([srv.url, '--json', '--no-reconnect']);
    assert.equal(once.code, 0);
    assert.equal(of(once, 'reconnecting').length, 0);
    assert.equal(of(once, 'close')[0].code, 1011);
  });

  test('invalid UTF-8 with --no-reconnect shows the 1007 close and exits 1', T, async () => {
    const raw = await startRawServer((socket) => {
      void acceptUpgradeByHand(socket).then(() => {
        socket.write(frame(OP.text, Buffer.from('kept')));
        socket.write(frame(OP.text, Buffer.from([0xc3, 0x28])));
      });
    });
    cleanups.push(raw.close);
    const run = await cli([raw.url, '--json', '--no-reconnect']);
    assert.equal(run.code, 1);
    assert.deepEqual(
      of(run, 'message').map((m) => m.data),
      ['kept'],
    );
    assert.deepEqual({ code: of(run, 'close')[0].code, clean: of(run, 'close')[0].clean }, { code: 1007, clean: false });
    assert.equal(of(run, 'error')[0].code, 'ERR_INVALID_UTF8');
    assert.equal(of(run, 'error')[0].closeCode, 1007);
  });

  test('-H headers reach the upgrade and a bearer token never reaches stdout', T, async () => {
    const srv = await startWsServer();
    cleanups.push(srv.close);
    const run = await cli([
      srv.url,
      '--json',
      '-H',
      'Authorization: Bearer tok-SECRET-123',
      '-H',
      'Origin: https://app.example',
      '-s',
      'hi',
      '--count',
      '1',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(srv.requests[0].headers.authorization, 'Bearer tok-SECRET-123');
    assert.equal(srv.requests[0].headers.origin, 'https://app.example');
    assert.ok(!run.stdout.includes('tok-SECRET-123'), run.stdout);
  });

  test('wss with a self-signed certificate: refused (exit 1, ERR_TLS) unless --insecure or --cacert', T, async () => {
    const cert = selfSignedCert();
    const srv = await startWsServer({ tls: cert });
    cleanups.push(srv.close);
    const dir = mkdtempSync(join(tmpdir(), 'ri-cli-ws-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ca.pem'), cert.cert);

    const strict = await cli([srv.url, '--json']);
    assert.equal(strict.code, 1);
    assert.equal(of(strict, 'error')[0].code, 'ERR_TLS');

    const insecure = await cli([srv.url, '--json', '--insecure', '-s', 'tls', '--count', '1']);
    assert.equal(insecure.code, 0, insecure.stderr);
    assert.equal(of(insecure, 'message').at(-1)?.data, 'tls');

    const withCa = await cli([srv.url, '--json', '--cacert', join(dir, 'ca.pem'), '-s', 'ca', '--count', '1']);
    assert.equal(withCa.code, 0, withCa.stderr);
  });

  test('HTTP_PROXY from the environment carries ws:// through the proxy', T, async () => {
    const srv = await startWsServer();
    const proxy = await startProxy();
    cleanups.push(srv.close, proxy.close);
    const run = await cli([srv.url, '--json', '-s', 'proxied', '--count', '1'], { env: { HTTP_PROXY: proxy.url } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(proxy.log, [`CONNECT 127.0.0.1:${srv.port}`]);
  });

  test('--timeout ends a quiet session with exit 0', T, async () => {
    const srv = await startWsServer({ onConnection: () => undefined });
    cleanups.push(srv.close);
    const t0 = Date.now();
    const run = await cli([srv.url, '--json', '--timeout', '300']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(Date.now() - t0 >= 300, 'it waited for the timeout');
    assert.equal(of(run, 'open').length, 1);
  });

  test('WS-only options on an SSE URL are a usage error (exit 2)', T, async () => {
    const run = await cli(['http://127.0.0.1:9/', '-s', 'x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /WebSocket/);
  });
});
