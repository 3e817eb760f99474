import { FrameReading } from './adapters/lazyDecoded';
import { type ConnRecord, type Decoded, type MessageRecord } from './records';

/**
 * A WebSocket text message as it came off the socket, as the connection hands it to its record
 * listeners. `data` is decoded from the message's UTF-8 bytes the first time it is read; until then
 * the record holds those bytes (`utf8`), so the store copies them as they are and no string is made
 * for a message nobody reads (decoding each one would cost about a tenth of the ingest rate). Two
 * readers take the bytes on purpose: the store, which gives back plain records (`data` an own
 * property) from every read, and the CLI, which writes a large message as its bytes.
 *
 * `data` is a getter on the class, not an own property: reads and JSON (`toJSON`) see the plain
 * record, but a spread keeps `data` only when it names it (`{ ...r, data: r.data }`). The bytes view
 * the socket's read buffer: a consumer that keeps the record itself reads `data` (which lets them go).
 */
export class ReceivedText implements MessageRecord {
  readonly kind = 'message';
  readonly dir = 'in';
  readonly format = 'text';
  seq = 0;
  time = '';
  large: boolean | undefined = undefined;
  /** A protocol adapter's reading: only a {@link DecodedText} has one. */
  get decoded(): Decoded | undefined {
    return undefined;
  }

  set decoded(_decoded: Decoded | undefined) {
    throw new TypeError('a ReceivedText has no reading: make a DecodedText');
  }
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
    const r: MessageRecord = {
      kind: 'message',
      dir: 'in',
      format: 'text',
      data: this.data,
      size: this.size,
      seq: this.seq,
      time: this.time,
    };
    if (this.large !== undefined) {
      r.large = this.large;
    }
    if (this.decoded !== undefined) {
      r.decoded = this.decoded;
    }
    return r;
  }
}

/**
 * `r` as plain data, what a spread may copy: a {@link ReceivedText}'s fields (its `data` decoded, its
 * `decoded` as an own field), any other record as it is.
 */
export function plainRecord(r: ConnRecord): ConnRecord {
  return r instanceof ReceivedText ? r.toJSON() : r;
}

/**
 * A text message a protocol adapter read. Its reading is given at construction, or the shared
 * {@link FrameReading} of its type, which makes it from the message's bytes when `decoded` is first
 * read: a flood of messages nobody looks at makes no reading per message, and the store keeps the
 * shared reading (`frameReading`) with the bytes it copies.
 */
export class DecodedText extends ReceivedText {
  #decoded: Decoded | undefined;
  #reading: FrameReading | undefined;

  constructor(bytes: Buffer, decoded: Decoded | FrameReading) {
    super(bytes);
    if (decoded instanceof FrameReading) {
      this.#reading = decoded;
    } else {
      this.#decoded = decoded;
    }
  }

  override get decoded(): Decoded {
    return (this.#decoded ??= this.#reading!.read(this.utf8 ?? Buffer.from(this.data)));
  }

  override set decoded(decoded: Decoded) {
    this.#decoded = decoded;
    this.#reading = undefined;
  }

  /** The shared reading `decoded` is (or was) made from, when it is one. */
  get frameReading(): FrameReading | undefined {
    return this.#reading;
  }
}
