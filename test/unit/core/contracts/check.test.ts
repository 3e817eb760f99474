import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CheckSummary, ContractCheck, type RuleResult } from '../../../../src/core/contracts/check';
import { compileExpect } from '../../../../src/core/contracts/expect';
import type { ConnRecord } from '../../../../src/core/records';

/** Feeds a check records as a connection would make them: seq from 1, times from a fixed start. */
class Feed {
  private seq = 0;
  readonly t0 = Date.parse('2026-01-01T00:00:00.000Z');
  readonly settled: RuleResult[] = [];
  summary?: CheckSummary;
  readonly check: ContractCheck;

  constructor(expect: unknown, kind?: 'sse' | 'ws') {
    this.check = new ContractCheck(compileExpect(expect, kind));
    this.check.onDidSettle((r) => this.settled.push(r));
    this.check.onDidFinish((s) => (this.summary = s));
    this.check.start();
  }

  private at(ms: number) {
    return { seq: ++this.seq, time: new Date(this.t0 + ms).toISOString() };
  }
  open(ms = 0) {
    this.check.observe({ kind: 'open', url: 'ws://127.0.0.1/', headers: {}, ...this.at(ms) } as ConnRecord);
  }
  msg(ms: number, data: string, extra: Partial<{ event: string; id: string; dir: 'in' | 'out'; format: 'text' | 'binary' }> = {}) {
    const r = { kind: 'message', dir: 'in', format: 'text', data, size: data.length, ...extra, ...this.at(ms) } as ConnRecord;
    this.check.observe(r);
    return r.seq;
  }
  close(ms: number, code: number | undefined, by: 'server' | 'network' | 'client', clean = true) {
    this.check.observe({ kind: 'close', code, clean, by, ...this.at(ms) } as ConnRecord);
  }
  error(ms: number) {
    this.check.observe({ kind: 'error', code: 'ERR_NETWORK', message: 'reset', fatal: false, ...this.at(ms) } as ConnRecord);
  }
  result(rule: string) {
    return this.summary?.results.find((r) => r.rule === rule) ?? this.settled.find((r) => r.rule === rule);
  }
}

describe('a contract check', () => {
  it('passes a rule at its first match, with the time after open and the record that decided it', () => {
    const f = new Feed({ messages: [{ name: 'first tick', event: 'tick' }] });
    f.open(1000);
    f.msg(1100, 'x', { event: 'other' });
    const seq = f.msg(1412, '{"n":1}', { event: 'tick' });
    assert.deepEqual(f.settled, [{ rule: 'first tick', ok: true, detail: 'matched', atMs: 412, decidedBy: seq }]);
    assert.equal(f.summary?.end.reason, 'settled', 'every rule settled: the run ends early');
    assert.equal(f.summary?.passed, 1);
  });

  it('counts incoming messages against min and max, and fails at once past the max', () => {
    const f = new Feed({ count: { min: 2, max: 3 }, noErrors: true });
    f.open();
    f.msg(1, 'a');
    f.msg(2, 'b', { dir: 'out' });
    f.msg(3, 'c');
    assert.equal(f.check.states[0].status, 'holding', 'min reached, max can still break it');
    f.msg(4, 'd');
    assert.equal(f.settled.length, 0);
    f.msg(5, 'e');
    assert.deepEqual(
      f.settled.map((r) => [r.rule, r.ok, r.detail]),
      [['count', false, '4 of max 3']],
    );
  });

  it('fails rules still waiting when the run ends, and passes those that held', () => {
    const f = new Feed({ count: { min: 10 }, messages: [{ data: 'never sent' }], never: [{ data: '/error/i' }], noErrors: true });
    f.open();
    for (let i = 0; i < 7; i++) {
      f.msg(i, `message ${i}`);
    }
    const s = f.check.finish({ reason: 'timeout' });
    assert.deepEqual(
      s.results.map((r) => [r.rule, r.ok, r.detail]),
      [
        ['count', false, '7 of min 10'],
        ['data "never sent"', false, 'no matching message in 10000 ms'],
        ['never data /error/i', true, 'none matched'],
        ['no errors', true, 'no error'],
      ],
    );
    assert.equal(s.failed, 2);
  });

  it('fails a never rule on the message that matches, quoting it', () => {
    const f = new Feed({ never: [{ data: '/error/i' }] });
    f.open();
    f.msg(1, 'ok');
    const seq = f.msg(2, 'Fatal ERROR in upstream');
    assert.equal(f.settled[0].ok, false);
    assert.equal(f.settled[0].decidedBy, seq);
    assert.equal(f.settled[0].evidence, 'Fatal ERROR in upstream');
  });

  it('matches JSONPath values by equality and type, and skips data that is not JSON', () => {
    const f = new Feed({
      messages: [
        { json: '$.order.items[*].sku', equals: 'B-2' },
        { json: '$.price', type: 'number', count: { min: 2 } },
        { json: '$.meta', equals: { a: [1, 2], b: null } },
      ],
    });
    f.open();
    f.msg(1, 'not json {');
    f.msg(2, '{"price":"12"}');
    f.msg(3, '{"price":12,"order":{"items":[{"sku":"A-1"},{"sku":"B-2"}]}}');
    f.msg(4, '{"meta":{"b":null,"a":[1,2]},"price":1.5}');
    assert.deepEqual(
      f.summary?.results.map((r) => [r.rule, r.ok, r.decidedBy]),
      [
        ['$.order.items[*].sku equals "B-2"', true, 4],
        ['$.price is number', true, 5],
        ['$.meta equals {"a":[1,2],"b":null}', true, 5],
      ],
    );
  });

  it('checks the order in which message rules first match', () => {
    const f = new Feed({
      messages: [
        { name: 'hello', data: 'hello' },
        { name: 'bye', data: 'bye' },
      ],
      order: true,
    });
    f.open();
    f.msg(10, 'bye');
    const order = f.settled.find((r) => r.rule === 'order');
    assert.equal(order?.ok, false);
    assert.match(order!.detail, /"bye" matched at 10 ms, before "hello"/);

    const g = new Feed({
      messages: [
        { name: 'hello', data: 'hello' },
        { name: 'bye', data: 'bye' },
      ],
      order: true,
    });
    g.open();
    g.msg(1, 'hello');
    g.msg(2, 'bye');
    assert.equal(g.result('order')?.ok, true);
    assert.equal(g.summary?.end.reason, 'settled');
  });

  it('fails a match later than withinMs by the records’ own times, whatever the timers do', () => {
    const f = new Feed({ messages: [{ name: 'fast', data: 'x', withinMs: 500 }] });
    f.open(0);
    f.msg(900, 'x');
    assert.deepEqual(
      f.settled.map((r) => [r.ok, r.detail]),
      [[false, 'first match at 900 ms, later than 500 ms']],
    );
  });

  it('fails a withinMs rule once its deadline passes without a match', async () => {
    const check = new ContractCheck(compileExpect({ messages: [{ name: 'soon', data: 'x', withinMs: 5 }], timeoutMs: 600_000 }));
    const settled = new Promise<RuleResult>((resolve) => check.onDidSettle(resolve));
    check.start();
    check.observe({ kind: 'open', url: 'ws://127.0.0.1/', headers: {}, seq: 1, time: new Date().toISOString() });
    const r = await settled;
    assert.deepEqual([r.ok, r.detail], [false, 'no match within 5 ms']);
    assert.equal(check.isFinished, true);
    check.dispose();
  });

  it('judges a WebSocket close by its code, and ignores a close the client made', () => {
    const ok = new Feed({ close: { codes: [1000, 4000] } }, 'ws');
    ok.open();
    ok.close(5, 1000, 'client');
    assert.equal(ok.settled.length, 0, 'our own close does not count');
    ok.close(6, 4000, 'server');
    assert.deepEqual([ok.settled[0].ok, ok.settled[0].detail], [true, 'closed with 4000']);

    const bad = new Feed({ close: { codes: [1000] } }, 'ws');
    bad.open();
    bad.close(5, 1006, 'network', false);
    assert.deepEqual([bad.settled[0].ok, bad.settled[0].detail], [false, 'closed with 1006 (not clean), expected 1000']);
  });

  it('judges an SSE stream by whether the server ended it', () => {
    const ended = new Feed({ close: { ended: true } }, 'sse');
    ended.open();
    ended.close(5, undefined, 'server');
    assert.equal(ended.settled[0].ok, true);

    const open = new Feed({ close: { ended: false }, count: { min: 1 } }, 'sse');
    open.open();
    open.msg(1, 'a');
    open.close(5, undefined, 'server');
    assert.deepEqual([open.result('close')?.ok, open.result('close')?.detail], [false, 'the server ended the stream']);
  });

  it('fails every rule with the connection error when the stream never opened', () => {
    const f = new Feed({ count: { min: 1 }, never: [{ data: 'x' }], noErrors: true });
    const s = f.check.finish({ reason: 'failed', message: 'ERR_NETWORK: connect ECONNREFUSED 127.0.0.1:9' });
    assert.equal(s.opened, false);
    assert.deepEqual(
      s.results.map((r) => [r.ok, r.detail]),
      Array(3).fill([false, 'not connected: ERR_NETWORK: connect ECONNREFUSED 127.0.0.1:9']),
    );
  });

  it('fails noErrors on the first error record, also one that is retried', () => {
    const f = new Feed({ noErrors: true, count: { min: 5 } });
    f.open();
    f.error(3);
    assert.deepEqual(
      f.settled.map((r) => [r.rule, r.ok, r.detail]),
      [['no errors', false, 'error ERR_NETWORK: reset']],
    );
  });

  it('checks what was sent with dir "out", and ignores sent messages otherwise', () => {
    const f = new Feed({
      messages: [
        { name: 'sent hello', dir: 'out', data: 'hello' },
        { name: 'got hello', data: 'hello' },
      ],
    });
    f.open();
    f.msg(1, 'hello', { dir: 'out' });
    assert.deepEqual(
      f.settled.map((r) => r.rule),
      ['sent hello'],
    );
    f.msg(2, 'hello');
    assert.deepEqual(
      f.settled.map((r) => r.rule),
      ['sent hello', 'got hello'],
    );
  });

  it('settles each rule once and ignores records after the end', () => {
    const f = new Feed({ messages: [{ data: 'a' }], never: [{ data: 'b' }] });
    f.open();
    f.msg(1, 'a');
    f.check.finish({ reason: 'stopped' });
    f.msg(2, 'b');
    f.check.finish({ reason: 'timeout' });
    assert.deepEqual(
      f.settled.map((r) => [r.rule, r.ok]),
      [
        ['data "a"', true],
        ['never data "b"', true],
      ],
    );
  });

  it('tells the live view when a state changed, not for every record', () => {
    const f = new Feed({ messages: [{ data: 'wanted' }], never: [{ data: 'bad' }] });
    const seen: string[][] = [];
    f.check.onDidChange((states) => seen.push(states.map((s) => s.status)));
    f.open();
    f.msg(1, 'other');
    f.msg(2, 'other');
    assert.equal(seen.length, 0);
    f.msg(3, 'wanted');
    assert.deepEqual(seen, [['passed', 'holding']]);
  });
});
