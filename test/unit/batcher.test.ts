import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Batcher } from '../../src/core/batcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a burst goes in one batch, and batches are at least the interval apart', async () => {
  const b = new Batcher(30);
  const flushes: { count: number; at: number }[] = [];
  b.onFlush((count) => flushes.push({ count, at: Date.now() }));
  for (let i = 0; i < 1000; i++) {
    b.push();
  }
  assert.equal(b.pendingCount, 1000);
  await sleep(10);
  assert.deepEqual(flushes.map((f) => f.count), [1000], 'the first item after a quiet period goes at once');
  b.push();
  b.push();
  await sleep(10);
  assert.equal(flushes.length, 1, 'the next batch waits for the interval');
  await sleep(60);
  assert.deepEqual(flushes.map((f) => f.count), [1000, 2]);
  assert.ok(flushes[1].at - flushes[0].at >= 29, `${flushes[1].at - flushes[0].at} ms apart`);
  b.dispose();
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
