/**
 * Headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM=/path) driven by playwright-core, for a
 * code-server workbench.
 * Every request that leaves the loopback interface is refused, so a run never depends on the network.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { repoRoot } from './codeServer';

export const resultsDir = join(repoRoot, 'test-results');

/** The browser the tests drive: `CHROMIUM` when set, else Debian's (scripts/ensure-system.sh installs it). */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests that were refused because they left the loopback interface. */
  blocked: string[];
  close(): Promise<void>;
}

function isLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') {
    return true;
  }
  return ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}

export interface BrowserOptions {
  /** Called before the first page load, e.g. to expose functions on the page. */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Receives the page's console output. */
  onConsole?: (type: string, text: string) => void;
  viewport?: { width: number; height: number };
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 60_000 });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) {
        return route.continue();
      }
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    if (options.onConsole) {
      page.on('console', (message) => options.onConsole!(message.type(), message.text()));
    }
    if (options.beforeLoad) {
      await options.beforeLoad(page);
    }
    return {
      browser,
      context,
      page,
      blocked,
      close: async () => {
        await browser.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/** Opens a workbench URL and waits until the workbench is usable. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await waitForWorkbench(page, timeoutMs);
}

/** Waits for the workbench's parts to be laid out (status bar present, editor area rendered). */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Runs a command from the palette (F1) by its full title as listed there, e.g. "Realtime: Connect SSE/WS".
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The row whose label is exactly the title ("View: Close Editor", not "View: Close Editor Group").
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact }) })
    .first();
  // An extension's commands reach the palette only once the remote extension host has scanned it, and an
  // open palette does not pick up late arrivals: reopen it until the command is listed.
  for (;;) {
    await openPalette(page);
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 2_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) {
        throw new Error(`"${title}" is not in the command palette after ${timeoutMs} ms`, { cause: error });
      }
      await page.waitForTimeout(500);
    }
  }
  const label = await row.getAttribute('aria-label');
  if (!label?.includes(title)) {
    throw new Error(`palette row for "${title}" is "${label}"`);
  }
  await page.keyboard.press('Enter');
}

async function openPalette(page: Page): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 3_000 });
      return;
    } catch (error) {
      // The first key press can land before the workbench has focus.
      if (attempt >= 2) {
        throw error;
      }
      await page
        .locator('.monaco-workbench .part.statusbar')
        .click({ position: { x: 5, y: 5 } })
        .catch(() => undefined);
    }
  }
}

/** The quick input's text box (after a command opened a quick pick or input box). */
export async function quickInput(page: Page, timeoutMs = 10_000) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  return input;
}

/** Finds the webview frame whose document contains `selector`, waiting up to `timeoutMs`. */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs = 20_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) {
        continue;
      }
      try {
        if ((await frame.locator(selector).count()) > 0) {
          return frame;
        }
      } catch {
        // frame navigated or detached while we looked
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`no webview frame contains ${selector} after ${timeoutMs} ms`);
    }
    await page.waitForTimeout(200);
  }
}

/** Saves a screenshot as test-results/<name>.png (or at `name` when it is an absolute path) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = isAbsolute(name)
    ? name.endsWith('.png')
      ? name
      : `${name}.png`
    : join(resultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
  return path;
}

/** Text of the notification toasts currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
}
