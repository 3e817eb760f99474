/**
 * Google Gemini `streamGenerateContent?alt=sse`: each event is a whole `GenerateContentResponse`
 * (`candidates[0].content.parts`: `text`, `thought: true` text, `functionCall` with whole `args`;
 * `finishReason`; `usageMetadata`). The format has no final event: the response ends with the stream,
 * whole when a finish reason came. An `{"error": …}` event is a mid-stream error.
 */
import { defined, type LlmReader, num, obj, str } from './reader';

export const gemini: LlmReader = {
  provider: 'gemini',
  finalEvent: 'a candidate with finishReason',
  recognises(ev) {
    const j = ev.json;
    return j !== undefined && (Array.isArray(j.candidates) || obj(j.usageMetadata) !== undefined);
  },
  starts(_ev, open) {
    return open === undefined;
  },
  apply(r, ev) {
    const j = ev.json;
    if (!j) {
      r.problem(`seq ${ev.seq}: not JSON`);
      return false;
    }
    const error = obj(j.error);
    if (error) {
      r.error(str(error.status) ?? String(num(error.code) ?? 'error'), str(error.message) ?? JSON.stringify(error), ev.seq);
      return false;
    }
    r.model ??= str(j.modelVersion);
    r.responseId ??= str(j.responseId);
    const u = obj(j.usageMetadata);
    if (u) {
      r.mergeUsage(
        defined({
          inputTokens: num(u.promptTokenCount),
          outputTokens: num(u.candidatesTokenCount),
          cachedTokens: num(u.cachedContentTokenCount),
          reasoningTokens: num(u.thoughtsTokenCount),
        }),
      );
    }
    const candidates = Array.isArray(j.candidates) ? j.candidates : [];
    const c = obj(candidates.find((x) => (num(obj(x)?.index) ?? 0) === 0));
    const parts = obj(c?.content)?.parts;
    if (Array.isArray(parts)) {
      for (const p of parts) {
        const part = obj(p);
        if (!part) {
          continue;
        }
        const text = str(part.text);
        if (text) {
          r.content(ev.at);
          (part.thought === true ? r.reasoning : r.text).append(text, ev.seq);
        }
        const fc = obj(part.functionCall);
        if (fc) {
          r.content(ev.at);
          const call = r.toolCall(`call${r.toolCalls.length}`, ev.seq);
          call.id = str(fc.id) ?? '';
          call.name = str(fc.name) ?? '';
          call.argumentsValue = fc.args ?? {};
        }
      }
    }
    const finish = str(c?.finishReason);
    if (finish) {
      r.finishReason = finish;
      r.ended = true;
    }
    return false;
  },
};
