/**
 * Compare: a message as the diff editor shows it (JSON pretty-printed with keys sorted, so two
 * snapshots line up key by key; other text as it is; binary as base64), truncated past a few MB with a
 * note; and which earlier message is "the previous of this type". No Node or DOM.
 */
import type { ConnRecord, MessageRecord } from '../records';

/** Past this many characters a payload is compared truncated, with a note. */
export const COMPARE_MAX_CHARS = 4 * 1024 * 1024;

/** The text the diff shows for `record`'s payload. */
export function compareText(record: MessageRecord, max = COMPARE_MAX_CHARS): string {
  let text = record.data;
  if (record.format === 'text') {
    try {
      text = JSON.stringify(sortKeys(JSON.parse(record.data)), null, 2);
    } catch {
      // Not JSON: compared as the text it is.
    }
  }
  if (text.length > max) {
    return `${text.slice(0, max)}\n\n[truncated: ${text.length.toLocaleString('en-US')} characters, the first ${max.toLocaleString('en-US')} compared]\n`;
  }
  return text;
}

/** The type a message is compared by: the adapter's decoded type, else the SSE event, else the WebSocket format and direction. */
export function messageType(r: MessageRecord): string {
  if (r.decoded) {
    return `${r.decoded.protocol}:${r.decoded.type}${r.decoded.label ? ` ${r.decoded.label}` : ''}`;
  }
  if (r.event !== undefined) {
    return `event ${r.event}`;
  }
  return `${r.dir} ${r.format}`;
}

/** The last message before `record` (by seq) of the same type and direction, or undefined. */
export function previousOfType(records: readonly ConnRecord[], record: MessageRecord): MessageRecord | undefined {
  const type = messageType(record);
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.seq < record.seq && r.kind === 'message' && r.dir === record.dir && messageType(r) === type) {
      return r;
    }
  }
  return undefined;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(sortKeys);
  }
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
