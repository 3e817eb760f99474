// Over 400 lines: one test per rule of the WebSocket transport, on one harness.
/**
 * The WebSocket transport against real servers on 127.0.0.1: one test per rule of the transport.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type * as net from 'node:net';
import { after, describe, test } from 'node:test';
import type {
  ConnRecord,
  ErrorRecord,
  MessageRecord,
  OpenRecord,
  CloseRecord,
  PingPongRecord,
  ReconnectingRecord,
} from '../../../src/core/records';
import { closeProblem } from '../../../src/core/ws';
import { startProxy } from '../../fixtures/proxyServer';
import { selfSignedCert } from '../../fixtures/ws-tls';
import { activeResources, delay, wsConnection } from '../../fixtures/wsHarness';
import { OP, acceptUpgradeByHand, echo, frame, refuse, startRawServer, startWsServer } from '../../fixtures/wsServer';

const T = { timeout: 15_000 };
type Of<K> = ConnRecord extends infer R ? (R extends { kind: infer RK } ? (K extends RK ? R : never) : never) : never;
const is =
  <K extends ConnRecord['kind']>(kind: K) =>
  (r: ConnRecord): r is Of<K> & ConnRecord =>
    r.kind === kind;
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Reads the first client frame on a raw socket and unmasks it. */
/** Waits for a condition (the test's own timeout is the bound). */
async function eventually(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(5);
  }
}

function readClientFrame(socket: net.Socket): Promise<{ opcode: number; payload: Buffer }> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2) {
        return;
      }
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        len = buf.readUInt16BE(2);
        off = 4;
      }
      if (buf.length < off + 4 + len) {
        return;
      }
      const mask = buf.subarray(off, off + 4);
      const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      socket.removeListener('data', onData);
      resolve({ opcode: buf[0] & 0x0f, payload });
    };
    socket.on('data', onData);
  });
}

describe('WebSocket transport', () => {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const c of cleanups.reverse()) {
      await c();
    }
  });

  test('sends custom headers and offers subprotocols, shows the chosen one', T, async () => {
    const srv = await startWsServer({ server: { handleProtocols: (offered) => (offered.has('v2.chat') ? 'v2.chat' : false) } });
    const h = wsConnection({
      url: srv.url,
      headers: { Authorization: 'Bearer s3cr3t-token', Cookie: 'session=abc', Origin: 'https://app.example', 'X-Trace': 'trace-1' },
      protocols: ['v1.chat', 'v2.chat'],
    });
    try {
      h.conn.connect();
      const open = (await h.waitFor(is('open'))) as OpenRecord;
      const req = srv.requests[0];
      assert.equal(req.headers.authorization, 'Bearer s3cr3t-token');
      assert.equal(req.headers.cookie, 'session=abc');
      assert.equal(req.headers.origin, 'https://app.example');
      assert.equal(req.headers['x-trace'], 'trace-1');
      assert.deepEqual(req.headers['sec-websocket-protocol']?.split(/,\s*/), ['v1.chat', 'v2.chat']);

      const connecting = h.records.find(is('connecting'))!;
      assert.deepEqual(connecting.protocols, ['v1.chat', 'v2.chat']);
      assert.equal(connecting.headers.Authorization, 'Bearer ••••');
      assert.equal(open.protocol, 'v2.chat');
      assert.equal(open.headers['sec-websocket-protocol'], 'v2.chat');
      assert.equal(open.headers.upgrade?.toLowerCase(), 'websocket');

      const details = h.conn.status.details;
      assert.equal(details.protocol, 'v2.chat');
      assert.deepEqual(details.offeredProtocols, ['v1.chat', 'v2.chat']);
      assert.equal((details.requestHeaders as Record<string, string>).Authorization, 'Bearer ••••');
      assert.equal((details.responseHeaders as Record<string, string>)['sec-websocket-protocol'], 'v2.chat');
      assert.ok(!JSON.stringify(h.records).includes('s3cr3t-token'), 'the token never appears in a record');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a server that chooses none of the offered subprotocols fails the handshake with its headers shown', T, async () => {
    const srv = await startWsServer({ server: { handleProtocols: () => false } });
    const h = wsConnection({ url: srv.url, protocols: ['mqtt'], reconnect: { enabled: true, initialDelayMs: 10 } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_PROTOCOL');
      assert.equal(err.fatal, true);
      assert.match(err.message, /without choosing one of the offered subprotocols \(mqtt\)/);
      assert.equal(err.status, 101);
      assert.equal(err.headers?.upgrade, 'websocket');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('shows negotiated permessage-deflate in extensions', T, async () => {
    const srv = await startWsServer({ server: { perMessageDeflate: { threshold: 0 } } });
    const on = wsConnection({ url: srv.url });
    const off = wsConnection({ url: srv.url, perMessageDeflate: false });
    try {
      on.conn.connect();
      const open = (await on.waitFor(is('open'))) as OpenRecord;
      assert.match(open.extensions ?? '', /^permessage-deflate/);
      assert.match(String(on.conn.status.details.extensions), /permessage-deflate/);
      const text = 'compress me '.repeat(1000);
      on.conn.sendText(text);
      const back = (await on.waitFor((r) => r.kind === 'message' && r.dir === 'in')) as MessageRecord;
      assert.equal(back.data, text);
      assert.equal(back.size, Buffer.byteLength(text), 'size is the message size, not the compressed frame');
      assert.ok(on.conn.stats.bytesIn < text.length / 4, `wire bytes (${on.conn.stats.bytesIn}) show the compression`);

      off.conn.connect();
      const open2 = (await off.waitFor(is('open'))) as OpenRecord;
      assert.equal(open2.extensions, '');
      assert.equal(srv.requests[1].headers['sec-websocket-extensions'], undefined, 'nothing offered when off');
    } finally {
      on.conn.dispose();
      off.conn.dispose();
      await srv.close();
    }
  });

  test('echoes text, JSON and binary with outgoing records and sizes', T, async () => {
    const srv = await startWsServer();
    const h = wsConnection({ url: srv.url });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.sendText('héllo');
      h.conn.sendJson('{"a":[1,2]}');
      assert.throws(() => h.conn.sendJson('{nope'), /Not valid JSON/);
      h.conn.sendBinary(new Uint8Array([0, 1, 2, 255]));
      await h.waitFor((r) => r.kind === 'message' && r.dir === 'in' && r.format === 'binary');
      const msgs = h.records.filter(is('message'));
      const pick = (m: MessageRecord) => ({ dir: m.dir, format: m.format, data: m.data, size: m.size });
      assert.deepEqual(msgs.filter((m) => m.dir === 'out').map(pick), [
        { dir: 'out', format: 'text', data: 'héllo', size: 6 },
        { dir: 'out', format: 'text', data: '{"a":[1,2]}', size: 11 },
        { dir: 'out', format: 'binary', data: 'AAEC/w==', size: 4 },
      ]);
      assert.deepEqual(msgs.filter((m) => m.dir === 'in').map(pick), [
        { dir: 'in', format: 'text', data: 'héllo', size: 6 },
        { dir: 'in', format: 'text', data: '{"a":[1,2]}', size: 11 },
        { dir: 'in', format: 'binary', data: 'AAEC/w==', size: 4 },
      ]);
      assert.equal(h.conn.stats.messagesOut, 3);
      assert.equal(h.conn.stats.messagesIn, 3);
      assert.equal(h.conn.stats.bytesOut, 21);
      assert.ok(h.conn.stats.bytesIn >= 21, 'wire bytes counted');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('shows server pings and the automatic pong', T, async () => {
    let pongAtServer: Buffer | undefined;
    const srv = await startWsServer({
      onConnection: (ws) => {
        ws.on('pong', (d) => (pongAtServer = d));
        ws.ping('srv-ping');
      },
    });
    const h = wsConnection({ url: srv.url });
    try {
      h.conn.connect();
      const ping = (await h.waitFor(is('ping'))) as PingPongRecord;
      assert.deepEqual({ dir: ping.dir, data: ping.data, size: ping.size }, { dir: 'in', data: b64('srv-ping'), size: 8 });
      const pong = (await h.waitFor(is('pong'))) as PingPongRecord;
      assert.deepEqual({ dir: pong.dir, data: pong.data, auto: pong.auto }, { dir: 'out', data: b64('srv-ping'), auto: true });
      assert.ok(pong.seq > ping.seq);
      const deadline = Date.now() + 2000;
      while (!pongAtServer && Date.now() < deadline) {
        await delay(10);
      }
      assert.equal(pongAtServer?.toString(), 'srv-ping', 'the server really got the pong');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a ping flood is answered pong for pong and the connection stays open', T, async () => {
    const n = 10_000;
    let pongs = 0;
    const srv = await startWsServer({
      onConnection: (ws) => {
        ws.on('pong', () => {
          if (++pongs === n) {
            ws.send('after the flood');
          }
        });
        for (let i = 0; i < n; i++) {
          ws.ping(String(i));
        }
      },
    });
    const h = wsConnection({ url: srv.url, perMessageDeflate: false });
    try {
      h.conn.connect();
      await h.waitFor((r) => r.kind === 'message' && r.data === 'after the flood', 10_000);
      assert.equal(pongs, n);
      assert.equal(h.records.filter((r) => r.kind === 'ping' && r.dir === 'in').length, n);
      const auto = h.records.filter((r): r is PingPongRecord => r.kind === 'pong' && r.dir === 'out');
      assert.equal(auto.length, n);
      assert.ok(auto.every((p) => p.auto === true));
      assert.equal(auto[n - 1].data, b64(String(n - 1)));
      assert.equal(h.conn.state, 'open');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a protocol error (reserved opcode) closes with 1002', T, async () => {
    const raw = await startRawServer((socket) => {
      void acceptUpgradeByHand(socket).then(() => {
        socket.resume();
        socket.write(frame(OP.text, Buffer.from('ok so far')));
        socket.write(frame(0x3, Buffer.from('??')));
      });
    });
    const h = wsConnection({ url: raw.url });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_PROTOCOL');
      assert.equal(err.closeCode, 1002);
      assert.match(err.message, /opcode/i);
      const close = h.records.find(is('close'))!;
      assert.deepEqual({ code: close.code, clean: close.clean }, { code: 1002, clean: false });
      assert.equal(h.records.find(is('message'))?.data, 'ok so far');
    } finally {
      h.conn.dispose();
      await raw.close();
    }
  });

  test('ping with payload gets a pong record', T, async () => {
    const srv = await startWsServer();
    const h = wsConnection({ url: srv.url });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.ping(Buffer.from('are-you-there'));
      const pong = (await h.waitFor(is('pong'))) as PingPongRecord;
      const ping = h.records.find(is('ping'))!;
      assert.deepEqual({ dir: ping.dir, data: ping.data, size: ping.size }, { dir: 'out', data: b64('are-you-there'), size: 13 });
      assert.deepEqual(
        { dir: pong.dir, data: pong.data, size: pong.size, auto: pong.auto },
        { dir: 'in', data: b64('are-you-there'), size: 13, auto: undefined },
      );
      assert.throws(() => h.conn.ping(new Uint8Array(126)), /at most 125 bytes/);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('close with code and reason is clean', T, async () => {
    let seen: { code: number; reason: string } | undefined;
    const srv = await startWsServer({
      onConnection: (ws) => ws.on('close', (code, reason) => (seen = { code, reason: reason.toString() })),
    });
    const h = wsConnection({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 10, jitter: false } });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.disconnect(4000, 'bye now');
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual(
        { code: close.code, reason: close.reason, clean: close.clean, by: close.by, state: close.state },
        { code: 4000, reason: 'bye now', clean: true, by: 'client', state: 'closed' },
      );
      assert.ok(h.records.some((r) => r.kind === 'closing' && r.code === 4000));
      await eventually(() => seen !== undefined, 'the server to see the close');
      assert.deepEqual(seen, { code: 4000, reason: 'bye now' });
      assert.equal(h.conn.state, 'closed');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a peer that never answers our close frame is torn down after the close timeout', T, async () => {
    const raw = await startRawServer((socket) => {
      void acceptUpgradeByHand(socket).then(() => socket.resume());
    });
    const h = wsConnection({ url: raw.url, reconnect: { enabled: true, initialDelayMs: 10 } });
    h.conn.closeTimeoutMs = 200;
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      const t0 = Date.now();
      h.conn.disconnect(1000, 'bye');
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.ok(Date.now() - t0 >= 190);
      assert.deepEqual({ code: close.code, clean: close.clean, by: close.by }, { code: 1006, clean: false, by: 'client' });
      await eventually(() => raw.sockets.size === 0, 'the socket to go');
      assert.ok(!h.records.some(is('reconnecting')));
    } finally {
      h.conn.dispose();
      await raw.close();
    }
  });

  test('close arguments outside the rules are refused with a reason', () => {
    assert.equal(closeProblem(1000, 'ok'), undefined);
    assert.equal(closeProblem(3000), undefined);
    assert.equal(closeProblem(4999, 'x'.repeat(123)), undefined);
    assert.match(closeProblem(1001)!, /1000 or 3000–4999/);
    assert.match(closeProblem(1006)!, /1000 or 3000–4999/);
    assert.match(closeProblem(5000)!, /1000 or 3000–4999/);
    assert.match(closeProblem(1000, 'é'.repeat(62))!, /124 bytes/);
  });

  test('a close code the user may not send becomes 1000 with an error shown', T, async () => {
    let seen: number | undefined;
    const srv = await startWsServer({ onConnection: (ws) => ws.on('close', (code) => (seen = code)) });
    const h = wsConnection({ url: srv.url });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.disconnect(1006, 'nope');
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_SEND');
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.equal(close.code, 1000);
      assert.equal(close.clean, true);
      await eventually(() => seen !== undefined, 'the server to see the close');
      assert.equal(seen, 1000);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('rejected upgrade 401 shows status, headers and JSON body', T, async () => {
    const body = JSON.stringify({ error: 'invalid_token', detail: 'token expired' });
    const srv = await startWsServer({
      onUpgrade: (_req, socket) => {
        refuse(socket, 401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"', 'x-request-id': 'r-42' }, body);
        return true;
      },
    });
    const h = wsConnection({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 10 } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_HTTP_STATUS');
      assert.equal(err.status, 401);
      assert.equal(err.statusText, 'Unauthorized');
      assert.equal(err.fatal, true, 'a 401 does not retry');
      assert.equal(err.state, 'failed');
      assert.equal(err.headers?.['www-authenticate'], 'Bearer realm="api"');
      assert.equal(err.headers?.['x-request-id'], 'r-42');
      assert.deepEqual(JSON.parse(err.body!), { error: 'invalid_token', detail: 'token expired' });
      assert.match(err.message, /401/);
      assert.doesNotMatch(err.message, /hang up/);
      await delay(100);
      assert.ok(!h.records.some(is('reconnecting')));
      assert.equal(srv.requests.length, 1);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a plain HTTP page (200) or a 404 is shown as a refused upgrade, never retried', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (req, socket) => {
        if (req.url === '/page') {
          refuse(socket, 200, { 'content-type': 'text/html' }, '<html>hello</html>');
        } else {
          refuse(socket, 404, { 'content-type': 'text/plain' }, 'no such socket');
        }
        return true;
      },
    });
    const page = wsConnection({ url: srv.url + 'page', reconnect: { enabled: true, initialDelayMs: 10 } });
    const missing = wsConnection({ url: srv.url + 'missing', reconnect: { enabled: true, initialDelayMs: 10 } });
    try {
      page.conn.connect();
      missing.conn.connect();
      const e1 = (await page.waitFor(is('error'))) as ErrorRecord;
      assert.deepEqual(
        { code: e1.code, status: e1.status, body: e1.body, fatal: e1.fatal },
        { code: 'ERR_HTTP_STATUS', status: 200, body: '<html>hello</html>', fatal: true },
      );
      assert.match(e1.message, /is this a WebSocket endpoint/);
      const e2 = (await missing.waitFor(is('error'))) as ErrorRecord;
      assert.deepEqual(
        { code: e2.code, status: e2.status, statusText: e2.statusText, body: e2.body, fatal: e2.fatal },
        { code: 'ERR_HTTP_STATUS', status: 404, statusText: 'Not Found', body: 'no such socket', fatal: true },
      );
    } finally {
      page.conn.dispose();
      missing.conn.dispose();
      await srv.close();
    }
  });

  test('a 503 upgrade refusal reconnects under the policy, with the body capped', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (_req, socket) => {
        refuse(socket, 503, { 'content-type': 'text/html' }, '<h1>down</h1>'.repeat(100));
        return true;
      },
    });
    const h = wsConnection({
      url: srv.url,
      errorBodyLimit: 64,
      reconnect: { enabled: true, initialDelayMs: 20, jitter: false, maxAttempts: 2 },
    });
    try {
      h.conn.connect();
      const first = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(first.status, 503);
      assert.equal(first.fatal, false);
      assert.equal(first.body?.length, 64);
      assert.equal(first.bodyTruncated, true);
      await h.waitFor((r) => r.kind === 'error' && r.code === 'ERR_RETRIES_EXHAUSTED');
      assert.equal(srv.requests.length, 3, 'first try and two retries');
      assert.equal(h.records.filter(is('reconnecting')).length, 2);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a refused TCP connection retries under the policy, then gives up', T, async () => {
    const raw = await startRawServer((s) => s.resume());
    const url = raw.url;
    await raw.close();
    const h = wsConnection({ url, reconnect: { enabled: true, initialDelayMs: 5, jitter: false, maxAttempts: 2 } });
    try {
      h.conn.connect();
      const last = (await h.waitFor((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
      assert.equal(last.code, 'ERR_RETRIES_EXHAUSTED');
      const errors = h.records.filter((r): r is ErrorRecord => r.kind === 'error' && !r.fatal);
      assert.equal(errors.length, 3);
      assert.ok(errors.every((e) => e.code === 'ERR_NETWORK' && /refused/.test(e.message)));
    } finally {
      h.conn.dispose();
    }
  });

  test('a server that accepts then never answers hits the handshake timeout', T, async () => {
    const raw = await startRawServer((s) => s.resume());
    const h = wsConnection({ url: raw.url, timeoutMs: 300 });
    try {
      const t0 = Date.now();
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      const took = Date.now() - t0;
      assert.equal(err.code, 'ERR_TIMEOUT');
      assert.match(err.message, /300 ms/);
      assert.equal(err.state, 'failed');
      assert.ok(took >= 250, `took ${took} ms`);
      await eventually(() => raw.sockets.size === 0, 'the client to drop the socket');
    } finally {
      h.conn.dispose();
      await raw.close();
    }
  });

  test('invalid UTF-8 closes with 1007 and keeps earlier messages', T, async () => {
    let clientClose: Promise<{ opcode: number; payload: Buffer }> | undefined;
    const raw = await startRawServer((socket) => {
      void acceptUpgradeByHand(socket).then(() => {
        clientClose = readClientFrame(socket);
        socket.write(frame(OP.text, Buffer.from('first, valid')));
        socket.write(frame(OP.text, Buffer.from([0x68, 0x69, 0xff, 0xfe])));
      });
    });
    const h = wsConnection({ url: raw.url });
    try {
      h.conn.connect();
      await h.waitFor(is('error'));
      const close = h.records.find(is('close'))!;
      assert.deepEqual(h.trail(), ['connecting:connecting', 'open:open', 'message', 'close:closed', 'error:failed']);
      const msg = h.records.find(is('message'))!;
      assert.equal(msg.data, 'first, valid');
      const err = h.records.find(is('error'))!;
      assert.equal(err.code, 'ERR_INVALID_UTF8');
      assert.equal(err.closeCode, 1007);
      assert.equal(err.fatal, true, 'no reconnect follows: the connection failed');
      assert.match(err.message, /not valid UTF-8/);
      assert.equal(close.code, 1007);
      assert.equal(close.clean, false);
      const sent = await clientClose!;
      assert.equal(sent.opcode, OP.close);
      assert.equal(sent.payload.readUInt16BE(0), 1007, 'the client told the server why');
    } finally {
      h.conn.dispose();
      await raw.close();
    }
  });

  test('over maxPayload closes with 1009', T, async () => {
    const srv = await startWsServer({
      onConnection: (ws) => {
        ws.send('small one');
        ws.send(Buffer.alloc(2 * 1024 * 1024, 1));
      },
    });
    const h = wsConnection({ url: srv.url, maxPayload: 1024 * 1024 });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      const close = h.records.find(is('close'))!;
      assert.equal(h.records.find(is('message'))?.data, 'small one');
      assert.equal(err.code, 'ERR_PAYLOAD_TOO_BIG');
      assert.equal(err.closeCode, 1009);
      assert.equal(err.state, 'failed');
      assert.equal(close.code, 1009);
      assert.equal(close.clean, false);
      assert.equal(h.records.filter(is('message')).length, 1);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a 200 MB message against the default maxPayload is refused early, memory bounded', T, async () => {
    let written = 0;
    const raw = await startRawServer((socket) => {
      void acceptUpgradeByHand(socket).then(() => {
        socket.write(frame(OP.text, Buffer.from('before')));
        socket.write(frame(OP.binary, Buffer.alloc(0), { length: 200 * 1024 * 1024 }));
        const chunk = Buffer.alloc(64 * 1024);
        const pump = () => {
          while (!socket.destroyed && written < 200 * 1024 * 1024) {
            written += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
    });
    const rss0 = process.memoryUsage().rss;
    const h = wsConnection({ url: raw.url });
    try {
      h.conn.connect();
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.equal(close.code, 1009);
      assert.equal(h.records.find(is('error'))?.code, 'ERR_PAYLOAD_TOO_BIG');
      assert.equal(h.records.find(is('message'))?.data, 'before');
      assert.ok(h.conn.stats.bytesIn < 32 * 1024 * 1024, `read only ${h.conn.stats.bytesIn} bytes of 200 MB`);
      const grew = process.memoryUsage().rss - rss0;
      assert.ok(grew < 100 * 1024 * 1024, `rss grew ${Math.round(grew / 1e6)} MB`);
    } finally {
      h.conn.dispose();
      await raw.close();
    }
  });

  test('a fragmented message of 10,000 frames arrives whole', T, async () => {
    const piece = 'abcdefghij';
    const srv = await startWsServer({
      onConnection: (ws) => {
        for (let i = 0; i < 10_000; i++) {
          ws.send(piece, { fin: i === 9_999 });
        }
      },
    });
    const h = wsConnection({ url: srv.url, perMessageDeflate: false });
    try {
      h.conn.connect();
      const msg = (await h.waitFor(is('message'))) as MessageRecord;
      assert.equal(msg.size, 100_000);
      assert.equal(msg.data, piece.repeat(10_000));
      await delay(50);
      assert.equal(h.records.filter(is('message')).length, 1, 'one message, not 10,000');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('server dying mid-stream gives 1006 and reconnects', T, async () => {
    let connections = 0;
    const srv = await startWsServer({
      onConnection: (ws) => {
        connections++;
        if (connections === 1) {
          ws.send('one');
          ws.send('two');
          ws.send('three', () => setTimeout(() => ws.terminate(), 20));
        }
      },
    });
    const h = wsConnection({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 50, jitter: false, maxAttempts: 3 } });
    try {
      h.conn.connect();
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual({ code: close.code, clean: close.clean, by: close.by }, { code: 1006, clean: false, by: 'network' });
      assert.deepEqual(
        h.records.filter(is('message')).map((m) => m.data),
        ['one', 'two', 'three'],
      );
      const rec = await h.waitFor(is('reconnecting'));
      assert.equal((rec as { attempt: number }).attempt, 1);
      await h.waitFor(is('open'), 5000, h.records.indexOf(rec));
      assert.equal(connections, 2);
      assert.equal(h.conn.state, 'open');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a server close with 1000 does not reconnect; 1011 does', T, async () => {
    const srv = await startWsServer({
      onConnection: (ws, req) => {
        const code = req.url === '/normal' ? 1000 : 1011;
        setTimeout(() => ws.close(code, code === 1000 ? 'done' : 'oops'), 20);
      },
    });
    const normal = wsConnection({
      url: srv.url + 'normal',
      reconnect: { enabled: true, initialDelayMs: 20, jitter: false, maxAttempts: 1 },
    });
    const failing = wsConnection({
      url: srv.url + 'error',
      reconnect: { enabled: true, initialDelayMs: 20, jitter: false, maxAttempts: 1 },
    });
    try {
      normal.conn.connect();
      failing.conn.connect();
      const c1 = (await normal.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual(
        { code: c1.code, reason: c1.reason, clean: c1.clean, by: c1.by },
        { code: 1000, reason: 'done', clean: true, by: 'server' },
      );
      const c2 = (await failing.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual(
        { code: c2.code, reason: c2.reason, clean: c2.clean, by: c2.by },
        { code: 1011, reason: 'oops', clean: true, by: 'server' },
      );
      await failing.waitFor(is('reconnecting'));
      await delay(150);
      assert.ok(!normal.records.some(is('reconnecting')));
      assert.equal(normal.conn.state, 'closed');
    } finally {
      normal.conn.dispose();
      failing.conn.dispose();
      await srv.close();
    }
  });

  test('keep-alive declares a silent peer dead', T, async () => {
    const srv = await startWsServer({ server: { autoPong: false } });
    const h = wsConnection({
      url: srv.url,
      keepAlive: { intervalMs: 100, timeoutMs: 250 },
      reconnect: { enabled: true, initialDelayMs: 5000, jitter: false, maxAttempts: 1 },
    });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      const t0 = Date.now();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      const took = Date.now() - t0;
      assert.equal(err.code, 'ERR_TIMEOUT');
      assert.match(err.message, /no pong within 250 ms — connection presumed dead/i);
      assert.ok(took >= 300, `declared dead after ${took} ms`);
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual({ code: close.code, clean: close.clean, by: close.by }, { code: 1006, clean: false, by: 'network' });
      assert.ok(h.records.some((r) => r.kind === 'ping' && r.dir === 'out' && r.auto === true));
      await h.waitFor(is('reconnecting'));
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('keep-alive pings an answering peer and stays open', T, async () => {
    const srv = await startWsServer();
    const h = wsConnection({ url: srv.url, keepAlive: { intervalMs: 50, timeoutMs: 1000 } });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      // Five answered pings, then still open with no error (bounded wait: a loaded machine is slower).
      let pongs = 0;
      await h.waitFor((r) => r.kind === 'pong' && r.dir === 'in' && ++pongs >= 5);
      assert.equal(h.conn.state, 'open');
      assert.ok(h.records.filter((r) => r.kind === 'ping' && r.dir === 'out' && r.auto).length >= 5);
      assert.ok(!h.records.some(is('error')));
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a clean close by the user never reconnects', T, async () => {
    let connections = 0;
    const srv = await startWsServer({ onConnection: () => connections++ });
    const h = wsConnection({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 10, jitter: false } });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.disconnect();
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual({ code: close.code, clean: close.clean, by: close.by }, { code: 1000, clean: true, by: 'client' });
      await delay(200);
      assert.ok(!h.records.some(is('reconnecting')));
      assert.equal(connections, 1);
      assert.equal(h.conn.state, 'closed');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('follows a redirect on the handshake', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (req, socket) => {
        if (req.url === '/old') {
          refuse(socket, 302, { location: '/new' });
          return true;
        }
        return false;
      },
    });
    const h = wsConnection({ url: srv.url + 'old' });
    try {
      h.conn.connect();
      const open = (await h.waitFor(is('open'))) as OpenRecord;
      assert.equal(open.url, srv.url + 'new');
      const info = h.records.find(is('info'));
      assert.match(info?.message ?? '', new RegExp(`Redirected to ${srv.url}new`));
      assert.ok(info!.seq < open.seq);
      assert.equal(h.conn.status.details.url, srv.url + 'new');
      h.conn.sendText('after redirect');
      assert.equal(((await h.waitFor((r) => r.kind === 'message' && r.dir === 'in')) as MessageRecord).data, 'after redirect');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a redirect to another host does not forward Authorization or Cookie', T, async () => {
    let port = 0;
    const srv = await startWsServer({
      onUpgrade: (req, socket) => {
        if (req.url === '/old') {
          refuse(socket, 307, { location: `ws://localhost:${port}/new` });
          return true;
        }
        return false;
      },
    });
    port = srv.port;
    const h = wsConnection({
      url: srv.url + 'old',
      headers: { Authorization: 'Bearer tok-123', Cookie: 'a=b', 'X-Keep': 'yes', Host: `127.0.0.1:${port}` },
    });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      assert.equal(srv.requests[0].headers.authorization, 'Bearer tok-123');
      assert.equal(srv.requests[1].headers.authorization, undefined);
      assert.equal(srv.requests[1].headers.cookie, undefined);
      assert.equal(srv.requests[1].headers['x-keep'], 'yes');
      assert.equal(srv.requests[1].headers.host, `localhost:${port}`);
      assert.match(h.records.find(is('info'))!.message, /not forwarded/);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a redirect loop stops at maxRedirects', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (_req, socket) => {
        refuse(socket, 302, { location: '/again' });
        return true;
      },
    });
    const h = wsConnection({ url: srv.url, maxRedirects: 3, reconnect: { enabled: true } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_REDIRECT');
      assert.equal(err.fatal, true);
      assert.equal(srv.requests.length, 4);
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('wss with a self-signed certificate is refused by default and accepted with tls.insecure', T, async () => {
    const cert = selfSignedCert();
    const srv = await startWsServer({ tls: cert });
    const strict = wsConnection({ url: srv.url });
    const insecure = wsConnection({ url: srv.url, tls: { insecure: true } });
    const withCa = wsConnection({ url: srv.url, tls: { ca: cert.cert } });
    try {
      strict.conn.connect();
      const err = (await strict.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_TLS');
      assert.match(err.message, /self-signed/);
      assert.equal(err.fatal, true);

      insecure.conn.connect();
      await insecure.waitFor(is('open'));
      insecure.conn.sendText('over tls');
      assert.equal(((await insecure.waitFor((r) => r.kind === 'message' && r.dir === 'in')) as MessageRecord).data, 'over tls');

      withCa.conn.connect();
      await withCa.waitFor(is('open'));
    } finally {
      strict.conn.dispose();
      insecure.conn.dispose();
      withCa.conn.dispose();
      await srv.close();
    }
  });

  test('goes through an HTTP CONNECT proxy', T, async () => {
    const srv = await startWsServer();
    const proxy = await startProxy();
    const h = wsConnection({ url: srv.url, proxy: { url: proxy.url } });
    const bypass = wsConnection({ url: srv.url, proxy: { url: proxy.url, noProxy: ['127.0.0.1'] } });
    try {
      h.conn.connect();
      await h.waitFor(is('open'));
      h.conn.sendText('via proxy');
      assert.equal(((await h.waitFor((r) => r.kind === 'message' && r.dir === 'in')) as MessageRecord).data, 'via proxy');
      assert.deepEqual(proxy.log, [`CONNECT 127.0.0.1:${srv.port}`]);

      bypass.conn.connect();
      await bypass.waitFor(is('open'));
      assert.equal(proxy.log.length, 1, 'noProxy goes direct');
    } finally {
      h.conn.dispose();
      bypass.conn.dispose();
      await proxy.close();
      await srv.close();
    }
  });

  test('wss through the proxy still verifies the server certificate', T, async () => {
    const cert = selfSignedCert();
    const srv = await startWsServer({ tls: cert });
    const proxy = await startProxy();
    const strict = wsConnection({ url: srv.url, proxy: { url: proxy.url } });
    const trusted = wsConnection({ url: srv.url, proxy: { url: proxy.url }, tls: { ca: cert.cert } });
    try {
      strict.conn.connect();
      assert.equal(((await strict.waitFor(is('error'))) as ErrorRecord).code, 'ERR_TLS');
      trusted.conn.connect();
      await trusted.waitFor(is('open'));
      trusted.conn.sendText('tunnelled');
      assert.equal(((await trusted.waitFor((r) => r.kind === 'message' && r.dir === 'in')) as MessageRecord).data, 'tunnelled');
      assert.deepEqual(proxy.log, [`CONNECT 127.0.0.1:${srv.port}`, `CONNECT 127.0.0.1:${srv.port}`]);
    } finally {
      strict.conn.dispose();
      trusted.conn.dispose();
      await proxy.close();
      await srv.close();
    }
  });

  test('a proxy that cannot be reached is named in the error', T, async () => {
    const raw = await startRawServer((s) => s.resume());
    const deadPort = raw.port;
    await raw.close();
    const h = wsConnection({ url: 'ws://127.0.0.1:9/', proxy: { url: `http://127.0.0.1:${deadPort}` } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_PROXY');
      assert.match(err.message, new RegExp(`proxy http://127.0.0.1:${deadPort}`));
    } finally {
      h.conn.dispose();
    }
  });

  test('a proxy that asks for authentication (407) is shown as a proxy error, not retried', T, async () => {
    const proxy = http.createServer();
    proxy.on('connect', (_req: http.IncomingMessage, sock: net.Socket) => {
      sock.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 11\r\n\r\nauth needed',
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const h = wsConnection({
      url: 'wss://127.0.0.1:9/',
      proxy: { url: `http://127.0.0.1:${port}` },
      reconnect: { enabled: true, initialDelayMs: 10 },
    });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.deepEqual(
        { code: err.code, status: err.status, body: err.body, fatal: err.fatal, realm: err.headers?.['proxy-authenticate'] },
        { code: 'ERR_PROXY', status: 407, body: 'auth needed', fatal: true, realm: 'Basic realm="corp"' },
      );
      assert.match(err.message, /proxy requires authentication/);
    } finally {
      h.conn.dispose();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  test('close reason of 123 bytes is shown whole', T, async () => {
    const reason = 'r'.repeat(121) + 'é';
    assert.equal(Buffer.byteLength(reason), 123);
    const srv = await startWsServer({ onConnection: (ws) => setTimeout(() => ws.close(4001, reason), 10) });
    const h = wsConnection({ url: srv.url });
    try {
      h.conn.connect();
      const close = (await h.waitFor(is('close'))) as CloseRecord;
      assert.deepEqual(
        { code: close.code, reason: close.reason, clean: close.clean, by: close.by },
        { code: 4001, reason, clean: true, by: 'server' },
      );
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('an unparseable URL or subprotocol fails at once without retry', T, async () => {
    const h = wsConnection({ url: 'ws://127.0.0.1:1/', protocols: ['bad protocol'], reconnect: { enabled: true } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.code, 'ERR_PROTOCOL');
      assert.equal(err.fatal, true);
      assert.match(err.message, /subprotocol/);
    } finally {
      h.conn.dispose();
    }
  });

  test('pause stops reading and resume delivers every message in order', T, async () => {
    const total = 20_000;
    const srv = await startWsServer({
      onConnection: (ws) => {
        const body = 'p'.repeat(1000);
        for (let i = 0; i < total; i++) {
          ws.send(`${i}:${body}`);
        }
      },
    });
    const h = wsConnection({ url: srv.url, perMessageDeflate: false });
    try {
      h.conn.pause();
      h.conn.connect();
      await h.waitFor(is('open'));
      await delay(150);
      const early = h.records.filter(is('message')).length;
      await delay(200);
      const later = h.records.filter(is('message')).length;
      assert.equal(later, early, 'nothing more is read while paused');
      assert.ok(later < total, `only ${later} arrived while paused`);
      h.conn.resume();
      await h.waitFor((r) => r.kind === 'message' && r.data.startsWith(`${total - 1}:`), 10_000);
      const msgs = h.records.filter(is('message'));
      assert.equal(msgs.length, total);
      assert.ok(
        msgs.every((m, i) => m.data.startsWith(`${i}:`)),
        'in order, none lost',
      );
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a server that drops every connection at once: attempts counted, the user stops it, nothing left behind', T, async () => {
    let connections = 0;
    const srv = await startWsServer({
      onConnection: (ws) => {
        connections++;
        ws.terminate();
      },
    });
    try {
      await delay(20);
      const before = activeResources();
      const h = wsConnection({ url: srv.url, reconnect: { enabled: true, initialDelayMs: 1, maxDelayMs: 2, maxAttempts: null } });
      h.conn.connect();
      const deadline = Date.now() + 10_000;
      while (connections < 200 && Date.now() < deadline) {
        await delay(10);
      }
      assert.ok(connections >= 200, `${connections} connections`);
      const at = h.records.length;
      h.conn.disconnect();
      // Stopped while waiting (closed at once) or while a fresh socket was open (closed after its close).
      await h.waitFor((r) => r.state === 'closed', 3000, at);
      const attempts = h.records.filter((r): r is ReconnectingRecord => r.kind === 'reconnecting').map((r) => r.attempt);
      assert.ok(attempts.length >= 199);
      assert.ok(
        attempts.every((a, i) => a === i + 1),
        'attempts count up one by one',
      );
      const seen = connections;
      const tries = h.records.filter(is('connecting')).length;
      await delay(100);
      assert.equal(h.records.filter(is('connecting')).length, tries, 'no attempt after the user stopped it');
      assert.ok(connections <= seen + 1, 'at most the handshake already on its way reaches the server');
      h.conn.dispose();
      let now = activeResources();
      const until = Date.now() + 3000;
      while (((now.TCPSocketWrap ?? 0) > (before.TCPSocketWrap ?? 0) || (now.Timeout ?? 0) > (before.Timeout ?? 0)) && Date.now() < until) {
        await delay(20);
        now = activeResources();
      }
      assert.deepEqual(
        { sockets: now.TCPSocketWrap ?? 0, timers: now.Timeout ?? 0 },
        { sockets: before.TCPSocketWrap ?? 0, timers: before.Timeout ?? 0 },
      );
    } finally {
      await srv.close();
    }
  });

  test('no timers or sockets leak after dispose', T, async () => {
    const srv = await startWsServer({
      onConnection: (ws) => {
        echo(ws);
        ws.ping('x');
      },
    });
    const silent = await startRawServer((s) => s.resume());
    const conns: Array<{ dispose(): void }> = [];
    try {
      await delay(20);
      const before = activeResources();
      // Open with keep-alive, a message each way, then dispose.
      const a = wsConnection({
        url: srv.url,
        keepAlive: { intervalMs: 20, timeoutMs: 1000 },
        reconnect: { enabled: true, initialDelayMs: 10 },
      });
      conns.push(a.conn);
      a.conn.connect();
      await a.waitFor(is('open'));
      a.conn.sendText('x');
      await a.waitFor((r) => r.kind === 'message' && r.dir === 'in');
      await a.waitFor((r) => r.kind === 'pong' && r.dir === 'in');
      // Disposed mid-handshake.
      const b = wsConnection({ url: silent.url, timeoutMs: 10_000 });
      conns.push(b.conn);
      b.conn.connect();
      await delay(50);
      // Disposed while waiting to reconnect.
      const c = wsConnection({ url: silent.url, timeoutMs: 50, reconnect: { enabled: true, initialDelayMs: 10_000, jitter: false } });
      conns.push(c.conn);
      c.conn.connect();
      await c.waitFor(is('reconnecting'));
      const during = activeResources();
      assert.ok((during.TCPSocketWrap ?? 0) > (before.TCPSocketWrap ?? 0), 'sockets were open');
      for (const conn of conns) {
        conn.dispose();
      }
      // Let the servers see the sockets go.
      const deadline = Date.now() + 3000;
      let now = activeResources();
      const settled = () => ['TCPSocketWrap', 'Timeout'].every((k) => (now[k] ?? 0) <= (before[k] ?? 0));
      while (!settled() && Date.now() < deadline) {
        await delay(20);
        now = activeResources();
      }
      assert.deepEqual(
        { sockets: now.TCPSocketWrap ?? 0, timers: now.Timeout ?? 0 },
        { sockets: before.TCPSocketWrap ?? 0, timers: before.Timeout ?? 0 },
      );
    } finally {
      for (const conn of conns) {
        conn.dispose();
      }
      await srv.close();
      await silent.close();
    }
  });
});
