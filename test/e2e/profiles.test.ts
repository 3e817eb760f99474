/**
 * End to end: a connection saved as a profile lands in the workspace's settings.json and in the sidebar, and
 * the profile connects from the sidebar.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import {
  answerQuickInput,
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

describe('saved profiles', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({ workspaceSettings: { 'editor.tabSize': 3 } });
  });

  after(async () => {
    await wb?.close();
  });

  it('Save Connection as Profile writes settings.json and lists the profile in the sidebar, where it connects', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-4-profile', async () => {
      const url = `${w.demo.url}/sse`;
      await connectFromPalette(w.page, url);
      let frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'header says open',
      );

      await runCommand(w.page, 'Realtime: Save Connection as Profile');
      await answerQuickInput(w.page, 'Save Connection as Profile', 'E2E ticker');

      const settingsPath = join(w.workspace, '.vscode', 'settings.json');
      const settings = await eventually(
        async () => JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>,
        (s) => Array.isArray(s['realtimeInspector.profiles']),
        10_000,
        'profiles in settings.json',
      );
      const profiles = settings['realtimeInspector.profiles'] as { name: string; url: string }[];
      assert.deepEqual(
        profiles.map((p) => [p.name, p.url]),
        [['E2E ticker', url]],
      );
      assert.equal(settings['editor.tabSize'], 3, 'the rest of settings.json is kept');

      const view = await openConnectionsView(w.page);
      const profileRow = view
        .locator('.monaco-list-row', { has: w.page.locator('.label-description', { hasText: url }) })
        .filter({ has: w.page.locator('.label-name', { hasText: 'E2E ticker' }) })
        .first();
      await profileRow.waitFor({ state: 'visible', timeout: 10_000 });
      await treeRow(view, 'Saved Profiles').waitFor({ state: 'visible' });
      await w.shot('e2e-4-profile-saved');

      // Take the first connection off the list, then connect the profile from its inline action.
      const sessionRow = view.locator('.monaco-list-row', { has: w.page.locator('.label-description', { hasText: /^open/ }) }).first();
      await sessionRow.hover();
      await sessionRow.locator('.action-label[aria-label^="Remove"]').click();
      await sessionRow.waitFor({ state: 'detached', timeout: 10_000 });

      await profileRow.hover();
      await profileRow.locator('.action-label[aria-label^="Connect"]').click();
      frame = await panelFrame(w.page, url);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'the profile connects',
      );
      await eventually(
        () => logRows(frame),
        (rs) => rs.some((r) => r.id === '1'),
        15_000,
        'events from the profile connection',
      );
      await eventually(
        () => view.locator('.monaco-list-row', { has: w.page.locator('.label-description', { hasText: /^open/ }) }).allInnerTexts(),
        (texts) => texts.some((t) => t.includes('E2E ticker')),
        10_000,
        'a live connection named after the profile',
      );
      assert.match(await w.page.locator('.tabs-container .tab.active').innerText(), /E2E ticker/, 'the panel is named after the profile');
      await w.shot('e2e-4-profile-connected');
    });
  });
});
