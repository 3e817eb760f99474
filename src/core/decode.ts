/**
 * Content-Encoding of a response body, decoded as browsers decode it: `gzip` (and `x-gzip`),
 * `deflate` as zlib-wrapped data or as raw DEFLATE (what servers often send; browsers accept both,
 * told apart by the first two bytes), `br`, and `zstd` where this Node has it; several codings
 * stacked (`gzip, gzip`) are undone last first. Each flushed block is decoded as it comes, so a
 * compressed event stream still arrives event by event.
 */
import * as zlib from 'node:zlib';

/** More codings than this on one response is not a real server: refused rather than stacking decoders. */
export const MAX_CODINGS = 4;

const ZLIB_FLUSH = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_FLUSH = { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

type ZstdFactory = (options?: object) => zlib.Gunzip;
/** Node 22.15+ / 23.8+ have zstd; Node 20 does not. */
const createZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress;

export interface BodyDecoder {
  write(chunk: Buffer): void;
  end(): void;
  /** Stops decoding; nothing is reported afterwards. */
  destroy(): void;
}

interface Sink {
  data(chunk: Buffer): void;
  end(): void;
}

/** The codings a Content-Encoding value lists, in the order they were applied; `identity` left out. */
export function codingsOf(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/** Why a Content-Encoding cannot be decoded, or undefined when it can. */
export function unsupportedCoding(codings: string[]): string | undefined {
  if (codings.length > MAX_CODINGS) {
    return `Content-Encoding lists ${codings.length} codings; at most ${MAX_CODINGS} are decoded`;
  }
  for (const c of codings) {
    if (c === 'zstd' && !createZstd) {
      return `Unsupported Content-Encoding: zstd (this Node.js ${process.version} cannot decode it; gzip, deflate and br can be)`;
    }
    if (!['gzip', 'x-gzip', 'deflate', 'br', 'zstd'].includes(c)) {
      return `Unsupported Content-Encoding: ${c} (gzip, deflate and br${createZstd ? ', zstd' : ''} can be decoded)`;
    }
  }
  return undefined;
}

/**
 * A decoder for `codings` (checked with {@link unsupportedCoding} first): decoded bytes go to
 * `onData`, the end of the decoded body to `onEnd`, the first decoding error to `onError`.
 */
export function createBodyDecoder(
  codings: string[],
  onData: (chunk: Buffer) => void,
  onEnd: () => void,
  onError: (coding: string, err: Error) => void,
): BodyDecoder {
  const streams: zlib.Gunzip[] = [];
  let stopped = false;
  const fail = (coding: string, err: Error) => {
    if (!stopped) {
      stopped = true;
      onError(coding, err);
    }
  };
  let sink: Sink = {
    data: (chunk) => {
      if (!stopped) {
        onData(chunk);
      }
    },
    end: () => {
      if (!stopped) {
        onEnd();
      }
    },
  };
  // The last coding applied is the first undone: build from the body's end of the chain backwards.
  for (const coding of codings) {
    sink = stage(coding, sink, streams, fail);
  }
  const first = sink;
  return {
    write: (chunk) => {
      if (!stopped) {
        first.data(chunk);
      }
    },
    end: () => {
      if (!stopped) {
        first.end();
      }
    },
    destroy: () => {
      stopped = true;
      for (const s of streams) {
        s.removeAllListeners('data');
        s.removeAllListeners('end');
        s.on('error', noop);
        s.destroy();
      }
      streams.length = 0;
    },
  };
}

function stage(coding: string, next: Sink, streams: zlib.Gunzip[], fail: (coding: string, err: Error) => void): Sink {
  const wire = (s: zlib.Gunzip): zlib.Gunzip => {
    streams.push(s);
    s.on('data', (chunk: Buffer) => next.data(chunk));
    s.on('end', () => next.end());
    s.on('error', (err) => fail(coding, err));
    return s;
  };
  if (coding !== 'deflate') {
    const s = wire(
      coding === 'br'
        ? (zlib.createBrotliDecompress(BROTLI_FLUSH) as unknown as zlib.Gunzip)
        : coding === 'zstd'
          ? createZstd!()
          : zlib.createGunzip(ZLIB_FLUSH),
    );
    return { data: (chunk) => s.write(chunk), end: () => s.end() };
  }
  // deflate: zlib-wrapped (RFC 1950) or raw (RFC 1951), decided by the first two bytes as browsers do.
  let s: zlib.Gunzip | undefined;
  let head: Buffer | undefined;
  const start = (bytes: Buffer) => {
    s = wire((isZlibHeader(bytes) ? zlib.createInflate(ZLIB_FLUSH) : zlib.createInflateRaw(ZLIB_FLUSH)) as unknown as zlib.Gunzip);
    s.write(bytes);
  };
  return {
    data: (chunk) => {
      if (s) {
        s.write(chunk);
        return;
      }
      head = head ? Buffer.concat([head, chunk]) : chunk;
      if (head.length >= 2) {
        const bytes = head;
        head = undefined;
        start(bytes);
      }
    },
    end: () => {
      if (!s) {
        start(head ?? Buffer.alloc(0));
      }
      s!.end();
    },
  };
}

/** RFC 1950: CM 8 (deflate) in the low nibble of the first byte, and the two bytes a multiple of 31. */
function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

function noop(): void {
  // errors after destroy are of no interest
}
