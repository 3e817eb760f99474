/**
 * End to end: a WebSocket connection to the demo ticker served as a mock from the panel's toolbar
 * (Serve as Mock, its three steps answered in the quick input), the Connections view's Mocks node with
 * the mock's row, a panel connected to the mock through the row's Connect, and its client counted.
 * Screenshot: test-results/e2e-mocks-view.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  answerQuickInput,
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

describe('mocks in the editor', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({ demo: { tickMs: 200 } });
  });

  after(async () => {
    await wb?.close();
  });

  it('Serve as Mock from the panel puts the mock under Mocks with its URL and client count; Connect opens a panel on it', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-mocks', async () => {
      const wsUrl = `${w.demo.url.replace(/^http/, 'ws')}/ws/ticker`;
      await connectFromPalette(w.page, wsUrl);
      const frame = await panelFrame(w.page, wsUrl);
      await eventually(
        () => logRows(frame),
        (rows) => rows.filter((r) => /"tick"/.test(r.data)).length >= 4,
        20_000,
        'ticks in the log',
      );
      await frame.locator('button[aria-label="Serve as Mock"]').click();
      await answerQuickInput(w.page, 'Serve as Mock (1/3): Speed', '1');
      await answerQuickInput(w.page, 'Serve as Mock (2/3): Loop', 'Yes');
      await answerQuickInput(w.page, 'Serve as Mock (3/3): Drop each client', 'None');

      const view = await openConnectionsView(w.page);
      const mocks = treeRow(view, /^Mocks$/);
      await mocks.waitFor({ state: 'visible', timeout: 15_000 });
      // The mock's row (the sessions' rows have the same shape of label): the one that counts clients.
      const row = view.locator('.monaco-list-row', { hasText: /\d+ clients? · from / }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      const mockUrl = `ws://${(await row.locator('.label-name').innerText()).trim()}`;
      assert.notEqual(mockUrl, wsUrl, 'the mock has its own port');
      assert.match(await row.innerText(), /0 clients/);

      await row.hover();
      await row.locator('.action-label[aria-label="Connect"]').click();
      const client = await panelFrame(w.page, mockUrl);
      await eventually(
        () => logRows(client),
        (rows) => rows.length >= 4,
        20_000,
        'the replay in the new panel',
      );
      await eventually(
        () => row.innerText(),
        (t) => /1 client\b/.test(t),
        15_000,
        'the row to count the client',
      );
      await client.locator('.log').hover();
      await w.shot('e2e-mocks-view');
    });
  });
});
