/**
 * Anthropic Messages streaming: `message_start` (model, id, input usage), `content_block_start` (a
 * text, thinking or tool_use block), `content_block_delta` (`text_delta`, `thinking_delta`,
 * `input_json_delta` joined per block), `message_delta` (stop reason, output usage), `message_stop`
 * (the end); `ping` is ignored; `error` (`overloaded_error`…) is a mid-stream error that ends it.
 */
import { defined, type LlmReader, num, obj, str } from './reader';
import type { LlmResponse } from './response';

const TYPES = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
]);

export const anthropic: LlmReader = {
  provider: 'anthropic',
  finalEvent: 'message_stop',
  recognises(ev) {
    const t = str(ev.json?.type);
    return t !== undefined && TYPES.has(t);
  },
  starts(ev, open) {
    return open === undefined || open.ended || str(ev.json?.type) === 'message_start';
  },
  apply(r, ev) {
    const j = ev.json;
    if (!j) {
      r.problem(`seq ${ev.seq}: not JSON`);
      return false;
    }
    const type = str(j.type) ?? '';
    switch (type) {
      case 'message_start': {
        const m = obj(j.message);
        r.model ??= str(m?.model);
        r.responseId ??= str(m?.id);
        readUsage(r, obj(m?.usage));
        return false;
      }
      case 'content_block_start': {
        const block = obj(j.content_block);
        const index = num(j.index) ?? 0;
        if (block?.type === 'tool_use' || block?.type === 'server_tool_use') {
          const call = r.toolCall(String(index), ev.seq);
          call.id = str(block.id) ?? '';
          call.name = str(block.name) ?? '';
        } else if (block?.type === 'text' && str(block.text)) {
          r.content(ev.at);
          r.text.append(str(block.text)!, ev.seq);
        }
        return false;
      }
      case 'content_block_delta': {
        const d = obj(j.delta);
        const index = num(j.index) ?? 0;
        switch (d?.type) {
          case 'text_delta':
            if (str(d.text)) {
              r.content(ev.at);
              r.text.append(str(d.text)!, ev.seq);
            }
            break;
          case 'thinking_delta':
            if (str(d.thinking)) {
              r.content(ev.at);
              r.reasoning.append(str(d.thinking)!, ev.seq);
            }
            break;
          case 'input_json_delta': {
            const call = r.toolCall(String(index), ev.seq);
            const part = str(d.partial_json);
            if (part) {
              r.content(ev.at);
              call.argumentsText += part;
            }
            break;
          }
          case 'signature_delta':
          case 'citations_delta':
            break;
          default:
            r.problem(`seq ${ev.seq}: unknown delta ${str(d?.type) ?? '(no type)'}`);
        }
        return false;
      }
      case 'content_block_stop':
      case 'ping':
        return false;
      case 'message_delta': {
        const d = obj(j.delta);
        const stop = str(d?.stop_reason);
        if (stop) {
          r.finishReason = stop;
        }
        readUsage(r, obj(j.usage));
        return false;
      }
      case 'message_stop':
        r.ended = true;
        return true;
      case 'error': {
        const e = obj(j.error);
        r.error(str(e?.type) ?? 'error', str(e?.message) ?? JSON.stringify(j), ev.seq);
        r.ended = true;
        return true;
      }
      default:
        r.problem(`seq ${ev.seq}: unknown event ${type || '(no type)'}`);
        return false;
    }
  },
};

function readUsage(r: LlmResponse, u: Record<string, unknown> | undefined): void {
  if (!u) {
    return;
  }
  r.mergeUsage(
    defined({
      inputTokens: num(u.input_tokens),
      outputTokens: num(u.output_tokens),
      cachedTokens: num(u.cache_read_input_tokens),
    }),
  );
}
