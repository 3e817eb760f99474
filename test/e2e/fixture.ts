/**
 * End-to-end fixture: the packaged extension installed into code-server, the demo server, a throw-away
 * workspace and headless Chromium on the workbench. `close()` tears all of it down; it also happens when the
 * process exits (the launcher kills code-server's process group).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { startDemoServer, type DemoServer, type DemoServerOptions } from '../../src/demo/server';
import {
  findWebviewFrame,
  launchBrowser,
  openWorkbench,
  quickInput,
  runCommand,
  screenshot,
  type BrowserSession,
} from '../harness/browser';
import { repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';

export const vsixPath = join(repoRoot, 'realtime-inspector.vsix');

/** What the packaged extension is built from; a newer file here means the .vsix is stale. */
const PACKAGE_INPUTS = ['src', 'webview', 'media', 'package.json', '.vscodeignore', 'scripts/build.mjs', 'README.md'];

function newestMtime(path: string): number {
  if (!existsSync(path)) {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** Packages the extension (`npm run package`) unless an up-to-date realtime-inspector.vsix exists. */
export function ensureVsix(): string {
  const inputs = Math.max(...PACKAGE_INPUTS.map((p) => newestMtime(join(repoRoot, p))));
  if (existsSync(vsixPath) && statSync(vsixPath).mtimeMs >= inputs) {
    return vsixPath;
  }
  const result = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0 || !existsSync(vsixPath)) {
    throw new Error(`npm run package failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return vsixPath;
}

export interface WorkbenchOptions {
  /** Workspace settings (`.vscode/settings.json`); `profiles` may use `DEMO` and `DEMO_WS` placeholders. */
  workspaceSettings?: Record<string, unknown>;
  /** User settings merged over the launcher's defaults. */
  userSettings?: Record<string, unknown>;
  workspaceTrust?: boolean;
  demo?: DemoServerOptions;
}

export interface Workbench {
  server: CodeServer;
  demo: DemoServer;
  browser: BrowserSession;
  page: Page;
  workspace: string;
  url: string;
  /** Restarts the demo server on the same port (after `demo.close()`). */
  restartDemo(): Promise<DemoServer>;
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Replaces `${DEMO}` / `${DEMO_WS}` in every string of a settings object. */
function withDemoUrls(value: unknown, demo: DemoServer): unknown {
  if (typeof value === 'string') {
    return value.replaceAll('${DEMO}', demo.url).replaceAll('${DEMO_WS}', demo.url.replace(/^http/, 'ws'));
  }
  if (Array.isArray(value)) {
    return value.map((v) => withDemoUrls(v, demo));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDemoUrls(v, demo)]));
  }
  return value;
}

export async function openExtensionWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  // RI_E2E_VSIX: test a given package instead of packaging the working tree.
  const vsix = process.env.RI_E2E_VSIX ?? ensureVsix();
  const scratch = mkdtempSync(join(tmpdir(), 'ri-e2e-'));
  const workspace = join(scratch, 'workspace');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });

  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(scratch, { recursive: true, force: true, maxRetries: 3 })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => undefined);
    }
  };
  try {
    let demo = await startDemoServer({ host: '127.0.0.1', ...options.demo });
    const demoPort = demo.port;
    cleanups.push(() => demo.close());
    writeFileSync(
      join(workspace, '.vscode', 'settings.json'),
      `${JSON.stringify(withDemoUrls(options.workspaceSettings ?? {}, demo), null, 2)}\n`,
    );

    const server = await startCodeServer({ workspace, vsix, workspaceTrust: options.workspaceTrust, settings: options.userSettings });
    cleanups.push(() => server.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const url = workbenchUrl(server, workspace);
    await openWorkbench(browser.page, url);

    return {
      server,
      get demo() {
        return demo;
      },
      browser,
      page: browser.page,
      workspace,
      url,
      restartDemo: async () => {
        demo = await startDemoServer({ host: '127.0.0.1', ...options.demo, port: demoPort });
        cleanups.push(() => demo.close());
        return demo;
      },
      shot: (name) => screenshot(browser.page, name),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs `body`; on failure saves `<name>-failure.png` before rethrowing. */
export async function withFailureShot<T>(wb: Workbench | undefined, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (wb) {
      await wb.shot(`${name}-failure`).catch(() => undefined);
    }
    throw error;
  }
}

/** Polls `read` until `accept` says yes; returns the last value or throws with it. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) {
        return last;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------- the inspector panel, as a user sees it ----------

const QUICK_TITLE = '.quick-input-widget .quick-input-title';
const QUICK_INPUT = '.quick-input-widget .quick-input-box input';

/** The title of the quick input on screen, or undefined when none is shown. */
async function shownTitle(page: Page): Promise<string | undefined> {
  const title = page.locator(QUICK_TITLE);
  return (await title.isVisible().catch(() => false)) ? ((await title.textContent().catch(() => null)) ?? undefined) : undefined;
}

/**
 * Presses Enter in the quick input of the step titled `title` (exactly) once it holds `value`, and waits
 * until the step is gone (the widget hides or shows another title).
 *
 * Between the steps of a flow the widget hides and shows again, and the workbench gives focus back to what
 * had it before, which can be a webview that takes it asynchronously, after the next step appeared: a key
 * pressed on the page then lands in the webview and the step is never answered. So the key goes to the
 * quick input itself, and when the step is still on screen with the same text a little later, once more.
 */
async function acceptStep(page: Page, title: string, value: string, timeoutMs: number, isPick: boolean): Promise<void> {
  const input = page.locator(QUICK_INPUT);
  for (let attempt = 0; ; attempt++) {
    if (isPick) {
      // A pick accepts its active row: wait until the list has one.
      await page.locator('.quick-input-widget .monaco-list-row.focused').first().waitFor({ state: 'visible', timeout: timeoutMs });
    }
    await eventually(
      () => input.inputValue(),
      (v) => v === value,
      timeoutMs,
      `the quick input "${title}" to hold ${JSON.stringify(value)}`,
    );
    await input.press('Enter');
    try {
      await eventually(
        () => shownTitle(page),
        (t) => t !== title,
        attempt === 0 ? 5_000 : timeoutMs,
        `the quick input "${title}" to go`,
      );
      return;
    } catch (error) {
      if (attempt >= 1) {
        throw error;
      }
      // Said out loud so that a run shows how often the key went astray.
      console.warn(`quick input "${title}": Enter did not answer the step; pressing it again`);
    }
  }
}

/**
 * Answers one step of a multi-step quick input: waits for its title, optionally types, presses Enter and
 * waits for the step to go.
 */
export async function answerQuickInput(page: Page, title: string | RegExp, value?: string, timeoutMs = 15_000): Promise<void> {
  const titleEl = page.locator(QUICK_TITLE, { hasText: title });
  await titleEl.waitFor({ state: 'visible', timeout: timeoutMs });
  const exactTitle = (await titleEl.textContent()) ?? '';
  const input = page.locator(QUICK_INPUT);
  if (value !== undefined) {
    await input.fill(value);
  }
  const isPick = await page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .first()
    .isVisible()
    .catch(() => false);
  await acceptStep(page, exactTitle, value ?? (await input.inputValue()), timeoutMs, isPick);
}

/** "Realtime: Connect SSE/WS" with a typed URL and Enter: the one step that connects to it. */
export async function connectFromPalette(page: Page, url: string): Promise<void> {
  await runCommand(page, 'Realtime: Connect SSE/WS');
  // The palette's own box is visible too until the command's quick pick replaces it: wait for the flow's title.
  await page.locator(QUICK_TITLE, { hasText: /^Connect SSE\/WS$/ }).waitFor({ state: 'visible', timeout: 15_000 });
  const input = await quickInput(page);
  await input.fill(url);
  await acceptStep(page, 'Connect SSE/WS', url, 10_000, true);
}

/** Shows the "Realtime" activity-bar container (its one view is Connections) and returns the side bar. */
export async function openConnectionsView(page: Page): Promise<Locator> {
  const sidebar = page.locator('.part.sidebar');
  const title = sidebar.locator('.composite.title', { hasText: 'Realtime' });
  if (!(await title.isVisible())) {
    await page.locator('.part.activitybar .action-item a[aria-label^="Realtime"]').first().click();
  }
  await title.waitFor({ state: 'visible', timeout: 15_000 });
  return sidebar;
}

/** A row of the Connections view, by (part of) its label. */
export function treeRow(view: Locator, label: string | RegExp): Locator {
  return view.locator('.monaco-list-row', { has: view.page().locator('.label-name', { hasText: label }) }).first();
}

/**
 * The inspector panel's webview frame (the one holding the request bar's state badge); with `url`, the panel
 * whose URL box holds that text, for when several panels are open.
 */
export async function panelFrame(page: Page, url?: string, timeoutMs = 20_000): Promise<Frame> {
  if (url === undefined) {
    return findWebviewFrame(page, '.state-badge', timeoutMs);
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await findWebviewFrame(page, '.state-badge', Math.max(1_000, deadline - Date.now()));
    for (const candidate of page.frames()) {
      if (candidate.isDetached()) {
        continue;
      }
      const value = await candidate
        .locator('.url-input')
        .inputValue({ timeout: 500 })
        .catch(() => undefined);
      if (value?.includes(url)) {
        return candidate;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no panel for ${url} (found ${frame.url()})`);
    }
    await page.waitForTimeout(200);
  }
}

export async function badgeText(frame: Frame): Promise<string> {
  return (await frame.locator('.state-badge .badge-text').innerText()).trim();
}

export interface Row {
  /** 'in', 'out' or 'system'. */
  dir: string;
  type: string;
  id: string;
  data: string;
  cls: string;
}

/** The log rows currently rendered (the log is virtualised: the visible window only). */
export async function logRows(frame: Frame): Promise<Row[]> {
  return frame.locator('.row:not([hidden])').evaluateAll((els) =>
    els
      .map((el) => ({
        top: Number(/translateY\((-?\d+)/.exec((el as unknown as { style: { transform: string } }).style.transform)?.[1] ?? 0),
        dir: el.querySelector('.c-dir')?.getAttribute('aria-label') ?? '',
        type: el.querySelector('.c-type')?.textContent ?? '',
        id: el.querySelector('.c-id')?.textContent ?? '',
        data: el.querySelector('.c-data')?.textContent ?? '',
        cls: el.className,
      }))
      .sort((a, b) => a.top - b.top)
      .map(({ dir, type, id, data, cls }) => ({ dir, type, id, data, cls })),
  );
}

export { findWebviewFrame, type Frame };
