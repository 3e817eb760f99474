// Over 400 lines: one test per SSE option of the CLI, on one spawner and server fixture.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startProxy } from '../../fixtures/proxyServer';
import { sendStream, sseHead, startServer, type TestServer } from '../../fixtures/sseServer';
import { selfSignedCert } from '../../fixtures/tlsCert';
import type { ServerResponse } from 'node:http';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  lines: string[];
  json: Record<string, unknown>[];
}

const children = new Set<ChildProcess>();

function run(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; onSpawn?: (c: ChildProcess) => void } = {},
): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  for (const k of PROXY_VARS) {
    if (!opts.env || !(k in opts.env)) {
      delete env[k];
    }
  }
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (opts.onSpawn) {
      opts.onSpawn(child);
    } else {
      child.stdout!.on('data', (c: Buffer) => out.push(c));
    }
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\nstderr: ${Buffer.concat(err).toString()}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      const stdout = Buffer.concat(out);
      const lines = stdout
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      let json: Record<string, unknown>[] = [];
      if (args.includes('--json')) {
        json = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      }
      resolveRun({ code, stdout, stderr: Buffer.concat(err).toString('utf8'), lines, json });
    });
  });
}

const servers: { close(): Promise<void> }[] = [];
async function serve(handler: Parameters<typeof startServer>[0], tls?: { key: string; cert: string }): Promise<TestServer> {
  const s = await startServer(handler, tls);
  servers.push(s);
  return s;
}

before(() => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
});

afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.close();
  }
});

after(() => {
  for (const c of children) {
    c.kill('SIGKILL');
  }
});

/** An open stream: a retry, a comment, then `n` events, left open. */
function ticker(n: number) {
  return (_req: unknown, res: ServerResponse) => {
    sseHead(res, { 'X-Demo': 'yes' });
    let body = 'retry: 500\n: hello\n\n';
    for (let i = 1; i <= n; i++) {
      body += `id: ${i}\nevent: tick\ndata: {"n":${i}}\n\n`;
    }
    res.write(body);
  };
}

describe('CLI (SSE)', () => {
  it('--json prints one record a line with the required fields', async () => {
    const s = await serve(ticker(2));
    const r = await run([s.url + '/events', '--json', '--count', '2']);
    assert.equal(r.code, 0, r.stderr);
    const kinds = r.json.map((j) => j.kind);
    assert.deepEqual(kinds, ['connecting', 'open', 'retry', 'comment', 'message', 'message', 'closing', 'close']);
    const [, open, retry, comment, m1, m2] = r.json;
    assert.equal(open.status, 200);
    assert.equal((open.headers as Record<string, string>)['x-demo'], 'yes', 'header names in lower case');
    assert.equal(retry.ms, 500);
    assert.equal(comment.text, 'hello');
    assert.deepEqual([m1.event, m1.data, m1.lastEventId, m1.id], ['tick', '{"n":1}', '1', '1']);
    assert.deepEqual([m2.data, m2.lastEventId], ['{"n":2}', '2']);
    for (const j of r.json) {
      assert.equal(typeof j.seq, 'number');
      assert.match(String(j.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('--count N exits 0 after N events and prints no more, then the close', async () => {
    const s = await serve(ticker(10));
    const r = await run([s.url, '--json', '--count', '3']);
    assert.equal(r.code, 0);
    assert.equal(r.json.filter((j) => j.kind === 'message').length, 3);
    assert.deepEqual(
      r.json.slice(-3).map((j) => j.kind),
      ['message', 'closing', 'close'],
    );
  });

  it('exits 1 on 401 with status, headers and body in the error record', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' });
      res.end('{"error":"no token"}');
    });
    const r = await run([s.url, '--json']);
    assert.equal(r.code, 1);
    const err = r.json.find((j) => j.kind === 'error')!;
    assert.equal(err.status, 401);
    assert.equal(err.code, 'ERR_HTTP_STATUS');
    assert.equal(err.body, '{"error":"no token"}');
    assert.equal((err.headers as Record<string, string>)['www-authenticate'], 'Bearer');
    assert.equal(typeof err.message, 'string');
  });

  it('exits 2 with one line on stderr for a usage error', async () => {
    const s = await serve(ticker(1));
    const cases = [
      [],
      ['not a url'],
      ['ftp://example.com'],
      [s.url, '--send', 'hi'],
      [s.url, '--count', 'abc'],
      [s.url, '--count', '0'],
      [s.url, '-H', 'no colon here'],
      [s.url, '--unknown-flag'],
      [s.url, '--sse', '--ws'],
      ['ws://127.0.0.1:1/x', '--raw'],
      [s.url, '-d', '@/nonexistent/file.json'],
      [s.url, '--no-reconnect', '--max-retries', '3'],
    ];
    const results = await Promise.all(cases.map((args) => run(args)));
    for (const [i, args] of cases.entries()) {
      const r = results[i];
      assert.equal(r.code, 2, `exit 2 for ${JSON.stringify(args)}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${JSON.stringify(args)}: ${r.stderr}`);
      assert.match(r.stderr, /^realtime-inspector: /);
      assert.equal(r.stdout.length, 0);
    }
    assert.equal(s.requests.length, 0, 'nothing was connected');
  });

  it('--help and --version exit 0', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout.toString(), /Usage: realtime-inspector <url> \[options\]/);
    assert.match(help.stdout.toString(), /--send-binary BASE64/);
    const version = await run(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../../package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.toString().trim(), pkg.version);
  });

  it('--raw shows the bytes as received', async () => {
    const body = Buffer.from(': ping\r\nid: 1\r\ndata: caf\xc3\xa9\r\n\r\n', 'latin1');
    const s = await serve((_req, res) => sendStream(res, body));
    const r = await run([s.url, '--raw', '--no-reconnect']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout, body, 'stdout carries exactly the stream');
    assert.match(r.stderr, /open 200 OK/, 'status lines go to stderr');
  });

  it('readable output escapes control characters, ANSI and bidi', async () => {
    const s = await serve((_req, res) =>
      sendStream(
        res,
        'event: x\x1b[2Jy\ndata: red \x1b[31mtext\x1b[0m bell\x07 nul\u0000 bidi \u202egnp.exe\u202c del\x7f\ndata: line2\n\n',
      ),
    );
    const r = await run([s.url, '--no-reconnect']);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString('utf8');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]/.test(out), 'no raw control or bidi character reaches the terminal');
    const msg = r.lines.find((l) => l.includes('red'))!;
    assert.ok(msg.includes('[x\\e[2Jy]'), msg);
    assert.ok(msg.includes('red \\e[31mtext\\e[0m bell\\x07 nul\\0 bidi \\u202egnp.exe\\u202c del\\x7f\\nline2'), msg);
    assert.ok(!out.includes('\x1b['), 'no colour codes off a TTY');
  });

  it(
    'on a terminal: coloured lines, and server data still escaped',
    { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' },
    async () => {
      const s = await serve((_req, res) => sendStream(res, 'data: \x1b]0;pwned\x07\x1b[2J\u202eevil\n\n'));
      const out = await new Promise<string>((resolveOut, reject) => {
        const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} ${s.url} --no-reconnect`, '/dev/null'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: undefined, TERM: 'xterm' },
        });
        children.add(child);
        const chunks: Buffer[] = [];
        child.stdout!.on('data', (c: Buffer) => chunks.push(c));
        const timer = setTimeout(() => reject(new Error('timed out')), 60_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          children.delete(child);
          if (code === 0) {
            resolveOut(Buffer.concat(chunks).toString('utf8'));
          } else {
            reject(new Error(`exit ${code}: ${Buffer.concat(chunks).toString()}`));
          }
        });
      });
      assert.ok(out.includes('\x1b[36m'), 'coloured');
      const withoutOurColours = out.replace(/\x1b\[\d+m/g, ''); // eslint-disable-line no-control-regex
      assert.ok(!/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]/.test(withoutOurColours), JSON.stringify(withoutOurColours)); // eslint-disable-line no-control-regex
      assert.ok(withoutOurColours.includes('\\e]0;pwned\\x07\\e[2J\\u202eevil'), JSON.stringify(withoutOurColours));
    },
  );

  it(
    '--raw on a terminal shows line ends and escapes controls',
    { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' },
    async () => {
      const s = await serve((_req, res) => sendStream(res, 'data: a\x1b[2Jb\r\n\r\n'));
      const out = await new Promise<string>((resolveOut, reject) => {
        const child = spawn(
          '/usr/bin/script',
          ['-qec', `${process.execPath} ${CLI} ${s.url} --raw --no-reconnect 2>/dev/null`, '/dev/null'],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        children.add(child);
        const chunks: Buffer[] = [];
        child.stdout!.on('data', (c: Buffer) => chunks.push(c));
        const timer = setTimeout(() => reject(new Error('timed out')), 60_000);
        child.on('close', () => {
          clearTimeout(timer);
          children.delete(child);
          resolveOut(Buffer.concat(chunks).toString('utf8'));
        });
      });
      // The terminal turns each LF into CRLF; the stream's own CR shows as \r.
      assert.equal(out, 'data: a\\e[2Jb\\r\r\n\\r\r\n');
    },
  );

  it('--json keeps bidi controls escaped and the data intact', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: a\u202eb\u2028c\x1b\n\n'));
    const r = await run([s.url, '--json', '--count', '1']);
    assert.equal(r.code, 0);
    const raw = r.stdout.toString('utf8');
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u202e\u2028\x1b]/.test(raw));
    assert.equal(r.json.find((j) => j.kind === 'message')!.data, 'a\u202eb\u2028c\x1b');
  });

  it('--timeout stops and exits 0', async () => {
    const s = await serve(ticker(1));
    const t0 = Date.now();
    const r = await run([s.url, '--json', '--timeout', '300']);
    assert.equal(r.code, 0);
    assert.ok(Date.now() - t0 >= 300, 'it waited for the timeout');
    assert.equal(r.json.filter((j) => j.kind === 'message').length, 1);
  });

  it('exits 0 when the server closes and no reconnect is due (--no-reconnect)', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: bye\n\n'));
    const r = await run([s.url, '--json', '--no-reconnect']);
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.json.map((j) => j.kind),
      ['connecting', 'open', 'message', 'close'],
    );
  });

  it('a -X POST stream is not sent again after [DONE]: one request, the reason printed, exit 0', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: {"t":"hi"}\n\ndata: [DONE]\n\n'));
    const r = await run([s.url, '-X', 'POST', '-d', '{"prompt":"hi"}', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.requests.length, 1, 'one POST at the server');
    assert.deepEqual(
      r.json.map((j) => j.kind),
      ['connecting', 'open', 'message', 'message', 'close', 'info'],
    );
    assert.equal(
      r.json.at(-1)?.message,
      'The server ended the POST stream; not reconnecting (a POST is sent again after the stream ends only with reconnect.onEnd)',
    );
    const readable = await run([s.url, '-d', 'again']);
    assert.equal(readable.code, 0, readable.stderr);
    assert.equal(s.requests.length, 2);
    assert.match(readable.lines.at(-1)!, /The server ended the POST stream; not reconnecting/);
  });

  it('a POST to a refused port is not retried: the reason printed, exit 1', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const r = await run([url, '-d', '{}', '--json', '--retry-delay', '5']);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.json.map((j) => j.kind),
      ['connecting', 'info', 'error'],
    );
    assert.equal(r.json[1].message, 'Not retrying: a POST is retried after a network failure only when reconnect.methods includes POST');
    assert.equal(r.json[2].code, 'ERR_NETWORK');
  });

  it('--reconnect-on-end sends a POST again after the stream ends, counting attempts; --retry-methods retries a refused POST', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: [DONE]\n\n'));
    const r = await run([s.url, '-d', '{"prompt":"hi"}', '--json', '--reconnect-on-end', '--max-retries', '2', '--retry-delay', '5']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(s.requests.length, 3, 'the first POST and two reconnects');
    assert.deepEqual(
      r.json.filter((j) => j.kind === 'reconnecting').map((j) => j.attempt),
      [1, 2],
    );
    assert.equal(r.json.at(-1)?.code, 'ERR_RETRIES_EXHAUSTED');

    const refused = await serve(() => undefined);
    await refused.close();
    const retried = await run([
      refused.url,
      '-d',
      '{}',
      '--json',
      '--retry-methods',
      'get,post',
      '--max-retries',
      '1',
      '--retry-delay',
      '5',
    ]);
    assert.equal(retried.code, 1);
    assert.deepEqual(
      retried.json.map((j) => j.kind),
      ['connecting', 'error', 'reconnecting', 'connecting', 'error', 'error'],
    );
    assert.equal(retried.json.at(-1)?.code, 'ERR_RETRIES_EXHAUSTED');
  });

  it('rejects contradictory or malformed reconnect flags with exit 2', async () => {
    for (const [args, message] of [
      [['--reconnect-on-end', '--no-reconnect-on-end'], /cannot be combined/],
      [['--no-reconnect', '--reconnect-on-end'], /--no-reconnect cannot be combined/],
      [['--retry-methods', 'GET,,POST'], /--retry-methods takes HTTP methods/],
    ] as const) {
      const r = await run(['http://127.0.0.1:9/x', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
    }
    const ws = await run(['ws://127.0.0.1:9/x', '--reconnect-on-end']);
    assert.equal(ws.code, 2);
    assert.match(ws.stderr, /--reconnect-on-end is for SSE/);
  });

  it('exits 0 on 204', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const r = await run([s.url, '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.json.at(-1)?.kind, 'close');
  });

  it('reconnects with Last-Event-ID and exits 1 once --max-retries are used up', async () => {
    const s = await serve((_req, res, { n }) => (n === 1 ? sendStream(res, 'id: 9\ndata: one\n\n') : res.writeHead(503).end('busy')));
    const r = await run([s.url, '--json', '--max-retries', '2', '--retry-delay', '10']);
    assert.equal(r.code, 1);
    assert.equal(s.requests[1].headers['last-event-id'], '9');
    const last = r.json.at(-1)!;
    assert.equal(last.kind, 'error');
    assert.equal(last.status, 503);
  });

  it("waits at least the server's retry: before every reconnect, even with a smaller --retry-delay", async () => {
    const R = 300;
    const arrivals: number[] = [];
    const s = await serve((_req, res, { n }) => {
      arrivals.push(performance.now());
      sendStream(res, `retry: ${R}\ndata: ${n}\n\n`);
    });
    const r = await run([s.url, '--json', '--max-retries', '2', '--retry-delay', '10']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json.at(-1)?.code, 'ERR_RETRIES_EXHAUSTED');
    assert.equal(arrivals.length, 3);
    // Timers count whole milliseconds on the event loop's clock: up to 2 ms short on the one read here.
    for (const gap of arrivals.slice(1).map((t, i) => t - arrivals[i])) {
      assert.ok(gap >= R - 2, `gap ${gap.toFixed(1)} ms ≥ ${R} ms`);
    }
    assert.ok(r.json.filter((j) => j.kind === 'reconnecting').every((j) => (j.delayMs as number) >= R));
  });

  it('exits 1 after --max-retries when the server is unreachable', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const r = await run([url, '--json', '--max-retries', '2', '--retry-delay', '5']);
    assert.equal(r.code, 1);
    assert.deepEqual(
      r.json.filter((j) => j.kind === 'reconnecting').map((j) => j.attempt),
      [1, 2],
    );
    assert.equal(r.json.at(-1)?.code, 'ERR_RETRIES_EXHAUSTED');
  });

  it('sends -X, -d @file, -H and --last-event-id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ri-cli-'));
    try {
      const file = join(dir, 'body.json');
      writeFileSync(file, '{"prompt":"hi"}');
      const s = await serve((req, res) => sendStream(res, `data: echo ${req.headers.authorization}\n\ndata: [DONE]\n\n`));
      const r = await run([
        s.url + '/chat',
        '-X',
        'PUT',
        '-d',
        '@' + file,
        '-H',
        'Authorization: Bearer s3cr3t-value',
        '-H',
        'X-One: 1',
        '--last-event-id',
        '77',
        '--json',
        '--count',
        '2',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const req = s.requests[0];
      assert.equal(req.method, 'PUT');
      assert.equal(req.body, '{"prompt":"hi"}');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.headers.authorization, 'Bearer s3cr3t-value');
      assert.equal(req.headers['x-one'], '1');
      assert.equal(req.headers['last-event-id'], '77');
      assert.ok(!r.stdout.toString().includes('s3cr3t-value'), 'the credential is masked in the output, also when echoed');
      assert.equal(r.json.find((j) => j.kind === 'message')?.data, 'echo Bearer ••••');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('-d TEXT POSTs by default', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: ok\n\n'));
    const r = await run([s.url, '-d', 'hello', '--count', '1']);
    assert.equal(r.code, 0);
    assert.equal(s.requests[0].method, 'POST');
    assert.equal(s.requests[0].body, 'hello');
  });

  it('refuses a self-signed certificate (exit 1) and accepts it with --insecure or --cacert', async () => {
    const cert = selfSignedCert();
    const s = await serve((_req, res) => sendStream(res, 'data: tls\n\n'), cert);
    const strict = await run([s.url, '--json']);
    assert.equal(strict.code, 1);
    assert.equal(strict.json.at(-1)?.code, 'ERR_TLS');
    const insecure = await run([s.url, '--json', '--insecure', '--count', '1']);
    assert.equal(insecure.code, 0, insecure.stderr);
    const ca = await run([s.url, '--json', '--cacert', cert.certFile, '--count', '1']);
    assert.equal(ca.code, 0, ca.stderr);
  });

  it('goes through the proxy in HTTPS_PROXY', async () => {
    const cert = selfSignedCert();
    const s = await serve((_req, res) => sendStream(res, 'data: proxied\n\n'), cert);
    const proxy = await startProxy();
    servers.push(proxy);
    const r = await run([s.url, '--json', '--cacert', cert.certFile, '--count', '1'], { env: { HTTPS_PROXY: proxy.url } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(proxy.log, [`CONNECT 127.0.0.1:${s.port}`]);
  });

  it('stops when the reader goes away (closed pipe), exit 0', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      const t = setInterval(() => res.write('data: more\n\n'), 5);
      res.on('close', () => clearInterval(t));
    });
    const r = await run([s.url, '--json'], {
      onSpawn: (child) => {
        child.stdout!.once('data', () => child.stdout!.destroy());
      },
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it('demo starts the demo server until interrupted', async () => {
    const demo = spawn(process.execPath, [CLI, 'demo', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(demo);
    try {
      const first = await new Promise<string>((resolveLine, reject) => {
        let text = '';
        demo.stdout!.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('\n')) {
            resolveLine(text.split('\n')[0]);
          }
        });
        demo.on('close', () => reject(new Error('demo exited')));
      });
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(first)?.[0];
      assert.ok(url, first);
      const r = await run([url + '/sse/once', '--json', '--count', '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.filter((j) => j.kind === 'message').length, 1);
      const exit = new Promise<number | null>((res) => demo.on('close', res));
      demo.kill('SIGINT');
      assert.equal(await exit, 0);
    } finally {
      demo.kill('SIGKILL');
      children.delete(demo);
    }
  });

  it('a slow reader loses nothing and the CLI memory stays bounded (stdout back-pressure)', async () => {
    const total = 30_000;
    const payload = 'x'.repeat(2000);
    const s = await serve((_req, res) => {
      sseHead(res);
      let i = 0;
      const pump = () => {
        while (i < total) {
          i++;
          if (!res.write(`id: ${i}\ndata: ${payload}\n\n`)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    let peakKb = 0;
    const r = await run([s.url, '--json', '--count', String(total)], {
      timeoutMs: 30_000,
      onSpawn: (child) => {
        const chunks: Buffer[] = [];
        // Read nothing for a while: the server keeps pushing, the CLI must hold back instead of buffering.
        child.stdout!.pause();
        const sample = setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            const hwm = /VmHWM:\s+(\d+)/.exec(status);
            if (hwm) {
              peakKb = Math.max(peakKb, Number(hwm[1]));
            }
          } catch {
            // process gone
          }
        }, 50);
        setTimeout(() => {
          child.stdout!.on('data', (c: Buffer) => chunks.push(c));
          child.stdout!.resume();
        }, 1000);
        child.on('close', () => {
          clearInterval(sample);
          child.stdout!.emit('collected', Buffer.concat(chunks));
        });
        child.stdout!.once('collected', (all: Buffer) => {
          collected = all;
        });
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = collected.toString('utf8').split('\n').filter(Boolean);
    const ids = lines
      .map((l) => JSON.parse(l) as { kind: string; id?: string })
      .filter((j) => j.kind === 'message')
      .map((j) => Number(j.id));
    assert.equal(ids.length, total, 'every event was written');
    assert.ok(
      ids.every((id, i) => id === i + 1),
      'in order',
    );
    // ~60 MB of JSON went through; without back-pressure the CLI would hold most of it.
    if (process.env.RI_TEST_VERBOSE) {
      console.log(`peak RSS ${Math.round(peakKb / 1024)} MB`);
    }
    assert.ok(peakKb > 0 && peakKb < 160 * 1024, `peak RSS ${Math.round(peakKb / 1024)} MB`);
  });
});

let collected: Buffer = Buffer.alloc(0);
