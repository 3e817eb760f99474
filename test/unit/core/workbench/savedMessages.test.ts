/** Saved messages in a profile: validation that names the profile, the message and the problem; payloads. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateProfiles } from '../../../../src/core/profile';
import { messagePayload } from '../../../../src/core/workbench/savedMessages';

const profile = (messages: unknown) => ({ name: 'feed', url: 'ws://127.0.0.1:1/', messages });

describe('saved messages', () => {
  test('text, JSON (as text or a value), binary and an adapter verb are valid', () => {
    const r = validateProfiles([
      profile([
        { name: 'hello', body: 'hi {{$seq}}' },
        { name: 'subscribe BTC', format: 'json', body: '{"op":"subscribe","n":{{$randomInt 1 9}}}' },
        { name: 'as value', format: 'json', body: { op: 'ping' } },
        { name: 'bytes', format: 'binary', body: 'AAEC' },
        { name: 'join', verb: 'emit', fields: { event: 'join', args: ['{{room}}'] } },
      ]),
    ]);
    assert.deepEqual(r.issues, []);
    assert.equal(r.profiles[0].messages?.length, 5);
  });

  test('each problem names the profile, the message and what is wrong', () => {
    const cases: [unknown, string][] = [
      ['x', 'realtimeInspector.profiles[0] ("feed"): "messages" must be an array'],
      [[{ name: 'a', format: 'json', body: '{"a":' }], '"messages[0]" ("a"): "body" is not JSON'],
      [[{ name: 'a', format: 'binary', body: 'not base64!' }], '"messages[0]" ("a"): "body" must be base64 for a binary message'],
      [[{ name: 'a', format: 'xml', body: '' }], '"messages[0]" ("a"): "format" must be "text", "json" or "binary"'],
      [[{ name: 'a' }], '"messages[0]" ("a"): "body" is required'],
      [[{ body: 'x' }], '"messages[0]": "name" is required'],
      [
        [
          { name: 'a', body: 'x' },
          { name: 'a', body: 'y' },
        ],
        '"messages[1]" ("a"): another message is already named "a"',
      ],
      [[{ name: 'a', body: '{{$nope}}' }], '"messages[0]" ("a"): "{{$nope}}": unknown dynamic value'],
      [[{ name: 'a', body: '${oops}' }], '"messages[0]" ("a"): unknown variable "${oops}"'],
      [[{ name: 'a', verb: 'emit', body: 'x' }], 'either "verb" (with "fields") or "format" and "body"'],
      [[{ name: 'a', body: 'x', colour: 1 }], 'unknown property "colour"'],
    ];
    for (const [messages, expected] of cases) {
      const r = validateProfiles([profile(messages)]);
      assert.equal(r.profiles.length, 0, JSON.stringify(messages));
      assert.ok(r.issues[0].message.includes(expected), `${r.issues[0].message}\n  should include: ${expected}`);
    }
    const sse = validateProfiles([{ name: 's', url: 'http://127.0.0.1:1/', messages: [{ name: 'a', body: 'x' }] }]);
    assert.match(sse.issues[0].message, /"messages" are for WebSocket/);
  });

  test('payloads: JSON as compact text, binary as bytes, a verb as the adapter send', () => {
    assert.deepEqual(messagePayload({ name: 'a', format: 'json', body: { a: [1] } }), { type: 'text', text: '{"a":[1]}' });
    assert.deepEqual(messagePayload({ name: 'a', format: 'binary', body: 'AAEC' }), { type: 'binary', bytes: new Uint8Array([0, 1, 2]) });
    assert.deepEqual(messagePayload({ name: 'a', verb: 'publish', fields: { topic: 't' } }), {
      type: 'verb',
      verb: 'publish',
      fields: { topic: 't' },
    });
    assert.throws(() => messagePayload({ name: 'a', format: 'json', body: '{"n": x}' }));
  });
});
