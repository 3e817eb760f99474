/**
 * The CLI's workbench flags against local servers: `--environment NAME` (connect and `run`), dynamic
 * values in `--send`, `--every MS --times K`; an undefined variable or environment is exit 2 before
 * anything connects.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { startWsServer } from '../../fixtures/wsServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const T = { timeout: 60_000 };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
const children = new Set<ChildProcess>();

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) {
    delete full[k];
  }
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: full, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('close', (code) => {
      children.delete(child);
      resolveRun({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ri-workbench-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  await Promise.all(cleanups.map((c) => c()));
  rmSync(dir, { recursive: true, force: true });
});

/** A WebSocket server that keeps what it received and the upgrade headers; closes after `closeAfter` messages. */
async function server(closeAfter: number) {
  const received: string[] = [];
  const s = await startWsServer({
    onConnection: (ws: WebSocket) =>
      ws.on('message', (d) => {
        received.push(String(d));
        ws.send(String(d));
        if (received.length >= closeAfter) {
          ws.close(1000, 'enough');
        }
      }),
  });
  cleanups.push(() => s.close());
  return { ...s, received };
}

function settings(folder: string, value: Record<string, unknown>): void {
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), `// workspace settings\n${JSON.stringify(value, null, 2)}\n`);
}

describe('CLI workbench flags', () => {
  test('--environment fills {{…}} in the URL, headers and --send; a secret value is masked', T, async () => {
    const s = await server(2);
    const folder = join(dir, 'env');
    settings(folder, {
      'realtimeInspector.environments': {
        dev: { host: `127.0.0.1:${s.port}`, room: 'lobby', token: '${secret:devToken}' },
        staging: { host: 'staging.invalid' },
      },
    });
    const run = await cli(
      [
        'ws://{{host}}/feed',
        '--environment',
        'dev',
        '-H',
        'Authorization: Bearer {{token}}',
        '--send',
        '{"join":"{{room}}","seq":{{$seq}}}',
        '--send',
        'echo {{token}} {{$seq}}',
        '--json',
        '--no-interactive',
      ],
      folder,
      { RI_SECRET_DEVTOKEN: 'tok-123' },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(s.received, ['{"join":"lobby","seq":1}', 'echo tok-123 2']);
    assert.equal(s.requests[0].headers.authorization, 'Bearer tok-123');
    assert.ok(!run.stdout.includes('tok-123'), 'the secret behind {{token}} is masked in the output');
    const sent = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; dir?: string; data?: string });
    assert.deepEqual(
      sent.filter((r) => r.kind === 'message' && r.dir === 'out').map((r) => r.data),
      ['{"join":"lobby","seq":1}', 'echo •••• 2'],
      'the log shows the values as sent, resolved',
    );
  });

  test('an undefined variable or environment is exit 2 before connecting, named', T, async () => {
    const s = await server(100);
    const folder = join(dir, 'undefined');
    settings(folder, { 'realtimeInspector.environments': { dev: { host: `127.0.0.1:${s.port}` } } });
    const missing = await cli([`ws://{{host}}/`, '--environment', 'dev', '--send', 'to {{room}}', '--no-interactive'], folder);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\{\{room\}\} is not defined: environment "dev" does not define it/);
    const none = await cli([`ws://127.0.0.1:${s.port}/`, '--send', 'to {{room}}', '--no-interactive'], folder);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /\{\{room\}\} is not defined: no environment is active/);
    const unknown = await cli([`ws://127.0.0.1:${s.port}/`, '--environment', 'prod', '--no-interactive', '--timeout', '1'], folder);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no environment named "prod" in \.vscode\/settings\.json; the environments there: "dev"/);
    const bad = await cli([`ws://127.0.0.1:${s.port}/`, '--send', '{{$nope}}', '--no-interactive'], folder);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--send #1: "\{\{\$nope\}\}": unknown dynamic value/);
    assert.equal(s.requests.length, 0, 'nothing connected');
  });

  test('--every MS --times K sends the --send messages K times, $seq counting them', T, async () => {
    const s = await server(5);
    const run = await cli([`ws://127.0.0.1:${s.port}/`, '--send', 'n={{$seq}}', '--every', '10', '--times', '5', '--no-interactive'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(s.received, ['n=1', 'n=2', 'n=3', 'n=4', 'n=5']);
    const usage = await cli([`ws://127.0.0.1:${s.port}/`, '--times', '3'], dir);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--times needs --every MS/);
    const noSend = await cli([`ws://127.0.0.1:${s.port}/`, '--every', '10'], dir);
    assert.match(noSend.stderr, /--every repeats the --send messages/);
    const sse = await cli(['http://127.0.0.1:1/', '--every', '10'], dir);
    assert.match(sse.stderr, /--every is for WebSocket/);
  });

  test('run --environment fills the profiles; an undefined one stops the run with exit 2', T, async () => {
    const s = await server(1);
    const folder = join(dir, 'run');
    settings(folder, {
      'realtimeInspector.environments': { dev: { host: `127.0.0.1:${s.port}` }, empty: {} },
      'realtimeInspector.profiles': [
        {
          name: 'echo',
          url: 'ws://{{host}}/',
          send: ['hello {{$seq}}'],
          expect: { timeoutMs: 30000, messages: [{ name: 'echoed', data: 'hello 1' }] },
        },
      ],
    });
    const ok = await cli(['run', '--environment', 'dev'], folder);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.deepEqual(s.received, ['hello 1']);
    const missing = await cli(['run', '--environment', 'empty'], folder);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /profile "echo": \{\{host\}\} is not defined: environment "empty" does not define it/);
    const unknown = await cli(['run', '--environment', 'nope'], folder);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no environment named "nope"/);
  });
});
