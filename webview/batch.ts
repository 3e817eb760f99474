import type { ConnRecord, MessageRecord, RecordBatch } from '../src/protocol';

// The layout of `RecordBatch.fields` (see the protocol).
const ROW = 6;
const OUT = 1;
const BINARY = 2;
const LARGE = 4;
const SAME_AS_ID = -2;
const NAMED = -3;

const decoder = new TextDecoder();

/** The records of a packed batch (see `RecordBatch`), in order. */
export function unpackBatch(b: RecordBatch): ConnRecord[] {
  const out = new Array<ConnRecord>(b.n);
  const { fields, text } = b;
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
    const f = row * ROW;
    const flags = fields[f];
    const dataLen = fields[f + 1];
    const r: MessageRecord = {
      seq,
      time,
      kind: 'message',
      dir: flags & OUT ? 'out' : 'in',
      format: flags & BINARY ? 'binary' : 'text',
      data: str(at, dataLen),
      size: fields[f + 5],
    };
    at += dataLen;
    const eventLen = fields[f + 2];
    if (eventLen >= 0) {
      r.event = str(at, eventLen);
      at += eventLen;
    } else if (eventLen <= NAMED) {
      r.event = b.events[NAMED - eventLen];
    }
    const idLen = fields[f + 3];
    if (idLen >= 0) {
      r.id = str(at, idLen);
      at += idLen;
    }
    const lastLen = fields[f + 4];
    if (lastLen >= 0) {
      r.lastEventId = str(at, lastLen);
      at += lastLen;
    } else if (lastLen === SAME_AS_ID && r.id !== undefined) {
      r.lastEventId = r.id;
    }
    if (flags & LARGE) {
      r.large = true;
    }
    out[i] = r;
    seq++;
    seqLeft--;
    timeLeft--;
    row++;
  }
  return out;
}
