import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { disposableTimeout, MAX_TIMEOUT_MS } from '../../../src/core/lifecycle';
import { DEFAULT_RECONNECT, ReconnectPolicy, resolveReconnectOptions } from '../../../src/core/reconnect';

const policy = (partial: Parameters<typeof resolveReconnectOptions>[0], random?: () => number) =>
  new ReconnectPolicy(resolveReconnectOptions(partial), random);

describe('ReconnectPolicy', () => {
  it('full jitter draws every delay from [0, ceiling]', () => {
    const lows = policy({ initialDelayMs: 1000 }, () => 0);
    const highs = policy({ initialDelayMs: 1000 }, () => 0.999999);
    const mids = policy({ initialDelayMs: 1000 }, () => 0.5);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const ceiling = lows.ceilingFor(attempt);
      assert.equal(lows.delayFor(attempt), 0);
      assert.equal(highs.delayFor(attempt), Math.round(ceiling * 0.999999));
      assert.equal(mids.delayFor(attempt), Math.round(ceiling / 2));
    }
    const real = policy({ initialDelayMs: 1000 });
    for (let i = 0; i < 1000; i++) {
      const d = real.delayFor(3);
      assert.ok(d >= 0 && d <= 4000, `delay ${d} within [0, 4000]`);
    }
  });

  it('grows by the multiplier from the initial delay', () => {
    const p = policy({ initialDelayMs: 100, multiplier: 3, jitter: false, maxDelayMs: 1e9 });
    assert.deepEqual(
      [1, 2, 3, 4].map((a) => p.delayFor(a)),
      [100, 300, 900, 2700],
    );
  });

  it('never exceeds the maximum delay, also for huge attempt numbers', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 5000, jitter: false });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 100, 5000].map((a) => p.delayFor(a)),
      [1000, 2000, 4000, 5000, 5000, 5000, 5000],
    );
  });

  it("the SSE server's retry replaces the initial delay and grows with the backoff up to the cap", () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 30_000, jitter: false });
    assert.deepEqual(
      [1, 2, 3, 8, 9, 1000].map((a) => p.delayFor(a, 250)),
      [250, 500, 1000, 30_000, 30_000, 30_000],
    );
    assert.equal(p.delayFor(1, 0), 0);
  });

  it("the SSE server's retry is the floor of every delay: jitter draws from [retry, ceiling]", () => {
    const lows = policy({ initialDelayMs: 1000, maxDelayMs: 30_000 }, () => 0);
    const mids = policy({ initialDelayMs: 1000, maxDelayMs: 30_000 }, () => 0.5);
    const highs = policy({ initialDelayMs: 1000, maxDelayMs: 30_000 }, () => 0.999999);
    // Attempt 1 waits exactly the reconnection time, whatever the random draw.
    assert.deepEqual(
      [lows, mids, highs].map((p) => p.delayFor(1, 2000)),
      [2000, 2000, 2000],
    );
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.max(2000, Math.min(30_000, 2000 * 2 ** (attempt - 1)));
      assert.equal(lows.ceilingFor(attempt, 2000), ceiling);
      assert.equal(lows.floorFor(2000), 2000);
      assert.equal(lows.delayFor(attempt, 2000), 2000, `attempt ${attempt}: the lowest draw is the server's retry`);
      assert.equal(mids.delayFor(attempt, 2000), Math.round(2000 + (ceiling - 2000) / 2));
      assert.equal(highs.delayFor(attempt, 2000), Math.round(2000 + (ceiling - 2000) * 0.999999));
    }
    const real = policy({ initialDelayMs: 1000, maxDelayMs: 30_000 });
    for (let i = 0; i < 1000; i++) {
      const attempt = 1 + (i % 10);
      const d = real.delayFor(attempt, 300);
      assert.ok(d >= 300 && d <= Math.min(30_000, 300 * 2 ** (attempt - 1)), `attempt ${attempt}: delay ${d} within [300, ceiling]`);
    }
  });

  it("a server retry above maxDelayMs is waited in full (the server's word wins over the cap)", () => {
    for (const jitter of [true, false]) {
      const p = policy({ maxDelayMs: 1000, jitter }, () => 0.5);
      assert.deepEqual(
        [1, 2, 5].map((a) => p.delayFor(a, 5000)),
        [5000, 5000, 5000],
      );
      assert.equal(p.ceilingFor(3, 5000), 5000);
      assert.equal(p.delayFor(1, 1e12), 1e12);
    }
  });

  it('without a server retry the policy is as before: full jitter from 0', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 30_000 }, () => 0);
    assert.equal(p.floorFor(undefined), 0);
    assert.deepEqual(
      [1, 2, 3].map((a) => p.delayFor(a)),
      [0, 0, 0],
    );
    assert.deepEqual(
      [1, 2, 3].map((a) => p.ceilingFor(a)),
      [1000, 2000, 4000],
    );
  });

  it('allows at most maxAttempts attempts', () => {
    const p = policy({ maxAttempts: 3 });
    assert.deepEqual(
      [1, 2, 3, 4].map((a) => p.allows(a)),
      [true, true, true, false],
    );
    assert.equal(policy({ maxAttempts: 0 }).allows(1), false);
  });

  it('null maxAttempts is unlimited', () => {
    const p = policy({ maxAttempts: null });
    assert.equal(p.allows(1_000_000), true);
    assert.equal(p.options.maxAttempts, null);
  });

  it('SSE: a clean end is reconnected only for a GET unless onEnd says otherwise', () => {
    const byDefault = policy({});
    assert.equal(byDefault.options.onEnd, undefined);
    assert.deepEqual(
      ['GET', 'get', 'POST', 'PUT', 'PATCH'].map((m) => byDefault.reconnectsAfterEnd(m)),
      [true, true, false, false, false],
    );
    assert.deepEqual(
      ['GET', 'POST'].map((m) => policy({ onEnd: true }).reconnectsAfterEnd(m)),
      [true, true],
    );
    assert.deepEqual(
      ['GET', 'POST'].map((m) => policy({ onEnd: false }).reconnectsAfterEnd(m)),
      [false, false],
    );
  });

  it('SSE: a network failure is retried for the methods listed, case-insensitively', () => {
    const byDefault = policy({});
    assert.deepEqual(byDefault.options.methods, ['GET']);
    assert.deepEqual(
      ['GET', 'get', 'POST'].map((m) => byDefault.retriesAfterFailure(m)),
      [true, true, false],
    );
    const both = policy({ methods: ['get', 'Post'] });
    assert.deepEqual(both.options.methods, ['GET', 'POST']);
    assert.deepEqual(
      ['GET', 'POST', 'post', 'PUT'].map((m) => both.retriesAfterFailure(m)),
      [true, true, true, false],
    );
    assert.deepEqual(
      ['GET', 'POST'].map((m) => policy({ methods: [] }).retriesAfterFailure(m)),
      [false, false],
    );
    assert.deepEqual(policy({ methods: 'POST' as unknown as string[] }).options.methods, ['GET'], 'not a list: the default');
  });

  it('defaults: 1 s initial, 30 s cap, 10 attempts, ×2, jitter on, enabled', () => {
    const o = resolveReconnectOptions();
    assert.deepEqual(o, { ...DEFAULT_RECONNECT });
    assert.equal(o.initialDelayMs, 1000);
    assert.equal(o.maxDelayMs, 30_000);
    assert.equal(o.maxAttempts, 10);
    assert.equal(o.jitter, true);
    assert.deepEqual(o.methods, ['GET']);
    assert.equal(o.onEnd, undefined);
  });

  it('invalid values fall back to the defaults; undefined keeps the default', () => {
    const o = resolveReconnectOptions({
      initialDelayMs: -5,
      maxDelayMs: Number.NaN,
      multiplier: 0.5,
      maxAttempts: 2.5,
      resetAfterMs: undefined,
    });
    assert.equal(o.initialDelayMs, DEFAULT_RECONNECT.initialDelayMs);
    assert.equal(o.maxDelayMs, DEFAULT_RECONNECT.maxDelayMs);
    assert.equal(o.multiplier, DEFAULT_RECONNECT.multiplier);
    assert.equal(o.maxAttempts, DEFAULT_RECONNECT.maxAttempts);
    assert.equal(o.resetAfterMs, DEFAULT_RECONNECT.resetAfterMs);
  });
});

describe('disposableTimeout', () => {
  const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  it('a delay longer than one timer holds is waited out in steps, never early', async () => {
    const t0 = performance.now();
    const firedAt = await new Promise<number>((resolve) => disposableTimeout(() => resolve(performance.now()), 70, 20));
    assert.ok(firedAt - t0 >= 68, `fired after ${(firedAt - t0).toFixed(1)} ms`);
  });

  it('a delay past 2^31-1 ms does not fire at once (a plain setTimeout would)', async () => {
    let fired = false;
    const long = disposableTimeout(() => (fired = true), MAX_TIMEOUT_MS + 1000);
    const forever = disposableTimeout(() => (fired = true), Infinity);
    await after(30);
    assert.equal(fired, false);
    long.dispose();
    forever.dispose();
  });

  it('dispose between two steps cancels the rest', async () => {
    let fired = false;
    const t = disposableTimeout(() => (fired = true), 60, 20);
    await after(30);
    t.dispose();
    await after(80);
    assert.equal(fired, false);
  });
});
