/**
 * Hostile servers on the way to a stream, for both transports: redirects that lead somewhere they
 * must not (a local socket, out of TLS, to another origin with the credentials), answers that are
 * not what was asked for, `retry:` values no timer can hold, compressed streams as browsers accept
 * them, streams that stall, and the CLI's clean close. Each case checks what the user is shown and
 * that handles and memory are back to the baseline afterwards.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import type { CloseRecord, InfoRecord } from '../../src/core/records';
import { startServer, type TestServer } from '../fixtures/sseServer';
import { selfSignedCert } from '../fixtures/tlsCert';
import { refuse, startRawServer, startWsServer } from '../fixtures/wsServer';
import { hostileCase, isKind, type Scope } from './helpers';

const T = { timeout: 60_000 };

async function serve(scope: Scope, handler: Parameters<typeof startServer>[0], tls?: { key: string; cert: string }): Promise<TestServer> {
  const s = await startServer(handler, tls);
  scope.defer(() => s.close());
  return s;
}

/** Credential headers of several kinds: all of them stay with the origin they were given for. */
const CREDENTIALS = { Authorization: 'Bearer tok-482913', Cookie: 'sid=c00kie', 'X-API-Key': 'k3y-api', 'X-Auth-Token': 'auth-t0k' };
const credentialNames = Object.keys(CREDENTIALS).map((n) => n.toLowerCase());
const sentCredentials = (headers: http.IncomingHttpHeaders) => credentialNames.filter((n) => headers[n] !== undefined);

describe('Redirects', () => {
  it('WebSocket: a redirect to ws+unix: is refused before anything is opened; the local socket sees no connection', T, (t) =>
    hostileCase(t, async (scope) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ri-unix-'));
      const sockPath = path.join(dir, 'docker.sock');
      let unixConnections = 0;
      const unix = net.createServer((s) => {
        unixConnections++;
        s.destroy();
      });
      await new Promise<void>((resolve) => unix.listen(sockPath, resolve));
      scope.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
      scope.defer(() => new Promise<void>((resolve) => unix.close(() => resolve())));
      const srv = await startWsServer({
        onUpgrade: (_req, socket) => {
          refuse(socket, 302, { location: `ws+unix:${sockPath}:/containers/x/attach/ws` });
          return true;
        },
      });
      scope.defer(() => srv.close());
      const o = scope.observe({ url: srv.url, headers: CREDENTIALS });
      await o.waitState('failed');
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.fatal, err.status], ['ERR_REDIRECT', true, 302]);
      assert.match(err.message, /^Redirect to an unsupported scheme: ws\+unix: \(ws, wss, http and https only\)$/);
      assert.equal(unixConnections, 0, 'nothing connected to the local socket');
      assert.equal(srv.requests.length, 1);
    }),
  );

  it(
    'WebSocket (https:// URL, kind ws) redirected to http://: refused by default; with allowDowngrade followed without any credential',
    T,
    (t) =>
      hostileCase(t, async (scope) => {
        const plain = await startWsServer();
        scope.defer(() => plain.close());
        const cert = selfSignedCert();
        const secure = await startWsServer({
          tls: cert,
          onUpgrade: (_req, socket) => {
            refuse(socket, 302, { location: `http://127.0.0.1:${plain.port}/ws` });
            return true;
          },
        });
        scope.defer(() => secure.close());
        const url = `https://127.0.0.1:${secure.port}/ws`;

        const refused = scope.observe({ url, kind: 'ws', headers: CREDENTIALS, tls: { ca: cert.cert } });
        await refused.waitState('failed');
        const err = refused.errors()[0];
        assert.deepEqual([err.code, err.fatal], ['ERR_REDIRECT', true]);
        assert.match(err.message, /^Redirect from https:\/\/ to http:\/\/ refused: it leaves TLS \(allow it with allowDowngrade/);
        assert.equal(plain.requests.length, 0, 'nothing was sent in clear');

        const allowed = scope.observe({ url, kind: 'ws', headers: CREDENTIALS, tls: { ca: cert.cert }, allowDowngrade: true });
        await allowed.waitState('open');
        assert.equal(plain.requests.length, 1);
        assert.deepEqual(sentCredentials(plain.requests[0].headers), [], 'no credential went over the plain connection');
        assert.deepEqual(sentCredentials(secure.requests.at(-1)!.headers), credentialNames, 'the first server got them all');
        const info = allowed.store.toArray().find(isKind('info')) as InfoRecord;
        assert.match(
          info.message,
          /leaves TLS: allowed by allowDowngrade.*another origin: Authorization, Cookie, X-API-Key, X-Auth-Token not forwarded/,
        );
      }),
  );

  it(
    'SSE POST redirected (307) from https to http: refused by default, the body and X-API-Key not sent; with allowDowngrade the body goes, no credential',
    T,
    (t) =>
      hostileCase(t, async (scope) => {
        const plain = await serve(scope, (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write('data: plain\n\n');
        });
        const cert = selfSignedCert();
        const secure = await serve(scope, (_req, res) => res.writeHead(307, { location: `${plain.url}/stream` }).end(), cert);
        const options = {
          url: secure.url + '/stream',
          method: 'POST',
          body: '{"prompt":"secret plans"}',
          headers: CREDENTIALS,
          tls: { ca: cert.cert },
        };

        const refused = scope.observe(options);
        await refused.waitState('failed');
        const err = refused.errors()[0];
        assert.deepEqual([err.code, err.fatal, err.status], ['ERR_REDIRECT', true, 307]);
        assert.match(err.message, /^Redirect from https:\/\/ to http:\/\/ refused: it leaves TLS/);
        assert.equal(plain.requests.length, 0, 'nothing was sent in clear');

        const allowed = scope.observe({ ...options, allowDowngrade: true });
        await allowed.waitFor((r) => r.kind === 'message' && r.data === 'plain', 5000, 'the event from the plain server');
        assert.equal(plain.requests.length, 1);
        assert.equal(plain.requests[0].method, 'POST');
        assert.equal(plain.requests[0].body, '{"prompt":"secret plans"}');
        assert.deepEqual(sentCredentials(plain.requests[0].headers), []);
      }),
  );

  it('another origin (same host, other port): every credential header is dropped, SSE and WebSocket alike', T, (t) =>
    hostileCase(t, async (scope) => {
      const sseOther = await serve(scope, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: other\n\n');
      });
      const sseFirst = await serve(scope, (_req, res) => res.writeHead(302, { location: `${sseOther.url}/s` }).end());
      const wsOther = await startWsServer();
      scope.defer(() => wsOther.close());
      const wsFirst = await startWsServer({
        onUpgrade: (_req, socket) => {
          refuse(socket, 307, { location: `ws://127.0.0.1:${wsOther.port}/s` });
          return true;
        },
      });
      scope.defer(() => wsFirst.close());
      const sse = scope.observe({ url: sseFirst.url, headers: CREDENTIALS });
      const ws = scope.observe({ url: wsFirst.url, headers: CREDENTIALS });
      await sse.waitFor((r) => r.kind === 'message', 5000, 'the SSE event');
      await ws.waitState('open');
      assert.deepEqual(sentCredentials(sseFirst.requests[0].headers), credentialNames);
      assert.deepEqual(sentCredentials(sseOther.requests[0].headers), []);
      assert.deepEqual(sentCredentials(wsFirst.requests[0].headers), credentialNames);
      assert.deepEqual(sentCredentials(wsOther.requests[0].headers), []);
      for (const o of [sse, ws]) {
        const info = o.store.toArray().find(isKind('info')) as InfoRecord;
        assert.match(info.message, /another origin: Authorization, Cookie, X-API-Key, X-Auth-Token not (sent|forwarded)/);
      }
    }),
  );
});

describe('Answers that are not an event stream, and compressed ones', () => {
  it('SSE GET answered with 101 Switching Protocols: fails at once with what the server did, not after the timeout', T, (t) =>
    hostileCase(t, async (scope) => {
      const raw = await startRawServer((socket) => {
        socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
      });
      scope.defer(() => raw.close());
      // A timeout this case never reaches: the error must come from the 101 itself.
      const o = scope.observe({ url: `http://127.0.0.1:${raw.port}/events`, timeoutMs: 120_000 });
      await o.waitState('failed', 60_000);
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.fatal, err.status], ['ERR_PROTOCOL', true, 101]);
      assert.equal(
        err.message,
        'The server switched protocols to websocket (HTTP 101 Switching Protocols) instead of answering with an event stream: this is not an SSE endpoint (a WebSocket one? use ws:// or --ws)',
      );
      assert.equal(err.headers?.upgrade, 'websocket');
    }),
  );

  const stream = 'id: 1\ndata: one\n\nid: 2\ndata: two\n\n';
  const gzip = (b: Buffer) => zlib.gzipSync(b);
  for (const [encoding, what, encode] of [
    ['deflate', 'raw DEFLATE', (b: Buffer) => zlib.deflateRawSync(b)],
    ['deflate', 'zlib-wrapped', (b: Buffer) => zlib.deflateSync(b)],
    ['gzip, gzip', 'gzip twice', (b: Buffer) => gzip(gzip(b))],
    ['gzip, br', 'gzip, then brotli', (b: Buffer) => zlib.brotliCompressSync(gzip(b))],
    ['deflate, gzip', 'raw DEFLATE, then gzip', (b: Buffer) => gzip(zlib.deflateRawSync(b))],
  ] as const) {
    it(`Content-Encoding: ${encoding} (${what}): decoded as a browser decodes it`, T, (t) =>
      hostileCase(t, async (scope) => {
        const s = await serve(scope, (_req, res) => {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': encoding });
          res.end(encode(Buffer.from(stream)));
        });
        const o = scope.observe({ url: s.url, headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
        await o.waitState('closed');
        assert.deepEqual(
          o.messages().map((m) => m.data),
          ['one', 'two'],
        );
        assert.deepEqual(o.errors(), []);
      }),
    );
  }

  it('an encoding that cannot be decoded (zstd on a Node without it, compress): a clear error, not retried', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': req.url === '/zstd' ? 'zstd' : 'compress' });
        res.end('\x28\xb5\x2f\xfd');
      });
      const zstd = scope.observe({ url: s.url + '/zstd', reconnect: { enabled: true } });
      const compress = scope.observe({ url: s.url + '/compress', reconnect: { enabled: true } });
      await zstd.waitState('failed');
      await compress.waitState('failed');
      const hasZstd = typeof (zlib as unknown as { createZstdDecompress?: unknown }).createZstdDecompress === 'function';
      if (!hasZstd) {
        assert.deepEqual(
          [zstd.errors()[0].code, zstd.errors()[0].message],
          [
            'ERR_CONTENT_TYPE',
            `Unsupported Content-Encoding: zstd (this Node.js ${process.version} cannot decode it; gzip, deflate and br can be)`,
          ],
        );
      }
      assert.deepEqual(
        [
          compress.errors()[0].code,
          compress.errors()[0].message.startsWith('Unsupported Content-Encoding: compress (gzip, deflate and br'),
        ],
        ['ERR_CONTENT_TYPE', true],
      );
      assert.equal(s.requests.length, 2, 'neither was retried');
    }),
  );
});

describe('Streams that stall (idleTimeoutMs)', () => {
  it('SSE: no data for 0.3 s drops the stream and reconnects with Last-Event-ID; the gap at the server is at least the timeout', T, (t) =>
    hostileCase(t, async (scope) => {
      const seen: { at: number; lastEventId: string | undefined }[] = [];
      const s = await serve(scope, (req, res, { n }) => {
        seen.push({ at: Date.now(), lastEventId: req.headers['last-event-id'] as string | undefined });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // The first response sends one event and then nothing, never ending: a stalled stream.
        res.write(n === 1 ? 'id: 1\ndata: one\n\n' : 'id: 2\ndata: two\n\n');
      });
      const o = scope.observe({ url: s.url, idleTimeoutMs: 300, reconnect: { enabled: true, initialDelayMs: 10, jitter: false } });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'two', 30_000, 'the event after the reconnect');
      const close = o.store.toArray().find(isKind('close')) as CloseRecord;
      assert.deepEqual([close.reason, close.clean, close.by], ['no data for 0.3 s', false, 'client']);
      const err = o.errors()[0];
      assert.deepEqual(
        [err.code, err.fatal, err.message],
        ['ERR_TIMEOUT', false, 'No data for 0.3 s (idle timeout 300 ms): the connection was dropped'],
      );
      assert.equal(seen[1].lastEventId, '1');
      assert.ok(seen[1].at - seen[0].at >= 300, `reconnected after ${seen[1].at - seen[0].at} ms`);
      o.conn.disconnect();
    }),
  );

  it('WebSocket: no frame for 0.3 s fails the connection (close 1006 "no data for 0.3 s"), the message before kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await startWsServer({ onConnection: (ws) => ws.send('hello') });
      scope.defer(() => srv.close());
      const o = scope.observe({ url: srv.url, idleTimeoutMs: 300 });
      await o.waitState('failed', 30_000);
      const close = o.store.toArray().find(isKind('close')) as CloseRecord;
      assert.deepEqual([close.code, close.reason, close.clean, close.by], [1006, 'no data for 0.3 s', false, 'client']);
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.fatal], ['ERR_TIMEOUT', true]);
      assert.deepEqual(
        o.messages().map((m) => m.data),
        ['hello'],
      );
    }),
  );
});

describe('The CLI stops cleanly', () => {
  const CLI = path.resolve(__dirname, '../../../dist/cli.js');
  for (const how of ['--count', '--timeout', 'SIGINT'] as const) {
    it(`${how}: the server sees a close frame with 1000 and a clean closing handshake, not 1006`, T, (t) =>
      hostileCase(t, async (scope) => {
        assert.ok(fs.existsSync(CLI), `${CLI} is built (node scripts/build.mjs)`);
        const closes: { code: number; reason: string }[] = [];
        const srv = await startWsServer({
          onConnection: (ws) => {
            ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
            ws.send('first');
          },
        });
        scope.defer(() => srv.close());
        const args = [
          srv.url,
          '--json',
          '--no-interactive',
          '--no-reconnect',
          ...(how === '--count' ? ['--count', '1'] : how === '--timeout' ? ['--timeout', '500'] : []),
        ];
        const child = spawn(process.execPath, [CLI, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, NO_COLOR: '1', HTTP_PROXY: '', http_proxy: '' },
        });
        scope.defer(() => child.exitCode === null && child.kill('SIGKILL'));
        let stdout = '';
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString('utf8');
          if (how === 'SIGINT' && stdout.includes('"data":"first"') && !child.killed) {
            child.kill('SIGINT');
          }
        });
        child.stderr.resume();
        // A CLI that never stops is a failure, not a hang of the suite (as the CLI tests bound it).
        const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        clearTimeout(guard);
        assert.equal(code, 0, stdout);
        while (closes.length === 0) {
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.deepEqual(closes, [{ code: 1000, reason: '' }], 'the server saw a normal closure');
        const records = stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { kind: string; code?: number; clean?: boolean; state?: string });
        const close = records.find((r) => r.kind === 'close');
        assert.deepEqual([close?.code, close?.clean, close?.state], [1000, true, 'closed']);
      }),
    );
  }
});
