/**
 * The Response tab and the continuity rows of the built webview (dist/webview.js + css) in headless
 * Chromium under the host's CSP: a model's answer joined from the log's records (the Anthropic fixture),
 * growing as records arrive, reasoning apart, tool calls as JSON, the figures strip; a click on a word
 * selects the event that brought it; server text stays text; a gap finding's row in the warning colour.
 * Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ConnRecord, InitMessage } from '../../src/protocol';
import { closeWebviewPage, newWebviewPage, RESULTS, ROOT, type Theme, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const getComputedStyle: (el: unknown) => { color: string };

const NONCE = 'cmVzcG9uc2Utbm9uY2UtMTIzNA';
const T0 = Date.parse('2026-11-24T09:41:07.120Z');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

/** The Anthropic fixture as the log's records (a connecting record, then one message per event), a hostile word in the text. */
function llmRecords(): ConnRecord[] {
  const text = readFileSync(join(ROOT, 'test/fixtures/llm/anthropic.sse'), 'utf8');
  const out: ConnRecord[] = [
    {
      kind: 'connecting',
      seq: 1,
      time: new Date(T0).toISOString(),
      url: 'http://127.0.0.1:8080/v1/messages',
      method: 'POST',
      headers: {},
      attempt: 0,
      state: 'connecting',
    },
    {
      kind: 'open',
      seq: 2,
      time: new Date(T0 + 30).toISOString(),
      url: 'http://127.0.0.1:8080/v1/messages',
      status: 200,
      headers: {},
      state: 'open',
    },
  ] as ConnRecord[];
  let seq = 3;
  for (const block of text.split('\n\n').filter((b) => b.trim())) {
    const event = /^event: (.*)$/m.exec(block)![1];
    let data = /^data: (.*)$/m.exec(block)![1];
    if (data.includes('" weather"')) {
      data = data.replace('" weather"', JSON.stringify(' ' + HOSTILE));
    }
    out.push({
      kind: 'message',
      seq,
      time: new Date(T0 + 200 + seq * 10).toISOString(),
      dir: 'in',
      format: 'text',
      data,
      size: data.length,
      event,
    } as ConnRecord);
    seq++;
  }
  return out;
}

function init(records: ConnRecord[]): Omit<InitMessage, 'records'> & { records: ConnRecord[] } {
  return {
    type: 'init',
    connectionId: 'r1',
    config: { url: 'http://127.0.0.1:8080/v1/messages', kind: 'sse', headers: [], method: 'POST', body: '{}', protocols: [] },
    status: { state: 'open', since: Date.now(), autoRetry: false, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats: { messagesIn: records.length, messagesOut: 0, bytesIn: 9000, bytesOut: 0, records: records.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records,
    dropped: 0,
  };
}

describe('the Response tab and continuity rows in headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  async function open(records: ConnRecord[], theme: Theme = 'dark'): Promise<Page> {
    const page = await newWebviewPage(harness.browser, { width: 1200, height: 700 });
    await page.goto(`${harness.origin}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    const msg = init(records);
    await page.evaluate((m) => window.__dispatch(m), { ...msg, records: packBatch(msg.records) } as unknown);
    return page;
  }

  it('shows the answer growing as records arrive, reasoning apart, the tool call as JSON and the figures', async () => {
    const all = llmRecords();
    const cut = all.findIndex((r) => r.kind === 'message' && r.data.includes('" let"'));
    const page = await open([
      {
        kind: 'message',
        seq: 100,
        time: new Date(T0).toISOString(),
        dir: 'in',
        format: 'text',
        data: 'hello',
        size: 5,
        event: 'message',
      } as ConnRecord,
    ]);
    try {
      assert.equal(await page.isHidden('#tab-response'), true, 'no model stream: no Response tab');
      await page.evaluate((m) => window.__dispatch(m), { ...init(all.slice(0, cut)), records: packBatch(all.slice(0, cut)) } as unknown);
      await page.waitForSelector('#tab-response:not([hidden])');
      await page.click('#tab-response');
      assert.equal(await page.textContent('.response-text'), 'Okay,');
      assert.equal(await page.textContent('.response-reasoning'), 'The user wants the weather in San Francisco.');
      assert.match((await page.textContent('.response-figures')) ?? '', /^anthropic · no finish reason · TTFT 250 ms.*streaming…$/);
      const rest = all.slice(cut);
      await page.evaluate((m) => window.__dispatch(m), {
        type: 'records',
        records: packBatch(rest),
        stats: init(all).stats,
        dropped: 0,
      } as unknown);
      await page.waitForFunction(() => document.querySelector('.response-text').textContent.endsWith('CA:'));
      assert.equal(await page.textContent('.response-text'), `Okay, let's check the ${HOSTILE} for San Francisco, CA:`);
      assert.equal(await page.locator('.response-text img').count(), 0, 'the hostile word is text');
      assert.equal(await page.textContent('.response-tool-name'), 'get_weather (toolu_01T1x1fJ34qAmk2tNTrN7Up6)');
      assert.deepEqual(JSON.parse((await page.textContent('.response-tool pre'))!), { location: 'San Francisco, CA', unit: 'fahrenheit' });
      const figures = (await page.textContent('.response-figures')) ?? '';
      assert.match(
        figures,
        /^anthropic · tool_use · TTFT 250 ms · [\d.]+ tok\/s · tokens in 472 out 89 cached 128 · 1 tool call: get_weather$/,
      );
      assert.equal(await page.locator('.response-figures.warn').count(), 0);
      await page.screenshot({ path: join(RESULTS, 'response-tab.png') });
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'response-tab-failed.png') });
      throw e;
    }
  });

  it('a click on a word selects the event that brought it', async () => {
    const all = llmRecords();
    const page = await open(all);
    try {
      await page.waitForSelector('#tab-response:not([hidden])');
      await page.click('#tab-response');
      const text = (await page.textContent('.response-text'))!;
      const at = text.indexOf('Francisco') + 3;
      const box = await page.evaluate((offset) => {
        const node = document.querySelector('.response-text').firstChild;
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }, at);
      await page.mouse.click(box.x, box.y);
      await page.waitForSelector('#log-row-selected');
      const selected = (await page.textContent('#log-row-selected')) ?? '';
      assert.match(selected, /" Francisco"/, selected);
      assert.equal(await page.isHidden('.response-text'), false, 'the Response tab stays in front');
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'response-click-failed.png') });
      throw e;
    }
  });

  it('a gap finding reads "gap: 3 events missing (42-44)" in the warning colour, a resume does not warn', async () => {
    const t = (ms: number) => new Date(T0 + ms).toISOString();
    const records = [
      {
        kind: 'connecting',
        seq: 1,
        time: t(0),
        url: 'http://127.0.0.1:8080/feed',
        headers: {},
        attempt: 1,
        lastEventId: '41',
        state: 'connecting',
      },
      { kind: 'message', seq: 2, time: t(10), dir: 'in', format: 'text', data: 'x', size: 1, event: 'message', id: '45' },
      {
        kind: 'continuity',
        seq: 3,
        time: t(10),
        status: 'gap',
        lastEventId: '41',
        id: '45',
        missing: 3,
        duplicates: 0,
        basis: '41 ids in sequence from 1',
      },
      {
        kind: 'continuity',
        seq: 4,
        time: t(20),
        status: 'resumed',
        lastEventId: '45',
        id: '46',
        missing: 0,
        duplicates: 0,
        basis: '42 ids in sequence from 1',
      },
    ] as ConnRecord[];
    const page = await open(records);
    try {
      await page.waitForSelector('.row.finding');
      const rows = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.row.finding') as ArrayLike<any>).map((r) => ({
          cls: r.className,
          text: r.textContent,
          color: getComputedStyle(r.querySelector('.c-data')).color,
        })),
      );
      assert.equal(rows.length, 2);
      const gap = rows.find((r) => r.text.includes('gap'))!;
      const resumed = rows.find((r) => r.text.includes('resumed'))!;
      assert.match(gap.text, /gap: 3 events missing \(42-44\)/);
      assert.match(gap.cls, /sev-warn/);
      assert.match(resumed.text, /resumed after id 45/);
      assert.match(resumed.cls, /sev-ok/);
      assert.notEqual(gap.color, resumed.color);
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'continuity-failed.png') });
      throw e;
    }
  });

  it('the header shows the findings counter, the last RTT and its sparkline of the last minute', async () => {
    const t = (ms: number) => new Date(T0 + ms).toISOString();
    const records = [
      { kind: 'ping', seq: 1, time: t(0), dir: 'out', data: '', size: 0, auto: true },
      { kind: 'pong', seq: 2, time: t(1), dir: 'in', data: '', size: 0, rttMs: 1.5 },
      { kind: 'pong', seq: 3, time: t(10_000), dir: 'in', data: '', size: 0, rttMs: 3.2 },
      { kind: 'pong', seq: 4, time: t(11_000), dir: 'in', data: 'dW5hc2tlZA==', size: 7 },
      { kind: 'pong', seq: 5, time: t(20_000), dir: 'in', data: '', size: 0, rttMs: 0.7 },
      {
        kind: 'continuity',
        seq: 6,
        time: t(20_000),
        status: 'duplicate',
        lastEventId: '9',
        id: '8',
        missing: 0,
        duplicates: 2,
        basis: 'b',
      },
    ] as ConnRecord[];
    const page = await open(records);
    try {
      await page.waitForSelector('.timing-rtt:not([hidden])');
      assert.match((await page.textContent('.timing-rtt')) ?? '', /^RTT 0\.7 ms/);
      const points = await page.getAttribute('.timing-spark polyline', 'points');
      assert.equal(points?.split(' ').length, 3, 'one point per pong that answered a ping');
      assert.equal(await page.textContent('.timing-findings'), '⚠ 1 finding');
      await page.locator('.filter-bar').screenshot({ path: join(RESULTS, 'timing-header.png') });
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'timing-failed.png') });
      throw e;
    }
  });
});
