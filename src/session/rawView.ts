import { Disposable, Emitter } from '../core/lifecycle';
import type { Redactor } from '../core/redactor';
import { RawTail } from '../core/rawTail';

/** Bytes of the SSE stream kept for the raw view. */
const RAW_TAIL_BYTES = 64 * 1024;

/**
 * What the SSE raw view shows of one session: the tail of the stream as received, kept small so the
 * view can open with context, and the text of each chunk as it arrives, decoded only while someone
 * listens.
 */
export class RawView extends Disposable {
  private readonly tail = new RawTail(RAW_TAIL_BYTES);
  /** Decodes the chunks for `onDidRaw` listeners. */
  private rawDecoder = new TextDecoder('utf-8');

  private readonly _onDidRaw = this._register(new Emitter<string>());
  /** SSE: the response body's text as it arrives. Fired only while someone listens. */
  readonly onDidRaw = this._onDidRaw.event;

  /** The kept tail of the SSE stream, secrets masked. */
  text(redactor: Redactor): string {
    return this.tail.maskedText(redactor);
  }

  /** A new response starts: a multi-byte character cut by the last one must not leak into this one. */
  responseStart(): void {
    this.rawDecoder = new TextDecoder('utf-8');
    this.tail.responseStart();
  }

  readonly onRawChunk = (chunk: Buffer): void => {
    this.tail.push(chunk);
    if (this._onDidRaw.hasListeners) {
      const text = this.rawDecoder.decode(chunk, { stream: true });
      if (text) {
        this._onDidRaw.fire(text);
      }
    }
  };
}
