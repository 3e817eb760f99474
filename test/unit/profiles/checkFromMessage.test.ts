import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileExpect } from '../../../src/core/contracts/expect';
import { RecordMatcher } from '../../../src/core/contracts/match';
import type { MessageRecord } from '../../../src/core/records';
import { checkChoices } from '../../../src/profiles/checkFromMessage';

const none = (t: string) => t;

function message(data: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    kind: 'message',
    dir: 'in',
    format: 'text',
    data,
    size: data.length,
    seq: 7,
    time: new Date().toISOString(),
    ...extra,
  } as MessageRecord;
}

/** Whether the rule, compiled as the check compiles it, matches the message it was made from. */
function matches(rule: unknown, r: MessageRecord, kind: 'sse' | 'ws' = 'sse'): boolean {
  const compiled = compileExpect({ messages: [rule] }, kind);
  return new RecordMatcher().matches(compiled.messages[0].matcher, r);
}

describe('Add Check from Message: the rules offered for a message', () => {
  it('offers the SSE event type, each top-level and nested scalar leaf (value and type), and the text', () => {
    const r = message('{"type":"trade","price":101.5,"book":{"side":"buy","ok":true},"tags":["a"],"we ird":null}', { event: 'trade' });
    const labels = checkChoices(r, none).map((c) => c.label);
    assert.deepEqual(labels.slice(0, 5), [
      'event is "trade"',
      '$.type equals "trade"',
      '$.type type string',
      '$.price equals 101.5',
      '$.price type number',
    ]);
    assert.ok(labels.includes('$.book.side equals "buy"'), 'a nested leaf');
    assert.ok(labels.includes('$.tags[0] equals "a"'), 'an array element');
    assert.ok(labels.includes("$['we ird'] type null"), 'a key that is not a plain name, quoted');
    assert.equal(labels[labels.length - 1].startsWith('data contains '), true, 'the text comes last');
  });

  it('every rule offered is valid and matches the message it came from', () => {
    const r = message('{"type":"trade","price":101.5,"book":{"side":"b\'uy"},"q\\\\k\'":1}', { event: '/not a regex/' });
    const choices = checkChoices(r, none);
    assert.ok(choices.length >= 6);
    for (const c of choices) {
      assert.equal(matches(c.rule, r), true, `${c.label} should match its own message`);
    }
    const other = message('{"type":"quote","price":"n/a"}', { event: 'quote' });
    assert.equal(matches(choices.find((c) => c.label === '$.type equals "trade"')!.rule, other), false, 'and not another');
  });

  it('a text that reads as /regex/ is written as the regex of that exact text', () => {
    const r = message('/api/v1/', { event: 'x' });
    const text = checkChoices(r, none).find((c) => c.group === 'text')!;
    assert.equal(text.rule.data, '/\\/api\\/v1\\//');
    assert.equal(matches(text.rule, r), true);
  });

  it('a sent message gives rules on sent messages; a binary one offers its format', () => {
    const sent = checkChoices(message('hello', { dir: 'out' }), none);
    assert.deepEqual(sent[0].rule, { dir: 'out', data: 'hello' });
    const bin = checkChoices(message('AAEC', { format: 'binary' }), none);
    assert.deepEqual(
      bin.map((c) => c.rule),
      [{ format: 'binary' }],
    );
  });

  it('never offers a value that holds a secret', () => {
    const secret = 's3cr3t-token';
    const mask = (t: string) => t.split(secret).join('••••');
    const r = message(`{"auth":"${secret}","type":"hello"}`);
    const labels = checkChoices(r, mask).map((c) => c.label);
    assert.ok(!labels.some((l) => l.includes(secret)), labels.join('\n'));
    assert.ok(labels.includes('$.auth type string'), 'its type is fine');
    assert.ok(labels.includes('$.type equals "hello"'));
  });
});
