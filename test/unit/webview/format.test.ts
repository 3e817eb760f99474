import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnRecord, ConnectionStatus } from '../../../src/protocol';
import { parseBase64, parseHex } from '../../../src/core/payloadText';
import { hexDump, utf8View } from '../../../webview/format/bytes';
import { PRETTY_LIMITS, formatJsonText, prettyJson } from '../../../webview/format/json';
import { previewOf, statusBadge, typeLabel } from '../../../webview/format/labels';
import { escapeControl, escapeControlMultiline, lineEndSegments, visibleLineEnds } from '../../../webview/format/text';
import { formatTime } from '../../../webview/format/time';

const msg = (data: string, extra: Partial<ConnRecord> = {}): ConnRecord =>
  ({
    kind: 'message',
    seq: 1,
    time: '2026-01-02T03:04:05.006Z',
    dir: 'in',
    format: 'text',
    data,
    size: data.length,
    ...extra,
  }) as ConnRecord;

const status = (s: Partial<ConnectionStatus>): ConnectionStatus => ({
  state: 'idle',
  since: 0,
  autoRetry: true,
  attempt: 0,
  maxAttempts: 10,
  reconnectDelayMs: 3000,
  details: {},
  ...s,
});

describe('webview format: preview escaping', () => {
  it('shows control characters and line ends as visible symbols', () => {
    assert.equal(escapeControl('a\nb\r\tc\u0000\u007f\u001b'), 'a\u21b5b\u240d\u2192c\u2400\u2421\u241b');
  });
  it('escapes bidi overrides, isolates, zero-width and line separators so they cannot reorder the row', () => {
    const out = escapeControl('safe\u202Egnp.exe\u2066x\u2069\u200B\u2028');
    assert.equal(out, 'safe\\u202egnp.exe\\u2066x\\u2069\\u200b\\u2028');
    assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200b]/.test(out));
  });
  it('leaves ordinary text, including non-Latin scripts and emoji, untouched', () => {
    const s = 'héllo мир 你好 🙂 <img src=x>';
    assert.equal(escapeControl(s), s);
  });
  it('keeps newlines and tabs in the multi-line form but shows CR', () => {
    assert.equal(escapeControlMultiline('a\r\n\tb\u202e'), 'a\u240d\n\tb\\u202e');
  });
  it('makes SSE line ends visible, each followed by a real line break', () => {
    assert.equal(visibleLineEnds('data: a\r\ndata: b\n\rx'), 'data: a\u240d\u240a\ndata: b\u240a\n\u240d\nx');
  });
  it('splits the raw view into text and line-end pictures, each followed by a real line break', () => {
    assert.deepEqual(lineEndSegments('a\r\nb\n\u0007'), [
      { eol: false, text: 'a' },
      { eol: true, text: '\u240d\u240a' },
      { eol: false, text: '\nb' },
      { eol: true, text: '\u240a' },
      { eol: false, text: '\n\u2407' },
    ]);
    assert.equal(
      lineEndSegments('x\r\n\r\n')
        .map((s) => s.text)
        .join(''),
      visibleLineEnds('x\r\n\r\n'),
    );
  });
  it('previews a message on one line, clipped', () => {
    const p = previewOf(msg('line1\nline2' + 'x'.repeat(1000)));
    assert.ok(!p.includes('\n'));
    assert.ok(p.startsWith('line1\u21b5line2'));
    assert.ok(p.length < 300);
  });
  it('previews a 10,000-char line cut to 240 chars before escaping, so the work is bounded by the cut', () => {
    assert.equal(previewOf(msg('y'.repeat(10_000))), 'y'.repeat(240) + '…');
    // Each bidi override is escaped as 6 chars: only the 240 kept are escaped.
    assert.equal(previewOf(msg('\u202e'.repeat(10_000))), '\\u202e'.repeat(240) + '…');
  });
  it('previews binary data as hex', () => {
    const p = previewOf(
      msg(Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'), { format: 'binary', size: 4 } as Partial<ConnRecord>),
    );
    assert.equal(p, 'de ad be ef');
  });
  it('labels SSE events by type and WS messages by format', () => {
    assert.equal(typeLabel(msg('x', { event: 'tick' } as Partial<ConnRecord>)), 'tick');
    assert.equal(typeLabel(msg('x', { event: '' } as Partial<ConnRecord>)), 'message');
    assert.equal(typeLabel(msg('x')), 'text');
    assert.equal(typeLabel({ kind: 'open', seq: 1, time: '', url: 'u', headers: {} }), 'open');
  });
  it('formats time with milliseconds', () => {
    assert.match(formatTime('2026-01-02T03:04:05.006Z', 'time'), /^\d\d:\d\d:\d\d\.006$/);
    assert.equal(formatTime('2026-01-02T03:04:05.006Z', 'relative', Date.parse('2026-01-02T03:04:04.000Z')), '+1.006 s');
    assert.equal(formatTime('not a date', 'time'), 'not a date');
  });
});

describe('webview format: state badge', () => {
  it('counts down to the next reconnect attempt', () => {
    const now = 1_000_000;
    const b = statusBadge(status({ state: 'reconnecting', attempt: 2, maxAttempts: 10, nextAttemptAt: now + 2_100 }), now);
    assert.equal(b.text, 'Reconnecting in 3 s — attempt 2 of 10');
    assert.equal(
      statusBadge(status({ state: 'reconnecting', attempt: 2, maxAttempts: null, nextAttemptAt: now + 900 }), now).text,
      'Reconnecting in 1 s — attempt 2',
    );
  });
  it('shows the close code and reason, and the HTTP status of a failure', () => {
    assert.equal(
      statusBadge(status({ state: 'closed', lastClose: { code: 1000, reason: 'bye', clean: true } }), 0).text,
      'Closed 1000 "bye"',
    );
    assert.equal(
      statusBadge(
        status({ state: 'failed', lastError: { code: 'ERR_HTTP_STATUS', message: 'x', status: 401, statusText: 'Unauthorized' } }),
        0,
      ).text,
      'Failed: 401 Unauthorized',
    );
  });
  it('says when a connection was not reconnected, with the reason for the tooltip, never a countdown', () => {
    const why = 'The server ended the POST stream; not reconnecting (a POST is sent again after the stream ends only with reconnect.onEnd)';
    const closed = statusBadge(
      status({ state: 'closed', lastClose: { reason: 'The server ended the stream', clean: true }, notReconnected: why }),
      0,
    );
    assert.deepEqual(closed, {
      text: 'Closed, not reconnected: "The server ended the stream"',
      tone: 'idle',
      icon: 'circle-slash',
      detail: why,
    });
    const failed = statusBadge(
      status({
        state: 'failed',
        lastError: { code: 'ERR_NETWORK', message: 'Connection refused by 127.0.0.1:9 (is the server running?)' },
        notReconnected: 'Not retrying: a POST is retried after a network failure only when reconnect.methods includes POST',
      }),
      0,
    );
    assert.equal(failed.text, 'Failed, not retried: Connection refused by 127.0.0.1:9 (is the server running?)');
    assert.equal(failed.tone, 'error');
    assert.match(failed.detail!, /reconnect\.methods includes POST/);
    assert.equal(statusBadge(status({ state: 'closed', lastClose: { code: 1000, reason: 'bye', clean: true } }), 0).detail, undefined);
    assert.equal(
      statusBadge(status({ state: 'closed', lastClose: { clean: true }, notReconnected: why }), 0).text,
      'Closed, not reconnected',
    );
  });
  it('shows open since a clock time', () => {
    assert.match(statusBadge(status({ state: 'open', since: Date.now() }), 0).text, /^Open since \d\d:\d\d:\d\d$/);
  });
});

describe('webview format: JSON pretty printing', () => {
  const text = (s: string) => {
    const r = prettyJson(s);
    assert.ok(r.ok, 'expected JSON');
    return r.tokens.map((t) => t.t).join('');
  };
  it('pretty-prints with two-space indentation and classifies tokens', () => {
    const r = prettyJson('{"a":1,"b":[true,null,"x"],"c":{}}');
    assert.ok(r.ok);
    assert.equal(r.tokens.map((t) => t.t).join(''), '{\n  "a": 1,\n  "b": [\n    true,\n    null,\n    "x"\n  ],\n  "c": {}\n}');
    assert.deepEqual(
      r.tokens.filter((t) => t.c !== 'p').map((t) => t.c),
      ['key', 'num', 'key', 'bool', 'null', 'str', 'key'],
    );
  });
  it('keeps numbers and escapes exactly as sent', () => {
    assert.equal(text('[1.50e+10, "\\u00e9\\n"]'), '[\n  1.50e+10,\n  "\\u00e9\\n"\n]');
  });
  it('rejects what JSON.parse rejects', () => {
    for (const bad of ['{a:1}', '[1,]', '{"a":1', '"x', '01', 'tru', '[1] x', '', '{"a" 1}', '"\u0001"', '"\\x"']) {
      assert.equal(prettyJson(bad).ok, false, bad);
      assert.throws(() => JSON.parse(bad));
    }
  });
  it('accepts top-level scalars', () => {
    assert.equal(text(' 42 '), '42');
    assert.equal(text('"s"'), '"s"');
  });
  it('falls back without throwing on nesting 10,000 deep: cut off at the depth limit', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const r = prettyJson(deep);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'limit');
    assert.equal(!r.ok && r.message, `nested deeper than ${PRETTY_LIMITS.maxDepth} levels`);
    const f = formatJsonText(deep);
    assert.equal(f.ok, false);
  });
  it('handles a deep object within the depth limit', () => {
    const deep = '{"a":'.repeat(200) + '1' + '}'.repeat(200);
    assert.ok(prettyJson(deep).ok);
  });
  it('bounds the work on huge payloads: input over the size limit is not read, output stops at its limit', () => {
    const big = '[' + Array.from({ length: 300_000 }, (_, i) => `{"i":${i},"s":"abcdefgh"}`).join(',') + ']';
    assert.ok(big.length > PRETTY_LIMITS.maxInput);
    const r = prettyJson(big);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'limit');
    assert.match(!r.ok ? r.message : '', /^larger than /);
    // Under the input limit, but its pretty form grows past the output limit: cut off there, not finished.
    const small = { ...PRETTY_LIMITS, maxOutput: 10_000 };
    const doc = '[' + Array.from({ length: 5_000 }, (_, i) => `{"i":${i}}`).join(',') + ']';
    const cut = prettyJson(doc, small);
    assert.equal(cut.ok, false);
    assert.match(!cut.ok ? cut.message : '', /^pretty form over /);
    assert.ok(prettyJson(doc).ok, 'the same document within the default limits');
  });
  it('escapes bidi characters inside strings as valid JSON escapes', () => {
    const r = prettyJson('["a\u202eb"]');
    assert.ok(r.ok);
    const joined = r.tokens.map((t) => t.t).join('');
    assert.ok(joined.includes('"a\\u202eb"'));
    assert.deepEqual(JSON.parse(joined), ['a\u202eb']);
  });
});

describe('webview format: binary', () => {
  it('dumps hex with offsets and an ASCII gutter', () => {
    const d = hexDump(new Uint8Array([...Buffer.from('Hello, world!\n'), 0, 255, 16]));
    assert.equal(
      d.text,
      '00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|\n' + `00000010  ${'10'.padEnd(49)} |.|`,
    );
    assert.equal(d.shown, 17);
  });
  it('caps the dump', () => {
    const d = hexDump(new Uint8Array(100_000), 1024);
    assert.equal(d.shown, 1024);
    assert.equal(d.text.split('\n').length, 64);
  });
  it('decodes UTF-8 with replacement characters', () => {
    assert.equal(utf8View(new Uint8Array([0x68, 0xc3, 0xa9, 0xff, 0x0d])), 'h\u00e9\ufffd\u240d');
  });
  it('parses hex and rejects odd or foreign digits', () => {
    const ok = parseHex('de ad,0xBE:ef');
    assert.ok(ok.ok);
    assert.deepEqual([...(ok.ok ? ok.bytes : [])], [0xde, 0xad, 0xbe, 0xef]);
    assert.equal(parseHex('abc').ok, false);
    assert.equal(parseHex('zz').ok, false);
  });
  it('validates base64', () => {
    assert.equal(parseBase64('aGVsbG8=').ok, true);
    assert.equal(parseBase64('a$b').ok, false);
  });
});
