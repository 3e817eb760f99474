import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redactor';
import type { ConnRecord } from '../../../src/core/records';
import { decodeBinary, forWebview } from '../../../src/panel/forWebview';

const msg = (data: string, extra: Partial<ConnRecord> = {}): ConnRecord =>
  ({ kind: 'message', seq: 1, time: 't', dir: 'in', format: 'text', data, size: data.length, ...extra }) as ConnRecord;

test('records without secrets or large data are passed through as the same object', () => {
  const r = msg('hello');
  assert.equal(forWebview(r, new Redactor(), 10), r);
});

test('secrets are masked in a copy, the stored record is untouched', () => {
  const r = msg('token=abc123');
  const out = forWebview(r, new Redactor(['abc123']), 1000);
  assert.equal(out.kind === 'message' && out.data, 'token=••••');
  assert.equal(r.kind === 'message' && r.data, 'token=abc123');
});

test('large text messages are cut to the display limit', () => {
  const r = msg('x'.repeat(100), { large: true } as Partial<ConnRecord>);
  const out = forWebview(r, new Redactor(), 10);
  assert.equal(out.kind === 'message' && out.data.length, 10);
  assert.equal(out.kind === 'message' && out.large, true);
  const whole = forWebview(r, new Redactor(), 10, false);
  assert.equal(whole, r, 'no preview when the whole record is asked for');
});

test('large binary previews cut base64 on a 4-character boundary', () => {
  const data = Buffer.alloc(100, 7).toString('base64');
  const out = forWebview(msg(data, { format: 'binary', large: true } as Partial<ConnRecord>), new Redactor(), 10);
  assert.ok(out.kind === 'message');
  assert.equal(out.data.length % 4, 0);
  assert.equal(Buffer.from(out.data, 'base64').length, 12);
});

test('decodeBinary reads hex with spaces and base64, and rejects malformed input', () => {
  assert.deepEqual([...decodeBinary('de ad BE EF')], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual([...decodeBinary('3q2+7w==', 'base64')], [0xde, 0xad, 0xbe, 0xef]);
  assert.throws(() => decodeBinary('abc'), /hex/);
  assert.throws(() => decodeBinary('zz'), /hex/);
  assert.throws(() => decodeBinary('a', 'base64'), /base64/);
});

test('the panel limit decides: a message over it is cut and flagged even when the store did not flag it', () => {
  const out = forWebview(msg('y'.repeat(50)), new Redactor(), 20);
  assert.ok(out.kind === 'message');
  assert.equal(out.large, true);
  assert.equal(out.data.length, 20);
});
