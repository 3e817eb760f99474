/** `{{…}}` placeholders: dynamic values at send time, environment variables before connecting, and their errors. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateProfile } from '../../../../src/core/profile';
import { resolveProfile } from '../../../../src/core/resolve';
import {
  UndefinedVariableError,
  applyEnvironment,
  applyEnvironmentText,
  validateEnvironments,
} from '../../../../src/core/workbench/environments';
import { DynamicValues, PlaceholderError, placeholderProblem } from '../../../../src/core/workbench/placeholders';

describe('dynamic values', () => {
  test('each is resolved at send time; $seq counts the sends of one connection', () => {
    let t = 1_700_000_000_000;
    const d = new DynamicValues(
      () => t,
      () => 0.5,
      () => 'u-1',
    );
    assert.equal(
      d.resolve('{"id":"{{$uuid}}","t":{{$timestamp}},"iso":"{{$isoTimestamp}}","n":{{$randomInt 1 10}},"seq":{{$seq}}}'),
      '{"id":"u-1","t":1700000000000,"iso":"2023-11-14T22:13:20.000Z","n":6,"seq":1}',
    );
    t += 5;
    assert.equal(d.resolve('plain'), 'plain', 'a text without placeholders is sent as it is');
    assert.equal(d.resolve('{{$seq}} {{$seq}} {{$timestamp}}'), '3 3 1700000000005', 'one value per send, the plain one counted');
    const other = new DynamicValues();
    assert.equal(other.resolve('{{$seq}}'), '1', 'another connection counts from 1');
  });

  test("a verb's strings resolve as one send: one $seq and one clock, nothing when one of them fails", () => {
    const d = new DynamicValues(
      () => 42,
      () => 0,
      () => 'u',
    );
    assert.deepEqual(d.resolveMany(['chat', '#{{$seq}}', '{{$seq}} at {{$timestamp}}', 'id {{$uuid}}']), ['chat', '#1', '1 at 42', 'id u']);
    assert.deepEqual(d.resolveMany(['{{$seq}}']), ['2'], 'the next send is the second');
    assert.throws(() => d.resolveMany(['{{$seq}}', 'to {{room}}']), /\{\{room\}\} is not defined/);
    assert.equal(d.nextSeq, 3, 'a refused send does not count');
  });

  test('$randomInt stays within its bounds at both ends', () => {
    const low = new DynamicValues(Date.now, () => 0);
    const high = new DynamicValues(Date.now, () => 0.999999);
    assert.equal(low.resolve('{{$randomInt -3 4}}'), '-3');
    assert.equal(high.resolve('{{$randomInt -3 4}}'), '4');
  });

  test('a malformed placeholder or a variable left is an error naming it, and nothing is resolved', () => {
    const d = new DynamicValues();
    assert.throws(
      () => d.resolve('{{$uuids}}'),
      (e: Error) => e instanceof PlaceholderError && /unknown dynamic value "\$uuids"/.test(e.message),
    );
    assert.throws(() => d.resolve('{{$randomInt 5 1}}'), /min 5 is greater than its max 1/);
    assert.throws(() => d.resolve('{{$randomInt 5}}'), /two whole numbers/);
    assert.throws(() => d.resolve('to {{host}} at {{$timestamp}}'), /\{\{host\}\} is not defined: no environment is active/);
    assert.equal(d.nextSeq, 1, 'a refused send does not count');
    assert.match(placeholderProblem('{{ not a name }}') ?? '', /is not a placeholder/);
    assert.equal(placeholderProblem('{{ host }} {{$seq}}'), undefined);
  });
});

describe('environments', () => {
  test('validation names the environment and the variable; good variables are kept', () => {
    const r = validateEnvironments({
      dev: { host: 'localhost:8080', token: '${secret:devToken}', bad: 3, nested: '{{host}}', 'no space': 'x' },
      staging: 'nope',
    });
    assert.deepEqual(r.environments, { dev: { host: 'localhost:8080', token: '${secret:devToken}' } });
    assert.deepEqual(r.issues, [
      'realtimeInspector.environments.dev.bad: must be a string',
      'realtimeInspector.environments.dev.nested: a value cannot hold {{…}} (variables do not refer to other variables)',
      'realtimeInspector.environments.dev.no space: a variable name is letters, digits, "_", "-" and "." and starts with a letter or "_"',
      'realtimeInspector.environments.staging must be an object of variable names to string values',
    ]);
    assert.match(validateEnvironments([]).issues[0], /must be an object/);
  });

  test('{{name}} is filled anywhere in a profile, a secret value is resolved and masked after it', async () => {
    const profile = {
      name: 'feed',
      url: 'ws://{{host}}/feed?room={{room}}',
      headers: { Authorization: 'Bearer {{token}}' },
      send: [{ json: { hello: '{{room}}', at: '{{$timestamp}}' } }],
      messages: [{ name: 'join', format: 'json' as const, body: '{"room":"{{room}}"}' }],
    };
    assert.equal(validateProfile(profile), undefined, 'a profile with placeholders is valid');
    const applied = applyEnvironment(profile, { host: '127.0.0.1:9', room: 'r1', token: '${secret:devToken}' }, 'dev');
    assert.equal(applied.url, 'ws://127.0.0.1:9/feed?room=r1');
    assert.deepEqual(applied.send, [{ json: { hello: 'r1', at: '{{$timestamp}}' } }], 'dynamic values wait for send time');
    assert.equal(applied.messages[0].body, '{"room":"r1"}');
    const resolved = await resolveProfile(applied, {
      env: () => undefined,
      secret: (n) => Promise.resolve(n === 'devToken' ? 's3cret' : undefined),
    });
    assert.ok(resolved.ok);
    assert.equal(resolved.value.headers?.Authorization, 'Bearer s3cret');
    assert.ok(resolved.secrets.includes('s3cret'), 'the secret behind {{token}} is masked');
  });

  test('an undefined variable is named before connecting, every one at once', () => {
    const profile = { name: 'feed', url: 'wss://{{host}}/x', headers: { 'X-Api-Key': '{{key}}' } };
    assert.throws(
      () => applyEnvironment(profile, { host: 'h' }, 'staging'),
      (e: Error) =>
        e instanceof UndefinedVariableError &&
        e.message === 'profile "feed": {{key}} is not defined: environment "staging" does not define it',
    );
    assert.throws(() => applyEnvironment(profile, undefined), /\{\{host\}\}, \{\{key\}\} are not defined: no environment is active/);
    assert.equal(applyEnvironmentText('{{a}}-{{$seq}}', { a: '1' }), '1-{{$seq}}');
  });

  test('a profile with a malformed placeholder is refused, naming the field', () => {
    assert.match(
      validateProfile({ name: 'p', url: 'ws://h/', headers: { A: '{{$nope}}' } }) ?? '',
      /"headers.A": "\{\{\$nope\}\}": unknown dynamic value/,
    );
    assert.match(validateProfile({ name: 'p', url: 'ftp://{{host}}/' }) ?? '', /scheme "ftp:" is not supported/);
    assert.equal(validateProfile({ name: 'p', url: '{{base}}/stream' }), undefined);
  });
});
