/**
 * A recording read back as the records of a log, for a read-only panel (the editor's Open Recording):
 * an NDJSON connection's records as they were written, a HAR WebSocket's frames as message records.
 * The connections are told apart as `openRecording` tells them (a `seq` that does not grow starts
 * the next; HAR: the WebSocket entries with frames, in order), so index N here is its connection N.
 * A HAR's URL credentials and credential headers are masked, as a connection masks its own records.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { maskUrlCredentials } from '../credentials';
import type { ConnRecord } from '../records';
import { MASK, Redactor } from '../redactor';
import type { Recording } from './recording';

type Json = Record<string, unknown>;

/** The records of connection `index` (0-based) of `recording`, seq increasing, as plain objects. */
export async function recordingRecords(recording: Recording, index: number): Promise<ConnRecord[]> {
  return recording.format === 'har' ? harRecords(recording.path, index) : ndjsonRecords(recording.path, index);
}

async function ndjsonRecords(path: string, index: number): Promise<ConnRecord[]> {
  const out: ConnRecord[] = [];
  let conn = -1;
  let lastSeq = 0;
  let started = false;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const raw of lines) {
    const text = raw.replace(/^\uFEFF/, '');
    if (text.trim() === '') {
      continue;
    }
    let r: Json;
    try {
      r = JSON.parse(text) as Json;
    } catch {
      continue;
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r) || typeof r.kind !== 'string') {
      continue;
    }
    if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time)) || (r.seq !== undefined && typeof r.seq !== 'number')) {
      continue;
    }
    if (!started || (typeof r.seq === 'number' && r.seq <= lastSeq)) {
      started = true;
      conn++;
      lastSeq = 0;
      if (conn > index) {
        break;
      }
    }
    if (typeof r.seq === 'number') {
      lastSeq = r.seq;
    }
    if (conn === index) {
      out.push(r as unknown as ConnRecord);
    }
  }
  return numbered(out);
}

/** Seqs as recorded where they grow; a record without one (or out of order) follows the one before. */
function numbered(records: ConnRecord[]): ConnRecord[] {
  let last = 0;
  for (const r of records) {
    if (typeof r.seq !== 'number' || r.seq <= last) {
      r.seq = last + 1;
    }
    last = r.seq;
  }
  return records;
}

async function harRecords(path: string, index: number): Promise<ConnRecord[]> {
  const doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, '')) as Json;
  const log = doc.log as Json;
  const entries = (log.entries as unknown[]).filter(
    (e): e is Json => isObject(e) && Array.isArray(e._webSocketMessages) && e._webSocketMessages.length > 0,
  );
  const entry = entries[index];
  if (!entry) {
    return [];
  }
  const request = isObject(entry.request) ? entry.request : {};
  const response = isObject(entry.response) ? entry.response : {};
  // A HAR keeps credentials as the browser sent them: the log shows them masked.
  const url = typeof request.url === 'string' ? maskUrlCredentials(request.url, MASK) : '';
  const frames = (entry._webSocketMessages as unknown[])
    .filter((f): f is Json => isObject(f) && typeof f.time === 'number' && Number.isFinite(f.time) && typeof f.data === 'string')
    .sort((a, b) => (a.time as number) - (b.time as number));
  const headers: Record<string, string> = {};
  if (Array.isArray(response.headers)) {
    for (const h of response.headers) {
      if (isObject(h) && typeof h.name === 'string' && typeof h.value === 'string') {
        headers[h.name] = headers[h.name] === undefined ? h.value : `${headers[h.name]}, ${h.value}`;
      }
    }
  }
  const out: ConnRecord[] = [];
  let seq = 0;
  const firstFrame = frames.length ? (frames[0].time as number) * 1000 : Date.now();
  const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  const openAt = Number.isFinite(started) && Math.abs(firstFrame - started) < 60_000 ? Math.min(started, firstFrame) : firstFrame;
  out.push({
    kind: 'open',
    url,
    status: typeof response.status === 'number' ? response.status : undefined,
    statusText: typeof response.statusText === 'string' ? response.statusText : undefined,
    headers: new Redactor().headers(headers),
    seq: ++seq,
    time: new Date(openAt).toISOString(),
  } as ConnRecord);
  for (const f of frames) {
    const format = f.opcode === 2 ? 'binary' : f.opcode === 1 || f.opcode === undefined ? 'text' : undefined;
    const dir = f.type === 'send' ? 'out' : f.type === 'receive' ? 'in' : undefined;
    if (!format || !dir) {
      continue;
    }
    const data = f.data as string;
    out.push({
      kind: 'message',
      dir,
      format,
      data,
      size: format === 'binary' ? Buffer.from(data, 'base64').length : Buffer.byteLength(data, 'utf8'),
      seq: ++seq,
      time: new Date((f.time as number) * 1000).toISOString(),
    } as ConnRecord);
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
