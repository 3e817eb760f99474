// Over 400 lines: one case per SSE fault on one harness (state shown, records kept, handles back).
/**
 * SSE against servers that misbehave on purpose. Each case checks what the user is shown (state,
 * error or close with its code and message), that every record that came before the fault is still
 * in the store, and that handles and memory are back to the baseline afterwards.
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import type { CloseRecord, ConnRecord, InfoRecord, MessageRecord, ReconnectingRecord, RetryRecord } from '../../src/core/records';
import { formatRecord, jsonLine } from '../../src/cli/format';
import { MAX_RECONNECT_MS } from '../../src/core/sse';
import { sendStream, sseHead, startServer, type TestServer } from '../fixtures/sseServer';
import { selfSignedCert } from '../fixtures/tlsCert';
import { delay, freePort, hostileCase, isKind, killableServer, MB, mb, sampleMemory, settledMemory, UNRESOLVABLE_HOST } from './helpers';

const T = { timeout: 60_000 };
const data = (o: { messages(): MessageRecord[] }) => o.messages().map((m) => m.data);

async function serve(
  scope: { defer(fn: () => unknown): void },
  handler: Parameters<typeof startServer>[0],
  tls?: { key: string; cert: string },
): Promise<TestServer> {
  const s = await startServer(handler, tls);
  scope.defer(() => s.close());
  return s;
}

/** Writes `total` bytes of `fill` in 1 MiB pieces, honouring back-pressure; resolves with what was written. */
function pump(res: http.ServerResponse, total: number, fill = 'x'): Promise<number> {
  const piece = Buffer.alloc(MB, fill);
  let written = 0;
  return new Promise((resolve) => {
    const go = () => {
      while (written < total && !res.destroyed) {
        const n = Math.min(piece.length, total - written);
        written += n;
        if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) {
          res.once('drain', go);
          return;
        }
      }
      resolve(written);
    };
    res.on('close', () => resolve(written));
    go();
  });
}

describe('SSE: the server goes away', () => {
  it(
    'killed mid-stream, then restarted on the same port: reconnects, resumes with the right Last-Event-ID, keeps what came before',
    T,
    (t) =>
      hostileCase(t, async (scope) => {
        const lastEventIds: (string | undefined)[] = [];
        let generation = 1;
        const srv = await killableServer(() =>
          http.createServer((req, res) => {
            lastEventIds.push(req.headers['last-event-id'] as string | undefined);
            sseHead(res);
            if (generation === 1) {
              res.write('id: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: three\n\n');
            } else {
              res.write('id: 4\ndata: four\n\nid: 5\ndata: five\n\n');
            }
          }),
        );
        scope.defer(() => srv.kill());
        const o = scope.observe({
          url: `http://127.0.0.1:${srv.port}/stream`,
          reconnect: { enabled: true, initialDelayMs: 40, maxDelayMs: 160, jitter: false, maxAttempts: null },
        });
        await o.waitFor((r) => r.kind === 'message' && r.data === 'three', 5000, 'the first three events');
        await srv.kill();
        // While it is down: refused, retried with growing delays, never fatal.
        await o.waitFor((r) => r.kind === 'error' && /refused/.test(r.message), 5000, 'a refused reconnect');
        await o.waitFor((r) => r.kind === 'reconnecting' && r.attempt >= 4, 5000, 'the fourth reconnect');
        assert.equal(o.conn.status.state, 'reconnecting');
        assert.equal(o.conn.status.lastError?.code, 'ERR_NETWORK');
        assert.match(o.conn.status.lastError!.message, /Connection refused by 127\.0\.0\.1:\d+ \(is the server running\?\)/);
        generation = 2;
        await srv.restart();
        await o.waitFor((r) => r.kind === 'message' && r.data === 'five', 5000, 'the resumed stream');
        assert.equal(o.conn.state, 'open');
        assert.deepEqual(data(o), ['one', 'two', 'three', 'four', 'five'], 'nothing from before the crash is lost');
        assert.equal(lastEventIds[0], undefined);
        assert.equal(lastEventIds.at(-1), '3', 'the resumed request names the last event received');
        const errors = o.errors();
        assert.ok(
          errors.length >= 3 && errors.every((e) => !e.fatal && e.code === 'ERR_NETWORK'),
          JSON.stringify(errors.map((e) => [e.code, e.message])),
        );
        const delays = o.store
          .toArray()
          .filter((r): r is ReconnectingRecord => r.kind === 'reconnecting')
          .map((r) => r.delayMs);
        assert.deepEqual(delays.slice(0, 4), [40, 80, 160, 160], 'backoff doubles up to maxDelayMs');
        assert.equal(o.conn.status.details.lastEventId, '5');
      }),
  );

  it('connection refused: failed with a message that says so; with retries, gives up after maxAttempts', T, (t) =>
    hostileCase(t, async (scope) => {
      const port = await freePort();
      const once = scope.observe({ url: `http://127.0.0.1:${port}/` });
      await once.waitState('failed');
      const err = once.errors()[0];
      assert.deepEqual([err.code, err.fatal], ['ERR_NETWORK', true]);
      assert.equal(err.message, `Connection refused by 127.0.0.1:${port} (is the server running?)`);
      assert.equal(once.conn.status.lastError?.code, 'ERR_NETWORK');

      const retried = scope.observe({
        url: `http://127.0.0.1:${port}/`,
        reconnect: { enabled: true, maxAttempts: 3, initialDelayMs: 5, jitter: false },
      });
      await retried.waitState('failed');
      const errors = retried.errors();
      assert.deepEqual(
        errors.map((e) => [e.code, e.fatal]),
        [
          ['ERR_NETWORK', false],
          ['ERR_NETWORK', false],
          ['ERR_NETWORK', false],
          ['ERR_NETWORK', false],
          ['ERR_RETRIES_EXHAUSTED', true],
        ],
      );
      assert.equal(errors.at(-1)!.message, 'Gave up after 3 reconnect attempts');
    }),
  );

  it('a host name that does not resolve: ERR_DNS naming the host, failed, no network traffic', T, (t) =>
    hostileCase(t, async (scope) => {
      const o = scope.observe({ url: `http://${UNRESOLVABLE_HOST}:8080/events` });
      await o.waitState('failed');
      const err = o.errors()[0];
      assert.equal(err.code, 'ERR_DNS');
      assert.match(err.message, /^Cannot resolve host x{64}\.invalid/);
      assert.deepEqual(
        o.store.toArray().map((r) => r.kind),
        ['connecting', 'error'],
      );
    }),
  );

  it('a self-signed certificate is refused by default, with the reason and the switch named; accepted with tls.insecure', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (_req, res) => sendStream(res, 'data: over tls\n\n'), selfSignedCert());
      // Retries are on: a refused certificate must still not be retried.
      const refused = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 5 } });
      await refused.waitState('failed');
      const err = refused.errors()[0];
      assert.deepEqual([err.code, err.fatal], ['ERR_TLS', true]);
      assert.match(err.message, /self-signed certificate/);
      assert.match(err.message, /tls\.insecure/);
      assert.equal(refused.errors().length, 1, 'not retried');
      assert.equal(s.requests.length, 0, 'no request went over the unverified connection');

      const insecure = scope.observe({ url: s.url, tls: { insecure: true } });
      await insecure.waitFor((r) => r.kind === 'message', 5000, 'the event');
      assert.deepEqual(data(insecure), ['over tls']);
    }),
  );

  it('a server that accepts TCP and never answers: ERR_TIMEOUT after timeoutMs, the socket closed', T, (t) =>
    hostileCase(t, async (scope) => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.resume();
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      scope.defer(() => new Promise((resolve) => silent.close(resolve)));
      scope.defer(() => sockets.forEach((sock) => sock.destroy()));
      const port = (silent.address() as net.AddressInfo).port;
      const started = Date.now();
      const o = scope.observe({ url: `http://127.0.0.1:${port}/`, timeoutMs: 400 });
      await o.waitState('failed');
      const took = Date.now() - started;
      const err = o.errors()[0];
      assert.equal(err.code, 'ERR_TIMEOUT');
      assert.equal(err.message, `No response from 127.0.0.1:${port} within 400 ms`);
      assert.ok(took >= 380, `failed after ${took} ms`);
      const deadline = Date.now() + 2000;
      while (sockets.size > 0 && Date.now() < deadline) {
        await delay(10);
      }
      assert.equal(sockets.size, 0, 'the client hung up');
    }),
  );
  it('a server that dribbles its headers a byte at a time, never finishing: ERR_TIMEOUT all the same', T, (t) =>
    hostileCase(t, async (scope) => {
      const sockets = new Set<net.Socket>();
      const slow = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('error', () => undefined);
        const timer = setInterval(() => sock.write('a'), 40);
        sock.on('close', () => {
          clearInterval(timer);
          sockets.delete(sock);
        });
        sock.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Slow: ');
      });
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      scope.defer(() => new Promise((resolve) => slow.close(resolve)));
      scope.defer(() => sockets.forEach((sock) => sock.destroy()));
      const port = (slow.address() as net.AddressInfo).port;
      const o = scope.observe({ url: `http://127.0.0.1:${port}/`, timeoutMs: 400 });
      await o.waitState('failed');
      assert.deepEqual([o.errors()[0].code, o.errors()[0].message], ['ERR_TIMEOUT', `No response from 127.0.0.1:${port} within 400 ms`]);
      const ws = scope.observe({ url: `ws://127.0.0.1:${port}/`, timeoutMs: 400 });
      await ws.waitState('failed');
      assert.deepEqual(
        [ws.errors()[0].code, ws.errors()[0].message],
        ['ERR_TIMEOUT', `No WebSocket handshake with 127.0.0.1:${port} within 400 ms`],
      );
    }),
  );

  it('an answer that is not HTTP (an SSH banner, headers over 16 KB): ERR_PROTOCOL saying so, not a bare parse error', T, (t) =>
    hostileCase(t, async (scope) => {
      const answers = [
        'SSH-2.0-OpenSSH_9.2\r\n',
        `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\ndata: x\n\n`,
      ];
      let answer = answers[0];
      const sockets = new Set<net.Socket>();
      const odd = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => undefined);
        sock.once('data', () => sock.end(answer));
      });
      await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
      scope.defer(() => new Promise((resolve) => odd.close(resolve)));
      scope.defer(() => sockets.forEach((sock) => sock.destroy()));
      const host = `127.0.0.1:${(odd.address() as net.AddressInfo).port}`;
      const banner = scope.observe({ url: `http://${host}/` });
      await banner.waitState('failed');
      const e1 = banner.errors()[0];
      assert.deepEqual(
        [e1.code, e1.message],
        [
          'ERR_PROTOCOL',
          `The answer from ${host} is not valid HTTP: it does not start like an HTTP response (is this the right port?) (HPE_INVALID_CONSTANT)`,
        ],
      );
      answer = answers[1];
      const big = scope.observe({ url: `http://${host}/` });
      await big.waitState('failed');
      const e2 = big.errors()[0];
      assert.deepEqual(
        [e2.code, e2.message],
        ['ERR_PROTOCOL', `The answer from ${host} is not valid HTTP: its headers are larger than the 16 KB accepted (HPE_HEADER_OVERFLOW)`],
      );
    }),
  );
});

describe('SSE: hostile streams', () => {
  it('a 50 MB event is kept whole and flagged large; what came before and after is kept', T, (t) =>
    hostileCase(
      t,
      async (scope) => {
        const size = 50 * MB;
        const s = await serve(scope, (_req, res) => {
          sseHead(res);
          res.write('data: before\n\n');
          res.write('data: ');
          void pump(res, size).then(() => res.write('\n\ndata: after\n\n'));
        });
        const base = await settledMemory();
        const sampler = sampleMemory();
        const started = Date.now();
        const o = scope.observe({ url: s.url });
        await o.waitFor((r) => r.kind === 'message' && r.data === 'after', 30_000, 'the event after the big one');
        const peak = sampler.stop();
        t.diagnostic(
          `50 MB event in ${Date.now() - started} ms; peak heap +${mb(peak.peakHeap - base.heapUsed)}, peak rss +${mb(peak.peakRss - base.rss)}`,
        );
        const [before, big, after] = o.messages();
        assert.deepEqual([before.data, after.data], ['before', 'after']);
        assert.equal(big.data.length, size);
        assert.equal(big.size, size);
        assert.ok(big.data.startsWith('xxxx') && big.data.endsWith('xxxx'));
        assert.equal(big.large, true, 'flagged for a preview');
        assert.equal(before.large, undefined);
        assert.equal(o.conn.state, 'open');
        assert.ok(o.conn.stats.bytesIn > size);
        // The event is held once or twice (the joined line, the data) plus reads in flight, not per chunk.
        assert.ok(peak.peakHeap - base.heapUsed < 400 * MB, `peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
      },
      { rssSlack: 512 * MB },
    ),
  );

  it('a line that never ends fails at the buffer cap with a clear reason, memory bounded, earlier events kept', T, (t) =>
    hostileCase(
      t,
      async (scope) => {
        let written: Promise<number> | undefined;
        const s = await serve(scope, (_req, res) => {
          sseHead(res);
          res.write('id: 1\ndata: before\n\n');
          res.write('data: ');
          // Without a cap the client would buffer all 512 MB; the default cap is 64 Mi characters.
          written = pump(res, 512 * MB);
        });
        const base = await settledMemory();
        const sampler = sampleMemory();
        const o = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 5 } });
        await o.waitState('failed', 40_000);
        const peak = sampler.stop();
        const err = o.errors()[0];
        assert.deepEqual([err.code, err.fatal], ['ERR_BUFFER_LIMIT', true]);
        assert.equal(
          err.message,
          'A line or event grew past 67108864 characters without ending (maxEventSize): the connection was closed to keep memory bounded',
        );
        assert.deepEqual(data(o), ['before']);
        assert.equal(s.requests.length, 1, 'not retried: the same stream would fail the same way');
        const sent = await written!;
        t.diagnostic(`server got ${mb(sent)} out before the client hung up; peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
        assert.ok(sent < 160 * MB, `the client stopped reading near the cap (${mb(sent)} sent)`);
        assert.ok(peak.peakHeap - base.heapUsed < 320 * MB, `peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
      },
      { rssSlack: 512 * MB },
    ),
  );

  it('a gzip bomb (128 MB of one line from ~130 KB) stops at the same cap: memory bounded, what came before kept', T, (t) =>
    hostileCase(
      t,
      async (scope) => {
        // Compressed up front in pieces: the server never holds the 128 MB either.
        const gzip = zlib.createGzip({ level: 9 });
        const parts: Buffer[] = [];
        gzip.on('data', (c: Buffer) => parts.push(c));
        const done = new Promise((r) => gzip.on('end', r));
        gzip.write('data: before\n\ndata: ');
        const piece = Buffer.alloc(MB, 'x');
        for (let i = 0; i < 128; i++) {
          gzip.write(piece);
        }
        gzip.end();
        await done;
        const bomb = Buffer.concat(parts);
        const s = await serve(scope, (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip' }).end(bomb);
        });
        const base = await settledMemory();
        const sampler = sampleMemory();
        const o = scope.observe({ url: s.url, headers: { 'Accept-Encoding': 'gzip' } });
        await o.waitState('failed', 30_000);
        const peak = sampler.stop();
        t.diagnostic(`gzip bomb of ${mb(bomb.length)}: peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
        assert.equal(o.errors()[0].code, 'ERR_BUFFER_LIMIT');
        assert.deepEqual(data(o), ['before']);
        assert.ok(peak.peakHeap - base.heapUsed < 320 * MB, `peak heap +${mb(peak.peakHeap - base.heapUsed)}`);
      },
      { rssSlack: 512 * MB },
    ),
  );

  it('invalid UTF-8 becomes U+FFFD and the stream goes on', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, async (_req, res) => {
        sseHead(res);
        res.write(
          Buffer.concat([
            Buffer.from('data: a'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from('b\n\ndata: '),
            Buffer.from([0xc3]),
            Buffer.from('\n\n'),
          ]),
        );
        await delay(10);
        // A valid character split across two writes is still one character.
        const euro = Buffer.from('data: €uro\n\n');
        res.write(euro.subarray(0, 7));
        await delay(10);
        res.write(euro.subarray(7));
        res.write('data: next\n\n');
      });
      const o = scope.observe({ url: s.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'next', 5000, 'the event after the bad bytes');
      assert.deepEqual(data(o), ['a\uFFFD\uFFFDb', '\uFFFD', '€uro', 'next']);
      assert.equal(o.conn.state, 'open');
      assert.equal(o.errors().length, 0);
    }),
  );

  it('a BOM mid-stream is not stripped: only the leading one is', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (_req, res) => {
        sseHead(res);
        res.write('\uFEFFdata: first\n\n\uFEFFdata: second\n\ndata: \uFEFFthird\n\ndata: last\n\n');
      });
      const o = scope.observe({ url: s.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'last', 5000, 'the last event');
      // "\uFEFFdata" is a field name of its own: unknown, ignored (and said so); the block has no data.
      assert.deepEqual(data(o), ['first', '\uFEFFthird', 'last']);
      const info = o.store.toArray().filter((r): r is InfoRecord => r.kind === 'info');
      assert.ok(
        info.some((r) => r.message === 'Ignored unknown field "\uFEFFdata"'),
        JSON.stringify(info),
      );
    }),
  );

  for (const [value, expect] of [
    ['-1', 'ignored'],
    ['1e9', 'ignored'],
    ['0', 'floored'],
    ['1000000000', 'waited in full'],
    // Past what one timer holds (2^31-1 ms), up to 400 digits (Infinity as a number): clamped to it.
    ['10000000000', 'clamped'],
    ['1' + '0'.repeat(399), 'clamped'],
  ] as const) {
    it(`retry: ${value.length > 20 ? `(${value.length} digits)` : value} is ${expect}: the reconnect delay stays sane`, T, (t) =>
      hostileCase(t, async (scope) => {
        const s = await serve(scope, (_req, res, { n }) => sendStream(res, n === 1 ? `retry: ${value}\ndata: one\n\n` : 'data: two\n\n'));
        const o = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 50, maxDelayMs: 1000, jitter: false } });
        const reconnecting = (await o.waitFor(isKind('reconnecting'), 5000, 'the reconnect')) as ReconnectingRecord;
        const retries = o.store.toArray().filter((r): r is RetryRecord => r.kind === 'retry');
        const infos = o.store
          .toArray()
          .filter((r): r is InfoRecord => r.kind === 'info')
          .map((r) => r.message);
        switch (expect) {
          case 'ignored':
            assert.deepEqual(retries, []);
            assert.deepEqual(infos, [`Ignored retry: "${value}" (only ASCII digits are a reconnection time)`]);
            assert.equal(reconnecting.delayMs, 50, 'the policy delay stays in force');
            assert.equal(o.conn.status.reconnectDelayMs, 50);
            break;
          case 'floored':
            assert.deepEqual(
              retries.map((r) => r.ms),
              [0],
            );
            assert.deepEqual(infos, ['retry: 0 is below 100 ms: reconnecting no sooner than 100 ms']);
            assert.equal(reconnecting.delayMs, 100);
            break;
          case 'waited in full':
            assert.deepEqual(
              retries.map((r) => r.ms),
              [Number(value)],
            );
            // The server's reconnection time is the floor, above maxDelayMs too ("Reconnect now" skips it).
            assert.equal(reconnecting.delayMs, Number(value), "the server's retry, not maxDelayMs");
            assert.ok(o.conn.status.nextAttemptAt! - Date.now() > Number(value) - 60_000, 'the countdown tells the wait');
            break;
          case 'clamped': {
            assert.deepEqual(
              retries.map((r) => [r.ms, r.clamped]),
              [[MAX_RECONNECT_MS, true]],
            );
            assert.equal(MAX_RECONNECT_MS, 2 ** 31 - 1);
            assert.deepEqual(infos, [
              `retry: ${value.length > 21 ? 'a value of more than 21 digits' : value} is above the 2147483647 ms maximum (about 24.8 days): reconnecting after 2147483647 ms`,
            ]);
            assert.equal(reconnecting.delayMs, MAX_RECONNECT_MS);
            // JSON never null, the screen never Infinity.
            assert.match(jsonLine(retries[0]), /"ms":2147483647,"clamped":true/);
            assert.equal(
              formatRecord(retries[0], { color: false }).includes('retry 2147483647 ms (the maximum: the server asked for more)'),
              true,
            );
            assert.match(JSON.stringify(o.conn.status), /"reconnectDelayMs":2147483647/);
            break;
          }
        }
        if (expect !== 'waited in full' && expect !== 'clamped') {
          await o.waitFor((r) => r.kind === 'message' && r.data === 'two', 5000, 'the reconnected stream');
          assert.deepEqual(data(o), ['one', 'two']);
        } else {
          // A delay past 2^31-1 ms would fire at once: make sure nothing reconnects early.
          await delay(300);
          assert.equal(s.requests.length, 1);
          assert.equal(o.conn.state, 'reconnecting');
          // The user need not wait: "Reconnect now" skips the server's wait.
          o.conn.reconnectNow();
          await o.waitFor((r) => r.kind === 'message' && r.data === 'two', 5000, 'the stream reconnected at once');
          o.conn.disconnect();
          assert.equal(o.conn.state, 'closed');
        }
      }),
    );
  }

  it('thousands of empty events are not dispatched and nothing grows', T, (t) =>
    hostileCase(t, async (scope) => {
      const blanks = '\n'.repeat(20_000) + 'event: nothing\n\n'.repeat(10_000) + '\r\n\r\n'.repeat(10_000);
      const s = await serve(scope, (_req, res) => {
        sseHead(res);
        res.write('data: first\n\n');
        res.write(blanks);
        res.write('data: last\n\n');
      });
      const o = scope.observe({ url: s.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'last', 10_000, 'the last event');
      assert.deepEqual(
        o.store.toArray().map((r) => r.kind),
        ['connecting', 'open', 'message', 'message'],
      );
      assert.equal(o.conn.stats.messagesIn, 2);
      assert.ok(o.conn.stats.bytesIn > blanks.length);
      assert.equal(o.store.dropped, 0);
    }),
  );

  it('HTTP 204 ends without reconnect; what came before is kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (_req, res, { n }) => {
        if (n === 1) {
          sendStream(res, 'id: 7\ndata: before\n\n');
        } else {
          res.writeHead(204).end();
        }
      });
      const o = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 10 } });
      await o.waitFor((r) => r.kind === 'close' && /204/.test(r.reason ?? ''), 5000, 'the 204 close');
      await delay(150);
      assert.equal(o.conn.state, 'closed');
      const close = o.store
        .toArray()
        .filter((r): r is CloseRecord => r.kind === 'close')
        .at(-1)!;
      assert.equal(close.reason, 'HTTP 204 No Content: the server asked not to reconnect');
      assert.equal(close.clean, true);
      assert.equal(s.requests.length, 2, 'no reconnect after the 204');
      assert.equal(s.requests[1].headers['last-event-id'], '7');
      assert.deepEqual(data(o), ['before']);
    }),
  );

  it('a 500 with an HTML body: failed with the status and the body as text; earlier events kept', T, (t) =>
    hostileCase(t, async (scope) => {
      const html =
        '<!doctype html><html><body><h1>Oops</h1><script>alert(document.cookie)</script><img src=x onerror=alert(1)></body></html>';
      const s = await serve(scope, (_req, res, { n }) => {
        if (n === 1) {
          sendStream(res, 'data: before\n\n');
        } else {
          res.writeHead(500, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
        }
      });
      const o = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 10 } });
      await o.waitState('failed');
      const err = o.errors().at(-1)!;
      assert.deepEqual([err.code, err.status, err.message, err.fatal], ['ERR_HTTP_STATUS', 500, 'HTTP 500 Internal Server Error', true]);
      assert.equal(err.body, html, 'the body is kept as text, byte for byte');
      assert.equal(err.headers?.['content-type'], 'text/html; charset=utf-8');
      assert.deepEqual(o.conn.status.lastError, {
        code: 'ERR_HTTP_STATUS',
        message: 'HTTP 500 Internal Server Error',
        status: 500,
        statusText: 'Internal Server Error',
      });
      assert.deepEqual(data(o), ['before']);
      assert.equal(s.requests.length, 2);
    }),
  );

  it('Content-Type text/html: failed with the type named and the body shown', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>login page</p>');
      });
      const o = scope.observe({ url: s.url, reconnect: { enabled: true, initialDelayMs: 10 } });
      await o.waitState('failed');
      const err = o.errors()[0];
      assert.deepEqual([err.code, err.status, err.body], ['ERR_CONTENT_TYPE', 200, '<p>login page</p>']);
      assert.equal(err.message, 'Expected Content-Type text/event-stream, got text/html');
      await delay(50);
      assert.equal(s.requests.length, 1, 'not retried');
    }),
  );

  it('a redirect loop is stopped at the first repeat and named as a loop', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await serve(scope, (req, res) => {
        res.writeHead(302, { Location: req.url === '/a' ? '/b' : '/a' }).end();
      });
      const o = scope.observe({ url: `${s.url}/a`, reconnect: { enabled: true, initialDelayMs: 10 } });
      await o.waitState('failed');
      const err = o.errors()[0];
      assert.equal(err.code, 'ERR_REDIRECT');
      assert.equal(err.message, `Redirect loop: ${s.url}/b → ${s.url}/a was already requested`);
      assert.deepEqual(
        s.requests.map((r) => r.url),
        ['/a', '/b'],
      );
      const notes = o.store.toArray().filter((r): r is InfoRecord => r.kind === 'info');
      assert.deepEqual(
        notes.map((r) => r.message),
        [`Redirect 302 Found → ${s.url}/b`],
      );
    }),
  );

  it('a stream trickled one byte at a time reads exactly as if sent at once', T, (t) =>
    hostileCase(t, async (scope) => {
      const body = Buffer.from(
        ': hi\r\nretry: 250\r\nid: 1\r\nevent: tick\r\ndata: {"n":1}\r\n\r\ndata: ünïcødé 🎉\ndata: two lines\r\rid: 3\ndata: end\n\n',
      );
      const s = await serve(scope, async (req, res) => {
        req.socket.setNoDelay(true);
        sseHead(res);
        for (const byte of body) {
          if (res.destroyed) {
            return;
          }
          res.write(Buffer.from([byte]));
          await delay(1);
        }
      });
      const o = scope.observe({ url: s.url });
      await o.waitFor((r) => r.kind === 'message' && r.data === 'end', 15_000, 'the last event');
      const shown = o.store
        .toArray()
        .filter((r) => r.kind === 'message' || r.kind === 'comment' || r.kind === 'retry')
        .map((r: ConnRecord) =>
          r.kind === 'message'
            ? `${r.event}:${r.data}:${r.lastEventId}`
            : r.kind === 'comment'
              ? `:${r.text}`
              : `retry ${(r as RetryRecord).ms}`,
        );
      assert.deepEqual(shown, [':hi', 'retry 250', 'tick:{"n":1}:1', 'message:ünïcødé 🎉\ntwo lines:1', 'message:end:3']);
      assert.equal(o.conn.stats.bytesIn, body.length);
      assert.equal(o.conn.state, 'open');
    }),
  );
});
