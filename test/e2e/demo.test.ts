/**
 * End to end: a user with no endpoint at hand starts the embedded demo server from the palette and connects to
 * it from the notification.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { quickInput, runCommand } from '../harness/browser';
import { badgeText, eventually, logRows, openExtensionWorkbench, panelFrame, withFailureShot, type Workbench } from './fixture';

describe('demo server command', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({
      workspaceSettings: {
        'realtimeInspector.profiles': [
          { name: 'Demo: SSE ticker', url: '${DEMO}/sse', kind: 'sse' },
          { name: 'Demo: WebSocket echo', url: '${DEMO_WS}/ws/echo', kind: 'ws' },
        ],
      },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('Start Demo Server offers its endpoints from one short action; the SSE ticker picked streams into a panel', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-demo-command', async () => {
      await runCommand(w.page, 'Realtime: Start Demo Server');
      const toast = w.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Demo server running at' }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 });
      const demoUrl = /Demo server running at (http:\/\/127\.0\.0\.1:\d+)/.exec(await toast.innerText())?.[1];
      assert.ok(demoUrl, 'the notification names the demo server on loopback');
      const open = toast.locator('.monaco-button', { hasText: 'Connect…' });
      await open.waitFor({ state: 'visible', timeout: 5_000 });
      const buttons = await toast
        .locator('.monaco-button')
        .evaluateAll((els) => els.map((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth })));
      assert.ok(
        buttons.every((b) => !b.cut),
        `every button of the notification shows its whole label: ${JSON.stringify(buttons)}`,
      );
      await w.shot('e2e-demo-command-offer');
      await open.click();

      // The action lists every endpoint with what it does; pick the SSE ticker.
      await w.page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'Demo server: connect to an endpoint' })
        .waitFor({ state: 'visible', timeout: 10_000 });
      const picks = w.page.locator('.quick-input-widget .monaco-list-row');
      const names = await eventually(
        () => picks.locator('.label-name').allInnerTexts(),
        (ns) => ns.length >= 8,
        10_000,
        'every demo endpoint listed',
      );
      for (const name of [
        'SSE ticker',
        'SSE once',
        'SSE LLM stream (POST)',
        'SSE hostile payloads',
        'SSE private (401)',
        'WebSocket echo',
        'WebSocket ticker',
        'WebSocket private (401)',
      ]) {
        assert.ok(
          names.some((n) => n.trim() === name),
          `"${name}" is listed: ${JSON.stringify(names)}`,
        );
      }
      assert.match(await picks.first().innerText(), /Events with ids, types, JSON and heartbeats/, 'each endpoint says what it does');
      await w.shot('e2e-demo-command-endpoints');
      await picks
        .filter({ has: w.page.locator('.label-name', { hasText: /^\s*SSE ticker$/ }) })
        .first()
        .click();

      const frame = await panelFrame(w.page, `${demoUrl}/sse`);
      await eventually(
        () => badgeText(frame),
        (t) => /^Open since/.test(t),
        15_000,
        'the ticker connects',
      );
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.type === 'tick' && r.id === '1'),
        15_000,
        'the first tick',
      );
      assert.ok(
        rows.some((r) => r.type === 'comment'),
        'the greeting comment is listed',
      );
      await w.shot('e2e-demo-command');
    });
  });

  it("typing a saved profile's name in Connect SSE/WS lists that profile first and no error; picking it connects it", async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-connect-picker', async () => {
      await runCommand(w.page, 'Realtime: Connect SSE/WS');
      await w.page
        .locator('.quick-input-widget .quick-input-title', { hasText: /^Connect SSE\/WS$/ })
        .waitFor({ state: 'visible', timeout: 15_000 });
      const input = await quickInput(w.page);
      await input.fill('Demo: SSE');
      const rows = w.page.locator('.quick-input-widget .monaco-list-row');
      const labels = await eventually(
        () => rows.locator('.label-name').allInnerTexts(),
        (ls) => ls.length > 0 && ls[0].includes('Demo: SSE ticker'),
        10_000,
        'the profile listed first',
      );
      assert.ok(!labels.some((l) => /not supported|not a valid URL|Connect to/.test(l)), `no error or URL item: ${JSON.stringify(labels)}`);
      assert.ok(!(await w.page.locator('.quick-input-widget .monaco-list-row .codicon-error').count()), 'no error icon');
      await w.shot('e2e-connect-picker-profile');

      // A URL typed instead leads with the item that connects to it, its kind detected from the scheme.
      const url = `${w.demo.url.replace(/^http/, 'ws')}/ws/ticker`;
      await input.fill(url);
      const connect = rows.first();
      await eventually(
        () => connect.innerText(),
        (t) => t.includes(url) && /Enter connects · WebSocket/.test(t),
        10_000,
        'the connect item first',
      );
      await w.shot('e2e-connect-picker-url');

      await input.fill('demo web');
      await eventually(
        () => rows.first().innerText(),
        (t) => t.includes('Demo: WebSocket echo'),
        10_000,
        'the other profile first',
      );
      await rows.first().click();
      const frame = await panelFrame(w.page, `${w.demo.url.replace(/^http/, 'ws')}/ws/echo`);
      await eventually(
        () => badgeText(frame),
        (t) => /^Open since/.test(t),
        15_000,
        'the profile connects',
      );
    });
  });
});
