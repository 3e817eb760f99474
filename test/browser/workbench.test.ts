/**
 * The workbench parts of the built webview (dist/webview.js + css) in headless Chromium, under the
 * host's CSP, with the stand-in for acquireVsCodeApi (fixtures/harness.js): two rows selected for
 * Compare (Ctrl/Cmd+click, Space), Save as Message from the send box and a sent row, a sent row naming
 * its saved message, Repeat in the send box with the header's line and Stop, and the profile's history
 * across sessions. Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ConnRecord, InitMessage, RepeatView, ToWebviewMessage } from '../../src/protocol';
import { closeWebviewPage, newWebviewPage, RESULTS, ROOT, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (cb: (t?: unknown) => void) => number;

const NONCE = 'd29ya2JlbmNoLW5vbmNlLTE';
const T0 = Date.parse('2026-11-24T09:41:07.120Z');

/** An echo: seq 1 open, then sent and received snapshots in turn (seq 2 out, 3 in, 4 out…). */
function records(): ConnRecord[] {
  const out: ConnRecord[] = [
    { kind: 'open', seq: 1, time: new Date(T0).toISOString(), url: 'ws://127.0.0.1:8080/ws', headers: {} } as unknown as ConnRecord,
  ];
  for (let seq = 2; seq <= 12; seq++) {
    const data = JSON.stringify({ n: seq, price: 100 + seq });
    out.push({
      kind: 'message',
      seq,
      time: new Date(T0 + seq * 40).toISOString(),
      dir: seq % 2 === 0 ? 'out' : 'in',
      format: 'text',
      data,
      size: data.length,
    } as unknown as ConnRecord);
  }
  return out;
}

function init(extra: Partial<Omit<InitMessage, 'records'>> = {}): Omit<InitMessage, 'records'> & { records: ConnRecord[] } {
  const recs = records();
  return {
    type: 'init',
    connectionId: 'w1',
    config: { url: 'ws://127.0.0.1:8080/ws', kind: 'ws', headers: [], method: 'GET', body: '', protocols: [], profile: 'echo' },
    status: { state: 'open', since: Date.now(), autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats: { messagesIn: 5, messagesOut: 6, bytesIn: 100, bytesOut: 120, records: recs.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records: recs,
    dropped: 0,
    ...extra,
  };
}

describe('the workbench in the panel, headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  async function open(extra: Partial<Omit<InitMessage, 'records'>> = {}): Promise<Page> {
    const page = await newWebviewPage(harness.browser, { width: 1200, height: 700 });
    await page.goto(`${harness.origin}/`);
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    const msg = init(extra);
    await dispatch(page, { ...msg, records: packBatch(msg.records) } as unknown as ToWebviewMessage);
    await page.waitForSelector('.log .row[data-seq="12"]');
    return page;
  }

  const dispatch = (page: Page, msg: ToWebviewMessage) => page.evaluate((m) => window.__dispatch(m), msg as unknown);
  const posted = (page: Page) => page.evaluate(() => window.__posted as Record<string, any>[]);
  const row = (page: Page, seq: number) => page.locator(`.log .row[data-seq="${seq}"]`);
  /** Two animation frames: the log has drawn what the last input changed. */
  const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const ctrlClick = async (page: Page, seq: number) => {
    await row(page, seq).click({ modifiers: ['Control'] });
    await frames(page);
  };
  const click = async (page: Page, seq: number) => {
    await row(page, seq).click();
    await frames(page);
  };

  it('Ctrl+click selects a second row: both marked selected, Compare posts the pair; again lets it go; a plain click ends it', async () => {
    const page = await open();
    const compare = page.getByRole('button', { name: 'Compare', exact: true });
    assert.equal(await compare.isVisible(), false, 'no Compare with one row or none');
    await click(page, 9);
    await ctrlClick(page, 4);
    assert.equal(await row(page, 9).getAttribute('aria-selected'), 'true');
    assert.equal(await row(page, 4).getAttribute('aria-selected'), 'true');
    assert.match((await row(page, 4).getAttribute('class')) ?? '', /\bmarked\b/);
    assert.equal(await page.evaluate(() => window.__inspector.selectedSeq()), 9, 'the selection stays where it was');
    assert.equal(await page.getByRole('grid', { name: 'Message log' }).getAttribute('aria-multiselectable'), 'true');
    // The panel's context (merged into a row's for its context menu) names the pair.
    assert.deepEqual(JSON.parse((await page.locator('#app').getAttribute('data-vscode-context')) as string), {
      connectionId: 'w1',
      comparePair: true,
      pair: [4, 9],
    });
    await compare.click();
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'compare').map((m) => m.seqs),
      [[4, 9]],
    );
    await ctrlClick(page, 4);
    assert.equal(await row(page, 4).getAttribute('aria-selected'), 'false', 'Ctrl+click on the second row lets it go');
    assert.equal(await compare.isVisible(), false);
    await ctrlClick(page, 6);
    assert.equal(await compare.isVisible(), true);
    await click(page, 7);
    assert.equal(await compare.isVisible(), false, 'a plain click selects one row again');
    assert.equal(await row(page, 6).getAttribute('aria-selected'), 'false');
    await closeWebviewPage(page);
  });

  it('by keyboard: Space marks the selected row, the arrows move on, Compare takes both; Escape clears them', async () => {
    const page = await open();
    await click(page, 5);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await frames(page);
    assert.equal(await page.evaluate(() => window.__inspector.selectedSeq()), 7);
    assert.equal(await page.evaluate(() => window.__inspector.markedSeq()), 5);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    assert.deepEqual((await posted(page)).find((m) => m.type === 'compare')?.seqs, [5, 7]);
    await page.getByRole('grid', { name: 'Message log' }).press('Escape');
    await frames(page);
    assert.equal(await page.evaluate(() => window.__inspector.markedSeq()), undefined);
    assert.equal(await page.getByRole('button', { name: 'Compare', exact: true }).isVisible(), false);
    await closeWebviewPage(page);
  });

  it('Save as message from the send box and from a sent row; a sent row names the saved message it came from', async () => {
    const page = await open({ origins: [[2, 'subscribe']] });
    // Known at init: the row and its detail name it.
    assert.match(await row(page, 2).locator('.c-type').innerText(), /subscribe/);
    assert.match((await row(page, 2).getAttribute('class')) ?? '', /\bfrom-saved\b/);
    assert.equal(
      JSON.parse((await row(page, 2).getAttribute('data-vscode-context')) as string).sent,
      true,
      'a sent row offers Save as Message',
    );
    assert.equal(JSON.parse((await row(page, 3).getAttribute('data-vscode-context')) as string).sent, undefined, 'a received one does not');
    await click(page, 2);
    assert.match(await page.locator('.detail .kv').first().innerText(), /Saved message\s+subscribe/);
    // From the send box: the message as typed, in its mode.
    await page.getByLabel('Message format').selectOption('json');
    await page.getByLabel('Message to send').fill('{"op":"subscribe","room":"{{room}}"}');
    await page.locator('.sendbox').getByRole('button', { name: 'Save as message…' }).click();
    assert.deepEqual((await posted(page)).find((m) => m.type === 'saveMessage')?.message, {
      mode: 'json',
      data: '{"op":"subscribe","room":"{{room}}"}',
    });
    await page.getByLabel('Message to send').fill('{"op":');
    await page.locator('.sendbox').getByRole('button', { name: 'Save as message…' }).click();
    assert.match(await page.locator('.send-result').innerText(), /Not saved: /);
    assert.equal((await posted(page)).filter((m) => m.type === 'saveMessage').length, 1, 'invalid JSON is not saved');
    // From a sent row's detail.
    await click(page, 8);
    await page.locator('.detail').getByRole('button', { name: 'Save as message…' }).click();
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'saveMessage').map((m) => m.seq),
      [undefined, 8],
    );
    await click(page, 9);
    assert.equal(await page.locator('.detail').getByRole('button', { name: 'Save as message…' }).count(), 0, 'not on a received row');
    // The host says row 8 came from "tick" now: the row and the shown detail take it.
    await click(page, 8);
    await dispatch(page, { type: 'origins', entries: [[8, 'tick']] });
    await page.waitForFunction(() => /tick/.test(document.querySelector('.log .row[data-seq="8"] .c-type').textContent));
    assert.match(await page.locator('.detail .kv').first().innerText(), /Saved message\s+tick/);
    await closeWebviewPage(page);
  });

  it('Repeat posts interval, count and resume; the header shows it running with Stop, then why it stopped', async () => {
    const page = await open();
    await page.getByLabel('Message to send').fill('ping #{{$seq}}');
    await page.getByRole('button', { name: 'Repeat…' }).click();
    await page.getByLabel('Repeat every (ms)').fill('250');
    await page.getByLabel('Repeat how many times').fill('0');
    await page.getByRole('button', { name: 'Start repeat' }).click();
    assert.match(await page.locator('.send-result').innerText(), /Not repeated: the count/);
    await page.getByLabel('Repeat how many times').fill('5');
    await page.getByLabel('Go on after a reconnect').check();
    await page.getByRole('button', { name: 'Start repeat' }).click();
    const req = (await posted(page)).find((m) => m.type === 'repeat')!;
    assert.deepEqual([req.mode, req.data, req.everyMs, req.times, req.resumeAfterReconnect], ['text', 'ping #{{$seq}}', 250, 5, true]);
    await dispatch(page, { type: 'sendResult', requestId: req.requestId as number, ok: true });
    const running: RepeatView = { what: "the send box's message", running: true, waiting: false, sent: 2, times: 5, everyMs: 250 };
    await dispatch(page, { type: 'repeat', repeat: running });
    const line = page.locator('.request-bar .repeat-status');
    assert.equal(await line.isVisible(), true);
    assert.equal(await line.locator('.repeat-text').innerText(), "Repeating the send box's message every 250 ms: 2 of 5 sent");
    await page.screenshot({ path: join(RESULTS, 'webview-repeat-dark.png') });
    await line.getByRole('button', { name: 'Stop repeat' }).click();
    assert.equal((await posted(page)).filter((m) => m.type === 'stopRepeat').length, 1);
    await dispatch(page, { type: 'repeat', repeat: { ...running, running: false, sent: 3, stopped: 'stopped by the user' } });
    assert.equal(
      await line.locator('.repeat-text').innerText(),
      "Repeat of the send box's message stopped (stopped by the user): 3 of 5 sent",
    );
    assert.equal(await line.getByRole('button', { name: 'Stop repeat' }).isVisible(), false);
    await line.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await line.isVisible(), false);
    await closeWebviewPage(page);
  });

  it("the send box lists the profile's saved messages: a pick fills the editor in its mode, a send of it unchanged names it", async () => {
    const page = await open({
      savedMessages: [
        { name: 'subscribe <b>BTC</b>', mode: 'json', text: '{"op":"subscribe","id":"{{$uuid}}"}' },
        { name: 'bytes', mode: 'binary', encoding: 'base64', text: 'AAEC' },
      ],
    });
    const picker = page.getByLabel('Saved messages');
    const editor = page.getByLabel('Message to send');
    assert.deepEqual(await picker.locator('option').allInnerTexts(), ['Saved messages…', 'subscribe <b>BTC</b>', 'bytes'], 'names as text');
    await picker.selectOption({ label: 'subscribe <b>BTC</b>' });
    assert.equal(await editor.inputValue(), '{"op":"subscribe","id":"{{$uuid}}"}');
    assert.equal(await page.getByLabel('Message format').inputValue(), 'json');
    await editor.press('Control+Enter');
    await editor.fill('{"op":"subscribe","id":1}');
    await editor.press('Control+Enter');
    await picker.selectOption({ label: 'bytes' });
    assert.equal(await page.getByLabel('Binary encoding').inputValue(), 'base64');
    await editor.press('Control+Enter');
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'send').map((m) => [m.mode, m.encoding, m.data, m.saved]),
      [
        ['json', undefined, '{"op":"subscribe","id":"{{$uuid}}"}', 'subscribe <b>BTC</b>'],
        ['json', undefined, '{"op":"subscribe","id":1}', undefined],
        ['binary', 'base64', 'AAEC', 'bytes'],
      ],
    );
    // The profile's messages changed: the list follows; none left hides it.
    await dispatch(page, { type: 'config', config: init().config, savedMessages: [] });
    assert.equal(await picker.isVisible(), false);
    await closeWebviewPage(page);
  });

  it("the profile's history from the host comes back with Up in a new panel", async () => {
    const page = await open({ history: ['first from yesterday', 'second from yesterday'] });
    const editor = page.getByLabel('Message to send');
    await editor.click();
    await editor.press('ArrowUp');
    assert.equal(await editor.inputValue(), 'second from yesterday');
    await editor.press('ArrowUp');
    assert.equal(await editor.inputValue(), 'first from yesterday');
    await closeWebviewPage(page);
  });

  it("screenshot: two rows selected for Compare, a sent row from a saved message, the saved messages list (the README's docs/compare-rows.png with RI_SCREENSHOT_DOCS=1)", async () => {
    const page = await open({
      origins: [[4, 'subscribe BTC']],
      savedMessages: [{ name: 'subscribe BTC', mode: 'json', text: '{"op":"subscribe","pair":"BTC"}' }],
    });
    await click(page, 10);
    await ctrlClick(page, 4);
    await frames(page);
    await page.screenshot({ path: join(RESULTS, 'compare-rows.png') });
    if (process.env.RI_SCREENSHOT_DOCS) {
      copyFileSync(join(RESULTS, 'compare-rows.png'), join(ROOT, 'docs', 'compare-rows.png'));
    }
    await closeWebviewPage(page);
  });
});
