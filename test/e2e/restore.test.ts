/**
 * End to end: the log survives closing and reopening the panel, and reloading the window (which
 * restarts the extension host: the log comes back from disk).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand, waitForWorkbench } from '../harness/browser';
import {
  badgeText,
  openConnectionsView,
  treeRow,
  connectFromPalette,
  eventually,
  logRows,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from './fixture';

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
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '5'),
        15_000,
        'five events',
      );
      // The panel's view goes with it to the reopened one: event 3 stays selected.
      await frame
        .locator('.row:not([hidden])', { has: frame.locator('.c-id', { hasText: /^3$/ }) })
        .first()
        .click();
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '3' && /\bselected\b/.test(r.cls)),
        5_000,
        'event 3 selected',
      );
      await new Promise((r) => setTimeout(r, 500));
      await runCommand(w.page, 'View: Close Editor');
      await eventually(
        async () => w.page.locator('.tabs-container .tab').count(),
        (n) => n === 0,
        10_000,
        'panel closed',
      );
      const view = await openConnectionsView(w.page);
      await treeRow(view, '/sse').click();
      frame = await panelFrame(w.page, url);
      // It followed the tail, which has moved on: event 3 is out of view but still the one shown in detail.
      await eventually(
        () => frame.locator('#panel-message').innerText(),
        (text) => /Headline 3\b/.test(text),
        15_000,
        'event 3 still selected in the reopened panel',
      );
      // The log follows the newest records; Home jumps to the first one.
      await frame.locator('.row:not([hidden])').last().click();
      await frame.locator('.row:not([hidden])').last().press('Home');
      // Home scrolls on the next frame: until then the rows in view may still be the tail's.
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs[0]?.type === 'connecting' && rs.some((r) => r.id === '1'),
        15_000,
        'the log starts with the first connect, and the first events are back',
      );
      assert.ok(rows.some((r) => r.id === '5'));
      await w.shot('e2e-7-reopened');
    });
  });

  it('reloading the window brings the log back from disk, noted as restored and not connected', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-7-reload', async () => {
      const url = `${w.demo.url}/sse`;
      // The connection of the test before, when it ran; a new one otherwise.
      const view = await openConnectionsView(w.page);
      if ((await treeRow(view, '/sse').count()) > 0) {
        await treeRow(view, '/sse').click();
      } else {
        await connectFromPalette(w.page, url);
      }
      let frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );
      const before = await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => Number(r.id) >= 4),
        15_000,
        'four events',
      );
      const lastBefore = Math.max(...before.map((r) => Number(r.id) || 0));
      // A selected record stays selected through the reload (the webview's own saved state).
      await frame
        .locator('.row:not([hidden])', { has: frame.locator('.c-id', { hasText: /^2$/ }) })
        .first()
        .click();
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '2' && /\bselected\b/.test(r.cls)),
        5_000,
        'event 2 selected',
      );
      await new Promise((r) => setTimeout(r, 500));

      // Reloads the workbench; code-server ends this window's extension host and starts a new one,
      // so the session and its in-memory store are gone: only the file written on the way out remains.
      await runCommand(w.page, 'Developer: Reload Window');
      await w.page.waitForEvent('load', { timeout: 30_000 }).catch(() => undefined);
      await waitForWorkbench(w.page);
      frame = await panelFrame(w.page, url, 60_000);
      // The view comes back as it was left: event 2 selected, in view (the test before left the log
      // at its top; alone, this one follows the tail of a log that fits).
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '2' && /\bselected\b/.test(r.cls)),
        30_000,
        'event 2 still selected after the reload',
      );
      assert.equal(await badgeText(frame), 'Not connected');
      // End goes to the tail. The note is made only when the serializer finds no session under the
      // panel's id, i.e. in a new extension host; the old host would have kept the session instead.
      await frame.locator('.row.selected').click();
      await frame.locator('.row.selected').press('End');
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => /^Log restored from before the window reload \(\d+ records\); not connected$/.test(r.data)),
        30_000,
        'the restored-log note',
      );
      // The stream ran on until the reload (on a busy machine, for some seconds): the tail in view ends at
      // the last event written on the way out, which is the one seen before or a later one.
      const ids = rows.map((r) => Number(r.id)).filter((n) => n > 0);
      assert.ok(
        ids.length > 0 && Math.max(...ids) >= lastBefore,
        `the events up to the last one seen before the reload (${lastBefore}) are back: ${ids.join(',')}`,
      );
      assert.ok(
        ids.every((n, i) => i === 0 || n === ids[i - 1] + 1),
        `no event missing in the restored tail: ${ids.join(',')}`,
      );
      await w.shot('e2e-7-reloaded');

      await frame.locator('.row:not([hidden])').last().click();
      await frame.locator('.row:not([hidden])').last().press('Home');
      await eventually(
        () => logRows(frame),
        (rs) => rs[0]?.type === 'connecting' && rs.some((r) => r.id === '1'),
        15_000,
        'the restored log starts with the first connect, and the first events are back',
      );
    });
  });
});
