/**
 * The extension host's record pipeline, without VS Code: transport → record (Connection) → store
 * (MessageStore) → batcher (Batcher, with InspectorPanel's interval) → the panel's per-record conversion
 * (forWebview) → one serialised `records` post. `JSON.stringify` of the post stands for the
 * structured serialisation VS Code's `webview.postMessage` does. Bundled by bench/run.mjs with the
 * same esbuild settings as the production extension.
 */
import { Batcher } from '../src/core/batcher';
import { createConnection } from '../src/core/index';
import type { ConnectionOptions } from '../src/core/options';
import type { ConnRecord } from '../src/core/records';
import { DEFAULT_STORE, MessageStore } from '../src/core/store';
import { forWebview } from '../src/panel/forWebview';

export { DEFAULT_STORE, MessageStore };

export interface PipelineOptions {
  url: string;
  /** Called with each serialised post (the string VS Code would carry to the webview). */
  onPost?: (json: string, records: number) => void;
  /** Called after every message record has gone into the store and the batcher. */
  onMessage?: (record: ConnRecord, count: number) => void;
  /**
   * For the cost breakdown: `connection` stops after the Connection (records made, nothing kept),
   * `store` adds the store and the batcher but posts nothing; `full` (default) is the whole pipeline.
   */
  stage?: 'connection' | 'store' | 'full';
}

/** InspectorPanel's BATCH_INTERVAL_MS, read from its source by bench/run.mjs at bundle time. */
declare const __BATCH_INTERVAL_MS__: number;

/** Tail of the SSE body kept for the raw view, as the extension's Session keeps it. */
const RAW_TAIL = 64 * 1024;

export function createPipeline(o: PipelineOptions) {
  const options: ConnectionOptions = { url: o.url, reconnect: { enabled: false } };
  // What Session.onRawChunk does for SSE: decode the body and keep a bounded tail.
  const raw: string[] = [];
  let rawLength = 0;
  const decoder = new TextDecoder('utf-8');
  options.onRaw = (chunk: Buffer) => {
    const text = decoder.decode(chunk, { stream: true });
    if (!text) {
      return;
    }
    raw.push(text);
    rawLength += text.length;
    while (rawLength > RAW_TAIL && raw.length > 1) {
      rawLength -= raw.shift()!.length;
    }
  };
  const conn = createConnection(options);
  const store = new MessageStore();
  const batcher = new Batcher<ConnRecord>(__BATCH_INTERVAL_MS__);
  const postTimes: number[] = [];
  let messages = 0;
  let posted = 0;
  const stage = o.stage ?? 'full';
  batcher.onFlush((records) => {
    if (stage !== 'full') {
      postTimes.push(performance.now());
      posted += records.length;
      o.onPost?.('', records.length);
      return;
    }
    const redactor = conn.secrets;
    const limit = store.options.displayLimit;
    const json = JSON.stringify({
      type: 'records',
      records: records.map((r) => forWebview(r, redactor, limit)),
      stats: { ...conn.stats },
      dropped: store.dropped,
    });
    postTimes.push(performance.now());
    posted += records.length;
    o.onPost?.(json, records.length);
  });
  conn.onRecord((record) => {
    if (stage !== 'connection') {
      store.add(record);
      batcher.push(record);
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
