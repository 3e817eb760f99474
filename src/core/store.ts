// Over 400 lines: the slot layout is read and written by this one class, and no other module sees it.
import { ABSENT, BINARY, type BatchWriter, LARGE, NAMED, NameList, OUT, SAME_AS_ID } from './batchFormat';
import { DecodedText, ReceivedText } from './receivedText';
import { holdsSecretField } from './decodedSecrets';
import { FrameReading } from './adapters/lazyDecoded';
import { type ConnRecord, type Decoded, type MessageRecord } from './records';

export interface StoreOptions {
  /** Most records kept; the oldest go first. Default 100,000. */
  maxRecords: number;
  /** Most bytes (approximate, see `recordCost`) kept. Default 128 MiB. The newest record is always kept. */
  maxBytes: number;
  /** Messages larger than this (bytes) are flagged `large` so views show a preview. Default 256 KiB. */
  displayLimit: number;
}

export const DEFAULT_STORE: Readonly<StoreOptions> = Object.freeze({
  maxRecords: 100_000,
  maxBytes: 128 * 1024 * 1024,
  displayLimit: 256 * 1024,
});

/** Payload bytes are kept in chunks of this size (a larger record gets a chunk of its own). */
const CHUNK = 1 << 20;
/** A small log starts with small chunks: this size, doubling up to CHUNK. */
const FIRST_CHUNK = 1 << 16;
const CHUNK_DOUBLINGS = Math.log2(CHUNK / FIRST_CHUNK);
/** Strings up to this length are written against a worst-case size (3 bytes a UTF-16 unit) instead of measured. */
const MEASURE_ABOVE = 1 << 16;
const UTF8_PER_UNIT = 3;
const INITIAL_SLOTS = 1024;
const NO_CHUNK = Buffer.alloc(0);
/** Times older than the oldest message kept are forgotten once there are more than this many (and they are half the list). */
const TIMES_KEPT_BEHIND = 4096;
/** Memory a record takes beyond its strings (`recordCost`): the object and its small fields. */
const RECORD_OVERHEAD = 160;

/*
 * A slot's fields in its 64 bytes: five doubles (seq, cost, size, time index, chunk number) at
 * Float64 index slot * F64_STRIDE + n, then six integers (byte offset, the UTF-8 lengths of data,
 * event, id and lastEventId, flags) at Int32 index slot * I32_STRIDE + n.
 */
const F64_STRIDE = 8;
const I32_STRIDE = 16;
const SEQ = 0;
const COST = 1;
const SIZE = 2;
/** Time of a message: an index (absolute) into the distinct times seen, in order. */
const TIME = 3;
/** Chunk number (absolute) of a message's bytes. */
const CHUNK_NO = 4;
const OFFSET = 10;
const DATA_LEN = 11;
const EVENT_LEN = 12;
const ID_LEN = 13;
const LAST_ID_LEN = 14;
const FLAGS = 15;

/**
 * A slot's flags: a message's are a batch row's (OUT, BINARY, LARGE: one set of values, copied as
 * they are); this one, beyond them, marks a record kept as an object (not a plain message). Its
 * string lengths use the batch's markers too (ABSENT, SAME_AS_ID, NAMED - k for event name k).
 */
const KEPT_WHOLE = 8;
/** Distinct event names kept once; others are stored with each message. */
const MAX_EVENT_NAMES = 256;

/**
 * The bounded log of one connection: capped by count and by bytes, evicting the oldest and counting
 * what it dropped.
 *
 * Messages, nearly every record under load, are not kept as objects: their text goes into byte chunks
 * and their fields into typed arrays, so a log of 100,000 messages is a few large buffers that the
 * garbage collector never has to walk or copy, instead of 200,000 small objects it would. Reads
 * (`at`, `bySeq`, `toArray`, iteration) give back plain records equal to those added, `data` an own
 * property (text is kept as UTF-8, so a lone UTF-16 surrogate, which no transport produces, reads
 * back as U+FFFD); other records are kept whole. `pack` writes records into a batch for the webview
 * straight from the bytes. Records are appended in `seq` order, so lookups by seq are a binary search.
 */
export class MessageStore {
  readonly options: StoreOptions;
  private cap = 0;
  /** Ring buffer: slot of the oldest record, and the number kept. */
  private head = 0;
  private count = 0;
  /**
   * The slots' fields, one 64-byte line per slot (see F64_STRIDE) read through two views, so a record
   * added or evicted touches one cache line rather than one in each of eleven arrays.
   */
  private f64: Float64Array = new Float64Array(0);
  private i32: Int32Array = new Int32Array(0);
  private whole: (ConnRecord | undefined)[] = [];
  /**
   * A message's `decoded` (a protocol adapter's reading), kept by slot as the object it is: writing it
   * to the chunks as JSON would cost a serialisation per message at add time, which a flood cannot
   * afford; a batch takes only its type and label (`BatchWriter.storedRow`), export and reads the object.
   * A reading made from the message's bytes alone is kept as its shared {@link FrameReading} and made
   * again from the bytes the slot keeps: no object per message.
   */
  private decodedBy: (Decoded | FrameReading | undefined)[] = [];

  private times: string[] = [];
  private timesBase = 0;
  /** SSE event types, which repeat ("message" above all): each name kept once. */
  private eventNames = new NameList();
  private chunks: Buffer[] = [];
  private chunksBase = 0;
  /** Messages still kept per chunk (parallel to `chunks`). */
  private chunkLive: number[] = [];
  private writeAt = 0;
  /** A freed chunk of full size, to write to next (empty: none). Always a Buffer, so the field keeps one type. */
  private spare: Buffer = NO_CHUNK;

  private _bytes = 0;
  private _dropped = 0;
  private _added = 0;

  constructor(options?: Partial<StoreOptions>) {
    this.options = { ...DEFAULT_STORE, ...options };
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this._bytes;
  }

  /** Records evicted by the caps since the last `clear()`. */
  get dropped(): number {
    return this._dropped;
  }

  add(record: ConnRecord): void {
    if (record.kind === 'message' && record.size > this.options.displayLimit) {
      record.large = true;
    }
    const cost = recordCost(record);
    if (this.count === this.cap) {
      if (this.cap < Math.max(1, this.options.maxRecords)) {
        this.grow();
      } else {
        this.evictOldest();
      }
    }
    const slot = (this.head + this.count) % this.cap;
    this.count++;
    this._added++;
    this.f64[slot * F64_STRIDE + SEQ] = record.seq;
    this.f64[slot * F64_STRIDE + COST] = cost;
    this._bytes += cost;
    if (record.kind === 'message' && record.state === undefined && record.large !== false && !keptWhole(record)) {
      this.whole[slot] = undefined;
      this.decodedBy[slot] = keptReading(record);
      this.encode(slot, record);
    } else {
      this.i32[slot * I32_STRIDE + FLAGS] = KEPT_WHOLE;
      this.whole[slot] = record;
      this.decodedBy[slot] = undefined;
    }
    while (this.count > 1 && (this.count > this.options.maxRecords || this._bytes > this.options.maxBytes)) {
      this.evictOldest();
    }
  }

  /** Record at position `i` (0 = oldest kept). */
  at(i: number): ConnRecord | undefined {
    return i >= 0 && i < this.count ? this.read((this.head + i) % this.cap) : undefined;
  }

  /** The record with this seq, if still kept. */
  bySeq(seq: number): ConnRecord | undefined {
    const i = this.firstAtOrAfter(seq);
    return i < this.count && this.f64[((this.head + i) % this.cap) * F64_STRIDE + SEQ] === seq ? this.at(i) : undefined;
  }

  /**
   * Records added so far, never reset (not even by `clear`): a mark for `positionAfter`, so a reader
   * that has seen the log up to a mark can find what came after it.
   */
  get added(): number {
    return this._added;
  }

  /** Position (0 = oldest kept) of the first record added after `mark` (a value of `added`). */
  positionAfter(mark: number): number {
    return this.count - Math.min(this.count, Math.max(0, this._added - mark));
  }

  /**
   * Packs the records at positions [from, to) into `batch`, in one walk. A message of at most
   * `bytesUpTo` bytes that is not flagged large goes as it is stored: its bytes are copied, no string
   * or object is made. Every other record goes as an object (which the batch's view may mask or cut);
   * a negative `bytesUpTo` sends every message so.
   */
  pack(from: number, to: number, batch: BatchWriter, bytesUpTo: number): void {
    const { f64, i32, head, cap, times, timesBase, chunks, chunksBase, decodedBy } = this;
    const names = this.eventNames.names;
    // The batch's eventLen for each of the store's names, looked up once per name.
    const batchNames: number[] = [];
    for (let i = Math.max(0, from), end = Math.min(this.count, to); i < end; i++) {
      const slot = (head + i) % cap;
      const fi = slot * I32_STRIDE;
      const fd = slot * F64_STRIDE;
      const flags = i32[fi + FLAGS];
      const size = f64[fd + SIZE];
      if (flags & (KEPT_WHOLE | LARGE) || size > bytesUpTo) {
        batch.record(this.read(slot));
        continue;
      }
      let eventLen = i32[fi + EVENT_LEN];
      if (eventLen <= NAMED) {
        const k = NAMED - eventLen;
        eventLen = batchNames[k] ??= batch.eventNamed(names[k]);
      }
      batch.storedRow(
        f64[fd + SEQ],
        times[f64[fd + TIME] - timesBase],
        flags,
        size,
        i32[fi + DATA_LEN],
        eventLen,
        i32[fi + ID_LEN],
        i32[fi + LAST_ID_LEN],
        chunks[f64[fd + CHUNK_NO] - chunksBase],
        i32[fi + OFFSET],
        decodedBy[slot],
      );
    }
  }

  /** Seq of the newest record kept, or 0. */
  get lastSeq(): number {
    return this.count ? this.f64[((this.head + this.count - 1) % this.cap) * F64_STRIDE + SEQ] : 0;
  }

  /** All kept records, oldest first. */
  toArray(): ConnRecord[] {
    const out = new Array<ConnRecord>(this.count);
    for (let i = 0; i < this.count; i++) {
      out[i] = this.read((this.head + i) % this.cap);
    }
    return out;
  }

  [Symbol.iterator](): Iterator<ConnRecord> {
    let i = 0;
    return {
      next: () => (i < this.count ? { value: this.at(i++)!, done: false } : { value: undefined, done: true }),
    };
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.allocate(0);
    this.times = [];
    this.timesBase = 0;
    this.eventNames = new NameList();
    this.chunks = [];
    this.chunksBase = 0;
    this.chunkLive = [];
    this.writeAt = 0;
    this.spare = NO_CHUNK;
    this._bytes = 0;
    this._dropped = 0;
  }

  /** Position of the first record with a seq of at least `seq`; `size` when none. */
  private firstAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.f64[((this.head + mid) % this.cap) * F64_STRIDE + SEQ];
      if (s < seq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private encode(slot: number, r: MessageRecord): void {
    const bytes = r instanceof ReceivedText ? r.utf8 : undefined;
    if (bytes !== undefined) {
      // Text still in the bytes it came in: copied as they are, never decoded.
      const chunk = this.chunkFor(bytes.length);
      chunk.set(bytes, this.writeAt);
      this.i32[slot * I32_STRIDE + OFFSET] = this.writeAt;
      this.writeAt += this.i32[slot * I32_STRIDE + DATA_LEN] = bytes.length;
      this.i32[slot * I32_STRIDE + EVENT_LEN] = this.i32[slot * I32_STRIDE + ID_LEN] = this.i32[slot * I32_STRIDE + LAST_ID_LEN] = ABSENT;
      this.placed(slot, r);
      return;
    }
    const { data, id, lastEventId } = r;
    let event = r.event;
    let named = 0;
    if (event !== undefined) {
      const k = this.eventNames.placeOf(event, MAX_EVENT_NAMES);
      if (k >= 0) {
        named = NAMED - k;
        event = undefined;
      }
    }
    const lastSame = lastEventId !== undefined && lastEventId === id;
    const chunk = this.chunkFor(utf8Bound(data) + utf8Bound(event) + utf8Bound(id) + (lastSame ? 0 : utf8Bound(lastEventId)));
    let at = this.writeAt;
    this.i32[slot * I32_STRIDE + OFFSET] = at;
    const lastLen = lastEventId === undefined ? ABSENT : lastSame ? SAME_AS_ID : lastEventId.length;
    if (event === undefined && id === undefined && lastLen < 0) {
      at += this.i32[slot * I32_STRIDE + DATA_LEN] = chunk.write(data, at, 'utf8');
      this.i32[slot * I32_STRIDE + EVENT_LEN] = this.i32[slot * I32_STRIDE + ID_LEN] = ABSENT;
      this.i32[slot * I32_STRIDE + LAST_ID_LEN] = lastLen;
    } else {
      // SSE events: one write for all their strings (one call costs more than the few bytes); when
      // the bytes are as many as the characters (ASCII), each string's bytes are its length.
      const joined = data + (event ?? '') + (id ?? '') + (lastLen > 0 ? lastEventId! : '');
      const n = chunk.write(joined, at, 'utf8');
      if (n === joined.length) {
        this.i32[slot * I32_STRIDE + DATA_LEN] = data.length;
        this.i32[slot * I32_STRIDE + EVENT_LEN] = event === undefined ? ABSENT : event.length;
        this.i32[slot * I32_STRIDE + ID_LEN] = id === undefined ? ABSENT : id.length;
        this.i32[slot * I32_STRIDE + LAST_ID_LEN] = lastLen;
        at += n;
      } else {
        at += this.i32[slot * I32_STRIDE + DATA_LEN] = chunk.write(data, at, 'utf8');
        at += this.writeOptional(chunk, at, event, slot * I32_STRIDE + EVENT_LEN);
        at += this.writeOptional(chunk, at, id, slot * I32_STRIDE + ID_LEN);
        if (lastSame) {
          this.i32[slot * I32_STRIDE + LAST_ID_LEN] = SAME_AS_ID;
        } else {
          at += this.writeOptional(chunk, at, lastEventId, slot * I32_STRIDE + LAST_ID_LEN);
        }
      }
    }
    if (named) {
      this.i32[slot * I32_STRIDE + EVENT_LEN] = named;
    }
    this.writeAt = at;
    this.placed(slot, r);
  }

  /** The rest of a message's slot, once its strings are in the current chunk. */
  private placed(slot: number, r: MessageRecord): void {
    this.f64[slot * F64_STRIDE + CHUNK_NO] = this.chunksBase + this.chunks.length - 1;
    this.chunkLive[this.chunkLive.length - 1]++;
    this.i32[slot * I32_STRIDE + FLAGS] = (r.dir === 'out' ? OUT : 0) | (r.format === 'binary' ? BINARY : 0) | (r.large ? LARGE : 0);
    this.f64[slot * F64_STRIDE + SIZE] = r.size;
    const times = this.times;
    if (times.length === 0 || times[times.length - 1] !== r.time) {
      times.push(r.time);
    }
    this.f64[slot * F64_STRIDE + TIME] = this.timesBase + times.length - 1;
  }

  /** Writes an optional string at `at`; its length (or ABSENT) goes to `this.i32[field]`. */
  private writeOptional(chunk: Buffer, at: number, value: string | undefined, field: number): number {
    if (value === undefined) {
      this.i32[field] = ABSENT;
      return 0;
    }
    const n = value.length === 0 ? 0 : chunk.write(value, at, 'utf8');
    this.i32[field] = n;
    return n;
  }

  /** The chunk to write `need` bytes to at `writeAt`: the current one, or a new one. */
  private chunkFor(need: number): Buffer {
    const last = this.chunks.length - 1;
    if (last >= 0 && this.writeAt + need <= this.chunks[last].length) {
      return this.chunks[last];
    }
    let chunk: Buffer;
    if (need <= CHUNK && this.spare.length > 0) {
      chunk = this.spare;
      this.spare = NO_CHUNK;
    } else {
      const size = FIRST_CHUNK * 2 ** Math.min(CHUNK_DOUBLINGS, this.chunksBase + this.chunks.length);
      chunk = Buffer.allocUnsafeSlow(Math.max(size, need));
    }
    this.chunks.push(chunk);
    this.chunkLive.push(0);
    this.writeAt = 0;
    return chunk;
  }

  private read(slot: number): ConnRecord {
    const f = this.i32[slot * I32_STRIDE + FLAGS];
    if (f & KEPT_WHOLE) {
      return this.whole[slot]!;
    }
    const chunk = this.chunks[this.f64[slot * F64_STRIDE + CHUNK_NO] - this.chunksBase];
    let at = this.i32[slot * I32_STRIDE + OFFSET];
    const n = this.i32[slot * I32_STRIDE + DATA_LEN];
    const r: MessageRecord = {
      seq: this.f64[slot * F64_STRIDE + SEQ],
      time: this.times[this.f64[slot * F64_STRIDE + TIME] - this.timesBase],
      kind: 'message',
      dir: f & OUT ? 'out' : 'in',
      format: f & BINARY ? 'binary' : 'text',
      data: n ? chunk.toString('utf8', at, at + n) : '',
      size: this.f64[slot * F64_STRIDE + SIZE],
    };
    at += n;
    const e = this.i32[slot * I32_STRIDE + EVENT_LEN];
    if (e <= NAMED) {
      r.event = this.eventNames.names[NAMED - e];
    } else if (e !== ABSENT) {
      r.event = e ? chunk.toString('utf8', at, at + e) : '';
      at += e;
    }
    const d = this.i32[slot * I32_STRIDE + ID_LEN];
    if (d !== ABSENT) {
      r.id = d ? chunk.toString('utf8', at, at + d) : '';
      at += d;
    }
    const l = this.i32[slot * I32_STRIDE + LAST_ID_LEN];
    if (l === SAME_AS_ID) {
      if (r.id !== undefined) {
        r.lastEventId = r.id;
      }
    } else if (l !== ABSENT) {
      r.lastEventId = l ? chunk.toString('utf8', at, at + l) : '';
    }
    if (f & LARGE) {
      r.large = true;
    }
    const decoded = this.decodedBy[slot];
    if (decoded instanceof FrameReading) {
      // From a copy of the bytes: the chunk is written over once its messages are gone.
      const start = this.i32[slot * I32_STRIDE + OFFSET];
      r.decoded = decoded.read(Buffer.from(chunk.subarray(start, start + n)));
    } else if (decoded !== undefined) {
      r.decoded = decoded;
    }
    return r;
  }

  private evictOldest(): void {
    const slot = this.head;
    this._bytes -= this.f64[slot * F64_STRIDE + COST];
    if (this.i32[slot * I32_STRIDE + FLAGS] & KEPT_WHOLE) {
      this.whole[slot] = undefined;
    } else {
      this.decodedBy[slot] = undefined;
      this.release(this.f64[slot * F64_STRIDE + CHUNK_NO] - this.chunksBase);
      this.dropTimesBefore(this.f64[slot * F64_STRIDE + TIME]);
    }
    this.head = (this.head + 1) % this.cap;
    this.count--;
    this._dropped++;
  }

  /** One message fewer in chunk `i`; chunks emptied at the front go (the newest one stays to write to). */
  private release(i: number): void {
    this.chunkLive[i]--;
    while (this.chunks.length > 1 && this.chunkLive[0] === 0) {
      const freed = this.chunks.shift()!;
      this.chunkLive.shift();
      this.chunksBase++;
      if (freed.length === CHUNK) {
        this.spare = freed;
      }
    }
  }

  /** Forgets times older than the oldest message kept, now and then (the list is short: one per millisecond). */
  private dropTimesBefore(index: number): void {
    const n = index - this.timesBase;
    if (n > TIMES_KEPT_BEHIND && n * 2 > this.times.length) {
      this.times = this.times.slice(n);
      this.timesBase = index;
    }
  }

  private grow(): void {
    const cap = Math.max(1, Math.min(this.options.maxRecords, Math.max(INITIAL_SLOTS, this.cap * 2)));
    const { head, count, cap: oldCap } = this;
    // The kept slots in order, oldest first: [head, end) then, when they wrap, [0, rest).
    const end = Math.min(oldCap, head + count);
    const rest = count - (end - head);
    const move = (from: Float64Array, to: Float64Array): Float64Array => {
      to.set(from.subarray(head * F64_STRIDE, end * F64_STRIDE));
      if (rest > 0) {
        to.set(from.subarray(0, rest * F64_STRIDE), (end - head) * F64_STRIDE);
      }
      return to;
    };
    this.cap = cap;
    this.setSlots(move(this.f64, new Float64Array(cap * F64_STRIDE)));
    const whole = this.whole.slice(head, end).concat(this.whole.slice(0, rest));
    whole.length = cap;
    this.whole = whole.fill(undefined, count);
    const decodedBy = this.decodedBy.slice(head, end).concat(this.decodedBy.slice(0, rest));
    decodedBy.length = cap;
    this.decodedBy = decodedBy.fill(undefined, count);
    this.head = 0;
  }

  private setSlots(f64: Float64Array): void {
    this.f64 = f64;
    this.i32 = new Int32Array(f64.buffer, f64.byteOffset, f64.length * 2);
  }

  private allocate(cap: number): void {
    this.cap = cap;
    this.setSlots(new Float64Array(cap * F64_STRIDE));
    this.whole = new Array<ConnRecord | undefined>(cap).fill(undefined);
    this.decodedBy = new Array<Decoded | FrameReading | undefined>(cap).fill(undefined);
  }
}

/**
 * A message kept as the object it is rather than in bytes: one the client sent whose `decoded` holds a
 * field masked by name (`SECRET_FIELDS`: a STOMP CONNECT's passcode, an MQTT CONNECT's password, a
 * Socket.IO CONNECT's auth). A batch packed from bytes is not masked field by field; an object is.
 * Only sent messages are looked at (servers do not send the client's credentials), and they are few.
 */
function keptWhole(record: MessageRecord): boolean {
  return (
    (record.dir === 'out' && record.decoded !== undefined && holdsSecretField(record.decoded)) ||
    // The frames' facts of a fragmented or compressed WebSocket message: rare fields the slots do not hold.
    record.fragments !== undefined ||
    record.wireSize !== undefined
  );
}

/** What a message's reading costs the byte cap: about what the frame it read holds, nothing for a FrameReading. */
function readingCost(record: MessageRecord, kept: Decoded | FrameReading | undefined): number {
  return kept === undefined || kept instanceof FrameReading ? 0 : RECORD_OVERHEAD + record.size;
}

/**
 * What the store keeps of a message's reading: its type's shared {@link FrameReading} when the reading
 * is made from the message's bytes alone (the bytes the store keeps), without making it; else the reading.
 */
function keptReading(record: MessageRecord): Decoded | FrameReading | undefined {
  if (record instanceof DecodedText) {
    const reading = record.frameReading;
    if (reading !== undefined) {
      return reading;
    }
  }
  return record.decoded;
}

/** Bytes a string may take in UTF-8: measured when long, bounded when short. */
function utf8Bound(s: string | undefined): number {
  return s === undefined ? 0 : s.length > MEASURE_ABOVE ? Buffer.byteLength(s, 'utf8') : s.length * UTF8_PER_UNIT;
}

/** Approximate bytes a record holds in memory, for the store's byte cap. */
export function recordCost(record: ConnRecord): number {
  // Strings are UTF-16 in V8 (often Latin-1, one byte a char, but cap for the worst case is too
  // pessimistic for ASCII streams): counted a byte a character.
  switch (record.kind) {
    case 'message':
      // A message still in bytes is counted by its bytes (decoding it to count would cost more than keeping it).
      return (
        RECORD_OVERHEAD +
        (record instanceof ReceivedText && record.utf8 !== undefined ? record.size : record.data.length) +
        (record.event?.length ?? 0) +
        (record.lastEventId?.length ?? 0) +
        // A decoded reading holds about as much as the frame it read (its fields, or a view of the frame);
        // one made again from the message's bytes (a FrameReading) holds nothing of its own.
        readingCost(record, keptReading(record))
      );
    case 'comment':
      return RECORD_OVERHEAD + record.text.length;
    case 'error':
      return RECORD_OVERHEAD + record.message.length + (record.body?.length ?? 0);
    case 'ping':
    case 'pong':
      return RECORD_OVERHEAD + record.data.length;
    default:
      return RECORD_OVERHEAD * 2;
  }
}
