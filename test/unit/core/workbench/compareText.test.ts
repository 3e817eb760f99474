/** Compare's text: JSON with keys sorted so snapshots line up, large payloads truncated with a note, the previous of a type. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnRecord, MessageRecord } from '../../../../src/core/records';
import { compareText, previousOfType } from '../../../../src/core/workbench/compareText';

const msg = (seq: number, data: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
  kind: 'message',
  seq,
  time: '2026-01-01T00:00:00.000Z',
  dir: 'in',
  format: 'text',
  data,
  size: data.length,
  ...extra,
});

test('JSON is pretty-printed with keys sorted at every depth; other text stays as it is', () => {
  assert.equal(
    compareText(msg(1, '{"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}}')),
    '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}',
  );
  assert.equal(compareText(msg(1, 'not {json')), 'not {json');
});

test('a payload over the limit is truncated, with a note saying how much was compared', () => {
  const text = compareText(msg(1, 'x'.repeat(50)), 20);
  assert.ok(text.startsWith('x'.repeat(20) + '\n'));
  assert.match(text, /\[truncated: 50 characters, the first 20 compared\]/);
});

test('the previous of this type: same SSE event, or same decoded type, same direction', () => {
  const records: ConnRecord[] = [
    msg(1, 'a', { event: 'snapshot' }),
    msg(2, 'b', { event: 'delta' }),
    msg(3, 'c', { event: 'snapshot', dir: 'out' }),
    msg(4, 'd', { event: 'snapshot' }),
    msg(5, 'e', { decoded: { protocol: 'json-rpc', type: 'notification' } }),
    msg(6, 'f', { decoded: { protocol: 'json-rpc', type: 'notification' } }),
  ];
  assert.equal(previousOfType(records, records[3] as MessageRecord)?.seq, 1);
  assert.equal(previousOfType(records, records[5] as MessageRecord)?.seq, 5);
  assert.equal(previousOfType(records, records[1] as MessageRecord), undefined);
});
