/**
 * The CLI on a model's stream, against the demo server's OpenAI- and Anthropic-style endpoints: the
 * readable mode prints the answer's text and one line of figures, `--json` adds one `llm` record at the
 * end of the response, `--lens none` prints the events as events.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DemoServer, startDemoServer } from '../../../src/demo/server';

const CLI = resolve(__dirname, '../../../../dist/cli.js');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

let demo: DemoServer;
before(async () => {
  demo = await startDemoServer({ tickMs: 100 });
});
after(() => demo.close());

const post = (path: string, ...more: string[]) => [`${demo.url}${path}`, '-X', 'POST', '-d', '{"prompt":"hi"}', '--no-reconnect', ...more];

describe('CLI: LLM streams', () => {
  it('readable: the text as one paragraph, the tool call, then one line of figures', async () => {
    const r = await cli(post('/sse/llm'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /\nRealtime Inspector shows every event as it arrives: ids, types, retries and heartbeats\. You asked: hi Let me check the weather too\.\n/,
    );
    assert.match(r.stdout, /tool call get_weather\(\{"location":"Paris, France","unit":"celsius"\}\)\n/);
    assert.match(
      r.stdout,
      /◆ openai-chat · tool_calls · TTFT \d+ ms · [\d.]+ tok\/s · tokens in 13 out \d+ cached 0 · 1 tool call: get_weather\n/,
    );
    // No line per chunk.
    assert.doesNotMatch(r.stdout, /chat\.completion\.chunk/);
  });

  it('--json: every event, then one llm record at the end of the response', async () => {
    const r = await cli(post('/sse/llm/anthropic', '--json'));
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; [k: string]: unknown });
    const llm = records.filter((x) => x.kind === 'llm');
    assert.equal(llm.length, 1);
    const stop = records.findIndex((x) => x.kind === 'message' && x.event === 'message_stop');
    assert.equal(records.indexOf(llm[0]), stop + 1, 'right after the response’s last event');
    assert.equal(llm[0].provider, 'anthropic');
    assert.match(llm[0].text as string, /^Server-Sent Events keep one HTTP response open/);
    assert.deepEqual(llm[0].toolCalls, [{ id: 'toolu_demo', name: 'get_forecast', arguments: { city: 'Berlin', days: 2 } }]);
    assert.equal(llm[0].finishReason, 'tool_use');
    assert.equal(llm[0].complete, true);
    assert.equal(typeof llm[0].ttftMs, 'number');
    assert.equal(llm[0].estimated, false);
  });

  it('--lens none: the events as events, no figures; a bad --lens is refused', async () => {
    const r = await cli(post('/sse/llm', '--lens', 'none'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /chat\.completion\.chunk/);
    assert.doesNotMatch(r.stdout, /◆/);
    const bad = await cli(post('/sse/llm', '--lens', 'gpt'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--lens takes llm, none or auto/);
  });
});
