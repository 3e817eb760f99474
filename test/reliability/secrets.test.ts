// Over 400 lines: one echoing server and one scan for every output a secret could reach.
/**
 * A server that echoes the credential back in everything it controls — event ids, comments, data,
 * response headers, status text, error bodies, close reasons. What the core shows (status, NDJSON
 * export) and what the CLI prints carry it masked, never in clear. (The extension host's output
 * channel, export and webview are scanned by test/vscode/suite/secrets-scan.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { toNdjson } from '../../src/core/export';
import { MASK, Redactor } from '../../src/core/redactor';
import { RawTail } from '../../src/core/rawTail';
import type { ConnRecord } from '../../src/core/records';
import { packStored } from '../../src/panel/batch';
import { tailNdjson } from '../../src/session/persist';
import { unpackBatch } from '../../src/core/batchFormat';
import { startServer } from '../fixtures/sseServer';
import { startWsServer } from '../fixtures/wsServer';
import { hostileCase, type Scope } from './helpers';
import type { MessageStore } from '../../src/core/store';

const SECRET = 'tok-3c9d1e7a';
const CLI = resolve(__dirname, '../../../dist/cli.js');
const T = { timeout: 30_000 };

/** SSE that echoes the token: an event with it everywhere, then on the reconnect a 401 that names it (and again). */
async function echoingSse(scope: Scope) {
  const s = await startServer((req, res, { n }) => {
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (n % 2 === 1) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': token });
      res.end(`retry: 20\n: hello ${token}\nid: ${token}\nevent: e-${token}\ndata: you sent ${token}\n\n`);
    } else {
      res.writeHead(401, `Denied ${token}`, { 'WWW-Authenticate': `Bearer realm="${token}"`, 'Content-Type': 'text/plain' });
      res.end(`token ${token} revoked; last id ${String(req.headers['last-event-id'])}`);
    }
  });
  scope.defer(() => s.close());
  return s;
}

describe('Secrets echoed by a hostile server', () => {
  it('SSE: the status and the NDJSON export carry the token masked only', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await echoingSse(scope);
      const o = scope.observe({
        url: s.url,
        headers: { Authorization: `Bearer ${SECRET}` },
        secrets: [SECRET],
        reconnect: { enabled: true },
      });
      await o.waitState('failed');
      assert.equal(s.requests[0].headers.authorization, `Bearer ${SECRET}`, 'the token was sent');
      assert.equal(s.requests[1].headers['last-event-id'], SECRET, 'and echoed back as the last event ID');
      const status = JSON.stringify(o.conn.status);
      assert.ok(!status.includes(SECRET), `status: ${status}`);
      assert.equal(o.conn.status.lastError?.statusText, `Denied ${MASK}`);
      assert.equal((o.conn.status.details as { lastEventId?: string }).lastEventId, MASK);
      const ndjson = toNdjson(o.store, o.conn.redactor);
      assert.ok(!ndjson.includes(SECRET));
      assert.ok(ndjson.includes(`you sent ${MASK}`) && ndjson.includes(`token ${MASK} revoked`));
    }),
  );

  it('WebSocket: a close reason that names the token is masked in the status', T, (t) =>
    hostileCase(t, async (scope) => {
      const srv = await startWsServer({
        onConnection: (ws, req) => ws.close(4001, `bad ${String(req.headers['x-key'])}`),
      });
      scope.defer(() => srv.close());
      const o = scope.observe({ url: srv.url, headers: { 'X-Key': SECRET }, secrets: [SECRET] });
      await o.waitState('closed');
      assert.deepEqual(o.conn.status.lastClose, { code: 4001, reason: `bad ${MASK}`, clean: true });
      assert.ok(!JSON.stringify(o.conn.status).includes(SECRET));
      assert.ok(!toNdjson(o.store, o.conn.redactor).includes(SECRET));
    }),
  );

  it('a stream masked piece by piece never lets a secret through, wherever the pieces are cut', () => {
    const r = new Redactor([SECRET, 'abab']);
    const stream = `data: ${SECRET}\n\nid: xabab${SECRET.slice(0, 5)}…${SECRET}${SECRET}ababab tail`;
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 500; run++) {
      let shown = '';
      let pending = '';
      let at = 0;
      while (at < stream.length) {
        const next = Math.min(stream.length, at + 1 + Math.floor(random() * 8));
        pending += stream.slice(at, next);
        at = next;
        // What the panel's raw view does on each update.
        const masked = r.text(pending);
        const ready = masked.slice(0, masked.length - r.unfinishedAtEnd(masked));
        pending = masked.slice(ready.length);
        shown += ready;
      }
      shown += pending;
      assert.ok(!shown.includes(SECRET) && !shown.includes('abab'), `run ${run}: ${shown}`);
      assert.equal(shown, r.text(stream), 'once all is in, the view shows exactly the masked stream');
    }
  });

  it(
    'the CLI prints the token masked, readable and --json, also where the server echoes it',
    { ...T, skip: !existsSync(CLI) && 'dist/cli.js is not built' },
    (t) =>
      hostileCase(t, async (scope) => {
        const s = await echoingSse(scope);
        for (const mode of [[], ['--json']]) {
          const child = spawn(
            process.execPath,
            [CLI, s.url, '-H', `Authorization: Bearer ${SECRET}`, '--max-retries', '1', '--retry-delay', '10', ...mode],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          scope.defer(() => child.kill('SIGKILL'));
          let out = '';
          child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
          const code = await new Promise<number | null>((res) => child.on('close', res));
          assert.equal(code, 1, out);
          assert.ok(out.includes(MASK), out);
          assert.ok(!out.includes(SECRET), `${mode.join(' ') || 'readable'}: ${out}`);
        }
        assert.equal(s.requests.length, 4);
      }),
  );

  // ---------- numeric, quoted and URL-borne secrets ----------

  it('SSE: a numeric key echoed as retry:, id, data, header and status text: every output parses, numbers intact, text masked', T, (t) =>
    hostileCase(t, async (scope) => {
      const KEY = '482913';
      const s = await echoingKey(scope);
      // No reconnect: the server's retry: (482913 ms) is the floor of any reconnect delay.
      const o = scope.observe({ url: s.url, headers: { 'X-API-Key': KEY }, secrets: [KEY] });
      await o.waitState('closed');
      assert.equal(s.requests[0].headers['x-api-key'], KEY, 'the key was sent');
      const refused = scope.observe({ url: `${s.url}/deny`, headers: { 'X-API-Key': KEY }, secrets: [KEY] });
      await refused.waitState('failed');
      assert.equal(refused.conn.status.lastError?.statusText, `No ${MASK}`);
      for (const [where, records] of outputs(refused)) {
        assert.deepEqual(clearIn(records, KEY), [], `${where}: the key in clear`);
        assert.ok(
          records.some((r) => r.kind === 'error' && r.status === 401 && r.body === `key ${MASK} revoked` && r.headers?.['x-echo'] === MASK),
          where,
        );
      }
      // The status used to re-parse masked JSON and throw.
      const status = o.conn.status;
      assert.ok(
        !JSON.stringify(status).includes(KEY) || /"ms":482913|"retryMs":482913|"reconnectDelayMs":482913/.test(JSON.stringify(status)),
        JSON.stringify(status),
      );
      const retry = o.store.toArray().find((r) => r.kind === 'retry');
      assert.equal(retry?.kind === 'retry' && retry.ms, 482913, 'retry: is a number, kept as the server sent it');
      for (const [where, records] of outputs(o)) {
        assert.ok(
          records.some((r) => r.kind === 'retry' && r.ms === 482913),
          `${where}: the retry number intact`,
        );
        assert.deepEqual(
          records.map((r) => r.seq),
          o.store.toArray().map((r) => r.seq),
          `${where}: every record, seq intact`,
        );
        assert.deepEqual(clearIn(records, KEY), [], `${where}: the key in clear`);
        assert.ok(
          records.some((r) => r.kind === 'message' && r.data === `key ${MASK}`),
          where,
        );
      }
    }),
  );

  it(
    'SSE: the CLI prints a numeric key masked and every --json line parses (numbers intact)',
    { ...T, skip: !existsSync(CLI) && 'dist/cli.js is not built' },
    (t) =>
      hostileCase(t, async (scope) => {
        const KEY = '482913';
        const s = await echoingKey(scope);
        const json = await cli(scope, [s.url, '-H', `X-API-Key: ${KEY}`, '--no-reconnect', '--json']);
        const denied = await cli(scope, [`${s.url}/deny`, '-H', `X-API-Key: ${KEY}`, '--no-reconnect', '--json']);
        const records = (json.stdout + denied.stdout)
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as ConnRecord);
        assert.ok(
          records.some((r) => r.kind === 'error' && r.status === 401 && r.body === `key ${MASK} revoked`),
          denied.stdout,
        );
        assert.ok(records.some((r) => r.kind === 'retry' && r.ms === 482913));
        assert.deepEqual(clearIn(records, KEY), []);
        assert.ok(
          records.some((r) => r.kind === 'message' && r.data === `key ${MASK}`),
          json.stdout,
        );
        const pretty = await cli(scope, [s.url, '-H', `X-API-Key: ${KEY}`, '--no-reconnect']);
        assert.ok(pretty.stdout.includes(`key ${MASK}`), pretty.stdout);
        // The key shows only as the retry delay the server set (a number, not masked).
        const lines = (pretty.stdout + pretty.stderr).split('\n').filter((l) => l.includes(KEY));
        assert.ok(
          lines.every((l) => /retry/.test(l) && /482913 ms/.test(l)),
          lines.join('\n'),
        );
      }),
  );

  it('a secret holding " and \\ is masked in every output, not shown JSON-escaped (SSE and the WebSocket close reason)', T, (t) =>
    hostileCase(t, async (scope) => {
      const KEY = 'q"uo\\te-77';
      const s = await echoingKey(scope);
      const o = scope.observe({
        url: s.url,
        headers: { 'X-API-Key': KEY },
        secrets: [KEY],
        reconnect: { enabled: true, initialDelayMs: 10, maxAttempts: 1 },
      });
      await o.waitState('failed');
      assert.equal(s.requests[0].headers['x-api-key'], KEY);
      const escaped = JSON.stringify(KEY).slice(1, -1);
      for (const [where, records] of outputs(o)) {
        assert.deepEqual(clearIn(records, KEY), [], where);
        assert.ok(!JSON.stringify(records).includes(escaped), `${where}: JSON-escaped`);
      }
      const srv = await startWsServer({ onConnection: (ws, req) => ws.close(4001, `bad ${String(req.headers['x-key'])}`) });
      scope.defer(() => srv.close());
      const w = scope.observe({ url: srv.url, headers: { 'X-Key': KEY }, secrets: [KEY] });
      await w.waitState('closed');
      assert.equal(w.conn.status.lastClose?.reason, `bad ${MASK}`);
      for (const [where, records] of outputs(w)) {
        assert.ok(
          records.some((r) => r.kind === 'close' && r.reason === `bad ${MASK}`),
          where,
        );
        assert.ok(!JSON.stringify(records).includes(escaped), where);
      }
    }),
  );

  it('the CLI --json masks a secret holding " and \\', { ...T, skip: !existsSync(CLI) && 'dist/cli.js is not built' }, (t) =>
    hostileCase(t, async (scope) => {
      const KEY = 'q"uo\\te-77';
      const s = await echoingKey(scope);
      const { stdout, stderr } = await cli(scope, [
        s.url,
        '-H',
        `X-API-Key: ${KEY}`,
        '--max-retries',
        '1',
        '--retry-delay',
        '10',
        '--json',
      ]);
      const escaped = JSON.stringify(KEY).slice(1, -1);
      assert.ok(!stdout.includes(escaped) && !stdout.includes(KEY), stdout);
      assert.ok(stdout.includes(`key ${MASK}`), stdout);
      assert.ok(!stderr.includes(KEY), stderr);
    }),
  );

  it('WebSocket: a numeric key echoed in messages, binary frames, headers and the close reason', T, (t) =>
    hostileCase(t, async (scope) => {
      const KEY = '200';
      const srv = await startWsServer({
        onConnection: (ws, req) => {
          const key = String(req.headers['x-api-key']);
          ws.send(`status ${key}`);
          ws.send(key);
          ws.send(Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(key), Buffer.from([0xff])]), { binary: true });
          ws.close(4000, `closing ${key}`);
        },
      });
      srv.wss.on('headers', (headers) => headers.push(`X-Echo: ${KEY}`));
      scope.defer(() => srv.close());
      const o = scope.observe({ url: srv.url, headers: { 'X-API-Key': KEY }, secrets: [KEY] });
      await o.waitState('closed');
      assert.equal(o.conn.status.lastClose?.reason, `closing ${MASK}`);
      assert.equal(o.conn.status.lastClose?.code, 4000);
      for (const [where, records] of outputs(o)) {
        assert.deepEqual(clearIn(records, KEY), [], where);
        const bin = records.find((r) => r.kind === 'message' && r.format === 'binary');
        assert.ok(bin && bin.kind === 'message', where);
        assert.deepEqual(
          Buffer.from(bin.data, 'base64'),
          Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(MASK), Buffer.from([0xff])]),
          `${where}: the bytes masked, still base64`,
        );
        assert.equal(bin.size, 7, `${where}: the size on the wire`);
        assert.ok(
          records.some((r) => r.kind === 'close' && r.code === 4000 && r.reason === `closing ${MASK}`),
          where,
        );
        assert.ok(
          records.some((r) => r.kind === 'open' && r.headers['x-echo'] === MASK),
          where,
        );
      }
    }),
  );

  it(
    'URL credentials (?token=…, user:pass@ and the Basic header it becomes) echoed back are masked everywhere, never percent-encoded',
    T,
    (t) =>
      hostileCase(t, async (scope) => {
        const s = await echoingUrl(scope);
        const url = `${s.url.replace('://', '://alice:pw-s3cret@')}/s?token=tk-918273&page=2`;
        const o = scope.observe({ url, reconnect: { enabled: true, initialDelayMs: 10, maxAttempts: 1 } });
        await o.waitState('failed');
        assert.equal(s.requests[0].headers.authorization, `Basic ${BASIC}`, 'the client sent the Basic credential');
        for (const [where, records] of outputs(o)) {
          const text = JSON.stringify(records);
          for (const secret of ['tk-918273', 'pw-s3cret', BASIC]) {
            assert.ok(!text.includes(secret), `${where}: ${secret} in clear: ${text}`);
          }
          assert.ok(!text.includes('%E2%80%A2'), `${where}: a percent-encoded mask`);
          const connecting = records.find((r) => r.kind === 'connecting');
          assert.equal(
            connecting?.kind === 'connecting' && connecting.url,
            `http://alice:${MASK}@127.0.0.1:${s.port}/s?token=${MASK}&page=2`,
            where,
          );
          assert.ok(
            records.some((r) => r.kind === 'message' && r.data === `you asked /s?token=${MASK}&page=2 with Basic ${MASK}`),
            `${where}: ${text}`,
          );
        }
        assert.ok(!JSON.stringify(o.conn.status).includes('tk-918273'));
      }),
  );

  it('the CLI masks URL credentials, readable and --json', { ...T, skip: !existsSync(CLI) && 'dist/cli.js is not built' }, (t) =>
    hostileCase(t, async (scope) => {
      const s = await echoingUrl(scope);
      const url = `${s.url.replace('://', '://alice:pw-s3cret@')}/s?token=tk-918273&page=2`;
      for (const mode of [[], ['--json']]) {
        const { stdout, stderr } = await cli(scope, [url, '--max-retries', '1', '--retry-delay', '10', ...mode]);
        const out = stdout + stderr;
        for (const secret of ['tk-918273', 'pw-s3cret', BASIC]) {
          assert.ok(!out.includes(secret), `${mode.join(' ') || 'readable'}: ${secret} in ${out}`);
        }
        assert.ok(!out.includes('%E2%80%A2'), out);
        assert.ok(out.includes(`token=${MASK}`), out);
      }
    }),
  );

  it('the raw tail cut 3 characters into a secret does not show the rest of it', T, (t) =>
    hostileCase(t, async (scope) => {
      const KEY = 'sk-live-4f9a8b7c6d';
      const tailBytes = 64 * 1024;
      // What follows the key's third character fills the tail exactly: the tail starts at KEY[3].
      const after = (n: number) => `\n\ndata: ${'x'.repeat(n)}\n\n`;
      const fill = tailBytes - (KEY.length - 3) - after(0).length;
      const body = `data: ${'y'.repeat(10 * 1024)}\n\ndata: ${KEY}${after(fill)}`;
      const s = await startServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(body);
      });
      scope.defer(() => s.close());
      const tail = new RawTail(tailBytes);
      const o = scope.observe({ url: s.url, headers: { 'X-API-Key': KEY }, secrets: [KEY] });
      o.conn.onRawChunk((c) => tail.push(c));
      await o.waitState('closed');
      assert.ok(tail.text().startsWith(KEY.slice(3)), 'the cut falls inside the key');
      const shown = tail.maskedText(o.conn.redactor);
      assert.ok(shown.startsWith(MASK), shown.slice(0, 40));
      assert.ok(!shown.includes(KEY.slice(3)), 'the rest of the key is not shown');
    }),
  );
});

const BASIC = Buffer.from('alice:pw-s3cret').toString('base64');

/**
 * SSE that echoes the X-API-Key everywhere (retry:, id, comment, data, a header); refuses with it (status
 * text, header, body) on a reconnect and on /deny.
 */
async function echoingKey(scope: Scope) {
  let streams = 0;
  const s = await startServer((req, res) => {
    const key = String(req.headers['x-api-key']);
    if (!req.url?.startsWith('/deny') && streams++ === 0) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': key });
      res.end(`retry: ${key}\n: ${key}\nid: ${key}\ndata: key ${key}\n\ndata: ${key}\n\n`);
    } else {
      res.writeHead(401, `No ${key}`, { 'Content-Type': 'text/plain', 'X-Echo': key });
      res.end(`key ${key} revoked`);
    }
  });
  scope.defer(() => s.close());
  return s;
}

/** SSE that echoes the request's URL and Authorization (the Basic credential from user:pass@), then refuses with them. */
async function echoingUrl(scope: Scope) {
  const s = await startServer((req, res, { n }) => {
    const auth = String(req.headers.authorization);
    if (n === 1) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': auth, 'Content-Location': req.url ?? '' });
      res.end(`data: you asked ${req.url} with ${auth}\n\n`);
    } else {
      res.writeHead(401, `No ${req.url}`, { 'Content-Type': 'text/plain', 'WWW-Authenticate': auth });
      res.end(`${auth} for ${req.url} refused`);
    }
  });
  scope.defer(() => s.close());
  return s;
}

/** Every output of a connection's log, parsed: the NDJSON export, the saved log, the panel's records. */
function outputs(o: { store: MessageStore; conn: { redactor: Redactor } }): [string, ConnRecord[]][] {
  const r = o.conn.redactor;
  const parse = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ConnRecord);
  const panel = unpackBatch(structuredClone(packStored(o.store, 0, o.store.size, r, 256 * 1024)));
  return [
    ['export', parse(toNdjson(o.store, r))],
    ['saved log', parse(tailNdjson(o.store, r).text)],
    ['panel', JSON.parse(JSON.stringify(panel)) as ConnRecord[]],
  ];
}

/** The text values (and header names) of records that hold `secret`, but for what names a record (kind, time…). */
function clearIn(records: ConnRecord[], secret: string): string[] {
  const texts = (v: unknown): string[] =>
    typeof v === 'string'
      ? [v]
      : Array.isArray(v)
        ? v.flatMap(texts)
        : v && typeof v === 'object'
          ? [...Object.keys(v), ...Object.values(v).flatMap(texts)]
          : [];
  return records
    .flatMap((r) =>
      Object.entries(r).flatMap(([k, v]) => (['kind', 'time', 'state', 'format', 'dir', 'by', 'code'].includes(k) ? [] : texts(v))),
    )
    .filter((t) => t.includes(secret));
}

/** Runs the built CLI to its end; its output. */
async function cli(scope: Scope, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  scope.defer(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  return { code, stdout, stderr };
}
