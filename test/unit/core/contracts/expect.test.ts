import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileExpect, DEFAULT_TIMEOUT_MS, ExpectError, expectProblem, ruleNames } from '../../../../src/core/contracts/expect';
import { validateProfiles } from '../../../../src/core/profile';

const problem = (value: unknown, kind?: 'sse' | 'ws') => {
  try {
    compileExpect(value, kind);
  } catch (err) {
    assert.ok(err instanceof ExpectError, String(err));
    return err.message;
  }
  assert.fail('expected the block to be refused');
};

describe('the expect block', () => {
  it('compiles the rules of the issue, with names in words where none is given', () => {
    const c = compileExpect({
      timeoutMs: 10000,
      count: { min: 10, max: 10 },
      messages: [
        { name: 'first tick', event: 'tick', withinMs: 2000 },
        { data: '/Message \\d+/' },
        { json: '$.n', equals: 1 },
        { json: '$.price', type: 'number', count: { min: 3 } },
      ],
      never: [{ data: '/error/i' }],
      close: { codes: [1000] },
      noErrors: true,
      order: true,
    });
    assert.deepEqual(ruleNames(c), [
      'count',
      'first tick',
      'data /Message \\d+/',
      '$.n equals 1',
      '$.price is number',
      'never data /error/i',
      'close',
      'no errors',
      'order',
    ]);
    assert.equal(c.timeoutMs, 10000);
    assert.equal(c.messages[3].min, 3);
    assert.equal(c.messages[0].withinMs, 2000);
  });

  it('defaults the timeout and makes repeated names unique', () => {
    const c = compileExpect({ messages: [{ event: 'tick' }, { event: 'tick' }, { name: 'x' }, { name: 'x' }] });
    assert.equal(c.timeoutMs, DEFAULT_TIMEOUT_MS);
    assert.deepEqual(ruleNames(c), ['event "tick"', 'event "tick" (2)', 'x', 'x (2)']);
  });

  it('names the rule and the problem for a bad regex, a bad JSONPath and an unknown key', () => {
    assert.match(
      problem({ messages: [{ name: 'greeting', data: '/(unclosed/' }] }),
      /^expect\.messages\[0\] \("greeting"\): "data": \/\(unclosed\/ is not a valid regular expression/,
    );
    assert.match(problem({ messages: [{}, { json: '$.[' }] }), /^expect\.messages\[1\]: "json": "\$\.\[" is not a valid JSONPath/);
    assert.match(problem({ never: [{ dat: 'x' }] }), /^expect\.never\[0\]: unknown property "dat"/);
    assert.match(problem({ counts: { min: 1 } }), /^expect: unknown property "counts"/);
    assert.match(problem({ count: { min: 3, max: 2 } }), /"min" \(3\) is more than "max" \(2\)/);
    assert.match(problem({ messages: [{ equals: 1 }] }), /"equals" needs "json"/);
    assert.match(problem({ messages: [{ json: '$.a', type: 'float' }] }), /"type" must be one of/);
    assert.match(problem({ messages: [{ event: 'a' }], order: 'yes' }), /"order" must be true or false/);
    assert.match(problem({ timeoutMs: 0, count: { min: 1 } }), /"timeoutMs" must be a positive whole number/);
    assert.match(problem({}), /has no rule/);
  });

  it('refuses close codes on an SSE stream, and a close rule with nothing to check', () => {
    assert.match(problem({ close: { codes: [1000] } }, 'sse'), /"codes" is for WebSocket/);
    assert.match(problem({ close: {} }), /needs "codes" \(WebSocket\) or "ended" \(SSE\)/);
    assert.match(problem({ close: { codes: [999] } }), /close codes \(1000-4999\)/);
    assert.equal(expectProblem({ close: { ended: true } }, 'sse'), undefined);
  });

  it('is validated with the profile, naming the profile, the rule and the problem', () => {
    const r = validateProfiles([
      { name: 'ticker', url: 'http://127.0.0.1:1/sse', expect: { messages: [{ name: 'first', data: '/[/' }] } },
      { name: 'echo', url: 'ws://127.0.0.1:1/ws', send: [{ json: { hi: 1 } }], expect: { messages: [{ dir: 'out', json: '$.hi' }] } },
      { name: 'sse-send', url: 'http://127.0.0.1:1/sse', send: ['x'] },
    ]);
    assert.deepEqual(
      r.profiles.map((p) => p.name),
      ['echo'],
    );
    assert.match(
      r.issues[0].message,
      /^realtimeInspector\.profiles\[0\] \("ticker"\): expect\.messages\[0\] \("first"\): "data": \/\[\/ is not a valid regular expression/,
    );
    assert.match(r.issues[1].message, /"send" is for WebSocket/);
  });

  it('knows the same keys as the settings schema', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'package.json'), 'utf8'));
    const config = [pkg.contributes.configuration].flat() as {
      properties: Record<string, { items?: { properties: Record<string, unknown> } }>;
    }[];
    const profile = config.find((c) => c.properties['realtimeInspector.profiles'])!.properties['realtimeInspector.profiles'].items!;
    const expectSchema = profile.properties.expect as { properties: Record<string, { items?: { properties: Record<string, unknown> } }> };
    const listed = (message: string) => /\(expected (.*)\)$/.exec(message)![1].split(', ').sort();
    assert.deepEqual(Object.keys(expectSchema.properties).sort(), listed(problem({ bogus: 1 })));
    assert.deepEqual(Object.keys(expectSchema.properties.messages.items!.properties).sort(), listed(problem({ messages: [{ bogus: 1 }] })));
    assert.deepEqual(Object.keys(expectSchema.properties.never.items!.properties).sort(), listed(problem({ never: [{ bogus: 1 }] })));
    assert.ok(profile.properties.send, 'the schema declares send');
  });
});
