// Over 400 lines: the wire format is written and read only here (types, constants, writer, reader), one module the host and the webview share.
/**
 * The record batch: how records travel from the extension host to the panel's webview, packed column
 * by column. Its types, its constants, the writer that packs it and `unpackBatch` live here and only
 * here. Plain TypeScript with no Node or DOM API (TextEncoder and TextDecoder are in both), so the
 * host's store and panel and the webview share this one file.
 */
import type { AdapterName, ConnRecord, Decoded, MessageRecord } from './records';

/**
 * Records on their way to the webview, packed column by column. Under a flood one batch holds
 * thousands of messages: as one object per record, every field would be a value for the editor's
 * message serialiser to visit (it walks each with a replacer, looking for binary data). Packed, the
 * text of all rows is one byte array and their lengths and sizes one integer array, which the editor
 * hands over as binary, untouched; the rest is a few short strings and runs.
 *
 * A message record with the usual fields is a row of the columns; every other record travels whole
 * in `others`, with the position it holds in the batch. Packed by `BatchWriter` (from records, or by
 * the store from its bytes), read back by `unpackBatch`.
 */
export interface RecordBatch {
  /** Records in the batch: the rows plus `others`. */
  n: number;
  /** The records that are not rows, whole, and the position of each in the batch: [position, record]. */
  others: [number, ConnRecord][];
  /** `seq` of the rows in runs of consecutive numbers: [first, count, first, count, …]. */
  seq: number[];
  /** `time` of the rows in runs of equal values: [time, count, time, count, …]. */
  time: (string | number)[];
  /** Event types of the rows, each listed once (they repeat: "message" above all). */
  events: string[];
  /**
   * Per row, `ROW_FIELDS` integers: flags (`OUT`, `BINARY`, `LARGE`), the UTF-8 byte lengths of its
   * data, event, id and lastEventId in `text` (`ABSENT`: the record has none; `SAME_AS_ID`, for
   * lastEventId: it is the id; `NAMED - k`, for event: it is `events[k]`, no bytes in `text`), then
   * its `size`.
   */
  fields: Int32Array;
  /** The rows' strings as UTF-8, row after row, each row's data, event, id, lastEventId in turn. */
  text: Uint8Array;
  /** Present when a row carries a protocol adapter's reading (`MessageRecord.decoded`): see {@link DecodedColumns}. */
  decoded?: DecodedColumns;
}

/**
 * What a row says of its `decoded`: what the log shows of it (type, label, keep-alive…), not the whole
 * object. Under a flood serialising every reading whole would cost more than the rest of the batch, and
 * a large message's reading would go past the display limit; the detail pane asks the host for the
 * whole record (`getFull`) of the one row it shows. Records that travel whole in `others` keep theirs.
 */
export interface DecodedColumns {
  /** Per row, `DECODED_FIELDS` integers: kind (index into `kinds`, or ABSENT: no `decoded`), label (index into `labels`, or ABSENT), latency ms (or ABSENT), `DECODED_*` flags, id (index into `ids`, or ABSENT). */
  fields: Int32Array;
  /** The ids the rows name as text (GraphQL operation, JSON-RPC request, Socket.IO ack, MQTT packet), each once. */
  ids: string[];
  /** The [protocol, type] pairs the rows name, each once. */
  kinds: [AdapterName, string][];
  /** The labels the rows name, each once (at most `LABEL_CHARS` characters each). */
  labels: string[];
}

// A row's fields in `DecodedColumns.fields`, at row * DECODED_FIELDS + n.
export const DECODED_FIELDS = 5;
export const DECODED_KIND_FIELD = 0;
export const DECODED_LABEL_FIELD = 1;
export const DECODED_LATENCY_FIELD = 2;
export const DECODED_FLAGS_FIELD = 3;
export const DECODED_ID_FIELD = 4;
// A decoded row's flags.
export const DECODED_KEEP_ALIVE = 1;
export const DECODED_PARTIAL = 2;
/** Most characters of a label a batch carries (the type column shows far fewer). */
export const LABEL_CHARS = 256;

/**
 * The id a reading names, as text: a GraphQL operation's or a JSON-RPC message's `id`, a Socket.IO
 * `ackId`, a SignalR `invocationId`, an MQTT `packetId`. A row's summary carries it as `id`.
 */
export function decodedId(d: Decoded): string | undefined {
  const id = d.id ?? d.ackId ?? d.invocationId ?? d.packetId;
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : undefined;
}

/**
 * A reading a store makes again from a message's bytes when asked (`adapters/lazyDecoded.ts`
 * `FrameReading`, one per protocol and type): what a row shows of it, read where the store keeps the
 * bytes, `b[from, to)`, without making the reading. Such readings have no latency and are neither
 * keep-alive nor partial.
 */
export abstract class RowReading {
  abstract readonly protocol: AdapterName;
  abstract readonly type: string;
  /** Sets `into` to the log's label and the id as text ({@link decodedId}'s) of the message `b[from, to)`. */
  abstract peek(b: Uint8Array, from: number, to: number, into: PeekedRow): void;
}

/** What {@link RowReading.peek} reads of a row (one object, filled again for each row). */
export interface PeekedRow {
  label: string | undefined;
  id: string | undefined;
}

/** The readings `unpackBatch` made from a row's columns (a summary: the host's store has the whole one). */
const summaries = new WeakSet<Decoded>();

/** Whether `decoded` is a batch row's summary (type, label, flags) rather than the whole reading. */
export function isDecodedSummary(decoded: Decoded): boolean {
  return summaries.has(decoded);
}

// A row's fields in `RecordBatch.fields`, at row * ROW_FIELDS + n.
export const ROW_FIELDS = 6;
export const FLAGS_FIELD = 0;
export const DATA_LEN_FIELD = 1;
export const EVENT_LEN_FIELD = 2;
export const ID_LEN_FIELD = 3;
export const LAST_ID_LEN_FIELD = 4;
export const SIZE_FIELD = 5;

// A row's flags.
export const OUT = 1;
export const BINARY = 2;
export const LARGE = 4;

// Markers in a row's string lengths (the store keeps its messages' lengths with the same markers).
/** The record has no such string. */
export const ABSENT = -1;
/** (lastEventId) The same as the id: no bytes of its own. */
export const SAME_AS_ID = -2;
/** (event) At or below this, the event is name `NAMED - length` of a list of names: no bytes of its own. */
export const NAMED = -3;

/** Event names a batch lists for the records written as objects (names of stored rows are always listed). */
const MAX_LISTED_EVENTS = 1024;
/** Largest scratch text kept between batches. */
const SCRATCH_KEPT = 8 << 20;
const SCRATCH_TEXT = 64 * 1024;
const SCRATCH_ROWS = 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 unit. */
const UTF8_PER_UNIT = 3;
/** Strings longer than this are encoded on their own instead of into room for their worst case. */
const ENCODE_APART_ABOVE = 1 << 16;

/**
 * Names kept once each, by their place in a list (SSE event types, which repeat: "message" above
 * all). Both the store and a batch keep their event types in one.
 */
export class NameList {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private last: string | undefined;
  private lastAt = 0;

  /** Place of `name`, listed now if need be; -1 when it is not listed and the list holds `max` already. */
  placeOf(name: string, max: number): number {
    // A stream repeats one type event after event: the last one is checked first, without a lookup.
    if (name === this.last) {
      return this.lastAt;
    }
    let at = this.index.get(name);
    if (at === undefined) {
      if (this.names.length >= max) {
        return -1;
      }
      at = this.names.push(name) - 1;
      this.index.set(name, at);
    }
    this.last = name;
    this.lastAt = at;
    return at;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Scratch space shared by all writers (one writes at a time): grown once to the largest batch and
// reused, so a batch allocates only its exact results.
const scratch = { fields: new Int32Array(ROW_FIELDS * SCRATCH_ROWS), text: new Uint8Array(SCRATCH_TEXT) };

/**
 * Writes one `RecordBatch`: records are added in order, a message record as a row of the columns
 * (from an object, or from a store's bytes), any other record whole. `view` maps each record added
 * as an object first (masking, previews); rows added as bytes are taken as they are.
 */
export class BatchWriter {
  private n = 0;
  private rows = 0;
  private readonly others: [number, ConnRecord][] = [];
  private readonly seq: number[] = [];
  private readonly time: (string | number)[] = [];
  private readonly events = new NameList();
  private seqRunAt = -1;
  private timeRunAt = -1;
  private fields = scratch.fields;
  private text = scratch.text;
  private at = 0;
  /** Bytes of stored rows not copied yet: [spanStart, spanEnd) of spanBytes, due at `at`. */
  private spanBytes: Uint8Array | undefined;
  private spanStart = 0;
  private spanEnd = 0;
  /** The rows' decoded columns, made when the first row with a `decoded` comes. */
  private dec: { fields: Int32Array; kinds: NameList; pairs: [AdapterName, string][]; labels: NameList; ids: NameList } | undefined;
  /** The kind of the last decoded row, by its protocol and type: a flood repeats one, found without making its name. */
  private lastKind = { protocol: '', type: '', kind: -1 };
  private readonly peeked: PeekedRow = { label: undefined, id: undefined };

  constructor(private readonly view: (record: ConnRecord) => ConnRecord = (r) => r) {}

  /** Adds a record as `view` shows it. */
  record(record: ConnRecord): void {
    this.flushSpan();
    const r = this.view(record);
    // A fragmented or compressed message travels whole with its frames' facts, unless it is large (its
    // row then shows a preview, and the whole record, facts and all, comes on request).
    if (
      r.kind !== 'message' ||
      r.state !== undefined ||
      r.large === false ||
      ((r.fragments !== undefined || r.wireSize !== undefined) && r.large !== true)
    ) {
      this.others.push([this.n++, r]);
      return;
    }
    const lastSame = r.lastEventId !== undefined && r.lastEventId === r.id;
    const listed = r.event === undefined ? -1 : this.events.placeOf(r.event, MAX_LISTED_EVENTS);
    const event = listed < 0 ? r.event : undefined;
    const f = this.newRow(
      r.seq,
      r.time,
      (r.dir === 'out' ? OUT : 0) | (r.format === 'binary' ? BINARY : 0) | (r.large ? LARGE : 0),
      r.size,
    );
    this.fields[f + DATA_LEN_FIELD] = this.write(r.data);
    this.fields[f + EVENT_LEN_FIELD] = listed < 0 ? this.write(event) : NAMED - listed;
    this.fields[f + ID_LEN_FIELD] = this.write(r.id);
    this.fields[f + LAST_ID_LEN_FIELD] = lastSame ? SAME_AS_ID : this.write(r.lastEventId);
    if (r.decoded !== undefined) {
      this.decodedRow(r.decoded);
    }
  }

  /** The `eventLen` that names `name` in this batch (for a stored row whose type is kept by name). */
  eventNamed(name: string): number {
    return NAMED - this.events.placeOf(name, Infinity);
  }

  /**
   * Adds a message from stored bytes, as it is: its strings are UTF-8 in `bytes` from `start`, in
   * the row's order, with the lengths and markers of a row (an event kept by name given by
   * `eventNamed`). Rows stored one after the other are copied in one go.
   */
  storedRow(
    seq: number,
    time: string,
    flags: number,
    size: number,
    dataLen: number,
    eventLen: number,
    idLen: number,
    lastIdLen: number,
    bytes: Uint8Array,
    start: number,
    decoded?: Decoded | RowReading,
  ): void {
    const f = this.newRow(seq, time, flags, size);
    if (decoded instanceof RowReading) {
      const peeked = this.peeked;
      decoded.peek(bytes, start, start + dataLen, peeked);
      this.decodedColumns(decoded.protocol, decoded.type, peeked.label, undefined, 0, peeked.id);
    } else if (decoded !== undefined) {
      this.decodedRow(decoded);
    }
    this.fields[f + DATA_LEN_FIELD] = dataLen;
    this.fields[f + EVENT_LEN_FIELD] = eventLen;
    this.fields[f + ID_LEN_FIELD] = idLen;
    this.fields[f + LAST_ID_LEN_FIELD] = lastIdLen;
    const length = dataLen + (eventLen > 0 ? eventLen : 0) + (idLen > 0 ? idLen : 0) + (lastIdLen > 0 ? lastIdLen : 0);
    if (length === 0) {
      return;
    }
    if (bytes !== this.spanBytes || start !== this.spanEnd) {
      this.flushSpan();
      this.spanBytes = bytes;
      this.spanStart = start;
    }
    this.spanEnd = start + length;
  }

  /** The batch; the arrays are exact copies, each with a buffer of its own. */
  finish(): RecordBatch {
    this.flushSpan();
    const text = this.text.slice(0, this.at);
    if (scratch.text.length > SCRATCH_KEPT) {
      // A batch of large previews grew it: not kept beyond that batch.
      scratch.text = new Uint8Array(SCRATCH_TEXT);
    }
    const batch: RecordBatch = {
      n: this.n,
      others: this.others,
      seq: this.seq,
      time: this.time,
      events: this.events.names,
      fields: this.fields.slice(0, this.rows * ROW_FIELDS),
      text,
    };
    const dec = this.dec;
    if (dec) {
      batch.decoded = {
        fields: dec.fields.slice(0, this.rows * DECODED_FIELDS),
        kinds: dec.pairs,
        labels: dec.labels.names,
        ids: dec.ids.names,
      };
    }
    return batch;
  }

  /** The decoded columns of the row just made (`rows - 1`): what the log shows of `d`. */
  private decodedRow(d: Decoded): void {
    const latency = d.latencyMs;
    this.decodedColumns(
      d.protocol,
      d.type,
      d.label,
      typeof latency === 'number' && latency >= 0 ? latency : undefined,
      (d.keepAlive ? DECODED_KEEP_ALIVE : 0) | (d.partial ? DECODED_PARTIAL : 0),
      decodedId(d),
    );
  }

  private decodedColumns(
    protocol: AdapterName,
    type: string,
    label: unknown,
    latency: number | undefined,
    flags: number,
    id: string | undefined,
  ): void {
    let dec = this.dec;
    const at = (this.rows - 1) * DECODED_FIELDS;
    if (!dec) {
      // Rows before the first decoded one have none (ABSENT in every field).
      dec = this.dec = {
        fields: new Int32Array(Math.max(64, this.fields.length / ROW_FIELDS) * DECODED_FIELDS).fill(ABSENT),
        kinds: new NameList(),
        pairs: [],
        labels: new NameList(),
        ids: new NameList(),
      };
    }
    if (at + DECODED_FIELDS > dec.fields.length) {
      const grown = new Int32Array(Math.max(dec.fields.length * 2, at + DECODED_FIELDS)).fill(ABSENT);
      grown.set(dec.fields);
      dec.fields = grown;
    }
    const last = this.lastKind;
    let kind = last.kind;
    if (kind < 0 || protocol !== last.protocol || type !== last.type) {
      kind = dec.kinds.placeOf(`${protocol} ${type}`, Infinity);
      if (kind === dec.pairs.length) {
        dec.pairs.push([protocol, type]);
      }
      last.protocol = protocol;
      last.type = type;
      last.kind = kind;
    }
    dec.fields[at + DECODED_KIND_FIELD] = kind;
    dec.fields[at + DECODED_LABEL_FIELD] =
      typeof label === 'string' ? dec.labels.placeOf(label.length > LABEL_CHARS ? label.slice(0, LABEL_CHARS) : label, Infinity) : ABSENT;
    dec.fields[at + DECODED_LATENCY_FIELD] = latency === undefined ? ABSENT : Math.round(latency);
    dec.fields[at + DECODED_FLAGS_FIELD] = flags;
    dec.fields[at + DECODED_ID_FIELD] =
      id === undefined ? ABSENT : dec.ids.placeOf(id.length > LABEL_CHARS ? id.slice(0, LABEL_CHARS) : id, Infinity);
  }

  private flushSpan(): void {
    const bytes = this.spanBytes;
    if (bytes) {
      const length = this.spanEnd - this.spanStart;
      this.reserveText(length);
      this.text.set(bytes.subarray(this.spanStart, this.spanEnd), this.at);
      this.at += length;
      this.spanBytes = undefined;
    }
  }

  /** A new row: its seq and time join the runs, its flags and size are set; returns the index of its fields. */
  private newRow(seq: number, time: string, flags: number, size: number): number {
    const s = this.seqRunAt;
    if (s >= 0 && seq === this.seq[s] + this.seq[s + 1]) {
      this.seq[s + 1]++;
    } else {
      this.seqRunAt = this.seq.length;
      this.seq.push(seq, 1);
    }
    const t = this.timeRunAt;
    if (t >= 0 && time === this.time[t]) {
      (this.time[t + 1] as number)++;
    } else {
      this.timeRunAt = this.time.length;
      this.time.push(time, 1);
    }
    const f = this.rows * ROW_FIELDS;
    if (f + ROW_FIELDS > this.fields.length) {
      const grown = new Int32Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = scratch.fields = grown;
    }
    this.fields[f + FLAGS_FIELD] = flags;
    this.fields[f + SIZE_FIELD] = size;
    this.rows++;
    this.n++;
    return f;
  }

  /** Writes `s` as UTF-8 at `at`; returns its byte length, or ABSENT. */
  private write(s: string | undefined): number {
    if (s === undefined) {
      return ABSENT;
    }
    let n = 0;
    if (s.length > ENCODE_APART_ABOVE) {
      // Room for the worst case would be three times its size: encoded apart, then copied.
      const bytes = encoder.encode(s);
      this.reserveText(bytes.length);
      this.text.set(bytes, this.at);
      n = bytes.length;
    } else if (s.length > 0) {
      this.reserveText(s.length * UTF8_PER_UNIT);
      n = encoder.encodeInto(s, this.text.subarray(this.at)).written;
    }
    this.at += n;
    return n;
  }

  private reserveText(need: number): void {
    if (this.at + need > this.text.length) {
      const grown = new Uint8Array(Math.max(this.text.length * 2, this.at + need));
      grown.set(this.text.subarray(0, this.at));
      this.text = scratch.text = grown;
    }
  }
}

/**
 * Packs records for the webview. `view` maps each record first (masking, previews). `unpackBatch`
 * gives back records equal to `records.map(view)`.
 */
export function packBatch(records: readonly ConnRecord[], view?: (r: ConnRecord) => ConnRecord): RecordBatch {
  const batch = new BatchWriter(view);
  for (const r of records) {
    batch.record(r);
  }
  return batch.finish();
}

/** The records of a packed batch, in order. */
export function unpackBatch(b: RecordBatch): ConnRecord[] {
  const out = new Array<ConnRecord>(b.n);
  const { fields, text } = b;
  const dec = b.decoded;
  // All-ASCII text (the common case) is decoded once and cut by byte offsets; otherwise string by string.
  const whole = decoder.decode(text);
  const ascii = whole.length === text.length;
  const str = (from: number, length: number): string =>
    length === 0 ? '' : ascii ? whole.substring(from, from + length) : decoder.decode(text.subarray(from, from + length));
  let other = 0;
  let nextOther = b.others.length ? b.others[0][0] : b.n;
  let row = 0;
  let at = 0;
  let seqRun = 0;
  let seqLeft = 0;
  let seq = 0;
  let timeRun = 0;
  let timeLeft = 0;
  let time = '';
  for (let i = 0; i < b.n; i++) {
    if (i === nextOther) {
      out[i] = b.others[other][1];
      other++;
      nextOther = other < b.others.length ? b.others[other][0] : b.n;
      continue;
    }
    if (seqLeft === 0) {
      seq = b.seq[seqRun];
      seqLeft = b.seq[seqRun + 1];
      seqRun += 2;
    }
    if (timeLeft === 0) {
      time = b.time[timeRun] as string;
      timeLeft = b.time[timeRun + 1] as number;
      timeRun += 2;
    }
    const f = row * ROW_FIELDS;
    const flags = fields[f + FLAGS_FIELD];
    const dataLen = fields[f + DATA_LEN_FIELD];
    const r: MessageRecord = {
      seq,
      time,
      kind: 'message',
      dir: flags & OUT ? 'out' : 'in',
      format: flags & BINARY ? 'binary' : 'text',
      data: str(at, dataLen),
      size: fields[f + SIZE_FIELD],
    };
    at += dataLen;
    const eventLen = fields[f + EVENT_LEN_FIELD];
    if (eventLen >= 0) {
      r.event = str(at, eventLen);
      at += eventLen;
    } else if (eventLen <= NAMED) {
      r.event = b.events[NAMED - eventLen];
    }
    const idLen = fields[f + ID_LEN_FIELD];
    if (idLen >= 0) {
      r.id = str(at, idLen);
      at += idLen;
    }
    const lastLen = fields[f + LAST_ID_LEN_FIELD];
    if (lastLen >= 0) {
      r.lastEventId = str(at, lastLen);
      at += lastLen;
    } else if (lastLen === SAME_AS_ID && r.id !== undefined) {
      r.lastEventId = r.id;
    }
    if (flags & LARGE) {
      r.large = true;
    }
    if (dec) {
      const d = row * DECODED_FIELDS;
      const kind = dec.fields[d + DECODED_KIND_FIELD];
      if (kind >= 0) {
        r.decoded = decodedSummary(dec, d, kind);
      }
    }
    out[i] = r;
    seq++;
    seqLeft--;
    timeLeft--;
    row++;
  }
  return out;
}

/** The summary of a row's reading: its protocol, type, and what the log shows (label, latency, keep-alive, partial). */
function decodedSummary(dec: DecodedColumns, d: number, kind: number): Decoded {
  const [protocol, type] = dec.kinds[kind];
  const out: Decoded = { protocol, type };
  const label = dec.fields[d + DECODED_LABEL_FIELD];
  if (label >= 0) {
    out.label = dec.labels[label];
  }
  const latency = dec.fields[d + DECODED_LATENCY_FIELD];
  if (latency >= 0) {
    out.latencyMs = latency;
  }
  const flags = dec.fields[d + DECODED_FLAGS_FIELD];
  if (flags & DECODED_KEEP_ALIVE) {
    out.keepAlive = true;
  }
  if (flags & DECODED_PARTIAL) {
    out.partial = true;
  }
  const id = dec.fields[d + DECODED_ID_FIELD];
  if (id >= 0) {
    out.id = dec.ids[id];
  }
  summaries.add(out);
  return out;
}
