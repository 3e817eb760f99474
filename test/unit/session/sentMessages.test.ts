import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ConnRecord } from '../../../src/core/records';
import { SentMessages, writtenOf } from '../../../src/session/sentMessages';

const time = '2026-01-01T00:00:00.000Z';
const out = (seq: number, data: string): ConnRecord => ({
  kind: 'message',
  seq,
  time,
  dir: 'out',
  format: 'text',
  data,
  size: data.length,
});

test('the sent rows a send adds remember its origin; received rows and rows outside a send do not', () => {
  const sent = new SentMessages();
  const tags: [number, string][] = [];
  sent.onDidTag((t) => tags.push(t));
  sent.run({ saved: 'hello', written: { format: 'text', body: 'hi #{{$seq}}' } }, () => {
    sent.recorded(out(2, 'hi #1'));
    sent.recorded({ kind: 'message', seq: 3, time, dir: 'in', format: 'text', data: 'echo', size: 4 });
  });
  sent.recorded(out(4, 'typed'));
  assert.deepEqual(sent.get(2), { saved: 'hello', written: { format: 'text', body: 'hi #{{$seq}}' } });
  assert.equal(sent.get(3), undefined);
  assert.equal(sent.get(4), undefined);
  sent.tag(4, 'later');
  assert.deepEqual(tags, [
    [2, 'hello'],
    [4, 'later'],
  ]);
  assert.deepEqual(sent.savedEntries(), [
    [2, 'hello'],
    [4, 'later'],
  ]);
  sent.clear();
  assert.deepEqual(sent.savedEntries(), []);
  sent.dispose();
});

test("the send box's binary is written as base64, text and JSON as typed; bad hex is an error in words", () => {
  assert.deepEqual(writtenOf({ mode: 'binary', encoding: 'hex', data: '0xDE, ad:be EF' }), { format: 'binary', body: '3q2+7w==' });
  assert.deepEqual(writtenOf({ mode: 'binary', encoding: 'base64', data: '3q2+7w==' }), { format: 'binary', body: '3q2+7w==' });
  assert.deepEqual(writtenOf({ mode: 'json', data: '{"a":{{$seq}}}' }), { format: 'json', body: '{"a":{{$seq}}}' });
  assert.throws(() => writtenOf({ mode: 'binary', encoding: 'hex', data: 'zz' }), /Not valid hex/);
});
