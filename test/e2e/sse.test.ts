/**
 * End to end, SSE: the packaged extension in code-server, driven from the command palette against the demo
 * server, checked on what the panel shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badgeText,
  connectFromPalette,
  eventually,
  logRows,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from './fixture';

describe('SSE from the command palette', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({ demo: { tickMs: 300 } });
  });

  after(async () => {
    await wb?.close();
  });

  it('Connect SSE/WS with the demo /sse URL shows events with their types and ids, and the header says open', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-1-sse-connect', async () => {
      await connectFromPalette(w.page, `${w.demo.url}/sse`);
      const frame = await panelFrame(w.page);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs.filter((r) => /^\d+$/.test(r.id)).length >= 4,
        15_000,
        'four events with ids in the log',
      );
      const events = rows.filter((r) => /^\d+$/.test(r.id));
      const types = new Set(events.map((r) => r.type));
      for (const type of ['tick', 'news']) {
        assert.ok(
          [...types].some((t) => t.includes(type)),
          `an event of type ${type} is listed: ${JSON.stringify(events)}`,
        );
      }
      const ids = events.map((r) => Number(r.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'ids in arrival order',
      );
      assert.ok(
        events.some((r) => r.data.includes('plain text message')),
        'plain payloads are shown',
      );
      await w.shot('e2e-1-sse-connect');
    });
  });

  // Continues the connection opened above.
  it('when the server dies the badge counts down to the next attempt, and after a restart the stream resumes from Last-Event-ID', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-3-sse-reconnect', async () => {
      const frame = await panelFrame(w.page);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        10_000,
        'connection open before the kill',
      );
      await w.demo.close();
      await w.page.waitForTimeout(500);
      const lastId = Math.max(...(await logRows(frame)).filter((r) => /^\d+$/.test(r.id)).map((r) => Number(r.id)));
      assert.ok(lastId > 0, 'events were received before the kill');

      const countdown = await eventually(
        () => badgeText(frame),
        (text) => /^Reconnecting in \d+ s — attempt/.test(text),
        15_000,
        'reconnecting badge with a countdown',
      );
      await w.shot('e2e-3-sse-reconnecting');
      const restarted = await w.restartDemo();

      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        45_000,
        'open again after the restart',
      );
      const resumed = await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => /^\d+$/.test(r.id) && Number(r.id) > lastId),
        15_000,
        `events after id ${lastId}`,
      );
      assert.equal(restarted.lastEventIds[0], String(lastId), `the reconnect sent Last-Event-ID ${lastId} (badge was "${countdown}")`);
      const firstNew = resumed.find((r) => /^\d+$/.test(r.id) && Number(r.id) > lastId)!;
      assert.equal(Number(firstNew.id), lastId + 1, 'the stream resumes right after the last event seen');
      await w.shot('e2e-3-sse-resumed');
    });
  });
});
