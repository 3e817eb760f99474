/**
 * Hostile servers on the way to a stream, for both transports: redirects that lead somewhere they
 * must not (a local socket, out of TLS, to another origin with the credentials), answers that are
 * not what was asked for, `retry:` values no timer can hold, compressed streams as browsers accept
 * them, streams that stall, and the CLI's clean close. Each case checks what the user is shown and
 * that handles and memory are back to the baseline afterwards.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { InfoRecord } from '../../src/core/records';
import { startServer, TestServer } from '../fixtures/sseServer';
import { selfSignedCert } from '../fixtures/tlsCert';
import { refuse, startWsServer } from '../fixtures/wsServer';
import { hostileCase, isKind, Scope } from './helpers';

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

  it('WebSocket (https:// URL, kind ws) redirected to http://: refused by default; with allowDowngrade followed without any credential', T, (t) =>
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
      assert.match(info.message, /leaves TLS: allowed by allowDowngrade.*another origin: Authorization, Cookie, X-API-Key, X-Auth-Token not forwarded/);
    }),
  );

  it('SSE POST redirected (307) from https to http: refused by default, the body and X-API-Key not sent; with allowDowngrade the body goes, no credential', T, (t) =>
    hostileCase(t, async (scope) => {
      const plain = await serve(scope, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: plain\n\n');
      });
      const cert = selfSignedCert();
      const secure = await serve(scope, (_req, res) => res.writeHead(307, { location: `${plain.url}/stream` }).end(), cert);
      const options = { url: secure.url + '/stream', method: 'POST', body: '{"prompt":"secret plans"}', headers: CREDENTIALS, tls: { ca: cert.cert } };

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
