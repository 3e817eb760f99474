/**
 * The masking rulebook as tables: records masked field by field (numbers never, text values always,
 * short secrets only as whole values, binary payloads in their bytes), credential URL parameters,
 * URL userinfo, and the raw tail that must never start inside a secret.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { hasUrlCredentials, isCredentialParam, maskUrlCredentials, urlSecrets } from '../../../src/core/credentials';
import { toNdjson } from '../../../src/core/export';
import { MASK, Redactor } from '../../../src/core/redactor';
import { RawTail } from '../../../src/core/rawTail';
import type { ConnRecord } from '../../../src/core/records';
import { forWebview } from '../../../src/panel/forWebview';
import { tailNdjson } from '../../../src/session/persist';

const T = '2026-01-01T00:00:00.200Z';

/** One record of every kind, each text field holding `s`, each number field the number `n`. */
function records(s: string, n: number): ConnRecord[] {
  return [
    {
      seq: n,
      time: T,
      kind: 'connecting',
      state: 'connecting',
      url: `http://h/${s}`,
      method: 'GET',
      headers: { 'X-Echo': s },
      attempt: n,
      lastEventId: s,
      protocols: [s],
    },
    {
      seq: n + 1,
      time: T,
      kind: 'open',
      state: 'open',
      url: `http://h/?q=${s}`,
      status: n,
      statusText: `OK ${s}`,
      headers: { 'X-Echo': s },
    },
    { seq: n + 2, time: T, kind: 'message', dir: 'in', format: 'text', data: s, size: n, event: s, id: s, lastEventId: s },
    { seq: n + 3, time: T, kind: 'message', dir: 'in', format: 'text', data: `{"key":"${s}","n":${n}}`, size: n },
    { seq: n + 4, time: T, kind: 'comment', text: `ping ${s}` },
    { seq: n + 5, time: T, kind: 'retry', ms: n },
    { seq: n + 6, time: T, kind: 'reconnecting', state: 'reconnecting', attempt: n, delayMs: n, maxAttempts: n },
    { seq: n + 7, time: T, kind: 'closing', state: 'closing', code: n, reason: s },
    { seq: n + 8, time: T, kind: 'close', state: 'closed', code: n, reason: `bye ${s}`, clean: true, by: 'server' },
    {
      seq: n + 9,
      time: T,
      kind: 'error',
      code: 'ERR_HTTP_STATUS',
      message: `HTTP ${s}`,
      fatal: true,
      status: n,
      statusText: s,
      headers: { 'X-Echo': s },
      body: s,
      closeCode: n,
    },
    { seq: n + 10, time: T, kind: 'info', message: `note ${s}` },
  ];
}

/** Every output of a record: panel, export, saved log. Each must parse and hold no secret. */
function outputs(r: Redactor, rs: ConnRecord[]): string[] {
  const store = { size: rs.length, at: (i: number) => rs[i] };
  return [
    ...rs.map((x) => JSON.stringify(forWebview(x, r, Infinity))),
    ...toNdjson(rs, r).trim().split('\n'),
    ...tailNdjson(store, r).text.trim().split('\n'),
  ];
}

/** The text in a value at any depth: strings, and the names in objects (header names). */
function texts(v: unknown): string[] {
  if (typeof v === 'string') {
    return [v];
  }
  if (Array.isArray(v)) {
    return v.flatMap(texts);
  }
  if (v && typeof v === 'object') {
    return [...Object.keys(v), ...Object.values(v).flatMap(texts)];
  }
  return [];
}

/** The text values of a parsed record, but for the fields that name what the record is. */
function textValues(record: object): string[] {
  return Object.entries(record).flatMap(([k, v]) => (['kind', 'time', 'state', 'format', 'dir', 'by', 'code'].includes(k) ? [] : texts(v)));
}

const CASES: { name: string; secret: string; n: number }[] = [
  { name: 'numeric (X-API-Key: 200)', secret: '200', n: 200 },
  { name: 'numeric (Bearer 482913, echoed as retry)', secret: '482913', n: 482913 },
  { name: 'true', secret: 'true', n: 1 },
  { name: 'null', secret: 'null', n: 1 },
  { name: 'a JSON key', secret: 'seq', n: 3 },
  { name: 'a quote', secret: 'ab"cd', n: 7 },
  { name: 'a backslash', secret: 'ab\\cd', n: 7 },
  { name: 'quote and backslash', secret: 'x\\"y', n: 7 },
  { name: 'a line break', secret: 'ab\ncd', n: 7 },
];

for (const c of CASES) {
  test(`a ${c.name} secret: every record's output parses, numbers intact, text masked`, () => {
    const r = new Redactor([c.secret]);
    const rs = records(c.secret, c.n);
    for (const line of outputs(r, rs)) {
      const parsed = JSON.parse(line) as ConnRecord & Record<string, unknown>;
      const original = rs.find((x) => x.seq === parsed.seq)!;
      assert.ok(original, `seq survived: ${line}`);
      for (const [k, v] of Object.entries(original)) {
        if (typeof v === 'number' || typeof v === 'boolean') {
          assert.equal(parsed[k], v, `${k} unchanged in ${line}`);
        }
      }
      const clear = textValues(parsed).filter((v) => v.includes(c.secret));
      assert.deepEqual(clear, [], `in clear: ${line}`);
    }
    // The text fields themselves.
    const msg = r.record(rs[2]) as Extract<ConnRecord, { kind: 'message' }>;
    assert.deepEqual([msg.data, msg.event, msg.id, msg.lastEventId], [MASK, MASK, MASK, MASK]);
    const close = r.record(rs[8]) as Extract<ConnRecord, { kind: 'close' }>;
    assert.equal(close.reason, `bye ${MASK}`);
  });
}

test('structural fields stay as they are whatever the secret: kind, time, state, error code', () => {
  const r = new Redactor(['message', '2026', 'ERR_HTTP_STATUS', 'closed']);
  for (const rec of records('x', 5)) {
    const out = r.record(rec);
    assert.equal(out.kind, rec.kind);
    assert.equal(out.time, rec.time);
    assert.equal(out.state, rec.state);
    if (rec.kind === 'error') {
      assert.equal((out as typeof rec).code, rec.code);
    }
  }
});

test('short secrets (under 3 characters) are masked only where a whole value is the secret', () => {
  const r = new Redactor(['1', 'ok']);
  assert.ok(r.hasSecrets);
  const rs = records('1', 1);
  const msg = r.record(rs[2]) as Extract<ConnRecord, { kind: 'message' }>;
  assert.equal(msg.data, MASK, 'data "1" is the secret');
  assert.equal(msg.size, 1, 'the number 1 is not');
  const text: ConnRecord = { seq: 1, time: T, kind: 'message', dir: 'in', format: 'text', data: 'ok 1 10 21', size: 10 };
  assert.equal(r.record(text), text, 'inside text, a short secret is not searched for');
  assert.equal(r.field('ok'), MASK);
  assert.equal(r.field('okay'), 'okay');
  assert.equal(r.text('ok'), 'ok', 'free text (the raw stream, log lines) is searched for secrets of 3 characters or more only');
});

test('no secret: the very record comes back, nothing copied', () => {
  const r = new Redactor([]);
  assert.equal(r.hasSecrets, false);
  for (const rec of records('abc', 2)) {
    assert.equal(r.record(rec), rec);
  }
  const r2 = new Redactor(['zzz-not-there']);
  for (const rec of records('abc', 2)) {
    assert.equal(r2.record(rec), rec, `${rec.kind}: unchanged, not copied`);
  }
});

test('binary payloads are masked in their bytes and stay valid base64; without the secret, untouched', () => {
  const secret = 'k3y-9Z';
  const r = new Redactor([secret]);
  const bytes = Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(secret), Buffer.from([0xfe, 0x80])]);
  const rec: ConnRecord = {
    seq: 1,
    time: T,
    kind: 'message',
    dir: 'in',
    format: 'binary',
    data: bytes.toString('base64'),
    size: bytes.length,
  };
  const out = r.record(rec) as typeof rec;
  const back = Buffer.from(out.data, 'base64');
  assert.equal(back.toString('base64'), out.data, 'valid base64');
  assert.deepEqual(back, Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(MASK), Buffer.from([0xfe, 0x80])]));
  assert.equal(out.size, bytes.length, 'size is what came on the wire');
  // A secret that only appears in the base64 text is not in the bytes: nothing changes.
  const b64 = Buffer.from('hello world').toString('base64'); // aGVsbG8gd29ybGQ=
  const r2 = new Redactor(['bG8g']);
  const plain: ConnRecord = { seq: 2, time: T, kind: 'message', dir: 'in', format: 'binary', data: b64, size: 11 };
  assert.equal(r2.record(plain), plain);
  const ping: ConnRecord = { seq: 3, time: T, kind: 'ping', dir: 'in', data: Buffer.from(`p ${secret}`).toString('base64'), size: 8 };
  assert.equal(Buffer.from((r.record(ping) as typeof ping).data, 'base64').toString(), `p ${MASK}`);
});

test('status-like values are masked at any depth, numbers untouched, the same object when clean', () => {
  const r = new Redactor(['200', 'a"b']);
  const v = { code: 200, reason: 'x 200 y', nested: { list: ['a"b', 200], url: 'http://u:pw@h/?token=abc' } };
  assert.deepEqual(r.value(v), {
    code: 200,
    reason: `x ${MASK} y`,
    nested: { list: [MASK, 200], url: `http://u:${MASK}@h/?token=${MASK}` },
  });
  assert.deepEqual(r.value({ code: 'ERR_HTTP_STATUS', message: 'ERR_HTTP_STATUS' }), {
    code: 'ERR_HTTP_STATUS',
    message: 'ERR_HTTP_STATUS',
  });
  const r3 = new Redactor(['HTTP']);
  assert.deepEqual(
    r3.value({ code: 'ERR_HTTP_STATUS', message: 'HTTP 401' }),
    { code: 'ERR_HTTP_STATUS', message: `${MASK} 401` },
    'an error code is a name, not text',
  );
  const clean = { a: 1, b: ['x'] };
  assert.equal(r.value(clean), clean);
});

// ---------- URL credentials ----------

const PARAMS: [string, boolean][] = [
  ['token', true],
  ['access_token', true],
  ['refresh_token', true],
  ['id_token', true],
  ['api_key', true],
  ['apikey', true],
  ['api-key', true],
  ['X-Api-Key', true],
  ['key', true],
  ['sig', true],
  ['signature', true],
  ['X-Amz-Signature', true],
  ['X-Amz-Security-Token', true],
  ['X-Amz-Credential', true],
  ['password', true],
  ['passwd', true],
  ['pwd', true],
  ['secret', true],
  ['client_secret', true],
  ['auth', true],
  ['code', true],
  ['jwt', true],
  ['session', true],
  ['acc%65ss_token', true],
  ['page', false],
  ['q', false],
  ['monkey', false],
  ['zipcode', false],
  ['keyboard', false],
  ['author', false],
  ['limit', false],
  ['lastEventId', false],
];

for (const [name, credential] of PARAMS) {
  test(`URL parameter "${name}" ${credential ? 'is' : 'is not'} a credential`, () => {
    assert.equal(isCredentialParam(name), credential);
  });
}

const URLS: [string, string][] = [
  ['https://h/s?token=abc123&page=2', `https://h/s?token=${MASK}&page=2`],
  ['wss://h/ws?access_token=a.b.c#x', `wss://h/ws?access_token=${MASK}#x`],
  [
    'https://h/?api_key=k&apikey=k2&key=k3&sig=s&signature=s2',
    `https://h/?api_key=${MASK}&apikey=${MASK}&key=${MASK}&sig=${MASK}&signature=${MASK}`,
  ],
  ['https://user:p%40ss@h:8443/x', `https://user:${MASK}@h:8443/x`],
  ['https://ghp_TOKEN@h/x', `https://${MASK}@h/x`],
  ['https://h/cb#access_token=zz&state=1', `https://h/cb#access_token=${MASK}&state=1`],
  ['https://h/?token=&page=1', 'https://h/?token=&page=1'],
  ['https://h/path/with:colon@not-userinfo', 'https://h/path/with:colon@not-userinfo'],
  ['https://h/?q=token', 'https://h/?q=token'],
  ['not a url ?token=1', 'not a url ?token=1'],
];

for (const [url, masked] of URLS) {
  test(`URL masked as written: ${url}`, () => {
    assert.equal(maskUrlCredentials(url, MASK), masked);
    assert.equal(new Redactor().url(url), masked, 'the redactor masks URL credentials without any secret configured');
    assert.ok(!new Redactor().url(url).includes('%E2%80%A2'), 'the mask is never percent-encoded');
    assert.equal(hasUrlCredentials(url), masked !== url);
  });
}

test('the secrets a URL carries: parameter values, the password, the Basic credential derived from it', () => {
  const s = urlSecrets('https://al%69ce:p%40ss@h/?token=t%2B1&page=2');
  assert.ok(s.includes('p%40ss') && s.includes('p@ss'), 'the password as written and decoded');
  assert.ok(s.includes(Buffer.from('alice:p@ss').toString('base64')), 'the Basic credential the transports send');
  assert.ok(s.includes('t%2B1') && s.includes('t+1'), 'the token as written and decoded');
  assert.ok(!s.includes('2'), 'not the other parameters');
  const r = Redactor.forOptions({ url: 'https://alice:pw-secret@h/' });
  const basic = Buffer.from('alice:pw-secret').toString('base64');
  const rec: ConnRecord = {
    seq: 1,
    time: T,
    kind: 'message',
    dir: 'in',
    format: 'text',
    data: `you sent Basic ${basic} and pw-secret`,
    size: 3,
  };
  assert.equal((r.record(rec) as typeof rec).data, `you sent Basic ${MASK} and ${MASK}`);
});

// ---------- the raw tail ----------

test('a raw tail cut inside a secret never starts with the rest of it in clear', () => {
  const secret = 'sk-live-ABCDEFGH';
  const r = new Redactor([secret]);
  for (let into = 1; into < secret.length; into++) {
    const tail = new RawTail(64);
    const stream = `${'x'.repeat(40)}data: ${secret}\n\n${'y'.repeat(10)}`;
    tail.push(Buffer.from(stream));
    // Cut so that the tail starts `into` characters into the secret.
    const start = stream.indexOf(secret) + into;
    const t2 = new RawTail(stream.length - start);
    t2.push(Buffer.from(stream));
    const shown = t2.maskedText(r);
    const rest = secret.slice(into);
    assert.ok(!shown.startsWith(rest), `cut ${into} in: ${shown}`);
    assert.ok(shown.startsWith(MASK), `cut ${into} in: ${shown}`);
    assert.equal(tail.maskedText(r), r.text(tail.text()), 'a tail that was not cut is masked as it is');
  }
});

test('the CLI names a bad URL without the credentials it carries', async () => {
  const { parseCliArgs } = await import('../../../src/cli/args');
  for (const argv of [['http://alice:pw-s3cret@ho st/?token=tk-1'], ['http://h/?token=tk-1', 'http://alice:pw-s3cret@h/']]) {
    assert.throws(
      () => parseCliArgs(argv),
      (e: Error) => !e.message.includes('pw-s3cret') && !e.message.includes('tk-1') && e.message.includes(MASK),
      argv.join(' '),
    );
  }
});

test('a secret echoed JSON-escaped or percent-encoded is masked in that spelling too', () => {
  const secret = 'q"uo\\te/+=77';
  const r = new Redactor([secret]);
  const body = JSON.stringify({ error: `token ${secret} is revoked` });
  const location = `/denied?echo=${encodeURIComponent(secret)}`;
  const masked = r.record({
    kind: 'error',
    seq: 1,
    time: '2026-12-01T00:00:00.000Z',
    code: 'ERR_HTTP_STATUS',
    message: 'refused',
    fatal: true,
    status: 401,
    body,
    headers: { location },
  });
  const text = JSON.stringify(masked);
  for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
    assert.ok(!text.includes(form), `${form} is masked`);
  }
  assert.ok(text.includes('token •••• is revoked') && text.includes('echo=••••'), text);
  assert.equal(new Redactor(['plain-token-1']).text('a plain-token-1 b'), `a ${MASK} b`, 'a secret with nothing to escape is one spelling');
});
