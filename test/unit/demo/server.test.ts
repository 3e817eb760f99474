import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { WebSocket } from 'ws';
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
});
