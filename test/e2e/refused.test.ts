/**
 * End to end: a connection the server refuses shows the HTTP status and the response body in the panel.
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

describe('refused handshakes', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  for (const [kind, path] of [
    ['SSE', '/sse/private'],
    ['WebSocket', '/ws/private'],
  ] as const) {
    it(`a ${kind} request refused with 401 shows the status and the body in the panel`, async () => {
      const w = wb!;
      await withFailureShot(w, `e2e-5-refused-${kind}`, async () => {
        const base = path.startsWith('/ws') ? w.demo.url.replace(/^http/, 'ws') : w.demo.url;
        await connectFromPalette(w.page, `${base}${path}`);
        const frame = await panelFrame(w.page, `${base}${path}`);
        const badge = await eventually(
          () => badgeText(frame),
          (text) => /^Failed: 401 Unauthorized/.test(text),
          15_000,
          'the header shows 401',
        );
        const rows = await eventually(
          () => logRows(frame),
          (rs) => rs.some((r) => r.type === 'error'),
          15_000,
          'an error record',
        );
        assert.match(rows.find((r) => r.type === 'error')!.data, /401/, `the error row names the status (badge "${badge}")`);

        await frame.locator('.row.sev-error').first().click();
        const detail = frame.locator('.detail');
        const text = await eventually(
          () => detail.innerText(),
          (t) => /Response body/i.test(t),
          10_000,
          'the response body in the detail pane',
        );
        assert.match(text, /401/);
        assert.match(text, /"error"\s*:\s*"unauthorized"/, 'the JSON body the server sent');
        assert.match(text, /Bearer demo-token/, 'the hint in the body');
        await w.shot(`e2e-5-refused-${kind}`);
      });
    });
  }
});
