/**
 * How an incoming WebSocket message's frames came, against a real `ws` server: a message sent in
 * several frames (continuation frames, a ping between them) says how many, a compressed one
 * (permessage-deflate, RSV1) its bytes on the wire; a plain one says nothing. Also over TLS, and not
 * when compression was not agreed. The store and the batch keep the facts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import { formatRecord, jsonLine } from '../../../src/cli/format';
import { packBatch, unpackBatch } from '../../../src/core/batchFormat';
import { framesText } from '../../../src/core/derivedText';
import type { ConnRecord, MessageRecord } from '../../../src/core/records';
import { MessageStore } from '../../../src/core/store';
import { selfSignedCert } from '../../fixtures/ws-tls';
import { wsConnection } from '../../fixtures/wsHarness';
import { startWsServer, type WsFixture } from '../../fixtures/wsServer';

const fixtures: WsFixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});

const isIn = (r: ConnRecord): r is MessageRecord => r.kind === 'message' && r.dir === 'in';

/** Sends, in order: a text in three frames with a ping among them, a long text compressed, a short text plain, a binary in two compressed frames, and "end". */
function sendAll(ws: WebSocket): void {
  ws.send('aaaa', { fin: false, compress: false });
  ws.ping('between');
  ws.send('bbbb', { fin: false, compress: false });
  ws.send('cccc', { fin: true, compress: false });
  ws.send('x'.repeat(2000), { compress: true });
  ws.send('plain', { compress: false });
  ws.send(Buffer.alloc(3000, 7), { binary: true, fin: false, compress: true });
  ws.send(Buffer.alloc(1000, 7), { binary: true, fin: true, compress: true });
  ws.send('end', { compress: false });
}

async function received(url: string, extra: Parameters<typeof wsConnection>[0] = { url }): Promise<MessageRecord[]> {
  const h = wsConnection({ ...extra, url });
  h.conn.connect();
  await h.waitFor((r) => isIn(r) && r.data === 'end');
  h.conn.dispose();
  return h.records.filter(isIn).map((r) => ({ ...r, data: r.data }));
}

describe('WebSocket frames of each message', () => {
  test('fragments are counted, compression is told with the wire size, a plain message says nothing', async () => {
    const f = await startWsServer({ server: { perMessageDeflate: { threshold: 0 } }, onConnection: sendAll });
    fixtures.push(f);
    const [split, long, plain, binary, end] = await received(f.url);
    assert.equal(split.data, 'aaaabbbbcccc');
    assert.equal(split.fragments, 3);
    assert.equal(split.wireSize, undefined);
    assert.equal(framesText(split), '3 frames');

    assert.equal(long.size, 2000);
    assert.equal(long.fragments, undefined);
    assert.ok(long.wireSize !== undefined && long.wireSize > 0 && long.wireSize < 100, `wire ${long.wireSize}`);

    assert.equal(plain.data, 'plain');
    assert.equal('fragments' in plain || 'wireSize' in plain, false);

    assert.equal(binary.format, 'binary');
    assert.equal(binary.size, 4000);
    assert.equal(binary.fragments, 2);
    assert.ok(binary.wireSize !== undefined && binary.wireSize < 200, `wire ${binary.wireSize}`);
    assert.match(framesText(binary) ?? '', /^2 frames, compressed: \d+ B on the wire$/);
    assert.equal(end.fragments, undefined);
    // The CLI says so on the message's line, and its --json and the export carry the fields.
    assert.match(formatRecord(split, { color: false }), /aaaabbbbcccc \(3 frames\)$/);
    assert.match(formatRecord(long, { color: false }), /x{2000} \(compressed: \d+ B on the wire\)$/);
    assert.equal(JSON.parse(jsonLine(binary)).fragments, 2);
    assert.equal(JSON.parse(jsonLine(binary)).wireSize, binary.wireSize);
  });

  test('over TLS too; without permessage-deflate agreed nothing is compressed', async () => {
    const tls = await startWsServer({ tls: selfSignedCert(), server: { perMessageDeflate: { threshold: 0 } }, onConnection: sendAll });
    fixtures.push(tls);
    const overTls = await received(tls.url, { url: tls.url, tls: { insecure: true } });
    assert.deepEqual(
      overTls.map((r) => [r.fragments, r.wireSize !== undefined]),
      [
        [3, false],
        [undefined, true],
        [undefined, false],
        [2, true],
        [undefined, false],
      ],
    );
    const plain = await received(tls.url, { url: tls.url, tls: { insecure: true }, perMessageDeflate: false });
    assert.deepEqual(
      plain.map((r) => [r.fragments, r.wireSize]),
      [
        [3, undefined],
        [undefined, undefined],
        [undefined, undefined],
        [2, undefined],
        [undefined, undefined],
      ],
    );
  });

  test('the store and the batch keep a message’s frames, and a plain neighbour stays plain', () => {
    const T = '2026-01-02T03:04:05.006Z';
    const store = new MessageStore();
    const records: MessageRecord[] = [
      { kind: 'message', seq: 1, time: T, dir: 'in', format: 'text', data: 'aaaabbbb', size: 8, fragments: 2 },
      { kind: 'message', seq: 2, time: T, dir: 'in', format: 'text', data: 'plain', size: 5 },
      { kind: 'message', seq: 3, time: T, dir: 'in', format: 'text', data: 'y'.repeat(500), size: 500, wireSize: 12 },
    ];
    for (const r of records) {
      store.add({ ...r });
    }
    const kept = store.toArray() as MessageRecord[];
    assert.deepEqual(
      kept.map((r) => [r.data.length, r.fragments, r.wireSize]),
      [
        [8, 2, undefined],
        [5, undefined, undefined],
        [500, undefined, 12],
      ],
    );
    const back = unpackBatch(packBatch(kept)) as MessageRecord[];
    assert.deepEqual(
      back.map((r) => [r.seq, r.data.length, r.fragments, r.wireSize]),
      [
        [1, 8, 2, undefined],
        [2, 5, undefined, undefined],
        [3, 500, undefined, 12],
      ],
    );
  });
});
