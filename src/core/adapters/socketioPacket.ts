/**
 * Socket.IO packets over Engine.IO on a WebSocket, read and written to the published protocols
 * (socket.io-protocol v5 for Socket.IO 3/4 on Engine.IO 4, v4 for Socket.IO 2 on Engine.IO 3).
 * Written here rather than taken from `socket.io-parser`: that parser brings an emitter and `debug`
 * along, decodes every packet eagerly (the flood path here only peeks), and the framing is a type
 * digit, an optional `/namespace,`, an optional ack id and one JSON array.
 *
 * Engine.IO text frame: one type digit (0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade,
 * 6 noop) and its data. A message's data is a Socket.IO packet: a type digit (0 connect,
 * 1 disconnect, 2 event, 3 ack, 4 connect_error, 5 binary event, 6 binary ack), for binary ones the
 * attachment count and `-`, then `/namespace,` unless it is `/`, the ack id, and the JSON payload.
 */

/** Engine.IO packet types, by their digit's char code. */
export const EIO = { open: 0x30, close: 0x31, ping: 0x32, pong: 0x33, message: 0x34, upgrade: 0x35, noop: 0x36 } as const;

export const SIO_TYPES = ['connect', 'disconnect', 'event', 'ack', 'connect_error', 'binary_event', 'binary_ack'] as const;

export interface SioPacket {
  /** 0–6, see {@link SIO_TYPES}. */
  type: number;
  namespace: string;
  ackId?: number;
  /** For binary packets: how many attachments follow. */
  attachments?: number;
  /** The JSON payload, parsed; undefined when there was none. */
  data?: unknown;
}

/** The Socket.IO packet in `text` from `start` (after the Engine.IO `4`). Throws with words when it does not parse. */
export function parseSioPacket(text: string, start: number): SioPacket {
  let i = start;
  const type = text.charCodeAt(i++) - 0x30;
  if (!(type >= 0 && type <= 6)) {
    throw new Error(`unknown Socket.IO packet type "${text.charAt(start)}"`);
  }
  const packet: SioPacket = { type, namespace: '/' };
  if (type === 5 || type === 6) {
    const dash = text.indexOf('-', i);
    const count = dash < 0 ? NaN : Number(text.slice(i, dash));
    if (!Number.isSafeInteger(count) || count < 0 || dash === i) {
      throw new Error('a binary packet without its attachment count');
    }
    packet.attachments = count;
    i = dash + 1;
  }
  if (text.charCodeAt(i) === 0x2f /* / */) {
    const comma = text.indexOf(',', i);
    const end = comma < 0 ? text.length : comma;
    packet.namespace = text.slice(i, end);
    i = comma < 0 ? end : comma + 1;
  }
  const digitsFrom = i;
  while (i < text.length && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) {
    i++;
  }
  if (i > digitsFrom) {
    packet.ackId = Number(text.slice(digitsFrom, i));
  }
  if (i < text.length) {
    try {
      packet.data = JSON.parse(text.slice(i));
    } catch (err) {
      throw new Error(`the payload is not JSON (${(err as Error).message})`, { cause: err });
    }
  }
  if ((type === 2 || type === 5) && !(Array.isArray(packet.data) && packet.data.length > 0)) {
    throw new Error('an event without its [name, ...args] array');
  }
  if ((type === 3 || type === 6) && (packet.ackId === undefined || !Array.isArray(packet.data))) {
    throw new Error('an ack without its id and [args] array');
  }
  return packet;
}

/** The packet's text, with the Engine.IO `4` in front. */
export function writeSioPacket(p: SioPacket): string {
  let s = '4' + String(p.type);
  if (p.attachments !== undefined) {
    s += `${p.attachments}-`;
  }
  if (p.namespace !== '/') {
    s += p.namespace + ',';
  }
  if (p.ackId !== undefined) {
    s += String(p.ackId);
  }
  if (p.data !== undefined) {
    s += JSON.stringify(p.data);
  }
  return s;
}

/** How a binary attachment shows in `args`: its bytes in base64 and their count. */
export interface BinaryArg {
  $binary: string;
  size: number;
}

/** Takes binary values out of `value` (Buffers → placeholders) for sending; `found` gets the buffers. */
export function deconstruct(value: unknown, found: Buffer[]): unknown {
  if (isBinaryArg(value)) {
    found.push(Buffer.from(value.$binary, 'base64'));
    return { _placeholder: true, num: found.length - 1 };
  }
  if (Array.isArray(value)) {
    return value.map((v) => deconstruct(v, found));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = deconstruct(v, found);
    }
    return out;
  }
  return value;
}

/** Puts the attachments back where the placeholders are, as {@link BinaryArg}s. */
export function reconstruct(value: unknown, attachments: readonly Buffer[]): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => reconstruct(v, attachments));
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o._placeholder === true && typeof o.num === 'number') {
      const bytes = attachments[o.num];
      if (!bytes) {
        throw new Error(`attachment ${o.num} is missing`);
      }
      const arg: BinaryArg = { $binary: bytes.toString('base64'), size: bytes.length };
      return arg;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      out[k] = reconstruct(v, attachments);
    }
    return out;
  }
  return value;
}

export function isBinaryArg(value: unknown): value is BinaryArg {
  return !!value && typeof value === 'object' && typeof (value as BinaryArg).$binary === 'string';
}
