import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RawTail } from '../../../src/core/rawTail';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('keeps the stream as received and reads it as text, a character split across chunks whole', () => {
  const tail = new RawTail(1024);
  const all = bytes('data: Grüße ✓ 😀\r\n\r\n');
  // Split inside 'ü' (2 bytes), '✓' (3) and '😀' (4).
  const cuts = [9, 15, 18, all.length];
  let at = 0;
  for (const end of cuts) {
    tail.push(all.subarray(at, end));
    at = end;
  }
  assert.equal(tail.text(), 'data: Grüße ✓ 😀\r\n\r\n');
  assert.equal(tail.size, all.length);
});

test('copies what it keeps: the caller may reuse its buffer', () => {
  const tail = new RawTail(1024);
  const chunk = bytes('data: one\n\n');
  tail.push(chunk);
  chunk.fill(0x78);
  assert.equal(tail.text(), 'data: one\n\n');
});

test('stays within its size, keeps the newest bytes and starts at a whole character', () => {
  const tail = new RawTail(10);
  tail.push(bytes('aaaa'));
  tail.push(bytes('bbbb'));
  tail.push(bytes('éééé')); // 8 bytes: the tail cuts 'bbbb' and keeps 2 of its bytes
  assert.equal(tail.size, 10);
  assert.equal(tail.text(), 'bbéééé');
  tail.push(bytes('✓✓')); // 6 bytes: 4 kept from before, inside 'é' — the cut half is skipped
  assert.equal(tail.size, 10);
  assert.equal(tail.text(), 'éé✓✓');
  tail.push(bytes('x'.repeat(50)));
  assert.equal(tail.text(), 'x'.repeat(10));
});

test('a character still coming is left out, not shown as U+FFFD; it shows once complete', () => {
  const tail = new RawTail(100);
  const check = bytes('ok ✓');
  tail.push(check.subarray(0, check.length - 1));
  assert.equal(tail.text(), 'ok ');
  tail.push(check.subarray(check.length - 1));
  assert.equal(tail.text(), 'ok ✓');
});

test('responses are decoded apart: a character cut by the end of one does not join the next', () => {
  const tail = new RawTail(100);
  const check = bytes('✓');
  tail.push(bytes('data: a'));
  tail.push(check.subarray(0, 2));
  tail.responseStart();
  tail.push(check.subarray(2));
  tail.push(bytes('data: b'));
  assert.equal(tail.text(), 'data: a\uFFFD\uFFFDdata: b');
});

test('invalid UTF-8 reads as U+FFFD', () => {
  const tail = new RawTail(100);
  tail.push(Buffer.from([0x64, 0xff, 0xfe, 0x65]));
  assert.equal(tail.text(), 'd\uFFFD\uFFFDe');
});
