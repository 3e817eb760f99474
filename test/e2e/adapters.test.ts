/**
 * End to end: a workspace profile with the Socket.IO adapter, against the demo server's Socket.IO
 * endpoint (the real `socket.io` library), connected from the Connections view: the log shows decoded
 * types and event names, the send box's Emit form sends an event with an ack, the ack comes back under
 * the same id, and the detail pane shows the decoded packet beside the raw frame. Its screenshot
 * (test-results/e2e-adapters.png) is the README's docs/adapters.png.
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
  treeRow,
  withFailureShot,
  type Workbench,
} from './fixture';

describe('a protocol adapter in the panel', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({
      demo: { tickMs: 700 },
      workspaceSettings: {
        'realtimeInspector.profiles': [{ name: 'Chat over Socket.IO', url: '${DEMO}', adapter: { name: 'socket.io' } }],
      },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('a Socket.IO profile joins, shows decoded events, and emits from the send box with an ack', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-adapters', async () => {
      const view = await openConnectionsView(w.page);
      const profileRow = treeRow(view, 'Chat over Socket.IO');
      await profileRow.waitFor({ state: 'visible', timeout: 15_000 });
      await profileRow.hover();
      await profileRow.locator('.action-label[aria-label^="Connect"]').click();
      const frame = await panelFrame(w.page, w.demo.url);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'the profile connects',
      );
      // The type column reads the decoded packet: type and event name.
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.type === 'event welcome') && rs.some((r) => r.type === 'event tick'),
        20_000,
        'the welcome and a tick, decoded',
      );

      // The send box offers the protocol's verb first.
      assert.equal(await frame.getByLabel('Message format').inputValue(), 'verb:emit');
      await frame.getByRole('textbox', { name: 'Event' }).fill('echo');
      await frame.getByLabel('Args (JSON array)').fill('[{"text": "hello from the panel"}]');
      await frame.getByLabel('With ack').check();
      await frame.getByRole('button', { name: 'Send', exact: true }).click();
      const rows = await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.dir === 'in' && /^ack #\d+$/.test(r.type)),
        15_000,
        'the ack of the emit',
      );
      const sent = rows.find((r) => r.dir === 'out' && r.type === 'event echo');
      const ack = rows.find((r) => r.dir === 'in' && /^ack #\d+$/.test(r.type))!;
      assert.ok(sent, 'the emit is logged as an outgoing event');
      assert.match(sent.data, /^42\d+\["echo",\{"text":"hello from the panel"\}\]$/, 'the raw frame, with its ack id');
      assert.equal(ack.data.slice(0, 2), '43', 'the raw ack frame');

      // The detail pane shows the decoded packet.
      await frame
        .locator('.log .row', { has: frame.locator('.c-type', { hasText: /^ack #\d+$/ }) })
        .first()
        .click();
      await eventually(
        () => frame.locator('.detail').innerText(),
        (t) => /hello from the panel/.test(t) && /ackId/.test(t),
        10_000,
        'the decoded ack in the detail pane',
      );
      // The README's docs/adapters.png is a copy of this one.
      await w.shot('e2e-adapters');
    });
  });
});
