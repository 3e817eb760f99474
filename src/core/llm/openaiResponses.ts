/**
 * The OpenAI Responses API's stream (`response.*` events, each with its `type`): text from
 * `response.output_text.delta`, reasoning from `response.reasoning_summary_text.delta` and
 * `response.reasoning_text.delta`, function calls from `response.output_item.added` and
 * `response.function_call_arguments.delta`/`.done`; the end is `response.completed` (usage and status),
 * `response.incomplete` or `response.failed`; an `error` event is a mid-stream error.
 */
import { defined, type LlmReader, num, obj, str } from './reader';
import type { LlmResponse } from './response';

function typeOf(ev: { event: string | undefined; json: Record<string, unknown> | undefined }): string | undefined {
  return str(ev.json?.type) ?? (ev.event !== 'message' ? ev.event : undefined);
}

export const openaiResponses: LlmReader = {
  provider: 'openai-responses',
  finalEvent: 'response.completed',
  recognises(ev) {
    return typeOf(ev)?.startsWith('response.') === true && ev.json !== undefined;
  },
  starts(ev, open) {
    return open === undefined || open.ended || typeOf(ev) === 'response.created';
  },
  apply(r, ev) {
    const j = ev.json;
    if (!j) {
      r.problem(`seq ${ev.seq}: not JSON`);
      return false;
    }
    const type = typeOf(ev) ?? '';
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        readResponse(r, obj(j.response));
        return false;
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const d = str(j.delta);
        if (d) {
          r.content(ev.at);
          r.text.append(d, ev.seq);
        }
        return false;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const d = str(j.delta);
        if (d) {
          r.content(ev.at);
          r.reasoning.append(d, ev.seq);
        }
        return false;
      }
      case 'response.output_item.added':
      case 'response.output_item.done': {
        const item = obj(j.item);
        if (item?.type === 'function_call') {
          const call = r.toolCall(str(item.id) ?? str(item.call_id) ?? String(num(j.output_index) ?? 0), ev.seq);
          call.id ||= str(item.call_id) ?? '';
          call.name ||= str(item.name) ?? '';
          const args = str(item.arguments);
          if (type === 'response.output_item.done' && args !== undefined) {
            call.argumentsText = args;
          }
        }
        return false;
      }
      case 'response.function_call_arguments.delta': {
        const call = r.toolCall(str(j.item_id) ?? String(num(j.output_index) ?? 0), ev.seq);
        const d = str(j.delta);
        if (d) {
          r.content(ev.at);
          call.argumentsText += d;
        }
        return false;
      }
      case 'response.function_call_arguments.done': {
        const call = r.toolCall(str(j.item_id) ?? String(num(j.output_index) ?? 0), ev.seq);
        const args = str(j.arguments);
        if (args !== undefined) {
          call.argumentsText = args;
        }
        return false;
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        const resp = obj(j.response);
        readResponse(r, resp);
        r.ended = true;
        if (type === 'response.incomplete') {
          const why = str(obj(resp?.incomplete_details)?.reason);
          r.finishReason = why ?? 'incomplete';
          r.incomplete = `the response is incomplete${why ? `: ${why}` : ''}`;
        } else if (type === 'response.failed') {
          const e = obj(resp?.error);
          r.error(str(e?.code) ?? 'failed', str(e?.message) ?? 'the response failed', ev.seq);
          r.finishReason = 'failed';
        }
        return true;
      }
      case 'error':
        r.error(str(j.code) ?? 'error', str(j.message) ?? JSON.stringify(j), ev.seq);
        return false;
      default:
        // Other response.* events (content_part, output_text.done, annotations…) add nothing the deltas did not.
        if (!type.startsWith('response.')) {
          r.problem(`seq ${ev.seq}: unknown event ${type || '(no type)'}`);
        }
        return false;
    }
  },
};

function readResponse(r: LlmResponse, resp: Record<string, unknown> | undefined): void {
  if (!resp) {
    return;
  }
  r.model ??= str(resp.model);
  r.responseId ??= str(resp.id);
  const status = str(resp.status);
  if (status && status !== 'in_progress' && status !== 'queued') {
    r.finishReason = status;
  }
  const usage = obj(resp.usage);
  if (usage) {
    r.mergeUsage(
      defined({
        inputTokens: num(usage.input_tokens),
        outputTokens: num(usage.output_tokens),
        cachedTokens: num(obj(usage.input_tokens_details)?.cached_tokens),
        reasoningTokens: num(obj(usage.output_tokens_details)?.reasoning_tokens),
      }),
    );
  }
}
