// Over 400 lines: one scenario per rule kind and per exit status, each against its own real server, sharing one set of helpers and servers.
/**
 * `realtime-inspector run`, as CI uses it: the built CLI (`dist/cli.js run …`) on a settings file
 * against real SSE and WebSocket servers on 127.0.0.1, checking the exit status, the readable lines,
 * the `--json` records and the JUnit report (parsed back with a real XML parser).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type * as http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PassThrough } from 'node:stream';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { WebSocket } from 'ws';
import { main } from '../../../src/cli/main';
import { sendStream, sseHead, startServer, type TestServer } from '../../fixtures/sseServer';
import { startProxy } from '../../fixtures/proxyServer';
import { selfSignedCert } from '../../fixtures/tlsCert';
import { echo, startWsServer, type WsFixture } from '../../fixtures/wsServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];
const T = { timeout: 30_000 };
const SECRET = 's3cr3t-token-value';
const FLOOD = 20_000;

type Json = Record<string, unknown>;
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

function cli(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  onStdout?: (text: string, child: ChildProcess) => void,
): Promise<Run> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of [...PROXY_VARS, ...Object.keys(full).filter((k) => k.startsWith('RI_SECRET_'))]) {
    delete full[k];
  }
  Object.assign(full, env);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => {
      out.push(c);
      onStdout?.(Buffer.concat(out).toString('utf8'), child);
    });
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      children.delete(child);
      resolveRun({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** A workspace folder whose `.vscode/settings.json` is JSONC, as VS Code writes and users edit it. */
function workspace(profiles: unknown[], extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ri-run-'));
  dirs.push(dir);
  mkdirSync(join(dir, '.vscode'));
  const body = JSON.stringify(profiles, null, 2)
    // A trailing comma after the last profile, as an editor leaves it.
    .replace(/\}\n\]$/, '},\n]');
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    `// Workspace settings\n{\n  /* the contracts CI checks */\n  "realtimeInspector.profiles": ${body},\n  "editor.tabSize": 2, // trailing comma next\n}\n`,
  );
  for (const [name, text] of Object.entries(extra)) {
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const jsonLines = (run: Run): Json[] =>
  run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);

function junit(file: string) {
  const xml = readFileSync(file, 'utf8');
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['testsuite', 'testcase', 'failure', 'property'].includes(name),
  }).parse(xml) as { testsuites: Json & { testsuite: (Json & { testcase: (Json & { failure?: Json[] })[] })[] } };
  return { xml, root: parsed.testsuites, suites: parsed.testsuites.testsuite };
}

/** `main()` in this process, with the streams collected (for what Node itself would intercept in a child). */
async function inProcess(args: string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(['run', ...args], { stdout, stderr, env: { NO_COLOR: '1' }, cwd });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('realtime-inspector run', () => {
  let sse: TestServer;
  let ws: WsFixture;
  const wsClosesSeen: number[] = [];
  const wsReceived: { text: string; binary: boolean }[] = [];

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is built (node scripts/build.mjs)`);
    sse = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      sseHead(res);
      switch (path) {
        case '/ticks':
          for (let n = 1; n <= 3; n++) {
            res.write(`id: ${n}\nevent: tick\ndata: {"n":${n}}\n\n`);
          }
          return; // stays open
        case '/ended':
          res.end('event: tick\ndata: {"n":1}\n\ndata: bye\n\n');
          return;
        case '/silent':
          res.write(': nothing to say\n\n');
          return;
        case '/late':
          lateResponses.push(res);
          return;
        case '/order':
          res.write('data: second\n\ndata: first\n\n');
          return;
        case '/errors':
          res.write('data: all good\n\ndata: an Error happened: <b>&"\x1b[31m\x00</b>\n\n');
          return;
        case '/echo-auth':
          res.write(`data: you sent ${req.headers.authorization ?? 'nothing'}\n\n`);
          return;
        default:
          res.end();
      }
    });
    ws = await startWsServer({
      onConnection: (socket: WebSocket, req) => {
        socket.on('close', (code) => wsClosesSeen.push(code));
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/flood') {
          for (let i = 1; i <= FLOOD; i++) {
            socket.send(JSON.stringify({ i }));
          }
          socket.close(1000, 'all sent');
        } else if (path === '/close-1000') {
          socket.send('bye');
          socket.close(1000, 'done');
        } else if (path === '/close-4001') {
          socket.close(4001, 'go away');
        } else {
          socket.on('message', (data, isBinary) => wsReceived.push({ text: isBinary ? '' : String(data), binary: isBinary }));
          echo(socket);
        }
      },
    });
  });
  const lateResponses: http.ServerResponse[] = [];

  after(async () => {
    for (const c of children) {
      c.kill('SIGKILL');
    }
    await sse.close();
    await ws.close();
    for (const d of dirs) {
      rmSync(d, { recursive: true, force: true });
    }
  });

  const wsUrl = (path: string) => ws.url.replace(/\/$/, '') + path;

  test('every rule holding exits 0, with a line per rule and a summary per profile and in total', T, async () => {
    const dir = workspace([
      {
        name: 'ticker',
        url: `${sse.url}/ticks`,
        expect: {
          timeoutMs: 5000,
          count: { min: 3 },
          messages: [
            { name: 'first tick', event: 'tick' },
            { name: 'n is a number', json: '$.n', type: 'number', count: { min: 3 } },
          ],
        },
      },
      { name: 'no contract here', url: `${sse.url}/ticks` },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const lines = run.stdout.split('\n');
    assert.match(lines[0], /^▶ ticker {2}http:\/\/127\.0\.0\.1:\d+\/ticks$/);
    for (const rule of ['count', 'first tick', 'n is a number']) {
      assert.ok(
        lines.some((l) => new RegExp(`^ {2}✓ ${rule} \\d+ ms$`).test(l)),
        `a line for ${rule}:\n${run.stdout}`,
      );
    }
    assert.ok(lines.some((l) => /^ {2}3 passed, 0 failed in \d/.test(l)));
    assert.match(run.stdout, /\nTotal 1 profile: 3 passed, 0 failed in \d/);
    assert.doesNotMatch(run.stdout, /no contract here/, 'a profile without expect does not run');
    assert.doesNotMatch(run.stdout, /connecting|open 200/, 'the connection records are not printed');
  });

  test('a rule that fails exits 1 and says why; the rest still pass', T, async () => {
    const dir = workspace([{ name: 'too many', url: `${sse.url}/ticks`, expect: { count: { max: 1 }, messages: [{ event: 'tick' }] } }]);
    const run = await cli([], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ count: 2 of max 1 \(\d+ ms\)/);
    assert.match(run.stdout, /✓ event "tick" \d+ ms/);
    assert.match(run.stdout, /1 passed, 1 failed/);
  });

  test('at the timeout, rules still waiting fail and rules that held pass', T, async () => {
    const dir = workspace([
      {
        name: 'quiet',
        url: `${sse.url}/silent`,
        expect: { timeoutMs: 300, messages: [{ name: 'anything', data: 'x' }], never: [{ name: 'no oops', data: 'oops' }] },
      },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /✗ anything: no matching message in 300 ms/);
    assert.match(run.stdout, /✓ no oops/);
  });

  test('withinMs fails a first match that comes too late', T, async () => {
    const dir = workspace([
      { name: 'slow', url: `${sse.url}/late`, expect: { timeoutMs: 5000, messages: [{ name: 'quick', data: 'late', withinMs: 100 }] } },
    ]);
    // The server holds its first event until the run is over: by design later than the rule allows.
    const run = await cli([], dir);
    for (const res of lateResponses.splice(0)) {
      res.end('data: late\n\n');
    }
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ quick: no match within 100 ms/);
  });

  test('order fails when the rules first match out of the order written', T, async () => {
    const dir = workspace([
      {
        name: 'ordered',
        url: `${sse.url}/order`,
        expect: {
          messages: [
            { name: 'first', data: 'first' },
            { name: 'second', data: 'second' },
          ],
          order: true,
        },
      },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /✗ order: "second" matched at \d+ ms, before "first"/);
    assert.match(run.stdout, /✓ first/);
    assert.match(run.stdout, /✓ second/);
  });

  test('never fails on a matching message and quotes it, escaped', T, async () => {
    const dir = workspace([
      { name: 'clean', url: `${sse.url}/errors`, expect: { timeoutMs: 2000, never: [{ name: 'no error', data: '/error/i' }] } },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /✗ no error: matched a received message \(seq \d+\)/);
    assert.match(run.stdout, /message \(seq \d+\): an Error happened: <b>&"\\e\[31m\\0<\/b>/, 'controls shown as escapes');
    assert.ok(!run.stdout.includes('\x1b') && !run.stdout.includes('\x00'), 'no raw control character reaches the terminal');
  });

  test('close codes: a WebSocket closed with 1000 passes, another code fails', T, async () => {
    const dir = workspace([
      { name: 'normal', url: wsUrl('/close-1000'), expect: { messages: [{ data: 'bye' }], close: { codes: [1000] } } },
      { name: 'abnormal', url: wsUrl('/close-4001'), expect: { close: { codes: [1000, 1001] } } },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const [normal, abnormal] = run.stdout.split('\n\n');
    assert.match(normal, /✓ close \d+ ms/);
    assert.match(normal, /2 passed, 0 failed/);
    assert.match(abnormal, /✗ close: closed with 4001 "go away", expected 1000 or 1001/);
  });

  test('SSE ended: a stream the server ends passes, one left open fails at the timeout', T, async () => {
    const dir = workspace([
      { name: 'ends', url: `${sse.url}/ended`, expect: { timeoutMs: 5000, close: { ended: true }, messages: [{ data: 'bye' }] } },
      { name: 'stays', url: `${sse.url}/silent`, expect: { timeoutMs: 300, close: { ended: true } } },
    ]);
    const run = await cli(['--json'], dir);
    assert.equal(run.code, 1);
    const assertions = jsonLines(run).filter((r) => r.kind === 'assertion');
    assert.deepEqual(
      assertions.map((a) => [a.profile, a.rule, a.ok, a.detail]),
      [
        ['ends', 'data "bye"', true, 'matched'],
        ['ends', 'close', true, 'the server ended the stream'],
        ['stays', 'close', false, 'no close in 300 ms'],
      ],
    );
  });

  test('send: the messages go out after open, in order, and the expect sees the echo', T, async () => {
    wsReceived.length = 0;
    const dir = workspace([
      {
        name: 'echo',
        url: wsUrl('/echo'),
        send: [{ json: { op: 'hello', n: 1 } }, 'plain text', { binary: 'AAEC' }],
        expect: {
          timeoutMs: 5000,
          messages: [
            { name: 'sent first', dir: 'out', json: '$.n', equals: 1 },
            { name: 'json back', json: '$.op', equals: 'hello' },
            { name: 'text back', data: 'plain text' },
            { name: 'binary back', format: 'binary' },
          ],
          order: true,
        },
      },
    ]);
    const run = await cli(['--json'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(wsReceived, [
      { text: '{"op":"hello","n":1}', binary: false },
      { text: 'plain text', binary: false },
      { text: '', binary: true },
    ]);
    const records = jsonLines(run);
    const closing = records.find((r) => r.kind === 'closing');
    assert.equal(closing?.code, 1000, 'closed cleanly with 1000 once the check was over');
  });

  test('${env:} and ${secret:} come from the environment and --env-file (RI_SECRET_…); the secret is masked everywhere', T, async () => {
    sse.requests.length = 0;
    const dir = workspace(
      [
        {
          name: 'private',
          url: '${env:BASE_URL}/echo-auth',
          headers: { Authorization: 'Bearer ${secret:api.token}' },
          expect: {
            timeoutMs: 2000,
            messages: [{ name: 'sees a bearer token', data: 'Bearer' }],
            never: [{ name: 'no token echoed', data: '/Bearer .+/' }],
          },
        },
      ],
      { 'ci.env': `# CI variables\nBASE_URL=${sse.url}\nRI_SECRET_API_TOKEN="loses to the real environment"\n` },
    );
    const run = await cli(['--env-file', 'ci.env', '--junit', 'results.xml'], dir, { RI_SECRET_API_TOKEN: SECRET });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.equal(sse.requests.at(-1)?.headers.authorization, `Bearer ${SECRET}`, 'the real environment wins over the file');
    assert.match(run.stdout, /✗ no token echoed: matched a received message/);
    assert.match(run.stdout, /you sent Bearer ••••/);
    const report = junit(join(dir, 'results.xml'));
    assert.match(report.xml, /you sent Bearer ••••/);
    for (const text of [run.stdout, run.stderr, report.xml]) {
      assert.ok(!text.includes(SECRET), 'the secret never appears in clear');
    }

    const json = await cli(['--env-file', 'ci.env', '--json'], dir, { RI_SECRET_API_TOKEN: SECRET });
    assert.ok(!json.stdout.includes(SECRET), 'nor in the --json records');
    assert.ok(jsonLines(json).some((r) => r.kind === 'message' && String(r.data).includes('••••')));
  });

  test('an unresolved reference is a usage error naming it (exit 2), before connecting', T, async () => {
    sse.requests.length = 0;
    const dir = workspace([
      { name: 'needs a secret', url: `${sse.url}/ticks`, headers: { 'X-Api-Key': '${secret:deploy-key}' }, expect: { count: { min: 1 } } },
      { name: 'needs a variable', url: '${env:RI_TEST_UNSET_HOST}/ticks', expect: { count: { min: 1 } } },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /profile "needs a secret": \$\{secret:deploy-key\} is not set: set the environment variable RI_SECRET_DEPLOY_KEY/,
    );
    assert.match(run.stderr, /profile "needs a variable": \$\{env:RI_TEST_UNSET_HOST\} is not set/);
    assert.equal(sse.requests.length, 0, 'nothing connected');
    assert.equal(run.stdout, '');
  });

  test('profile errors (bad regex, bad JSONPath, unknown key) exit 2 naming profile and rule; nothing connects', T, async () => {
    sse.requests.length = 0;
    const dir = workspace([
      { name: 'good', url: `${sse.url}/ticks`, expect: { count: { min: 1 } } },
      { name: 'bad regex', url: `${sse.url}/ticks`, expect: { messages: [{ name: 'tick', data: '/tick(/' }] } },
      { name: 'bad path', url: `${sse.url}/ticks`, expect: { never: [{ name: 'no price', json: '$.price[' }] } },
      { name: 'bad key', url: `${sse.url}/ticks`, expect: { messages: [{ name: 'typo', evnt: 'tick' }] } },
    ]);
    const run = await cli([], dir);
    assert.equal(run.code, 2);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[0], /\("bad regex"\): expect\.messages\[0\] \("tick"\): .*regular expression/i);
    assert.match(lines[1], /\("bad path"\): expect\.never\[0\] \("no price"\): .*JSONPath/i);
    assert.match(lines[2], /\("bad key"\): expect\.messages\[0\] \("typo"\): unknown property "evnt"/);
    assert.equal(sse.requests.length, 0, 'nothing connected');
  });

  test('a connection refused exits 3, every rule failed with the error, in the output and the JUnit report', T, async () => {
    const port = await closedPort();
    const dir = workspace([
      { name: 'fails', url: `${sse.url}/ticks`, expect: { count: { max: 0 } } },
      { name: 'down', url: `http://127.0.0.1:${port}/sse`, expect: { count: { min: 1 }, messages: [{ event: 'tick' }] } },
    ]);
    const run = await cli(['--junit', 'results.xml'], dir);
    assert.equal(run.code, 3, '3 wins over 1');
    assert.match(run.stdout, /✖ error ERR_NETWORK: Connection refused/);
    assert.match(run.stdout, /✗ count: not connected/);
    assert.match(run.stdout, /0 passed, 2 failed in .*\(not connected\)/);
    const { suites } = junit(join(dir, 'results.xml'));
    const down = suites.find((s) => s.name === 'down')!;
    assert.equal(down.failures, '2');
    for (const c of down.testcase) {
      assert.match(String(c.failure![0].message), /^not connected: ERR_NETWORK: Connection refused/);
      assert.equal(c.failure![0].type, 'ConnectionError');
    }
  });

  test('--json prints the records, each rule as an assertion record and each profile as a summary record', T, async () => {
    const dir = workspace([
      { name: 'ticker', url: `${sse.url}/ticks`, expect: { messages: [{ name: 'tick', event: 'tick' }], count: { min: 2 } } },
    ]);
    const run = await cli(['--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const records = jsonLines(run);
    assert.deepEqual(
      records.slice(0, 2).map((r) => r.kind),
      ['connecting', 'open'],
    );
    const assertions = records.filter((r) => r.kind === 'assertion');
    assert.deepEqual(assertions.map((a) => [a.profile, a.rule, a.ok]).sort(), [
      ['ticker', 'count', true],
      ['ticker', 'tick', true],
    ]);
    for (const a of assertions) {
      const decider = records.find((r) => r.seq === a.decidedBy);
      assert.equal(decider?.kind, 'message', 'decidedBy names the message that decided it');
      assert.ok(records.indexOf(decider!) < records.indexOf(a), 'logged after the record that decided it');
    }
    const summary = records.filter((r) => r.kind === 'summary');
    assert.equal(summary.length, 1);
    assert.deepEqual([summary[0].profile, summary[0].passed, summary[0].failed], ['ticker', 2, 0]);
    assert.equal(typeof summary[0].durationMs, 'number');
  });

  test('the JUnit report parses back with the counts, names and failure details; hostile text stays text', T, async () => {
    const dir = workspace([
      { name: 'ticker <A&B>', url: `${sse.url}/ticks`, expect: { messages: [{ name: 'tick "1"', event: 'tick' }], count: { max: 1 } } },
      {
        name: 'hostile',
        url: `${sse.url}/errors`,
        expect: { timeoutMs: 2000, never: [{ name: 'no error', data: '/error/i' }], noErrors: true },
      },
    ]);
    const run = await cli(['--junit', 'results.xml', '--parallel', '2'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^\[ticker <A&B>\] /m, 'parallel lines carry their profile');
    const { xml, root, suites } = junit(join(dir, 'results.xml'));
    assert.equal(root.tests, '4');
    assert.equal(root.failures, '2');
    assert.equal(root.errors, '0');
    assert.deepEqual(
      suites.map((s) => [s.name, s.tests, s.failures]),
      [
        ['ticker <A&B>', '2', '1'],
        ['hostile', '2', '1'],
      ],
    );
    const ticker = suites[0];
    assert.deepEqual(
      ticker.testcase.map((c) => [c.name, c.classname]),
      [
        ['count', 'ticker <A&B>'],
        ['tick "1"', 'ticker <A&B>'],
      ],
    );
    assert.match(String(ticker.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.match(String(ticker.testcase[0].time), /^\d+\.\d{3}$/);
    const count = ticker.testcase[0].failure![0];
    assert.equal(count.message, '2 of max 1');
    assert.match(String(count['#text']), /2 of max 1\nmessage: \{"n":2\}\nat \d+ ms after open, record seq \d+/);
    const never = suites[1].testcase.find((c) => c.name === 'no error')!.failure![0];
    assert.match(String(never['#text']), /message: an Error happened: <b>&"\[31m<\/b>/, 'escaped back to the text; ESC and NUL dropped');
    assert.ok(!xml.includes('\x00') && !xml.includes('\x1b'), 'no character XML 1.0 forbids');
  });

  test('a JSONC parse error names the line and column; usage errors exit 2 before running', T, async () => {
    const dir = workspace([]);
    writeFileSync(join(dir, 'broken.json'), '{\n  "realtimeInspector.profiles": [\n    { "name": "x" "url": "http://a" }\n  ]\n}\n');
    const broken = await cli(['--profiles', 'broken.json'], dir);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.json:3:19: invalid JSON: comma expected/);

    const noFile = await cli(['--profiles', 'missing.json'], dir);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /cannot read profiles file missing\.json: no such file/);

    // In-process: Node 20 and 22 themselves stop a script given `--env-file` naming a missing file
    // (nodejs/node#54232), before the CLI runs; a newer Node leaves it to the CLI.
    const noEnv = await inProcess(['--env-file', 'missing.env'], dir);
    assert.equal(noEnv.code, 2);
    assert.match(noEnv.stderr, /cannot read --env-file missing\.env: no such file/);

    sse.requests.length = 0;
    const named = workspace([
      { name: 'has one', url: `${sse.url}/ticks`, expect: { count: { min: 1 } } },
      { name: 'plain', url: `${sse.url}/ticks` },
    ]);
    const unknown = await cli(['has one', 'nope'], named);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no profile named "nope" in \.vscode\/settings\.json; the profiles there: "has one", "plain"/);
    const noExpect = await cli(['plain'], named);
    assert.equal(noExpect.code, 2);
    assert.match(noExpect.stderr, /profile "plain" has no expect block/);
    const unwritable = await cli(['--junit', 'no/such/folder/results.xml'], named);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot write --junit no\/such\/folder\/results\.xml: no such folder/);
    const parallel = await cli(['--parallel', '0'], named);
    assert.equal(parallel.code, 2);
    assert.match(parallel.stderr, /--parallel needs a whole number of at least 1/);
    assert.equal(sse.requests.length, 0, 'nothing connected');

    const help = await cli(['--help'], named);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: realtime-inspector run \[NAME\.\.\.\]/);
    assert.match(help.stdout, /--junit FILE/);
  });

  test('a JSON file holding an array of profiles; NAME picks profiles in the order given', T, async () => {
    const dir = workspace([]);
    writeFileSync(
      join(dir, 'contracts.json'),
      JSON.stringify([
        { name: 'a', url: `${sse.url}/ticks`, expect: { count: { min: 1 } } },
        { name: 'b', url: wsUrl('/close-1000'), expect: { close: { codes: [1000] } } },
        { name: 'c', url: `${sse.url}/ticks`, expect: { count: { max: 0 } } },
      ]),
    );
    const run = await cli(['b', 'a', '--profiles', 'contracts.json'], dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const started = run.stdout.split('\n').filter((l) => l.startsWith('▶'));
    assert.deepEqual(
      started.map((l) => l.split('  ')[0]),
      ['▶ b', '▶ a'],
    );
    assert.match(run.stdout, /Total 2 profiles: 2 passed, 0 failed/);
  });

  test('Ctrl+C ends the running check as it stands, writes the report and lists the profiles not run as skipped', T, async () => {
    const dir = workspace([
      {
        name: 'long',
        url: `${sse.url}/ticks`,
        expect: {
          timeoutMs: 600_000,
          messages: [
            { name: 'tick', event: 'tick' },
            { name: 'never sent', data: 'x' },
          ],
        },
      },
      { name: 'next', url: `${sse.url}/ticks`, expect: { count: { min: 1 } } },
    ]);
    let signalled = false;
    const run = await cli(['--junit', 'results.xml'], dir, {}, (text, child) => {
      // Once the first rule has settled, the stream is surely open.
      if (!signalled && /✓ tick/.test(text)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ never sent: no matching message before the end/);
    assert.match(run.stdout, /interrupted, 1 not run/);
    const { suites } = junit(join(dir, 'results.xml'));
    assert.deepEqual(
      suites.map((s) => [s.name, s.tests, s.failures, s.skipped]),
      [
        ['long', '2', '1', '0'],
        ['next', '1', '0', '1'],
      ],
    );
  });

  test('a relative tls.caFile is read from the workspace folder (the one holding .vscode/), wherever run starts', T, async () => {
    const cert = selfSignedCert();
    const tls = await startServer((_req, res) => sendStream(res, 'data: over TLS\n\n'), cert);
    try {
      const dir = workspace(
        [
          {
            name: 'tls',
            url: `${tls.url}/s`,
            tls: { caFile: 'certs/ca.pem' },
            expect: { messages: [{ data: 'over TLS' }], close: { ended: true } },
          },
        ],
        {},
      );
      mkdirSync(join(dir, 'certs'));
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'certs', 'ca.pem'), cert.cert);
      const run = await cli(['--profiles', '../.vscode/settings.json'], join(dir, 'sub'));
      assert.equal(run.code, 0, run.stdout + run.stderr);

      rmSync(join(dir, 'certs'), { recursive: true });
      tls.requests.length = 0;
      const missing = await cli([], dir);
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr,
        new RegExp(`profile "tls": cannot read tls\\.caFile "${join(dir, 'certs', 'ca.pem').replace(/[.\\/]/g, '\\$&')}": ENOENT`),
      );
      assert.equal(tls.requests.length, 0, 'nothing connected');
    } finally {
      await tls.close();
    }
  });

  test('a URL made by a reference is checked once resolved: its scheme, and the rules that fit its transport', T, async () => {
    sse.requests.length = 0;
    const dir = workspace([
      { name: 'ftp', url: '${env:RI_TEST_TARGET_FTP}', expect: { count: { min: 1 } } },
      { name: 'sse with codes', url: '${env:RI_TEST_TARGET_SSE}', expect: { close: { codes: [1000] } } },
    ]);
    const run = await cli([], dir, { RI_TEST_TARGET_FTP: 'ftp://127.0.0.1/x', RI_TEST_TARGET_SSE: `${sse.url}/ticks` });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /profile "ftp": "url": Unsupported URL scheme "ftp:"/);
    assert.match(run.stderr, /profile "sse with codes": expect\.close: "codes" is for WebSocket/);
    assert.equal(sse.requests.length, 0, 'nothing connected');
  });

  test('--json under a flood prints every record, in order, and the rules see every message', T, async () => {
    const dir = workspace([
      { name: 'flood', url: wsUrl('/flood'), expect: { timeoutMs: 60_000, count: { min: FLOOD, max: FLOOD }, close: { codes: [1000] } } },
    ]);
    const run = await cli(['--json'], dir);
    assert.equal(run.code, 0, run.stderr);
    const records = jsonLines(run);
    const got = records.filter((r) => r.kind === 'message').map((r) => (JSON.parse(String(r.data)) as { i: number }).i);
    assert.equal(got.length, FLOOD);
    assert.ok(
      got.every((n, k) => n === k + 1),
      'in order, none lost',
    );
    assert.deepEqual(
      records.filter((r) => r.kind === 'assertion').map((a) => [a.rule, a.ok]),
      [
        ['close', true],
        ['count', true],
      ],
    );
  });

  test('connections go through the proxy the environment names (HTTP_PROXY), SSE and WebSocket alike', T, async () => {
    const proxy = await startProxy();
    try {
      const dir = workspace([
        { name: 'sse', url: `${sse.url}/ticks`, expect: { count: { min: 1 } } },
        { name: 'ws', url: wsUrl('/close-1000'), expect: { close: { codes: [1000] } } },
      ]);
      const run = await cli([], dir, { HTTP_PROXY: proxy.url });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(proxy.log, [`GET ${sse.url}/ticks`, `CONNECT 127.0.0.1:${ws.port}`]);
    } finally {
      await proxy.close();
    }
  });
});
