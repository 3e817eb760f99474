/**
 * End to end: in a window opened in restricted mode, a profile from the workspace's settings connects only after
 * the user confirms in a modal dialog.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badgeText,
  eventually,
  logRows,
  openConnectionsView,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from './fixture';

describe('workspace trust', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({
      workspaceTrust: true,
      workspaceSettings: { 'realtimeInspector.profiles': [{ name: 'Internal feed', url: '${DEMO}/sse', kind: 'sse' }] },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('a workspace profile asks before connecting in restricted mode: Cancel leaves it unconnected, Connect connects', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-trust', async () => {
      const url = `${w.demo.url}/sse`;
      const view = await openConnectionsView(w.page);
      // The profile's row (its description is the URL), not a connection named after it.
      const row = view
        .locator('.monaco-list-row', { has: w.page.locator('.label-description', { hasText: url }) })
        .filter({ has: w.page.locator('.label-name', { hasText: 'Internal feed' }) })
        .first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      const dialog = w.page.locator('.monaco-dialog-box');

      await row.hover();
      await row.locator('.action-label[aria-label^="Connect"]').click();
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await dialog.innerText();
      assert.match(text, /untrusted workspace/);
      assert.ok(text.includes(url), `the dialog names the URL: ${text}`);
      await w.shot('e2e-trust-asks');
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      await w.page.waitForTimeout(1_000);
      assert.equal(w.demo.lastEventIds.length, 0, 'no request reached the server after Cancel');

      await row.hover();
      await row.locator('.action-label[aria-label^="Connect"]').click();
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await dialog.locator('.monaco-button', { hasText: /^Connect$/ }).click();
      const frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (t) => /^Open since/.test(t),
        15_000,
        'connects after the confirmation',
      );
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '1'),
        15_000,
        'events',
      );
      assert.equal(w.demo.lastEventIds.length, 1, 'one request, after the confirmation');
      await w.shot('e2e-trust-connected');
    });
  });
});
