// Over 400 lines: one table of record shapes packed and unpacked every way the panel does.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redactor';
import type { ConnRecord } from '../../../src/core/records';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import {
  ABSENT,
  BatchWriter,
  BINARY,
  EVENT_LEN_FIELD,
  FLAGS_FIELD,
  LARGE,
  LAST_ID_LEN_FIELD,
  NAMED,
  OUT,
  ROW_FIELDS,
  SAME_AS_ID,
  packBatch,
  unpackBatch,
} from '../../../src/core/batchFormat';
import { packStored } from '../../../src/panel/batch';
import { MessageStore } from '../../../src/core/store';
import { forWebview } from '../../../src/panel/forWebview';
import type * as BatchFormat from '../../../src/core/batchFormat';

const T = (ms: number) => new Date(Date.UTC(2026, 10, 24, 9, 0, 0, ms)).toISOString();

/** A connection's life in records: state changes, SSE events, WS frames both ways, pings, a large one. */
function mixed(): ConnRecord[] {
  let seq = 40;
  const r = (rec: object, ms: number) => ({ seq: ++seq, time: T(ms), ...rec }) as ConnRecord;
  return [
    r(
      {
        kind: 'connecting',
        url: 'http://127.0.0.1:1/sse',
        method: 'GET',
        headers: { Accept: 'text/event-stream' },
        attempt: 0,
        state: 'connecting',
      },
      0,
    ),
    r({ kind: 'open', url: 'http://127.0.0.1:1/sse', status: 200, headers: {}, state: 'open' }, 1),
    r({ kind: 'message', dir: 'in', format: 'text', data: '{"a":1}', size: 7, event: 'tick', id: '1', lastEventId: '1' }, 2),
    r({ kind: 'message', dir: 'in', format: 'text', data: 'plain "quoted"\n', size: 15, id: '2', lastEventId: '2' }, 2),
    r({ kind: 'comment', text: 'heartbeat' }, 2),
    r({ kind: 'message', dir: 'in', format: 'text', data: '', size: 0, lastEventId: '2' }, 3),
    r({ kind: 'message', dir: 'out', format: 'text', data: 'héllo ✓', size: 10 }, 3),
    r({ kind: 'message', dir: 'in', format: 'binary', data: Buffer.from([0, 255, 7]).toString('base64'), size: 3 }, 3),
    r({ kind: 'ping', dir: 'in', data: '', size: 0 }, 4),
    r({ kind: 'pong', dir: 'out', data: '', size: 0, auto: true }, 4),
    r({ kind: 'message', dir: 'in', format: 'text', data: 'x'.repeat(50), size: 50, large: true }, 5),
    r({ kind: 'message', dir: 'in', format: 'text', data: 'tab\there', size: 8, event: 'message' }, 5),
    r({ kind: 'close', code: 1000, reason: 'bye', clean: true, by: 'server', state: 'closed' }, 6),
  ];
}

/** What the webview reads once the post has crossed (a structured clone, typed arrays and all). */
const wire = <T>(x: T): T => structuredClone(x);
/** A record as JSON sees it: a field set to undefined is no field. */
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

test('a packed batch unpacks to the same records, in order, whatever their kinds and optional fields', () => {
  const records = mixed();
  const batch = packBatch(records);
  assert.deepEqual(json(unpackBatch(wire(batch))), json(records));
  // Messages are rows of the columns; the rest travel whole.
  assert.equal(batch.fields.length, 7 * 6);
  assert.deepEqual(
    batch.others.map(([at, r]) => [at, r.kind]),
    [
      [0, 'connecting'],
      [1, 'open'],
      [4, 'comment'],
      [8, 'ping'],
      [9, 'pong'],
      [12, 'close'],
    ],
  );
  // Row flags: the fourth row went out, the fifth is binary, the sixth large.
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((row) => batch.fields[row * 6]),
    [0, 0, 0, 1, 2, 4, 0],
  );
  // The strings are UTF-8 bytes: 'héllo ✓' is 10 bytes.
  assert.equal(batch.fields[3 * 6 + 1], 10);
});

test('seq and time travel as runs, the text as bytes: a flood costs a few bytes a message beyond its text', () => {
  const records: ConnRecord[] = [];
  for (let i = 1; i <= 1000; i++) {
    records.push({
      kind: 'message',
      dir: 'in',
      format: 'text',
      data: `m${i}`,
      size: String(i).length + 1,
      seq: i,
      time: T(Math.floor(i / 400)),
    });
  }
  const batch = packBatch(records);
  assert.deepEqual(batch.seq, [1, 1000]);
  assert.deepEqual(batch.time, [T(0), 399, T(1), 400, T(2), 201]);
  assert.equal(
    batch.text.length,
    records.reduce((n, r) => n + (r.kind === 'message' ? r.data.length : 0), 0),
  );
  assert.equal(batch.text.buffer.byteLength, batch.text.length, 'the text owns its buffer exactly (the editor sends whole buffers)');
  assert.equal(batch.fields.buffer.byteLength, batch.fields.byteLength);
  assert.deepEqual(unpackBatch(wire(batch)), records);
});

test('SSE events whose lastEventId is their id carry the id once', () => {
  const records: ConnRecord[] = [1, 2, 3].map((i) => ({
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: `d${i}`,
    size: 2,
    id: String(i),
    lastEventId: String(i),
    event: 'e',
    seq: i,
    time: T(0),
  }));
  const batch = packBatch(records);
  assert.deepEqual(
    [0, 1, 2].map((row) => batch.fields[row * 6 + 4]),
    [-2, -2, -2],
  );
  // The event type is listed once; the text holds each row's data and id.
  assert.deepEqual(batch.events, ['e']);
  assert.equal(new TextDecoder().decode(batch.text), 'd11d22d33');
  assert.deepEqual(unpackBatch(wire(batch)), records);
});

test('a gap in seq (records the view left out) starts a new run', () => {
  const records: ConnRecord[] = [1, 2, 5, 6, 9].map((seq) => ({
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: 'x',
    size: 1,
    seq,
    time: T(0),
  }));
  const batch = packBatch(records);
  assert.deepEqual(batch.seq, [1, 2, 5, 2, 9, 1]);
  assert.deepEqual(
    unpackBatch(wire(batch)).map((r) => r.seq),
    [1, 2, 5, 6, 9],
  );
});

test('the view transform runs before packing: secrets are masked and large messages cut in what is sent', () => {
  const records: ConnRecord[] = [
    { kind: 'message', dir: 'in', format: 'text', data: 'key=s3cret-value', size: 16, seq: 1, time: T(0) },
    { kind: 'message', dir: 'in', format: 'text', data: 'y'.repeat(100), size: 100, seq: 2, time: T(0) },
  ];
  const redactor = new Redactor(['s3cret-value']);
  const batch = packBatch(records, (r) => forWebview(r, redactor, 10));
  assert.ok(!JSON.stringify(batch).includes('s3cret-value'));
  assert.ok(!Buffer.from(batch.text).toString('utf8').includes('s3cret-value'));
  const out = unpackBatch(wire(batch));
  assert.ok(out[0].kind === 'message' && out[0].data === 'key=••••');
  assert.ok(out[1].kind === 'message' && out[1].data.length === 10 && out[1].large === true);
  assert.ok(records[0].kind === 'message' && records[0].data === 'key=s3cret-value', 'the stored record is untouched');
});

test('an empty batch unpacks to no records', () => {
  assert.deepEqual(unpackBatch(wire(packBatch([]))), []);
});

test('packed from the store, bytes as stored, the batch is the one packed from the records', () => {
  const store = new MessageStore({ displayLimit: 40 });
  const records = mixed();
  records.push({ kind: 'message', dir: 'in', format: 'text', data: '{"big":"' + 'z'.repeat(60) + '"}', size: 70, seq: 60, time: T(7) });
  for (const r of records) {
    store.add(r);
  }
  const redactor = new Redactor();
  const viewed = store.toArray().map((r) => forWebview(r, redactor, 40));
  for (const [from, to] of [
    [0, store.size],
    [3, 9],
    [5, 6],
  ]) {
    const fromStore = packStored(store, from, to, redactor, 40);
    const fromObjects = packBatch(viewed.slice(from, to));
    assert.deepEqual(fromStore, fromObjects, `positions ${from}-${to}`);
    assert.deepEqual(json(unpackBatch(wire(fromStore))), json(viewed.slice(from, to)));
  }
  const last = unpackBatch(wire(packStored(store, store.size - 1, store.size, redactor, 40)))[0];
  assert.ok(last.kind === 'message' && last.large === true && last.data.length === 40, 'a large message goes as a preview');
});

test('packed from a store that wrapped around and evicted, with rows it cannot take as they are between the others, the batch is the one packed from the records', () => {
  const store = new MessageStore({ maxRecords: 9, displayLimit: 40 });
  const redactor = new Redactor();
  const records = mixed();
  for (let round = 0; round < 3; round++) {
    records.forEach((r, i) => {
      const copy = { ...r, seq: round * 100 + i + 1 } as ConnRecord;
      store.add(copy);
    });
    store.add({ kind: 'message', dir: 'in', format: 'text', data: 'x'.repeat(60), size: 60, seq: round * 100 + 99, time: T(9) });
    const viewed = store.toArray().map((r) => forWebview(r, redactor, 40));
    for (const [from, to] of [
      [0, store.size],
      [2, 7],
      [4, 5],
    ]) {
      assert.deepEqual(
        packStored(store, from, to, redactor, 40),
        packBatch(viewed.slice(from, to)),
        `round ${round}, positions ${from}-${to}`,
      );
    }
  }
});

test('packed from the store with secrets to mask, no secret is sent', () => {
  const store = new MessageStore();
  store.add({
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: 'token s3cret-value here',
    size: 23,
    id: 's3cret-value',
    seq: 1,
    time: T(0),
  });
  store.add({ kind: 'message', dir: 'in', format: 'text', data: 'plain', size: 5, seq: 2, time: T(0) });
  const batch = packStored(store, 0, 2, new Redactor(['s3cret-value']), 1000);
  assert.ok(!Buffer.from(batch.text).toString('utf8').includes('s3cret'));
  const out = unpackBatch(wire(batch));
  assert.ok(out[0].kind === 'message' && out[0].data === 'token •••• here' && out[0].id === '••••');
  assert.ok(out[1].kind === 'message' && out[1].data === 'plain');
});

test('non-ASCII text unpacks right, string by string', () => {
  const records = ['ascii', 'Grüße', '日本語 ✓', '😀 emoji', ''].map(
    (data, i) =>
      ({
        kind: 'message',
        dir: 'in',
        format: 'text',
        data,
        size: Buffer.byteLength(data),
        event: i % 2 ? 'évt' : undefined,
        seq: i + 1,
        time: T(0),
      }) as ConnRecord,
  );
  assert.deepEqual(json(unpackBatch(wire(packBatch(records)))), json(records));
});

test('event types are listed once per batch, up to a bound; beyond it they travel as text, and everything reads back', () => {
  const store = new MessageStore();
  const records: ConnRecord[] = [];
  for (let i = 1; i <= 1500; i++) {
    // 1,300 distinct types (more than the store or a batch lists), then the common ones again.
    const event = i <= 1300 ? `type-${i}` : i % 2 ? 'message' : 'tick';
    records.push({
      kind: 'message',
      dir: 'in',
      format: 'text',
      data: `d${i}`,
      event,
      id: String(i),
      lastEventId: String(i),
      size: String(i).length + 1,
      seq: i,
      time: T(0),
    });
  }
  for (const r of records) {
    store.add(r);
  }
  assert.deepEqual(store.toArray(), records, 'the store gives back every type');
  const fromStore = packStored(store, 0, store.size, new Redactor(), 1000);
  const fromObjects = packBatch(records);
  assert.ok(fromObjects.events.length <= 1024, `${fromObjects.events.length} listed`);
  assert.deepEqual(unpackBatch(wire(fromStore)), records);
  assert.deepEqual(unpackBatch(wire(fromObjects)), records);
});

test('with secrets configured, messages that hold none still go as stored bytes; one that holds one is masked, wherever it is', () => {
  const redactor = new Redactor(['s3cret-value']);
  const store = new MessageStore();
  const plain: ConnRecord[] = [1, 2, 3].map((i) => ({
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: `tick ${i}`,
    event: 'tick',
    id: String(i),
    lastEventId: String(i),
    size: 6,
    seq: i,
    time: T(0),
  }));
  for (const r of plain) {
    store.add(r);
  }
  const clean = packStored(store, 0, store.size, redactor, 1000);
  assert.deepEqual(clean, packBatch(plain), 'no secret in them: packed from the bytes, as without secrets');

  // A secret split across two messages is in neither: both go unmasked, and whole.
  store.add({ kind: 'message', dir: 'in', format: 'text', data: 'ends with s3cret', size: 16, seq: 4, time: T(1) });
  store.add({ kind: 'message', dir: 'in', format: 'text', data: '-value starts this', size: 18, seq: 5, time: T(1) });
  const split = unpackBatch(wire(packStored(store, 3, 5, redactor, 1000)));
  assert.deepEqual(
    split.map((r) => r.kind === 'message' && r.data),
    ['ends with s3cret', '-value starts this'],
  );

  // In the data, the id, the event type (kept once, by name): masked in every place.
  store.add({ kind: 'message', dir: 'in', format: 'text', data: 'x s3cret-value y', size: 16, seq: 6, time: T(2) });
  store.add({
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: 'ok',
    id: 'id-s3cret-value',
    lastEventId: 'id-s3cret-value',
    size: 2,
    seq: 7,
    time: T(2),
  });
  store.add({ kind: 'message', dir: 'in', format: 'text', data: 'ok', event: 's3cret-value', size: 2, seq: 8, time: T(2) });
  const batch = packStored(store, 5, 8, redactor, 1000);
  const sent = JSON.stringify(batch) + Buffer.from(batch.text).toString('utf8');
  assert.ok(!sent.includes('s3cret-value'), sent);
  const out = unpackBatch(wire(batch));
  assert.deepEqual(
    out.map((r) => r.kind === 'message' && [r.data, r.id, r.lastEventId, r.event]),
    [
      ['x •••• y', undefined, undefined, undefined],
      ['ok', 'id-••••', 'id-••••', undefined],
      ['ok', undefined, undefined, '••••'],
    ],
  );
});

test("one set of flags and markers: rows packed from records and from the store carry the format's values as they are", () => {
  const records: ConnRecord[] = [
    { kind: 'message', dir: 'out', format: 'text', data: 'sent', size: 4, seq: 1, time: T(0) },
    { kind: 'message', dir: 'in', format: 'binary', data: Buffer.from([1, 2]).toString('base64'), size: 2, seq: 2, time: T(0) },
    { kind: 'message', dir: 'in', format: 'text', data: 'ev', event: 'tick', id: '3', lastEventId: '3', size: 2, seq: 3, time: T(0) },
    { kind: 'message', dir: 'in', format: 'text', data: 'big', size: 3, large: true, seq: 4, time: T(0) },
  ];
  const fromRecords = packBatch(records);
  const row = (b: { fields: Int32Array }, i: number, field: number) => b.fields[i * ROW_FIELDS + field];
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => row(fromRecords, i, FLAGS_FIELD)),
    [OUT, BINARY, 0, LARGE],
  );
  assert.deepEqual(
    [row(fromRecords, 0, EVENT_LEN_FIELD), row(fromRecords, 2, EVENT_LEN_FIELD), row(fromRecords, 2, LAST_ID_LEN_FIELD)],
    [ABSENT, NAMED, SAME_AS_ID],
  );
  assert.deepEqual(fromRecords.events, ['tick']);

  const store = new MessageStore();
  records.slice(0, 3).forEach((r) => store.add(r));
  const writer = new BatchWriter();
  store.pack(0, store.size, writer, 1000);
  const fromStore = writer.finish();
  assert.deepEqual(
    [0, 1, 2].map((i) => row(fromStore, i, FLAGS_FIELD)),
    [OUT, BINARY, 0],
  );
  assert.deepEqual(fromStore, packBatch(records.slice(0, 3)));
});

test('the store packs a range in one walk: a record that cannot go as bytes is made into an object and viewed once, the others never', () => {
  const store = new MessageStore({ displayLimit: 40 });
  const records = mixed();
  records.push({ kind: 'message', dir: 'in', format: 'text', data: 'z'.repeat(60), size: 60, seq: 60, time: T(7) });
  for (const r of records) {
    store.add(r);
  }
  const redactor = new Redactor();
  for (const bytesUpTo of [40, -1]) {
    const viewed: number[] = [];
    const writer = new BatchWriter((r) => {
      viewed.push(r.seq);
      return forWebview(r, redactor, 40);
    });
    store.pack(0, store.size, writer, bytesUpTo);
    const asObjects = records.filter((r) => bytesUpTo < 0 || r.kind !== 'message' || r.large || r.size > 40);
    assert.deepEqual(
      viewed,
      asObjects.map((r) => r.seq),
      `bytesUpTo ${bytesUpTo}`,
    );
    assert.deepEqual(json(unpackBatch(wire(writer.finish()))), json(records.map((r) => forWebview(r, redactor, 40))));
  }
});

test('the batch format needs neither Node nor the DOM: it packs and unpacks in a bare JavaScript context', () => {
  const module = { exports: {} as Record<string, unknown> };
  const source = readFileSync(join(__dirname, '../../../src/core/batchFormat.js'), 'utf8');
  runInNewContext(source, {
    module,
    exports: module.exports,
    TextEncoder,
    TextDecoder,
    require: (name: string) => {
      throw new Error(`the batch format requires ${name}`);
    },
  });
  const format = module.exports as unknown as typeof BatchFormat;
  const records = mixed();
  assert.equal(JSON.stringify(format.unpackBatch(format.packBatch(records))), JSON.stringify(records));
  const writer = new format.BatchWriter();
  const bytes = new TextEncoder().encode('héllo7');
  writer.storedRow(1, T(0), format.OUT, 6, 6, format.ABSENT, 1, format.SAME_AS_ID, bytes.subarray(0, 7), 0);
  writer.record({ kind: 'comment', text: 'c', seq: 2, time: T(0) });
  assert.equal(
    JSON.stringify(format.unpackBatch(writer.finish())),
    JSON.stringify([
      { seq: 1, time: T(0), kind: 'message', dir: 'out', format: 'text', data: 'héllo', size: 6, id: '7', lastEventId: '7' },
      { kind: 'comment', text: 'c', seq: 2, time: T(0) },
    ]),
  );
});
