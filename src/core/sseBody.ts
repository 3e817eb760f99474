/**
 * The SSE response body, decoded: Content-Encoding first (a user may send Accept-Encoding), then the
 * UTF-8 text of the event stream, its lines ready for the field parser (sseFields.ts).
 */
import { isAscii } from 'node:buffer';
import type * as http from 'node:http';
import { TextDecoder } from 'node:util';
import { type BodyDecoder, createBodyDecoder } from './decode';

/** Where an open stream's body goes. */
export interface BodyListener {
  /** Bytes as they came off the network (counted, shown raw). */
  received(chunk: Buffer): void;
  /** Bytes of the event stream itself, after any Content-Encoding. */
  decoded(chunk: Buffer): void;
  /** The body ended. */
  ended(): void;
  /** A Content-Encoding's data is corrupt. */
  undecodable(coding: string, err: Error): void;
  /** The attempt is over: nothing more is read. */
  isOver(): boolean;
}

/**
 * Reads `res`'s body into `listener`, decoded by `codings` (all supported) in order. Returns the
 * decoder that holds the codings' state, to destroy at teardown, if there is one.
 */
export function readBody(res: http.IncomingMessage, codings: string[], listener: BodyListener): BodyDecoder | undefined {
  if (codings.length === 0) {
    res.on('data', (chunk: Buffer) => {
      if (!listener.isOver()) {
        listener.received(chunk);
        listener.decoded(chunk);
      }
    });
    res.on('end', () => listener.ended());
    return undefined;
  }
  // We never ask for compression, but a user may send Accept-Encoding (headers copied from a
  // browser): decode as a browser would, each flushed block as it comes.
  const decoder = createBodyDecoder(
    codings,
    (chunk) => listener.decoded(chunk),
    () => listener.ended(),
    (coding, err) => listener.undecodable(coding, err),
  );
  res.on('data', (chunk: Buffer) => {
    if (!listener.isOver()) {
      listener.received(chunk);
      decoder.write(chunk);
    }
  });
  res.on('end', () => decoder.end());
  return decoder;
}

/** The event stream's bytes as text: UTF-8, one leading BOM stripped, a chunk-final CR completed to CRLF. */
export class StreamText {
  // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any." A streaming
  // TextDecoder does exactly that, once per stream, and replaces invalid sequences with U+FFFD as
  // the Encoding standard says, also when a character is split across chunks.
  private readonly decoder = new TextDecoder('utf-8');
  /**
   * The decoder has made text once (so it has decided on the leading BOM) and holds no part of a
   * character: an ASCII chunk can then be read as it is, without it.
   */
  private decoderIdle = false;
  /** The previous text ended in CR (completed to CRLF): a leading LF of the next one is that CR's own LF. */
  private pendingCr = false;
  /** Every byte of this response so far was ASCII: a string's UTF-8 length is its length. */
  allAscii = true;

  /** The text of `chunk`, or undefined when it holds none yet (part of a character). */
  decode(chunk: Buffer): string | undefined {
    // Most streams are ASCII (JSON escapes the rest). An ASCII chunk read as Latin-1 is the same text
    // as decoded, made in one copy and one byte a character (the decoder makes two: it goes through
    // UTF-16), which everything after it reads faster.
    const ascii = isAscii(chunk);
    let text: string;
    if (ascii && this.decoderIdle) {
      text = chunk.toString('latin1');
    } else {
      text = this.decoder.decode(chunk, { stream: true });
      if (!ascii) {
        this.allAscii = false;
      }
      // Ending in an ASCII byte, the chunk left no part of a character behind.
      this.decoderIdle = text.length > 0 && chunk[chunk.length - 1] < 0x80;
    }
    if (text.length === 0) {
      return undefined;
    }
    // "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character
    // pair, a single U+000A LINE FEED (LF) character, or a single U+000D CARRIAGE RETURN (CR)
    // character." The parser holds a chunk-final CR until it sees whether LF follows, which delays
    // the last event of a CR-only stream until more bytes come. A final CR ends a line either way, so
    // it is completed to CRLF now, and a next chunk's leading LF (that CR's own LF) is dropped.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.charCodeAt(0) === 10) {
        text = text.slice(1);
      }
    }
    if (text.charCodeAt(text.length - 1) === 13) {
      this.pendingCr = true;
      text += '\n';
    }
    return text;
  }
}
