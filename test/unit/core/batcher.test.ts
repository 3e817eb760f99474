import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Batcher } from '../../../src/core/batcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `done()` holds, checking every few milliseconds. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) {
    await sleep(2);
  }
}

test('a burst goes in one batch, and batches are at least the interval apart', async () => {
  const b = new Batcher(30);
  const flushes: { count: number; at: number }[] = [];
  b.onFlush((count) => flushes.push({ count, at: Date.now() }));
  for (let i = 0; i < 1000; i++) {
    b.push();
  }
  assert.equal(b.pendingCount, 1000);
  assert.equal(flushes.length, 0, 'delivered on the next turn, not while pushing');
  await until(() => flushes.length === 1);
  assert.deepEqual(
    flushes.map((f) => f.count),
    [1000],
    'the first items after a quiet period go in one batch',
  );
  b.push();
  b.push();
  await until(() => flushes.length === 2);
  assert.deepEqual(
    flushes.map((f) => f.count),
    [1000, 2],
  );
  // `at` is read just after the batcher's own clock reading, so it can be 1 ms late for the first batch.
  assert.ok(flushes[1].at - flushes[0].at >= 29, `${flushes[1].at - flushes[0].at} ms apart`);
  b.dispose();
});

test('batches stay the interval apart when many pushes come in between, one turn at a time', async () => {
  const b = new Batcher(20);
  const at: number[] = [];
  b.onFlush(() => at.push(Date.now()));
  while (at.length < 6) {
    b.push();
    await new Promise((r) => setImmediate(r));
  }
  b.dispose();
  const gaps = at.slice(1).map((t, i) => t - at[i]);
  assert.ok(
    gaps.every((g) => g >= 19),
    `gaps ${gaps.join(', ')} ms`,
  );
});

test('flush delivers now; discard drops; nothing is delivered after dispose', async () => {
  const b = new Batcher(20);
  const counts: number[] = [];
  b.onFlush((count) => counts.push(count));
  b.push();
  b.flush();
  b.flush();
  assert.deepEqual(counts, [1], 'an empty flush delivers nothing');
  b.push();
  b.discard();
  await sleep(40);
  assert.deepEqual(counts, [1]);
  b.push();
  b.dispose();
  b.push();
  await sleep(40);
  assert.deepEqual(counts, [1]);
});
