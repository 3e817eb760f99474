// Over 400 lines: one test per rule of the WHATWG SSE section and of the transport, on one harness.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import { after, afterEach, describe, it } from 'node:test';
import { Connection } from '../../../src/core/connection';
import type { DriverFactory } from '../../../src/core/transport';
import { type ConnectionOptions } from '../../../src/core/options';
import { type ConnRecord, type ErrorRecord, type MessageRecord } from '../../../src/core/records';
import { createSseDriver } from '../../../src/core/sse';
import { startProxy } from '../../fixtures/proxyServer';
import { sendStream, sseHead, startServer, type TestServer, trickle } from '../../fixtures/sseServer';
import { selfSignedCert } from '../../fixtures/tlsCert';

const noWs: DriverFactory = () => {
  throw new Error('not a WebSocket test');
};

interface Harness {
  conn: Connection;
  records: ConnRecord[];
  /** Resolves with the first record (past or future) matching `pred`. */
  until(pred: (r: ConnRecord) => boolean, timeoutMs?: number): Promise<ConnRecord>;
  messages(): MessageRecord[];
  kinds(): string[];
}

const open: Harness[] = [];
const servers: { close(): Promise<void> }[] = [];

function connect(options: ConnectionOptions): Harness {
  const conn = new Connection(
    { timeoutMs: 3000, ...options, reconnect: { initialDelayMs: 20, jitter: false, ...options.reconnect } },
    { sse: createSseDriver, ws: noWs },
  );
  const records: ConnRecord[] = [];
  const waiters: { pred: (r: ConnRecord) => boolean; resolve: (r: ConnRecord) => void }[] = [];
  conn.onRecord((r) => {
    records.push(r);
    for (const w of [...waiters]) {
      if (w.pred(r)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
    }
  });
  const h: Harness = {
    conn,
    records,
    until(pred, timeoutMs = 60_000) {
      const found = records.find(pred);
      if (found) {
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out; records: ${records.map((r) => r.kind + (r.state ? `(${r.state})` : '')).join(' ')}`));
        }, timeoutMs);
        const w = {
          pred,
          resolve: (r: ConnRecord) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        waiters.push(w);
      });
    },
    messages: () => records.filter((r): r is MessageRecord => r.kind === 'message'),
    kinds: () => records.map((r) => r.kind),
  };
  open.push(h);
  conn.connect();
  return h;
}

async function serve(handler: Parameters<typeof startServer>[0], tls?: { key: string; cert: string }): Promise<TestServer> {
  const s = await startServer(handler, tls);
  servers.push(s);
  return s;
}

const isState = (state: string) => (r: ConnRecord) => r.state === state;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const h of open.splice(0)) {
    h.conn.dispose();
  }
  for (const s of servers.splice(0)) {
    await s.close();
  }
});

after(() => {
  // Nothing the driver made may keep the process alive.
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })
    ._getActiveHandles()
    .filter((h) => h instanceof net.Socket && !(h as net.Socket).destroyed && (h as net.Socket).remotePort);
  assert.equal(handles.length, 0, 'no client sockets left open');
});

describe('SSE driver: request', () => {
  it('sends Accept: text/event-stream, Cache-Control: no-cache and the custom headers', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'));
    const h = connect({
      url: s.url + '/events',
      headers: { 'X-Trace': 'abc', Authorization: 'Bearer sekrit' },
      reconnect: { enabled: false },
    });
    await h.until((r) => r.kind === 'message');
    const req = s.requests[0];
    assert.equal(req.method, 'GET');
    assert.equal(req.url, '/events');
    assert.equal(req.headers.accept, 'text/event-stream');
    assert.equal(req.headers['cache-control'], 'no-cache');
    assert.equal(req.headers['x-trace'], 'abc');
    assert.equal(req.headers.authorization, 'Bearer sekrit');
    assert.equal(req.headers['last-event-id'], undefined);
    const connecting = h.records[0];
    assert.equal(connecting.kind, 'connecting');
    assert.equal(connecting.kind === 'connecting' && connecting.headers.Authorization, 'Bearer ••••', 'credentials are masked in records');
  });

  it('POST with a JSON body', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: {"token":"Hi"}\n\ndata: [DONE]\n\n'));
    const body = JSON.stringify({ prompt: 'hello', stream: true });
    const h = connect({ url: s.url + '/v1/chat', method: 'post', body, reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message' && r.data === '[DONE]');
    const req = s.requests[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.body, body);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['content-length'], String(Buffer.byteLength(body)));
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['{"token":"Hi"}', '[DONE]'],
    );
  });

  it('keeps a Content-Type the user set for the body', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: ok\n\n'));
    const h = connect({
      url: s.url,
      method: 'PUT',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      reconnect: { enabled: false },
    });
    await h.until((r) => r.kind === 'message');
    assert.equal(s.requests[0].method, 'PUT');
    assert.equal(s.requests[0].headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(s.requests[0].body, 'a=1');
  });

  it('sends the initial Last-Event-ID from the options', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'));
    const h = connect({ url: s.url, lastEventId: '41', reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message');
    assert.equal(s.requests[0].headers['last-event-id'], '41');
    assert.equal(h.messages()[0].lastEventId, '41', 'an event without id keeps the last event ID in force');
  });

  it('times out waiting for response headers', async () => {
    const s = await serve(() => undefined); // never answers
    const h = connect({ url: s.url, timeoutMs: 150, reconnect: { enabled: false } });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_TIMEOUT');
    assert.equal(err.fatal, true);
    assert.match(err.message, /within 150 ms/);
  });
});

describe('SSE driver: response', () => {
  it('reports open with status, status text and lower-case headers, and counts bytes', async () => {
    const body = 'data: hello\n\n';
    const s = await serve((_req, res) => sendStream(res, body, { 'X-Server': 'Test' }));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const o = await h.until((r) => r.kind === 'open');
    assert.ok(o.kind === 'open');
    assert.equal(o.status, 200);
    assert.equal(o.statusText, 'OK');
    assert.equal(o.headers['x-server'], 'Test');
    assert.equal(o.headers['content-type'], 'text/event-stream');
    assert.equal(o.url, s.url + '/');
    await h.until(isState('closed'));
    assert.equal(h.conn.stats.bytesIn, Buffer.byteLength(body));
    assert.equal(h.conn.stats.messagesIn, 1);
  });

  it('ends without reconnect on 204', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const h = connect({ url: s.url });
    const close = await h.until((r) => r.kind === 'close');
    assert.ok(close.kind === 'close');
    assert.equal(close.by, 'server');
    assert.match(close.reason ?? '', /204/);
    await delay(100);
    assert.equal(h.conn.state, 'closed');
    assert.equal(s.requests.length, 1, 'no reconnect');
    assert.ok(!h.kinds().includes('error'), '204 is not an error');
  });

  it('fails with status, headers and body on 401', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer realm="api"' });
      res.end('{"error":"invalid token sekrit-token"}');
    });
    const h = connect({ url: s.url, secrets: ['sekrit-token'] });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_HTTP_STATUS');
    assert.equal(err.fatal, true);
    assert.equal(err.status, 401);
    assert.equal(err.statusText, 'Unauthorized');
    assert.equal(err.headers?.['www-authenticate'], 'Bearer realm="api"');
    assert.equal(err.body, '{"error":"invalid token ••••"}', 'the body is shown, secrets masked');
    assert.equal(h.conn.state, 'failed');
    await delay(80);
    assert.equal(s.requests.length, 1, 'a refused request is not retried');
  });

  it('caps the error body at errorBodyLimit', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<html>' + 'x'.repeat(10_000) + '</html>');
    });
    const h = connect({ url: s.url, errorBodyLimit: 100 });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.status, 500);
    assert.equal(err.body?.length, 100);
    assert.equal(err.bodyTruncated, true);
  });

  it('fails on Content-Type text/html', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<h1>Login</h1>');
    });
    const h = connect({ url: s.url });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_CONTENT_TYPE');
    assert.equal(err.fatal, true);
    assert.equal(err.status, 200);
    assert.equal(err.headers?.['content-type'], 'text/html; charset=utf-8');
    assert.equal(err.body, '<h1>Login</h1>');
    assert.match(err.message, /text\/event-stream.*text\/html/);
  });

  it('accepts text/event-stream with parameters and any case', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'Text/Event-Stream; charset=utf-8' });
      res.end('data: ok\n\n');
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = await h.until((r) => r.kind === 'message');
    assert.equal(m.kind === 'message' && m.data, 'ok');
  });

  it('follows redirects and stops a redirect loop', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/a') {
        res.writeHead(302, { Location: '/b' }).end();
      } else if (req.url === '/b') {
        res.writeHead(307, { Location: '/stream' }).end();
      } else if (req.url === '/stream') {
        sendStream(res, 'data: arrived\n\n');
      } else if (req.url === '/loop1') {
        res.writeHead(301, { Location: '/loop2' }).end();
      } else {
        res.writeHead(301, { Location: '/loop1' }).end();
      }
    });
    const h = connect({ url: s.url + '/a', reconnect: { enabled: false } });
    const o = await h.until((r) => r.kind === 'open');
    assert.equal(o.kind === 'open' && o.url, s.url + '/stream', 'open shows the URL after redirects');
    const infos = h.records.filter((r) => r.kind === 'info').map((r) => (r.kind === 'info' ? r.message : ''));
    assert.equal(infos.length, 2);
    assert.match(infos[0], /^Redirect 302 .*\/b$/);
    assert.match(infos[1], /^Redirect 307 .*\/stream$/);
    assert.equal((await h.until((r) => r.kind === 'message')).kind, 'message');

    const loop = connect({ url: s.url + '/loop1' });
    const err = (await loop.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_REDIRECT');
    assert.equal(err.fatal, true);
    assert.match(err.message, /loop/i);
  });

  it('gives up after maxRedirects', async () => {
    const s = await serve((req, res) => {
      const n = Number(req.url?.slice(1)) || 0;
      res.writeHead(302, { Location: `/${n + 1}` }).end();
    });
    const h = connect({ url: s.url + '/0', maxRedirects: 3 });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_REDIRECT');
    assert.match(err.message, /Too many redirects/);
    assert.equal(s.requests.length, 4);
  });

  it('303 turns a POST into a GET without the body; 307 keeps the method and body', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/see-other') {
        res.writeHead(303, { Location: '/stream' }).end();
      } else if (req.url === '/temp') {
        res.writeHead(307, { Location: '/stream' }).end();
      } else {
        sendStream(res, 'data: ok\n\n');
      }
    });
    const a = connect({ url: s.url + '/see-other', method: 'POST', body: '{"q":1}', reconnect: { enabled: false } });
    await a.until((r) => r.kind === 'message');
    assert.equal(s.requests[1].method, 'GET');
    assert.equal(s.requests[1].body, '');
    assert.equal(s.requests[1].headers['content-type'], undefined);
    const b = connect({ url: s.url + '/temp', method: 'POST', body: '{"q":2}', reconnect: { enabled: false } });
    await b.until((r) => r.kind === 'message');
    assert.equal(s.requests[3].method, 'POST');
    assert.equal(s.requests[3].body, '{"q":2}');
  });

  it('drops Authorization on a redirect to another origin', async () => {
    const other = await serve((_req, res) => sendStream(res, 'data: there\n\n'));
    const s = await serve((_req, res) => res.writeHead(302, { Location: other.url + '/x' }).end());
    const h = connect({ url: s.url, headers: { Authorization: 'Bearer t0ken' }, reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message');
    assert.equal(s.requests[0].headers.authorization, 'Bearer t0ken');
    assert.equal(other.requests[0].headers.authorization, undefined);
  });
});

describe('SSE driver: event stream interpretation', () => {
  it('event type defaults to "message" and event: sets it', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: a\n\nevent: update\ndata: b\n\nevent:\ndata: c\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.messages().map((m) => [m.event, m.data]),
      [
        ['message', 'a'],
        ['update', 'b'],
        ['message', 'c'],
      ],
    );
  });

  it('joins multi-line data', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: a\ndata:b\ndata\ndata:  c\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = await h.until((r) => r.kind === 'message');
    // One leading space removed, "data" without a colon is an empty line of data, one trailing LF removed.
    assert.equal(m.kind === 'message' && m.data, 'a\nb\n\n c');
  });

  it('does not dispatch an event with empty data', async () => {
    const s = await serve((_req, res) => sendStream(res, 'event: nothing\n\nid: 7\n\n\n\n\ndata:\n\ndata: real\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    // "data:" makes the data buffer "\n" (not empty): dispatched with data "".
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['', 'real'],
    );
    assert.equal(h.messages()[0].event, 'message');
  });

  it('CRLF, CR and LF line ends', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: crlf\r\n\r\ndata: cr\r\rdata: lf\n\ndata: mixed\r\ndata: 2\r\n\r\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['crlf', 'cr', 'lf', 'mixed\n2'],
    );
  });

  it('dispatches a CR-terminated event without waiting for more bytes, and a CRLF split across chunks is one line end', async () => {
    // The response stays open: 'three' must arrive without more bytes or the end of the stream.
    const s = await serve(async (_req, res) => {
      sseHead(res);
      await trickle(res, ['data: one\r', '\ndata: two\r\n\r', '\n', 'data: three\r\r']);
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message' && r.data === 'three');
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['one\ntwo', 'three'],
    );
  });

  it('strips a leading BOM, and only one', async () => {
    const s = await serve((req, res) => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      sendStream(res, Buffer.concat([bom, req.url === '/two' ? bom : Buffer.alloc(0), Buffer.from('data: x\n\ndata: \ufeffmid\n\n')]));
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['x', '\ufeffmid'],
      'a BOM after the start is content',
    );
    // A second BOM makes the first line's field name "\ufeffdata", an unknown field: not dispatched.
    const two = connect({ url: s.url + '/two', reconnect: { enabled: false } });
    await two.until(isState('closed'));
    assert.deepEqual(
      two.messages().map((m) => m.data),
      ['\ufeffmid'],
    );
  });

  it('removes one leading space from values and keeps the rest', async () => {
    const s = await serve((_req, res) => sendStream(res, 'event:  spaced\ndata:   three\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = (await h.until((r) => r.kind === 'message')) as MessageRecord;
    assert.equal(m.event, ' spaced');
    assert.equal(m.data, '  three');
  });

  it('shows comments as comment records', async () => {
    const s = await serve((_req, res) => sendStream(res, ': ping\n:no-space\n:\ndata: x\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'comment').map((r) => r.kind === 'comment' && r.text),
      ['ping', 'no-space', ''],
    );
  });

  it('message records carry id, lastEventId and the UTF-8 size', async () => {
    const s = await serve((_req, res) => sendStream(res, 'id: 1\ndata: héllo\n\ndata: next\n\nid\ndata: reset\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    const [a, b, c] = h.messages();
    assert.deepEqual([a.id, a.lastEventId, a.size, a.dir, a.format], ['1', '1', 6, 'in', 'text']);
    assert.equal('id' in b, false, 'no id field: no id on the record');
    assert.equal(b.lastEventId, '1', 'the last event ID persists across events');
    assert.deepEqual([c.id, c.lastEventId], ['', ''], 'an empty id resets the last event ID');
  });

  it('ignores an id containing NULL', async () => {
    const s = await serve((_req, res) => sendStream(res, 'id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    const [, b] = h.messages();
    assert.equal(b.data, 'b');
    assert.equal(b.id, undefined);
    assert.equal(b.lastEventId, '1');
  });

  it('a block with an id and no data sets the last event ID (dispatch step 1)', async () => {
    const body = 'id: 1\ndata: a\n\nid: 7\n\ndata: b\n\nid: 8\r\n\r\nid: 9\n: no blank line after this id\n';
    for (const split of [false, true]) {
      const s = await serve(async (_req, res, { n }) => {
        if (n > 1) {
          sendStream(res, 'data: again\n\n');
          return;
        }
        sseHead(res);
        if (split) {
          await trickle(res, [...body], 1); // one char at a time: every line spans reads
        } else {
          res.write(body);
        }
        res.end();
      });
      const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
      await h.until((r) => r.kind === 'message' && r.data === 'again');
      const [a, b] = h.messages();
      assert.equal(a.lastEventId, '1');
      assert.equal(b.lastEventId, '7', `split=${split}: the id-only block came before b`);
      assert.equal(
        s.requests[1].headers['last-event-id'],
        '8',
        `split=${split}: the last id-only block counts; an unterminated one does not`,
      );
    }
  });

  it('matches a reference reading of the spec on random streams split at random points', async () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(xs: T[]) => xs[rand(xs.length)];
    const streams: string[] = [];
    for (let k = 0; k < 25; k++) {
      let text = rand(4) === 0 ? '\ufeff' : '';
      for (let b = 0; b < 12; b++) {
        const eol = pick(['\n', '\r\n', '\r']);
        const fields: string[] = [];
        for (let f = rand(4); f >= 0; f--) {
          fields.push(
            pick([
              `data: d${b}.${f}`,
              'data',
              'data:',
              `id: i${b}`,
              'id',
              `id: x\u0000${b}`,
              `event: e${b}`,
              ': comment',
              'retry: 5',
              `data:  sp${b}`,
              'unknown: x',
            ]),
          );
        }
        text += fields.join(eol) + eol + eol;
      }
      streams.push(text);
    }
    const s = await serve(async (req, res) => {
      const bytes = Buffer.from(streams[Number(req.url?.slice(1))], 'utf8');
      sseHead(res);
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length;) {
        const len = 1 + rand(12);
        pieces.push(bytes.subarray(i, i + len));
        i += len;
      }
      await trickle(res, pieces, 0);
      res.end();
    });
    for (let k = 0; k < streams.length; k++) {
      const h = connect({ url: `${s.url}/${k}`, lastEventId: 'start', reconnect: { enabled: false } });
      await h.until(isState('closed'));
      const expected = referenceEvents(streams[k], 'start');
      assert.deepEqual(
        h.messages().map((m) => ({ event: m.event, data: m.data, lastEventId: m.lastEventId })),
        expected.events,
        `stream ${k}: ${JSON.stringify(streams[k])}`,
      );
      assert.equal((h.conn.status.details as { lastEventId: string }).lastEventId, expected.lastEventId, `stream ${k}`);
    }
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('data: 日本 ✓ 😀\n\n', 'utf8');
    const s = await serve(async (_req, res) => {
      sseHead(res);
      // One byte at a time: every multibyte character is split.
      await trickle(
        res,
        [...bytes].map((b) => Buffer.from([b])),
        1,
      );
      res.end();
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = (await h.until((r) => r.kind === 'message')) as MessageRecord;
    assert.equal(m.data, '日本 ✓ 😀');
    assert.equal(m.size, Buffer.byteLength('日本 ✓ 😀'));
  });

  it('reads ASCII chunks and decoded ones as one text: a character cut at a chunk end, a BOM-like char later, sizes in bytes', async () => {
    const b = (s: string) => Buffer.from(s, 'utf8');
    const cafe = b('data: café\n\n');
    const check = b('data: \u2713');
    const pieces = [
      b('data: plain\n\n'),
      cafe.subarray(0, cafe.length - 3), // ends inside 'é'
      cafe.subarray(cafe.length - 3),
      check.subarray(0, check.length - 1), // ends inside '✓', which never completes
      b('\n\n'), // ASCII, while the decoder holds two bytes of '✓'
      b('data: \ufeffx\n\n'),
      b('data: ascii again\n\n'),
    ];
    const s = await serve(async (_req, res) => {
      sseHead(res);
      await trickle(res, pieces, 5);
      res.end();
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    const expected = ['plain', 'café', '\ufffd', '\ufeffx', 'ascii again'];
    assert.deepEqual(
      h.messages().map((m) => m.data),
      expected,
    );
    assert.deepEqual(
      h.messages().map((m) => m.size),
      expected.map((d) => Buffer.byteLength(d)),
    );
  });

  it('replaces invalid UTF-8 with U+FFFD', async () => {
    const s = await serve((_req, res) =>
      sendStream(res, Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xc3]), Buffer.from('b\n\n')])),
    );
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = (await h.until((r) => r.kind === 'message')) as MessageRecord;
    assert.equal(m.data, 'a\ufffd\ufffdb');
  });

  it('does not dispatch an event cut off by the end of the stream', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: whole\n\ndata: partial\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['whole'],
    );
  });

  it('reads sse-starlette style streams (CRLF, : ping, retry on every event)', async () => {
    const s = await serve((_req, res) => {
      sseHead(res, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
      let out = '';
      for (let i = 1; i <= 3; i++) {
        out += `: ping - 2024-01-01 00:00:0${i}\r\n\r\n`;
        out += `id: ${i}\r\nevent: tick\r\ndata: {"n": ${i}}\r\nretry: 15000\r\n\r\n`;
      }
      res.end(out);
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.messages().map((m) => [m.event, m.data, m.id]),
      [
        ['tick', '{"n": 1}', '1'],
        ['tick', '{"n": 2}', '2'],
        ['tick', '{"n": 3}', '3'],
      ],
    );
    assert.equal(h.records.filter((r) => r.kind === 'comment').length, 3);
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'retry').map((r) => r.kind === 'retry' && r.ms),
      [15000, 15000, 15000],
    );
    assert.equal(h.conn.status.reconnectDelayMs, 15000);
  });

  it('reads Express/Spring/Go style streams (no space after the colon, event names, multi-line JSON)', async () => {
    const s = await serve((_req, res) => sendStream(res, 'event:greeting\ndata:{"a":\ndata:1}\nid:abc\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    const m = (await h.until((r) => r.kind === 'message')) as MessageRecord;
    assert.deepEqual([m.event, m.data, m.id], ['greeting', '{"a":\n1}', 'abc']);
  });

  it('fails a never-ending line at maxEventSize with a clear reason', async () => {
    const s = await serve(async (_req, res) => {
      sseHead(res);
      res.write('data: ');
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        res.write(chunk);
        await delay(1);
      }
      res.end();
    });
    const h = connect({ url: s.url, maxEventSize: 64 * 1024 });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_BUFFER_LIMIT');
    assert.equal(err.fatal, true, 'not retried');
    assert.match(err.message, /65536 characters/);
    assert.equal(h.conn.state, 'failed');
    assert.equal(h.messages().length, 0);
    await delay(50);
    assert.equal(s.requests.length, 1);
  });

  it('decodes a gzip, deflate or br stream when the user asked for one with Accept-Encoding', async () => {
    const s = await serve(async (req, res) => {
      const encoding = String(req.headers['accept-encoding']);
      const z = encoding === 'gzip' ? zlib.createGzip() : encoding === 'deflate' ? zlib.createDeflate() : zlib.createBrotliCompress();
      sseHead(res, { 'Content-Encoding': encoding });
      z.pipe(res);
      for (const part of ['data: one\n\n', 'id: 2\ndata: two\n\n']) {
        z.write(part);
        await new Promise<void>((r) => z.flush(() => r()));
        await delay(10);
      }
      z.end();
    });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const h = connect({ url: s.url, headers: { 'Accept-Encoding': encoding }, reconnect: { enabled: false } });
      await h.until(isState('closed'));
      assert.deepEqual(
        h.messages().map((m) => m.data),
        ['one', 'two'],
        encoding,
      );
      assert.equal(h.messages()[1].lastEventId, '2');
    }
  });

  it('fires onRawChunk with the raw bytes exactly as received', async () => {
    const body = Buffer.from(': hi\r\ndata: x\r\n\r\n\xff', 'latin1');
    const s = await serve((_req, res) => sendStream(res, body));
    const raw: Buffer[] = [];
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    h.conn.onRawChunk((c) => raw.push(Buffer.from(c)));
    await h.until(isState('closed'));
    assert.deepEqual(Buffer.concat(raw), body);
  });

  it('details() shows last event ID, retry, request and response, with credentials masked', async () => {
    const s = await serve((_req, res) => sendStream(res, 'retry: 1234\nid: e9\ndata: x\n\n', { 'Set-Cookie': 'session=abc' }));
    const h = connect({ url: s.url, headers: { Authorization: 'Bearer abcdef' }, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    const d = h.conn.status.details as {
      lastEventId: string;
      retryMs: number;
      request: { method: string; url: string; headers: Record<string, string> };
      response: { status: number; headers: Record<string, string> };
    };
    assert.equal(d.lastEventId, 'e9');
    assert.equal(d.retryMs, 1234);
    assert.equal(d.request.method, 'GET');
    assert.equal(d.request.headers.Authorization, 'Bearer ••••');
    assert.equal(d.response.status, 200);
    assert.equal(d.response.headers['set-cookie'], '••••');
  });

  it('sseDetails: the request sent and the response, retry and Last-Event-ID in force, masked as in the status', async () => {
    const s = await serve((_req, res) => sendStream(res, 'retry: 1234\nid: e9\ndata: x\n\n', { 'Set-Cookie': 'session=abc' }));
    const h = connect({ url: s.url, headers: { Authorization: 'Bearer abcdef' }, secrets: ['abcdef'], reconnect: { enabled: false } });
    await h.until(isState('closed'));
    const d = h.conn.sseDetails!;
    assert.equal(d.lastEventId, 'e9');
    assert.equal(d.retryMs, 1234);
    assert.equal(d.request?.method, 'GET');
    assert.equal(d.request?.headers['Last-Event-ID'], undefined, 'the first request had no ID to send');
    assert.equal(d.request?.headers.Authorization, 'Bearer ••••');
    assert.equal(d.response?.status, 200);
    assert.equal(d.response?.headers['set-cookie'], '••••');
    assert.deepEqual(d, h.conn.status.details);
  });

  it('pause() stops reading until resume()', async () => {
    const s = await serve(async (_req, res) => {
      sseHead(res);
      await trickle(res, ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'], 40);
    });
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message');
    h.conn.pause();
    const before = h.messages().length;
    await delay(200);
    assert.equal(h.messages().length, before, 'nothing read while paused');
    h.conn.resume();
    await h.until(() => h.messages().length === 3);
  });
});

describe('SSE driver: retry and reconnect', () => {
  it('sends Last-Event-ID on reconnect', async () => {
    const s = await serve((_req, res, { n }) => {
      if (n === 1) {
        sendStream(res, 'id: 41\ndata: a\n\ndata: b\n\n'); // ends: the client reconnects
      } else {
        sendStream(res, 'data: resumed\n\n');
      }
    });
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    await h.until((r) => r.kind === 'message' && r.data === 'resumed');
    assert.equal(s.requests[0].headers['last-event-id'], undefined);
    assert.equal(s.requests[1].headers['last-event-id'], '41');
    const connecting = h.records.filter((r) => r.kind === 'connecting');
    assert.equal(connecting[1].kind === 'connecting' && connecting[1].lastEventId, '41');
    assert.equal(connecting[1].kind === 'connecting' && connecting[1].headers['Last-Event-ID'], '41');
  });

  it('an empty id resets the last event ID: no header on reconnect', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, n === 1 ? 'id: 5\ndata: a\n\nid:\ndata: b\n\n' : 'data: again\n\n'));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    await h.until((r) => r.kind === 'message' && r.data === 'again');
    assert.equal(s.requests[1].headers['last-event-id'], undefined);
  });

  it('sends a non-ASCII Last-Event-ID as UTF-8', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, n === 1 ? 'id: é✓\ndata: a\n\n' : 'data: again\n\n'));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    await h.until((r) => r.kind === 'message' && r.data === 'again');
    assert.equal(Buffer.from(s.requests[1].headers['last-event-id'] as string, 'latin1').toString('utf8'), 'é✓');
    const connecting = h.records.filter((r) => r.kind === 'connecting')[1];
    assert.equal(connecting.kind === 'connecting' && connecting.headers['Last-Event-ID'], 'é✓', 'the record shows the ID as text');
  });

  it('does not send a Last-Event-ID an HTTP header cannot carry, and says so', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, n === 1 ? 'id: a\u0001b\ndata: a\n\n' : 'data: again\n\n'));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    await h.until((r) => r.kind === 'message' && r.data === 'again');
    assert.equal(h.messages()[0].lastEventId, 'a\u0001b', 'the ID itself is kept');
    assert.equal(s.requests[1].headers['last-event-id'], undefined);
    assert.ok(h.records.some((r) => r.kind === 'info' && /Last-Event-ID not sent/.test(r.message)));
  });

  it('honours retry: as the reconnection time', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, n === 1 ? 'retry: 150\ndata: a\n\n' : 'data: b\n\n'));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    const retry = await h.until((r) => r.kind === 'retry');
    assert.equal(retry.kind === 'retry' && retry.ms, 150);
    const rec = await h.until((r) => r.kind === 'reconnecting');
    assert.equal(rec.kind === 'reconnecting' && rec.delayMs, 150, "the server's retry replaces the initial delay");
    const t0 = Date.parse(rec.time);
    const second = await h.until((r) => r.kind === 'connecting' && r.attempt === 1);
    assert.ok(Date.parse(second.time) - t0 >= 140, 'waited the reconnection time');
  });

  it('ignores retry values that are not only ASCII digits', async () => {
    const s = await serve((_req, res) => sendStream(res, 'retry: -1\nretry: 1e9\nretry:  10\nretry: 12ms\nretry: 0\ndata: x\n\n'));
    const h = connect({ url: s.url, reconnect: { enabled: false } });
    await h.until(isState('closed'));
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'retry').map((r) => r.kind === 'retry' && r.ms),
      [0],
    );
    const ignored = h.records.filter((r) => r.kind === 'info' && /Ignored retry/.test(r.message));
    assert.equal(ignored.length, 4);
  });

  it('retry: 0 reconnects no sooner than the 100 ms floor', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, n === 1 ? 'retry: 0\ndata: a\n\n' : 'data: b\n\n'));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    const rec = await h.until((r) => r.kind === 'reconnecting');
    assert.equal(rec.kind === 'reconnecting' && rec.delayMs, 100);
    assert.ok(h.records.some((r) => r.kind === 'info' && /below 100 ms/.test(r.message)));
    assert.equal(
      h.records.find((r) => r.kind === 'retry')?.kind === 'retry' && (h.records.find((r) => r.kind === 'retry') as { ms: number }).ms,
      0,
      'the record shows what the server sent',
    );
  });

  it('reconnects under the policy after the server closes', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, `data: ${n}\n\n`));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 5, initialDelayMs: 10 } });
    await h.until(() => h.messages().length >= 3);
    const rec = h.records.filter((r) => r.kind === 'reconnecting');
    assert.ok(rec.length >= 2);
    assert.deepEqual(
      rec.map((r) => r.kind === 'reconnecting' && r.attempt),
      rec.map((_r, i) => i + 1),
      'a stream the server ends at once, even after an event, is no recovery: attempts count on',
    );
    const closes = h.records.filter((r) => r.kind === 'close');
    assert.equal(closes[0].kind === 'close' && closes[0].by, 'server');
  });

  it('a network error mid-stream reconnects', async () => {
    const s = await serve((_req, res, { n }) => {
      sseHead(res);
      res.write(`data: ${n}\n\n`);
      if (n === 1) {
        setTimeout(() => res.socket?.destroy(), 20);
      } else {
        res.end();
      }
    });
    const h = connect({ url: s.url, reconnect: { maxAttempts: 1 } });
    await h.until((r) => r.kind === 'message' && r.data === '2');
    const err = h.records.find((r) => r.kind === 'error') as ErrorRecord;
    assert.equal(err.code, 'ERR_NETWORK');
    assert.equal(err.fatal, false);
  });

  it('gives up after maxAttempts', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close(); // nothing listens: connection refused
    const h = connect({ url, reconnect: { maxAttempts: 2, initialDelayMs: 5 } });
    const fatal = (await h.until((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
    assert.equal(fatal.code, 'ERR_RETRIES_EXHAUSTED');
    const errors = h.records.filter((r): r is ErrorRecord => r.kind === 'error');
    assert.deepEqual(
      errors.map((e) => e.code),
      ['ERR_NETWORK', 'ERR_NETWORK', 'ERR_NETWORK', 'ERR_RETRIES_EXHAUSTED'],
    );
    assert.match(errors[0].message, /refused/);
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 2],
    );
    assert.equal(h.conn.state, 'failed');
  });

  it('disconnect never reconnects', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      res.write('data: x\n\n');
    });
    const h = connect({ url: s.url });
    await h.until((r) => r.kind === 'message');
    h.conn.disconnect();
    const close = await h.until((r) => r.kind === 'close');
    assert.equal(close.kind === 'close' && close.by, 'client');
    await eventually(() => s.openSockets === 0, 'the socket to close');
    await delay(100);
    assert.equal(h.conn.state, 'closed');
    assert.equal(s.requests.length, 1, 'no reconnect');
  });

  it('reconnectNow skips the wait', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, `data: ${n}\n\n`));
    // Ten minutes without jitter: only reconnectNow brings the second stream within the test's timeout.
    const h = connect({ url: s.url, reconnect: { initialDelayMs: 600_000, maxDelayMs: 600_000, jitter: false } });
    const reconnecting = await h.until((r) => r.kind === 'reconnecting');
    assert.equal(reconnecting.kind === 'reconnecting' && reconnecting.delayMs, 600_000);
    h.conn.reconnectNow();
    await h.until((r) => r.kind === 'message' && r.data === '2');
  });

  it('setAutoRetry(false) cancels a pending reconnect', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'));
    const h = connect({ url: s.url, reconnect: { initialDelayMs: 100 } });
    await h.until(isState('reconnecting'));
    h.conn.setAutoRetry(false);
    assert.equal(h.conn.state, 'closed');
    await delay(200);
    assert.equal(s.requests.length, 1);
  });

  it('leaves no sockets or timers behind after reconnects, failures and dispose', async () => {
    const s = await serve((req, res, { n }) => {
      if (req.url === '/401') {
        res.writeHead(401).end('no');
      } else if (req.url === '/stalled-401') {
        res.writeHead(401);
        res.write('the body never ends');
      } else if (n % 2 === 0) {
        res.socket?.destroy();
      } else {
        sendStream(res, `data: ${n}\n\n`);
      }
    });
    const resources = () => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) {
        counts[r] = (counts[r] ?? 0) + 1;
      }
      return counts;
    };
    await delay(20);
    const before = resources();
    // Streams that end at once count as attempts: 6 reconnects reach the third event (requests 1, 3, 5).
    const a = connect({ url: s.url, reconnect: { maxAttempts: 6, initialDelayMs: 5 } });
    await a.until(() => a.messages().length >= 3);
    const b = connect({ url: s.url + '/401' });
    await b.until(isState('failed'));
    const c = connect({ url: s.url, timeoutMs: 60_000, reconnect: { initialDelayMs: 60_000 } });
    await c.until(isState('reconnecting'));
    connect({ url: s.url + '/stalled-401' }); // disposed while its error body is being read
    await delay(100);
    for (const h of open.splice(0)) {
      h.conn.dispose();
    }
    await eventually(
      () => (resources().TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0) && (resources().Timeout ?? 0) <= (before.Timeout ?? 0),
      'sockets and timers to go',
    );
    const afterwards = resources();
    assert.equal(
      afterwards.TCPSocketWrap ?? 0,
      before.TCPSocketWrap ?? 0,
      `sockets: ${JSON.stringify(afterwards)} vs ${JSON.stringify(before)}`,
    );
    assert.equal(afterwards.Timeout ?? 0, before.Timeout ?? 0, `timers: ${JSON.stringify(afterwards)} vs ${JSON.stringify(before)}`);
    assert.equal(s.openSockets, 0);
  });

  it('disposing mid-stream closes the socket and stops every timer', async () => {
    const s = await serve((_req, res) => {
      sseHead(res);
      res.write(': open\n\n');
    });
    const h = connect({ url: s.url });
    await h.until((r) => r.kind === 'comment');
    h.conn.dispose();
    await eventually(() => s.openSockets === 0, 'the socket to close');
  });
});

/** Polls `cond` until it holds (bounded), for state that no record announces. */
async function eventually(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(5);
  }
}

/** A server whose every request's arrival time (performance.now()) is kept, in order. */
async function timedServe(handler: Parameters<typeof startServer>[0]): Promise<TestServer & { arrivals: number[] }> {
  const arrivals: number[] = [];
  const s = await serve((req, res, info) => {
    arrivals.push(performance.now());
    return handler(req, res, info);
  });
  return Object.assign(s, { arrivals });
}

/**
 * The gaps between requests, as the server saw them. Node's timers run on the event loop's clock,
 * whole milliseconds that may lag the clock read here by up to a millisecond or two.
 */
const TIMER_SLACK_MS = 2;
const gaps = (arrivals: number[]) => arrivals.slice(1).map((t, i) => t - arrivals[i]);

describe("SSE: the server's reconnection time is a floor", () => {
  const R = 300;

  it('after retry: R, every reconnect of a stream that ends waits at least R, backoff and jitter on top', async () => {
    const s = await timedServe((_req, res, { n }) => sendStream(res, `retry: ${R}\ndata: ${n}\n\n`));
    // Jitter on and a cap below R: before, the wait was drawn from [0, min(cap, R × 2^(n-1))].
    const h = connect({ url: s.url, reconnect: { jitter: true, initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 3 } });
    await h.until(isState('failed'), 10_000);
    assert.equal(s.arrivals.length, 4, 'the first request and three reconnects');
    for (const gap of gaps(s.arrivals)) {
      assert.ok(
        gap >= R - TIMER_SLACK_MS,
        `gap ${gap.toFixed(1)} ms ≥ ${R} ms (gaps: ${gaps(s.arrivals)
          .map((g) => g.toFixed(1))
          .join(', ')})`,
      );
    }
    const delays = h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.delayMs);
    assert.deepEqual(delays, [R, R, R], "the server's word wins over maxDelayMs");
  });

  it('jitter adds to R and never takes from it, as the backoff grows', async () => {
    const s = await timedServe((_req, res, { n }) => sendStream(res, `retry: ${R}\ndata: ${n}\n\n`));
    const h = connect({ url: s.url, reconnect: { jitter: true, initialDelayMs: 20, maxDelayMs: 1200, maxAttempts: 3 } });
    await h.until(isState('failed'), 10_000);
    const rec = h.records.filter((r) => r.kind === 'reconnecting');
    assert.deepEqual(
      rec.map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 2, 3],
    );
    assert.equal(rec[0].kind === 'reconnecting' && rec[0].delayMs, R, 'attempt 1 waits exactly R');
    rec.forEach((r, i) => {
      const d = r.kind === 'reconnecting' ? r.delayMs : -1;
      assert.ok(d >= R && d <= Math.min(1200, R * 2 ** i), `attempt ${i + 1}: ${d} ms within [${R}, ${Math.min(1200, R * 2 ** i)}]`);
    });
    assert.equal(s.arrivals.length, 4);
    gaps(s.arrivals).forEach((gap, i) => {
      const d = rec[i].kind === 'reconnecting' ? rec[i].delayMs : 0;
      assert.ok(gap >= d - TIMER_SLACK_MS, `gap ${gap.toFixed(1)} ms ≥ the ${d} ms drawn`);
    });
  });

  it('after retry: R, every reconnect of a stream that drops waits at least R', async () => {
    const s = await timedServe((_req, res, { n }) => {
      sseHead(res);
      res.write(`retry: ${R}\ndata: ${n}\n\n`);
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const h = connect({ url: s.url, reconnect: { jitter: true, initialDelayMs: 20, maxDelayMs: 100, maxAttempts: null } });
    await h.until(() => s.arrivals.length >= 4, 10_000);
    h.conn.disconnect();
    for (const gap of gaps(s.arrivals)) {
      assert.ok(
        gap >= R - TIMER_SLACK_MS,
        `gap ${gap.toFixed(1)} ms ≥ ${R} ms (gaps: ${gaps(s.arrivals)
          .map((g) => g.toFixed(1))
          .join(', ')})`,
      );
    }
    const errors = h.records.filter((r) => r.kind === 'error');
    assert.ok(errors.length >= 3 && errors.every((e) => e.kind === 'error' && e.code === 'ERR_NETWORK' && !e.fatal));
  });
});

describe('SSE: a request that is not a GET is not sent again and again', () => {
  const llm = (_req: unknown, res: Parameters<typeof sendStream>[0]) =>
    sendStream(res, 'data: {"delta":"Hel"}\n\ndata: {"delta":"lo"}\n\ndata: [DONE]\n\n');

  it('a POST stream the server ends is not re-posted, and the log and the status say why', async () => {
    const s = await serve(llm);
    const h = connect({ url: s.url, method: 'POST', body: '{"prompt":"hi"}' });
    const info = await h.until((r) => r.kind === 'info');
    assert.equal(
      info.kind === 'info' && info.message,
      'The server ended the POST stream; not reconnecting (a POST is sent again after the stream ends only with reconnect.onEnd)',
    );
    assert.equal(h.conn.state, 'closed');
    assert.equal(s.requests.length, 1, 'one POST at the server');
    assert.equal(h.messages().at(-1)?.data, '[DONE]');
    assert.deepEqual(h.kinds(), ['connecting', 'open', 'message', 'message', 'message', 'close', 'info']);
    assert.equal(h.conn.status.notReconnected, info.kind === 'info' && info.message);
    assert.equal(h.conn.status.nextAttemptAt, undefined);
    // A new connect is the user's: it posts again, and the reason is gone until that stream ends too.
    let whileOpen: string | undefined = 'not seen';
    h.conn.onRecord((r) => {
      if (r.kind === 'open') {
        whileOpen = h.conn.status.notReconnected;
      }
    });
    h.conn.connect();
    await h.until((r) => r.kind === 'info' && r !== info);
    assert.equal(whileOpen, undefined);
    assert.equal(s.requests.length, 2);
  });

  it('also for a method written in lower case, and for PUT', async () => {
    const s = await serve(llm);
    const h = connect({ url: s.url, method: 'put', body: 'x' });
    const info = await h.until((r) => r.kind === 'info');
    assert.match(info.kind === 'info' ? info.message : '', /^The server ended the PUT stream; not reconnecting/);
    assert.equal(s.requests.length, 1);
    assert.equal(s.requests[0].method, 'PUT');
  });

  it('with reconnect.onEnd a POST is re-posted, the counter climbs 1, 2, 3 and it gives up at maxAttempts', async () => {
    const s = await serve(llm);
    const h = connect({
      url: s.url,
      method: 'POST',
      body: '{"prompt":"hi"}',
      reconnect: { onEnd: true, maxAttempts: 3, initialDelayMs: 5 },
    });
    const fatal = (await h.until((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
    assert.equal(fatal.code, 'ERR_RETRIES_EXHAUSTED');
    assert.equal(fatal.message, 'Gave up after 3 reconnect attempts');
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 2, 3],
    );
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'connecting').map((r) => r.kind === 'connecting' && r.attempt),
      [0, 1, 2, 3],
    );
    assert.equal(s.requests.length, 4);
    assert.ok(s.requests.every((r) => r.method === 'POST' && r.body === '{"prompt":"hi"}'));
    assert.equal(h.conn.state, 'failed');
  });

  it('reconnect.onEnd: false stops a GET stream too', async () => {
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'));
    const h = connect({ url: s.url, reconnect: { onEnd: false } });
    const info = await h.until((r) => r.kind === 'info');
    assert.equal(info.kind === 'info' && info.message, 'The server ended the stream; not reconnecting (reconnect.onEnd is off)');
    assert.equal(h.conn.state, 'closed');
    assert.equal(s.requests.length, 1);
  });

  it('a POST to a refused port is not retried by default, and fails saying why', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close(); // nothing listens: connection refused
    const h = connect({ url, method: 'POST', body: '{}', reconnect: { maxAttempts: 5, initialDelayMs: 5 } });
    const fatal = (await h.until((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
    assert.equal(fatal.code, 'ERR_NETWORK');
    assert.equal(h.conn.state, 'failed');
    assert.deepEqual(h.kinds(), ['connecting', 'info', 'error']);
    const info = h.records[1];
    assert.equal(
      info.kind === 'info' && info.message,
      'Not retrying: a POST is retried after a network failure only when reconnect.methods includes POST',
    );
    assert.equal(h.conn.status.notReconnected, info.kind === 'info' && info.message);
    assert.equal(h.conn.status.lastError?.code, 'ERR_NETWORK');
  });

  it('with reconnect.methods ["GET", "POST"] (any case) a refused POST is retried up to maxAttempts', async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    const h = connect({ url, method: 'POST', body: '{}', reconnect: { methods: ['get', 'Post'], maxAttempts: 2, initialDelayMs: 5 } });
    const fatal = (await h.until((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
    assert.equal(fatal.code, 'ERR_RETRIES_EXHAUSTED');
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 2],
    );
    assert.equal(h.records.filter((r) => r.kind === 'connecting').length, 3);
    assert.ok(!h.records.some((r) => r.kind === 'info'));
  });

  it('a POST stream cut off mid-way is not re-posted by default; with methods it is', async () => {
    const cutting = (_req: unknown, res: Parameters<typeof sseHead>[0], { n }: { n: number }) => {
      sseHead(res);
      res.write(`data: part ${n}\n\n`);
      setTimeout(() => res.socket?.destroy(), 10);
    };
    const s = await serve(cutting);
    const h = connect({ url: s.url, method: 'POST', body: '{}' });
    await h.until(isState('failed'));
    assert.equal(s.requests.length, 1);
    assert.ok(h.records.some((r) => r.kind === 'info' && /^Not retrying: a POST/.test(r.message)));

    const s2 = await serve(cutting);
    const h2 = connect({ url: s2.url, method: 'POST', body: '{}', reconnect: { methods: ['POST'], maxAttempts: 2 } });
    await h2.until((r) => r.kind === 'message' && r.data === 'part 3');
    h2.conn.disconnect();
    // Each attempt delivered an event before it failed: the server works, the counter starts again.
    assert.ok(h2.records.filter((r) => r.kind === 'reconnecting').every((r) => r.kind === 'reconnecting' && r.attempt === 1));
  });

  it('a GET stream that answers one event and ends at once is retried exactly maxAttempts times, then gives up', async () => {
    const s = await serve((_req, res, { n }) => sendStream(res, `data: ${n}\n\n`));
    const h = connect({ url: s.url, reconnect: { maxAttempts: 4, initialDelayMs: 5 } });
    const fatal = (await h.until((r) => r.kind === 'error' && r.fatal)) as ErrorRecord;
    assert.equal(fatal.code, 'ERR_RETRIES_EXHAUSTED');
    assert.equal(fatal.message, 'Gave up after 4 reconnect attempts');
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 2, 3, 4],
    );
    assert.equal(s.requests.length, 5, 'the first request and four reconnects');
    assert.deepEqual(
      h.messages().map((m) => m.data),
      ['1', '2', '3', '4', '5'],
    );
  });

  it('a stream that stayed open resetAfterMs restarts the counter, also when the server ends it', async () => {
    const live: Parameters<typeof sseHead>[0][] = [];
    const s = await serve((_req, res, { n }) => {
      sseHead(res);
      res.write(`data: ${n}\n\n`);
      live.push(res);
    });
    const h = connect({ url: s.url, reconnect: { maxAttempts: 10, initialDelayMs: 5, resetAfterMs: 30 } });
    for (let i = 1; i <= 3; i++) {
      await h.until(() => live.length === i && h.conn.state === 'open');
      // Open resetAfterMs: the counter is back at 0 before the server ends the stream.
      await eventually(() => h.conn.status.attempt === 0, 'the counter to restart');
      live[i - 1].end();
    }
    await h.until(() => live.length === 4);
    h.conn.disconnect();
    assert.deepEqual(
      h.records.filter((r) => r.kind === 'reconnecting').map((r) => r.kind === 'reconnecting' && r.attempt),
      [1, 1, 1],
    );
  });
});

describe('SSE driver: networks', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) {
      if (saved[k] === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = saved[k];
      }
    }
  });
  const clearProxyEnv = () => {
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) {
      delete process.env[k];
    }
  };

  it('rejects a self-signed certificate by default and accepts it with tls.insecure / the CA', async () => {
    const cert = selfSignedCert();
    const s = await serve((_req, res) => sendStream(res, 'data: secure\n\n'), cert);
    const strict = connect({ url: s.url });
    const err = (await strict.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_TLS');
    assert.equal(err.fatal, true, 'a refused certificate is not retried');
    assert.match(err.message, /self-signed/);

    const insecure = connect({ url: s.url, tls: { insecure: true }, reconnect: { enabled: false } });
    assert.equal(((await insecure.until((r) => r.kind === 'message')) as MessageRecord).data, 'secure');

    const withCa = connect({ url: s.url, tls: { ca: cert.cert }, reconnect: { enabled: false } });
    assert.equal(((await withCa.until((r) => r.kind === 'message')) as MessageRecord).data, 'secure');
  });

  it('goes through an HTTP proxy from HTTPS_PROXY', async () => {
    clearProxyEnv();
    const cert = selfSignedCert();
    const s = await serve((_req, res) => sendStream(res, 'data: via proxy\n\n'), cert);
    const proxy = await startProxy();
    servers.push(proxy);
    process.env.HTTPS_PROXY = proxy.url;
    const h = connect({ url: s.url + '/tunnel', proxy: { fromEnv: true }, tls: { ca: cert.cert }, reconnect: { enabled: false } });
    assert.equal(((await h.until((r) => r.kind === 'message')) as MessageRecord).data, 'via proxy');
    assert.deepEqual(proxy.log, [`CONNECT 127.0.0.1:${s.port}`]);
  });

  it('goes through an HTTP proxy from HTTP_PROXY for http:// and bypasses it for NO_PROXY hosts', async () => {
    clearProxyEnv();
    const s = await serve((_req, res) => sendStream(res, 'data: plain\n\n'));
    const proxy = await startProxy();
    servers.push(proxy);
    process.env.HTTP_PROXY = proxy.url;
    const h = connect({ url: s.url + '/fwd', proxy: { fromEnv: true }, reconnect: { enabled: false } });
    await h.until((r) => r.kind === 'message');
    assert.deepEqual(proxy.log, [`GET ${s.url}/fwd`]);
    process.env.NO_PROXY = '127.0.0.1';
    const direct = connect({ url: s.url + '/direct', proxy: { fromEnv: true }, reconnect: { enabled: false } });
    await direct.until((r) => r.kind === 'message');
    assert.equal(proxy.log.length, 1, 'NO_PROXY host reached directly');
  });

  it('says when the proxy refuses the tunnel, with its status and body', async () => {
    clearProxyEnv();
    const cert = selfSignedCert();
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'), cert);
    const proxy = await startProxy({ refuseConnect: 407 });
    servers.push(proxy);
    const h = connect({ url: s.url, proxy: { url: proxy.url }, tls: { ca: cert.cert } });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_PROXY');
    assert.equal(err.fatal, true);
    assert.equal(err.status, 407);
    assert.match(err.message, /proxy refused the tunnel to 127\.0\.0\.1:\d+: HTTP 407 Proxy Authentication Required/);
    assert.equal(err.body, 'proxy says no (407)');
    assert.equal(s.requests.length, 0, 'the request never reached the server');
  });

  it('says the proxy is unreachable when it is', async () => {
    clearProxyEnv();
    const s = await serve((_req, res) => sendStream(res, 'data: x\n\n'));
    const dead = await startProxy();
    await dead.close();
    const h = connect({ url: s.url, proxy: { url: dead.url }, reconnect: { enabled: false } });
    const err = (await h.until((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_PROXY');
    assert.match(err.message, new RegExp(`Cannot reach proxy http://127.0.0.1:${dead.port}`));
  });
});

/** The spec's "Interpreting an event stream", written out plainly, as the oracle for the randomized test. */
function referenceEvents(
  text: string,
  initialId: string,
): { events: { event: string; data: string; lastEventId: string }[]; lastEventId: string } {
  if (text.startsWith('\ufeff')) {
    text = text.slice(1);
  }
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // the part after the last line end is not a line
  const events: { event: string; data: string; lastEventId: string }[] = [];
  let data = '';
  let type = '';
  let idBuffer = initialId;
  let lastEventId = initialId;
  for (const line of lines) {
    if (line === '') {
      lastEventId = idBuffer;
      if (data === '') {
        type = '';
        continue;
      }
      events.push({ event: type || 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data, lastEventId });
      data = '';
      type = '';
      continue;
    }
    if (line.startsWith(':')) {
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'data') {
      data += value + '\n';
    } else if (field === 'event') {
      type = value;
    } else if (field === 'id' && !value.includes('\0')) {
      idBuffer = value;
    }
  }
  return { events, lastEventId };
}
