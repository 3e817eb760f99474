// The protocol adapters' cost in the host pipeline: the same Socket.IO events (GraphQL `next` results)
// through the whole pipeline (bench/pipeline.ts) without an adapter and with it, interleaved trials in
// fresh processes, CPU µs per message. The cost is the median of each pair's difference (a trial with
// the adapter less the trial without it just before): on a shared machine the speed of both drifts
// from minute to minute, by more than the cost measured, and a pair sees the same drift.
// `node bench/run.mjs adapters` (`npm run bench -- adapters`) runs it: `main()` bundles the pipeline and
// starts the bench server itself.
import { execFile, fork } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const N = Number(process.env.BENCH_ADAPTER_N ?? 500_000);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 7);
/** The target: an adapter costs at most this much per message over bare WebSocket. */
export const TARGET_US = 0.5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const CASES = [
  { name: 'socket.io', path: '/ws/socketio-flood', adapter: { name: 'socket.io', options: {} } },
  { name: 'graphql-ws', path: '/ws/graphql-flood', adapter: { name: 'graphql-ws', options: { query: 'subscription { tick }' } } },
];

async function trial(url, adapter) {
  const args = [join(root, 'bench/ingest-client.mjs'), 'ws-ours', url, String(N), ...(adapter ? [JSON.stringify(adapter)] : [])];
  const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 1 << 24, timeout: 240_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  return (r.cpuMs * 1000) / r.n;
}

/** Per case: median CPU µs per message bare and with the adapter, and the median of the pairs' differences. */
export async function runAdapters(port, log) {
  const figures = {};
  for (const c of CASES) {
    const bare = [];
    const ours = [];
    for (let t = 0; t < TRIALS; t++) {
      log(`adapter ${c.name} trial ${t + 1}/${TRIALS} (${N.toLocaleString('en')} messages each)`);
      const url = `ws://127.0.0.1:${port}${c.path}?n=${N}`;
      bare.push(await trial(url));
      ours.push(await trial(url, c.adapter));
    }
    const b = median(bare);
    const o = median(ours);
    const paired = median(ours.map((x, i) => x - bare[i]));
    figures[c.name] = { bareUs: b, adapterUs: o, costUs: paired, mediansApartUs: o - b, trials: { bare, ours } };
  }
  return figures;
}

/** Runs alone: bundles the pipeline as run.mjs does, starts the bench server, prints the figures. */
export async function main() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'bench/pipeline.ts')],
    outfile: join(root, 'out/bench/pipeline.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    external: ['bufferutil', 'utf-8-validate'],
    define: { __BATCH_INTERVAL_MS__: '18' }, // InspectorPanel's BATCH_INTERVAL_MS (run.mjs reads it from the source)
    logLevel: 'warning',
  });
  const server = fork(join(root, 'bench/server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => server.once('message', (m) => resolve(m.port)));
  try {
    const figures = await runAdapters(port, (m) => process.stderr.write(`[bench] ${m}\n`));
    for (const [name, f] of Object.entries(figures)) {
      console.log(
        `${name}: bare WS pipeline ${f.bareUs.toFixed(2)} µs/msg, with the adapter ${f.adapterUs.toFixed(2)} µs/msg: +${f.costUs.toFixed(2)} µs a message, median of the pairs (the medians ${f.mediansApartUs.toFixed(2)} apart; target ≤ ${TARGET_US})`,
      );
    }
  } finally {
    server.kill();
  }
}
