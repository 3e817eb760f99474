/**
 * End to end: a secret set from the palette authorises a profile that references it, and the secret never shows
 * in clear: not in the panel, not in settings.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import { DEMO_TOKEN } from '../../src/demo/server';
import {
  answerQuickInput,
  badgeText,
  eventually,
  logRows,
  openConnectionsView,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from './fixture';

describe('secrets', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({
      workspaceSettings: {
        'realtimeInspector.profiles': [
          { name: 'Private feed', url: '${DEMO}/sse/private', kind: 'sse', headers: { Authorization: 'Bearer ${secret:DEMO_TOKEN}' } },
        ],
      },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('Set Secret authorises a profile that uses ${secret:NAME}, and the panel shows the header masked', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-secret', async () => {
      await runCommand(w.page, 'Realtime: Set Secret');
      await answerQuickInput(w.page, /^Set Secret$/, 'DEMO_TOKEN');
      await answerQuickInput(w.page, 'Set Secret: DEMO_TOKEN', DEMO_TOKEN);

      const url = `${w.demo.url}/sse/private`;
      const view = await openConnectionsView(w.page);
      const row = view
        .locator('.monaco-list-row', { has: w.page.locator('.label-description', { hasText: url }) })
        .filter({ has: w.page.locator('.label-name', { hasText: 'Private feed' }) })
        .first();
      await row.hover();
      await row.locator('.action-label[aria-label^="Connect"]').click();
      const frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (t) => /^Open since/.test(t),
        15_000,
        'the server accepted the token',
      );
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.type === 'secret' && r.id === '1'),
        15_000,
        'private events',
      );

      await frame.locator('.row', { hasText: 'connecting' }).first().click();
      const detail = await eventually(
        () => frame.locator('.detail').innerText(),
        (t) => /Authorization/i.test(t),
        10_000,
        'request headers in the detail pane',
      );
      assert.match(detail, /Bearer ••••/, 'the header is shown masked');
      const everything = await frame.locator('body').innerText();
      assert.ok(!everything.includes(DEMO_TOKEN), 'the secret is nowhere in the panel text');
      // Evaluated in the webview (this file is compiled without the DOM library).
      const fields = (await frame.evaluate(`[...document.querySelectorAll('input, textarea')].map((e) => e.value)`)) as string[];
      assert.ok(!fields.some((v) => v.includes(DEMO_TOKEN)), `nor in its fields: ${JSON.stringify(fields)}`);
      const settings = readFileSync(join(w.workspace, '.vscode', 'settings.json'), 'utf8');
      assert.ok(!settings.includes(DEMO_TOKEN) && settings.includes('${secret:DEMO_TOKEN}'), 'settings keep the reference only');
      await w.shot('e2e-secret');
    });
  });
});
