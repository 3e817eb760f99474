/**
 * One SSE client's replay: the recorded status and headers, then the recorded events, comments and
 * `retry:` fields at their times. A `Last-Event-ID` resumes after that event (WHATWG HTML §9.2.4: the
 * header carries the last event ID string, for the server to continue after it).
 */
import { once } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isCredentialHeader } from '../credentials';
import type { IDisposable } from '../lifecycle';
import type { Headers } from '../records';
import { hashText, ItemType, type RecordedConnection, type ReplayItem } from './items';
import { ItemCursor, Pacer, readItem, type ReplayEnd, type ReplaySettings } from './pace';

/** Response headers that belong to one hop or one body, not to the stream: Node writes its own. */
const NOT_REPLAYED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'date',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'sec-websocket-key',
  'sec-websocket-version',
]);

/** The recorded headers a mock may send again: neither hop-by-hop nor credentials (Set-Cookie, Authorization…). */
export function replayableHeaders(headers: Headers): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!NOT_REPLAYED.has(lower) && !isCredentialHeader(lower)) {
      out[name] = value;
    }
  }
  return out;
}

/** Where a client that sent `lastEventId` resumes: after the first event that put that ID in force. */
export async function resumeSlot(conn: RecordedConnection, lastEventId: string): Promise<number | undefined> {
  const t = conn.items;
  const key = hashText(lastEventId);
  for (let i = 0; i < t.count; i++) {
    if (t.type[i] === ItemType.InText && t.key[i] === key) {
      const item = await readItem(conn, i);
      if (item.type === ItemType.InText && (item.lastEventId ?? item.id) === lastEventId) {
        return i;
      }
    }
  }
  return undefined;
}

/** The text of one item on the stream; a multi-line data or comment as several lines. */
export function sseText(item: ReplayItem): string {
  switch (item.type) {
    case ItemType.InText: {
      let s = item.id !== undefined ? `id: ${item.id}\n` : '';
      if (item.event !== undefined && item.event !== 'message') {
        s += `event: ${item.event}\n`;
      }
      for (const line of item.data.split(/\r\n|\r|\n/)) {
        s += `data: ${line}\n`;
      }
      return s + '\n';
    }
    case ItemType.Comment:
      return item.text
        .split(/\r\n|\r|\n/)
        .map((line) => `: ${line}\n`)
        .join('');
    case ItemType.Retry:
      return `retry: ${Math.round(item.ms)}\n`;
    default:
      return '';
  }
}

const isSseItem = (type: number) => type === ItemType.InText || type === ItemType.Comment || type === ItemType.Retry;

export class SseReplay implements IDisposable {
  private readonly pacer: Pacer;
  private sent = 0;
  private ended = false;

  constructor(
    private readonly conn: RecordedConnection,
    private readonly settings: ReplaySettings,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly onEnd: (end: ReplayEnd) => void,
  ) {
    this.pacer = new Pacer(settings.speed);
    res.on('close', () => this.end(res.writableFinished ? undefined : 'the client left'));
  }

  /** Where this client starts: `resumed` when it sent a Last-Event-ID that the recording has. */
  async start(): Promise<{ from: number; lastEventId?: string; resumed: boolean }> {
    const header = this.req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' ? header : undefined;
    const slot =
      lastEventId === undefined || lastEventId === '' ? undefined : await resumeSlot(this.conn, lastEventId).catch(() => undefined);
    const from = slot === undefined ? 0 : slot + 1;
    void this.play(from, slot === undefined ? 0 : this.conn.items.atMs[slot]).catch((err: unknown) => {
      this.res.destroy();
      this.end(`the replay failed: ${(err as Error).message}`);
    });
    return { from, lastEventId, resumed: slot !== undefined };
  }

  private async play(from: number, baseMs: number): Promise<void> {
    const { conn, res, settings } = this;
    const headers: OutgoingHttpHeaders = replayableHeaders(conn.headers);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'text/event-stream';
    }
    res.writeHead(conn.status ?? 200, conn.statusText, headers);
    res.flushHeaders();
    this.pacer.reset(baseMs);
    const t = conn.items;
    let shift = 0;
    for (;;) {
      const cursor = new ItemCursor(conn, from, (slot) => isSseItem(t.type[slot]));
      for (let next = await cursor.next(); next; next = await cursor.next()) {
        if (!(await this.pacer.until(t.atMs[next.slot] + shift)) || this.ended) {
          return;
        }
        await this.write(sseText(next.item));
        if (next.item.type === ItemType.InText && ++this.sent === settings.dropAfter) {
          res.end();
          this.end(`dropped after ${this.sent} event${this.sent === 1 ? '' : 's'} (--drop-after)`);
          return;
        }
      }
      if (!settings.loop) {
        break;
      }
      shift += Math.max(conn.endMs, 1);
      from = 0;
    }
    if (!(await this.pacer.until(conn.endMs + shift)) || this.ended) {
      return;
    }
    const close = conn.close;
    if (close?.by === 'server' && close.clean) {
      res.end();
      this.end('the recording ends: the server ended the stream');
    } else if (close && close.by !== 'client') {
      res.destroy();
      this.end('the recording ends: the connection broke');
    }
    // Otherwise the client ended the recorded stream: this one stays open until the client leaves.
  }

  private async write(text: string): Promise<void> {
    if (!this.res.write(text) && !this.ended) {
      const ac = new AbortController();
      await Promise.race([once(this.res, 'drain', { signal: ac.signal }), once(this.res, 'close', { signal: ac.signal })]).catch(
        () => undefined,
      );
      ac.abort();
    }
  }

  private end(why: string | undefined): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.pacer.dispose();
    this.onEnd({ sent: this.sent, why: why ?? 'the replay ended the stream' });
  }

  /** Ends the stream (the replay server is stopping). */
  dispose(): void {
    if (!this.ended) {
      this.res.end();
      this.end('the replay stopped');
    }
  }
}
