// Over 400 lines: the webview's four figures share one page, one stream and one trace reader.
// Webview figures, in headless Chromium with the production dist/webview.js:
//   stream   100,000 records at 10,000/s, one `records` message per batch interval of the panel (the
//            host's batch size at that rate), delivered with window.postMessage (structured clone, as
//            from the host): most log rows in the DOM, long tasks (PerformanceObserver 'longtask') p95
//   filter   typing a filter over the 100,000 records: input event → the filtered rows on screen
//   latency  a local WebSocket server (bench/server.mjs, its own process) sends 100 messages/s with
//            the send time in the payload; this process runs the host pipeline (bench/pipeline.ts)
//            and hands each serialised post to the page; latency = row in the DOM − send time
// Usage: node bench/webview.mjs <server-port>   → one line of JSON on stdout.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const serverPort = Number(process.argv[2]);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];
const NONCE = 'YmVuY2gtbm9uY2U';
/** The production build (bench/run.mjs passes its private copy). */
const DIST = process.env.BENCH_DIST ?? join(root, 'dist');
/** The panel's batch interval (bench/run.mjs reads it from the panel's source): one post per interval. */
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 18);
const LATENCY_MESSAGES = Number(process.env.BENCH_LATENCY_N ?? 600);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 3);
const WARMUP = 50;
const STREAM_RUNS = Number(process.env.BENCH_STREAM_RUNS ?? 3);

const MIME = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };
const THEME = join(root, 'test/browser/fixtures/theme-dark.css');

function page(origin) {
  const csp = `default-src 'none'; style-src ${origin}; font-src ${origin}; script-src 'nonce-${NONCE}';`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
${existsSync(THEME) ? '<link rel="stylesheet" href="/theme.css">' : ''}
<link rel="stylesheet" href="/dist/codicons/codicon.css"><link rel="stylesheet" href="/dist/webview.css">
</head><body class="vscode-dark"><div id="app"></div>
<script nonce="${NONCE}" src="/page/harness.js"></script><script nonce="${NONCE}" src="/dist/webview.js"></script>
</body></html>`;
}

const http = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const origin = `http://127.0.0.1:${http.address().port}`;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(origin));
    return;
  }
  const file =
    path === '/theme.css'
      ? THEME
      : path.startsWith('/dist/')
        ? join(DIST, path.slice(6))
        : path.startsWith('/page/')
          ? join(import.meta.dirname, path)
          : undefined;
  if (!file || file.includes('..') || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((r) => http.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${http.address().port}`;

function init(kind) {
  return {
    type: 'init',
    connectionId: 'bench',
    config: {
      url: kind === 'ws' ? 'ws://127.0.0.1/ws' : 'http://127.0.0.1/sse',
      kind: 'auto',
      headers: [],
      method: 'GET',
      body: '',
      protocols: [],
    },
    status: { state: 'open', since: Date.now(), autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats: { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 },
    settings: { displayLimit: 262144, timestampFormat: 'time' },
    records: null, // an empty batch, made in the page (typed arrays do not cross page.evaluate)
    dropped: 0,
  };
}

const { chromium } = require(join(root, 'node_modules/playwright-core'));
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 });
const version = browser.version();
const result = { chromium: version };

async function openPage() {
  const p = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  p.setDefaultTimeout(60_000);
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(origin);
  await p.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'));
  return { p, errors };
}

async function latencyRun() {
  const { p, errors } = await openPage();
  await p.evaluate(
    (m) =>
      window.postMessage(
        { ...m, records: { n: 0, others: [], seq: [], time: [], events: [], fields: new Int32Array(0), text: new Uint8Array(0) } },
        '*',
      ),
    init('ws'),
  );
  await p.evaluate((warmup) => {
    const sent = new Map();
    window.__lat = [];
    window.__deliver = (wire) => {
      // What VS Code does on the webview's side: the message with its typed arrays put back.
      const buffers = wire.buffers.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      const types = { Int32Array, Uint8Array };
      const msg = JSON.parse(wire.json, (_key, v) => {
        if (v && typeof v === 'object' && v.$$vscode_array_buffer_reference$$) {
          const buffer = buffers[v.index].buffer;
          const Type = types[v.view.type];
          return new Type(buffer, v.view.byteOffset, v.view.byteLength / Type.BYTES_PER_ELEMENT);
        }
        return v;
      });
      // The packed batch's message rows (RecordBatch): seq runs, and each row's data at the start
      // of its strings in the text (the paced messages have nothing else).
      const b = msg.records;
      const text = new TextDecoder().decode(b.text);
      for (let run = 0, row = 0, at = 0; run < b.seq.length; run += 2) {
        for (let k = 0; k < b.seq[run + 1]; k++, row++) {
          const len = b.fields[row * 6 + 1];
          const m = JSON.parse(text.slice(at, at + len)); // ASCII: byte offsets are character offsets
          at += len;
          if (m.i > warmup) {
            sent.set(b.seq[run] + k, m.t);
          }
        }
      }
      // As the real webview gets it: a message event on the window (structured clone).
      window.postMessage(msg, '*');
    };
    // A row counts once it is in the DOM and shown, in the frame that paints it.
    new MutationObserver(() => {
      if (!sent.size) {
        return;
      }
      const now = performance.timeOrigin + performance.now();
      for (const el of document.querySelectorAll('.log .row[data-seq]:not([hidden])')) {
        const seq = Number(el.dataset.seq);
        const t = sent.get(seq);
        if (t !== undefined) {
          sent.delete(seq);
          window.__lat.push(now - t);
        }
      }
    }).observe(document.querySelector('.log'), {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-seq', 'hidden'],
    });
  }, WARMUP);
  const { createPipeline } = require(join(root, 'out/bench/pipeline.js'));
  let chain = Promise.resolve();
  const hostLegs = [];
  const pipe = createPipeline({
    url: `ws://127.0.0.1:${serverPort}/ws/paced?rate=100&n=${LATENCY_MESSAGES}`,
    onMessage: (r) => {
      const m = JSON.parse(r.data);
      if (m.i > WARMUP) {
        // Server send → record in the host's store: the network and this process's event loop.
        hostLegs.push(performance.timeOrigin + performance.now() - m.t);
      }
    },
    onPost: (post) => {
      // In order, one at a time, as VS Code's channel to the webview delivers them.
      const wire = {
        json: post.json,
        buffers: post.buffers.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')),
      };
      chain = chain.then(() => p.evaluate((w) => window.__deliver(w), wire));
    },
  });
  const t0 = Date.now();
  await p.evaluate(() => (window.__longTasks.length = 0));
  await browser.startTracing(p, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  pipe.connect();
  await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (pipe.messages >= LATENCY_MESSAGES) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - t0 > LATENCY_MESSAGES * 10 + 30_000) {
        clearInterval(timer);
        reject(new Error(`latency: only ${pipe.messages} messages arrived`));
      }
    }, 50);
  });
  await chain;
  const trace = mainThreadTasks(JSON.parse((await browser.stopTracing()).toString('utf8')));
  const longTasks = await p.evaluate(() => window.__longTasks.map((t) => t.duration));
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const lat = (await p.evaluate(() => window.__lat)).sort((a, b) => a - b);
  const q = (xs, f) => xs[Math.min(xs.length - 1, Math.ceil(xs.length * f) - 1)];
  hostLegs.sort((a, b) => a - b);
  pipe.dispose();
  await p.close();
  return {
    n: lat.length,
    posts: pipe.postTimes.length,
    postsPerSecMax: pipe.postsPerSecMax(),
    p50: q(lat, 0.5),
    p90: q(lat, 0.9),
    p99: q(lat, 0.99),
    max: lat[lat.length - 1],
    hostP50: q(hostLegs, 0.5),
    hostP99: q(hostLegs, 0.99),
    longTasks: longTasks.length,
    longTaskMax: longTasks.length ? Math.max(...longTasks) : 0,
    longestCpuMs: trace.longestCpuMs,
    errors,
  };
}

/**
 * Top-level tasks of the page's main thread during the stream, from a Chromium trace: wall duration
 * (`dur`, what the long-task observer sees) and thread CPU time (`tdur`). On a loaded machine a task
 * can be long on the wall clock only because the renderer was not scheduled; the CPU time says how
 * much of it was the webview's own work.
 */
function mainThreadTasks(trace) {
  const events = trace.traceEvents ?? trace;
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  // Each task appears as RunTask and, nested in it, ThreadControllerImpl::RunTask: count the outer one.
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}:${e.tid}`));
  const long = tasks.filter((e) => e.dur >= 50_000);
  // A task's CPU time cannot exceed its wall time; the odd trace event that says otherwise is left out.
  const cpu = (e) => Math.min(e.tdur ?? 0, e.dur);
  const byCpu = tasks.filter((e) => cpu(e) >= 50_000);
  return {
    tasks: tasks.length,
    mainThreadCpuMs: tasks.reduce((a, e) => a + cpu(e), 0) / 1000,
    longByWall: long.length,
    longByWallCpuMs: long.map((e) => Math.round(cpu(e) / 1000)),
    longByCpu: byCpu.length,
    longestCpuMs: tasks.reduce((m, e) => Math.max(m, cpu(e) / 1000), 0),
  };
}

async function streamRun() {
  const { p, errors } = await openPage();
  await p.evaluate(
    (m) =>
      window.postMessage(
        { ...m, records: { n: 0, others: [], seq: [], time: [], events: [], fields: new Int32Array(0), text: new Uint8Array(0) } },
        '*',
      ),
    init('ws'),
  );
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await browser.startTracing(p, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const stream = await p.evaluate(async (batchMs) => {
    window.__longTasks.length = 0;
    const total = 100_000;
    const rate = 10_000;
    const pad = 'x'.repeat(40);
    let sent = 0;
    let maxRows = 0;
    let maxVisibleRows = 0;
    let posts = 0;
    const start = performance.now();
    const sample = () => {
      maxRows = Math.max(maxRows, document.querySelectorAll('.log .row').length);
      maxVisibleRows = Math.max(maxVisibleRows, document.querySelectorAll('.log .row:not([hidden])').length);
    };
    await new Promise((done) => {
      const tick = () => {
        const due = Math.min(total, Math.round(((performance.now() - start) * rate) / 1000));
        const time = new Date().toISOString();
        const first = sent + 1;
        const data = [];
        const size = [];
        while (sent < due) {
          const seq = ++sent;
          const d = `{"seq":${seq},"sym":"SYM-${seq % 97}","px":${(seq * 1.37).toFixed(2)},"pad":"${pad}"}`;
          data.push(d);
          size.push(d.length);
        }
        if (data.length) {
          // The pipeline's batch as the host packs it (RecordBatch), column for column.
          const n = data.length;
          const fields = new Int32Array(n * 6);
          for (let i = 0; i < n; i++) {
            fields.set([0, size[i], -1, -1, -1, size[i]], i * 6);
          }
          const records = {
            n,
            others: [],
            seq: [first, n],
            time: [time, n],
            events: [],
            fields,
            text: new TextEncoder().encode(data.join('')),
          };
          posts++;
          window.postMessage(
            {
              type: 'records',
              records,
              stats: { messagesIn: sent, messagesOut: 0, bytesIn: sent * 100, bytesOut: 0, records: sent },
              dropped: 0,
            },
            '*',
          );
        }
        sample();
        if (sent >= total) {
          setTimeout(done, 100);
        } else {
          setTimeout(tick, batchMs);
        }
      };
      tick();
    });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    sample();
    const insp = window.__inspector;
    const tasks = window.__longTasks.map((t) => t.duration).sort((a, b) => a - b);
    return {
      elapsedMs: performance.now() - start,
      posts,
      total: insp.total(),
      maxRows,
      maxVisibleRows,
      viewMaxDomRows: insp.maxDomRows(),
      longTaskSupported: !window.__noLongTasks,
      longTasks: tasks.length,
      longTaskP95: tasks.length ? tasks[Math.min(tasks.length - 1, Math.ceil(tasks.length * 0.95) - 1)] : 0,
      longTaskMax: tasks.length ? tasks[tasks.length - 1] : 0,
      tailShown: document.querySelector(`.log .row[data-seq="${total}"]:not([hidden])`) !== null,
    };
  }, BATCH_MS);
  const traceJson = (await browser.stopTracing()).toString('utf8');
  if (process.env.BENCH_TRACE_DUMP) {
    writeFileSync(process.env.BENCH_TRACE_DUMP, traceJson);
  }
  const trace = mainThreadTasks(JSON.parse(traceJson));

  // Typing into the filter box (the input event the keyboard fires) until the filtered rows are in
  // the DOM for the frame that paints them. Alternates a needle and an empty box.
  const filters = [];
  for (const needle of ['sym-42"', 'sym-9', '/"px":1\\d\\.\\d0/', 'SYM-13"', 'sym-77"']) {
    for (const text of [needle, '']) {
      const r = await p.evaluate(async (text) => {
        const input = document.querySelector('.filter-input');
        const log = document.querySelector('.log');
        const before = log.getAttribute('aria-rowcount');
        const t0 = performance.now();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((done) => {
          const check = () => (log.getAttribute('aria-rowcount') !== before ? done() : requestAnimationFrame(check));
          requestAnimationFrame(check);
        });
        const ms = performance.now() - t0;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        return { ms, shown: Number(log.getAttribute('aria-rowcount')) - 1 };
      }, text);
      if (text) {
        filters.push({ needle, ...r });
      }
    }
  }
  await p.close();
  return { stream, filters, trace, errors };
}

try {
  // ---------- stream 100k at 10k/s, then filter (several runs: the machine is shared) ----------
  result.streamRuns = [];
  for (let run = 0; run < STREAM_RUNS; run++) {
    result.streamRuns.push(await streamRun());
  }
  const medianOf = (xs) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)];
  const runs = result.streamRuns;
  result.stream = {
    runs: runs.length,
    maxRows: Math.max(...runs.map((r) => r.stream.maxRows)),
    viewMaxDomRows: Math.max(...runs.map((r) => r.stream.viewMaxDomRows)),
    longTaskP95: medianOf(runs.map((r) => r.stream.longTaskP95)),
    longTaskP95s: runs.map((r) => r.stream.longTaskP95),
    longTasks: runs.map((r) => r.stream.longTasks),
    longTaskMax: Math.max(...runs.map((r) => r.stream.longTaskMax)),
    longByCpu: runs.map((r) => r.trace.longByCpu),
    longestCpuMs: Math.max(...runs.map((r) => r.trace.longestCpuMs)),
    mainThreadCpuMs: medianOf(runs.map((r) => r.trace.mainThreadCpuMs)),
    posts: runs[0].stream.posts,
    elapsedMs: runs[0].stream.elapsedMs,
    allShown: runs.every((r) => r.stream.total === 100_000 && r.stream.tailShown),
  };
  result.filter = runs.flatMap((r) => r.filters);

  // ---------- e2e latency through the host pipeline ----------
  // Several runs in fresh pages; the first WARMUP messages of each are left out (connection set-up,
  // first compilation of the render path). Each run's p50/p99; the figures are the medians over runs,
  // so one stall of this shared machine's scheduler does not decide the result.
  result.latencyRuns = [];
  for (let run = 0; run < LATENCY_RUNS; run++) {
    result.latencyRuns.push(await latencyRun());
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  result.latency = {
    runs: LATENCY_RUNS,
    n: result.latencyRuns.reduce((a, r) => a + r.n, 0),
    posts: result.latencyRuns.reduce((a, r) => a + r.posts, 0),
    postsPerSecMax: Math.max(...result.latencyRuns.map((r) => r.postsPerSecMax)),
    p50: med(result.latencyRuns.map((r) => r.p50)),
    p99: med(result.latencyRuns.map((r) => r.p99)),
    max: Math.max(...result.latencyRuns.map((r) => r.max)),
    hostP50: med(result.latencyRuns.map((r) => r.hostP50)),
    hostP99: med(result.latencyRuns.map((r) => r.hostP99)),
    longestCpuMs: Math.max(...result.latencyRuns.map((r) => r.longestCpuMs)),
    longTaskMax: Math.max(...result.latencyRuns.map((r) => r.longTaskMax)),
  };
} finally {
  await browser.close();
  http.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
