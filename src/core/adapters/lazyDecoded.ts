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
import { decodedId, RowReading } from '../batchFormat';
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

  /**
   * How this reading is made again from its frame alone, when it depends on nothing else: the store
   * keeps that instead of the reading (see {@link FrameReading}). Undefined when it depends on more.
   */
  abstract get reading(): FrameReading | undefined;

  /** Whether this reads `bytes` (the very buffer, not a copy). */
  reads(bytes: Buffer): boolean {
    return this.frame === bytes;
  }

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

/** What a {@link FrameReading} reads from a frame's head where it lies, `b[from, to)`, without making the reading. */
export interface FramePeeks {
  /** The log's label; undefined when the head is not plain enough (then the reading is made and asked). */
  label(b: Uint8Array, from: number, to: number): string | undefined;
  /** The id as text (`decodedId`'s); null when it has none; undefined when the head is not plain enough. */
  id(b: Uint8Array, from: number, to: number): string | null | undefined;
}

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
    private readonly peeks: FramePeeks,
  ) {
    super();
  }

  /** The reading of `frame`, which it keeps: pass bytes nothing will overwrite. */
  read(frame: Buffer): Decoded {
    return this.make(frame);
  }

  label(b: Uint8Array, from: number, to: number): string | undefined {
    return this.peeks.label(b, from, to) ?? this.readAt(b, from, to).label;
  }

  id(b: Uint8Array, from: number, to: number): string | undefined {
    const id = this.peeks.id(b, from, to);
    return id === null ? undefined : (id ?? decodedId(this.readAt(b, from, to)));
  }

  /** The reading of a frame that is not plain at its head, for one look (it keeps a view of `b`). */
  private readAt(b: Uint8Array, from: number, to: number): Decoded {
    return this.make(Buffer.from(b.buffer, b.byteOffset + from, to - from));
  }
}

/** What a store may keep of `decoded`, the reading of `bytes`: its {@link FrameReading} when it has one, else itself. */
export function keptReading(decoded: Decoded, bytes: Buffer | undefined): Decoded | FrameReading {
  if (bytes !== undefined && decoded instanceof LazyDecoded && decoded.reads(bytes)) {
    return decoded.reading ?? decoded;
  }
  return decoded;
}

/** A plain copy of `decoded` (its lazy fields read): what a spread or a structured clone may take. */
export function plainDecoded(decoded: Decoded): Decoded {
  return decoded instanceof LazyDecoded ? decoded.toJSON() : decoded;
}
