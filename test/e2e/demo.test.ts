/**
 * End to end: a user with no endpoint at hand starts the embedded demo server from the palette and connects to
 * it from the notification.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import { badgeText, eventually, logRows, openExtensionWorkbench, panelFrame, withFailureShot, type Workbench } from './fixture';

describe('demo server command', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('Start Demo Server offers to connect its SSE ticker, which then streams into a panel', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-demo-command', async () => {
      await runCommand(w.page, 'Realtime: Start Demo Server');
      const toast = w.page.locator('.notifications-toasts .notification-list-item', { hasText: 'Demo server running at' }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 });
      const demoUrl = /Demo server running at (http:\/\/127\.0\.0\.1:\d+)/.exec(await toast.innerText())?.[1];
      assert.ok(demoUrl, 'the notification names the demo server on loopback');
      await w.shot('e2e-demo-command-offer');
      await toast.locator('.monaco-button', { hasText: 'Connect SSE ticker' }).click();

      const frame = await panelFrame(w.page, `${demoUrl}/sse`);
      await eventually(() => badgeText(frame), (t) => /^Open since/.test(t), 15_000, 'the ticker connects');
      const rows = await eventually(() => logRows(frame), (rs) => rs.some((r) => r.type === 'tick' && r.id === '1'), 15_000, 'the first tick');
      assert.ok(rows.some((r) => r.type === 'comment'), 'the greeting comment is listed');
      await w.shot('e2e-demo-command');
    });
  });
});
