/**
 * What the GraphQL adapter reads from a message's head without parsing it: its type and its id, as
 * both servers write them (`{"id":"1","type":"next",…`, `{"type":"data","id":"1",…`). Under a flood
 * this is all the log needs of a result; the frame is parsed whole when someone asks for more.
 */
import { sameBytes } from './bytes';

/** Whether `b[at, to)` begins with the ASCII `text` (no copies: this runs for every message). */
function has(b: Uint8Array, at: number, text: string, to = b.length): boolean {
  if (to < at + text.length) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    if (b[at + i] !== text.charCodeAt(i)) {
      return false;
    }
  }
  return true;
}

/** The end (closing quote) of a plain JSON string starting at `at`, when it is short and has no escapes; else -1. */
function plainStringEnd(b: Uint8Array, at: number, to: number): number {
  let end = at;
  while (end < to && end - at < 64 && b[end] !== 0x22 && b[end] !== 0x5c) {
    end++;
  }
  return end < to && b[end] === 0x22 ? end : -1;
}

/**
 * The id of the message `b[from, to)` when it is a plain string at its head: `{"id":"1",…` or
 * `{"type":"data","id":"1",…`; else undefined (the frame is parsed whole when the id is asked).
 */
export function peekId(b: Uint8Array, from = 0, to = b.length): string | undefined {
  if (has(b, from, '{"id":"', to)) {
    const end = plainStringEnd(b, from + 7, to);
    return end < 0 ? undefined : idText(b, from + 7, end);
  }
  if (has(b, from, '{"type":"', to)) {
    const typeEnd = plainStringEnd(b, from + 9, to);
    if (typeEnd >= 0 && has(b, typeEnd, '","id":"', to)) {
      const end = plainStringEnd(b, typeEnd + 8, to);
      return end < 0 ? undefined : idText(b, typeEnd + 8, end);
    }
  }
  return undefined;
}

/** The id read last, with its bytes and its label: a stream of one operation's results repeats it. */
let lastId = { bytes: Buffer.alloc(0), id: '', label: '#' };

function idText(b: Uint8Array, start: number, end: number): string {
  const last = lastId;
  if (sameBytes(last.bytes, b, start, end)) {
    return last.id;
  }
  const bytes = Buffer.from(b.subarray(start, end));
  const id = bytes.toString('utf8');
  lastId = { bytes, id, label: `#${id}` };
  return id;
}

/** `#id`, the log's label for operation `id`, made once for a run of results of one operation. */
export function idLabel(id: string): string {
  return id === lastId.id ? lastId.label : `#${id}`;
}

/**
 * The message's type when the frame begins with it (`{"type":"next"…`) or with a plain id and then it
 * (`{"id":"1","type":"next"…`, how both servers write), else undefined and the frame is parsed whole.
 */
export function peekType(b: Buffer): string | undefined {
  let at: number;
  if (has(b, 0, '{"type":"')) {
    at = 9;
  } else if (has(b, 0, '{"id":"')) {
    let end = 7;
    while (end < b.length && end < 64 && b[end] !== 0x22 && b[end] !== 0x5c) {
      end++;
    }
    if (b[end] !== 0x22 || !has(b, end, '","type":"')) {
      return undefined;
    }
    at = end + 10;
  } else {
    return undefined;
  }
  // The two results are told apart without making a string; others are rare.
  if (has(b, at, 'next"')) {
    return 'next';
  }
  if (has(b, at, 'data"')) {
    return 'data';
  }
  const close = b.indexOf(0x22, at);
  return close > at && close - at <= 32 ? b.toString('latin1', at, close) : undefined;
}
