/**
 * End to end: the log survives closing and reopening the panel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import { badgeText, openConnectionsView, treeRow, connectFromPalette, eventually, logRows, openExtensionWorkbench, panelFrame, withFailureShot, type Workbench } from './fixture';

describe('panel restore', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({ demo: { tickMs: 200 } });
  });

  after(async () => {
    await wb?.close();
  });

  it('closing and reopening the panel brings the log back', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-7-reopen', async () => {
      const url = `${w.demo.url}/sse`;
      await connectFromPalette(w.page, url);
      let frame = await panelFrame(w.page, url);
      await eventually(() => badgeText(frame), (text) => /^Open since/.test(text), 15_000, 'header says open');
      await eventually(() => logRows(frame), (rs) => rs.some((r) => r.id === '5'), 15_000, 'five events');
      await runCommand(w.page, 'View: Close Editor');
      await eventually(async () => w.page.locator('.tabs-container .tab').count(), (n) => n === 0, 10_000, 'panel closed');
      const view = await openConnectionsView(w.page);
      await treeRow(view, '/sse').click();
      frame = await panelFrame(w.page, url);
      // The log follows the newest records; Home jumps to the first one.
      await eventually(() => logRows(frame), (rs) => rs.length > 0, 15_000, 'records in the reopened panel');
      await frame.locator('.row:not([hidden])').last().click();
      await frame.locator('.row:not([hidden])').last().press('Home');
      const rows = await eventually(() => logRows(frame), (rs) => rs.some((r) => r.id === '1'), 15_000, 'the first events are back');
      assert.equal(rows[0].type, 'connecting', 'the log starts with the first connect');
      assert.ok(rows.some((r) => r.id === '5'));
      await w.shot('e2e-7-reopened');
    });
  });
});
