import type { Redactor } from '../core/options';
import type { ConnRecord } from '../core/records';
import {
  ABSENT,
  BINARY as STORED_BINARY,
  CHUNK_NO,
  DATA_LEN,
  EVENT_LEN,
  F64_STRIDE,
  FLAGS as STORED_FLAGS,
  I32_STRIDE,
  ID_LEN,
  LARGE as STORED_LARGE,
  LAST_ID_LEN,
  NAMED,
  OFFSET,
  OUT as STORED_OUT,
  SAME_AS_ID,
  SEQ,
  SIZE as STORED_SIZE,
  storedLength,
  TIME,
  utf8Bound,
  WHOLE as STORED_WHOLE,
  type MessageStore,
  type StoredRow,
} from '../core/store';
import type { RecordBatch } from '../protocol';
import { forWebview } from './forWebview';

/** Layout of `RecordBatch.fields`: integers per row and the flags; the length markers are the store's. */
const ROW = 6;
const OUT = 1;
const BINARY = 2;
const LARGE = 4;
/** Event names a batch lists for its records' own (names from the store's table are always listed). */
const MAX_EVENT_NAMES = 1024;

/** Largest scratch text kept between batches. */
const SCRATCH_KEPT = 8 << 20;
const scratch = { fields: new Int32Array(ROW * 1024), text: Buffer.allocUnsafeSlow(64 * 1024) };

/**
 * Builds one `RecordBatch`: records are added in order, message records as rows of the columns
 * (from an object, or straight from the store's bytes), any other record whole.
 */
export class BatchBuilder {
  private n = 0;
  private rows = 0;
  private readonly others: [number, ConnRecord][] = [];
  private readonly seq: number[] = [];
  private readonly time: (string | number)[] = [];
  private readonly events: string[] = [];
  private readonly eventIndex = new Map<string, number>();
  private seqRunAt = -1;
  private timeRunAt = -1;
  // Scratch space shared by all builders (one builds at a time): grown once to the largest batch
  // and reused, so a batch allocates only its exact results.
  private fields = scratch.fields;
  private text = scratch.text;
  private at = 0;

  /** Adds a record as the webview should see it (masked and cut already). */
  addRecord(r: ConnRecord): void {
    this.flushSpan();
    if (r.kind !== 'message' || r.state !== undefined || r.large === false) {
      this.others.push([this.n++, r]);
      return;
    }
    const lastSame = r.lastEventId !== undefined && r.lastEventId === r.id;
    const named = r.event === undefined ? 0 : this.eventName(r.event, MAX_EVENT_NAMES);
    const event = named ? undefined : r.event;
    this.ensureText(utf8Bound(r.data) + utf8Bound(event) + utf8Bound(r.id) + (lastSame ? 0 : utf8Bound(r.lastEventId)));
    const f = this.startRow(r.seq, r.time, (r.dir === 'out' ? OUT : 0) | (r.format === 'binary' ? BINARY : 0) | (r.large ? LARGE : 0), r.size);
    this.fields[f + 1] = this.write(r.data);
    this.fields[f + 2] = named || this.write(event);
    this.fields[f + 3] = this.write(r.id);
    this.fields[f + 4] = lastSame ? SAME_AS_ID : this.write(r.lastEventId);
  }

  /**
   * Adds a stored message as it is: no string is made. Its bytes are copied with its neighbours':
   * rows stored one after the other go in one copy.
   */
  addRow(row: StoredRow): void {
    const length = row.byteLength;
    const f = this.startRow(row.seq, row.time, (row.out ? OUT : 0) | (row.binary ? BINARY : 0) | (row.large ? LARGE : 0), row.size);
    this.fields[f + 1] = row.dataLen;
    this.fields[f + 2] = row.eventName === undefined ? row.eventLen : this.eventName(row.eventName, Infinity);
    this.fields[f + 3] = row.idLen;
    this.fields[f + 4] = row.lastIdLen;
    if (length !== 0) {
      this.addSpan(row.bytes, row.start, length);
    }
  }

  /**
   * Adds the store's messages at positions [from, to) as they are stored, reading its slots directly
   * (a flood's batch holds thousands of rows: no call or object per row). A row this cannot take as
   * it is (not a plain message, flagged large, or over `displayLimit`) goes to `other(position)`.
   */
  addStored(store: MessageStore, from: number, to: number, displayLimit: number, other: (position: number) => void): void {
    const { f64, i32, head, cap, times, timesBase, eventNames, chunks, chunksBase } = store.slots;
    // The store's event names as this batch lists them, looked up once per name.
    const names: number[] = [];
    let lastTime = -1;
    for (let i = from; i < to; i++) {
      const slot = (head + i) % cap;
      const fi = slot * I32_STRIDE;
      const fd = slot * F64_STRIDE;
      const stored = i32[fi + STORED_FLAGS];
      const size = f64[fd + STORED_SIZE];
      if (stored & (STORED_WHOLE | STORED_LARGE) || size > displayLimit) {
        lastTime = -1;
        other(i);
        continue;
      }
      const flags = (stored & STORED_OUT ? OUT : 0) | (stored & STORED_BINARY ? BINARY : 0);
      this.seqRun(f64[fd + SEQ]);
      // Times are compared by their index in the store: the text is looked up when it changes.
      const timeIdx = f64[fd + TIME];
      if (timeIdx === lastTime && this.timeRunAt >= 0) {
        (this.time[this.timeRunAt + 1] as number)++;
      } else {
        this.timeRun(times[timeIdx - timesBase]);
        lastTime = timeIdx;
      }
      const f = this.newRow(flags, size);
      const dataLen = i32[fi + DATA_LEN];
      let eventLen = i32[fi + EVENT_LEN];
      const idLen = i32[fi + ID_LEN];
      const lastIdLen = i32[fi + LAST_ID_LEN];
      if (eventLen <= NAMED) {
        const k = NAMED - eventLen;
        eventLen = names[k] ??= this.eventName(eventNames[k], Infinity);
      }
      this.fields[f + 1] = dataLen;
      this.fields[f + 2] = eventLen;
      this.fields[f + 3] = idLen;
      this.fields[f + 4] = lastIdLen;
      const length = storedLength(dataLen, eventLen, idLen, lastIdLen);
      if (length === 0) {
        continue;
      }
      this.addSpan(chunks[f64[fd + CHUNK_NO] - chunksBase], i32[fi + OFFSET], length);
    }
  }

  /** A stored row's bytes, copied with its neighbours': rows stored one after the other go in one copy. */
  private addSpan(bytes: Buffer, start: number, length: number): void {
    if (bytes !== this.spanBytes || start !== this.spanEnd) {
      this.flushSpan();
      this.spanBytes = bytes;
      this.spanStart = start;
    }
    this.spanEnd = start + length;
  }

  /** Bytes of stored rows not copied yet: [spanStart, spanEnd) of spanBytes, due at `at`. */
  private spanBytes: Buffer | undefined;
  private spanStart = 0;
  private spanEnd = 0;

  private flushSpan(): void {
    const bytes = this.spanBytes;
    if (bytes) {
      const length = this.spanEnd - this.spanStart;
      this.ensureText(length);
      this.text.set(bytes.subarray(this.spanStart, this.spanEnd), this.at);
      this.at += length;
      this.spanBytes = undefined;
    }
  }

  /** The batch; the arrays are exact copies, each with a buffer of its own. */
  finish(): RecordBatch {
    this.flushSpan();
    // Its own buffer of exactly the text's size, not zeroed first (all of it is written now).
    const text = new Uint8Array(Buffer.allocUnsafeSlow(this.at).buffer, 0, this.at);
    text.set(this.text.subarray(0, this.at));
    if (scratch.text.length > SCRATCH_KEPT) {
      // A batch of large previews grew it: not kept beyond that batch.
      scratch.text = Buffer.allocUnsafeSlow(64 * 1024);
    }
    return { n: this.n, others: this.others, seq: this.seq, time: this.time, events: this.events, fields: this.fields.slice(0, this.rows * ROW), text };
  }

  /** The field that names `name` from the batch's list (listed now if need be), or 0 when the list is full. */
  private eventName(name: string, max: number): number {
    // Rows mostly repeat the previous row's type: checked first, without a lookup.
    if (name === this.lastEvent) {
      return this.lastEventField;
    }
    let k = this.eventIndex.get(name);
    if (k === undefined) {
      if (this.events.length >= max) {
        return 0;
      }
      k = this.events.push(name) - 1;
      this.eventIndex.set(name, k);
    }
    this.lastEvent = name;
    this.lastEventField = NAMED - k;
    return NAMED - k;
  }

  private lastEvent: string | undefined;
  private lastEventField = 0;

  /** Appends the row's runs and fields; returns the index of its fields. */
  private startRow(seq: number, time: string, flags: number, size: number): number {
    this.seqRun(seq);
    this.timeRun(time);
    return this.newRow(flags, size);
  }

  /** The next row's seq: one more in the current run, or a new run. */
  private seqRun(seq: number): void {
    const s = this.seqRunAt;
    if (s >= 0 && seq === this.seq[s] + this.seq[s + 1]) {
      this.seq[s + 1]++;
    } else {
      this.seqRunAt = this.seq.length;
      this.seq.push(seq, 1);
    }
  }

  /** The next row's time: one more in the current run, or a new run. */
  private timeRun(time: string): void {
    const t = this.timeRunAt;
    if (t >= 0 && time === this.time[t]) {
      (this.time[t + 1] as number)++;
    } else {
      this.timeRunAt = this.time.length;
      this.time.push(time, 1);
    }
  }

  /** A new row of fields with its flags and size; returns the index of its fields. */
  private newRow(flags: number, size: number): number {
    const f = this.rows * ROW;
    if (f + ROW > this.fields.length) {
      const grown = new Int32Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = scratch.fields = grown;
    }
    this.fields[f] = flags;
    this.fields[f + 5] = size;
    this.rows++;
    this.n++;
    return f;
  }

  private write(s: string | undefined): number {
    if (s === undefined) {
      return ABSENT;
    }
    const n = s.length ? this.text.write(s, this.at, 'utf8') : 0;
    this.at += n;
    return n;
  }

  private ensureText(need: number): void {
    if (this.at + need > this.text.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.text.length * 2, this.at + need));
      grown.set(this.text.subarray(0, this.at));
      this.text = scratch.text = grown;
    }
  }
}

/**
 * Packs records for the webview. `view` maps each record first (masking, previews). The webview's
 * `unpackBatch` gives back records equal to `records.map(view)`.
 */
export function packBatch(records: readonly ConnRecord[], view: (r: ConnRecord) => ConnRecord = (r) => r): RecordBatch {
  const b = new BatchBuilder();
  for (const r of records) {
    b.addRecord(view(r));
  }
  return b.finish();
}

/**
 * Packs the store's records at positions [from, to) as `forWebview` shows them. When no secret is
 * in them, a message within the display limit goes from the store's bytes to the batch's as it is;
 * the others are made into objects and masked or cut first.
 */
export function packStored(store: MessageStore, from: number, to: number, redactor: Redactor, displayLimit: number): RecordBatch {
  const b = new BatchBuilder();
  const plain = !redactor.hasSecrets || !mayHoldSecret(store, from, to, redactor);
  if (plain) {
    b.addStored(store, Math.max(0, from), Math.min(store.size, to), displayLimit, (i) => b.addRecord(forWebview(store.at(i)!, redactor, displayLimit)));
    return b.finish();
  }
  store.visit(
    from,
    to,
    (row) => {
      if (plain && !row.large && row.size <= displayLimit) {
        b.addRow(row);
      } else {
        b.addRecord(forWebview(row.record(), redactor, displayLimit));
      }
    },
    (r) => b.addRecord(forWebview(r, redactor, displayLimit)),
  );
  return b.finish();
}

/**
 * Whether a secret may be in the stored messages at [from, to): their bytes are searched a stretch
 * at a time (messages stored one after the other form one stretch), their event names one by one.
 * A secret found across two messages is a false alarm that only costs the slower path. A binary
 * message (stored as base64) and a secret masked only as a whole value always take that path.
 */
function mayHoldSecret(store: MessageStore, from: number, to: number, redactor: Redactor): boolean {
  if (redactor.hasShortSecrets) {
    return true;
  }
  const secrets = redactor.secretBytes;
  const names = new Set<string>();
  let found = false;
  let bytes: Buffer | undefined;
  let start = 0;
  let end = 0;
  const search = () => {
    if (bytes && !found) {
      const stretch = bytes.subarray(start, end);
      found = secrets.some((secret) => stretch.indexOf(secret) !== -1);
    }
  };
  store.visit(
    from,
    to,
    (row) => {
      found ||= row.binary;
      if (row.eventName !== undefined) {
        names.add(row.eventName);
      }
      if (row.bytes !== bytes || row.start !== end) {
        search();
        bytes = row.bytes;
        start = row.start;
      }
      end = row.start + row.byteLength;
    },
    () => undefined,
  );
  search();
  for (const name of names) {
    found ||= redactor.text(name) !== name;
  }
  return found;
}
