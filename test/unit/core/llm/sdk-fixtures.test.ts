/**
 * The LLM lens against the vendors' own SDKs: each fixture is served by a real local server, read once
 * by the SDK (so a fixture that drifts from the published format fails here) and once by a connection,
 * and the lens's `llm` record must say what the SDK's accumulated result says.
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { createConnection } from '../../../../src/core/index';
import type { ConnRecord, LlmRecord, MessageRecord } from '../../../../src/core/records';
import { startLlmServer } from '../../../fixtures/llmServer';
import type { TestServer } from '../../../fixtures/sseServer';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const TIMING = { firstDelayMs: 40, gapMs: 4 };

async function serve(name: string): Promise<TestServer> {
  const s = await startLlmServer(name, TIMING);
  servers.push(s);
  return s;
}

/** Connects to `url` with a POST, as a client asking a model would; resolves with every record once the stream closed. */
async function readWithLens(url: string): Promise<ConnRecord[]> {
  const conn = createConnection({
    url,
    method: 'POST',
    body: '{"stream":true}',
    headers: { 'content-type': 'application/json' },
    reconnect: { enabled: false },
  });
  const records: ConnRecord[] = [];
  await new Promise<void>((resolve) => {
    conn.onRecord((r) => {
      records.push(r);
      if (r.kind === 'close' || (r.kind === 'error' && r.fatal)) {
        setImmediate(resolve);
      }
    });
    conn.connect();
  });
  conn.dispose();
  return records;
}

function llmOf(records: ConnRecord[]): LlmRecord {
  const found = records.filter((r): r is LlmRecord => r.kind === 'llm');
  assert.equal(found.length, 1, `one llm record, got ${found.length}`);
  return found[0];
}

/** TTFT and tokens/s as the records' own times give them, and the fixture's timing bounds them from below. */
function checkTiming(records: ConnRecord[], llm: LlmRecord, firstContentSeq: number): void {
  const connecting = records.find((r) => r.kind === 'connecting')!;
  const first = records.find((r) => r.seq === firstContentSeq) as MessageRecord;
  assert.equal(llm.ttftMs, Date.parse(first.time) - Date.parse(connecting.time));
  assert.ok(llm.ttftMs! >= TIMING.firstDelayMs, `TTFT ${llm.ttftMs} ms is at least the server's first delay`);
  const last = records.find((r) => r.seq === llm.lastSeq)!;
  const spanMs = Date.parse(last.time) - Date.parse(first.time);
  assert.ok(spanMs > 0);
  const tokens = llm.usage.outputTokens!;
  assert.equal(llm.outputTokensPerSec, Math.round((tokens * 10000) / spanMs) / 10);
  assert.equal(llm.estimated, false);
}

describe('LLM fixtures read by the vendor SDKs and by the lens', () => {
  it('OpenAI Chat Completions: text, a tool call joined from fragments, usage, finish reason', async () => {
    const server = await serve('openai-chat.sse');
    const client = new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], stream: true });
    const sdk = await stream.finalChatCompletion();
    const choice = sdk.choices[0];
    const records = await readWithLens(`${server.url}/v1/chat/completions`);
    const llm = llmOf(records);
    assert.equal(llm.provider, 'openai-chat');
    assert.equal(llm.text, choice.message.content);
    assert.equal(llm.finishReason, choice.finish_reason);
    const sdkCalls = (choice.message.tool_calls ?? []).map((c) => {
      assert.equal(c.type, 'function');
      return { id: c.id, name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown };
    });
    assert.deepEqual(llm.toolCalls, sdkCalls);
    assert.deepEqual(llm.toolCalls[0].arguments, { location: 'Paris, France', unit: 'celsius' });
    assert.deepEqual(llm.usage, {
      inputTokens: sdk.usage!.prompt_tokens,
      outputTokens: sdk.usage!.completion_tokens,
      cachedTokens: sdk.usage!.prompt_tokens_details!.cached_tokens,
      reasoningTokens: 0,
    });
    assert.equal(llm.complete, true);
    assert.equal(llm.model, sdk.model);
    const firstText = records.find((r) => r.kind === 'message' && r.data.includes('"content":"Let"'))!;
    checkTiming(records, llm, firstText.seq);
  });

  it('OpenAI Responses: output text, a function call, usage and status', async () => {
    const server = await serve('openai-responses.sse');
    const client = new OpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const stream = client.responses.stream({ model: 'gpt-4.1', input: 'forecast?' });
    const sdk = await stream.finalResponse();
    const records = await readWithLens(`${server.url}/v1/responses`);
    const llm = llmOf(records);
    assert.equal(llm.provider, 'openai-responses');
    assert.equal(llm.text, sdk.output_text);
    const calls = sdk.output.filter((o) => o.type === 'function_call');
    assert.deepEqual(
      llm.toolCalls,
      calls.map((c) => ({ id: c.call_id, name: c.name, arguments: JSON.parse(c.arguments) as unknown })),
    );
    assert.equal(llm.finishReason, sdk.status);
    assert.deepEqual(llm.usage, {
      inputTokens: sdk.usage!.input_tokens,
      outputTokens: sdk.usage!.output_tokens,
      cachedTokens: sdk.usage!.input_tokens_details.cached_tokens,
      reasoningTokens: sdk.usage!.output_tokens_details.reasoning_tokens,
    });
    assert.equal(llm.complete, true);
    const firstText = records.find((r) => r.kind === 'message' && r.event === 'response.output_text.delta')!;
    checkTiming(records, llm, firstText.seq);
  });

  it('Anthropic Messages: thinking apart, text, tool input joined from partial JSON, stop reason, usage', async () => {
    const server = await serve('anthropic.sse');
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    const sdk = await client.messages
      .stream({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'weather?' }] })
      .finalMessage();
    const records = await readWithLens(`${server.url}/v1/messages`);
    const llm = llmOf(records);
    assert.equal(llm.provider, 'anthropic');
    const text = sdk.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const thinking = sdk.content.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join('');
    assert.equal(llm.text, text);
    assert.equal(llm.reasoning, thinking);
    assert.deepEqual(
      llm.toolCalls,
      sdk.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, arguments: b.input }] : [])),
    );
    assert.equal(llm.finishReason, sdk.stop_reason);
    assert.equal(llm.usage.inputTokens, sdk.usage.input_tokens);
    assert.equal(llm.usage.outputTokens, sdk.usage.output_tokens);
    assert.equal(llm.usage.cachedTokens, sdk.usage.cache_read_input_tokens);
    assert.equal(llm.complete, true);
    const firstThinking = records.find((r) => r.kind === 'message' && r.data.includes('thinking_delta'))!;
    checkTiming(records, llm, firstThinking.seq);
  });

  it('Anthropic overloaded_error mid-stream: the SDK fails, the record keeps the text so far and says why', async () => {
    const server = await serve('anthropic-overloaded.sse');
    const client = new Anthropic({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0 });
    await assert.rejects(
      client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'story' }] }).finalMessage(),
      /overloaded/i,
    );
    const llm = llmOf(await readWithLens(`${server.url}/v1/messages`));
    assert.equal(llm.text, 'Once upon a');
    assert.equal(llm.complete, false);
    assert.deepEqual(
      llm.errors?.map((e) => [e.type, e.message]),
      [['overloaded_error', 'Overloaded']],
    );
    assert.match(llm.incomplete!, /overloaded_error: Overloaded/);
  });

  it('Gemini streamGenerateContent?alt=sse: text, thought apart, a function call, usage, finish reason', async () => {
    const server = await serve('gemini.sse');
    const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: server.url } });
    let text = '';
    let thought = '';
    const calls: { name?: string; args?: unknown }[] = [];
    let finish: string | undefined;
    let usage: { promptTokenCount?: number; candidatesTokenCount?: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number } =
      {};
    for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'weather?' })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) {
          thought += part.text ?? '';
        } else if (part.text) {
          text += part.text;
        }
        if (part.functionCall) {
          calls.push({ name: part.functionCall.name, args: part.functionCall.args });
        }
      }
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
      usage = chunk.usageMetadata ?? usage;
    }
    const records = await readWithLens(`${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`);
    const llm = llmOf(records);
    assert.equal(llm.provider, 'gemini');
    assert.equal(llm.text, text);
    assert.equal(llm.reasoning, thought);
    assert.deepEqual(
      llm.toolCalls.map((c) => ({ name: c.name, args: c.arguments })),
      calls,
    );
    assert.equal(llm.finishReason, finish);
    assert.deepEqual(llm.usage, {
      inputTokens: usage.promptTokenCount,
      outputTokens: usage.candidatesTokenCount,
      cachedTokens: usage.cachedContentTokenCount,
      reasoningTokens: usage.thoughtsTokenCount,
    });
    assert.equal(llm.complete, true);
    const firstThought = records.find((r) => r.kind === 'message' && r.data.includes('"thought":true'))!;
    checkTiming(records, llm, firstThought.seq);
  });
});
