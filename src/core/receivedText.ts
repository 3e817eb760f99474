import { ConnRecord, MessageRecord } from './records';

/**
 * A WebSocket text message as it came off the socket. `data` is decoded from the message's UTF-8
 * bytes the first time it is read; until then the record holds those bytes (`utf8`), so a consumer
 * that keeps bytes (the store, and from it the panel's posts) copies them and no string is ever made.
 * Reads, JSON (`toJSON`) and spreads with an explicit `data` see the same record as a plain
 * `MessageRecord`. The bytes view the socket's read buffer: a consumer that keeps the record itself
 * reads `data` (which lets them go).
 */
export class ReceivedText implements MessageRecord {
  readonly kind = 'message';
  readonly dir = 'in';
  readonly format = 'text';
  seq = 0;
  time = '';
  large: boolean | undefined = undefined;
  #bytes: Buffer | undefined;
  #text: string | undefined = undefined;

  /** `bytes` must be valid UTF-8 (`ws` has checked a text message's bytes before it is delivered). */
  constructor(
    bytes: Buffer,
    readonly size: number = bytes.length,
  ) {
    this.#bytes = bytes;
  }

  /** The message's UTF-8 bytes while `data` has not been read; undefined after. */
  get utf8(): Buffer | undefined {
    return this.#bytes;
  }

  get data(): string {
    let text = this.#text;
    if (text === undefined) {
      text = this.#text = this.#bytes!.toString();
      this.#bytes = undefined;
    }
    return text;
  }

  set data(text: string) {
    this.#text = text;
    this.#bytes = undefined;
  }

  toJSON(): MessageRecord {
    const r: MessageRecord = { kind: 'message', dir: 'in', format: 'text', data: this.data, size: this.size, seq: this.seq, time: this.time };
    if (this.large !== undefined) {
      r.large = this.large;
    }
    return r;
  }
}

/** Approximate bytes a record holds in memory, for the store's byte cap. */
export function recordCost(record: ConnRecord): number {
  // Strings are UTF-16 in V8 (often Latin-1, one byte a char, but cap for the worst case is too
  // pessimistic for ASCII streams); a fixed overhead covers the object and its small fields.
  const overhead = 160;
  switch (record.kind) {
    case 'message':
      // A message still in bytes is counted by its bytes (decoding it to count would cost more than keeping it).
      return overhead + (record instanceof ReceivedText && record.utf8 !== undefined ? record.size : record.data.length) + (record.event?.length ?? 0) + (record.lastEventId?.length ?? 0);
    case 'comment':
      return overhead + record.text.length;
    case 'error':
      return overhead + record.message.length + (record.body?.length ?? 0);
    case 'ping':
    case 'pong':
      return overhead + record.data.length;
    default:
      return overhead * 2;
  }
}
