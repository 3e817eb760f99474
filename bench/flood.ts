// The panel under a flood, in real VS Code: the packaged extension in code-server (the e2e harness),
// headless Chromium on the workbench, a local server (bench/server.mjs, its own process) sending
// 5,000 messages a second over WebSocket, then over SSE. For each, during 20 s of the flood:
//   frame gaps      requestAnimationFrame in the panel's webview frame: p95, p99, longest
//   long tasks      PerformanceObserver('longtask') in the webview frame and the workbench page
//   keystrokes      typing into the filter box (then deleting it again): keydown → the frame in which
//                   the filter is applied and its rows drawn, just after that frame's paint
//   palette         F1 (focus in the panel) → the quick input drawn
//   CPU             of the extension host and of each Chromium renderer (/proc, utime + stime)
// The palette is also timed before the flood. BENCH_FLOOD_PROFILE=1 records the renderer's CPU profile
// (DevTools protocol) over the flood into out/bench/flood-<kind>.cpuprofile and prints where it went.
// Run by bench/run.mjs (`npm run bench -- flood`), which bundles this file; prints one line of JSON.
import { fork } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { badgeText, connectFromPalette, eventually, openExtensionWorkbench, panelFrame, type Workbench } from '../test/e2e/fixture';
import { runCommand } from '../test/harness/browser';
import { repoRoot } from '../test/harness/codeServer';

const RATE = Number(process.env.BENCH_FLOOD_RATE ?? 5000);
const WINDOW_S = Number(process.env.BENCH_FLOOD_SECONDS ?? 20);
const KINDS = (process.env.BENCH_FLOOD_KINDS ?? 'ws,sse').split(',');
const PROFILE = process.env.BENCH_FLOOD_PROFILE === '1';
/** BENCH_FLOOD_TRACE=1: a Chromium trace of the first quarter of the window (the flood, nobody typing), summed by event. */
const TRACE = process.env.BENCH_FLOOD_TRACE === '1';
/** Typed into the filter one key at a time, then deleted again (each deletion widens the filter). */
const NEEDLE = 'SYM-42';
/** Pause between keystrokes once the last one is drawn, as a person types. */
const KEY_GAP_MS = 150;
const PALETTE_TRIES = 3;
const outDir = join(repoRoot, 'out/bench');
const probe = readFileSync(join(repoRoot, 'bench/page/flood-probe.js'), 'utf8');

function log(msg: string): void {
  process.stderr.write(`[flood] ${msg} (load ${loadavg()[0].toFixed(1)})\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  if (!xs.length) {
    return 0;
  }
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Probe {
  frames: number[];
  longTasks: { start: number; ms: number; name: string }[];
}

// ---------- CPU from /proc (clock ticks of user + system time) ----------
const TICK_MS = 10;

function procStat(pid: number): { ppid: number; pgrp: number; cpuMs: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), pgrp: Number(f[2]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** The extension host of this code-server (its process group) and this process's Chromium renderers. */
function watchedProcesses(serverPid: number): Map<string, number> {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const stats = new Map(all.map((pid) => [pid, procStat(pid)]));
  const descends = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === process.pid) {
        return true;
      }
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const found = new Map<string, number>();
  let renderers = 0;
  for (const pid of all) {
    const st = stats.get(pid);
    const cmd = st ? cmdline(pid) : '';
    if (st?.pgrp === serverPid && /--type=extensionHost|extensionHostProcess/.test(cmd)) {
      found.set('extensionHost', pid);
    } else if (descends(pid) && cmd.includes('--type=renderer')) {
      found.set(`renderer${++renderers}`, pid);
    }
  }
  return found;
}

const cpuNow = (pids: Map<string, number>) => new Map([...pids].map(([name, pid]) => [name, procStat(pid)?.cpuMs ?? 0]));

// ---------- the panel ----------
async function install(frame: Frame | Page): Promise<void> {
  await frame.evaluate(probe);
}

/** F1 with the focus where it is; ms from the key down (in any frame) to the quick input drawn. */
async function timePalette(page: Page, frames: (Frame | Page)[]): Promise<number> {
  await page.evaluate(() => (window as unknown as { __flood: { armQuickInput(): void } }).__flood.armQuickInput());
  const before = await page.evaluate(() => (window as unknown as { __flood: { now(): number } }).__flood.now());
  await page.keyboard.press('F1');
  const shown = await page.evaluate(() => (window as unknown as { __floodQuick: Promise<number> }).__floodQuick);
  let pressed = Infinity;
  for (const f of frames) {
    const keys = await f
      .evaluate(
        (at) => (window as unknown as { __flood?: { keysSince(at: number): { key: string; at: number }[] } }).__flood?.keysSince(at) ?? [],
        before,
      )
      .catch(() => []);
    for (const k of keys) {
      if (k.key === 'F1') {
        pressed = Math.min(pressed, k.at);
      }
    }
  }
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  return shown - (Number.isFinite(pressed) ? pressed : before);
}

/** Types NEEDLE into the filter and deletes it again; ms from each key down to its rows drawn. */
async function timeKeystrokes(frame: Frame): Promise<{ key: string; ms: number }[]> {
  const input = frame.locator('.filter-input');
  await input.click();
  const out: { key: string; ms: number }[] = [];
  const steps = [...NEEDLE].map((ch, i) => ({ key: ch, text: NEEDLE.slice(0, i + 1) }));
  for (let i = NEEDLE.length - 1; i >= 0; i--) {
    steps.push({ key: 'Backspace', text: NEEDLE.slice(0, i) });
  }
  for (const step of steps) {
    await frame.evaluate((text) => (window as unknown as { __flood: { armFilter(t: string): void } }).__flood.armFilter(text), step.text);
    const before = await frame.evaluate(() => (window as unknown as { __flood: { now(): number } }).__flood.now());
    await frame.page().keyboard.press(step.key);
    const drawn = await frame.evaluate(() => (window as unknown as { __floodFilter: Promise<number> }).__floodFilter);
    const keys = await frame.evaluate(
      (at) => (window as unknown as { __flood: { keysSince(at: number): { key: string; at: number }[] } }).__flood.keysSince(at),
      before,
    );
    const down = keys.find((k) => k.key === step.key)?.at ?? before;
    out.push({ key: step.key, ms: drawn - down });
    await sleep(KEY_GAP_MS);
  }
  return out;
}

const totalRecords = (frame: Frame) =>
  frame.evaluate(() => (window as unknown as { __inspector: { total(): number } }).__inspector.total());

async function floodOnce(wb: Workbench, kind: string, port: number) {
  const page = wb.page;
  const path = kind === 'ws' ? `ws://127.0.0.1:${port}/ws/rate` : `http://127.0.0.1:${port}/sse/rate`;
  // Longer than the window: the scenario disconnects when it is done.
  const url = `${path}?rate=${RATE}&secs=${WINDOW_S * 4}`;
  await connectFromPalette(page, url);
  const frame = await panelFrame(page, url);
  await eventually(
    () => badgeText(frame),
    (t) => /^Open since/.test(t),
    30_000,
    `${kind}: header says open`,
  );
  await eventually(
    () => totalRecords(frame),
    (n) => n > RATE,
    30_000,
    `${kind}: the flood reaches the panel`,
  );
  // Every frame: the key down of F1 lands in whichever has the focus.
  for (const f of page.frames()) {
    await install(f).catch(() => undefined);
  }
  const pids = watchedProcesses(wb.server.pid);
  const cdp = PROFILE ? await page.context().newCDPSession(page) : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const load = [loadavg()[0]];
  const cpu0 = cpuNow(pids);
  const records0 = await totalRecords(frame);
  const started = Date.now();
  await frame.evaluate(() => (window as unknown as { __flood: { start(): number } }).__flood.start());
  await page.evaluate(() => (window as unknown as { __flood: { start(): number } }).__flood.start());

  // The first quarter untouched, then typing, then the palette; the rest untouched again.
  const trace = TRACE ? await traceFor(page, (WINDOW_S * 1000) / 4) : undefined;
  await sleep(Math.max(0, (WINDOW_S * 1000) / 4 - (Date.now() - started)));
  const typingFrom = Date.now();
  const keystrokes = await timeKeystrokes(frame);
  const paletteFrom = Date.now();
  load.push(loadavg()[0]);
  const palette: number[] = [];
  for (let i = 0; i < PALETTE_TRIES; i++) {
    palette.push(await timePalette(page, [page, ...page.frames().filter((f) => f !== page.mainFrame() && !f.isDetached())]));
    await sleep(500);
  }
  const paletteTo = Date.now();
  await sleep(Math.max(0, WINDOW_S * 1000 - (Date.now() - started)));

  const webview = (await frame.evaluate(() => (window as unknown as { __flood: { stop(): Probe } }).__flood.stop())) as Probe;
  const workbench = (await page.evaluate(() => (window as unknown as { __flood: { stop(): Probe } }).__flood.stop())) as Probe;
  const elapsedS = (Date.now() - started) / 1000;
  const cpu1 = cpuNow(pids);
  const records = (await totalRecords(frame)) - records0;
  load.push(loadavg()[0]);
  await wb.shot(`flood-${kind}`);
  let profile: unknown;
  if (cdp) {
    profile = (await cdp.send('Profiler.stop')).profile;
    writeFileSync(join(outDir, `flood-${kind}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
  await frame.locator('button', { hasText: /^Disconnect$/ }).click();

  const gaps = webview.frames.slice(1).map((t, i) => t - webview.frames[i]);
  // The webview shares the workbench's renderer (same site): both observers see the same tasks once.
  const seen = new Set<string>();
  const tasks = [...webview.longTasks, ...workbench.longTasks].filter((t) => {
    const key = `${Math.round(t.start)}:${Math.round(t.ms)}`;
    return !seen.has(key) && !!seen.add(key);
  });
  const cpuPct = Object.fromEntries(
    [...pids.keys()].map((name) => [name, (100 * (cpu1.get(name)! - cpu0.get(name)!)) / (elapsedS * 1000)]),
  );
  return {
    kind,
    seconds: elapsedS,
    recordsPerSecond: records / elapsedS,
    frames: webview.frames.length,
    frameGapP50: percentile(gaps, 50),
    frameGapP95: percentile(gaps, 95),
    frameGapP99: percentile(gaps, 99),
    frameGapMax: Math.max(0, ...gaps),
    longTasksWebview: webview.longTasks.length,
    longTasksWorkbench: workbench.longTasks.length,
    longestTask: Math.max(0, ...tasks.map((t) => t.ms)),
    tasksOver100: tasks.filter((t) => t.ms > 100).length,
    // When each long task ran: the flood alone, the typing into the filter, or the palette opening.
    longTasksByPhase: tasks.map((t) => ({
      ms: Math.round(t.ms),
      phase: t.start < typingFrom ? 'flood' : t.start < paletteFrom ? 'typing' : t.start < paletteTo ? 'palette' : 'flood',
    })),
    keystrokes,
    keystrokeMax: Math.max(...keystrokes.map((k) => k.ms)),
    keystrokeP50: percentile(
      keystrokes.map((k) => k.ms),
      50,
    ),
    palette,
    paletteMax: Math.max(...palette),
    cpuPct,
    load,
    profileTop: profile ? summarise(profile as CpuProfile) : undefined,
    trace,
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Traces the renderer for `ms`; returns the main threads' complete events summed by name (ms, count), the 30 largest. */
async function traceFor(page: Page, ms: number): Promise<{ name: string; ms: number; count: number }[]> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e: { value: TraceEvent[] }) => events.push(...e.value));
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8,blink',
    transferMode: 'ReportEvents',
  });
  await sleep(ms);
  await cdp.send('Tracing.end');
  await done;
  await cdp.detach();
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const sums = new Map<string, { ms: number; count: number }>();
  for (const e of events) {
    if (e.ph === 'X' && e.dur !== undefined && main.has(`${e.pid}:${e.tid}`)) {
      const sum = sums.get(e.name) ?? { ms: 0, count: 0 };
      sum.ms += e.dur / 1000;
      sum.count++;
      sums.set(e.name, sum);
    }
  }
  return [...sums]
    .map(([name, v]) => ({ name, ms: Math.round(v.ms), count: v.count }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 30);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function, the 25 largest, in ms. */
function summarise(profile: CpuProfile): { fn: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const cf = byId.get(id)!.callFrame;
    const name = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, ms]) => ({ fn, ms: Math.round(ms) }));
}

async function main(): Promise<void> {
  const server = fork(join(repoRoot, 'bench/server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
  log('packaging and starting code-server');
  const wb = await openExtensionWorkbench();
  try {
    await install(wb.page);
    // Before any flood: the palette on a quiet workbench (the focus in the editor area).
    const quietPalette: number[] = [];
    for (let i = 0; i < PALETTE_TRIES; i++) {
      quietPalette.push(await timePalette(wb.page, [wb.page]));
    }
    const runs = [];
    for (const kind of KINDS) {
      log(`${kind}: ${RATE} messages/s, ${WINDOW_S} s`);
      const result = await floodOnce(wb, kind, port).catch(async (error: unknown) => {
        await wb.shot(`flood-${kind}-failure`).catch(() => undefined);
        throw error;
      });
      runs.push(result);
      log(`${kind}: ${JSON.stringify({ ...result, keystrokes: undefined, profileTop: undefined })}`);
      // The next connection starts from a workbench with no panel open.
      await runCommand(wb.page, 'View: Close All Editors');
    }
    process.stdout.write(`${JSON.stringify({ quietPalette, runs })}\n`);
  } finally {
    await wb.close();
    server.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
