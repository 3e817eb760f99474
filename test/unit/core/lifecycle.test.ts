import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MutableDisposable, toDisposable } from '../../../src/core/lifecycle';

function tracked(log: string[], name: string) {
  return toDisposable(() => log.push(name));
}

test('MutableDisposable: a new value disposes the one it replaces, and only that one', () => {
  const log: string[] = [];
  const slot = new MutableDisposable();
  slot.value = tracked(log, 'a');
  assert.deepEqual(log, []);
  slot.value = tracked(log, 'b');
  assert.deepEqual(log, ['a']);
  const b = slot.value;
  slot.value = b;
  assert.deepEqual(log, ['a'], 'setting the same value again keeps it');
  slot.clear();
  assert.deepEqual(log, ['a', 'b']);
  assert.equal(slot.value, undefined);
  slot.value = tracked(log, 'c');
  assert.equal(log.length, 2, 'still usable after clear');
});

test('MutableDisposable: disposing it disposes the value and anything set afterwards', () => {
  const log: string[] = [];
  const slot = new MutableDisposable();
  slot.value = tracked(log, 'a');
  slot.dispose();
  assert.deepEqual(log, ['a']);
  slot.value = tracked(log, 'late');
  assert.deepEqual(log, ['a', 'late']);
  assert.equal(slot.value, undefined);
});
