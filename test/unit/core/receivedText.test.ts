/**
 * Received WebSocket text stays in its bytes until read: the record reads, serialises and spreads like
 * a plain message record, and the store keeps it without decoding it.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ReceivedText } from '../../../src/core/receivedText';
import { type MessageRecord, serializeRecord } from '../../../src/core/records';
import { MessageStore, recordCost } from '../../../src/core/store';
import { packBatch, unpackBatch } from '../../../src/core/batchFormat';
import { packStored } from '../../../src/panel/batch';
import { forWebview } from '../../../src/panel/forWebview';
import { Redactor } from '../../../src/core/redactor';
import { wsConnection } from '../../fixtures/wsHarness';
import { OP, frame, startRawServer, acceptUpgradeByHand, startWsServer } from '../../fixtures/wsServer';

const TEXTS = ['{"a":1}', '', 'Grüße ✓ 😀', 'x'.repeat(70_000), 'line\nbreak\u0000nul'];

function received(text: string, seq: number): ReceivedText {
  // A view into a larger buffer, as `ws` hands over a message cut from a socket read.
  const around = Buffer.concat([Buffer.from('<<'), Buffer.from(text), Buffer.from('>>')]);
  const r = new ReceivedText(around.subarray(2, around.length - 2));
  r.seq = seq;
  r.time = '2026-11-24T10:00:00.000Z';
  return r;
}

function plain(text: string, seq: number): MessageRecord {
  return { kind: 'message', dir: 'in', format: 'text', data: text, size: Buffer.byteLength(text), seq, time: '2026-11-24T10:00:00.000Z' };
}

describe('ReceivedText', () => {
  test('reads, serialises and spreads as the plain record; the bytes go once the text is read', () => {
    TEXTS.forEach((text, i) => {
      const r = received(text, i + 1);
      assert.equal(r.size, Buffer.byteLength(text));
      assert.equal(serializeRecord(r), serializeRecord(plain(text, i + 1)));
    });
    const r = received('Grüße', 1);
    assert.deepEqual(Buffer.from(r.utf8!), Buffer.from('Grüße'));
    assert.equal(r.data, 'Grüße');
    assert.equal(r.utf8, undefined);
    assert.equal(r.data, 'Grüße');
    assert.deepEqual({ ...r, data: r.data }, { ...plain('Grüße', 1), large: undefined });
    r.large = true;
    assert.deepEqual(JSON.parse(serializeRecord(r)), { ...plain('Grüße', 1), large: true });
    r.data = 'masked ••••';
    assert.equal(r.data, 'masked ••••');
    assert.equal(r.utf8, undefined);
  });

  test('counts against the byte cap by its bytes, without decoding', () => {
    const r = received('é'.repeat(100), 1);
    assert.equal(recordCost(r), recordCost(plain('x'.repeat(200), 1)));
    assert.ok(r.utf8);
  });

  test('the store keeps its bytes as they came, never decodes it, and reads back the plain record', () => {
    const store = new MessageStore({ displayLimit: 65_536 });
    const records = TEXTS.map((t, i) => received(t, i + 1));
    for (const r of records) {
      store.add(r);
      assert.ok(r.utf8, 'decoded by the store');
    }
    const expected = TEXTS.map((t, i) => plain(t, i + 1));
    expected[3].large = true;
    assert.deepEqual(store.toArray(), expected);
    // And into the webview's batch from those bytes, as packed from the plain records.
    const redactor = new Redactor();
    const fromStore = packStored(store, 0, store.size, redactor, 65_536);
    assert.deepEqual(fromStore, packBatch(expected.map((r) => forWebview(r, redactor, 65_536))));
    assert.deepEqual(
      JSON.parse(JSON.stringify(unpackBatch(structuredClone(fromStore)))).map((r: MessageRecord) => r.data.length),
      [7, 0, 10, 65_536, 14],
    );
  });
});

describe('ReceivedText from a real WebSocket', () => {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const c of cleanups.reverse()) {
      await c();
    }
  });

  test('whole and fragmented messages reach the store as their bytes and read back as sent', { timeout: 15_000 }, async () => {
    const sent = ['hello', 'Grüße ✓ 😀', '', JSON.stringify({ n: 1, s: 'ü'.repeat(40_000) })];
    const srv = await startWsServer({ onConnection: (ws) => sent.forEach((t) => ws.send(t)) });
    cleanups.push(() => srv.close());
    const h = wsConnection({ url: srv.url });
    cleanups.push(() => h.conn.dispose());
    const store = new MessageStore();
    const stillBytes: boolean[] = [];
    h.conn.onRecord((r) => {
      store.add(r);
      if (r.kind === 'message') {
        stillBytes.push(r instanceof ReceivedText && r.utf8 !== undefined);
      }
    });
    h.conn.connect();
    // (What is waited for reads no text: that would decode it before the store sees it.)
    await h.waitFor((r) => r.kind === 'message' && r.size > 40_000);
    assert.deepEqual(stillBytes, [true, true, true, true]);
    const messages = store.toArray().filter((r): r is MessageRecord => r.kind === 'message');
    assert.deepEqual(
      messages.map((m) => m.data),
      sent,
    );
    assert.deepEqual(
      messages.map((m) => m.size),
      sent.map((t) => Buffer.byteLength(t)),
    );

    // A text message in three frames, a multi-byte character cut between them.
    const raw = await startRawServer(async (socket) => {
      await acceptUpgradeByHand(socket);
      const bytes = Buffer.from('one ✓ two ✓ three');
      socket.write(frame(OP.text, bytes.subarray(0, 5), { fin: false }));
      socket.write(frame(0, bytes.subarray(5, 12), { fin: false }));
      socket.write(frame(0, bytes.subarray(12)));
    });
    cleanups.push(() => raw.close());
    const g = wsConnection({ url: raw.url });
    cleanups.push(() => g.conn.dispose());
    const store2 = new MessageStore();
    g.conn.onRecord((r) => store2.add(r));
    g.conn.connect();
    await g.waitFor((r) => r.kind === 'message');
    assert.deepEqual(
      store2
        .toArray()
        .filter((r) => r.kind === 'message')
        .map((r) => (r as MessageRecord).data),
      ['one ✓ two ✓ three'],
    );
  });
});
