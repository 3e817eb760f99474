/**
 * The demo's model streams, written to the published formats so the LLM lens reads them as it reads
 * a real model: an OpenAI Chat Completions stream (text, then a `get_weather` tool call whose
 * arguments come in fragments, a usage chunk, `[DONE]`) and an Anthropic Messages stream (thinking,
 * text, a tool_use block with `input_json_delta`s, `message_delta` with usage, `message_stop`).
 * Each function returns the stream's events, each ending with its blank line.
 */

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** Splits text into word-sized tokens (a space starts a token, as model tokenizers tend to). */
function tokens(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function openAiChatStream(prompt: string, created = Math.floor(Date.now() / 1000)): string[] {
  const head = {
    id: `chatcmpl-demo${created}`,
    object: 'chat.completion.chunk',
    created,
    model: 'demo-gpt',
    system_fingerprint: 'fp_demo',
  };
  const chunk = (delta: unknown, finish: string | null = null) =>
    sse({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const answer = `Realtime Inspector shows every event as it arrives: ids, types, retries and heartbeats.${prompt ? ` You asked: ${prompt}` : ''} Let me check the weather too.`;
  const words = tokens(answer);
  const args = ['{"', 'location', '":"', 'Paris', ', France', '","', 'unit', '":"', 'celsius', '"}'];
  return [
    chunk({ role: 'assistant', content: '', refusal: null }),
    ...words.map((w) => chunk({ content: w })),
    chunk({ tool_calls: [{ index: 0, id: 'call_demo_weather', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    ...args.map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] })),
    chunk({}, 'tool_calls'),
    sse({
      ...head,
      choices: [],
      usage: {
        prompt_tokens: 12 + tokens(prompt).length,
        completion_tokens: words.length + args.length,
        total_tokens: 12 + tokens(prompt).length + words.length + args.length,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    }),
    sse('[DONE]'),
  ];
}

export function anthropicStream(prompt: string): string[] {
  const answer = `Server-Sent Events keep one HTTP response open and send events down it.${prompt ? ` You asked: ${prompt}` : ''} I will look up the forecast.`;
  const words = tokens(answer);
  const thinking = tokens('The user wants a short answer and the forecast, so I will call the tool.');
  const input = ['{"city":', ' "Ber', 'lin", "days"', ': 2}'];
  return [
    sse(
      {
        type: 'message_start',
        message: {
          id: 'msg_demo',
          type: 'message',
          role: 'assistant',
          content: [],
          model: 'demo-claude',
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 12 + tokens(prompt).length, cache_read_input_tokens: 0, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }, 'content_block_start'),
    ...thinking.map((t) =>
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: t } }, 'content_block_delta'),
    ),
    sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'ZGVtbw==' } }, 'content_block_delta'),
    sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    sse({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }, 'content_block_start'),
    sse({ type: 'ping' }, 'ping'),
    ...words.map((t) => sse({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: t } }, 'content_block_delta')),
    sse({ type: 'content_block_stop', index: 1 }, 'content_block_stop'),
    sse(
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_demo', name: 'get_forecast', input: {} } },
      'content_block_start',
    ),
    ...input.map((p) =>
      sse({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: p } }, 'content_block_delta'),
    ),
    sse({ type: 'content_block_stop', index: 2 }, 'content_block_stop'),
    sse(
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { output_tokens: thinking.length + words.length + input.length },
      },
      'message_delta',
    ),
    sse({ type: 'message_stop' }, 'message_stop'),
  ];
}
