import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_RECONNECT, ReconnectPolicy, resolveReconnectOptions } from '../../src/core/reconnect';

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
    assert.deepEqual([1, 2, 3, 4].map((a) => p.delayFor(a)), [100, 300, 900, 2700]);
  });

  it('never exceeds the maximum delay, also for huge attempt numbers', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 5000, jitter: false });
    assert.deepEqual([1, 2, 3, 4, 5, 100, 5000].map((a) => p.delayFor(a)), [1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it('the SSE server\'s retry replaces the initial delay and is capped too', () => {
    const p = policy({ initialDelayMs: 1000, maxDelayMs: 30_000, jitter: false });
    assert.equal(p.delayFor(1, 250), 250);
    assert.equal(p.delayFor(2, 250), 500);
    assert.equal(p.delayFor(1, 1e12), 30_000);
    assert.equal(p.delayFor(1, 0), 0);
  });

  it('allows at most maxAttempts attempts', () => {
    const p = policy({ maxAttempts: 3 });
    assert.deepEqual([1, 2, 3, 4].map((a) => p.allows(a)), [true, true, true, false]);
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
    assert.deepEqual(['GET', 'get', 'POST', 'PUT', 'PATCH'].map((m) => byDefault.reconnectsAfterEnd(m)), [true, true, false, false, false]);
    assert.deepEqual(['GET', 'POST'].map((m) => policy({ onEnd: true }).reconnectsAfterEnd(m)), [true, true]);
    assert.deepEqual(['GET', 'POST'].map((m) => policy({ onEnd: false }).reconnectsAfterEnd(m)), [false, false]);
  });

  it('SSE: a network failure is retried for the methods listed, case-insensitively', () => {
    const byDefault = policy({});
    assert.deepEqual(byDefault.options.methods, ['GET']);
    assert.deepEqual(['GET', 'get', 'POST'].map((m) => byDefault.retriesAfterFailure(m)), [true, true, false]);
    const both = policy({ methods: ['get', 'Post'] });
    assert.deepEqual(both.options.methods, ['GET', 'POST']);
    assert.deepEqual(['GET', 'POST', 'post', 'PUT'].map((m) => both.retriesAfterFailure(m)), [true, true, true, false]);
    assert.deepEqual(['GET', 'POST'].map((m) => policy({ methods: [] }).retriesAfterFailure(m)), [false, false]);
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
    const o = resolveReconnectOptions({ initialDelayMs: -5, maxDelayMs: Number.NaN, multiplier: 0.5, maxAttempts: 2.5, resetAfterMs: undefined });
    assert.equal(o.initialDelayMs, DEFAULT_RECONNECT.initialDelayMs);
    assert.equal(o.maxDelayMs, DEFAULT_RECONNECT.maxDelayMs);
    assert.equal(o.multiplier, DEFAULT_RECONNECT.multiplier);
    assert.equal(o.maxAttempts, DEFAULT_RECONNECT.maxAttempts);
    assert.equal(o.resetAfterMs, DEFAULT_RECONNECT.resetAfterMs);
  });
});
