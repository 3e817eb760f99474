/**
 * A decoded message whose protocol fields are read from the frame only when someone asks. Under a
 * flood most messages are never looked at (the store keeps the bytes, the panel shows the last few):
 * parsing each one's JSON at once would cost more than the rest of the pipeline. The cheap fields
 * (`protocol`, `type`, `keepAlive`) are set at once from a peek at the frame, so protocol reactions
 * and `--count` need no parse.
 *
 * As with `ReceivedText`, the lazy fields are getters on the class: read them by name, serialise with
 * `JSON.stringify` (`toJSON`), and copy with {@link plainDecoded} rather than a spread.
 */
import { decodedId, type PeekedRow, RowReading } from '../batchFormat';
import type { AdapterName, Decoded } from '../records';

export abstract class LazyDecoded implements Decoded {
  [field: string]: unknown;
  #fields: Record<string, unknown> | undefined;

  constructor(
    readonly protocol: AdapterName,
    readonly type: string,
    /** The frame the reading reads (nothing writes to it). */
    protected readonly frame: Buffer,
  ) {}

  /** Reads the frame: every field beyond `protocol` and `type` (an `error` when it does not parse). */
  protected abstract parse(): Record<string, unknown>;

  /** The parsed fields, parsed once. */
  protected get fields(): Record<string, unknown> {
    return (this.#fields ??= this.parse());
  }

  get label(): string | undefined {
    return this.fields.label as string | undefined;
  }

  get error(): unknown {
    return this.fields.error;
  }

  toJSON(): Decoded {
    return { protocol: this.protocol, type: this.type, ...this.fields };
  }
}

/**
 * What a {@link FrameReading} reads from a frame's head where it lies, `b[from, to)`, without making
 * the reading: sets `into`'s label and id (the id as text, `decodedId`'s), and says false when the
 * head is not plain enough (then the reading is made and asked).
 */
export type FramePeek = (b: Uint8Array, from: number, to: number, into: PeekedRow) => boolean;

/**
 * A reading of a frame as a function of its bytes alone (one object per protocol and type, shared by
 * every message of that type). A store that keeps a message's bytes keeps this in place of the
 * reading and makes the reading again when asked: a reading kept per message would hold its frame, a
 * buffer object of its own, and under a flood those, kept by the hundred thousand, cost the garbage
 * collector more than the rest of the pipeline together. A batch's row reads its label and id from
 * the store's bytes through it ({@link RowReading}), without making the reading.
 */
export class FrameReading extends RowReading {
  constructor(
    readonly protocol: AdapterName,
    readonly type: string,
    private readonly make: (frame: Buffer) => LazyDecoded,
    private readonly peekHead: FramePeek,
  ) {
    super();
  }

  /** The reading of `frame`, which it keeps: pass bytes nothing will overwrite. */
  read(frame: Buffer): Decoded {
    return this.make(frame);
  }

  peek(b: Uint8Array, from: number, to: number, into: PeekedRow): void {
    if (!this.peekHead(b, from, to, into)) {
      // Not plain at its head: the reading, for one look (it keeps a view of `b`, let go at once).
      const reading = this.make(Buffer.from(b.buffer, b.byteOffset + from, to - from));
      const label = reading.label;
      into.label = typeof label === 'string' ? label : undefined;
      into.id = decodedId(reading);
    }
  }
}

/** A plain copy of `decoded` (its lazy fields read): what a spread or a structured clone may take. */
export function plainDecoded(decoded: Decoded): Decoded {
  return decoded instanceof LazyDecoded ? decoded.toJSON() : decoded;
}
