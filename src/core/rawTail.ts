import type { Redactor } from './redactor';

function partSize(part: Buffer | null): number {
  return part === null ? 0 : part.length;
}

/** A response's bytes before this one: the marker between two responses in the tail. */
const RESPONSE_START = null;

/**
 * The tail of a byte stream as received (the SSE raw view), bounded in bytes. Kept as bytes and
 * decoded as UTF-8 only when read: under a flood the raw view is rarely open, and decoding every
 * chunk twice (once for the parser, once for the tail) would cost more than the rest of the tail.
 * Responses are kept apart: a character cut by the end of one must not join the next.
 */
export class RawTail {
  private parts: (Buffer | typeof RESPONSE_START)[] = [];
  private bytes = 0;
  /** The first part starts where the stream was cut, perhaps inside a character. */
  private cut = false;

  constructor(readonly maxBytes: number) {}

  /** Adds a chunk (copied: the caller's buffer may be reused). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) {
      return;
    }
    const kept = Buffer.from(chunk.subarray(Math.max(0, chunk.length - this.maxBytes)));
    if (kept.length < chunk.length) {
      this.parts = [];
      this.bytes = 0;
      this.cut = true;
    }
    this.parts.push(kept);
    this.bytes += kept.length;
    // Whole parts go while what stays is still enough; then the first is cut to size.
    while (this.parts.length > 1 && this.bytes - partSize(this.parts[0]) >= this.maxBytes) {
      const first = this.parts.shift()!;
      if (first !== RESPONSE_START) {
        this.bytes -= first.length;
        // The next part starts where the network cut the stream: perhaps inside a character too.
        this.cut = true;
      }
    }
    if (this.parts[0] === RESPONSE_START && this.bytes > this.maxBytes) {
      this.parts.shift();
    }
    if (this.bytes > this.maxBytes) {
      this.parts[0] = (this.parts[0] as Buffer).subarray(this.bytes - this.maxBytes);
      this.bytes = this.maxBytes;
      this.cut = true;
    }
  }

  /** A new response begins: what follows is decoded apart from what came before. */
  responseStart(): void {
    if (this.parts.length && this.parts[this.parts.length - 1] !== RESPONSE_START) {
      this.parts.push(RESPONSE_START);
    }
  }

  /**
   * The tail as text. It starts at a whole character; a character that the last chunk ends inside is
   * still coming and left out; invalid bytes read as U+FFFD.
   */
  text(): string {
    let text = '';
    let decoder = new TextDecoder('utf-8');
    for (let i = 0; i < this.parts.length; i++) {
      const part = this.parts[i];
      if (part === RESPONSE_START) {
        text += decoder.decode();
        decoder = new TextDecoder('utf-8');
        continue;
      }
      let from = 0;
      if (i === 0 && this.cut) {
        // Skip the continuation bytes (10xxxxxx) of a character cut in two.
        while (from < 3 && from < part.length && (part[from] & 0xc0) === 0x80) {
          from++;
        }
      }
      text += decoder.decode(part.subarray(from), { stream: true });
    }
    return text;
  }

  /**
   * The tail as text with `redactor`'s secrets masked. Masked after the cut, so when the tail was cut
   * from a longer stream its first characters may be the end of a secret that began before: those are
   * masked too ({@link Redactor.cutText}), and the tail never starts in clear inside a secret.
   */
  maskedText(redactor: Redactor): string {
    const text = this.text();
    if (!redactor.hasSecrets) {
      return text;
    }
    return this.cut ? redactor.cutText(text) : redactor.text(text);
  }

  /** Bytes kept. */
  get size(): number {
    return this.bytes;
  }
}
