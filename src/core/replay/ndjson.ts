/**
 * An NDJSON log (as Export and `--json` write it: one record a line) indexed in one streaming pass:
 * each record's kind, time and place in the file, never its data. A replay then reads the records it
 * needs from the file as it goes ({@link FileItems}), so memory follows the largest message, not the file.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ConnectionBuilder, type Place } from './builder';
import { type ItemSource, type ItemTable, ItemType, type RecordedClose, type ReplayItem } from './items';

/** Record kinds of `src/core/records.ts`; a line of another kind is ignored, not counted as broken. */
const KNOWN_KINDS = new Set([
  'connecting',
  'open',
  'message',
  'comment',
  'retry',
  'ping',
  'pong',
  'reconnecting',
  'closing',
  'close',
  'error',
  'info',
  'assertion',
  'summary',
  'mcp',
]);

/** Line numbers kept for the warning about skipped lines; the rest are counted. */
const KEEP_LINE_NUMBERS = 5;

export interface SkippedLines {
  count: number;
  /** The first few, 1-based. */
  lines: number[];
}

export interface NdjsonIndex {
  connections: ConnectionBuilder[];
  skipped: SkippedLines;
  /** Records of kinds this version does not know. */
  ignored: number;
}

type Json = Record<string, unknown>;

/** Reads `path` once, line by line, and indexes its records by connection (a `seq` that does not grow starts the next). */
export async function indexNdjson(path: string): Promise<NdjsonIndex> {
  const connections: ConnectionBuilder[] = [];
  const skipped: SkippedLines = { count: 0, lines: [] };
  let ignored = 0;
  let current: ConnectionBuilder | undefined;
  let lastSeq = 0;
  let lineNo = 0;

  const skip = () => {
    skipped.count++;
    if (skipped.lines.length < KEEP_LINE_NUMBERS) {
      skipped.lines.push(lineNo);
    }
  };

  const onLine = (buf: Buffer, offset: number) => {
    lineNo++;
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) {
      end--;
    }
    const text = buf.toString('utf8', 0, end);
    if (text.trim() === '') {
      return;
    }
    let r: Json;
    try {
      r = JSON.parse(text) as Json;
    } catch {
      skip();
      return;
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof r.kind !== 'string') {
      skip();
      return;
    }
    if (!KNOWN_KINDS.has(r.kind)) {
      ignored++;
      return;
    }
    const at = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
    if (Number.isNaN(at) || (r.seq !== undefined && typeof r.seq !== 'number')) {
      skip();
      return;
    }
    const place: Place = { offset, length: end };
    if (!current || (typeof r.seq === 'number' && r.seq <= lastSeq)) {
      current = new ConnectionBuilder(connections.length + 1);
      connections.push(current);
      lastSeq = 0;
    }
    if (!add(current, r, at, place)) {
      skip();
      return;
    }
    current.records++;
    if (typeof r.seq === 'number') {
      lastSeq = r.seq;
    }
  };

  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let pending: Buffer[] = [];
  let lineStart = 0;
  let pos = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      onLine(pending.length ? Buffer.concat([...pending, piece]) : piece, lineStart);
      pending = [];
      from = nl + 1;
      lineStart = pos + from;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
    }
    pos += chunk.length;
  }
  if (pending.length) {
    // The last line had no newline: a complete record, or the cut end of a truncated file.
    onLine(Buffer.concat(pending), lineStart);
  }
  return { connections, skipped, ignored };
}

/** Adds one record; false when it is of a known kind but not shaped like one (a hand-edited line). */
function add(c: ConnectionBuilder, r: Json, at: number, place: Place): boolean {
  const str = (v: unknown): v is string => typeof v === 'string';
  switch (r.kind) {
    case 'connecting':
      c.connecting(at, str(r.url) ? r.url : '');
      return true;
    case 'open':
      c.open(at, {
        url: str(r.url) ? r.url : undefined,
        status: typeof r.status === 'number' ? r.status : undefined,
        statusText: str(r.statusText) ? r.statusText : undefined,
        headers: headersOf(r.headers),
        protocol: str(r.protocol) ? r.protocol : undefined,
      });
      return true;
    case 'message': {
      if (!str(r.data) || (r.dir !== 'in' && r.dir !== 'out')) {
        return false;
      }
      const format = r.format === 'binary' ? 'binary' : 'text';
      if (r.dir === 'in') {
        c.incoming(at, format, place, r.data, str(r.lastEventId) ? r.lastEventId : str(r.id) ? r.id : undefined);
      } else {
        c.outgoing(at, format, r.data, place);
      }
      return true;
    }
    case 'comment':
      if (!str(r.text)) {
        return false;
      }
      c.other(at, ItemType.Comment, place);
      return true;
    case 'retry':
      if (typeof r.ms !== 'number' || !(r.ms >= 0)) {
        return false;
      }
      c.other(at, ItemType.Retry, place);
      return true;
    case 'ping':
      if (r.dir === 'in') {
        c.other(at, ItemType.Ping, place);
      } else {
        c.note(at);
      }
      return true;
    case 'close': {
      const by = r.by === 'client' || r.by === 'server' || r.by === 'network' ? r.by : 'server';
      const close: RecordedClose = { clean: r.clean === true, by };
      if (typeof r.code === 'number') {
        close.code = r.code;
      }
      if (str(r.reason)) {
        close.reason = r.reason;
      }
      c.closed(at, close);
      return true;
    }
    default:
      c.note(at);
      return true;
  }
}

function headersOf(v: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, value] of Object.entries(v as Json)) {
      if (typeof value === 'string') {
        headers[k] = value;
      }
    }
  }
  return headers;
}

/** Largest span of the file read at once when items lie next to each other. */
const READ_SPAN = 1 << 20;

/** A connection's items, read from the log as a replay reaches them. */
export class FileItems implements ItemSource {
  constructor(
    private readonly file: FileHandle,
    private readonly table: ItemTable,
  ) {}

  /** Where one read from `from` stops: at most `max` items, at least one however large. */
  private span(from: number, max: number): number {
    const t = this.table;
    const start = t.offset[from];
    let to = from + 1;
    while (to < t.count && to - from < max && t.offset[to] + t.length[to] - start <= READ_SPAN) {
      to++;
    }
    return to;
  }

  async read(from: number, max: number): Promise<ReplayItem[]> {
    const t = this.table;
    const to = this.span(from, max);
    const start = t.offset[from];
    const end = t.offset[to - 1] + t.length[to - 1];
    const buf = Buffer.alloc(end - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.file.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) {
        throw new Error('the recording file changed while it was replayed (it is shorter than when it was read)');
      }
      got += bytesRead;
    }
    const items: ReplayItem[] = [];
    for (let i = from; i < to; i++) {
      const at = t.offset[i] - start;
      items.push(itemOf(t.type[i] as ItemType, JSON.parse(buf.toString('utf8', at, at + t.length[i])) as Json));
    }
    return items;
  }
}

function itemOf(type: ItemType, r: Json): ReplayItem {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  switch (type) {
    case ItemType.InText:
      return { type, data: String(r.data), event: str(r.event), id: str(r.id), lastEventId: str(r.lastEventId) };
    case ItemType.InBinary:
      return { type, data: String(r.data) };
    case ItemType.Out:
      return { type, format: r.format === 'binary' ? 'binary' : 'text', data: String(r.data) };
    case ItemType.Comment:
      return { type, text: String(r.text) };
    case ItemType.Retry:
      return { type, ms: Number(r.ms) };
    case ItemType.Ping:
      return { type, data: str(r.data) ?? '' };
  }
}
