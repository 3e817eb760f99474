/**
 * A HAR file (HAR 1.2, as Chrome and Firefox DevTools save it) as recordings: each WebSocket entry
 * (`_resourceType: "websocket"`, or any entry with `_webSocketMessages`) is one connection, its frames
 * `{ type: "send" | "receive", time (seconds), opcode (1 text, 2 binary in base64), data }`.
 * A HAR is one JSON document, so it is parsed whole; its frames are kept as they were parsed.
 */
import { ConnectionBuilder } from './builder';
import { type ItemSource, ItemType, type RecordedConnection, type ReplayItem } from './items';

/** A HAR that cannot be replayed: the message says why, in words. */
export class HarError extends Error {}

type Json = Record<string, unknown>;

/** A connection's frames, kept in memory (slot i of the table is item i). */
class MemoryItems implements ItemSource {
  readonly items: ReplayItem[] = [];
  read(from: number, max: number): Promise<ReplayItem[]> {
    return Promise.resolve(this.items.slice(from, from + max));
  }
}

/** The WebSocket connections of a parsed HAR document. */
export function harConnections(doc: unknown): RecordedConnection[] {
  const log = isObject(doc) && isObject(doc.log) ? doc.log : undefined;
  if (!log || !Array.isArray(log.entries)) {
    throw new HarError('it is JSON but not a HAR file (no log.entries)');
  }
  const sockets = log.entries.filter(
    (e): e is Json => isObject(e) && (e._resourceType === 'websocket' || Array.isArray(e._webSocketMessages)),
  );
  const withFrames = sockets.filter((e) => Array.isArray(e._webSocketMessages) && e._webSocketMessages.length > 0);
  if (withFrames.length === 0) {
    throw new HarError(
      sockets.length
        ? `the HAR file has ${sockets.length === 1 ? 'a WebSocket' : `${sockets.length} WebSockets`} but no WebSocket frames (_webSocketMessages is empty or missing: save the HAR after the frames arrived)`
        : `the HAR file has no WebSocket frames (${log.entries.length} ${log.entries.length === 1 ? 'entry' : 'entries'}, none a WebSocket with _webSocketMessages)`,
    );
  }
  return withFrames.map((e, i) => connectionOf(e, i + 1));
}

function connectionOf(entry: Json, n: number): RecordedConnection {
  const c = new ConnectionBuilder(n);
  const source = new MemoryItems();
  const request = isObject(entry.request) ? entry.request : {};
  const response = isObject(entry.response) ? entry.response : {};
  const frames = (entry._webSocketMessages as unknown[]).filter(
    (f): f is Json => isObject(f) && typeof f.time === 'number' && Number.isFinite(f.time) && typeof f.data === 'string',
  );
  const headers: Record<string, string> = {};
  if (Array.isArray(response.headers)) {
    for (const h of response.headers) {
      if (isObject(h) && typeof h.name === 'string' && typeof h.value === 'string') {
        const existing = Object.keys(headers).find((k) => k.toLowerCase() === (h.name as string).toLowerCase());
        headers[existing ?? h.name] = existing ? `${headers[existing]}, ${h.value}` : h.value;
      }
    }
  }
  const protocolHeader = Object.keys(headers).find((k) => k.toLowerCase() === 'sec-websocket-protocol');
  // Frame times are seconds since the epoch; the entry's start is when the handshake began. A clock
  // that disagrees with the frames (more than a minute off) is not trusted: the first frame starts.
  const firstFrame = Math.min(...frames.map((f) => (f.time as number) * 1000));
  const started = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : NaN;
  const openAt = Number.isFinite(started) && Math.abs(firstFrame - started) < 60_000 ? Math.min(started, firstFrame) : firstFrame;
  c.open(openAt, {
    url: typeof request.url === 'string' ? request.url : '',
    status: typeof response.status === 'number' ? response.status : undefined,
    statusText: typeof response.statusText === 'string' ? response.statusText : undefined,
    headers,
    protocol: protocolHeader ? headers[protocolHeader].split(',')[0].trim() : undefined,
  });
  for (const f of [...frames].sort((a, b) => (a.time as number) - (b.time as number))) {
    const at = (f.time as number) * 1000;
    const data = f.data as string;
    const format = f.opcode === 2 ? 'binary' : f.opcode === 1 || f.opcode === undefined ? 'text' : undefined;
    if (!format) {
      continue; // control frames Firefox may list (close, ping) are not messages
    }
    const place = { offset: source.items.length, length: 0 };
    if (f.type === 'send') {
      c.outgoing(at, format, data, place);
      source.items.push({ type: ItemType.Out, format, data });
    } else if (f.type === 'receive') {
      c.incoming(at, format, place, data);
      source.items.push(format === 'binary' ? { type: ItemType.InBinary, data } : { type: ItemType.InText, data });
    } else {
      continue;
    }
    c.records++;
  }
  return c.build(source, 'ws');
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
