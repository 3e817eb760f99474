/**
 * A recorded connection as the replay needs it: what the server answered (status, headers,
 * subprotocol, close) and a table of the things it sent, with their times — and never their data.
 * The data stays where it was (the NDJSON file, or the parsed HAR) and is read when a client's replay
 * reaches it, so a 1 GB log costs its index (a few typed-array slots per record), not its size.
 */
import type { Headers, TransportKind } from '../records';

/** What one slot of the table is. */
export const enum ItemType {
  /** A message from the server: an SSE event, or a WebSocket text message. */
  InText = 1,
  /** A WebSocket binary message from the server (data in base64). */
  InBinary = 2,
  /** A message the client sent (WebSocket): what the server's replies answered. */
  Out = 3,
  /** An SSE comment line. */
  Comment = 4,
  /** An SSE `retry:` field. */
  Retry = 5,
  /** A ping from the server (WebSocket). */
  Ping = 6,
}

/** One item's content, read from where the recording keeps it. */
export type ReplayItem =
  | { type: ItemType.InText; data: string; event?: string; id?: string; lastEventId?: string }
  | { type: ItemType.InBinary; data: string }
  | { type: ItemType.Out; format: 'text' | 'binary'; data: string }
  | { type: ItemType.Comment; text: string }
  | { type: ItemType.Retry; ms: number }
  | { type: ItemType.Ping; data: string };

/** Reads a connection's items from slot `from` on, in order: at most `max`, at least one (fewer when they are large). */
export interface ItemSource {
  read(from: number, max: number): Promise<ReplayItem[]>;
}

/** How the recorded connection ended. Absent when the recording has no close (still open, or cut). */
export interface RecordedClose {
  code?: number;
  reason?: string;
  clean: boolean;
  by: 'client' | 'server' | 'network';
}

/** One connection of a recording, ready to replay. */
export interface RecordedConnection {
  /** 1-based position in the file: what `--connection N` takes. */
  readonly n: number;
  readonly kind: TransportKind;
  /** The URL it was recorded from ('' when the file does not say). */
  readonly url: string;
  /** How many records (NDJSON) or frames (HAR) the file holds for it. */
  readonly records: number;
  readonly status?: number;
  readonly statusText?: string;
  /** The recorded response headers (an export's are already masked). */
  readonly headers: Headers;
  /** WebSocket: the subprotocol the server accepted. */
  readonly protocol?: string;
  readonly close?: RecordedClose;
  /** Where the recording ends on the replay's timeline (ms after the recorded open). */
  readonly endMs: number;
  readonly items: ItemTable;
  readonly source: ItemSource;
}

/** `-1` in {@link ItemTable.replyTo}: a server message that is not the answer to a client message. */
export const NO_REPLY = -1;

/**
 * The index: one slot per item, in columns. `atMs` is the replay's timeline: ms after the recorded
 * open, with the time between a close and the next open (a reconnect) left out. `offset`/`length`
 * locate the item's line in the NDJSON file. `key` is an SSE event's last event ID hash, or a client
 * message's exact hash; `shape` a client message's JSON shape hash (0: not JSON).
 */
export class ItemTable {
  count = 0;
  type = new Uint8Array(64);
  atMs = new Float64Array(64);
  offset = new Float64Array(64);
  length = new Uint32Array(64);
  /** A server message that answers a client message: that message's slot; else {@link NO_REPLY}. */
  replyTo = new Int32Array(64);
  key = new Uint32Array(64);
  shape = new Uint32Array(64);

  push(type: ItemType, atMs: number, offset: number, length: number, replyTo = NO_REPLY, key = 0, shape = 0): number {
    if (this.count === this.type.length) {
      this.grow();
    }
    const i = this.count++;
    this.type[i] = type;
    this.atMs[i] = atMs;
    this.offset[i] = offset;
    this.length[i] = length;
    this.replyTo[i] = replyTo;
    this.key[i] = key;
    this.shape[i] = shape;
    return i;
  }

  /** The pairs (client message slot, reply slot), in the order the client messages came. */
  replyPairs(): { out: Int32Array; reply: Int32Array } {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.replyTo[i] !== NO_REPLY) {
        n++;
      }
    }
    const out = new Int32Array(n);
    const reply = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.replyTo[i] !== NO_REPLY) {
        out[k] = this.replyTo[i];
        reply[k++] = i;
      }
    }
    return { out, reply };
  }

  private grow(): void {
    const size = this.type.length * 2;
    const grow = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.type = grow(this.type, (n) => new Uint8Array(n));
    this.atMs = grow(this.atMs, (n) => new Float64Array(n));
    this.offset = grow(this.offset, (n) => new Float64Array(n));
    this.length = grow(this.length, (n) => new Uint32Array(n));
    this.replyTo = grow(this.replyTo, (n) => new Int32Array(n));
    this.key = grow(this.key, (n) => new Uint32Array(n));
    this.shape = grow(this.shape, (n) => new Uint32Array(n));
  }
}

/** 32-bit FNV-1a of a string's UTF-16 units: an index key, always confirmed against the data read. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // 0 means "none" in the table.
  return h >>> 0 || 1;
}

/** The exact key of a client message: its format and data. */
export function exactKey(format: 'text' | 'binary', data: string): number {
  return hashText(format[0] + data);
}

/**
 * A JSON object's or array's shape: its keys (sorted) and their values' types, recursively; an
 * array's the distinct shapes of its elements. `{"op":"get","id":7}` and `{"id":8,"op":"put"}` have
 * one shape. Undefined for text that is not a JSON object or array.
 */
export function jsonShape(text: string): string | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') {
    return undefined;
  }
  try {
    return shapeOf(JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function shapeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return '[' + [...new Set(value.map(shapeOf))].sort().join(',') + ']';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return (
      '{' +
      Object.keys(o)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + shapeOf(o[k]))
        .join(',') +
      '}'
    );
  }
  return typeof value;
}

/** The shape key of a client message (0: not a JSON object or array). */
export function shapeKey(format: 'text' | 'binary', data: string): number {
  const shape = format === 'text' ? jsonShape(data) : undefined;
  return shape === undefined ? 0 : hashText(shape);
}
