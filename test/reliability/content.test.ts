/**
 * Hostile content: markup, ANSI and OSC escapes, C1 controls, bidi overrides, invisible characters,
 * 10,000-character lines and JSON nested 10,000 deep. Through the CLI's readable output every control
 * character is escaped, never written raw to a terminal; the formatting of the CLI and of the panel
 * never throws and never takes long, whatever the input.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { escapeText, formatRecord, jsonLine } from '../../src/cli/format';
import type { ConnRecord } from '../../src/core/records';
import { prettyJson } from '../../webview/format/json';
import { previewOf, quoted } from '../../webview/format/labels';
import { escapeControl, escapeControlMultiline } from '../../webview/format/text';
import { sseHead, startServer } from '../fixtures/sseServer';
import { startWsServer } from '../fixtures/wsServer';
import { hostileCase, type Scope } from './helpers';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const T = { timeout: 60_000, skip: !existsSync(CLI) && 'dist/cli.js is not built' };

const HTML = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>';
const ANSI = '\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mred\x1b[0m \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ \u009b31mC1';
const BIDI = 'invoice\u202Efdp.exe\u202C \u2066isolate\u2069 \u200Fmark \u061Calm';
/** No CR or LF: in SSE those end the line. */
const CONTROLS = 'nul\0 bel\x07 bs\b del\x7f vt\x0b ff\x0c ls\u2028ps\u2029 zw\u200b bom\ufeff tab\t end';
const LONG = 'L'.repeat(10_000);
const DEEP = '['.repeat(10_000) + ']'.repeat(10_000);
const DEEP_OBJECT = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
const PAYLOADS = [HTML, ANSI, BIDI, CONTROLS, LONG, DEEP, DEEP_OBJECT];

/**
 * What a terminal must never receive from a server: C0 (but LF, which ends our lines) and C1
 * controls, DEL, bidi controls, zero-width and invisible characters, line separators, BOM.
 */
// eslint-disable-next-line no-control-regex
const RAW_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function firstUnsafe(text: string): string | undefined {
  const m = RAW_UNSAFE.exec(text);
  return m
    ? `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 30), m.index + 30))}`
    : undefined;
}

/** Runs the CLI to the end (bounded), stdout a pipe (not a terminal). */
function runCli(
  scope: Scope,
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  scope.defer(() => child.kill('SIGKILL'));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`the CLI did not finish within ${timeoutMs} ms: ${args.join(' ')}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      res({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
}

function assertEscapedForTerminal(stdout: string): void {
  assert.equal(firstUnsafe(stdout), undefined, 'no raw control, bidi or invisible character reaches the terminal');
  // The dangerous sequences are visible as text instead.
  assert.ok(stdout.includes('\\e[2J'), 'ANSI shown as \\e');
  assert.ok(stdout.includes('\\x9b31m'), 'C1 CSI shown as \\x9b');
  assert.ok(stdout.includes('\\u202e'), 'bidi override shown as \\u202e');
}

describe('Hostile content through the CLI', () => {
  it('SSE: readable output escapes every control in data, event type, id and comments; long lines and deep JSON arrive whole', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await startServer((_req, res) => {
        sseHead(res);
        res.write(`: comment ${ANSI}\n\n`);
        res.write(`event: ${ANSI}\nid: ${BIDI}\ndata: typed\n\n`);
        for (const p of PAYLOADS) {
          res.write(`data: ${p}\n\n`);
        }
      });
      scope.defer(() => s.close());
      const r = await runCli(scope, [s.url, '--count', String(PAYLOADS.length + 1), '--no-reconnect']);
      assert.equal(r.code, 0, r.stderr);
      t.diagnostic(`CLI finished in ${r.ms} ms, ${r.stdout.length} chars`);
      assertEscapedForTerminal(r.stdout);
      assert.ok(r.stdout.includes(HTML), 'markup is plain text on a terminal, shown as sent');
      assert.ok(r.stdout.includes(LONG), 'the 10,000-character line is whole');
      assert.ok(r.stdout.includes(DEEP) && r.stdout.includes(DEEP_OBJECT), 'deep JSON is printed as sent');
      assert.ok(r.stdout.includes('\\0') && r.stdout.includes('\\u2028') && r.stdout.includes('\\ufeff'));
      const messages = r.stdout.split('\n').filter((l) => l.includes(' ← '));
      assert.equal(messages.length, PAYLOADS.length + 1, 'one line per event: no payload broke a line');
    }),
  );

  it('SSE: a refusal with hostile headers and body is escaped too', T, (t) =>
    hostileCase(t, async (scope) => {
      const s = await startServer((_req, res) => {
        // Latin-1 bytes in a header value reach the client as C1 characters.
        res.writeHead(500, { 'Content-Type': 'text/html', 'X-Evil': '\x9b2J\x9d0;title' }).end(`${HTML}${ANSI}${BIDI}\r\n${CONTROLS}`);
      });
      scope.defer(() => s.close());
      const r = await runCli(scope, [s.url, '--no-reconnect']);
      assert.equal(r.code, 1, 'the connection failed');
      assertEscapedForTerminal(r.stdout);
      assert.ok(r.stdout.includes('x-evil: \\x9b2J\\x9d0;title'), r.stdout);
      assert.ok(r.stdout.includes('\\r\\n'), 'line breaks in the body stay on one line, visibly');
    }),
  );

  it('WebSocket: messages, a close reason and --json output carry no raw control character', T, (t) =>
    hostileCase(t, async (scope) => {
      const reason = `\x1b[2J\u202Ebye\r\n`;
      const srv = await startWsServer({
        onConnection: (ws) => {
          for (const p of [...PAYLOADS, `cr\roverwrite\nnew line`]) {
            ws.send(p);
          }
          ws.send(Buffer.from('\x1b[2J\0\x07binary'), { binary: true });
          ws.close(4000, reason);
        },
      });
      scope.defer(() => srv.close());
      const readable = await runCli(scope, [srv.url, '--no-reconnect']);
      assert.equal(readable.code, 0, readable.stderr);
      assertEscapedForTerminal(readable.stdout);
      assert.ok(readable.stdout.includes('cr\\roverwrite\\nnew line'), 'CR and LF inside a message are escaped');
      assert.ok(readable.stdout.includes('closed by server code 4000: \\e[2J\\u202ebye\\r\\n'), readable.stdout.slice(-300));
      assert.ok(readable.stdout.includes(LONG) && readable.stdout.includes(DEEP));

      const json = await runCli(scope, [srv.url, '--no-reconnect', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.equal(firstUnsafe(json.stdout), undefined, '--json lines are safe on a terminal too');
      const records = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; data?: string; format?: string; reason?: string });
      const texts = records.filter((r) => r.kind === 'message' && r.format === 'text').map((r) => r.data);
      assert.deepEqual(texts, [...PAYLOADS, `cr\roverwrite\nnew line`], 'the data itself is intact');
      assert.equal(records.find((r) => r.kind === 'close')?.reason, reason);
    }),
  );
});

function time<T>(fn: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
}

function hostileRecords(): ConnRecord[] {
  const at = { time: '2026-01-01T00:00:00.000Z' };
  const big = 'x'.repeat(10 * 1024 * 1024);
  const out: ConnRecord[] = [];
  let seq = 0;
  for (const p of [...PAYLOADS, `cr\roverwrite\nline`, big + ANSI]) {
    out.push({
      ...at,
      seq: ++seq,
      kind: 'message',
      dir: 'in',
      format: 'text',
      data: p,
      size: p.length,
      event: ANSI,
      id: BIDI,
      lastEventId: BIDI,
    });
    out.push({ ...at, seq: ++seq, kind: 'message', dir: 'in', format: 'text', data: p, size: p.length });
  }
  out.push(
    { ...at, seq: ++seq, kind: 'comment', text: ANSI + BIDI },
    { ...at, seq: ++seq, kind: 'close', code: 4000, reason: ANSI + BIDI, clean: true, by: 'server' },
    { ...at, seq: ++seq, kind: 'closing', code: 4000, reason: ANSI },
    {
      ...at,
      seq: ++seq,
      kind: 'error',
      code: 'ERR_HTTP_STATUS',
      message: `HTTP 500 ${ANSI}`,
      fatal: true,
      status: 500,
      statusText: BIDI,
      headers: { 'x-evil': '\x9b2J' },
      body: HTML + ANSI + LONG,
    },
    {
      ...at,
      seq: ++seq,
      kind: 'open',
      url: `http://127.0.0.1/${BIDI}`,
      status: 200,
      statusText: ANSI,
      headers: { 'content-type': `text/event-stream${ANSI}` },
      protocol: ANSI,
      extensions: BIDI,
    },
    {
      ...at,
      seq: ++seq,
      kind: 'connecting',
      url: 'http://127.0.0.1/',
      method: 'GET',
      headers: {},
      attempt: 1,
      lastEventId: ANSI,
      protocols: [BIDI],
    },
    { ...at, seq: ++seq, kind: 'info', message: CONTROLS },
    { ...at, seq: seq + 1, kind: 'ping', dir: 'in', data: Buffer.from(ANSI).toString('base64'), size: ANSI.length },
  );
  return out;
}

describe('Hostile content: formatting is total and bounded', () => {
  it(
    'CLI formatting (readable, coloured and --json) never throws, escapes every control, and takes milliseconds',
    { timeout: 60_000 },
    () => {
      let slowest = 0;
      for (const r of hostileRecords()) {
        for (const color of [false, true]) {
          const { value, ms } = time(() => formatRecord(r, { color }));
          slowest = Math.max(slowest, ms);
          // Our own colours are the only escapes written when coloured.
          // eslint-disable-next-line no-control-regex
          const withoutOurs = color ? value.replace(/\x1b\[[0-9;]*m/g, '') : value;
          assert.equal(firstUnsafe(withoutOurs), undefined, `${r.kind} (color ${color})`);
        }
        const { value: line, ms } = time(() => jsonLine(r));
        slowest = Math.max(slowest, ms);
        assert.equal(firstUnsafe(line), undefined, `--json ${r.kind}`);
        assert.deepEqual(JSON.parse(line), r, 'the JSON line is the record');
      }
      const { value: escaped, ms } = time(() => escapeText(ANSI.repeat(100_000)));
      assert.equal(firstUnsafe(escaped), undefined, '3 MB of escapes');
      // How long it took is the benchmark's business; a runaway (a backtracking regex) hits the test's timeout.
      console.log(`escaping 3 MB of escapes: ${ms.toFixed(0)} ms; slowest record ${slowest.toFixed(0)} ms`);
    },
  );

  it(
    'panel formatting (previews, detail text, JSON pretty-printing) never throws, shows controls visibly, bounds deep JSON',
    { timeout: 60_000 },
    () => {
      let slowest = 0;
      for (const r of hostileRecords()) {
        const { value, ms } = time(() => previewOf(r as Parameters<typeof previewOf>[0]));
        slowest = Math.max(slowest, ms);
        assert.equal(firstUnsafe(value), undefined, `preview of ${r.kind}`);
        assert.ok(value.length <= 2000, `a preview is clipped (${value.length} chars)`);
      }
      for (const p of [...PAYLOADS, `cr\roverwrite\nline`]) {
        assert.equal(firstUnsafe(escapeControl(p)), undefined);
        // The detail pane keeps LF and TAB only.
        assert.equal(firstUnsafe(escapeControlMultiline(p).replace(/[\n\t]/g, '')), undefined);
        assert.equal(firstUnsafe(quoted(p)), undefined);
      }
      for (const doc of [DEEP, DEEP_OBJECT]) {
        const { value, ms } = time(() => prettyJson(doc));
        slowest = Math.max(slowest, ms);
        assert.equal(value.ok, false);
        assert.ok(!value.ok && value.reason === 'limit', 'too deep to pretty-print: shown raw, not a stack overflow');
      }
      const ok = prettyJson(
        // eslint-disable-next-line no-control-regex
        `{"k":"${ANSI.replace(/\\/g, '\\\\').replace(/[\x00-\x1f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\u202e"}`,
      );
      assert.ok(ok.ok, 'escaped JSON pretty-prints');
      assert.equal(firstUnsafe(ok.ok ? ok.tokens.map((tk) => tk.t).join('') : ''), undefined, 'tokens carry no raw bidi');
      console.log(`slowest pretty-print ${slowest.toFixed(0)} ms`);
    },
  );
});
