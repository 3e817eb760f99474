/**
 * The extension host's record pipeline, without VS Code: transport → record (Connection) → store
 * (MessageStore) → batcher (Batcher, with InspectorPanel's interval, pacing the posts) → the store's
 * records since the last post, packed for the webview as the panel packs them (packStored) → one
 * `records` post, serialised as VS Code's `webview.postMessage` serialises it (`serializeForWebview`).
 * Bundled by bench/run.mjs with the same esbuild settings as the production extension.
 */
import { Batcher } from '../src/core/batcher';
import { createConnection } from '../src/core/index';
import type { ConnectionOptions } from '../src/core/options';
import type { ConnRecord } from '../src/core/records';
import { RawTail } from '../src/core/rawTail';
import { DEFAULT_STORE, MessageStore } from '../src/core/store';
import { packStored } from '../src/panel/batch';

export { DEFAULT_STORE, MessageStore };

export interface PipelineOptions {
  url: string;
  /** Called with each serialised post (what VS Code would carry to the webview). */
  onPost?: (post: SerializedPost, records: number) => void;
  /** Called after every message record has gone into the store and the batcher. */
  onMessage?: (record: ConnRecord, count: number) => void;
  /**
   * For the cost breakdown: `connection` stops after the Connection (records made, nothing kept),
   * `store` adds the store and the batcher but posts nothing; `full` (default) is the whole pipeline.
   */
  stage?: 'connection' | 'store' | 'full';
  /** A protocol adapter on the WebSocket (bench/adapters-run.mjs: its cost over the same frames without it). */
  adapter?: ConnectionOptions['adapter'];
}

/** InspectorPanel's BATCH_INTERVAL_MS, read from its source by bench/run.mjs at bundle time. */
declare const __BATCH_INTERVAL_MS__: number;

/** Tail of the SSE body kept for the raw view, as the extension's Session keeps it. */
const RAW_TAIL = 64 * 1024;

export function createPipeline(o: PipelineOptions) {
  const options: ConnectionOptions = { url: o.url, reconnect: { enabled: false } };
  if (o.adapter) {
    options.adapter = o.adapter;
  }
  // BENCH_SECRET: the connection has a secret to mask (an Authorization header, a ${secret:…}), which
  // the stream does not carry: the cost of a flood on most real endpoints.
  if (process.env.BENCH_SECRET) {
    options.secrets = [process.env.BENCH_SECRET];
  }
  // What Session.onRawChunk does for SSE: keep a bounded tail of the body's bytes (decoded when the
  // raw view reads it; nobody does here).
  const raw = new RawTail(RAW_TAIL);
  const conn = createConnection(options);
  conn.onRawChunk((chunk: Buffer) => raw.push(chunk));
  const store = new MessageStore();
  // As InspectorPanel: the batcher paces the posts and holds nothing; each post reads what the
  // store took since the last one.
  const batcher = new Batcher(__BATCH_INTERVAL_MS__);
  let mark = 0;
  const postTimes: number[] = [];
  let messages = 0;
  let posted = 0;
  const stage = o.stage ?? 'full';
  batcher.onFlush((pushed) => {
    if (stage !== 'full') {
      postTimes.push(performance.now());
      posted += pushed;
      o.onPost?.(NOTHING, pushed);
      return;
    }
    const from = store.positionAfter(mark);
    mark = store.added;
    if (from >= store.size) {
      return;
    }
    const count = store.size - from;
    const post = serializeForWebview({
      type: 'records',
      records: packStored(store, from, store.size, conn.redactor, store.options.displayLimit),
      stats: { ...conn.stats },
      dropped: store.dropped,
    });
    postTimes.push(performance.now());
    posted += count;
    o.onPost?.(post, count);
  });
  conn.onRecord((record) => {
    if (stage !== 'connection') {
      store.add(record);
      batcher.push();
    }
    if (record.kind === 'message') {
      messages++;
      o.onMessage?.(record, messages);
    }
  });
  return {
    conn,
    store,
    batcher,
    postTimes,
    /** Most posts in any one-second window. */
    postsPerSecMax: () => maxPerSecond(postTimes),
    get messages() {
      return messages;
    },
    get posted() {
      return posted;
    },
    connect: () => conn.connect(),
    dispose: () => {
      batcher.dispose();
      conn.dispose();
    },
  };
}

/** Most entries (ms timestamps, ascending) in any one-second window. */
export function maxPerSecond(times: readonly number[]): number {
  let best = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) {
      j++;
    }
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export interface SerializedPost {
  /** The message as JSON, binary data replaced by references into `buffers`. */
  json: string;
  buffers: Uint8Array[];
  /** Bytes on the wire: the JSON as UTF-8 and the buffers. */
  bytes: number;
}

const NOTHING: SerializedPost = { json: '', buffers: [], bytes: 0 };

/**
 * What VS Code does on the host to a message given to `webview.postMessage` (its
 * serializeWebviewMessage, for extensions that target VS Code 1.57 or later): JSON.stringify with a
 * replacer that takes every ArrayBuffer and typed array out as a reference, the buffers going
 * alongside as binary; then the JSON text and the buffers are written to the channel to the
 * renderer, which here is one UTF-8 encoding and one copy each.
 */
export function serializeForWebview(message: unknown): SerializedPost {
  const found: ArrayBufferLike[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const buffer = value instanceof ArrayBuffer ? value : value.buffer;
      let index = found.indexOf(buffer);
      if (index < 0) {
        index = found.push(buffer) - 1;
      }
      return ArrayBuffer.isView(value)
        ? {
            $$vscode_array_buffer_reference$$: true,
            index,
            view: { type: value.constructor.name, byteLength: value.byteLength, byteOffset: value.byteOffset },
          }
        : { $$vscode_array_buffer_reference$$: true, index };
    }
    return value;
  });
  const wire = Buffer.concat([Buffer.from(json, 'utf8'), ...found.map((b) => new Uint8Array(b))]);
  return { json, buffers: found.map((b) => new Uint8Array(b)), bytes: wire.length };
}
