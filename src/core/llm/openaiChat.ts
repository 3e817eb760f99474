/**
 * OpenAI Chat Completions streaming (`chat.completion.chunk` objects, then `data: [DONE]`): the first
 * choice's `delta.content`, its reasoning (`reasoning_content`/`reasoning`, as compatible servers send
 * it), `delta.tool_calls` joined by `index`, `finish_reason`, and `usage` (the last chunk with
 * `stream_options.include_usage`). An `{"error": …}` chunk is a mid-stream error.
 */
import { defined, type LlmEvent, type LlmReader, num, obj, str } from './reader';
import type { LlmResponse } from './response';

export const openaiChat: LlmReader = {
  provider: 'openai-chat',
  finalEvent: 'data: [DONE]',
  recognises(ev) {
    const j = ev.json;
    if (!j) {
      return false;
    }
    return (
      j.object === 'chat.completion.chunk' ||
      (Array.isArray(j.choices) && (j.choices.length === 0 || obj(j.choices[0])?.delta !== undefined))
    );
  },
  starts(ev, open) {
    return ev.data.trim() !== '[DONE]' && (open === undefined || open.ended);
  },
  apply(r, ev) {
    if (ev.data.trim() === '[DONE]') {
      r.ended = true;
      return true;
    }
    const j = ev.json;
    if (!j) {
      r.problem(`seq ${ev.seq}: not JSON`);
      return false;
    }
    const error = obj(j.error);
    if (error) {
      r.error(str(error.type) ?? str(error.code) ?? 'error', str(error.message) ?? JSON.stringify(error), ev.seq);
      return false;
    }
    r.model ??= str(j.model);
    r.responseId ??= str(j.id);
    const usage = obj(j.usage);
    if (usage) {
      r.mergeUsage(
        defined({
          inputTokens: num(usage.prompt_tokens),
          outputTokens: num(usage.completion_tokens),
          cachedTokens: num(obj(usage.prompt_tokens_details)?.cached_tokens),
          reasoningTokens: num(obj(usage.completion_tokens_details)?.reasoning_tokens),
        }),
      );
    }
    if (!Array.isArray(j.choices)) {
      if (!usage) {
        r.problem(`seq ${ev.seq}: no choices`);
      }
      return false;
    }
    for (const c of j.choices) {
      const choice = obj(c);
      if (!choice || (num(choice.index) ?? 0) !== 0) {
        continue; // the first choice is the response (n > 1 is rare in streams)
      }
      applyDelta(r, ev, obj(choice.delta));
      const finish = str(choice.finish_reason);
      if (finish) {
        r.finishReason = finish;
      }
    }
    return false;
  },
};

function applyDelta(r: LlmResponse, ev: LlmEvent, delta: Record<string, unknown> | undefined): void {
  if (!delta) {
    return;
  }
  const content = str(delta.content);
  if (content) {
    r.content(ev.at);
    r.text.append(content, ev.seq);
  }
  const refusal = str(delta.refusal);
  if (refusal) {
    r.content(ev.at);
    r.text.append(refusal, ev.seq);
  }
  const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
  if (reasoning) {
    r.content(ev.at);
    r.reasoning.append(reasoning, ev.seq);
  }
  if (Array.isArray(delta.tool_calls)) {
    for (const t of delta.tool_calls) {
      const tc = obj(t);
      if (!tc) {
        continue;
      }
      const call = r.toolCall(String(num(tc.index) ?? 0), ev.seq);
      call.id ||= str(tc.id) ?? '';
      const fn = obj(tc.function);
      if (fn) {
        call.name ||= str(fn.name) ?? '';
        const args = str(fn.arguments);
        if (args) {
          r.content(ev.at);
          call.argumentsText += args;
        }
      }
    }
  }
}
