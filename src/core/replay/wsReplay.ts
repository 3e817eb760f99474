/**
 * One WebSocket client's replay: the recorded server messages and pings at their times, and for each
 * message the client sends, the recorded reply to the same message (see {@link ReplyBook}) after the
 * recorded delay. At the end: the recorded close, `--close`, or (`--loop`) the recording again.
 */
import type { WebSocket } from 'ws';
import type { IDisposable } from '../lifecycle';
import { MAX_CLOSE_REASON_BYTES } from '../wsErrors';
import { exactKey, ItemType, jsonShape, NO_REPLY, type RecordedConnection, type ReplayItem, shapeKey } from './items';
import { ItemCursor, Pacer, readItem, type ReplayEnd, type ReplaySettings } from './pace';

/**
 * Why a server cannot send this close frame, or undefined: RFC 6455 §7.4 lets a server send 1000–1003,
 * 1007–1014 and 3000–4999 (1004–1006 and 1015 are reserved), with a reason of at most 123 bytes.
 */
export function serverCloseProblem(code: number, reason?: string): string | undefined {
  if (!((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999))) {
    return `close code ${code} cannot be sent: use 1000–1003, 1007–1014 or 3000–4999`;
  }
  const bytes = reason ? Buffer.byteLength(reason) : 0;
  return bytes > MAX_CLOSE_REASON_BYTES
    ? `the close reason is ${bytes} bytes; a close frame holds at most ${MAX_CLOSE_REASON_BYTES}`
    : undefined;
}

/** Bytes queued on the socket above which the replay waits for them to be written. */
const HIGH_WATER = 1 << 20;

/**
 * The recorded (client message → reply) pairs of one replay, and which were used. A client message
 * gets the reply of the recorded message with the same text (exact), else of one with the same JSON
 * shape (keys and value types), else the next unanswered one in order; a recorded message not yet
 * answered comes before one already used.
 */
export class ReplyBook {
  private readonly out: Int32Array;
  private readonly reply: Int32Array;
  private answered: Uint8Array;

  constructor(private readonly conn: RecordedConnection) {
    ({ out: this.out, reply: this.reply } = conn.items.replyPairs());
    this.answered = new Uint8Array(this.out.length);
  }

  get size(): number {
    return this.out.length;
  }

  /** Recorded client messages whose reply this replay has not given yet. */
  get unanswered(): number {
    let n = 0;
    for (const a of this.answered) {
      n += a ^ 1;
    }
    return n;
  }

  /** Forgets what was answered (a `--loop` starts over). */
  reset(): void {
    this.answered = new Uint8Array(this.out.length);
  }

  /** The reply's slot and its recorded delay after the client message, or undefined when none fits. */
  async match(format: 'text' | 'binary', data: string): Promise<{ slot: number; delayMs: number } | undefined> {
    const t = this.conn.items;
    const exact = exactKey(format, data);
    let k = await this.find(
      (i) => t.key[this.out[i]] === exact,
      (item) => item.format === format && item.data === data,
    );
    const shape = shapeKey(format, data);
    if (k === undefined && shape !== 0) {
      const wanted = jsonShape(data);
      k = await this.find(
        (i) => t.shape[this.out[i]] === shape,
        (item) => item.format === 'text' && jsonShape(item.data) === wanted,
      );
    }
    if (k === undefined) {
      k = this.answered.indexOf(0);
      if (k === -1) {
        return undefined;
      }
    }
    this.answered[k] = 1;
    return { slot: this.reply[k], delayMs: Math.max(0, t.atMs[this.reply[k]] - t.atMs[this.out[k]]) };
  }

  /** The first pair whose key fits and whose recorded message `same` confirms: unanswered ones first. */
  private async find(
    keyFits: (i: number) => boolean,
    same: (item: Extract<ReplayItem, { type: ItemType.Out }>) => boolean,
  ): Promise<number | undefined> {
    for (const answered of [0, 1]) {
      for (let i = 0; i < this.out.length; i++) {
        if (this.answered[i] === answered && keyFits(i)) {
          const item = await readItem(this.conn, this.out[i]);
          if (item.type === ItemType.Out && same(item)) {
            return i;
          }
        }
      }
    }
    return undefined;
  }
}

const isTimeline = (conn: RecordedConnection, slot: number) => {
  const type = conn.items.type[slot];
  return (type === ItemType.InText || type === ItemType.InBinary || type === ItemType.Ping) && conn.items.replyTo[slot] === NO_REPLY;
};

export class WsReplay implements IDisposable {
  private readonly pacer: Pacer;
  private readonly book: ReplyBook;
  private sent = 0;
  private ended = false;
  /** Client messages are matched one after the other, in the order they came. */
  private answering: Promise<void> = Promise.resolve();
  /** Resolves once every recorded client message got its reply (or the replay ended). */
  private allAnswered!: () => void;
  private readonly answeredAll = new Promise<void>((resolve) => (this.allAnswered = resolve));

  constructor(
    private readonly conn: RecordedConnection,
    private readonly settings: ReplaySettings,
    private readonly ws: WebSocket,
    private readonly onEnd: (end: ReplayEnd) => void,
  ) {
    this.pacer = new Pacer(settings.speed);
    this.book = new ReplyBook(conn);
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const format = isBinary ? 'binary' : 'text';
      const text = isBinary ? bytes.toString('base64') : bytes.toString('utf8');
      this.answering = this.answering.then(() => this.answer(format, text)).catch((err: unknown) => this.fail(err));
    });
    ws.on('close', (code) => this.end(`the client closed (${code})`));
    ws.on('error', () => undefined);
  }

  start(): void {
    void this.play().catch((err: unknown) => this.fail(err));
  }

  private async play(): Promise<void> {
    const { conn, settings } = this;
    const t = conn.items;
    this.pacer.reset(0);
    let shift = 0;
    for (;;) {
      const cursor = new ItemCursor(conn, 0, (slot) => isTimeline(conn, slot));
      for (let next = await cursor.next(); next; next = await cursor.next()) {
        if (!(await this.pacer.until(t.atMs[next.slot] + shift)) || this.ended) {
          return;
        }
        await this.send(next.item);
        if (this.ended) {
          return;
        }
      }
      if (!settings.loop) {
        break;
      }
      if (!(await this.pacer.until(conn.endMs + shift))) {
        return;
      }
      shift += Math.max(conn.endMs, 1);
      this.book.reset();
      if (this.ended) {
        return;
      }
    }
    if (!(await this.pacer.until(conn.endMs + shift)) || this.ended) {
      return;
    }
    // The recording is done when the client has also said what the recorded client said.
    if (this.book.unanswered > 0) {
      await this.answeredAll;
      if (this.ended) {
        return;
      }
    }
    const close = settings.close ?? (conn.close?.by === 'client' ? undefined : conn.close);
    if (!close) {
      return; // the client closed the recorded connection (or the recording stops short): this one waits for its client
    }
    if ('by' in close && (close.by === 'network' || close.code === 1006)) {
      this.ws.terminate();
      this.end('the recording ends: the connection broke (1006)');
      return;
    }
    const code = close.code;
    if (code !== undefined && !serverCloseProblem(code, close.reason)) {
      this.ws.close(code, close.reason);
    } else {
      this.ws.close();
    }
    this.end(`the recording ends: closed with ${code !== undefined && !serverCloseProblem(code, close.reason) ? code : 1005}`);
  }

  private async answer(format: 'text' | 'binary', data: string): Promise<void> {
    if (this.ended) {
      return;
    }
    const match = await this.book.match(format, data);
    if (!match) {
      return;
    }
    if ((await this.pacer.after(match.delayMs)) && !this.ended) {
      await this.send(await readItem(this.conn, match.slot));
    }
    if (this.book.unanswered === 0) {
      this.allAnswered();
    }
  }

  private async send(item: ReplayItem): Promise<void> {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) {
      return;
    }
    // Past the high-water mark, wait for this message to be written before the next.
    let cb: ((err?: Error) => void) | undefined;
    const done = ws.bufferedAmount > HIGH_WATER ? new Promise<void>((resolve) => (cb = () => resolve())) : undefined;
    if (item.type === ItemType.Ping) {
      ws.ping(Buffer.from(item.data, 'base64'), undefined, cb);
      await done;
      return;
    }
    if (item.type === ItemType.InText) {
      ws.send(item.data, cb);
    } else if (item.type === ItemType.InBinary) {
      ws.send(Buffer.from(item.data, 'base64'), { binary: true }, cb);
    } else {
      return;
    }
    await done;
    if (++this.sent === this.settings.dropAfter) {
      // A cut TCP connection, no close frame: the client sees 1006.
      ws.terminate();
      this.end(`dropped after ${this.sent} message${this.sent === 1 ? '' : 's'} (--drop-after)`);
    }
  }

  private fail(err: unknown): void {
    this.ws.terminate();
    this.end(`the replay failed: ${(err as Error).message}`);
  }

  private end(why: string): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.pacer.dispose();
    this.allAnswered();
    this.onEnd({ sent: this.sent, why });
  }

  /** Closes the socket (the replay server is stopping): 1001, going away. */
  dispose(): void {
    if (!this.ended) {
      this.end('the replay stopped');
      this.ws.close(1001, 'replay stopped');
    }
  }
}
