/**
 * End to end: Run Checks from the palette on a workspace profile with `expect`: the panel's Checks strip
 * fills in as the demo's events arrive (passed, failed, holding, pending), a rule selects the event that
 * decided it, and a log row's context menu offers Add Check from Message. Its screenshot
 * (test-results/e2e-checks-strip.png) is the README's docs/checks.png.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import { answerQuickInput, eventually, openExtensionWorkbench, panelFrame, withFailureShot, type Workbench } from './fixture';

// Runs in the page; the test project has no DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

describe('checks in the panel', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench({
      demo: { tickMs: 200 },
      workspaceSettings: {
        'realtimeInspector.profiles': [
          {
            name: 'Demo ticks',
            url: '${DEMO}/sse',
            expect: {
              timeoutMs: 30000,
              count: { min: 400 },
              messages: [
                { name: 'first tick', event: 'tick', withinMs: 2000 },
                { name: 'price is a number', event: 'tick', json: '$.price', type: 'number' },
                { name: 'a trade within 1 s', event: 'trade', withinMs: 1000 },
              ],
              never: [{ name: 'no error events', event: 'error' }],
              noErrors: true,
            },
          },
        ],
      },
    });
  });

  after(async () => {
    await wb?.close();
  });

  it('Run Checks shows each rule live in the strip; a rule selects its event; a row offers Add Check from Message', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-checks', async () => {
      await runCommand(w.page, 'Realtime: Run Checks');
      const frame = await panelFrame(w.page, `${w.demo.url}/sse`);
      const statuses = () =>
        frame.evaluate(() =>
          Array.from(document.querySelectorAll('.checks .check') as ArrayLike<any>).map((li) => [
            li.querySelector('.check-name')?.textContent ?? '',
            li.className.replace('check st-', ''),
          ]),
        );
      const seen = await eventually(
        statuses,
        (s) =>
          s.length === 6 &&
          s.find((x) => x[0] === 'first tick')?.[1] === 'passed' &&
          s.find((x) => x[0] === 'a trade within 1 s')?.[1] === 'failed',
        20_000,
        'first tick passed and the trade failed',
      );
      assert.deepEqual(Object.fromEntries(seen), {
        count: 'pending',
        'first tick': 'passed',
        'price is a number': 'passed',
        'a trade within 1 s': 'failed',
        'no error events': 'holding',
        'no errors': 'holding',
      });
      assert.match(await frame.locator('.checks-summary').innerText(), /^2 passed · 1 failed · 2 holding · 1 pending$/);

      // The rule's button selects the tick that decided it.
      await frame.locator('.check.st-passed button.check-row').first().click();
      await eventually(
        () => frame.locator('.log .row.selected .c-type').innerText(),
        (t) => t === 'tick',
        10_000,
        'the deciding tick selected in the log',
      );
      // The run reports to the Testing view too.
      await runCommand(w.page, 'Testing: Focus on Test Explorer View');
      const testRow = w.page.locator('.monaco-list-row', { hasText: 'Demo ticks' }).first();
      await testRow.waitFor({ state: 'visible', timeout: 15_000 });
      await testRow.click();
      await w.page.keyboard.press('ArrowRight');
      // Rules are reported as they settle: the trade's failure is there while the run goes on.
      await w.page.locator('.monaco-list-row', { hasText: 'a trade within 1 s' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await frame.locator('.check.st-passed button.check-row').first().hover();
      // The README's docs/checks.png is a copy of this one.
      await w.shot('e2e-checks-strip');

      // The row's context menu is VS Code's, with the contributed command.
      await frame.locator('.log .row.selected').click({ button: 'right' });
      const item = w.page.locator('.monaco-menu .action-label', { hasText: 'Add Check from Message' });
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      // The menu opens with its first item focused; a menu acts on the key as a user would press it.
      await item.hover();
      await w.page.keyboard.press('Enter');
      // Its choices are the message's: the event type, a JSONPath per value, the text.
      await answerQuickInput(w.page, /^Expect a message like #\d+$/, 'event is "tick"');
      const settingsPath = join(w.workspace, '.vscode', 'settings.json');
      const messages = await eventually(
        async () => {
          const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, { expect: { messages: unknown[] } }[]>;
          return settings['realtimeInspector.profiles'][0].expect.messages;
        },
        (m) => m.length === 4,
        15_000,
        'the rule in the workspace settings.json',
      );
      assert.deepEqual(messages[3], { event: 'tick' });
      // The next run has it.
      await frame.locator('.checks-again').click();
      await eventually(
        () => frame.locator('.checks .check-name').allInnerTexts(),
        (names) => names.includes('event "tick"'),
        15_000,
        'the new rule in the strip',
      );
    });
  });
});
