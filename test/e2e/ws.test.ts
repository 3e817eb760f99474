/**
 * End to end, WebSocket: connect to the demo echo endpoint from the palette and send from the panel's send box.
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

describe('WebSocket echo from the panel', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('JSON typed in the send box and sent with Ctrl+Enter appears as an outgoing record and comes back as the echo', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-2-ws-echo', async () => {
      await connectFromPalette(w.page, `${w.demo.url.replace(/^http/, 'ws')}/ws/echo`);
      const frame = await panelFrame(w.page);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );

      await frame.locator('.sendbox select[aria-label="Message format"]').selectOption('json');
      const editor = frame.locator('.sendbox textarea.editor');
      const payload = '{"op": "subscribe", "channel": "prices", "n": 42}';
      await editor.fill(payload);
      await editor.press('Control+Enter');

      const rows = await eventually(
        () => logRows(frame),
        (rs) =>
          rs.some((r) => r.dir === 'out' && r.data.includes('subscribe')) && rs.some((r) => r.dir === 'in' && r.data.includes('subscribe')),
        15_000,
        'outgoing and echoed records',
      );
      const out = rows.find((r) => r.dir === 'out' && r.data.includes('subscribe'))!;
      const echo = rows.find((r) => r.dir === 'in' && r.data.includes('subscribe'))!;
      assert.ok(rows.indexOf(out) < rows.indexOf(echo), 'the echo comes after the message sent');
      assert.equal(echo.data, out.data, 'the echo carries the same payload');
      assert.match(out.data, /"channel":\s*"prices"/);
      assert.match(await frame.locator('.sendbox .send-result').innerText(), /sent/i, 'the send box confirms the send');
      await w.shot('e2e-2-ws-echo');
    });
  });
});
