/**
 * Reconnect storms: a server that accepts and hangs up at once, 500 times in a row. The backoff
 * grows to its ceiling, every attempt is counted, the user can stop it, and nothing — timer, socket,
 * listener — is left behind.
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import type { ConnectionOptions } from '../../src/core/options';
import type { CloseRecord, ReconnectingRecord } from '../../src/core/records';
import { delay, hostileCase, type Observed, type Scope } from './helpers';

const STORM = 500;
const T = { timeout: 90_000 };

/** A server on 127.0.0.1 whose every connection gets `onSocket`; counts them. */
async function listen(scope: Scope, server: net.Server): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(
    () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

/** Runs the storm until the server has seen `STORM` connections, then the user stops it. */
async function storm(scope: Scope, options: ConnectionOptions, connections: () => number): Promise<Observed> {
  const o = scope.observe({
    ...options,
    reconnect: { enabled: true, initialDelayMs: 1, maxDelayMs: 8, multiplier: 2, jitter: false, maxAttempts: null },
  });
  const deadline = Date.now() + 60_000;
  while (connections() < STORM && Date.now() < deadline) {
    await delay(10);
  }
  assert.ok(connections() >= STORM, `${connections()} connections within a minute`);
  assert.ok(o.conn.isActive, `still trying (state ${o.conn.state})`);
  o.conn.disconnect();
  assert.equal(o.conn.state, 'closed', 'the user stopped it');
  return o;
}

function checkStorm(o: Observed, connections: () => number, seenAtStop: number): Promise<void> {
  const records = o.store.toArray();
  const attempts = records.filter((r): r is ReconnectingRecord => r.kind === 'reconnecting');
  assert.ok(attempts.length >= STORM - 1, `${attempts.length} reconnects`);
  assert.ok(
    attempts.every((r, i) => r.attempt === i + 1),
    'attempts counted one by one, never reset by a connection that did not work',
  );
  assert.deepEqual(
    attempts.slice(0, 6).map((r) => r.delayMs),
    [1, 2, 4, 8, 8, 8],
    'the backoff doubles up to maxDelayMs',
  );
  assert.ok(
    attempts.every((r) => r.delayMs === Math.min(8, 2 ** (r.attempt - 1))),
    'and stays at its ceiling',
  );
  assert.ok(attempts.every((r) => r.maxAttempts === null));
  assert.ok(
    o.errors().every((e) => !e.fatal),
    'no error was final while retries were on',
  );
  const last = records.at(-1) as CloseRecord;
  assert.equal(last.kind, 'close');
  assert.equal(last.by, 'client');
  assert.equal(o.conn.status.attempt, 0);
  assert.equal(o.store.dropped, 0, 'every record of the storm is kept');
  const tries = records.filter((r) => r.kind === 'connecting').length;
  return delay(200).then(() => {
    assert.equal(o.store.toArray().filter((r) => r.kind === 'connecting').length, tries, 'no attempt after the user stopped it');
    assert.ok(connections() <= seenAtStop + 1, 'at most the connection already on its way reaches the server');
  });
}

describe('Reconnect storm', () => {
  it(
    `SSE: a server that accepts TCP and hangs up at once, ${STORM} times: backoff to the ceiling, attempts counted, stopped by the user, nothing left`,
    T,
    (t) =>
      hostileCase(t, async (scope) => {
        const srv = await listen(
          scope,
          net.createServer((s) => s.destroy()),
        );
        const o = await storm(scope, { url: `http://127.0.0.1:${srv.port}/events` }, srv.connections);
        const seen = srv.connections();
        const errors = o.errors();
        assert.ok(errors.length >= STORM - 1);
        assert.ok(
          errors.every((e) => e.code === 'ERR_NETWORK'),
          JSON.stringify([...new Set(errors.map((e) => `${e.code} ${e.message}`))]),
        );
        await checkStorm(o, srv.connections, seen);
        t.diagnostic(`${seen} connections, ${o.store.size} records`);
      }),
  );

  it(`SSE: a stream that opens and ends at once, ${STORM} times: the same, and each open is shown`, T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await listen(
        scope,
        http.createServer((_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end();
        }),
      );
      const o = await storm(scope, { url: `http://127.0.0.1:${srv.port}/events` }, srv.connections);
      const seen = srv.connections();
      const opens = o.store.toArray().filter((r) => r.kind === 'open').length;
      assert.ok(opens >= STORM - 1, `${opens} opens`);
      assert.equal(o.errors().length, 0, 'a stream that ends is a close, not an error');
      await checkStorm(o, srv.connections, seen);
    }),
  );

  it(`WebSocket: a server that accepts TCP and hangs up before the handshake, ${STORM} times: the same`, T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await listen(
        scope,
        net.createServer((s) => s.destroy()),
      );
      const o = await storm(scope, { url: `ws://127.0.0.1:${srv.port}/socket` }, srv.connections);
      const seen = srv.connections();
      assert.ok(o.errors().every((e) => e.code === 'ERR_NETWORK'));
      await checkStorm(o, srv.connections, seen);
    }),
  );

  it('full jitter: every delay is within its ceiling, and the ceilings grow', T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await listen(
        scope,
        net.createServer((s) => s.destroy()),
      );
      const o = scope.observe({
        url: `http://127.0.0.1:${srv.port}/`,
        reconnect: { enabled: true, initialDelayMs: 2, maxDelayMs: 16, jitter: true, maxAttempts: 40 },
      });
      await o.waitState('failed', 30_000);
      const attempts = o.store.toArray().filter((r): r is ReconnectingRecord => r.kind === 'reconnecting');
      assert.equal(attempts.length, 40);
      for (const r of attempts) {
        const ceiling = Math.min(16, 2 * 2 ** (r.attempt - 1));
        assert.ok(r.delayMs >= 0 && r.delayMs <= ceiling, `attempt ${r.attempt}: ${r.delayMs} ms, ceiling ${ceiling}`);
      }
      const err = o.errors().at(-1)!;
      assert.deepEqual([err.code, err.fatal, err.message], ['ERR_RETRIES_EXHAUSTED', true, 'Gave up after 40 reconnect attempts']);
    }),
  );
});
