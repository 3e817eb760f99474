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
import type { AdapterName, Decoded } from '../records';

export abstract class LazyDecoded implements Decoded {
  [field: string]: unknown;
  #fields: Record<string, unknown> | undefined;

  constructor(
    readonly protocol: AdapterName,
    readonly type: string,
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

/** A plain copy of `decoded` (its lazy fields read): what a spread or a structured clone may take. */
export function plainDecoded(decoded: Decoded): Decoded {
  return decoded instanceof LazyDecoded ? decoded.toJSON() : decoded;
}
