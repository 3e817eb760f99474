/**
 * End to end: after Developer: Reload Window every restored panel's connection is in the Connections
 * view at once (VS Code revives only the tab in view; the others when they are first shown), and each
 * panel shows its log when its tab is shown. The times taken are printed as diagnostics, not bounded.
 */
import { after, before, describe, it } from 'node:test';
import { runCommand, waitForWorkbench } from '../harness/browser';
import {
  badgeText,
  connectFromPalette,
  eventually,
  logRows,
  openConnectionsView,
  openExtensionWorkbench,
  panelFrame,
  treeRow,
  withFailureShot,
  type Workbench,
} from './fixture';

const PATHS = ['/sse', '/sse/once', '/sse/hostile'];
/** A tree row or tab label ends with the session's path. */
const labelOf = (path: string) => new RegExp(`${path.replace(/\//g, '\\/')}$`);

describe('window reload with several panels', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({ demo: { tickMs: 200 } });
  });

  after(async () => {
    await wb?.close();
  });

  it('lists every restored panel in the Connections view at once, and each panel shows its log', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-reload-panels', async () => {
      for (const path of PATHS) {
        const url = `${w.demo.url}${path}`;
        await connectFromPalette(w.page, url);
        const frame = await panelFrame(w.page, url);
        await eventually(
          () => logRows(frame),
          (rs) => rs.some((r) => r.dir === 'in' && r.type !== 'retry' && r.type !== 'comment'),
          20_000,
          `${path}: an event`,
        );
      }
      const view = await openConnectionsView(w.page);
      for (const path of PATHS) {
        await treeRow(view, labelOf(path)).waitFor({ state: 'visible', timeout: 10_000 });
      }
      // The logs are written to disk every two seconds and on the way out.
      await new Promise((r) => setTimeout(r, 500));

      const reloadAt = Date.now();
      await runCommand(w.page, 'Developer: Reload Window');
      await w.page.waitForEvent('load', { timeout: 30_000 }).catch(() => undefined);
      await waitForWorkbench(w.page);
      const inView = await panelFrame(w.page, undefined, 60_000);
      await eventually(
        () => logRows(inView),
        (rs) => rs.some((r) => r.dir === 'in'),
        60_000,
        'the tab in view shows its log',
      );
      const viewFrame = await inView.evaluate(() => ({
        origin: performance.timeOrigin,
        log: performance.getEntriesByName('realtime-inspector:first-log')[0]?.startTime,
      }));
      console.log(
        `# diagnostic: the tab in view showed its log ${Date.now() - reloadAt} ms after the reload command; ` +
          `its frame started ${Math.round(viewFrame.origin - reloadAt)} ms after the command and drew its log ${Math.round(viewFrame.log ?? NaN)} ms later`,
      );
      const sidebar = await openConnectionsView(w.page);
      await eventually(
        async () => Promise.all(PATHS.map((path) => treeRow(sidebar, labelOf(path)).count())),
        (counts) => counts.every((n) => n === 1),
        60_000,
        'every restored panel listed in the Connections view',
      );
      console.log(`# diagnostic: all ${PATHS.length} sessions listed ${Date.now() - reloadAt} ms after the reload command`);
      await w.shot('e2e-reload-listed');

      for (const path of PATHS) {
        const url = `${w.demo.url}${path}`;
        const shownAt = Date.now();
        await w.page
          .locator('.tabs-container .tab', { has: w.page.locator('.label-name', { hasText: labelOf(path) }) })
          .first()
          .click();
        const frame = await panelFrame(w.page, url, 60_000);
        await eventually(
          () => logRows(frame),
          (rs) => rs.some((r) => r.dir === 'in' && r.type !== 'retry' && r.type !== 'comment'),
          60_000,
          `${path}: its log after the reload`,
        );
        // The webview's own clock: when its frame started and when it drew its first log (a performance mark).
        const inFrame = await frame.evaluate(() => ({
          origin: performance.timeOrigin,
          log: performance.getEntriesByName('realtime-inspector:first-log')[0]?.startTime,
        }));
        console.log(
          `# diagnostic: ${path} showed its log ${Date.now() - shownAt} ms after its tab was clicked (seen by polling); ` +
            `its frame started ${Math.round(inFrame.origin - shownAt)} ms after the click and drew its log ${Math.round(inFrame.log ?? NaN)} ms later`,
        );
        await eventually(
          () => badgeText(frame),
          (text) => text === 'Not connected',
          10_000,
          `${path}: not connected`,
        );
      }
      await w.shot('e2e-reload-panels');
    });
  });
});
