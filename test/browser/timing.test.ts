/**
 * The header's timing figures and the findings filter of the built webview (dist/webview.js + css) in
 * headless Chromium under the host's CSP: messages and bytes per second for each direction from the
 * host's totals, the sparkline of the last minute's messages/s beside the RTT one, and "Only continuity
 * findings" (from the type list or the findings counter) hiding every other row and surviving a reload.
 * The page's clock is Playwright's, so a minute of rates takes no minute. Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ConnRecord, ConnectionStats, InitMessage } from '../../src/protocol';
import { closeWebviewPage, newWebviewPage, RESULTS, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const NONCE = 'dGltaW5nLW5vbmNlLTEyMzQ1Ng';
const T0 = Date.parse('2026-11-24T09:41:07.120Z');
const t = (ms: number) => new Date(T0 + ms).toISOString();
const NO_STATS: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };

function init(kind: 'ws' | 'sse', records: ConnRecord[], stats: ConnectionStats = NO_STATS): InitMessage {
  return {
    type: 'init',
    connectionId: `timing-${kind}`,
    config:
      kind === 'ws'
        ? { url: 'ws://127.0.0.1:8080/ticker', kind: 'ws', headers: [], protocols: [] }
        : { url: 'http://127.0.0.1:8080/feed', kind: 'sse', headers: [], method: 'GET', body: '', protocols: [] },
    status: { state: 'open', since: T0, autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats,
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records: packBatch(records),
    dropped: 0,
  } as InitMessage;
}

/** An SSE feed that reconnected twice: resumed once, then lost three events. */
function feedRecords(): ConnRecord[] {
  const out: ConnRecord[] = [];
  let seq = 1;
  const add = (r: Record<string, unknown>) => out.push({ seq: seq++, ...r } as unknown as ConnRecord);
  const event = (id: number, ms: number) =>
    add({ kind: 'message', time: t(ms), dir: 'in', format: 'text', data: `{"tick":${id}}`, size: 11, event: 'tick', id: String(id) });
  const reconnect = (ms: number, lastEventId: string, attempt: number) => {
    add({ kind: 'error', time: t(ms), code: 'ERR_NETWORK', message: 'socket hang up', fatal: false, state: 'reconnecting' });
    add({
      kind: 'connecting',
      time: t(ms + 1000),
      url: 'http://127.0.0.1:8080/feed',
      headers: {},
      attempt,
      lastEventId,
      state: 'connecting',
    });
    add({ kind: 'open', time: t(ms + 1010), url: 'http://127.0.0.1:8080/feed', status: 200, headers: {}, state: 'open' });
  };
  add({ kind: 'connecting', time: t(0), url: 'http://127.0.0.1:8080/feed', headers: {}, attempt: 0, state: 'connecting' });
  add({ kind: 'open', time: t(10), url: 'http://127.0.0.1:8080/feed', status: 200, headers: {}, state: 'open' });
  for (let id = 1; id <= 12; id++) {
    event(id, 20 + id * 500);
  }
  reconnect(6500, '12', 1);
  event(13, 7600);
  add({
    kind: 'continuity',
    time: t(7600),
    status: 'resumed',
    lastEventId: '12',
    id: '13',
    missing: 0,
    duplicates: 0,
    basis: '12 ids in sequence from 1',
  });
  for (let id = 14; id <= 20; id++) {
    event(id, 7600 + (id - 13) * 500);
  }
  reconnect(11500, '20', 1);
  event(24, 12600);
  add({
    kind: 'continuity',
    time: t(12600),
    status: 'gap',
    lastEventId: '20',
    id: '24',
    missing: 3,
    duplicates: 0,
    basis: '20 ids in sequence from 1',
  });
  for (let id = 25; id <= 30; id++) {
    event(id, 12600 + (id - 24) * 500);
  }
  return out;
}

/** A WebSocket ticker with keep-alive pings: every pong answers one, with its RTT. */
function tickerRecords(): ConnRecord[] {
  const out: ConnRecord[] = [
    { kind: 'connecting', seq: 1, time: t(0), url: 'ws://127.0.0.1:8080/ticker', headers: {}, attempt: 0, state: 'connecting' },
    { kind: 'open', seq: 2, time: t(5), url: 'ws://127.0.0.1:8080/ticker', headers: {}, protocol: '', extensions: '', state: 'open' },
  ] as unknown as ConnRecord[];
  const rtts = [1.8, 2.1, 1.6, 4.9, 2.4, 2.0, 7.3, 2.2, 1.9, 2.6, 3.1, 2.0];
  let seq = 3;
  rtts.forEach((rttMs, i) => {
    out.push({ kind: 'ping', seq: seq++, time: t(5000 * i), dir: 'out', data: '', size: 0, auto: true } as unknown as ConnRecord);
    out.push({ kind: 'pong', seq: seq++, time: t(5000 * i + rttMs), dir: 'in', data: '', size: 0, rttMs } as unknown as ConnRecord);
  });
  return out;
}

/** Rows in the log, in seq order: each cell's text joined by " | ". */
function rowTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.log .row:not([hidden])') as any[])
      .sort((a: any, b: any) => Number(a.dataset.seq) - Number(b.dataset.seq))
      .map((r: any) =>
        Array.from(r.children as ArrayLike<any>)
          .map((c) => c.textContent)
          .join(' | '),
      ),
  );
}

/** The points of a sparkline's polyline, as numbers. */
async function points(page: Page, selector: string): Promise<{ x: number; y: number }[]> {
  const text = (await page.getAttribute(selector, 'points')) ?? '';
  return text
    .split(' ')
    .filter(Boolean)
    .map((p) => {
      const [x, y] = p.split(',').map(Number);
      return { x, y };
    });
}

describe('the header timing figures and the findings filter in headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  async function open(msg: InitMessage, clock = false): Promise<Page> {
    const page = await newWebviewPage(harness.browser, { width: 1280, height: 560 });
    if (clock) {
      await page.clock.install({ time: T0 });
    }
    await page.goto(`${harness.origin}/?theme=dark`);
    if (clock) {
      // From here the page's time moves only when the test says (a minute on: loading a page under load never takes that long).
      await page.clock.pauseAt(T0 + 60_000);
    }
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    await page.evaluate((m) => window.__dispatch(m), msg as unknown);
    return page;
  }

  it('messages and bytes per second for each direction come from the host totals, and the last minute of messages/s is a sparkline', async () => {
    const page = await open(init('ws', tickerRecords()), true);
    try {
      // Received: 120 messages and 6,144 bytes a second; sent: 2 messages and 90 bytes a second, for 20 s.
      const perSecond = { messagesIn: 120, messagesOut: 2, bytesIn: 6144, bytesOut: 90 };
      const stats = { ...NO_STATS };
      const send = () =>
        page.evaluate((s) => window.__dispatch({ type: 'records', records: window.__textBatch(1, [], ''), stats: s, dropped: 0 }), stats);
      // A second with nothing yet, then the totals grow every second.
      await page.clock.runFor(1000);
      for (let second = 1; second <= 20; second++) {
        stats.messagesIn += perSecond.messagesIn;
        stats.messagesOut += perSecond.messagesOut;
        stats.bytesIn += perSecond.bytesIn;
        stats.bytesOut += perSecond.bytesOut;
        stats.records = stats.messagesIn + stats.messagesOut;
        await send();
        await page.clock.runFor(1000);
      }
      assert.equal(await page.locator('.counter-rate-in').innerText(), '↓ 120 msg/s 6.0 KB/s');
      assert.equal(await page.locator('.counter-rate-out').innerText(), '↑ 2.0 msg/s 90 B/s');
      let inLine = await points(page, '.rate-spark .spark-in');
      const outLine = await points(page, '.rate-spark .spark-out');
      // One point a second (the newest may still be waiting for its draw: the counters draw at most five times a second).
      assert.ok(inLine.length === 21 || inLine.length === 20, `${inLine.length} points`);
      assert.equal(outLine.length, inLine.length);
      // Steady once the 5 s window holds only the stream, near the top (the first seconds' samples can read up to a fifth higher); sent (2/120 of it) near the bottom, on the same scale.
      const steady = inLine.slice(-10);
      assert.ok(
        steady.every((p) => p.y === steady[0].y && p.y <= 3.5),
        JSON.stringify(inLine),
      );
      assert.ok(
        outLine.slice(-10).every((p) => p.y > 12.5 && p.y <= 13),
        JSON.stringify(outLine),
      );
      assert.equal(inLine[0].y, 13, 'the second with nothing is at the bottom');
      assert.ok(inLine[inLine.length - 1].x > 58, 'the newest point is at the right edge');
      // RTT's sparkline stays beside it.
      assert.match(await page.locator('.timing-rtt').innerText(), /^RTT 2 ms/);
      assert.equal((await points(page, '.timing-spark .spark-rtt')).length, 12);

      // The stream goes quiet: the rate falls to nothing and the line with it.
      await page.clock.runFor(10_000);
      assert.equal(await page.locator('.counter-rate-in').innerText(), '↓ 0.0 msg/s 0 B/s');
      inLine = await points(page, '.rate-spark .spark-in');
      assert.ok(inLine.length === 31 || inLine.length === 30, `${inLine.length} points`);
      assert.equal(inLine[inLine.length - 1].y, 13);

      // It picks up at half the rate for a while: the quiet and the busy parts stay in view.
      for (let second = 1; second <= 20; second++) {
        stats.messagesIn += perSecond.messagesIn / 2;
        stats.bytesIn += perSecond.bytesIn / 2;
        await send();
        await page.clock.runFor(1000);
      }
      assert.equal(await page.locator('.counter-rate-in').innerText(), '↓ 60 msg/s 3.0 KB/s');
      inLine = await points(page, '.rate-spark .spark-in');
      const busy = inLine[15].y;
      const half = inLine[inLine.length - 1].y;
      assert.ok(Math.abs(half - (13 + busy) / 2) <= 0.1, `60/s at ${half}, 120/s at ${busy}`);
      await page.locator('.filter-bar').screenshot({ path: join(RESULTS, 'timing-header.png') });

      // A minute later only the last minute is drawn.
      await page.clock.runFor(30_000);
      inLine = await points(page, '.rate-spark .spark-in');
      assert.ok(inLine.length >= 59 && inLine.length <= 61, `${inLine.length} points`);
      assert.ok(inLine[0].x >= 0 && inLine[0].x < 1.5, JSON.stringify(inLine[0]));
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'timing-rates-failed.png') });
      throw e;
    }
  });

  it('a message that came in several frames, compressed, says so in its details; a plain one does not', async () => {
    const records = [
      ...tickerRecords().slice(0, 2),
      { kind: 'message', seq: 10, time: t(100), dir: 'in', format: 'text', data: 'x'.repeat(2000), size: 2000, fragments: 3, wireSize: 31 },
      { kind: 'message', seq: 11, time: t(200), dir: 'in', format: 'text', data: 'plain', size: 5 },
    ] as ConnRecord[];
    const page = await open(init('ws', records));
    try {
      await page.click('.log .row[data-seq="10"]');
      let detail = (await page.locator('.detail').innerText()).replace(/\s+/g, ' ');
      assert.match(detail, /Frames 3 frames, compressed: 31 B on the wire/, detail);
      await page.click('.log .row[data-seq="11"]');
      await page.waitForFunction(() => /plain/.test(document.querySelector('.detail').innerText));
      detail = (await page.locator('.detail').innerText()).replace(/\s+/g, ' ');
      assert.doesNotMatch(detail, /Frames/, detail);
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'frames-failed.png') });
      throw e;
    }
  });

  it('"Only continuity findings" hides every other row, the findings counter turns it on and off, and it survives a reload', async () => {
    const records = feedRecords();
    const page = await open(init('sse', records, { ...NO_STATS, messagesIn: 26, bytesIn: 286, records: records.length }));
    try {
      await page.waitForSelector('.timing-findings:not([hidden])');
      assert.equal(await page.isHidden('.counter-rate-out'), true, 'nothing sent: no sent rate');
      assert.equal(await page.getAttribute('.log', 'aria-rowcount'), String(records.length + 1));
      await page.locator('.log .row.finding', { hasText: 'gap:' }).click();
      await page.waitForSelector('#log-row-selected');
      // Its details: the finding in words, the ids it compares and what it rests on.
      const detail = (await page.locator('.detail').innerText()).replace(/\s+/g, ' ');
      assert.match(detail, /Finding gap: 3 events missing \(21-23\)/, detail);
      assert.match(detail, /Id before 20 Event id 24 Missing 3 Based on 20 ids in sequence from 1/, detail);
      await page.screenshot({ path: join(RESULTS, 'continuity.png') });

      // From the type list.
      await page.click('.type-filter-button');
      await page.check('.type-filter-findings');
      await page.screenshot({ path: join(RESULTS, 'findings-menu.png'), clip: { x: 0, y: 0, width: 640, height: 400 } });
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 2);
      let rows = await rowTexts(page);
      assert.match(rows[0], /resumed after id 12/);
      assert.match(rows[1], /gap: 3 events missing \(21-23\)/);
      assert.equal(await page.locator('.type-filter-button').innerText(), 'Findings only');
      assert.equal(await page.getAttribute('.timing-findings', 'aria-pressed'), 'true');
      assert.equal(await page.locator('.counters .counter.muted').innerText(), `2 of ${records.length} shown`);

      // The counter turns it off, and on again.
      await page.click('.timing-findings');
      await page.waitForFunction((n) => window.__inspector.shown() === n, records.length);
      assert.equal(await page.locator('.type-filter-button').innerText(), 'All types');
      await page.click('.timing-findings');
      await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 2);

      // A finding that arrives while it is on shows; the events around it do not.
      const more = [
        { kind: 'message', seq: 100, time: t(20_000), dir: 'in', format: 'text', data: '{"tick":24}', size: 11, event: 'tick', id: '24' },
        {
          kind: 'continuity',
          seq: 101,
          time: t(20_000),
          status: 'duplicate',
          lastEventId: '30',
          id: '24',
          missing: 0,
          duplicates: 1,
          basis: '30 ids in sequence from 1',
        },
      ] as unknown as ConnRecord[];
      await page.evaluate((m) => window.__dispatch(m), {
        type: 'records',
        records: packBatch(more),
        stats: NO_STATS,
        dropped: 0,
      } as unknown);
      await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 3);
      rows = await rowTexts(page);
      assert.match(rows[2], /1 duplicate/);
      assert.equal(await page.textContent('.timing-findings'), '⚠ 2 findings');

      // Reloaded (the panel hidden and shown again): still findings only.
      await page.waitForFunction(() => window.__state?.filterFindingsOnly === true);
      await page.reload();
      await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
      await page.evaluate((m) => window.__dispatch(m), init('sse', records) as unknown);
      await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 2);
      assert.equal(await page.locator('.type-filter-button').innerText(), 'Findings only');
      assert.equal(await page.getAttribute('.timing-findings', 'aria-pressed'), 'true');
      await page.click('.type-filter-button');
      assert.equal(await page.isChecked('.type-filter-findings'), true);
      // "Show all types" shows everything again.
      await page.click('.type-filter-all');
      await page.waitForFunction((n) => window.__inspector.shown() === n, records.length);
      await page.waitForFunction(() => window.__state?.filterFindingsOnly === false);
      await closeWebviewPage(page);
    } catch (e) {
      await page.screenshot({ path: join(RESULTS, 'findings-filter-failed.png') });
      throw e;
    }
  });
});
