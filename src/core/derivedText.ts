/**
 * How the derived records read, in words, for every front (the CLI, the output channel, the panel's
 * log and Response tab): one wording each. No Node or DOM.
 */
import type { ContinuityRecord, LlmRecord, MessageRecord } from './records';

/** "resumed after id 41", "gap: 3 events missing (42-44)", "2 duplicates", "restarted from 1 after id 41". */
export function continuityText(r: Pick<ContinuityRecord, 'status' | 'lastEventId' | 'id' | 'missing' | 'duplicates'>): string {
  switch (r.status) {
    case 'resumed':
      return `resumed after id ${r.lastEventId}`;
    case 'gap': {
      const range = missingRange(r.lastEventId, r.id);
      return `gap: ${r.missing} event${r.missing === 1 ? '' : 's'} missing${range ? ` (${range})` : ''}`;
    }
    case 'duplicate':
      return `${r.duplicates} duplicate${r.duplicates === 1 ? '' : 's'} (id ${r.id} after ${r.lastEventId})`;
    case 'restarted':
      return `restarted from id ${r.id} after id ${r.lastEventId} (${r.duplicates} event${r.duplicates === 1 ? '' : 's'} again)`;
  }
}

/** The ids between two of one sequence, "42-44" or "42". */
function missingRange(before: string, after: string): string | undefined {
  const a = /(\d{1,15})$/.exec(before);
  const b = /(\d{1,15})$/.exec(after);
  if (!a || !b) {
    return undefined;
  }
  const from = Number(a[1]) + 1;
  const to = Number(b[1]) - 1;
  return to > from ? `${from}-${to}` : to === from ? String(from) : undefined;
}

/** How a WebSocket message's frames came: "3 frames", "compressed: 31 B on the wire", both; undefined for one plain frame. */
export function framesText(r: Pick<MessageRecord, 'fragments' | 'wireSize'>): string | undefined {
  const parts: string[] = [];
  if (r.fragments !== undefined) {
    parts.push(`${r.fragments} frames`);
  }
  if (r.wireSize !== undefined) {
    parts.push(`compressed: ${r.wireSize} B on the wire`);
  }
  return parts.length ? parts.join(', ') : undefined;
}

/** "no messages for 12 s". */
export function silenceText(ms: number): string {
  return `no messages for ${ms >= 10_000 ? Math.round(ms / 1000) : Number((ms / 1000).toFixed(1))} s`;
}

/** The figures of a response on one line: "anthropic · end_turn · TTFT 212 ms · 48.2 tok/s · in 12 out 40 cached 0". */
export function llmFigures(r: Omit<LlmRecord, 'seq' | 'time'>): string {
  const parts: string[] = [r.provider];
  parts.push(r.finishReason ?? 'no finish reason');
  if (r.ttftMs !== null) {
    parts.push(`TTFT ${r.ttftMs} ms`);
  }
  if (r.outputTokensPerSec !== null) {
    parts.push(`${r.estimated ? '~' : ''}${r.outputTokensPerSec} tok/s${r.estimated ? ' (estimated)' : ''}`);
  }
  const u = r.usage;
  const usage = [
    u.inputTokens !== undefined ? `in ${u.inputTokens}` : '',
    u.outputTokens !== undefined ? `out ${u.outputTokens}` : '',
    u.cachedTokens !== undefined ? `cached ${u.cachedTokens}` : '',
    u.reasoningTokens !== undefined ? `reasoning ${u.reasoningTokens}` : '',
  ].filter(Boolean);
  if (usage.length) {
    parts.push(`tokens ${usage.join(' ')}`);
  }
  if (r.toolCalls.length) {
    parts.push(`${r.toolCalls.length} tool call${r.toolCalls.length === 1 ? '' : 's'}: ${r.toolCalls.map((c) => c.name).join(', ')}`);
  }
  if (!r.complete) {
    parts.push(`incomplete: ${r.incomplete ?? 'the stream ended early'}`);
  }
  return parts.join(' · ');
}
