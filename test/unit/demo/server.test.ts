import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { WebSocket } from 'ws';
import { createConnection } from '../../../src/core/index';
import type { Connection } from '../../../src/core/connection';
import type { ConnRecord, MessageRecord } from '../../../src/core/records';
import { type DemoServer, startDemoServer } from '../../../src/demo/server';

/** Reads `count` events from an SSE URL with plain http + eventsource-parser, then hangs up. */
function readEvents(
  url: string,
  count: number,
  headers: http.OutgoingHttpHeaders = {},
): Promise<{ status: number; events: EventSourceMessage[]; comments: string[] }> {
  return new Promise((resolve, reject) => {
    const events: EventSourceMessage[] = [];
    const comments: string[] = [];
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const parser = createParser({
        onEvent: (e) => {
          events.push(e);
          if (events.length >= count) {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, events, comments });
          }
        },
        onComment: (c) => comments.push(c),
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, events, comments }));
    });
    req.on('error', (err) => {
      if (events.length < count) {
        reject(err);
      }
    });
    setTimeout(() => {
      req.destroy();
      reject(new Error(`timed out with ${events.length} of ${count} events`));
    }, 5000).unref();
  });
}

describe('demo server', () => {
  let demo: DemoServer;
  before(async () => {
    demo = await startDemoServer({ tickMs: 20 });
  });
  after(() => demo.close());

  it('listens on 127.0.0.1 only', () => {
    assert.match(demo.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('SSE ticker sends ids, several event types, JSON payloads and heartbeats', async () => {
    const { status, events, comments } = await readEvents(`${demo.url}/sse`, 8);
    assert.equal(status, 200);
    assert.deepEqual(
      events.map((e) => e.id),
      ['1', '2', '3', '4', '5', '6', '7', '8'],
    );
    const types = new Set(events.map((e) => e.event ?? 'message'));
    assert.ok(types.size >= 3, `expected several event types, got ${[...types].join(',')}`);
    assert.ok(events.some((e) => e.data.startsWith('{') && JSON.parse(e.data)));
    assert.ok(
      comments.some((c) => c.includes('heartbeat')),
      'heartbeat comments',
    );
  });

  it('SSE ticker resumes after the Last-Event-ID it is sent', async () => {
    const { events } = await readEvents(`${demo.url}/sse`, 2, { 'Last-Event-ID': '41' });
    assert.deepEqual(
      events.map((e) => e.id),
      ['42', '43'],
    );
    assert.equal(demo.lastEventIds.at(-1), '41');
  });

  it('/sse/once sends three events and closes', async () => {
    const { events } = await readEvents(`${demo.url}/sse/once`, 99);
    assert.equal(events.length, 3);
  });

  it('/sse/private refuses without the token with 401 and a JSON body', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(`${demo.url}/sse/private`, resolve).on('error', reject),
    );
    let body = '';
    for await (const chunk of res) {
      body += chunk;
    }
    assert.equal(res.statusCode, 401);
    assert.equal(JSON.parse(body).error, 'unauthorized');
  });

  it('WS echo returns text and binary unchanged', async () => {
    const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/ws/echo`);
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const bytes = Buffer.from([0, 1, 2, 254, 255, 0x80, 0xc3]);
      const replies: Array<{ data: Buffer; isBinary: boolean }> = [];
      const done = new Promise<void>((resolve) =>
        ws.on('message', (data, isBinary) => {
          replies.push({ data: data as Buffer, isBinary });
          if (replies.length === 2) {
            resolve();
          }
        }),
      );
      ws.send('héllo');
      ws.send(bytes);
      await done;
      assert.deepEqual(replies[0], { data: Buffer.from('héllo'), isBinary: false });
      assert.equal(replies[1].isBinary, true);
      assert.ok(replies[1].data.equals(bytes));
    } finally {
      ws.terminate();
    }
  });

  it('WS ticker pushes JSON ticks and answers pings', async () => {
    const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/ws/ticker`);
    try {
      const ticks: unknown[] = [];
      const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          const msg = JSON.parse(String(data)) as { type: string };
          if (msg.type === 'tick') {
            ticks.push(msg);
            if (ticks.length === 2) {
              resolve();
            }
          }
        });
        ws.once('open', () => ws.ping(Buffer.from('are you there')));
        ws.once('error', reject);
      });
      assert.equal((await pong).toString(), 'are you there');
    } finally {
      ws.terminate();
    }
  });

  it('WS private refuses the upgrade with 401 and a JSON body', async () => {
    const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/ws/private`);
    ws.on('error', () => undefined); // terminate() before the handshake completes reports an error
    const res = await new Promise<http.IncomingMessage>((resolve) => ws.once('unexpected-response', (_req, r) => resolve(r)));
    let body = '';
    for await (const chunk of res) {
      body += chunk;
    }
    ws.terminate();
    assert.equal(res.statusCode, 401);
    assert.match(body, /unauthorized/);
  });

  /** Connects through an adapter and collects the records until `until` holds for them. */
  async function through(url: string, adapter: { name: string; options?: Record<string, unknown> }, until: (rs: ConnRecord[]) => boolean) {
    const conn: Connection = createConnection({ url, adapter: adapter as never, reconnect: { enabled: false } });
    const records: ConnRecord[] = [];
    const done = new Promise<void>((resolve) =>
      conn.onRecord((r) => {
        records.push(r);
        if (until(records)) {
          resolve();
        }
      }),
    );
    conn.connect();
    await done;
    return { conn, records };
  }
  const decoded = (rs: ConnRecord[]) =>
    rs.filter((r): r is MessageRecord => r.kind === 'message' && r.decoded !== undefined).map((r) => r.decoded!);

  it('lists its Socket.IO and GraphQL endpoints with the adapter each speaks', () => {
    const byName = new Map(demo.endpoints.map((e) => [e.name, e]));
    assert.equal(demo.protocolsMissing, undefined);
    assert.deepEqual(byName.get('Socket.IO')?.adapter, { name: 'socket.io' });
    assert.equal(byName.get('Socket.IO')?.url, demo.url);
    assert.equal(byName.get('GraphQL subscription')?.adapter?.name, 'graphql-ws');
    assert.equal(byName.get('GraphQL subscription')?.url, `${demo.url.replace('http', 'ws')}/graphql`);
  });

  it('Socket.IO: a welcome on joining, ticks, an echo acked with its args; /private refuses without the token', async () => {
    const { conn, records } = await through(demo.url, { name: 'socket.io' }, (rs) =>
      decoded(rs).some((d) => d.type === 'event' && d.event === 'welcome'),
    );
    try {
      conn.send({ verb: 'emit', fields: { event: 'echo', args: [{ n: 1 }, 'two'], ack: true } });
      await new Promise<void>((resolve) => {
        const check = () =>
          decoded(records).some((d) => d.type === 'ack') && decoded(records).some((d) => d.event === 'tick') ? resolve() : undefined;
        conn.onRecord(check);
        check();
      });
      assert.deepEqual(decoded(records).find((d) => d.type === 'ack')?.args, [{ n: 1 }, 'two']);
    } finally {
      conn.dispose();
    }
    const refused = await through(demo.url, { name: 'socket.io', options: { namespace: '/private' } }, (rs) =>
      rs.some((r) => r.kind === 'error'),
    );
    refused.conn.dispose();
    const error = refused.records.find((r) => r.kind === 'error');
    assert.match(error?.kind === 'error' ? error.message : '', /Socket\.IO refused namespace \/private: unauthorized/);
    const joined = await through(demo.url, { name: 'socket.io', options: { namespace: '/private', auth: { token: 'demo-token' } } }, (rs) =>
      decoded(rs).some((d) => d.event === 'welcome'),
    );
    joined.conn.dispose();
  });

  it("GraphQL: countdown counts to 0 and completes; the server's validation refuses an unknown field", async () => {
    const ws = `${demo.url.replace('http', 'ws')}/graphql`;
    const counted = await through(ws, { name: 'graphql-ws', options: { query: 'subscription { countdown(from: 3) }' } }, (rs) =>
      decoded(rs).some((d) => d.type === 'complete'),
    );
    counted.conn.dispose();
    assert.deepEqual(
      decoded(counted.records)
        .filter((d) => d.type === 'next')
        .map((d) => (d.payload as { data: { countdown: number } }).data.countdown),
      [3, 2, 1, 0],
    );
    const refused = await through(ws, { name: 'graphql-ws', options: { query: 'subscription { nope }' } }, (rs) =>
      decoded(rs).some((d) => d.type === 'error'),
    );
    refused.conn.dispose();
    assert.match(JSON.stringify(decoded(refused.records).find((d) => d.type === 'error')?.payload), /Cannot query field \\"nope\\"/);
  });

  it('an upgrade to a path it does not serve still gets 404 beside Socket.IO', async () => {
    const ws = new WebSocket(`${demo.url.replace('http', 'ws')}/nowhere`);
    ws.on('error', () => undefined);
    const res = await new Promise<http.IncomingMessage>((resolve) => ws.once('unexpected-response', (_req, r) => resolve(r)));
    ws.terminate();
    assert.equal(res.statusCode, 404);
  });
});
