/**
 * STOMP 1.2 / 1.1 over WebSocket (`v12.stomp`, `v11.stomp`). Frames are read and written by
 * `@stomp/stompjs`'s parser and frame writer (header escaping per version, `content-length` bodies
 * that may hold NULs); the attempt speaks as a client: CONNECT with login, passcode and virtual host,
 * heart-beats negotiated both ways (ours sent as EOLs; a broker silent for twice its agreed interval
 * ends the attempt), a SUBSCRIBE per `subscribe` option once CONNECTED, receipts, ERROR ending the
 * attempt with the broker's message, and DISCONNECT with a receipt on close. Over WebSocket each
 * message carries whole frames, so a message that ends inside a frame is reported as cut short.
 */
import { FrameImpl, Parser, type IRawFrameType, type StompHeaders } from '@stomp/stompjs';
import type { IDisposable } from '../lifecycle';
import {
  type Adapter,
  type AdapterAttempt,
  type AdapterHost,
  AdapterOptionError,
  type AdapterSend,
  AdapterSendError,
  type Decoded,
  type InboundFrame,
} from './adapter';

export interface StompOptions {
  login?: string;
  passcode?: string;
  vhost?: string;
  subscribe: string[];
  /** What CONNECT offers: how often we can send heart-beats, how often we want them (ms, 0 = never). */
  heartBeat: [number, number];
}

function optionalText(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name];
  if (v !== undefined && (typeof v !== 'string' || v === '')) {
    throw new AdapterOptionError(name, 'must be non-empty text');
  }
  return v;
}

function parseHeartBeat(value: unknown): [number, number] {
  if (value === undefined) {
    return [10_000, 10_000];
  }
  const parts = Array.isArray(value) ? value.map(Number) : String(value).split(',').map(Number);
  if (parts.length !== 2 || parts.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new AdapterOptionError('heartBeat', 'is OUT,IN: two whole numbers of milliseconds (0 for none), e.g. 10000,10000');
  }
  return [parts[0]!, parts[1]!];
}

function parseOptions(raw: Record<string, unknown>): StompOptions {
  const subs = raw.subscribe === undefined ? [] : Array.isArray(raw.subscribe) ? raw.subscribe : [raw.subscribe];
  if (subs.some((s) => typeof s !== 'string' || s === '')) {
    throw new AdapterOptionError('subscribe', 'each entry is a destination, e.g. /topic/news');
  }
  const o: StompOptions = { subscribe: subs as string[], heartBeat: parseHeartBeat(raw.heartBeat) };
  for (const name of ['login', 'passcode', 'vhost'] as const) {
    const v = optionalText(raw, name);
    if (v !== undefined) {
      o[name] = v;
    }
  }
  return o;
}

/** Headers a user adds to a SEND: a JSON object of text values (from the send box, as text). */
function extraHeaders(value: unknown): StompHeaders {
  if (value === undefined || value === null || value === '') {
    return {};
  }
  let v = value;
  if (typeof value === 'string') {
    try {
      v = JSON.parse(value);
    } catch (err) {
      throw new AdapterSendError(`headers are not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new AdapterSendError('headers must be a JSON object of names and values');
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const SERVER_COMMANDS = new Set(['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR']);

/** A body as text when its content type allows and it is UTF-8, else base64 (said by `bodyEncoding`). */
function bodyFields(bytes: Uint8Array | undefined, contentType: string | undefined): Record<string, string> {
  if (!bytes || bytes.length === 0) {
    return { body: '' };
  }
  if (contentType === undefined || /^text\/|json|xml|javascript|x-www-form-urlencoded/i.test(contentType)) {
    try {
      return { body: utf8.decode(bytes) };
    } catch {
      // not text after all
    }
  }
  return { body: Buffer.from(bytes).toString('base64'), bodyEncoding: 'base64' };
}

function frameDecoded(command: string, headers: StompHeaders, bytes?: Uint8Array): Decoded {
  const d: Decoded = { protocol: 'stomp', type: command.toLowerCase(), command, headers: { ...headers } };
  Object.assign(d, bodyFields(bytes, headers['content-type']));
  const label = headers.destination ?? headers['receipt-id'] ?? headers.message;
  if (label !== undefined) {
    d.label = label;
  }
  return d;
}

function heartbeatDecoded(): Decoded {
  return { protocol: 'stomp', type: 'heartbeat', keepAlive: true };
}

class StompAttempt implements AdapterAttempt {
  private parser!: Parser;
  private got: Decoded[] = [];
  private connected = false;
  private version = '1.2';
  private nextId = 1;
  private readonly subscriptions = new Map<string, string>();
  private readonly timers: IDisposable[] = [];
  private lastReceived = 0;
  private disconnectReceipt: string | undefined;

  constructor(
    private readonly host: AdapterHost,
    private readonly options: StompOptions,
  ) {
    this.resetParser();
  }

  opened(info: { protocol: string }): void {
    const o = this.options;
    const versions = info.protocol === 'v11.stomp' ? '1.1' : info.protocol === 'v10.stomp' ? '1.0' : '1.2,1.1';
    const headers: StompHeaders = { 'accept-version': versions, 'heart-beat': o.heartBeat.join(',') };
    if (o.vhost !== undefined) {
      headers.host = o.vhost;
    }
    if (o.login !== undefined) {
      headers.login = o.login;
    }
    if (o.passcode !== undefined) {
      headers.passcode = o.passcode;
    }
    // CONNECT's headers are never escaped (1.2 §CONNECT); the record shows that a passcode went, not what it is.
    const shown = o.passcode !== undefined ? { ...headers, passcode: '***' } : headers;
    this.write('CONNECT', headers, undefined, frameDecoded('CONNECT', shown));
    this.lastReceived = this.host.now();
  }

  receive(frame: InboundFrame): Decoded[] {
    this.lastReceived = this.host.now();
    const bytes = frame.bytes;
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) {
      end--;
    }
    this.got = [];
    // EOLs after the last frame's NUL pad the frame (1.2 §Augmented BNF); a message of EOLs alone is a heart-beat.
    const n = end > 0 ? end : bytes.length;
    this.parser.parseChunk(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n) as ArrayBuffer);
    const got = this.got;
    if (end > 0 && bytes[end - 1] !== 0) {
      got.push({ protocol: 'stomp', type: 'invalid', error: 'a STOMP frame cut short: the message ended before its NUL' });
      this.resetParser();
    }
    if (got.length > 1) {
      got.forEach((d, index) => (d.part = { index, count: got.length }));
    }
    return got.length > 0 ? got : [{ protocol: 'stomp', type: 'invalid', error: 'an empty message' }];
  }

  send(input: AdapterSend): void {
    if (!this.connected) {
      throw new AdapterSendError('not connected to the broker yet (no CONNECTED)');
    }
    const f = input.fields;
    const destination = typeof f.destination === 'string' ? f.destination.trim() : '';
    if (destination === '') {
      throw new AdapterSendError(`${input.verb} needs a destination`);
    }
    if (input.verb === 'send') {
      const headers: StompHeaders = { ...extraHeaders(f.headers), destination };
      const type = typeof f.contentType === 'string' && f.contentType !== '' ? f.contentType : 'text/plain';
      headers['content-type'] = type;
      if (f.receipt === true || f.receipt === 'true') {
        headers.receipt = `receipt-${this.nextId++}`;
      }
      const body = typeof f.body === 'string' ? f.body : f.body === undefined ? '' : JSON.stringify(f.body);
      this.write('SEND', headers, body);
    } else if (input.verb === 'subscribe') {
      this.subscribe(destination);
    } else if (input.verb === 'unsubscribe') {
      const id = this.subscriptions.get(destination);
      if (id === undefined) {
        throw new AdapterSendError(`not subscribed to ${destination}`);
      }
      this.subscriptions.delete(destination);
      this.write('UNSUBSCRIBE', { id });
    } else {
      throw new AdapterSendError(`STOMP has no "${input.verb}" (it sends, subscribes and unsubscribes)`);
    }
  }

  closing(): void {
    if (this.connected) {
      this.disconnectReceipt = `disconnect-${this.nextId++}`;
      this.write('DISCONNECT', { receipt: this.disconnectReceipt });
      this.connected = false;
    }
  }

  dispose(): void {
    for (const t of this.timers) {
      t.dispose();
    }
  }

  private resetParser(): void {
    this.parser = new Parser(
      (raw) => this.got.push(this.handle(raw)),
      () => this.got.push(heartbeatDecoded()),
    );
  }

  private handle(raw: IRawFrameType): Decoded {
    const command = raw.command ?? '';
    if (!SERVER_COMMANDS.has(command)) {
      return { protocol: 'stomp', type: 'invalid', error: `not a STOMP frame a broker sends: command "${command.slice(0, 40)}"` };
    }
    // Header values are escaped in every frame of 1.1 and 1.2 but CONNECTED (1.2 §Value Encoding).
    const frame = FrameImpl.fromRawFrame(raw, command !== 'CONNECTED' && this.version !== '1.0');
    const d = frameDecoded(command, frame.headers, raw.binaryBody);
    if (command === 'CONNECTED') {
      this.onConnected(frame.headers);
    } else if (command === 'ERROR') {
      const message = frame.headers.message ?? 'no message';
      const body = typeof d.body === 'string' && d.bodyEncoding === undefined ? d.body.trim() : '';
      const details = body !== '' && body !== message ? `: ${body}` : '';
      this.host.fail(`the broker sent ERROR: ${message}${details}`, { retry: this.connected });
    } else if (command === 'RECEIPT' && frame.headers['receipt-id'] === this.disconnectReceipt) {
      this.host.note('the broker confirmed DISCONNECT');
    }
    return d;
  }

  private onConnected(headers: StompHeaders): void {
    this.version = headers.version ?? '1.0';
    this.connected = true;
    const [sx, sy] = (headers['heart-beat'] ?? '0,0').split(',').map((n) => Number(n) || 0);
    const [cx, cy] = this.options.heartBeat;
    const out = cx === 0 || !sy ? 0 : Math.max(cx, sy);
    const inbound = cy === 0 || !sx ? 0 : Math.max(sx, cy);
    if (out > 0) {
      this.timers.push(this.host.setInterval(() => this.host.sendText('\n', heartbeatDecoded()), out));
    }
    if (inbound > 0) {
      this.timers.push(this.host.setInterval(() => this.watch(inbound), inbound));
    }
    this.host.ready();
    for (const destination of this.options.subscribe) {
      this.subscribe(destination);
    }
  }

  /** A broker silent for twice the agreed heart-beat interval is gone (1.2 §Heart-beating leaves the margin to us). */
  private watch(inbound: number): void {
    const silent = this.host.now() - this.lastReceived;
    if (silent > 2 * inbound) {
      this.host.fail(`the broker sent nothing for ${silent} ms (heart-beats every ${inbound} ms were agreed)`, { retry: true });
    }
  }

  private subscribe(destination: string): void {
    const id = `sub-${this.nextId++}`;
    this.subscriptions.set(destination, id);
    this.write('SUBSCRIBE', { id, destination, ack: 'auto' });
  }

  private write(command: string, headers: StompHeaders, body?: string, decoded?: Decoded): void {
    const escape = command !== 'CONNECT' && this.version !== '1.0';
    const wire = FrameImpl.marshall({ command, headers, body: body ?? '', escapeHeaderValues: escape });
    const d = decoded ?? frameDecoded(command, headers, body === undefined ? undefined : Buffer.from(body));
    if (typeof wire === 'string') {
      this.host.sendText(wire, d);
    } else {
      this.host.sendBinary(new Uint8Array(wire), d);
    }
  }
}

export const stompAdapter: Adapter<StompOptions> = {
  name: 'stomp',
  subprotocols: ['v12.stomp', 'v11.stomp'],
  options: parseOptions,
  begin: (host, options) => new StompAttempt(host, options),
  verbs: [
    {
      name: 'send',
      label: 'Send',
      fields: [
        { name: 'destination', label: 'Destination', kind: 'text', placeholder: '/topic/news' },
        { name: 'body', label: 'Body', kind: 'multiline', optional: true },
        { name: 'contentType', label: 'Content type', kind: 'text', optional: true, placeholder: 'text/plain' },
        { name: 'headers', label: 'Headers', kind: 'json', optional: true, placeholder: '{"priority": "9"}' },
        { name: 'receipt', label: 'Ask a receipt', kind: 'boolean', optional: true },
      ],
    },
    {
      name: 'subscribe',
      label: 'Subscribe',
      fields: [{ name: 'destination', label: 'Destination', kind: 'text', placeholder: '/topic/news' }],
    },
    { name: 'unsubscribe', label: 'Unsubscribe', fields: [{ name: 'destination', label: 'Destination', kind: 'text' }] },
  ],
  flags: [
    { flag: '--login', option: 'login', kind: 'string', help: 'the login CONNECT sends' },
    { flag: '--passcode', option: 'passcode', kind: 'string', help: 'the passcode CONNECT sends' },
    { flag: '--vhost', option: 'vhost', kind: 'string', help: "the broker's virtual host (CONNECT's host header)" },
    { flag: '--subscribe', option: 'subscribe', kind: 'list', help: 'subscribe to DEST once connected (repeatable)' },
    {
      flag: '--heart-beat',
      option: 'heartBeat',
      kind: 'string',
      help: 'OUT,IN heart-beat offer in ms (default 10000,10000; 0,0 for none)',
    },
  ],
  suggests: ({ url, protocol }) => /^v1[012]\.stomp$/.test(protocol ?? '') || /\/(ws|web)?stomp\b/i.test(url),
};
