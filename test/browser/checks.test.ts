/**
 * The Checks strip of the built webview (dist/webview.js + css) in headless Chromium, under the host's
 * CSP, with the stand-in for acquireVsCodeApi (fixtures/harness.js): each rule status, a rule selecting
 * the record that decided it, collapse kept across a reload, Run again, and hostile text kept as text.
 * Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ChecksView, ConnRecord, InitMessage } from '../../src/protocol';
import { closeWebviewPage, newWebviewPage, RESULTS, type Theme, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const getComputedStyle: (el: unknown) => { color: string; borderTopStyle: string };

const NONCE = 'Y2hlY2tzLW5vbmNlLTEyMzQ';
const T0 = Date.parse('2026-11-24T09:41:07.120Z');
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_DETAIL = '</script><script>window.__pwned=2</script>';

/** SSE ticks: seq 1 open, then 299 messages; every fourth a `tick`. */
function records(): ConnRecord[] {
  const out: ConnRecord[] = [
    {
      kind: 'open',
      seq: 1,
      time: new Date(T0).toISOString(),
      url: 'http://127.0.0.1:8080/sse',
      status: 200,
      headers: {},
    } as unknown as ConnRecord,
  ];
  for (let seq = 2; seq <= 300; seq++) {
    const tick = seq % 4 === 0;
    const data = tick ? JSON.stringify({ n: seq, price: 100 + (seq % 7) }) : `plain text message #${seq}`;
    out.push({
      kind: 'message',
      seq,
      time: new Date(T0 + seq * 50).toISOString(),
      dir: 'in',
      format: 'text',
      data,
      size: data.length,
      ...(tick ? { event: 'tick' } : {}),
    } as unknown as ConnRecord);
  }
  return out;
}

function init(): Omit<InitMessage, 'records'> & { records: ConnRecord[] } {
  const recs = records();
  return {
    type: 'init',
    connectionId: 'k1',
    config: { url: 'http://127.0.0.1:8080/sse', kind: 'sse', headers: [], method: 'GET', body: '', protocols: [], profile: 'ticks' },
    status: { state: 'open', since: Date.now(), autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats: { messagesIn: recs.length - 1, messagesOut: 0, bytesIn: 9000, bytesOut: 0, records: recs.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records: recs,
    dropped: 0,
  };
}

function checks(extra: Partial<ChecksView> = {}): ChecksView {
  return {
    profile: 'ticks',
    running: true,
    elapsedMs: 2400,
    timeoutMs: 10_000,
    rules: [
      { name: 'first tick', status: 'passed', detail: 'matched', atMs: 150, decidedBy: 4 },
      { name: 'a trade within 300 ms', status: 'failed', detail: 'no match within 300 ms', atMs: 300 },
      {
        name: 'price is a number',
        status: 'failed',
        detail: '$.price: "n/a" is a string, not a number',
        atMs: 420,
        decidedBy: 9,
        evidence: '{"price":"n/a"}',
      },
      { name: 'nothing hostile', status: 'holding', detail: 'none matched so far' },
      { name: 'at least 500 messages', status: 'pending', detail: '299 of min 500' },
    ],
    ...extra,
  };
}

describe('the Checks strip in headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  async function open(theme: Theme = 'dark', viewport = { width: 1100, height: 640 }): Promise<Page> {
    const page = await newWebviewPage(harness.browser, viewport);
    await page.goto(`${harness.origin}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    const msg = init();
    await page.evaluate((m) => window.__dispatch(m), { ...msg, records: packBatch(msg.records) } as unknown);
    return page;
  }

  const dispatchChecks = (page: Page, view: ChecksView | undefined) =>
    page.evaluate((c) => window.__dispatch({ type: 'checks', checks: c }), view);

  it('is hidden without checks, and shows every rule with its status, why and when, and the summary', async () => {
    const page = await open();
    try {
      assert.equal(await page.isHidden('.checks'), true, 'no expect: no strip');
      await dispatchChecks(page, checks());
      await page.waitForSelector('.checks:not([hidden])');
      const rules = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.checks .check') as ArrayLike<any>).map((li) => ({
          cls: li.className,
          icon: li.querySelector('.check-icon').className,
          text: Array.from(li.querySelector('.check-row').children as ArrayLike<any>).map((c) => c.textContent),
          button: li.querySelector('.check-row').tagName === 'BUTTON',
        })),
      );
      assert.deepEqual(
        rules.map((r) => [r.cls, r.icon.replace(' check-icon', ''), r.button]),
        [
          ['check st-passed', 'codicon codicon-pass-filled', true],
          ['check st-failed', 'codicon codicon-error', false],
          ['check st-failed', 'codicon codicon-error', true],
          ['check st-holding', 'codicon codicon-pass', false],
          ['check st-pending', 'codicon codicon-circle-large-outline', false],
        ],
      );
      assert.deepEqual(rules[0].text.slice(1), ['first tick', 'passed', 'matched', 'at 150 ms']);
      assert.deepEqual(rules[3].text.slice(1), ['nothing hostile', 'holding so far', 'none matched so far', '']);
      assert.deepEqual(rules[4].text.slice(1), ['at least 500 messages', 'pending', '299 of min 500', '']);
      const summary = await page.textContent('.checks-summary');
      assert.equal(summary, '1 passed · 2 failed · 1 holding · 1 pending');
      assert.equal(await page.textContent('.checks-title'), 'Checks');
      assert.match((await page.getAttribute('.checks-toggle', 'title')) ?? '', /profile "ticks"/);
      assert.match((await page.textContent('.checks-time')) ?? '', /^2\.\d s \/ 10 s$/);
      // Theme colours: passed, failed and pending each in their testing colour; holding differs from passed in shape.
      const colours = await page.evaluate(() =>
        ['st-passed', 'st-failed', 'st-pending'].map((c) => getComputedStyle(document.querySelector(`.${c} .check-icon`)).color),
      );
      assert.deepEqual(colours, ['rgb(115, 201, 145)', 'rgb(241, 76, 76)', 'rgb(204, 167, 0)']);
      const holdingTag = await page.evaluate(() => getComputedStyle(document.querySelector('.st-holding .check-status')).borderTopStyle);
      assert.equal(holdingTag, 'dashed');

      // The run ends: the summary says how, the time stops.
      await dispatchChecks(
        page,
        checks({
          running: false,
          elapsedMs: 10_000,
          summary: { passed: 2, failed: 3, durationMs: 10_000, end: 'the timeout ran out' },
          rules: checks().rules.map((r) =>
            r.status === 'holding'
              ? { ...r, status: 'passed', detail: 'none matched' }
              : r.status === 'pending'
                ? { ...r, status: 'failed' }
                : r,
          ),
        }),
      );
      assert.equal(await page.textContent('.checks-summary'), '2 passed · 3 failed — the timeout ran out');
      assert.equal(await page.textContent('.checks-time'), '10 s / 10 s');

      await page.screenshot({ path: join(RESULTS, 'checks-strip-dark.png') });
      await dispatchChecks(page, undefined);
      assert.equal(await page.isHidden('.checks'), true, 'the profile lost its expect: the strip goes');
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('clicking a rule selects the record that decided it, scrolled into view, and shows it in the detail pane', async () => {
    const page = await open();
    try {
      await dispatchChecks(page, checks());
      await page.waitForFunction(() => window.__inspector.domRows() > 0);
      await page.click('.st-failed button.check-row');
      await page.waitForFunction(() => window.__inspector.selectedSeq() === 9);
      const inView = await page.evaluate(() => {
        const row = document.querySelector('.log .row.selected');
        const vp = document.querySelector('.log-viewport').getBoundingClientRect();
        const r = row?.getBoundingClientRect();
        return !!r && Number(row.dataset.seq) === 9 && r.top >= vp.top - 1 && r.bottom <= vp.bottom + 1;
      });
      assert.equal(inView, true, 'row 9 selected and in view (the log was at its tail, row 300)');
      const detail = await page.textContent('.detail');
      assert.match(detail ?? '', /plain text message #9/);

      // A record the log no longer has: said so, nothing selected instead.
      await dispatchChecks(page, checks({ rules: [{ name: 'gone', status: 'passed', detail: 'matched', atMs: 1, decidedBy: 99_999 }] }));
      await page.click('.st-passed button.check-row');
      await page.waitForSelector('.notice');
      assert.match((await page.textContent('.notices')) ?? (await page.textContent('body')) ?? '', /no longer in the log/);
      assert.equal(await page.evaluate(() => window.__inspector.selectedSeq()), 9);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('collapses to its summary line, kept across a reload; Run again asks the host', async () => {
    const page = await open();
    try {
      await dispatchChecks(page, checks());
      await page.click('.checks-toggle');
      assert.equal(await page.getAttribute('.checks-toggle', 'aria-expanded'), 'false');
      assert.equal(await page.isHidden('.checks-list'), true);
      assert.equal(await page.isVisible('.checks-summary'), true, 'the summary stays');
      await page.waitForFunction(() => window.__state?.checksCollapsed === true);

      await page.click('.checks-again');
      const posted = await page.evaluate(() => window.__posted.map((m: { type: string }) => m.type));
      assert.ok(posted.includes('runChecks'), posted.join(','));

      await page.reload();
      await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
      const msg = init();
      await page.evaluate((m) => window.__dispatch(m), { ...msg, records: packBatch(msg.records) } as unknown);
      await dispatchChecks(page, checks());
      assert.equal(await page.isHidden('.checks-list'), true, 'still collapsed after the reload');
      await page.click('.checks-toggle');
      assert.equal(await page.isVisible('.checks-list'), true);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('shows rule names, details and problems as text, never as markup', async () => {
    const page = await open();
    try {
      await dispatchChecks(
        page,
        checks({
          profile: HOSTILE_NAME,
          rules: [{ name: HOSTILE_NAME, status: 'failed', detail: HOSTILE_DETAIL, atMs: 5, decidedBy: 4, evidence: HOSTILE_DETAIL }],
        }),
      );
      assert.equal(await page.textContent('.check-name'), HOSTILE_NAME);
      assert.equal(await page.textContent('.check-detail'), HOSTILE_DETAIL);
      await dispatchChecks(page, checks({ rules: [], running: false, problem: `expect.messages[0] ("${HOSTILE_NAME}"): bad` }));
      assert.match((await page.textContent('.checks-problem')) ?? '', /<img src=x/);
      assert.equal(await page.textContent('.checks-summary'), 'not run');
      const injected = await page.evaluate(() => ({
        img: document.querySelectorAll('.checks img, .checks script').length,
        pwned: window.__pwned,
      }));
      assert.deepEqual(injected, { img: 0, pwned: undefined });
    } finally {
      await closeWebviewPage(page);
    }
  });

  for (const theme of ['light', 'hc'] as const) {
    it(`is readable in the ${theme} theme (status colours from the theme, text on the strip's background)`, async () => {
      const page = await open(theme);
      try {
        await dispatchChecks(page, checks());
        const look = await page.evaluate(() => ({
          failed: getComputedStyle(document.querySelector('.st-failed .check-icon')).color,
          name: getComputedStyle(document.querySelector('.check-name')).color,
          body: getComputedStyle(document.body).color,
        }));
        assert.equal(look.failed, 'rgb(241, 76, 76)');
        assert.equal(look.name, look.body, 'rule names in the foreground colour');
        await page.screenshot({ path: join(RESULTS, `checks-strip-${theme}.png`) });
      } finally {
        await closeWebviewPage(page);
      }
    });
  }
});
