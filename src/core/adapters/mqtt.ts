// Over 400 lines: one MQTT session's packet flows (QoS 1 and 2 both ways, keep-alive, subscriptions) share its state.
/**
 * MQTT 3.1.1 and 5 over WebSocket (`mqtt` subprotocol). Packets are read and written by `mqtt-packet`
 * (the MQTT.js project's parser), which keeps its state across frames: several packets in one frame
 * become several records, and a packet split over frames is decoded on the frame that completes it.
 * The attempt speaks as a client: CONNECT (a refusing CONNACK ends the attempt in words), the
 * `subscribe` option's SUBSCRIBE once accepted, PINGREQ every keep-alive (a broker that stops
 * answering ends it), the QoS 1 and 2 acknowledgements both ways, DISCONNECT on close.
 */
import { generate, parser as mqttParser, type Packet, type QoS } from 'mqtt-packet';
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
import { connackReason, connackRetryable, reasonText } from './mqttCodes';

export interface MqttSubscription {
  topic: string;
  qos: QoS;
}

export interface MqttOptions {
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; 0 turns keep-alive off. */
  keepAlive: number;
  clean: boolean;
  version: 4 | 5;
  subscribe: MqttSubscription[];
}

function qosOf(value: unknown, option: string): QoS {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (n !== 0 && n !== 1 && n !== 2) {
    throw new AdapterOptionError(option, `QoS must be 0, 1 or 2, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** `TOPIC[:QOS]` (QoS 0 when left out) or `{ topic, qos }`. */
function subscriptionOf(item: unknown): MqttSubscription {
  if (typeof item === 'object' && item !== null && typeof (item as { topic?: unknown }).topic === 'string') {
    const s = item as { topic: string; qos?: unknown };
    return { topic: s.topic, qos: s.qos === undefined ? 0 : qosOf(s.qos, 'subscribe') };
  }
  if (typeof item !== 'string' || item === '') {
    throw new AdapterOptionError('subscribe', 'each entry is TOPIC or TOPIC:QOS');
  }
  const m = /^(.+):([0-2])$/.exec(item);
  return m ? { topic: m[1]!, qos: Number(m[2]) as QoS } : { topic: item, qos: 0 };
}

function optionalText(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name];
  if (v !== undefined && typeof v !== 'string') {
    throw new AdapterOptionError(name, 'must be text');
  }
  return v;
}

function parseOptions(raw: Record<string, unknown>): MqttOptions {
  const clientId = optionalText(raw, 'clientId') ?? `realtime-inspector-${Math.random().toString(16).slice(2, 10)}`;
  const keepAlive = raw.keepAlive === undefined ? 60 : Number(raw.keepAlive);
  if (!Number.isInteger(keepAlive) || keepAlive < 0 || keepAlive > 65535) {
    throw new AdapterOptionError('keepAlive', 'must be a whole number of seconds from 0 to 65535');
  }
  const v = raw.mqttVersion === undefined ? '3.1.1' : String(raw.mqttVersion);
  if (v !== '3.1.1' && v !== '5') {
    throw new AdapterOptionError('mqttVersion', `must be 3.1.1 or 5, not ${v}`);
  }
  if (raw.clean !== undefined && typeof raw.clean !== 'boolean') {
    throw new AdapterOptionError('clean', 'must be true or false');
  }
  const subs = raw.subscribe === undefined ? [] : Array.isArray(raw.subscribe) ? raw.subscribe : [raw.subscribe];
  const o: MqttOptions = {
    clientId,
    keepAlive,
    clean: raw.clean ?? true,
    version: v === '5' ? 5 : 4,
    subscribe: subs.map(subscriptionOf),
  };
  const username = optionalText(raw, 'username');
  const password = optionalText(raw, 'password');
  if (username !== undefined) {
    o.username = username;
  }
  if (password !== undefined) {
    o.password = password;
  }
  return o;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A payload as text when it is UTF-8, else base64 (said by `payloadEncoding`). */
function payloadFields(payload: Buffer | string | undefined): { payload: string; payloadEncoding?: 'base64' } {
  if (payload === undefined || typeof payload === 'string') {
    return { payload: payload ?? '' };
  }
  try {
    return { payload: utf8.decode(payload) };
  } catch {
    return { payload: Buffer.from(payload).toString('base64'), payloadEncoding: 'base64' };
  }
}

/** A packet as its record's `decoded`: lower-case packet name and the fields the issue lists. */
function decodePacket(p: Packet): Decoded {
  const d: Decoded = { protocol: 'mqtt', type: p.cmd };
  const any = p as unknown as Record<string, unknown>;
  if (p.cmd === 'publish') {
    Object.assign(d, { topic: p.topic, qos: p.qos, retain: p.retain, ...payloadFields(p.payload) });
    if (p.dup) {
      d.dup = true;
    }
    d.label = p.topic;
  }
  if (typeof any.messageId === 'number') {
    d.packetId = any.messageId;
  }
  if (p.cmd === 'connack') {
    d.sessionPresent = p.sessionPresent;
    d.reasonCode = p.reasonCode ?? p.returnCode ?? 0;
  } else if (typeof any.reasonCode === 'number') {
    d.reasonCode = any.reasonCode;
  }
  if (p.cmd === 'suback' || p.cmd === 'unsuback') {
    d.granted = any.granted;
  }
  if (p.cmd === 'subscribe') {
    d.subscriptions = p.subscriptions.map((s) => ({ topic: s.topic, qos: s.qos }));
    d.label = p.subscriptions.map((s) => s.topic).join(', ');
  }
  if (p.cmd === 'unsubscribe') {
    d.topics = p.unsubscriptions;
    d.label = p.unsubscriptions.join(', ');
  }
  if (any.properties !== undefined) {
    d.properties = any.properties;
  }
  if (p.cmd === 'pingreq' || p.cmd === 'pingresp') {
    d.keepAlive = true;
  }
  return d;
}

class MqttAttempt implements AdapterAttempt {
  private readonly parser;
  private readonly out: Decoded[] = [];
  private keepAliveTimer: IDisposable | undefined;
  private pingOutstanding = false;
  private connected = false;
  private nextId = 1;
  /** Our QoS 1/2 publishes and (un)subscribes waiting for their acknowledgement, by packet id. */
  private readonly inFlight = new Set<number>();

  constructor(
    private readonly host: AdapterHost,
    private readonly options: MqttOptions,
  ) {
    this.parser = mqttParser({ protocolVersion: options.version });
    this.parser.on('packet', (p: Packet) => this.out.push(this.handle(p)));
    this.parser.on('error', (err: Error) => {
      this.out.push({ protocol: 'mqtt', type: 'invalid', error: `not an MQTT packet: ${err.message}` });
    });
  }

  opened(): void {
    const o = this.options;
    const connect: Packet = {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: o.version,
      clientId: o.clientId,
      clean: o.clean,
      keepalive: o.keepAlive,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: Buffer.from(o.password) } : {}),
    };
    // The record says a password was sent, never what it is.
    this.write(connect, {
      protocol: 'mqtt',
      type: 'connect',
      clientId: o.clientId,
      keepalive: o.keepAlive,
      clean: o.clean,
      version: o.version === 5 ? '5' : '3.1.1',
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: '***' } : {}),
      label: o.clientId,
    });
  }

  receive(frame: InboundFrame): Decoded[] {
    this.out.length = 0;
    const left = this.parser.parse(Buffer.from(frame.bytes));
    const got = this.out.splice(0);
    if (got.length === 0) {
      return [
        {
          protocol: 'mqtt',
          type: 'fragment',
          partial: true,
          waiting: left,
          label: 'part of a packet, decoded with the frame that completes it',
        },
      ];
    }
    if (got.length > 1) {
      got.forEach((d, index) => (d.part = { index, count: got.length }));
    }
    return got;
  }

  send(input: AdapterSend): void {
    if (!this.connected) {
      throw new AdapterSendError('not connected to the broker yet (no CONNACK)');
    }
    const f = input.fields;
    const topic = typeof f.topic === 'string' ? f.topic : '';
    if (topic === '') {
      throw new AdapterSendError(`${input.verb} needs a topic`);
    }
    const qos = (() => {
      try {
        return f.qos === undefined || f.qos === '' ? 0 : qosOf(f.qos, 'qos');
      } catch (err) {
        throw new AdapterSendError((err as Error).message);
      }
    })();
    if (input.verb === 'publish') {
      const payload = typeof f.payload === 'string' ? f.payload : f.payload === undefined ? '' : JSON.stringify(f.payload);
      this.publish(topic, payload, qos, f.retain === true || f.retain === 'true');
    } else if (input.verb === 'subscribe') {
      this.subscribe([{ topic, qos }]);
    } else if (input.verb === 'unsubscribe') {
      const messageId = this.packetId();
      this.write({ cmd: 'unsubscribe', messageId, unsubscriptions: [topic] });
    } else {
      throw new AdapterSendError(`MQTT has no "${input.verb}" (it publishes, subscribes and unsubscribes)`);
    }
  }

  closing(): void {
    if (this.connected) {
      this.write({ cmd: 'disconnect' });
      this.connected = false;
    }
  }

  dispose(): void {
    this.keepAliveTimer?.dispose();
    this.parser.removeAllListeners();
  }

  private handle(p: Packet): Decoded {
    const d = decodePacket(p);
    switch (p.cmd) {
      case 'connack':
        this.connack((d.reasonCode as number) ?? 0);
        break;
      case 'publish':
        if (p.qos === 1) {
          this.write({ cmd: 'puback', messageId: p.messageId! });
        } else if (p.qos === 2) {
          this.write({ cmd: 'pubrec', messageId: p.messageId! });
        }
        break;
      case 'pubrel':
        this.write({ cmd: 'pubcomp', messageId: p.messageId! });
        break;
      case 'pubrec':
        this.write({ cmd: 'pubrel', messageId: p.messageId! });
        break;
      case 'puback':
      case 'pubcomp':
      case 'unsuback':
        this.inFlight.delete(p.messageId!);
        break;
      case 'suback':
        this.inFlight.delete(p.messageId!);
        this.noteRefusedSubscriptions(p.granted as number[]);
        break;
      case 'pingresp':
        this.pingOutstanding = false;
        break;
      case 'disconnect':
        this.connected = false;
        this.host.note(`the broker disconnected: ${reasonText(p.reasonCode ?? 0)}`);
        break;
    }
    return d;
  }

  private connack(code: number): void {
    if (code !== 0) {
      const why = connackReason(code, this.options.version);
      this.host.fail(`the broker refused the connection: ${why}`, { retry: connackRetryable(code, this.options.version) });
      return;
    }
    this.connected = true;
    this.host.ready();
    if (this.options.keepAlive > 0) {
      this.keepAliveTimer = this.host.setInterval(() => this.ping(), this.options.keepAlive * 1000);
    }
    if (this.options.subscribe.length > 0) {
      this.subscribe(this.options.subscribe);
    }
  }

  /** Every keep-alive: PINGREQ, unless the last one is still unanswered, which ends the attempt. */
  private ping(): void {
    if (this.pingOutstanding) {
      this.host.fail(`the broker did not answer PINGREQ within the keep-alive (${this.options.keepAlive} s)`, { retry: true });
      return;
    }
    this.pingOutstanding = true;
    this.write({ cmd: 'pingreq' });
  }

  private noteRefusedSubscriptions(granted: number[]): void {
    for (const g of granted) {
      if (g >= 0x80) {
        this.host.note(`the broker refused a subscription: ${this.options.version === 5 ? reasonText(g) : 'failure (0x80)'}`);
      }
    }
  }

  private subscribe(subs: MqttSubscription[]): void {
    this.write({ cmd: 'subscribe', messageId: this.packetId(), subscriptions: subs.map((s) => ({ topic: s.topic, qos: s.qos })) });
  }

  private publish(topic: string, payload: string, qos: QoS, retain: boolean): void {
    const packet: Packet = { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false };
    if (qos > 0) {
      packet.messageId = this.packetId();
    }
    this.write(packet);
  }

  /** A packet id no exchange of ours is using (1…65535). */
  private packetId(): number {
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      if (!this.inFlight.has(id)) {
        this.inFlight.add(id);
        return id;
      }
    }
    throw new AdapterSendError('every MQTT packet id is waiting for an acknowledgement');
  }

  private write(packet: Packet, decoded?: Decoded): void {
    let bytes: Buffer;
    try {
      bytes = generate(packet, { protocolVersion: this.options.version });
    } catch (err) {
      throw new AdapterSendError(`cannot write that MQTT packet: ${(err as Error).message}`);
    }
    this.host.sendBinary(bytes, decoded ?? decodePacket(packet));
  }
}

export const mqttAdapter: Adapter<MqttOptions> = {
  name: 'mqtt',
  subprotocols: ['mqtt'],
  options: parseOptions,
  begin: (host, options) => new MqttAttempt(host, options),
  verbs: [
    {
      name: 'publish',
      label: 'Publish',
      fields: [
        { name: 'topic', label: 'Topic', kind: 'text', placeholder: 'sensors/kitchen' },
        { name: 'payload', label: 'Payload', kind: 'multiline', optional: true },
        { name: 'qos', label: 'QoS', kind: 'choice', choices: ['0', '1', '2'], optional: true },
        { name: 'retain', label: 'Retain', kind: 'boolean', optional: true },
      ],
    },
    {
      name: 'subscribe',
      label: 'Subscribe',
      fields: [
        { name: 'topic', label: 'Topic filter', kind: 'text', placeholder: 'sensors/#' },
        { name: 'qos', label: 'QoS', kind: 'choice', choices: ['0', '1', '2'], optional: true },
      ],
    },
    { name: 'unsubscribe', label: 'Unsubscribe', fields: [{ name: 'topic', label: 'Topic filter', kind: 'text' }] },
  ],
  flags: [
    { flag: '--client-id', option: 'clientId', kind: 'string', help: 'the MQTT client id (default: a random one)' },
    { flag: '--username', option: 'username', kind: 'string', help: 'the user name CONNECT sends' },
    { flag: '--password', option: 'password', kind: 'string', help: 'the password CONNECT sends' },
    { flag: '--keep-alive', option: 'keepAlive', kind: 'number', help: 'seconds between PINGREQs (default 60, 0 for none)' },
    { flag: '--subscribe', option: 'subscribe', kind: 'list', help: 'subscribe to TOPIC[:QOS] once connected (repeatable)' },
    { flag: '--mqtt-version', option: 'mqttVersion', kind: 'string', help: 'the protocol version: 3.1.1 (default) or 5' },
  ],
  suggests: ({ url, protocol }) => protocol === 'mqtt' || /^wss?:\/\/[^/]*(:(8083|8084|9001)\b|mqtt)|\/mqtt\b/i.test(url),
};
