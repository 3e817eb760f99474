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
import { MASK, Redactor } from '../../src/core/options';
import { startServer } from '../fixtures/sseServer';
import { startWsServer } from '../fixtures/wsServer';
import { hostileCase, Scope } from './helpers';

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
      const o = scope.observe({ url: s.url, headers: { Authorization: `Bearer ${SECRET}` }, secrets: [SECRET], reconnect: { enabled: true } });
      await o.waitState('failed');
      assert.equal(s.requests[0].headers.authorization, `Bearer ${SECRET}`, 'the token was sent');
      assert.equal(s.requests[1].headers['last-event-id'], SECRET, 'and echoed back as the last event ID');
      const status = JSON.stringify(o.conn.status);
      assert.ok(!status.includes(SECRET), `status: ${status}`);
      assert.equal(o.conn.status.lastError?.statusText, `Denied ${MASK}`);
      assert.equal((o.conn.status.details as { lastEventId?: string }).lastEventId, MASK);
      const ndjson = toNdjson(o.store, o.conn.secrets);
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
      assert.ok(!toNdjson(o.store, o.conn.secrets).includes(SECRET));
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

  it('the CLI prints the token masked, readable and --json, also where the server echoes it', { ...T, skip: !existsSync(CLI) && 'dist/cli.js is not built' }, (t) =>
    hostileCase(t, async (scope) => {
      const s = await echoingSse(scope);
      for (const mode of [[], ['--json']]) {
        const child = spawn(process.execPath, [CLI, s.url, '-H', `Authorization: Bearer ${SECRET}`, '--max-retries', '1', '--retry-delay', '10', ...mode], { stdio: ['ignore', 'pipe', 'pipe'] });
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
});
