import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkUrl, secretRefs, validateProfiles } from '../../../src/core/profile';
import { applyEditable, toEditable } from '../../../src/profiles/editable';
import { validateReconnect } from '../../../src/core/reconnect';
import { resolveProfile } from '../../../src/core/resolve';

const env = (vars: Record<string, string>, secrets: Record<string, string>) => ({
  env: (n: string) => vars[n],
  secret: async (n: string) => secrets[n],
});

test('valid profiles pass and keep their order', () => {
  const r = validateProfiles([
    { name: 'a', url: 'https://x/events', headers: { Authorization: 'Bearer ${secret:T}' }, reconnect: { maxAttempts: null } },
    {
      name: 'b',
      url: 'wss://x/socket',
      kind: 'ws',
      protocols: ['json'],
      keepAlive: { intervalMs: 1000, timeoutMs: 500 },
      tls: { insecure: true },
    },
  ]);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(
    r.profiles.map((p) => p.name),
    ['a', 'b'],
  );
});

test('a non-array value is one issue, undefined is none', () => {
  assert.equal(validateProfiles({}).issues.length, 1);
  assert.deepEqual(validateProfiles(undefined), { profiles: [], issues: [] });
});

test('each bad entry is named by index and name with the rule it breaks', () => {
  const r = validateProfiles([
    { name: 'x', url: 'ftp://host' },
    { name: 'y', url: 'https://h', kind: 'grpc' },
    { name: 'z', url: 'https://h', headers: { 'Bad Header': 'v' } },
    { name: 'w', url: 'https://h', reconnect: { multiplier: 0.5 } },
    { name: 'v', url: 'https://h', extra: 1 },
    'nope',
    { name: 'x', url: 'https://h' },
  ]);
  const m = r.issues.map((i) => i.message);
  assert.match(m[0], /^realtimeInspector\.profiles\[0\] \("x"\): "url": URL scheme "ftp:"/);
  assert.match(m[1], /\[1\] \("y"\): "kind" must be/);
  assert.match(m[2], /\[2\] \("z"\): "headers": "Bad Header" is not a valid header name/);
  assert.match(m[3], /\[3\] \("w"\): "reconnect": "multiplier" must be a number ≥ 1/);
  assert.match(m[4], /\[4\] \("v"\): unknown property "extra"/);
  assert.match(m[5], /\[5\]: must be an object/);
  assert.equal(r.profiles.length, 1, 'the later "x" is valid since the first was rejected');
});

test('duplicate names: the second is rejected', () => {
  const r = validateProfiles([
    { name: 'a', url: 'https://h' },
    { name: 'a', url: 'https://h' },
  ]);
  assert.equal(r.profiles.length, 1);
  assert.match(r.issues[0].message, /another profile is already named "a"/);
});

test('URLs with templates are checked for their literal scheme only', () => {
  assert.equal(checkUrl('${env:URL}'), undefined);
  assert.equal(checkUrl('https://${env:HOST}:${env:PORT}/x'), undefined);
  assert.match(checkUrl('ftp://${env:HOST}')!, /scheme/);
  assert.match(checkUrl('https://h/${nope}')!, /unknown variable/);
});

test('reconnect policy validation', () => {
  assert.equal(validateReconnect({ enabled: false, maxAttempts: 3 }), undefined);
  assert.match(validateReconnect({ maxAttempts: -1 })!, /maxAttempts/);
  assert.match(validateReconnect({ jitter: 'yes' })!, /jitter/);
});

test('reconnect.onEnd and reconnect.methods are checked', () => {
  assert.equal(validateReconnect({ onEnd: true, methods: ['GET', 'post'] }), undefined);
  assert.equal(validateReconnect({ onEnd: false, methods: [] }), undefined);
  assert.equal(validateReconnect({ onEnd: 'yes' }), '"onEnd" must be true or false');
  for (const methods of ['POST', ['GET', 'PO ST'], [1], [''], {}]) {
    assert.equal(
      validateReconnect({ methods }),
      '"methods" must be a list of HTTP method names, e.g. ["GET", "POST"]',
      JSON.stringify(methods),
    );
  }
});

test('the settings schema and the validation know the same reconnect fields', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: {
      configuration: {
        properties: Record<
          string,
          { properties?: Record<string, unknown>; items?: { properties: Record<string, { properties?: Record<string, unknown> }> } }
        >;
      };
    };
  };
  const props = pkg.contributes.configuration.properties;
  const fromSetting = Object.keys(props['realtimeInspector.reconnect'].properties!).sort();
  const fromProfiles = Object.keys(props['realtimeInspector.profiles'].items!.properties.reconnect.properties!).sort();
  assert.deepEqual(fromProfiles, fromSetting);
  assert.ok(fromSetting.includes('onEnd') && fromSetting.includes('methods'));
  const sample: Record<string, unknown> = {
    enabled: true,
    initialDelayMs: 1,
    maxDelayMs: 1,
    maxAttempts: 1,
    multiplier: 1,
    jitter: true,
    resetAfterMs: 1,
    onEnd: true,
    methods: ['GET'],
  };
  assert.deepEqual(Object.keys(sample).sort(), fromSetting);
  assert.equal(validateReconnect(sample), undefined);
});

test('secretRefs lists secret names only', () => {
  assert.deepEqual(secretRefs('Bearer ${secret:A} ${env:B} ${secret:C}'), ['A', 'C']);
});

test('resolveProfile substitutes env and secrets and lists the secret values', async () => {
  const r = await resolveProfile(
    {
      url: 'https://${env:HOST}/s',
      headers: { Authorization: 'Bearer ${secret:TOKEN}' },
      body: '${secret:TOKEN}',
      protocols: ['${env:P}'],
    },
    env({ HOST: 'example.test', P: 'json' }, { TOKEN: 's3cret' }),
  );
  assert.ok(r.ok);
  assert.equal(r.value.url, 'https://example.test/s');
  assert.deepEqual(r.value.headers, { Authorization: 'Bearer s3cret' });
  assert.equal(r.value.body, 's3cret');
  assert.deepEqual(r.value.protocols, ['json']);
  assert.deepEqual(r.secrets, ['s3cret']);
});

test('resolveProfile fails with a stable code naming the missing secret or variable', async () => {
  const a = await resolveProfile({ url: 'https://h', headers: { X: '${secret:NOPE}' } }, env({}, {}));
  assert.ok(!a.ok && a.error.code === 'ERR_MISSING_SECRET' && a.error.name === 'NOPE');
  const b = await resolveProfile({ url: 'https://${env:NOPE}' }, env({}, {}));
  assert.ok(!b.ok && b.error.code === 'ERR_MISSING_ENV' && b.error.name === 'NOPE');
});

test('the request bar round-trips a profile and keeps what it cannot edit', () => {
  const profile = { name: 'p', url: 'https://h', headers: { A: '1' }, method: 'POST', body: '{}', tls: { insecure: true } };
  const edit = toEditable(profile);
  assert.deepEqual(edit.headers, [{ name: 'A', value: '1', enabled: true }]);
  const back = applyEditable(profile, { ...edit, headers: [...edit.headers, { name: 'B', value: '2', enabled: false }] });
  assert.deepEqual(back, profile, 'disabled headers are left out; TLS kept');
  const get = applyEditable(profile, { ...edit, method: 'GET', body: '', headers: [] });
  assert.equal(get.method, undefined);
  assert.equal(get.body, undefined);
  assert.equal(get.headers, undefined);
});

test("every string field is resolved, tls.caFile too (the README's ${env:HOME}/certs/dev-ca.pem)", async () => {
  const r = await resolveProfile(
    {
      url: 'wss://h/s',
      tls: { caFile: '${env:HOME}/certs/dev-ca.pem', insecure: false },
      lastEventId: '${env:LAST}',
      protocols: ['v.${env:P}'],
    },
    env({ HOME: '/home/me', LAST: '41', P: '2' }, {}),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.value.tls, { caFile: '/home/me/certs/dev-ca.pem', insecure: false });
  assert.equal(r.value.lastEventId, '41');
  assert.deepEqual(r.value.protocols, ['v.2']);
  assert.deepEqual(r.refs, ['${env:HOME}', '${env:LAST}', '${env:P}']);
  assert.deepEqual(r.secrets, [], 'a path, an id and a subprotocol are not credentials');
  const missing = await resolveProfile({ url: 'wss://h', tls: { caFile: '${env:NO_SUCH_HOME}/ca.pem' } }, env({}, {}));
  assert.ok(!missing.ok && missing.error.code === 'ERR_MISSING_ENV' && missing.error.name === 'NO_SUCH_HOME');
});

test('env values in credential positions are masked; maskEnv adds any variable by name', async () => {
  const vars = {
    TOKEN: 'tok-123',
    KEY: 'key-456',
    PASS: 'pw-789',
    HOST: 'example.test',
    SINCE: '2026-01-01',
    COOKIE: 'c=1',
    SHORT: 'ab',
    EXTRA: 'extra-1',
  };
  const r = await resolveProfile(
    {
      url: 'https://user:${env:PASS}@${env:HOST}/s?since=${env:SINCE}&api_key=${env:KEY}#${env:HOST}',
      headers: { Authorization: 'Bearer ${env:TOKEN}', Cookie: '${env:COOKIE}', 'X-Short': '${env:SHORT}', Accept: '${env:HOST}' },
      body: '{"since":"${env:SINCE}"}',
    },
    env(vars, {}),
  );
  assert.ok(r.ok);
  assert.deepEqual(
    new Set(r.secrets),
    new Set(['pw-789', '2026-01-01', 'key-456', 'tok-123', 'c=1']),
    'user info, query values and credential headers; not the host, a plain header or the body',
  );
  const listed = await resolveProfile({ url: 'https://h/${env:HOST}', body: '${env:SINCE}', maskEnv: ['SINCE', 'EXTRA'] }, env(vars, {}));
  assert.ok(listed.ok);
  assert.deepEqual(
    new Set(listed.secrets),
    new Set(['2026-01-01', 'extra-1']),
    'maskEnv masks a variable wherever it appears, used or not',
  );
});

test('validation: maskEnv is a list of names; templates in protocols and tls.caFile are checked', () => {
  const r = validateProfiles([
    { name: 'a', url: 'wss://h', maskEnv: ['API_TOKEN'], tls: { caFile: '${env:HOME}/ca.pem' } },
    { name: 'b', url: 'wss://h', maskEnv: 'API_TOKEN' },
    { name: 'c', url: 'wss://h', tls: { caFile: '${workspaceFolder}/ca.pem' } },
    { name: 'd', url: 'wss://h', protocols: ['${home}'] },
  ]);
  assert.deepEqual(
    r.profiles.map((p) => p.name),
    ['a'],
  );
  assert.match(r.issues[0].message, /"maskEnv" must be a list of environment variable names/);
  assert.match(r.issues[1].message, /"tls.caFile": unknown variable "\$\{workspaceFolder\}"/);
  assert.match(r.issues[2].message, /"protocols": unknown variable/);
});

test('allowDowngrade and idleTimeoutMs: accepted when well-formed, named when not', () => {
  const ok = validateProfiles([{ name: 'a', url: 'https://x/events', allowDowngrade: true, idleTimeoutMs: 30000 }]);
  assert.deepEqual(ok.issues, []);
  assert.deepEqual([ok.profiles[0].allowDowngrade, ok.profiles[0].idleTimeoutMs], [true, 30000]);
  const bad = validateProfiles([
    { name: 'b', url: 'https://x', allowDowngrade: 'yes' },
    { name: 'c', url: 'https://x', idleTimeoutMs: 0 },
  ]);
  assert.match(bad.issues[0].message, /\("b"\): "allowDowngrade" must be true or false/);
  assert.match(bad.issues[1].message, /\("c"\): "idleTimeoutMs" must be a positive integer/);
});

test('the settings schema declares allowDowngrade and idleTimeoutMs for profiles', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties['realtimeInspector.profiles'].items.properties;
  assert.equal(props.allowDowngrade.type, 'boolean');
  assert.equal(props.idleTimeoutMs.type, 'integer');
});

test('"kind": "mcp": an http(s) URL with headers and tls is a profile; a WebSocket URL or what only a stream has is named', () => {
  const ok = validateProfiles([
    {
      name: 'tools',
      url: 'http://127.0.0.1:3000/mcp',
      kind: 'mcp',
      headers: { Authorization: 'Bearer ${secret:mcp}' },
      tls: { insecure: true },
    },
  ]);
  assert.deepEqual(ok.issues, []);
  assert.equal(ok.profiles[0].kind, 'mcp');
  const bad = validateProfiles([
    { name: 'a', url: 'ws://127.0.0.1:3000/mcp', kind: 'mcp' },
    { name: 'b', url: 'http://127.0.0.1:3000/mcp', kind: 'mcp', send: ['hi'], method: 'POST' },
    { name: 'c', url: 'http://x', kind: 'grpc' },
  ]);
  assert.match(bad.issues[0].message, /\("a"\): "kind": "mcp" needs an http:\/\/ or https:\/\/ URL, got "ws:"/);
  assert.match(bad.issues[1].message, /\("b"\): "method", "send" do not apply to "kind": "mcp"/);
  assert.match(bad.issues[2].message, /\("c"\): "kind" must be "auto", "sse", "ws" or "mcp"/);
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties['realtimeInspector.profiles'].items.properties;
  assert.ok(props.kind.enum.includes('mcp'), 'the settings schema offers "mcp"');
});
