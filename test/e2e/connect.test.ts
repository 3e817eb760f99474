/**
 * End to end: connecting in one step. A URL typed (or pasted) and Enter connects to exactly that URL, also
 * with a longer recent URL that starts the same way and with a panel focused; Options… sets the request in
 * the same flow and Escape goes back; the demo server's endpoints are in the connect box; Remove Connection
 * can be undone; Export Log suggests a file and offers to open it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { quickInput, runCommand } from '../harness/browser';
import {
  badgeText,
  connectFromPalette,
  eventually,
  logRows,
  openConnectionsView,
  openExtensionWorkbench,
  treeRow,
  withFailureShot,
  type Frame,
  type Workbench,
} from './fixture';

const TITLE = '.quick-input-widget .quick-input-title';
const ROWS = '.quick-input-widget .monaco-list-row';

/** The URL box of every open panel. */
async function panelUrls(page: Page): Promise<string[]> {
  const urls: string[] = [];
  for (const frame of page.frames()) {
    if (!frame.isDetached()) {
      const value = await frame
        .locator('.url-input')
        .inputValue({ timeout: 500 })
        .catch(() => undefined);
      if (value !== undefined) {
        urls.push(value);
      }
    }
  }
  return urls;
}

/** The panel whose URL box holds exactly `url`. */
async function exactPanel(page: Page, url: string): Promise<Frame> {
  return eventually(
    async () => {
      for (const frame of page.frames()) {
        const value = frame.isDetached()
          ? undefined
          : await frame
              .locator('.url-input')
              .inputValue({ timeout: 500 })
              .catch(() => undefined);
        if (value === url) {
          return frame;
        }
      }
      return undefined;
    },
    (f) => f !== undefined,
    20_000,
    `a panel for exactly ${url}`,
  ) as Promise<Frame>;
}

async function openConnectBox(page: Page): Promise<void> {
  await runCommand(page, 'Realtime: Connect SSE/WS');
  await page.locator(TITLE, { hasText: /^Connect SSE\/WS$/ }).waitFor({ state: 'visible', timeout: 15_000 });
}

const tabLabels = (page: Page) => page.locator('.tabs-container .tab .label-name').allInnerTexts();

describe('connect in one step', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('Enter on a typed URL connects to exactly it, with a longer recent URL listed and a panel focused', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-connect-exact', async () => {
      const host = new URL(w.demo.url).host;
      const recent = `${w.demo.url}/sse?t=1`;
      await connectFromPalette(w.page, recent);
      const first = await exactPanel(w.page, recent);
      await eventually(
        () => badgeText(first),
        (t) => /^Open since/.test(t),
        15_000,
        'the first connects',
      );
      // Tabs show the query: the two connections tell apart.
      await eventually(
        () => tabLabels(w.page),
        (ls) => ls.includes(`${host}/sse?t=1`),
        10_000,
        'a tab with the query',
      );

      // The panel has focus (as it does once the user clicked into its log), then the connect box opens over it.
      await first.locator('.log-viewport').click();
      await openConnectBox(w.page);
      const url = `${w.demo.url}/sse`;
      const input = await quickInput(w.page);
      // Typed and entered at once, without waiting for the list to follow.
      await input.fill(url);
      await input.press('Enter');
      const second = await exactPanel(w.page, url);
      await eventually(
        () => badgeText(second),
        (t) => /^Open since/.test(t),
        15_000,
        'the typed URL connects',
      );
      assert.ok(!(await w.page.locator(TITLE).isVisible()), 'no further step: Enter connected');
      const tabs = await eventually(
        () => tabLabels(w.page),
        (ls) => ls.includes(`${host}/sse`) && ls.includes(`${host}/sse?t=1`),
        10_000,
        'both tabs',
      );
      assert.equal(tabs.length, 2, `one panel each, none for another URL: ${JSON.stringify(tabs)}`);
      await w.shot('e2e-connect-exact');

      // A host typed without a scheme is taken as http:// (SSE), as the first item says.
      await openConnectBox(w.page);
      await input.fill(`${host}/sse/once`);
      await eventually(
        () => w.page.locator(ROWS).first().innerText(),
        (t) => t.includes(`http://${host}/sse/once`) && /http:\/\/ assumed/.test(t),
        10_000,
        'the first item names the URL it connects to',
      );
      await w.shot('e2e-connect-no-scheme');
      await input.press('Enter');
      await exactPanel(w.page, `http://${host}/sse/once`);
    });
  });

  it('Options… sets method and body in the same flow; Escape goes back to the URL, the options kept', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-connect-options', async () => {
      const url = `${w.demo.url}/sse/llm`;
      await openConnectBox(w.page);
      const input = await quickInput(w.page);
      await input.fill(url);
      const row = (text: string | RegExp) => w.page.locator(ROWS, { hasText: text }).first();
      await row('Options…').click();
      const hubTitle = `Connect: options for ${url}`;
      await w.page.locator(TITLE, { hasText: hubTitle }).waitFor({ state: 'visible', timeout: 10_000 });
      await row('Method: GET').click();
      await w.page.locator(TITLE, { hasText: 'Connect: HTTP method' }).waitFor({ state: 'visible', timeout: 10_000 });
      await row(/^\s*POST\s*$/).click();
      await row('Body: none').click();
      await w.page.locator(TITLE, { hasText: 'Connect: request body' }).waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('{"prompt":"e2e"}');
      await input.press('Enter');
      await row('Body: 16 bytes').waitFor({ state: 'visible', timeout: 10_000 });
      await w.shot('e2e-connect-options');

      // Escape: back to the connect box with the URL typed, not away.
      await input.press('Escape');
      await w.page.locator(TITLE, { hasText: /^Connect SSE\/WS$/ }).waitFor({ state: 'visible', timeout: 10_000 });
      await eventually(
        () => input.inputValue(),
        (v) => v === url,
        5_000,
        'the URL still typed',
      );
      await row('Options…').click();
      await row('Method: POST').waitFor({ state: 'visible', timeout: 10_000 });
      await row('Connect').first().click();
      const frame = await exactPanel(w.page, url);
      await eventually(
        () => logRows(frame),
        (rs) => rs.filter((r) => r.type === 'message' || r.type === 'token').length >= 3 || rs.length >= 6,
        20_000,
        'tokens streamed for the POST',
      );
    });
  });

  it("the running demo server's endpoints are in the connect box", async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-connect-demo', async () => {
      await runCommand(w.page, 'Realtime: Start Demo Server');
      await w.page
        .locator('.notifications-toasts .notification-list-item', { hasText: 'Demo server running at' })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await openConnectBox(w.page);
      const names = await eventually(
        () => w.page.locator(ROWS).locator('.label-name').allInnerTexts(),
        (ns) => ns.some((n) => n.trim() === 'SSE ticker') && ns.some((n) => n.trim() === 'WebSocket echo'),
        10_000,
        'the demo endpoints listed',
      );
      assert.ok(names.length >= 8, JSON.stringify(names));
      await w.shot('e2e-connect-demo');
      await (await quickInput(w.page)).press('Escape');
    });
  });

  it('Remove Connection offers Undo, which brings the connection and its log back', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-connect-undo', async () => {
      const url = `${w.demo.url}/sse`;
      const view = await openConnectionsView(w.page);
      const row = treeRow(view, new RegExp(`^${new URL(url).host.replace(/\./g, '\\.')}/sse$`));
      await row.hover();
      await row.locator('.action-label[aria-label^="Remove"]').click();
      const toast = w.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Removed 127.0.0.1' }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 });
      await eventually(
        () => panelUrls(w.page),
        (us) => !us.includes(url),
        10_000,
        'its panel closed',
      );
      await eventually(
        () => row.count(),
        (n) => n === 0,
        10_000,
        'its row gone from the Connections view',
      );
      await w.shot('e2e-connect-removed');
      await toast.locator('.monaco-button', { hasText: 'Undo' }).click();
      const back = await exactPanel(w.page, url);
      const rows = await eventually(
        () => logRows(back),
        (rs) => rs.some((r) => r.type === 'tick' && r.id === '1'),
        15_000,
        'the log back, from its first event',
      );
      assert.ok(rows.length > 2);
      await eventually(
        () => badgeText(back),
        (t) => /^Open since/.test(t),
        15_000,
        'connected again',
      );
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await w.shot('e2e-connect-undone');
    });
  });
});
