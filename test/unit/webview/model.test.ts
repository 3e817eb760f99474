import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnRecord } from '../../../src/protocol';
import { previewOf } from '../../../webview/format/labels';
import { NO_FILTER, RecordModel, compileText, type FilterSpec } from '../../../webview/model';

let seq = 0;
const t = '2026-01-02T03:04:05.006Z';
const sse = (data: string, event = 'message', id?: string): ConnRecord => ({
  kind: 'message',
  seq: ++seq,
  time: t,
  dir: 'in',
  format: 'text',
  data,
  size: data.length,
  event,
  id,
});
const out = (data: string): ConnRecord => ({ kind: 'message', seq: ++seq, time: t, dir: 'out', format: 'text', data, size: data.length });
const info = (message: string): ConnRecord => ({ kind: 'info', seq: ++seq, time: t, message });
const spec = (s: Partial<FilterSpec>): FilterSpec => ({ ...NO_FILTER, dirs: { ...NO_FILTER.dirs }, ...s });
const rows = (m: RecordModel) => Array.from({ length: m.count }, (_, i) => m.at(i)!.seq);

describe('webview model: filter', () => {
  it('matches plain text case-insensitively over data, type and id', () => {
    const m = new RecordModel();
    const a = sse('Hello World'),
      b = sse('other', 'tick'),
      c = sse('x', 'message', 'ID-7');
    m.replace([a, b, c]);
    m.setFilter(spec({ text: 'hello' }));
    assert.deepEqual(rows(m), [a.seq]);
    m.setFilter(spec({ text: 'TICK' }));
    assert.deepEqual(rows(m), [b.seq]);
    m.setFilter(spec({ text: 'id-7' }));
    assert.deepEqual(rows(m), [c.seq]);
  });
  it('treats /re/flags as a regular expression', () => {
    const m = new RecordModel();
    const a = sse('price=42'),
      b = sse('PRICE=x');
    m.replace([a, b]);
    m.setFilter(spec({ text: '/price=\\d+/' }));
    assert.deepEqual(rows(m), [a.seq]);
    m.setFilter(spec({ text: '/price/i' }));
    assert.deepEqual(rows(m), [a.seq, b.seq]);
  });
  it('drops the stateful g and y flags so every record is tested from the start', () => {
    const m = new RecordModel();
    const recs = [sse('aa'), sse('aa'), sse('aa')];
    m.replace(recs);
    m.setFilter(spec({ text: '/a/g' }));
    assert.equal(m.count, 3);
  });
  it('reports an invalid regex as an error instead of throwing, and still filters by direction', () => {
    const m = new RecordModel();
    m.replace([sse('a'), out('b'), info('c')]);
    const r = m.setFilter(spec({ text: '/(unclosed/', dirs: { in: false, out: true, system: true } }));
    assert.ok(r.error);
    assert.equal(m.count, 2);
    assert.equal(compileText('/[/').ok, false);
  });
  it('filters by direction and by types', () => {
    const m = new RecordModel();
    const a = sse('a', 'tick'),
      b = out('b'),
      c = info('c'),
      d = sse('d', 'news');
    m.replace([a, b, c, d]);
    m.setFilter(spec({ dirs: { in: false, out: true, system: false } }));
    assert.deepEqual(rows(m), [b.seq]);
    m.setFilter(spec({ dirs: { in: true, out: false, system: true } }));
    assert.deepEqual(rows(m), [a.seq, c.seq, d.seq]);
    m.setFilter(spec({ hiddenTypes: ['tick', 'text', 'info'] }));
    assert.deepEqual(rows(m), [d.seq]);
    m.setFilter(spec({ hiddenTypes: ['tick', 'info'] }));
    assert.deepEqual(rows(m), [b.seq, d.seq]);
    assert.deepEqual(new Set(m.types()), new Set(['tick', 'text', 'info', 'news']));
    m.setFilter(spec({}));
    assert.equal(m.filtering, false);
    assert.equal(m.count, 4);
  });
  it('matches a system row on the text the row shows: attempt, close code, error message', () => {
    const m = new RecordModel();
    const connecting: ConnRecord = { kind: 'connecting', seq: ++seq, time: t, url: 'ws://127.0.0.1/feed', headers: {}, attempt: 3 };
    const reconnecting = { kind: 'reconnecting', seq: ++seq, time: t, delayMs: 2000, attempt: 4, maxAttempts: 10 } as ConnRecord;
    const close = { kind: 'close', seq: ++seq, time: t, code: 1011, reason: 'upstream gone', by: 'server', clean: true } as ConnRecord;
    const error = { kind: 'error', seq: ++seq, time: t, code: 'ERR_NETWORK', message: 'connect refused', fatal: false } as ConnRecord;
    m.replace([connecting, reconnecting, close, error, sse('attempt 3 in data')]);
    m.setFilter(spec({ text: 'attempt 3' }));
    assert.deepEqual(rows(m), [connecting.seq, seq]);
    m.setFilter(spec({ text: 'attempt 4 of 10' }));
    assert.deepEqual(rows(m), [reconnecting.seq]);
    m.setFilter(spec({ text: 'closed 1011' }));
    assert.deepEqual(rows(m), [close.seq]);
    m.setFilter(spec({ text: 'refused' }));
    assert.deepEqual(rows(m), [error.seq]);
  });

  it('hides control frames: ping, pong, retry and comment rows', () => {
    const m = new RecordModel();
    const ping = { kind: 'ping', seq: ++seq, time: t, dir: 'in', data: '', size: 0 } as ConnRecord;
    const pong = { kind: 'pong', seq: ++seq, time: t, dir: 'out', data: '', size: 0, auto: true } as ConnRecord;
    const retry: ConnRecord = { kind: 'retry', seq: ++seq, time: t, ms: 1000 };
    const comment: ConnRecord = { kind: 'comment', seq: ++seq, time: t, text: 'keep-alive' };
    const a = sse('a');
    m.replace([ping, pong, retry, comment, a, info('i')]);
    m.setFilter(spec({ hideControl: true }));
    assert.deepEqual(rows(m), [a.seq, seq]);
    assert.equal(m.filtering, true);
  });

  it('findings only: every continuity record (a good resume too) and nothing else, combined with the text, also for appended records', () => {
    const m = new RecordModel();
    const finding = (status: 'resumed' | 'gap' | 'duplicate' | 'restarted', id: string): ConnRecord => ({
      kind: 'continuity',
      seq: ++seq,
      time: t,
      status,
      lastEventId: '9',
      id,
      missing: status === 'gap' ? 2 : 0,
      duplicates: status === 'duplicate' ? 1 : 0,
      basis: '9 ids in sequence from 1',
    });
    const resumed = finding('resumed', '10');
    const gap = finding('gap', '13');
    m.replace([sse('gap in the data', 'message', '10'), resumed, info('reconnecting'), sse('b', 'message', '13'), gap]);
    m.setFilter(spec({ findingsOnly: true }));
    assert.deepEqual(rows(m), [resumed.seq, gap.seq]);
    assert.equal(m.filtering, true);
    m.setFilter(spec({ findingsOnly: true, text: 'gap' }));
    assert.deepEqual(rows(m), [gap.seq], 'the text narrows the findings; a message that says "gap" is no finding');
    m.setFilter(spec({ findingsOnly: true }));
    const duplicate = finding('duplicate', '12');
    const restarted = finding('restarted', '1');
    m.append([sse('c', 'message', '12'), duplicate, restarted]);
    assert.deepEqual(rows(m), [resumed.seq, gap.seq, duplicate.seq, restarted.seq]);
    m.setFilter(spec({}));
    assert.equal(m.count, 8);
    assert.equal(m.filtering, false);
  });

  it('folds a repeated unchanged retry into its first row, which counts them; a new value or attempt starts a new row', () => {
    const m = new RecordModel();
    const retry = (ms: number): ConnRecord => ({ kind: 'retry', seq: ++seq, time: t, ms });
    const first = retry(1000);
    const all: ConnRecord[] = [first];
    for (let i = 0; i < 36; i++) {
      all.push(sse(`e${i}`), retry(1000));
    }
    m.replace(all);
    assert.equal(m.total, 73, 'every record is kept');
    assert.equal(m.count, 37, 'the 36 repeats have no row');
    assert.equal(m.filtering, false, 'folding is not a filter');
    assert.equal(previewOf(m.at(0)!), 'retry: 1000 ms ×37');
    const changed = retry(2000);
    m.append([sse('x'), retry(1000), changed, retry(2000)]);
    assert.equal(previewOf(m.at(0)!), 'retry: 1000 ms ×38');
    assert.equal(m.at(m.count - 1)!.seq, changed.seq);
    assert.equal(previewOf(m.at(m.count - 1)!), 'retry: 2000 ms ×2');
    assert.equal(JSON.stringify(m.at(0)), JSON.stringify({ ...first }), 'the record itself is unchanged');
    const connecting: ConnRecord = { kind: 'connecting', seq: ++seq, time: t, url: 'http://127.0.0.1/', headers: {}, attempt: 1 };
    const after = retry(2000);
    m.append([connecting, after]);
    assert.equal(m.at(m.count - 1)!.seq, after.seq, 'a new attempt shows its retry');
    m.setFilter(spec({ text: '×38' }));
    assert.deepEqual(rows(m), [first.seq]);
  });

  it('a folded run whose first record is dropped by the cap is headed by its oldest record left', () => {
    const m = new RecordModel(100);
    const recs: ConnRecord[] = [];
    for (let i = 0; i < 60; i++) {
      recs.push({ kind: 'retry', seq: ++seq, time: t, ms: 500 }, sse(`e${i}`));
    }
    m.append(recs.slice(0, 100));
    assert.equal(m.count, 51);
    m.append(recs.slice(100));
    assert.equal(m.total, 90);
    assert.equal(m.at(0)!.kind, 'retry');
    assert.equal(m.at(0)!.seq, recs[30].seq);
    assert.equal(previewOf(m.at(0)!), 'retry: 500 ms ×45');
    assert.equal(m.count, 46);
  });

  it('filters appended records incrementally and ignores records it already has', () => {
    const m = new RecordModel();
    m.setFilter(spec({ text: 'keep' }));
    const a = sse('keep 1'),
      b = sse('drop'),
      c = sse('keep 2');
    assert.equal(m.append([a, b]).visibleAdded, 1);
    assert.equal(m.append([a, b, c]).visibleAdded, 1);
    assert.deepEqual(rows(m), [a.seq, c.seq]);
    assert.equal(m.total, 3);
    assert.equal(m.rowOfSeq(c.seq), 1);
    assert.equal(m.rowOfSeq(b.seq), -1);
  });
  it('caps its own records, dropping the oldest and re-indexing the filtered view', () => {
    const m = new RecordModel(100);
    m.setFilter(spec({ text: 'even' }));
    const recs = Array.from({ length: 150 }, (_, i) => sse(i % 2 ? 'odd' : 'even'));
    m.append(recs);
    assert.ok(m.total <= 100);
    assert.equal(m.viewDropped, 150 - m.total);
    for (let i = 0; i < m.count; i++) {
      assert.equal(m.at(i)!.kind === 'message' && (m.at(i) as { data: string }).data, 'even');
    }
    assert.equal(m.at(m.count - 1)!.seq, recs[148].seq);
  });
  it('narrows the current rows when the text is extended, and widens again when it is shortened', () => {
    const m = new RecordModel();
    const recs = ['alpha', 'alpine', 'beta', 'ALPS'].map((d) => sse(d));
    m.replace(recs);
    m.setFilter(spec({ text: 'al' }));
    assert.deepEqual(rows(m), [recs[0].seq, recs[1].seq, recs[3].seq]);
    m.setFilter(spec({ text: 'alp' }));
    assert.deepEqual(rows(m), [recs[0].seq, recs[1].seq, recs[3].seq]);
    m.setFilter(spec({ text: 'alpi' }));
    assert.deepEqual(rows(m), [recs[1].seq]);
    m.setFilter(spec({ text: 'al' }));
    assert.deepEqual(rows(m), [recs[0].seq, recs[1].seq, recs[3].seq]);
    m.setFilter(spec({ text: 'al', dirs: { in: true, out: true, system: false } }));
    m.setFilter(spec({ text: 'als' }));
    assert.deepEqual(rows(m), []);
    m.setFilter(spec({ text: '/^a/' }));
    assert.deepEqual(rows(m), [recs[0].seq, recs[1].seq]);
    m.setFilter(spec({ text: '/^al/i' }));
    assert.deepEqual(rows(m), [recs[0].seq, recs[1].seq, recs[3].seq]);
  });
  it('filters 100,000 records, and a narrowed filter finds exactly what a full pass finds (speed: npm run bench)', () => {
    const m = new RecordModel();
    const recs: ConnRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      recs.push(
        sse(
          `{"n":${i},"sym":"AB${i % 97}","price":${(i * 1.37).toFixed(2)},"pad":"${'x'.repeat(40)}"}`,
          i % 3 ? 'tick' : 'quote',
          String(i),
        ),
      );
    }
    m.replace(recs);
    const sym = (i: number) => `AB${i % 97}"`;
    // Full passes (the filter is cleared in between, so none of them narrows the previous one).
    for (const [needle, want] of [
      ['ab42"', recs.filter((_, i) => sym(i) === 'AB42"').length],
      ['AB17"', recs.filter((_, i) => sym(i) === 'AB17"').length],
      ['quote', recs.filter((_, i) => i % 3 === 0).length],
    ] as const) {
      m.setFilter(spec({}));
      m.setFilter(spec({ text: needle }));
      assert.equal(m.count, want, needle);
    }
    // 'quote' then 'quote"' narrows the previous result; it must equal a pass from scratch.
    m.setFilter(spec({ text: 'quote"' }));
    const narrowed = rows(m);
    m.setFilter(spec({}));
    m.setFilter(spec({ text: 'quote"' }));
    assert.deepEqual(narrowed, rows(m));
    m.setFilter(spec({}));
    m.setFilter(spec({ text: '/AB4[0-2]"/' }));
    assert.equal(m.count, recs.filter((_, i) => ['AB40"', 'AB41"', 'AB42"'].includes(sym(i))).length);
  });
});
