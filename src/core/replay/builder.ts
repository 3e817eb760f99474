/**
 * Builds one {@link RecordedConnection} from its records in order, whatever file they came from: the
 * replay's timeline, which server message answers which client message, and the recorded response.
 */
import type { Headers, TransportKind } from '../records';
import {
  exactKey,
  hashText,
  type ItemSource,
  ItemTable,
  ItemType,
  NO_REPLY,
  type RecordedClose,
  type RecordedConnection,
  shapeKey,
} from './items';

/** Client messages kept waiting for a reply; older ones are taken as unanswered. */
const MAX_PENDING = 1024;

/** Where an item's content is: a line of the file (offset, length). */
export interface Place {
  offset: number;
  length: number;
}

export class ConnectionBuilder {
  readonly items = new ItemTable();
  records = 0;
  url = '';
  kindHint?: TransportKind;
  status?: number;
  statusText?: string;
  headers: Headers = {};
  protocol?: string;
  close?: RecordedClose;
  private opened = false;
  /** Between an open and its close: time passes on the timeline (a reconnect's wait does not). */
  private live = false;
  /** Wall-clock ms of the open that started the current attempt. */
  private openAt?: number;
  /** Timeline ms at that open: what earlier attempts lasted. */
  private openAtMs = 0;
  private firstAt?: number;
  private endMs = 0;
  /** Client messages waiting for their reply (WebSocket), oldest first: slots and exact keys. */
  private pending: { slot: number; key: number }[] = [];

  constructor(readonly n: number) {}

  /** A record's wall-clock time `at` on the replay's timeline. */
  private timeline(at: number): number {
    this.firstAt ??= at;
    const ms = Math.max(0, this.openAtMs + at - (this.openAt ?? this.firstAt));
    this.endMs = Math.max(this.endMs, ms);
    return ms;
  }

  connecting(at: number, url: string): void {
    this.firstAt ??= at;
    this.url ||= url;
  }

  open(at: number, o: { url?: string; status?: number; statusText?: string; headers?: Headers; protocol?: string }): void {
    // A reconnect's open continues the timeline where the last attempt ended.
    this.openAtMs = this.endMs;
    this.firstAt ??= at;
    this.openAt = at;
    this.endMs = Math.max(this.endMs, this.openAtMs);
    this.pending = [];
    this.live = true;
    if (!this.opened) {
      this.opened = true;
      this.url ||= o.url ?? '';
      this.status = o.status;
      this.statusText = o.statusText;
      this.headers = o.headers ?? {};
      this.protocol = o.protocol || undefined;
    }
  }

  /**
   * A message from the server (an SSE event's `lastEventId`, when it has one, is its resume key).
   * While client messages wait for a reply, it is the reply of the one it repeats (an echo), else of
   * the oldest (requests answered in order); a server message when none waits keeps its time.
   */
  incoming(at: number, format: 'text' | 'binary', place: Place, data: string, lastEventId?: string): void {
    const ms = this.timeline(at);
    const key = lastEventId !== undefined ? hashText(lastEventId) : 0;
    let replyTo = NO_REPLY;
    if (this.pending.length) {
      const exact = exactKey(format, data);
      const k = Math.max(
        0,
        this.pending.findIndex((p) => p.key === exact),
      );
      replyTo = this.pending[k].slot;
      this.pending.splice(k, 1);
    }
    this.items.push(format === 'binary' ? ItemType.InBinary : ItemType.InText, ms, place.offset, place.length, replyTo, key);
  }

  outgoing(at: number, format: 'text' | 'binary', data: string, place: Place): void {
    const ms = this.timeline(at);
    this.kindHint = 'ws';
    const key = exactKey(format, data);
    const slot = this.items.push(ItemType.Out, ms, place.offset, place.length, NO_REPLY, key, shapeKey(format, data));
    this.pending.push({ slot, key });
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift(); // a client that talks to a server that does not answer: its oldest message had no reply
    }
  }

  other(at: number, type: ItemType.Comment | ItemType.Retry | ItemType.Ping, place: Place): void {
    this.kindHint ??= type === ItemType.Ping ? 'ws' : 'sse';
    this.items.push(type, this.timeline(at), place.offset, place.length);
  }

  closed(at: number, close: RecordedClose): void {
    this.timeline(at);
    this.live = false;
    this.close = close;
    this.pending = [];
  }

  /** Any other record: while the connection is up, it moves the end of the timeline. */
  note(at: number): void {
    if (this.live) {
      this.timeline(at);
    }
  }

  /** The connection; its kind from `kind`, else its URL's scheme, else what its records look like. */
  build(source: ItemSource, kindOf?: TransportKind): RecordedConnection {
    const scheme = /^(\w+):/.exec(this.url)?.[1]?.toLowerCase();
    const byScheme: TransportKind | undefined =
      scheme === 'ws' || scheme === 'wss' ? 'ws' : scheme === 'http' || scheme === 'https' ? 'sse' : undefined;
    const kind = kindOf ?? byScheme ?? this.kindHint ?? 'sse';
    return {
      n: this.n,
      kind,
      url: this.url,
      records: this.records,
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      protocol: this.protocol,
      close: this.close,
      endMs: this.endMs,
      items: this.items,
      source,
    };
  }
}
