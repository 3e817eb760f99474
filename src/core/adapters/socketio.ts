// Over 400 lines: Engine.IO and Socket.IO share one attempt's state (pings, namespace, pending acks, binary attachments); the packet format is socketioPacket.ts.
/**
 * Socket.IO v3/v4 (Engine.IO 4) and v2 (Engine.IO 3) over a WebSocket: dials
 * `/socket.io/?EIO=4&transport=websocket` for the URL people know (`http://localhost:3000`), answers
 * the server's pings (Engine.IO 4) or pings it (Engine.IO 3), joins the namespace with its `auth`,
 * emits with or without an ack, and reassembles binary attachments. Types: the Socket.IO packet types
 * (`connect`, `disconnect`, `event`, `ack`, `connect_error`) and the Engine.IO ones that show
 * (`open`, `ping`, `pong`, `noop`, `close`); binary events and acks read as `event` and `ack`.
 */
import type { Decoded } from '../records';
import {
  type Adapter,
  type AdapterAttempt,
  type AdapterHost,
  AdapterOptionError,
  type AdapterSend,
  AdapterSendError,
  type FrameDecoded,
  type InboundFrame,
} from './adapter';
import { sameBytes } from './bytes';
import { type FramePeek, FrameReading, LazyDecoded } from './lazyDecoded';
import { deconstruct, EIO, parseSioPacket, reconstruct, type SioPacket, writeSioPacket } from './socketioPacket';

export interface SocketIoOptions {
  /** The server's Socket.IO path. Default `/socket.io/`. */
  path: string;
  /** The namespace joined. Default `/`. */
  namespace: string;
  /** The CONNECT packet's payload (Socket.IO 3/4): a token, a user… */
  auth?: Record<string, unknown>;
  /** Engine.IO protocol: 4 (Socket.IO 3 and 4, the default) or 3 (Socket.IO 2). */
  eio: 3 | 4;
  /** Every emit asks the server for an ack. */
  ack: boolean;
}

const PROTOCOL = 'socket.io';

/** An event or ack as it arrived: the packet is parsed when a field is read (see lazyDecoded.ts). */
class SioMessage extends LazyDecoded {
  constructor(type: 'event' | 'ack', frame: Buffer) {
    super(PROTOCOL, type, frame);
  }

  #label: string | undefined;

  /** The event name (or `#ackId`) read from the frame's head when it is plain there: the log's label needs no parse. */
  get label(): string | undefined {
    return (this.#label ??= peekSioLabel(this.frame)) ?? super.label;
  }

  get namespace(): unknown {
    return this.fields.namespace;
  }

  get event(): unknown {
    return this.fields.event;
  }

  get args(): unknown {
    return this.fields.args;
  }

  get ackId(): unknown {
    const peeked = peekSioAckId(this.frame);
    return peeked === null ? undefined : (peeked ?? this.fields.ackId);
  }

  protected parse(): Record<string, unknown> {
    try {
      return messageFields(parseSioPacket(this.frame.toString(), 1), []);
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}

/** An event's or ack's label and ack id from its head, the head read once (a batch row's). */
const peekSioHead: FramePeek = (b, from, to, into) => {
  const data = sioDataStart(b, from, to);
  if (data < 0) {
    return false;
  }
  const idStart = ackIdStart(b, from, data);
  const digits = idStart < data ? latin1(b, idStart, data) : undefined;
  // As peekSioLabel and peekSioAckId read them: the label with the digits as written, the id as a number's text.
  const label = b[from + 1] === 0x33 ? (digits === undefined ? undefined : `#${digits}`) : eventNameAt(b, from, data, to);
  const ackId = digits === undefined ? undefined : String(Number(digits));
  if (label === undefined) {
    return false;
  }
  into.label = label;
  into.id = ackId;
  return true;
};
const EVENT_READING = new FrameReading(PROTOCOL, 'event', (frame) => new SioMessage('event', frame), peekSioHead);
const ACK_READING = new FrameReading(PROTOCOL, 'ack', (frame) => new SioMessage('ack', frame), peekSioHead);
/** What `receive` gives for an event or an ack: one list each, given again for every frame. */
const EVENT_FRAME: readonly FrameDecoded[] = [EVENT_READING];
const ACK_FRAME: readonly FrameDecoded[] = [ACK_READING];

/**
 * Where an event or ack frame's data begins (`42["tick",…`, `42/chat,7["tick",…`, `43/chat,7[…`):
 * the index of its `[`, after the namespace and the ack id; -1 when the head is not that plain. The
 * frame is `b[from, to)` (the peeks read a frame where it is kept, the socket's buffer or the store's).
 */
function sioDataStart(b: Uint8Array, from: number, to: number): number {
  let i = from + 2;
  if (b[i] === 0x2f) {
    // a namespace, up to its comma
    while (i < to && i - from < 256 && b[i] !== 0x2c) {
      i++;
    }
    if (i >= to || b[i] !== 0x2c) {
      return -1;
    }
    i++;
  }
  while (i < to && b[i] >= 0x30 && b[i] <= 0x39) {
    i++;
  }
  return i < to && b[i] === 0x5b ? i : -1;
}

/** The ack id digits end at `data` (the `[`); they start here (`data` when there are none). */
function ackIdStart(b: Uint8Array, from: number, data: number): number {
  let i = data;
  while (i > from + 2 && b[i - 1] >= 0x30 && b[i - 1] <= 0x39) {
    i--;
  }
  return i;
}

/**
 * The label of an event or ack frame `b[from, to)` without parsing it: the event name when it is a
 * plain string (no escapes), `#ackId` for an ack; else undefined.
 */
export function peekSioLabel(b: Uint8Array, from = 0, to = b.length): string | undefined {
  const data = sioDataStart(b, from, to);
  if (data < 0) {
    return undefined;
  }
  if (b[from + 1] === 0x33) {
    const id = ackIdStart(b, from, data);
    return id < data ? `#${latin1(b, id, data)}` : undefined;
  }
  return eventNameAt(b, from, data, to);
}

/** The event name of an event frame `b[from, to)` whose data begins at `data`, when it is a plain string there. */
function eventNameAt(b: Uint8Array, from: number, data: number, to: number): string | undefined {
  if (b[from + 1] !== 0x32 || data + 1 >= to || b[data + 1] !== 0x22) {
    return undefined;
  }
  const start = data + 2;
  let end = start;
  while (end < to && end - start < 256 && b[end] !== 0x22 && b[end] !== 0x5c) {
    end++;
  }
  if (end >= to || b[end] !== 0x22) {
    return undefined;
  }
  // A stream repeats one event name: the last one is given again without making a string.
  const last = lastLabel;
  if (sameBytes(last.bytes, b, start, end)) {
    return last.text;
  }
  const text = Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
  lastLabel = { bytes: Buffer.from(b.subarray(start, end)), text };
  return text;
}

/** The event name {@link peekSioLabel} read last, with its bytes. */
let lastLabel: { bytes: Buffer; text: string } = { bytes: Buffer.alloc(0), text: '' };

/**
 * The ack id of an event or ack frame `b[from, to)` without parsing it: a number, null when it has
 * none, undefined when the head is not plain.
 */
export function peekSioAckId(b: Uint8Array, from = 0, to = b.length): number | null | undefined {
  const data = sioDataStart(b, from, to);
  if (data < 0) {
    return undefined;
  }
  const id = ackIdStart(b, from, data);
  return id < data ? Number(latin1(b, id, data)) : null;
}

/** `b[start, end)` as Latin-1 text (ASCII digits here). */
function latin1(b: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end; i++) {
    text += String.fromCharCode(b[i]);
  }
  return text;
}

/** The fields of an event or ack packet, attachments put back in place. */
function messageFields(p: SioPacket, attachments: readonly Buffer[]): Record<string, unknown> {
  const data = (attachments.length ? reconstruct(p.data, attachments) : p.data) as unknown[];
  const out: Record<string, unknown> = { namespace: p.namespace };
  if (p.type === 2 || p.type === 5) {
    out.event = data[0];
    out.args = data.slice(1);
    out.label = String(data[0]);
  } else {
    out.args = data;
    out.label = `#${p.ackId}`;
  }
  if (p.ackId !== undefined) {
    out.ackId = p.ackId;
  }
  if (p.attachments) {
    out.attachments = p.attachments;
  }
  return out;
}

function typeName(p: SioPacket): string {
  return p.type === 5 ? 'event' : p.type === 6 ? 'ack' : ['connect', 'disconnect', 'event', 'ack', 'connect_error'][p.type];
}

/** The reason a `connect_error` gives: `{ message }` (v3/v4) or a string (v2). */
function refusalText(data: unknown): string {
  if (typeof data === 'string') {
    return data;
  }
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
    return (data as { message: string }).message;
  }
  return data === undefined ? 'no reason given' : JSON.stringify(data);
}

class SocketIoAttempt implements AdapterAttempt {
  private joined = false;
  private nextAckId = 0;
  /** A binary event or ack whose attachments are still arriving. */
  private pending: { packet: SioPacket; buffers: Buffer[] } | undefined;
  private pingInterval = 25_000;
  private pingTimeout = 20_000;
  private watchdog: { dispose(): void } | undefined;
  private pinger: { dispose(): void } | undefined;

  constructor(
    private readonly host: AdapterHost,
    private readonly o: SocketIoOptions,
  ) {}

  opened(): void {
    // Engine.IO speaks first (its open packet); nothing to send yet.
  }

  receive(frame: InboundFrame): readonly FrameDecoded[] {
    const b = frame.bytes;
    if (frame.format === 'binary') {
      return [this.attachment(this.o.eio === 3 ? b.subarray(1) : b)];
    }
    const c0 = b[0];
    if (c0 === EIO.message) {
      const c1 = b[1];
      // The flood path: events and acks are only peeked at; their JSON is read when someone looks.
      if ((c1 === 0x32 || c1 === 0x33) && !this.pending) {
        return c1 === 0x32 ? EVENT_FRAME : ACK_FRAME;
      }
      return [this.packet(b.toString())];
    }
    switch (c0) {
      case EIO.ping: {
        // Engine.IO 4: the server pings, we answer with its payload ("2probe" → "3probe").
        this.host.sendText('3' + b.toString('utf8', 1), { protocol: PROTOCOL, type: 'pong', keepAlive: true });
        this.armWatchdog();
        return [{ protocol: PROTOCOL, type: 'ping', keepAlive: true }];
      }
      case EIO.pong:
        this.armWatchdog();
        return [{ protocol: PROTOCOL, type: 'pong', keepAlive: true }];
      case EIO.noop:
        return [{ protocol: PROTOCOL, type: 'noop', keepAlive: true }];
      case EIO.open:
        return [this.open(b.toString('utf8', 1))];
      case EIO.close:
        return [{ protocol: PROTOCOL, type: 'close' }];
      default:
        return [{ protocol: PROTOCOL, type: 'invalid', error: `not an Engine.IO packet (type "${String.fromCharCode(c0 ?? 0x20)}")` }];
    }
  }

  private open(json: string): Decoded {
    let info: Record<string, unknown>;
    try {
      info = JSON.parse(json) as Record<string, unknown>;
    } catch (err) {
      return { protocol: PROTOCOL, type: 'invalid', error: `the Engine.IO open packet is not JSON (${(err as Error).message})` };
    }
    if (typeof info.pingInterval === 'number' && info.pingInterval > 0) {
      this.pingInterval = info.pingInterval;
    }
    if (typeof info.pingTimeout === 'number' && info.pingTimeout > 0) {
      this.pingTimeout = info.pingTimeout;
    }
    if (this.o.eio === 4) {
      this.armWatchdog();
      this.connect();
    } else {
      // Engine.IO 3: the client pings; the server joins "/" by itself and other namespaces on request.
      this.pinger = this.host.setInterval(() => this.ping(), this.pingInterval);
      if (this.o.namespace !== '/') {
        this.connect();
      }
    }
    return { protocol: PROTOCOL, type: 'open', sid: info.sid, pingInterval: this.pingInterval, pingTimeout: this.pingTimeout };
  }

  private connect(): void {
    const packet: SioPacket = { type: 0, namespace: this.o.namespace };
    if (this.o.auth && this.o.eio === 4) {
      packet.data = this.o.auth;
    }
    this.host.sendText(writeSioPacket(packet), {
      protocol: PROTOCOL,
      type: 'connect',
      namespace: this.o.namespace,
      ...(packet.data ? { auth: packet.data } : {}),
      label: this.o.namespace,
    });
  }

  private ping(): void {
    this.host.sendText('2', { protocol: PROTOCOL, type: 'ping', keepAlive: true });
    this.watchdog?.dispose();
    this.watchdog = this.host.setTimeout(() => this.gone(this.pingTimeout, 'pong'), this.pingTimeout);
  }

  /** Engine.IO 4: the next ping is due within pingInterval + pingTimeout, or the server is gone. */
  private armWatchdog(): void {
    this.watchdog?.dispose();
    if (this.o.eio === 4) {
      const ms = this.pingInterval + this.pingTimeout;
      this.watchdog = this.host.setTimeout(() => this.gone(ms, 'ping'), ms);
    } else {
      this.watchdog = undefined;
    }
  }

  private gone(ms: number, what: 'ping' | 'pong'): void {
    this.host.fail(`No Engine.IO ${what} from the server within ${ms} ms: the connection is presumed dead`, { retry: true });
  }

  /** Any packet but a plain event or ack. */
  private packet(text: string): Decoded {
    let p: SioPacket;
    try {
      p = parseSioPacket(text, 1);
    } catch (err) {
      return { protocol: PROTOCOL, type: 'invalid', error: (err as Error).message };
    }
    const mine = p.namespace === this.o.namespace;
    switch (p.type) {
      case 0: {
        const sid = p.data && typeof p.data === 'object' ? (p.data as { sid?: unknown }).sid : undefined;
        if (mine && !this.joined) {
          this.joined = true;
          this.host.note(`Socket.IO: joined namespace ${p.namespace}`);
          this.host.ready();
        }
        return { protocol: PROTOCOL, type: 'connect', namespace: p.namespace, ...(sid !== undefined ? { sid } : {}), label: p.namespace };
      }
      case 1:
        if (mine) {
          this.host.fail(`Socket.IO: the server disconnected this client from namespace ${p.namespace}`, { retry: false });
        }
        return { protocol: PROTOCOL, type: 'disconnect', namespace: p.namespace, label: p.namespace };
      case 4: {
        const message = refusalText(p.data);
        if (mine) {
          this.host.fail(`Socket.IO refused namespace ${p.namespace}: ${message}`, { retry: false });
        }
        const data = p.data && typeof p.data === 'object' ? (p.data as { data?: unknown }).data : undefined;
        return {
          protocol: PROTOCOL,
          type: 'connect_error',
          namespace: p.namespace,
          message,
          ...(data !== undefined ? { data } : {}),
          label: p.namespace,
        };
      }
      case 5:
      case 6:
        if (p.attachments === 0) {
          return { protocol: PROTOCOL, type: typeName(p), ...messageFields(p, []) };
        }
        this.pending = { packet: p, buffers: [] };
        return { protocol: PROTOCOL, type: typeName(p), ...messageFields(p, []), partial: true };
      default:
        // An event or ack that arrived while attachments were awaited: read now.
        return { protocol: PROTOCOL, type: typeName(p), ...messageFields(p, []) };
    }
  }

  /** A binary frame: the next attachment of the pending binary packet. */
  private attachment(bytes: Buffer): Decoded {
    const pending = this.pending;
    if (!pending) {
      return { protocol: PROTOCOL, type: 'invalid', error: 'a binary frame with no binary event or ack waiting for it' };
    }
    pending.buffers.push(Buffer.from(bytes));
    const count = pending.packet.attachments!;
    if (pending.buffers.length < count) {
      return { protocol: PROTOCOL, type: 'attachment', index: pending.buffers.length - 1, count, partial: true };
    }
    this.pending = undefined;
    try {
      return { protocol: PROTOCOL, type: typeName(pending.packet), ...messageFields(pending.packet, pending.buffers) };
    } catch (err) {
      return { protocol: PROTOCOL, type: 'invalid', error: (err as Error).message };
    }
  }

  send(input: AdapterSend): void {
    if (input.verb !== 'emit') {
      throw new AdapterSendError(`Socket.IO has no "${input.verb}" send (use emit)`);
    }
    const f = input.fields;
    const event = f.event;
    if (typeof event !== 'string' || event === '') {
      throw new AdapterSendError('Socket.IO emit: the event name is missing');
    }
    const args = f.args === undefined ? [] : f.args;
    if (!Array.isArray(args)) {
      throw new AdapterSendError('Socket.IO emit: args must be a JSON array (each element one argument)');
    }
    const withAck = f.ack === undefined ? this.o.ack : f.ack === true;
    const buffers: Buffer[] = [];
    const data = deconstruct([event, ...args], buffers);
    const packet: SioPacket = { type: buffers.length ? 5 : 2, namespace: this.o.namespace, data };
    if (buffers.length) {
      packet.attachments = buffers.length;
    }
    if (withAck) {
      packet.ackId = this.nextAckId++;
    }
    const decoded: Decoded = { protocol: PROTOCOL, type: 'event', namespace: this.o.namespace, event, args, label: event };
    if (packet.ackId !== undefined) {
      decoded.ackId = packet.ackId;
    }
    if (buffers.length) {
      decoded.attachments = buffers.length;
    }
    this.host.sendText(writeSioPacket(packet), decoded);
    buffers.forEach((buf, index) => {
      const bytes = this.o.eio === 3 ? Buffer.concat([Buffer.from([4]), buf]) : buf;
      this.host.sendBinary(bytes, { protocol: PROTOCOL, type: 'attachment', index, count: buffers.length, partial: true });
    });
  }

  closing(): void {
    if (this.joined) {
      this.host.sendText(writeSioPacket({ type: 1, namespace: this.o.namespace }), {
        protocol: PROTOCOL,
        type: 'disconnect',
        namespace: this.o.namespace,
        label: this.o.namespace,
      });
    }
  }

  dispose(): void {
    this.watchdog?.dispose();
    this.pinger?.dispose();
    this.pending = undefined;
  }
}

function checkOptions(raw: Record<string, unknown>): SocketIoOptions {
  const path = raw.path ?? '/socket.io/';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new AdapterOptionError('path', 'must be a path starting with "/" (the server\'s default is /socket.io/)');
  }
  const namespace = raw.namespace ?? '/';
  if (typeof namespace !== 'string' || !namespace.startsWith('/') || /[,?#]/.test(namespace)) {
    throw new AdapterOptionError('namespace', 'must start with "/" (e.g. /chat) and hold no "," "?" or "#"');
  }
  const auth = raw.auth;
  if (auth !== undefined && (auth === null || typeof auth !== 'object' || Array.isArray(auth))) {
    throw new AdapterOptionError('auth', 'must be a JSON object (e.g. {"token": "…"})');
  }
  const eio = raw.eio ?? 4;
  if (eio !== 3 && eio !== 4 && eio !== '3' && eio !== '4') {
    throw new AdapterOptionError('eio', 'must be 4 (Socket.IO 3 and 4) or 3 (Socket.IO 2)');
  }
  const ack = raw.ack ?? false;
  if (typeof ack !== 'boolean') {
    throw new AdapterOptionError('ack', 'must be true or false');
  }
  return { path, namespace, ...(auth ? { auth: auth as Record<string, unknown> } : {}), eio: Number(eio) as 3 | 4, ack };
}

/** `http://host:3000` → `ws://host:3000/socket.io/?EIO=4&transport=websocket`; the URL's own query stays. */
function target(url: string, o: SocketIoOptions): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url; // the handshake says the URL is invalid, in its words
  }
  if (u.protocol === 'http:') {
    u.protocol = 'ws:';
  } else if (u.protocol === 'https:') {
    u.protocol = 'wss:';
  }
  if (u.pathname === '/' || u.pathname === '') {
    u.pathname = o.path;
  }
  u.searchParams.set('EIO', String(o.eio));
  u.searchParams.set('transport', 'websocket');
  return u.toString();
}

export const socketIoAdapter: Adapter<SocketIoOptions> = {
  name: 'socket.io',
  subprotocols: [],
  options: checkOptions,
  target,
  begin: (host, options) => new SocketIoAttempt(host, options),
  verbs: [
    {
      name: 'emit',
      label: 'Emit',
      fields: [
        { name: 'event', label: 'Event', kind: 'text', placeholder: 'chat' },
        { name: 'args', label: 'Args (JSON array)', kind: 'json', optional: true, placeholder: '[{"text": "hi"}]' },
        { name: 'ack', label: 'With ack', kind: 'boolean', optional: true },
      ],
    },
  ],
  flags: [
    { flag: '--path', option: 'path', kind: 'string', help: 'Socket.IO path on the server (default /socket.io/)' },
    { flag: '--namespace', option: 'namespace', kind: 'string', help: 'namespace to join (default /)' },
    { flag: '--auth', option: 'auth', kind: 'json', help: 'CONNECT payload, a JSON object: {"token": "…"}' },
    { flag: '--eio', option: 'eio', kind: 'number', help: 'Engine.IO protocol: 4 (Socket.IO 3/4, default) or 3 (Socket.IO 2)' },
    { flag: '--ack', option: 'ack', kind: 'boolean', help: 'ask an ack for each --send emit (comes back as type ack)' },
  ],
  cliSend(text, o) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new AdapterSendError(`Socket.IO --send must be a JSON array ["event", ...args]: ${(err as Error).message}`);
    }
    if (!Array.isArray(value) || typeof value[0] !== 'string') {
      throw new AdapterSendError('Socket.IO --send must be a JSON array whose first element is the event name: ["chat", {"text": "hi"}]');
    }
    return { verb: 'emit', fields: { event: value[0], args: value.slice(1), ack: o.ack } };
  },
  counts: (d) => (d.type === 'event' || d.type === 'ack') && !d.partial,
  suggests: ({ url }) => /\/socket\.io(\/|$|\?)/.test(url) || /[?&]EIO=\d/.test(url),
};
