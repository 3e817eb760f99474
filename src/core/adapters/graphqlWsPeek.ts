/**
 * What the GraphQL adapter reads from a message's head without parsing it: its type and its id, as
 * both servers write them (`{"id":"1","type":"next",…`, `{"type":"data","id":"1",…`). Under a flood
 * this is all the log needs of a result; the frame is parsed whole when someone asks for more.
 */
import { sameBytes } from './bytes';

/** ASCII text as bytes, to compare a frame's bytes with. */
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const ID_FIRST = ascii('{"id":"');
const TYPE_FIRST = ascii('{"type":"');
const THEN_ID = ascii('","id":"');
const THEN_TYPE = ascii('","type":"');
const NEXT = ascii('next"');
const DATA = ascii('data"');
const THEN_DATA = ascii(',"payload":{"data":{');

/** Whether `b[at, to)` begins with `bytes` (no copies: this runs for every message). */
function has(b: Uint8Array, at: number, bytes: Uint8Array, to: number): boolean {
  if (to < at + bytes.length) {
    return false;
  }
  for (let i = 0; i < bytes.length; i++) {
    if (b[at + i] !== bytes[i]) {
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
  if (has(b, from, ID_FIRST, to)) {
    const end = plainStringEnd(b, from + 7, to);
    return end < 0 ? undefined : idText(b, from + 7, end);
  }
  if (has(b, from, TYPE_FIRST, to)) {
    const typeEnd = plainStringEnd(b, from + 9, to);
    if (typeEnd >= 0 && has(b, typeEnd, THEN_ID, to)) {
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

/** {@link peekResult}'s answers: not a result (or not plain at the head), a `next`, a legacy `data`. */
export const NOT_A_RESULT = 0;
export const NEXT_RESULT = 1;
export const DATA_RESULT = 2;
/** With either result: its payload begins with a data object (`"payload":{"data":{`), so it is no failure (errors without data). */
export const WITH_DATA = 4;

/**
 * Whether the frame is a result (`next`, or the legacy `data`), from its head as both servers write
 * it: `{"id":"1","type":"next",…` or `{"type":"next",…`. Anything else (or a head written otherwise)
 * is {@link NOT_A_RESULT}, and the adapter parses the frame whole.
 */
export function peekResult(b: Buffer): number {
  const to = b.length;
  let at: number;
  if (has(b, 0, ID_FIRST, to)) {
    const end = plainStringEnd(b, ID_FIRST.length, to);
    if (end < 0 || !has(b, end, THEN_TYPE, to)) {
      return NOT_A_RESULT;
    }
    at = end + THEN_TYPE.length;
  } else if (has(b, 0, TYPE_FIRST, to)) {
    at = TYPE_FIRST.length;
  } else {
    return NOT_A_RESULT;
  }
  const result = has(b, at, NEXT, to) ? NEXT_RESULT : has(b, at, DATA, to) ? DATA_RESULT : NOT_A_RESULT;
  // `next"` and `data"` are as long as each other.
  return result !== NOT_A_RESULT && has(b, at + NEXT.length, THEN_DATA, to) ? result | WITH_DATA : result;
}
