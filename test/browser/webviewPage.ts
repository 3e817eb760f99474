/**
 * The built webview (dist/webview.js + css) served from 127.0.0.1 as the panel's page, under the
 * host's CSP (scripts by nonce only), with the stand-in for acquireVsCodeApi (fixtures/harness.js)
 * and a theme's variables: what every browser test of the webview opens.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath } from '../harness/browser';

export type Theme = 'dark' | 'light' | 'hc';

export const ROOT = resolve(__dirname, '../../..');

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.html': 'text/html',
};

function pageHtml(origin: string, theme: Theme, nonce: string): string {
  const bodyClass = theme === 'hc' ? 'vscode-high-contrast' : `vscode-${theme}`;
  // The host's CSP (src/panel/html.ts): images from the extension or data: URLs (an MCP result's), scripts by nonce only.
  const csp = `default-src 'none'; style-src ${origin}; font-src ${origin}; img-src ${origin} data:; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="/fixtures/theme-${theme}.css">
<link rel="stylesheet" href="/dist/codicons/codicon.css">
<link rel="stylesheet" href="/dist/webview.css">
</head><body class="${bodyClass}"><div id="app"></div>
<script nonce="${nonce}" src="/fixtures/harness.js"></script>
<script nonce="${nonce}" src="/dist/webview.js"></script>
</body></html>`;
}

/** Serves the page at `/?theme=dark|light|hc` (also `/index.html`), `dist/` and the test fixtures; nothing else. */
export function startWebviewServer(nonce: string): Promise<{ server: Server; origin: string }> {
  return new Promise((done) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (url.pathname === '/' || url.pathname === '/index.html') {
        const theme = url.searchParams.get('theme');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(pageHtml(origin, theme === 'light' || theme === 'hc' ? theme : 'dark', nonce));
        return;
      }
      const base = url.pathname.startsWith('/dist/')
        ? join(ROOT, 'dist')
        : url.pathname.startsWith('/fixtures/')
          ? join(ROOT, 'test/browser/fixtures')
          : undefined;
      const file = base && join(base, normalize(url.pathname.replace(/^\/(dist|fixtures)\//, '')));
      if (!file || !file.startsWith(base) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(0, '127.0.0.1', () => done({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** Headless Chromium (Debian's, or CHROMIUM=…) as the webview tests run it. */
export async function launchHeadless(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
    timeout: 30_000,
  });
}

/** A new page with a generous timeout (a shared machine starts pages slowly) whose page errors {@link closeWebviewPage} checks. */
export async function newWebviewPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  pageErrors.set(page, errors);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

/** Closes the page, then asserts it had no page errors, no CSP violations, and ran no server text (`window.__pwned`). */
export async function closeWebviewPage(page: Page): Promise<void> {
  const errors = pageErrors.get(page) ?? [];
  const seen = await page.evaluate(() => {
    const w = globalThis as unknown as { __cspViolations: string[]; __pwned?: unknown };
    return { csp: w.__cspViolations, pwned: w.__pwned };
  });
  await page.close();
  assert.deepEqual(errors, [], 'no page errors');
  assert.deepEqual(seen.csp, [], 'no CSP violations');
  assert.equal(seen.pwned, undefined, 'no server text ran');
}

/** Where the browser tests put their screenshots. */
export const RESULTS = join(ROOT, 'test-results');

/**
 * The page server and headless Chromium for the tests of one `describe`: started before them (the
 * built webview and Chromium checked first), closed after.
 */
export function webviewHarness(nonce: string): { readonly browser: Browser; readonly origin: string } {
  let browser: Browser | undefined;
  let server: Server | undefined;
  let origin = '';
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'dist/webview.js')), 'dist/webview.js is missing: run `npm run build` first');
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: run \`bash scripts/ensure-system.sh chromium\``);
    ({ server, origin } = await startWebviewServer(nonce));
    browser = await launchHeadless();
    mkdirSync(RESULTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });
  return {
    get browser() {
      assert.ok(browser, 'Chromium is not started');
      return browser;
    },
    get origin() {
      return origin;
    },
  };
}
