import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ReceivedText } from '../../../src/core/receivedText';
import { type ConnRecord, type MessageRecord } from '../../../src/core/records';
import { DEFAULT_STORE, MessageStore, recordCost } from '../../../src/core/store';

let seq = 0;
function msg(data: string, s = ++seq): MessageRecord {
  return { kind: 'message', dir: 'in', format: 'text', data, size: Buffer.byteLength(data), seq: s, time: new Date(0).toISOString() };
}

describe('MessageStore', () => {
  it('caps by count, evicting the oldest and counting what it dropped', () => {
    const store = new MessageStore({ maxRecords: 3 });
    const records = [1, 2, 3, 4, 5].map((n) => msg(String(n), n));
    records.forEach((r) => store.add(r));
    assert.equal(store.size, 3);
    assert.equal(store.dropped, 2);
    assert.deepEqual(
      store.toArray().map((r) => r.seq),
      [3, 4, 5],
    );
    assert.equal(store.at(0)?.seq, 3);
    assert.equal(store.at(3), undefined);
  });

  it('keeps event types by name, whatever their order, also after clear()', () => {
    const store = new MessageStore();
    const ev = (event: string, s: number): MessageRecord => ({ ...msg('d', s), event });
    const names = ['message', 'tick', 'message', 'message', 'other', 'message', 'tick'];
    names.forEach((n, i) => store.add(ev(n, i + 1)));
    assert.deepEqual(
      store.toArray().map((r) => (r as MessageRecord).event),
      names,
    );
    store.clear();
    // The list starts again: the name added last before clear() now gets another place in it.
    store.add(ev('tick', 10));
    store.add(ev('other', 11));
    assert.deepEqual(
      store.toArray().map((r) => (r as MessageRecord).event),
      ['tick', 'other'],
    );
  });

  it('caps by bytes, keeping the newest record even when it alone is over the cap', () => {
    const one = recordCost(msg('x'.repeat(100), 0));
    const store = new MessageStore({ maxBytes: one * 2 + 10 });
    for (let i = 1; i <= 4; i++) {
      store.add(msg('x'.repeat(100), i));
    }
    assert.equal(store.size, 2);
    assert.equal(store.dropped, 2);
    assert.ok(store.bytes <= one * 2 + 10);
    store.add(msg('y'.repeat(10_000), 5));
    assert.equal(store.size, 1, 'the newest record is always kept');
    assert.equal(store.at(0)?.seq, 5);
    assert.equal(store.dropped, 4);
  });

  it('flags a message over the display limit as large, keeping it whole', () => {
    const store = new MessageStore({ displayLimit: 10 });
    const big = msg('z'.repeat(11));
    const small = msg('z'.repeat(10));
    store.add(big);
    store.add(small);
    assert.equal((store.bySeq(big.seq) as MessageRecord).large, true);
    assert.equal((store.bySeq(big.seq) as MessageRecord).data.length, 11);
    assert.equal((store.bySeq(small.seq) as MessageRecord).large, undefined);
  });

  it('bySeq finds kept records and not evicted ones', () => {
    const store = new MessageStore({ maxRecords: 5000 });
    for (let i = 1; i <= 12_000; i++) {
      store.add(msg('m', i * 2)); // gaps: only even seqs
    }
    assert.equal(store.size, 5000);
    assert.equal(store.bySeq(2), undefined, 'evicted');
    assert.equal(store.bySeq(24_000)?.seq, 24_000);
    assert.equal(store.bySeq(14_002)?.seq, 14_002);
    assert.equal(store.bySeq(14_001), undefined, 'never existed');
    assert.equal(store.at(0)?.seq, (12_000 - 5000 + 1) * 2, 'compaction keeps positions right');
    assert.deepEqual([...store].length, 5000);
  });

  it('clear() empties and resets the dropped count', () => {
    const store = new MessageStore({ maxRecords: 1 });
    store.add(msg('a'));
    store.add(msg('b'));
    store.clear();
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
    assert.equal(store.dropped, 0);
  });

  it('non-message records count too', () => {
    const store = new MessageStore({ maxRecords: 2 });
    const info: ConnRecord = { kind: 'info', message: 'hi', seq: 1, time: '' };
    store.add(info);
    store.add(msg('a', 2));
    store.add(msg('b', 3));
    assert.deepEqual(
      store.toArray().map((r) => r.kind),
      ['message', 'message'],
    );
  });

  it('gives back every record as it was added, messages of every shape included, across evictions and wrap-around', () => {
    const store = new MessageStore({ maxRecords: 7 });
    const T = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i >> 2)).toISOString();
    const made: ConnRecord[] = [];
    for (let i = 1; i <= 40; i++) {
      const shapes: ConnRecord[] = [
        { kind: 'message', dir: 'in', format: 'text', data: `{"n":${i},"s":"Grüße ✓ 😀"}`, size: 0, seq: i, time: T(i) },
        {
          kind: 'message',
          dir: 'in',
          format: 'text',
          data: `ev ${i}`,
          event: 'tick',
          id: String(i),
          lastEventId: String(i),
          size: 0,
          seq: i,
          time: T(i),
        },
        { kind: 'message', dir: 'in', format: 'text', data: '', event: '', lastEventId: 'older', size: 0, seq: i, time: T(i) },
        { kind: 'message', dir: 'out', format: 'binary', data: Buffer.from([i, 0, 255]).toString('base64'), size: 3, seq: i, time: T(i) },
        { kind: 'message', dir: 'in', format: 'text', data: 'x'.repeat(i * 50), size: i * 50, id: '', seq: i, time: T(i) },
        { kind: 'comment', text: `c${i}`, seq: i, time: T(i) },
        {
          kind: 'message',
          dir: 'in',
          format: 'text',
          data: `données ✓ ${i}`,
          event: 'évt',
          id: `ïd${i}`,
          lastEventId: `ïd${i}`,
          size: 0,
          seq: i,
          time: T(i),
        },
        {
          kind: 'message',
          dir: 'in',
          format: 'text',
          data: `d${i}`,
          event: 'e',
          id: `${i}`,
          lastEventId: 'prév',
          size: 0,
          seq: i,
          time: T(i),
        },
      ];
      const r = shapes[i % shapes.length];
      if (r.kind === 'message' && r.size === 0) {
        r.size = Buffer.byteLength(r.data);
      }
      made.push(r);
      store.add(r);
      const want = made.slice(-7);
      assert.deepEqual(store.toArray(), want, `after ${i}`);
      assert.deepEqual(store.bySeq(i), r);
    }
    assert.equal(store.dropped, 33);
  });

  it('grows its ring when full, also after byte-cap evictions made it wrap, keeping order and every field', () => {
    const store = new MessageStore({ maxRecords: 10_000, maxBytes: 400_000 });
    const made: ConnRecord[] = [];
    const add = (r: ConnRecord) => {
      made.push(r);
      store.add(r);
    };
    // Large messages first: the byte cap evicts them while the ring is far from full, so its oldest
    // slot moves on, and the small ones that follow wrap around its end before it has to grow.
    for (let i = 1; i <= 10; i++) {
      add(msg('L'.repeat(100_000), i));
    }
    for (let i = 11; i <= 3000; i++) {
      add(i % 3 ? msg(`m${i} ✓`, i) : { ...msg(`e${i}`, i), event: 'tick', id: String(i), lastEventId: String(i) });
    }
    const kept = store.toArray();
    assert.deepEqual(kept, made.slice(made.length - kept.length));
    assert.ok(kept.length > 2000 && store.dropped === 3000 - kept.length, `${kept.length} kept, ${store.dropped} dropped`);
    assert.deepEqual(store.bySeq(2999), made[2998]);
  });

  it('positionAfter(mark) finds what was added after the mark, still kept, whatever was cleared or evicted', () => {
    const store = new MessageStore({ maxRecords: 5 });
    const since = (mark: number) => {
      const out: number[] = [];
      for (let i = store.positionAfter(mark); i < store.size; i++) {
        out.push(store.at(i)!.seq);
      }
      return out;
    };
    store.add(msg('a', 1));
    store.add(msg('b', 2));
    const mark = store.added;
    assert.deepEqual(since(mark), []);
    store.add(msg('c', 3));
    assert.deepEqual(since(mark), [3]);
    for (let i = 4; i <= 12; i++) {
      store.add(msg(String(i), i));
    }
    assert.deepEqual(since(mark), [8, 9, 10, 11, 12], 'the evicted ones are gone');
    const beforeClear = store.added;
    store.clear();
    store.add(msg('after', 1));
    assert.deepEqual(since(beforeClear), [1], 'seq may start again after a clear');
    assert.equal(store.positionAfter(beforeClear), 0);
    assert.equal(store.lastSeq, 1);
  });

  it('keeps its memory to the caps: the text of evicted messages is freed', () => {
    const store = new MessageStore({ maxRecords: 1000 });
    const before = process.memoryUsage().arrayBuffers;
    const line = 'y'.repeat(10_000);
    for (let i = 1; i <= 20_000; i++) {
      store.add(msg(line, i));
    }
    // 200 MB went through; 1,000 records of 10 kB are kept (10 MB), in chunks of 1 MiB.
    const grown = (process.memoryUsage().arrayBuffers - before) / 1048576;
    assert.ok(grown < 40, `array buffers grew by ${grown.toFixed(1)} MiB`);
    assert.equal(store.size, 1000);
    assert.equal((store.at(0) as MessageRecord).data, line);
  });

  it('a 50 MB message is kept whole', () => {
    const store = new MessageStore();
    const big = 'é'.repeat(25 * 1024 * 1024);
    store.add(msg(big, 1));
    store.add(msg('next', 2));
    const back = store.bySeq(1) as MessageRecord;
    assert.equal(back.data.length, big.length);
    assert.ok(back.data === big);
    assert.equal(back.large, true);
  });

  it('defaults keep memory well under 200 MB', () => {
    assert.ok(DEFAULT_STORE.maxBytes < 200 * 1024 * 1024);
    assert.equal(DEFAULT_STORE.maxRecords, 100_000);
  });

  it('gives back plain records: data is an own property, so a spread and JSON keep it, also for text added as received bytes', () => {
    const store = new MessageStore({ displayLimit: 16 });
    const received = new ReceivedText(Buffer.from('Grüße ✓ from the socket'));
    received.seq = 1;
    received.time = 't';
    store.add(received);
    store.add({ ...msg('{"a":1}', 2), event: 'tick', id: '2', lastEventId: '2' });
    store.add(msg('over the display limit', 3));
    store.add({ kind: 'ping', dir: 'in', data: 'cGluZw==', size: 4, seq: 4, time: 't' });
    const want = ['Grüße ✓ from the socket', '{"a":1}', 'over the display limit', 'cGluZw=='];
    const reads: [string, ConnRecord[]][] = [
      ['at', [0, 1, 2, 3].map((i) => store.at(i)!)],
      ['bySeq', [1, 2, 3, 4].map((s) => store.bySeq(s)!)],
      ['toArray', store.toArray()],
      ['iteration', [...store]],
    ];
    for (const [how, records] of reads) {
      records.forEach((r, i) => {
        assert.ok(!(r instanceof ReceivedText), `${how} ${i}: a plain record`);
        assert.equal(Object.getOwnPropertyDescriptor(r, 'data')?.value, want[i], `${how} ${i}: data is an own value`);
        assert.equal(({ ...r } as { data?: string }).data, want[i], `${how} ${i}: a spread keeps data`);
        assert.equal(JSON.parse(JSON.stringify(r)).data, want[i], `${how} ${i}: JSON keeps data`);
        assert.deepEqual({ ...r }, r);
      });
    }
  });
});
