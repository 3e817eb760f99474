// `npm run bench`: every figure of the performance targets, in one run of a few minutes.
// Writes bench/results.json (the figures) and out/bench/details.json (every trial), prints a table.
// See bench/README.md for what each figure means and how it is measured.
import { execFile, fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

if (process.argv.includes('adapters')) {
  // `npm run bench -- adapters`: the protocol adapters' cost alone (bench/adapters-run.mjs).
  const { main } = await import('./adapters-run.mjs');
  await main();
  process.exit(0);
}

if (process.argv.includes('flood')) {
  // `npm run bench -- flood`: the flood scenario alone (bench/flood-run.mjs).
  const { main } = await import('./flood-run.mjs');
  await main();
  process.exit(0);
}

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const outDir = join(root, 'out/bench');
mkdirSync(outDir, { recursive: true });
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5);
// A million messages a trial: long enough that compiling the hot code (which takes longer for our pipeline
// than for a bare client) is a small part of the time, as on any stream that stays busy.
const INGEST_N = Number(process.env.BENCH_INGEST_N ?? 1_000_000);
const HEAP_N = 1_000_000;
const started = Date.now();
const loads = [loadavg()[0]];

function log(msg) {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
}

async function node(args, opts = {}) {
  const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 1 << 24, timeout: 240_000, ...opts });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const max = (xs) => Math.max(...xs);

// ---------- a private copy of the production build ----------
// Others may rebuild dist/ (a development build) while the bench runs: the webview, activation and
// package figures use a copy of the production build taken now, checked to be one.
const pkg = join(outDir, 'pkg');
async function snapshotBuild() {
  const isProduction = () =>
    ['extension.js', 'webview.js'].every((f) => !readFileSync(join(root, 'dist', f), 'utf8').includes('sourceMappingURL'));
  if (!isProduction()) {
    log('dist/ is not a production build: building it again');
    await run(process.execPath, [join(root, 'scripts/build.mjs'), '--production'], { cwd: root });
  }
  rmSync(pkg, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  for (const f of ['dist', 'media', 'package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    cpSync(join(root, f), join(pkg, f), { recursive: true });
  }
  for (const f of ['extension.js', 'webview.js']) {
    if (readFileSync(join(pkg, 'dist', f), 'utf8').includes('sourceMappingURL')) {
      throw new Error(`dist/${f} was rebuilt for development while the bench copied it: run again`);
    }
  }
}
await snapshotBuild();
process.env.BENCH_DIST = join(pkg, 'dist');

// ---------- the host pipeline, bundled like the production extension ----------
log('bundling the host pipeline');
const batchMs = Number((readFileSync(join(root, 'src/panel/inspectorPanel.ts'), 'utf8').match(/const BATCH_INTERVAL_MS = (\d+)/) ?? [])[1]);
if (!batchMs) {
  throw new Error('src/panel/inspectorPanel.ts: BATCH_INTERVAL_MS not found (the bench batches as the panel does)');
}
process.env.BENCH_BATCH_MS = String(batchMs);
await esbuild.build({
  entryPoints: [join(root, 'bench/pipeline.ts')],
  outfile: join(outDir, 'pipeline.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  external: ['bufferutil', 'utf-8-validate'],
  define: { __BATCH_INTERVAL_MS__: String(batchMs) },
  logLevel: 'warning',
});

const server = fork(join(root, 'bench/server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise((resolve) => server.once('message', (m) => resolve(m.port)));
const details = {};

try {
  // ---------- ingest: ours vs the bare libraries, interleaved trials in fresh processes ----------
  // The breakdown modes (`-connection`, `-store`) show where our cost goes; see bench/README.md.
  const trials = Object.fromEntries(
    ['ws-bare', 'ws-connection', 'ws-store', 'ws-ours', 'sse-bare', 'sse-connection', 'sse-store', 'sse-ours'].map((m) => [m, []]),
  );
  for (let t = 0; t < TRIALS; t++) {
    log(`ingest trial ${t + 1}/${TRIALS} (${INGEST_N.toLocaleString('en')} messages each, load ${loadavg()[0].toFixed(1)})`);
    for (const mode of Object.keys(trials)) {
      const url = mode.startsWith('ws')
        ? `ws://127.0.0.1:${port}/ws/flood?n=${INGEST_N}`
        : `http://127.0.0.1:${port}/sse/flood?n=${INGEST_N}`;
      trials[mode].push(await node([join(root, 'bench/ingest-client.mjs'), mode, url, String(INGEST_N)]));
    }
    loads.push(loadavg()[0]);
  }
  details.ingest = trials;
  const rate = (mode, key) => trials[mode].map((r) => r[key]);
  const ingest = {};
  for (const kind of ['ws', 'sse']) {
    const oursCpu = median(rate(`${kind}-ours`, 'perCpuSec'));
    const bareCpu = median(rate(`${kind}-bare`, 'perCpuSec'));
    ingest[kind] = {
      ratio: oursCpu / bareCpu,
      oursCpu,
      bareCpu,
      wallRatio: max(rate(`${kind}-ours`, 'perSec')) / max(rate(`${kind}-bare`, 'perSec')),
      oursWall: max(rate(`${kind}-ours`, 'perSec')),
      bareWall: max(rate(`${kind}-bare`, 'perSec')),
      oursMb: max(rate(`${kind}-ours`, 'mbPerSec')),
      bareMb: kind === 'sse' ? max(rate('sse-bare', 'mbPerSec')) : undefined,
      postsPerSecMax: max(rate(`${kind}-ours`, 'postsPerSecMax')),
      // CPU µs per message at each stage: bare library, + Connection, + store and batcher, + serialised posts.
      usPerMsg: ['bare', 'connection', 'store', 'ours'].map((st) => 1e6 / median(rate(`${kind}-${st}`, 'perCpuSec'))),
      recordsPerPost: median(rate(`${kind}-ours`, 'recordsPerPost')),
    };
  }
  details.ingestSummary = ingest;

  // ---------- host heap over 1,000,000 messages ----------
  log(`host heap: ${HEAP_N.toLocaleString('en')} messages through the pipeline`);
  const heap = await node([
    '--expose-gc',
    join(root, 'bench/ingest-client.mjs'),
    'heap',
    `ws://127.0.0.1:${port}/ws/flood?n=${HEAP_N}`,
    String(HEAP_N),
  ]);
  details.heap = heap;
  loads.push(loadavg()[0]);

  // ---------- webview in headless Chromium ----------
  log('webview: 100,000 records at 10,000/s, filter, end-to-end latency at 100 messages/s');
  const web = await node([join(root, 'bench/webview.mjs'), String(port)]);
  if (!web.stream.allShown) {
    throw new Error('webview: the streamed records did not all arrive');
  }
  details.webview = web;
  loads.push(loadavg()[0]);

  // ---------- activation ----------
  log('activation');
  const acts = [];
  for (let i = 0; i < TRIALS; i++) {
    acts.push(await node([join(root, 'bench/activation.mjs')]));
  }
  details.activation = acts;

  // ---------- one large permessage-deflate message, CLI against a bare ws client ----------
  log('deflate memory (99 MiB message)');
  const deflate = await node([join(root, 'bench/deflate-memory.mjs')], { timeout: 600_000 });
  details.deflateMemory = deflate;
  loads.push(loadavg()[0]);

  // ---------- package size ----------
  log('package (vsce)');
  const vsix = join(outDir, 'realtime-inspector.vsix');
  await run(join(root, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: pkg, timeout: 180_000 });
  const vsixKb = statSync(vsix).size / 1024;
  loads.push(loadavg()[0]);

  // ---------- the panel in code-server under 5,000 messages/s (bench/flood-run.mjs) ----------
  const { runFlood } = await import('./flood-run.mjs');
  const flood = await runFlood(log);
  details.flood = flood.details;
  loads.push(loadavg()[0]);

  // ---------- figures ----------
  const r1 = (x) => Math.round(x * 10) / 10;
  const r2 = (x) => Math.round(x * 100) / 100;
  const results = {
    ws_ingest_ratio: r2(ingest.ws.ratio),
    ws_ingest_msgs_per_s: Math.round(ingest.ws.oursWall),
    sse_ingest_ratio: r2(ingest.sse.ratio),
    sse_ingest_events_per_s: Math.round(ingest.sse.oursWall),
    sse_ingest_mb_per_s: r1(ingest.sse.oursMb),
    batch_posts_per_s_max: max([ingest.ws.postsPerSecMax, ingest.sse.postsPerSecMax, web.latency.postsPerSecMax]),
    host_heap_mb_after_1m_msgs: r1(heap.heap[heap.heap.length - 1].heapMb),
    webview_dom_rows_max: web.stream.maxRows,
    webview_longest_task_ms_p95: r1(web.stream.longTaskP95),
    webview_filter_100k_ms: r1(median(web.filter.map((f) => f.ms))),
    e2e_latency_ms_p50: r1(web.latency.p50),
    e2e_latency_ms_p99: r1(web.latency.p99),
    activation_ms: r2(median(acts.map((a) => a.activateMs))),
    vsix_kb: Math.round(vsixKb),
    cli_deflate_peak_rss_ratio: r2(Math.max(deflate.ratio, deflate.ratioJson)),
    ...flood.results,
  };
  writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');

  const cpuModel = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/) ?? [])[1] ?? cpus()[0]?.model;
  const machine = {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpu: cpuModel,
    node: process.version,
    chromium: web.chromium,
    loadavg1m: { start: r1(loads[0]), max: r1(max(loads)), end: r1(loads[loads.length - 1]) },
    trials: TRIALS,
    ingestMessages: INGEST_N,
  };
  details.machine = machine;
  details.results = results;
  writeFileSync(join(outDir, 'details.json'), JSON.stringify(details, null, 2) + '\n');

  // ---------- table ----------
  const k = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0));
  const heapCurve = heap.heap.map((h) => `${h.at / 1000}k: ${h.heapMb.toFixed(0)}`).join(', ');
  const rows = [
    [
      'ws_ingest_ratio',
      results.ws_ingest_ratio,
      '≥ 0.5',
      results.ws_ingest_ratio >= 0.5,
      `per CPU-s ${k(ingest.ws.oursCpu)}/${k(ingest.ws.bareCpu)} msg; wall best ${k(ingest.ws.oursWall)}/${k(ingest.ws.bareWall)} msg/s = ${ingest.ws.wallRatio.toFixed(2)}`,
    ],
    [
      'ws_ingest_msgs_per_s',
      results.ws_ingest_msgs_per_s,
      '',
      undefined,
      `${ingest.ws.oursMb.toFixed(1)} MB/s, ~${k(ingest.ws.recordsPerPost)} records/post`,
    ],
    [
      'sse_ingest_ratio',
      results.sse_ingest_ratio,
      '≥ 0.5',
      results.sse_ingest_ratio >= 0.5,
      `per CPU-s ${k(ingest.sse.oursCpu)}/${k(ingest.sse.bareCpu)} ev; wall best ${k(ingest.sse.oursWall)}/${k(ingest.sse.bareWall)} ev/s = ${ingest.sse.wallRatio.toFixed(2)}`,
    ],
    ['sse_ingest_events_per_s', results.sse_ingest_events_per_s, '', undefined, `bare ${k(ingest.sse.bareWall)} ev/s`],
    ['sse_ingest_mb_per_s', results.sse_ingest_mb_per_s, '', undefined, `bare ${ingest.sse.bareMb.toFixed(1)} MB/s`],
    [
      'batch_posts_per_s_max',
      results.batch_posts_per_s_max,
      '≤ 60',
      results.batch_posts_per_s_max <= 60,
      `busiest 1 s window: flood ${max([ingest.ws.postsPerSecMax, ingest.sse.postsPerSecMax])}, 100 msg/s ${web.latency.postsPerSecMax} (batch every ${batchMs} ms)`,
    ],
    [
      'host_heap_mb_after_1m_msgs',
      results.host_heap_mb_after_1m_msgs,
      '≤ 200',
      results.host_heap_mb_after_1m_msgs <= 200,
      `after gc at ${heapCurve} MB; store ${heap.heap.at(-1).storeSize.toLocaleString('en')} records`,
    ],
    [
      'webview_dom_rows_max',
      results.webview_dom_rows_max,
      '≤ 200',
      results.webview_dom_rows_max <= 200,
      `100k records streamed, ${web.stream.posts} posts in ${(web.stream.elapsedMs / 1000).toFixed(1)} s`,
    ],
    [
      'webview_longest_task_ms_p95',
      results.webview_longest_task_ms_p95,
      '≤ 50',
      results.webview_longest_task_ms_p95 <= 50,
      `median of ${web.stream.runs} runs (p95 ${web.stream.longTaskP95s.map((x) => x.toFixed(0)).join('/')}; long tasks ${web.stream.longTasks.join('/')}); longest task by CPU time ${web.stream.longestCpuMs.toFixed(0)} ms`,
    ],
    [
      'webview_filter_100k_ms',
      results.webview_filter_100k_ms,
      '≤ 100',
      results.webview_filter_100k_ms <= 100,
      `median of ${web.filter.length}; max ${max(web.filter.map((f) => f.ms)).toFixed(0)} ms`,
    ],
    [
      'e2e_latency_ms_p50',
      results.e2e_latency_ms_p50,
      '≤ 30',
      results.e2e_latency_ms_p50 <= 30,
      `median of ${web.latency.runs} runs, ${web.latency.n} messages at 100/s; host leg p50 ${web.latency.hostP50.toFixed(1)} ms`,
    ],
    [
      'e2e_latency_ms_p99',
      results.e2e_latency_ms_p99,
      '≤ 100',
      results.e2e_latency_ms_p99 <= 100,
      `per run ${web.latencyRuns.map((r) => r.p99.toFixed(0)).join('/')}; host leg p99 ${web.latency.hostP99.toFixed(0)} ms; max ${web.latency.max.toFixed(0)} ms; page tasks: longest ${web.latency.longTaskMax.toFixed(0)} ms wall, ${web.latency.longestCpuMs.toFixed(0)} ms CPU`,
    ],
    [
      'activation_ms',
      results.activation_ms,
      '≤ 50',
      results.activation_ms <= 50,
      `median of ${acts.length}; loading the bundle ${median(acts.map((a) => a.requireMs)).toFixed(0)} ms`,
    ],
    ['vsix_kb', results.vsix_kb, '≤ 500', results.vsix_kb <= 500, ''],
    [
      'cli_deflate_peak_rss_ratio',
      results.cli_deflate_peak_rss_ratio,
      '≤ 1.2',
      results.cli_deflate_peak_rss_ratio <= 1.2,
      `peak RSS, median of ${deflate.trials.bareKb.length}: CLI ${(deflate.cliKb / 1024).toFixed(0)} MB, --json ${(deflate.cliJsonKb / 1024).toFixed(0)} MB, bare ws client ${(deflate.bareKb / 1024).toFixed(0)} MB`,
    ],
    ...flood.rows,
  ];
  const w = [28, 10, 7, 5];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i] ?? 0)).join('  ');
  console.log('');
  console.log(line(['figure', 'value', 'target', 'pass', 'notes']));
  console.log(line(['-'.repeat(28), '-'.repeat(10), '-'.repeat(7), '-'.repeat(5), '-'.repeat(40)]));
  for (const [name, value, target, pass, note] of rows) {
    console.log(line([name, value, target, pass === undefined ? '' : pass ? 'yes' : 'NO', note]));
  }
  console.log('');
  console.log(`machine: ${machine.nproc} × ${machine.cpu}, Node ${machine.node}, Chromium ${machine.chromium}`);
  console.log(`load average (1 min): ${machine.loadavg1m.start} at start, ${machine.loadavg1m.max} max, ${machine.loadavg1m.end} at end`);
  // A stage can measure below the one before it (our SSE transport on node:http costs less than the
  // bare loop's fetch): differences keep their sign.
  const signed = (x) => (x < 0 ? `−${(-x).toFixed(2)}` : `+${x.toFixed(2)}`);
  for (const kind of ['ws', 'sse']) {
    const [b, c, st, o] = ingest[kind].usPerMsg;
    console.log(
      `${kind} CPU µs/message: bare ${b.toFixed(2)}, Connection ${signed(c - b)}, store & batcher ${signed(st - c)}, serialised posts ${signed(o - st)} = ${o.toFixed(2)}`,
    );
  }
  console.log(`${TRIALS} trials per ingest figure; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // The same table in Markdown (for bench/README.md), and a dated baseline on request.
  const md = [
    '| figure | value | target | met | notes |',
    '| --- | ---: | --- | --- | --- |',
    ...rows.map(
      ([name, value, target, pass, note]) =>
        `| \`${name}\` | ${value} | ${target} | ${pass === undefined ? '' : pass ? 'yes' : '**no**'} | ${note} |`,
    ),
    '',
    '| transport | bare library | Connection | store & batcher | serialised posts | total (µs/message) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...['ws', 'sse'].map((kind) => {
      const [b, c, st, o] = ingest[kind].usPerMsg;
      return `| ${kind === 'ws' ? 'WebSocket' : 'SSE'} | ${b.toFixed(2)} | ${signed(c - b)} | ${signed(st - c)} | ${signed(o - st)} | ${o.toFixed(2)} |`;
    }),
  ].join('\n');
  writeFileSync(join(outDir, 'table.md'), md + '\n');
  if (process.argv.includes('--baseline')) {
    // Dated to the minute (UTC): several runs of one day are kept apart.
    const file = join(root, 'bench/baselines', `${machine.date.slice(0, 16).replace(':', '')}Z.json`);
    mkdirSync(join(root, 'bench/baselines'), { recursive: true });
    const targets = Object.fromEntries(rows.filter((r) => r[2]).map((r) => [r[0], r[2]]));
    const breakdown = Object.fromEntries(
      ['ws', 'sse'].map((kind) => [
        kind,
        Object.fromEntries(['bare', 'connection', 'store', 'ours'].map((st, i) => [st, r2(ingest[kind].usPerMsg[i])])),
      ]),
    );
    writeFileSync(file, JSON.stringify({ machine, results, targets, cpuMicrosPerMessage: breakdown }, null, 2) + '\n');
    console.log(`wrote ${file}`);
  }
  console.log('wrote bench/results.json, out/bench/details.json and out/bench/table.md');
} finally {
  server.kill();
}
