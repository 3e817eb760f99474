// One ingest trial in a fresh process: node bench/ingest-client.mjs <mode> <url> <n>
//   ws-bare   a bare `ws` client that only counts messages
//   ws-ours   the extension host pipeline (bench/pipeline.ts) over WebSocket
//   sse-bare  a bare fetch + eventsource-parser loop that only counts events
//   sse-ours  the extension host pipeline over SSE
//   ws-connection, sse-connection   the Connection alone (records made, nothing kept)
//   ws-store, sse-store             + the store and the batcher, nothing serialised
//   (a fourth argument, JSON {name, options}: the pipeline runs that protocol adapter)
//   heap      the pipeline over WebSocket for n messages with the default store caps; heap after gc
//             at each quarter (run with --expose-gc)
// Prints one line of JSON: {n, ms, perSec, bytes, posts, postsPerSecMax, ...}. The clock runs from the
// first message to the last one counted (for the pipeline: to the post that carries it), so the
// handshake is left out for every client alike.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const [mode, url, nArg, adapterArg] = process.argv.slice(2);
const N = Number(nArg);
const root = join(import.meta.dirname, '..');

let cpu0;
/** Starts the clocks: wall time and this process's CPU time (all threads, user + system). */
function startClock() {
  cpu0 = process.cpuUsage();
  return performance.now();
}

function report(result) {
  const c = process.cpuUsage(cpu0);
  result.cpuMs = (c.user + c.system) / 1000;
  result.userMs = c.user / 1000;
  result.systemMs = c.system / 1000;
  result.perCpuSec = (result.n * 1000) / result.cpuMs;
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

setTimeout(() => {
  process.stderr.write(`${mode}: timed out\n`);
  process.exit(2);
}, 120_000).unref();

if (mode === 'ws-bare') {
  const WebSocket = require(join(root, 'node_modules/ws'));
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let count = 0;
  let t0 = 0;
  let bytes = 0;
  ws.on('message', (data) => {
    if (count === 0) {
      t0 = startClock();
    }
    bytes += data.length;
    if (++count === N) {
      const ms = performance.now() - t0;
      report({ n: count, ms, perSec: (count * 1000) / ms, bytes });
    }
  });
  ws.on('error', (e) => {
    process.stderr.write(String(e));
    process.exit(1);
  });
} else if (mode === 'sse-bare') {
  const { createParser } = require(join(root, 'node_modules/eventsource-parser'));
  let count = 0;
  let t0 = 0;
  let bytes = 0;
  const parser = createParser({
    onEvent: () => {
      if (count === 0) {
        t0 = startClock();
      }
      count++;
    },
  });
  const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    bytes += chunk.length;
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (count >= N) {
      break;
    }
  }
  const ms = performance.now() - t0;
  report({ n: count, ms, perSec: (count * 1000) / ms, bytes, mbPerSec: bytes / 1e6 / (ms / 1000) });
} else if (/^(ws|sse)-(ours|store|connection)$/.test(mode) || mode === 'heap') {
  const { createPipeline } = require(join(root, 'out/bench/pipeline.js'));
  let t0 = 0;
  let done = false;
  const heap = [];
  let lastPostBytes = 0;
  const stage = mode.endsWith('-store') ? 'store' : mode.endsWith('-connection') ? 'connection' : 'full';
  const p = createPipeline({
    url,
    stage,
    ...(adapterArg ? { adapter: JSON.parse(adapterArg) } : {}),
    onMessage: (_record, count) => {
      if (count === 1) {
        t0 = startClock();
      }
      if (mode === 'heap' && count % (N / 4) === 0) {
        globalThis.gc?.();
        heap.push({
          at: count,
          heapMb: process.memoryUsage().heapUsed / 1048576,
          storeSize: p.store.size,
          storeMb: p.store.bytes / 1048576,
        });
      }
      if (count === N && stage === 'connection') {
        done = true;
        const ms = performance.now() - t0;
        report({ n: count, ms, perSec: (count * 1000) / ms, bytes: p.conn.stats.bytesIn });
      }
      if (count === N) {
        // The last message leaves in this post, as the panel's next flush would send it.
        done = true;
        p.batcher.flush();
      }
    },
    onPost: (post) => {
      lastPostBytes = post.bytes;
      if (done) {
        const ms = performance.now() - t0;
        const bytes = p.conn.stats.bytesIn;
        const result = {
          n: p.messages,
          ms,
          perSec: (p.messages * 1000) / ms,
          bytes,
          mbPerSec: bytes / 1e6 / (ms / 1000),
          posts: p.postTimes.length,
          postsPerSecMax: p.postsPerSecMax(),
          recordsPerPost: p.posted / p.postTimes.length,
          lastPostBytes,
        };
        if (mode === 'heap') {
          p.dispose();
          globalThis.gc?.();
          result.heap = heap;
          result.heapAfterDisposeMb = process.memoryUsage().heapUsed / 1048576;
          result.storeCaps = p.store.options;
        }
        report(result);
      }
    },
  });
  p.conn.onDidChangeState((s) => {
    if ((s.state === 'failed' || s.state === 'closed') && !done) {
      process.stderr.write(`${mode}: connection ${s.state} after ${p.messages} messages: ${JSON.stringify(s.lastError ?? s.lastClose)}\n`);
      process.exit(1);
    }
  });
  p.connect();
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
