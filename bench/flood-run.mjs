// The flood scenario's figures (bench/flood.ts, the panel in code-server under 5,000 messages/s):
// bundles the scenario, runs it in its own process, checks the targets. `runFlood()` is used by
// bench/run.mjs for the whole bench; `node bench/run.mjs flood` (`npm run bench -- flood`) runs it alone
// and merges its figures into bench/results.json.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const outDir = join(root, 'out/bench');

const r1 = (x) => Math.round(x * 10) / 10;
const max = (xs) => Math.max(...xs);
const loads = (run) => `load ${run.load.map((l) => l.toFixed(1)).join('→')}`;

/** Runs the scenario; returns its figures, the table's rows and every measurement. */
export async function runFlood(log) {
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, 'bench/flood.ts')],
    outfile: join(outDir, 'flood.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['playwright-core', 'bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  log('flood: the panel in code-server at 5,000 messages/s (WebSocket, then SSE), about 3 minutes');
  const { stdout } = await run(process.execPath, [join(outDir, 'flood.js')], {
    cwd: root,
    maxBuffer: 1 << 26,
    timeout: 900_000,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  const details = JSON.parse(stdout.trim().split('\n').pop());
  const runs = details.runs;
  const worst = (key) => max(runs.map((r) => r[key]));
  const cpu = (r, name) => r.cpuPct[name] ?? 0;
  const rendererCpu = (r) =>
    max(
      Object.keys(r.cpuPct)
        .filter((k) => k.startsWith('renderer'))
        .map((k) => cpu(r, k)),
    );
  const results = {
    flood_frame_gap_ms_p95: r1(worst('frameGapP95')),
    flood_frame_gap_ms_p99: r1(worst('frameGapP99')),
    flood_longest_task_ms: r1(worst('longestTask')),
    flood_keystroke_to_filter_ms: r1(worst('keystrokeMax')),
    flood_palette_open_ms: r1(worst('paletteMax')),
    flood_renderer_cpu_pct: Math.round(max(runs.map(rendererCpu))),
    flood_host_cpu_pct: Math.round(max(runs.map((r) => cpu(r, 'extensionHost')))),
  };
  const per = (fn) => runs.map((r) => `${r.kind} ${fn(r)}`).join('; ');
  const rows = [
    [
      'flood_frame_gap_ms_p95',
      results.flood_frame_gap_ms_p95,
      '≤ 33',
      results.flood_frame_gap_ms_p95 <= 33,
      per((r) => `${r.frameGapP95.toFixed(0)} (p50 ${r.frameGapP50.toFixed(0)}, ${r.recordsPerSecond.toFixed(0)} rec/s, ${loads(r)})`),
    ],
    [
      'flood_frame_gap_ms_p99',
      results.flood_frame_gap_ms_p99,
      '',
      undefined,
      per((r) => `${r.frameGapP99.toFixed(0)}, max ${r.frameGapMax.toFixed(0)}`),
    ],
    [
      'flood_longest_task_ms',
      results.flood_longest_task_ms,
      '≤ 100',
      results.flood_longest_task_ms <= 100,
      per(
        (r) =>
          `${r.longestTask.toFixed(0)} (tasks ≥ 50 ms: webview ${r.longTasksWebview}, workbench ${r.longTasksWorkbench}; > 100 ms: ${r.tasksOver100}; by phase ${r.longTasksByPhase.map((t) => `${t.ms} ${t.phase}`).join(', ')})`,
      ),
    ],
    [
      'flood_keystroke_to_filter_ms',
      results.flood_keystroke_to_filter_ms,
      '≤ 100',
      results.flood_keystroke_to_filter_ms <= 100,
      per((r) => `max ${r.keystrokeMax.toFixed(0)}, p50 ${r.keystrokeP50.toFixed(0)} of ${r.keystrokes.length}`),
    ],
    [
      'flood_palette_open_ms',
      results.flood_palette_open_ms,
      '≤ 200',
      results.flood_palette_open_ms <= 200,
      `${per((r) => r.palette.map((ms) => ms.toFixed(0)).join('/'))}; no flood ${details.quietPalette.map((ms) => ms.toFixed(0)).join('/')}`,
    ],
    ['flood_renderer_cpu_pct', results.flood_renderer_cpu_pct, '', undefined, per((r) => `renderer ${rendererCpu(r).toFixed(0)} %`)],
    ['flood_host_cpu_pct', results.flood_host_cpu_pct, '', undefined, per((r) => `extension host ${cpu(r, 'extensionHost').toFixed(0)} %`)],
  ];
  writeFileSync(join(outDir, 'flood.json'), JSON.stringify(details, null, 2) + '\n');
  return { results, rows, details };
}

/** `node bench/run.mjs flood`: the scenario alone, its figures merged into bench/results.json. */
export async function main() {
  const started = Date.now();
  const log = (msg) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
  const { results, rows, details } = await runFlood(log);
  const file = join(root, 'bench/results.json');
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  writeFileSync(file, JSON.stringify({ ...previous, ...results }, null, 2) + '\n');
  const w = [28, 10, 7, 5];
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i] ?? 0)).join('  ');
  console.log(line(['figure', 'value', 'target', 'pass', 'notes']));
  for (const [name, value, target, pass, note] of rows) {
    console.log(line([name, value, target, pass === undefined ? '' : pass ? 'yes' : 'NO', note]));
  }
  for (const r of details.runs) {
    if (r.profileTop) {
      console.log(`\n${r.kind}: renderer CPU profile, self time (ms):`);
      for (const { fn, ms } of r.profileTop) {
        console.log(`  ${String(ms).padStart(6)}  ${fn}`);
      }
    }
  }
  for (const r of details.runs) {
    if (r.trace) {
      console.log(`\n${r.kind}: renderer main threads, ${(r.seconds / 4).toFixed(0)} s of the flood traced (ms, count):`);
      for (const { name, ms, count } of r.trace) {
        console.log(`  ${String(ms).padStart(6)}  ${String(count).padStart(6)}  ${name}`);
      }
    }
  }
  console.log('wrote bench/results.json and out/bench/flood.json');
}
