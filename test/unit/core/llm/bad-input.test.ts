/**
 * What a model stream can get wrong, and the lens must survive: data that is not JSON, unknown events,
 * a stream that stops before its final event, tool arguments that never become JSON, a 50 MB delta.
 * The lens reads records (its input is the log); the early stop goes through a real server.
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { createConnection } from '../../../../src/core/index';
import { LlmLens } from '../../../../src/core/llm/lens';
import type { LlmRecordInit } from '../../../../src/core/llm/types';
import type { ConnRecord, LlmRecord } from '../../../../src/core/records';
import { llmEvents } from '../../../fixtures/llmServer';
import { sseHead, startServer, type TestServer } from '../../../fixtures/sseServer';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

let seq = 0;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
function at(ms: number): string {
  return new Date(T0 + ms).toISOString();
}
function connecting(): ConnRecord {
  return { kind: 'connecting', seq: ++seq, time: at(0), url: 'http://127.0.0.1/', headers: {}, attempt: 0, state: 'connecting' };
}
function event(data: string, ms: number, eventName = 'message'): ConnRecord {
  return { kind: 'message', seq: ++seq, time: at(ms), dir: 'in', format: 'text', data, size: data.length, event: eventName };
}
function close(): ConnRecord {
  return { kind: 'close', seq: ++seq, time: at(10_000), clean: true, by: 'server', state: 'closed' };
}
function run(lens: LlmLens, records: ConnRecord[]): LlmRecordInit[] {
  return records.flatMap((r) => lens.observe(r));
}
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });

describe('the LLM lens on bad input', () => {
  it('a delta that is not JSON and unknown events: noted as problems, the rest joined, nothing thrown', () => {
    const lens = new LlmLens();
    const out = run(lens, [
      connecting(),
      event(chunk({ content: 'Hel' }), 100),
      event('{"choices": [{"delta": {"content": "lo"', 110),
      event(chunk({ content: 'lo' }), 120),
      event(JSON.stringify({ type: 'surprise', what: 1 }), 130, 'surprise'),
      event(chunk({}, 'stop'), 140),
      event('[DONE]', 150),
    ]);
    assert.equal(out.length, 1);
    assert.equal(out[0].text, 'Hello');
    assert.equal(out[0].complete, true);
    assert.equal(out[0].finishReason, 'stop');
    assert.equal(out[0].problems?.length, 2);
    assert.match(out[0].problems![0], /not JSON/);
    // No usage: the rate is counted from the deltas, and says so.
    assert.equal(out[0].estimated, true);
    assert.equal(out[0].outputTokensPerSec, 40); // 2 deltas over 50 ms
    assert.equal(out[0].ttftMs, 100);
  });

  it('tool arguments that never become JSON: the joined text, with why', () => {
    const lens = new LlmLens();
    const out = run(lens, [
      connecting(),
      event(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a": ' } }] }), 10),
      event(chunk({ tool_calls: [{ index: 0, function: { arguments: 'tru' } }] }), 20),
      event(chunk({}, 'tool_calls'), 30),
      event('[DONE]', 40),
    ]);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].toolCalls[0].id, 'call_1');
    assert.equal(out[0].toolCalls[0].arguments, '{"a": tru');
    assert.match(out[0].toolCalls[0].argumentsError!, /^not JSON/);
  });

  it('a 50 MB text delta is joined whole, the position map stays one span', () => {
    const lens = new LlmLens();
    const big = 'x'.repeat(50 * 1024 * 1024);
    const records = [connecting(), event(chunk({ content: big }), 10), event(chunk({ content: '!' }), 20)];
    assert.deepEqual(run(lens, records), []);
    const cur = lens.current!;
    assert.equal(cur.text.length, big.length + 1);
    assert.equal(cur.text.seqAt(big.length), records[2].seq);
    assert.equal(cur.text.seqAt(5), records[1].seq);
    const [rec] = run(lens, [close()]);
    assert.equal(rec.text.length, big.length + 1);
    assert.equal(rec.complete, false);
  });

  it('a stream that is not a model\u2019s gives no record; --lens none reads nothing', () => {
    assert.deepEqual(run(new LlmLens(), [connecting(), event('{"price": 3}', 1), event('hello', 2), close()]), []);
    assert.deepEqual(run(new LlmLens('none'), [connecting(), event(chunk({ content: 'hi' }), 1), event('[DONE]', 2)]), []);
  });

  it('a stream cut before its final event, through a real server: complete false, why, the text so far', async () => {
    // The Anthropic fixture up to the middle of its text, then the server hangs up.
    const events = llmEvents('anthropic.sse');
    const cut = events.findIndex((e) => e.includes('" the"'));
    const s = await startServer((_req, res) => {
      sseHead(res);
      res.end(events.slice(0, cut).join(''));
    });
    servers.push(s);
    const conn = createConnection({ url: s.url, method: 'POST', body: '{}', reconnect: { enabled: false } });
    const records: ConnRecord[] = [];
    await new Promise<void>((resolve) => {
      conn.onRecord((r) => {
        records.push(r);
        if (r.kind === 'llm') {
          resolve();
        }
      });
      conn.connect();
    });
    conn.dispose();
    const llm = records.find((r): r is LlmRecord => r.kind === 'llm')!;
    assert.equal(llm.complete, false);
    assert.equal(llm.incomplete, 'the stream ended before message_stop');
    assert.equal(llm.text, "Okay, let's check");
    assert.equal(llm.reasoning, 'The user wants the weather in San Francisco.');
    // Every event is in the log as it arrived.
    assert.equal(records.filter((r) => r.kind === 'message').length, cut);
  });
});
