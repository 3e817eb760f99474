// Over 400 lines: every webview behaviour on one Chromium page and harness; each test stands alone.
/**
 * The built webview (dist/webview.js + css) loaded in headless Chromium under the same CSP the host
 * uses, with a stand-in for acquireVsCodeApi (test/browser/fixtures/harness.js). Run `npm run build`
 * first (a missing bundle or browser fails the suite). The browser is CHROMIUM=/path or Debian's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ConnRecord, ConnectionStatus, InitMessage, RecordsMessage, ToWebviewMessage } from '../../src/protocol';
import { chromiumPath } from '../harness/browser';
import { ROOT, startWebviewServer, type Theme } from './webviewPage';

/** A host message as the tests write it: records as an array, packed by the host's packer on dispatch. */
type TestInit = Omit<InitMessage, 'records'> & { records: ConnRecord[] };
type TestMessage =
  Exclude<ToWebviewMessage, InitMessage | RecordsMessage> | TestInit | (Omit<RecordsMessage, 'records'> & { records: ConnRecord[] });

// In-page callbacks run in the browser; the test project has no DOM lib, so name these loosely here.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const requestAnimationFrame: (cb: (t?: unknown) => void) => number;
declare const KeyboardEvent: any;

const CHROMIUM = chromiumPath;
const HAVE_BUNDLE = existsSync(join(ROOT, 'dist/webview.js'));
const RESULTS = join(ROOT, 'test-results');
const NONCE = 'dGVzdC1ub25jZS0xMjM0';

// ---------- sample data ----------

const T0 = Date.parse('2026-11-24T09:41:07.120Z');

function builder() {
  let seq = 0;
  let t = T0;
  return (r: Record<string, unknown>, dtMs = 37): ConnRecord => {
    t += dtMs;
    return { seq: ++seq, time: new Date(t).toISOString(), ...r } as unknown as ConnRecord;
  };
}

function status(s: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return {
    state: 'open',
    since: Date.now() - 65_000,
    autoRetry: true,
    attempt: 0,
    maxAttempts: 10,
    reconnectDelayMs: 3000,
    details: {},
    ...s,
  };
}

const HOSTILE_1 = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_2 = '</script><script>window.__pwned=2</script>';

function wsRecords(): ConnRecord[] {
  const r = builder();
  const text = (dir: 'in' | 'out', data: string, dt?: number) =>
    r({ kind: 'message', dir, format: 'text', data, size: Buffer.byteLength(data) }, dt);
  const out: ConnRecord[] = [
    r(
      {
        kind: 'connecting',
        url: 'wss://stream.example.com/v2/market',
        headers: { Authorization: 'Bearer ••••', 'X-Client': 'inspector' },
        attempt: 0,
        protocols: ['market.v2'],
        state: 'connecting',
      },
      0,
    ),
    r(
      {
        kind: 'open',
        url: 'wss://stream.example.com/v2/market',
        headers: { upgrade: 'websocket', 'sec-websocket-protocol': 'market.v2' },
        protocol: 'market.v2',
        extensions: 'permessage-deflate',
        state: 'open',
      },
      84,
    ),
    text('out', '{"op":"subscribe","channels":["ticker.BTC-EUR","trades.BTC-EUR"],"id":1}'),
    text('in', '{"op":"subscribed","id":1,"channels":["ticker.BTC-EUR","trades.BTC-EUR"]}', 41),
  ];
  for (let i = 0; i < 14; i++) {
    const price = (87_412.5 + Math.sin(i) * 35).toFixed(2);
    out.push(
      i % 3 === 2
        ? text(
            'in',
            `{"ch":"trades.BTC-EUR","ts":${T0 + i * 250},"data":[{"side":"${i % 2 ? 'buy' : 'sell'}","px":${price},"qty":0.0${i + 1}}]}`,
            120,
          )
        : text(
            'in',
            `{"ch":"ticker.BTC-EUR","ts":${T0 + i * 250},"bid":${price},"ask":${(Number(price) + 0.5).toFixed(2)},"vol24h":1834.2${i}}`,
            120,
          ),
    );
  }
  out.push(
    r({ kind: 'ping', dir: 'out', data: Buffer.from('hb-1').toString('base64'), size: 4 }),
    r({ kind: 'pong', dir: 'in', data: Buffer.from('hb-1').toString('base64'), size: 4 }, 12),
    r({
      kind: 'message',
      dir: 'in',
      format: 'binary',
      data: Buffer.from([
        0x82, 0xa2, 0x6f, 0x70, 0xa4, 0x73, 0x6e, 0x61, 0x70, 0xa3, 0x73, 0x65, 0x71, 0xcd, 0x04, 0xd2, 0x00, 0xff, 0x10, 0x41, 0x42, 0x43,
      ]).toString('base64'),
      size: 22,
    }),
    text('in', HOSTILE_1),
    text('in', HOSTILE_2),
    text('in', 'plain text status: all systems nominal\twith a tab'),
    r({ kind: 'error', code: 'ERR_NETWORK', message: 'socket hang up (ECONNRESET)', fatal: false }, 300),
    r({ kind: 'close', code: 1006, reason: '', clean: false, by: 'network', state: 'closed' }, 1),
    r({ kind: 'reconnecting', attempt: 1, delayMs: 2870, maxAttempts: 10, state: 'reconnecting' }, 1),
    r(
      {
        kind: 'connecting',
        url: 'wss://stream.example.com/v2/market',
        headers: { Authorization: 'Bearer ••••' },
        attempt: 1,
        protocols: ['market.v2'],
        state: 'connecting',
      },
      2870,
    ),
    r(
      {
        kind: 'open',
        url: 'wss://stream.example.com/v2/market',
        headers: { upgrade: 'websocket' },
        protocol: 'market.v2',
        extensions: 'permessage-deflate',
        state: 'open',
      },
      90,
    ),
    r({ kind: 'info', message: 'Resubscribed to 2 channels' }, 5),
    text(
      'in',
      '{"ch":"ticker.BTC-EUR","ts":1764000000000,"bid":87440.10,"ask":87440.60,"nested":{"depth":[[87440.1,0.5],[87439.9,1.25]],"ok":true,"note":null}}',
      60,
    ),
  );
  return out;
}

function wsInit(records = wsRecords(), extra: Partial<TestInit> = {}): TestInit {
  return {
    type: 'init',
    connectionId: 'c1',
    config: {
      url: 'wss://stream.example.com/v2/market',
      kind: 'auto',
      headers: [
        { name: 'Authorization', value: 'Bearer ${secret:MARKET_TOKEN}', enabled: true },
        { name: 'X-Client', value: 'inspector', enabled: true },
      ],
      method: 'GET',
      body: '',
      protocols: ['market.v2'],
    },
    status: status(),
    stats: { messagesIn: 22, messagesOut: 2, bytesIn: 2315, bytesOut: 112, records: records.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records,
    dropped: 0,
    ...extra,
  };
}

function sseInit(): TestInit {
  const r = builder();
  const ev = (event: string, data: string, id?: string) =>
    r({ kind: 'message', dir: 'in', format: 'text', event, data, id, lastEventId: id, size: Buffer.byteLength(data) }, 180);
  const records: ConnRecord[] = [
    r({
      kind: 'connecting',
      url: 'https://api.example.com/events?topic=deploys',
      method: 'GET',
      headers: { Accept: 'text/event-stream', Authorization: '••••' },
      attempt: 0,
      state: 'connecting',
    }),
    r(
      {
        kind: 'open',
        url: 'https://api.example.com/events?topic=deploys',
        status: 200,
        statusText: 'OK',
        headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
        state: 'open',
      },
      95,
    ),
    r({ kind: 'retry', ms: 5000 }),
    ev('deploy', '{"service":"checkout","version":"4.18.2","stage":"canary","progress":0.25}', '1001'),
    r({ kind: 'comment', text: 'heartbeat' }, 900),
    ev('deploy', '{"service":"checkout","version":"4.18.2","stage":"canary","progress":0.5}', '1002'),
    ev('log', 'build step 7/9: pushing image registry.example.com/checkout:4.18.2', '1003'),
    ev('message', 'unnamed event data', '1004'),
  ];
  return {
    type: 'init',
    connectionId: 's1',
    config: {
      url: 'https://api.example.com/events?topic=deploys',
      kind: 'sse',
      headers: [{ name: 'Authorization', value: '${secret:API}', enabled: true }],
      method: 'GET',
      body: '',
      protocols: [],
    },
    status: status({ details: { lastEventId: '1004' } }),
    stats: { messagesIn: 5, messagesOut: 0, bytesIn: 400, bytesOut: 0, records: records.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records,
    dropped: 0,
    sse: {
      request: {
        method: 'GET',
        url: 'https://api.example.com/events?topic=deploys',
        headers: { Accept: 'text/event-stream', Authorization: '••••', 'Last-Event-ID': '1000' },
      },
      response: { status: 200, statusText: 'OK', headers: { 'content-type': 'text/event-stream; charset=utf-8' } },
      retryMs: 5000,
      lastEventId: '1004',
    },
  };
}

// ---------- server and page helpers ----------

async function dispatch(page: Page, msg: TestMessage): Promise<void> {
  const wire = msg.type === 'init' || msg.type === 'records' ? { ...msg, records: packBatch(msg.records) } : msg;
  await page.evaluate((m) => (window as unknown as { __dispatch(m: unknown): void }).__dispatch(m), wire as unknown);
}

async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Waits until the state the webview saved (its setState, debounced) has these values (`null`: none). */
async function savedState(page: Page, want: Record<string, number | string | null>): Promise<void> {
  try {
    await page.waitForFunction((w) => {
      const state = (window as unknown as { __state?: Record<string, unknown> }).__state;
      return !!state && Object.entries(w).every(([k, v]) => (state[k] ?? null) === v);
    }, want);
  } catch (err) {
    const state = await page.evaluate(() => (window as unknown as { __state?: Record<string, unknown> }).__state);
    const got = Object.fromEntries(Object.keys(want).map((k) => [k, state?.[k] ?? null]));
    throw new Error(`the saved state never became ${JSON.stringify(want)}: it is ${JSON.stringify(got)}`, { cause: err });
  }
}

/** Waits until the log has left the tail and its scroll position holds still for a few frames. */
async function scrollSettled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        const el = document.querySelector('.log-viewport')!;
        const positions: number[] = [];
        const step = () => {
          positions.push(el.scrollTop);
          if (positions.length < 4) {
            requestAnimationFrame(step);
          } else {
            const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
            resolve(!atBottom && positions.every((p) => p === positions[0]));
          }
        };
        requestAnimationFrame(step);
      }),
    undefined,
    { polling: 50 },
  );
}

async function posted(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
}

async function rowTexts(page: Page): Promise<string[]> {
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

// ---------- tests ----------

// The suite's timeout stops a hung browser; it bounds all the cases together, so it is generous enough for a
// loaded shared machine.
describe('webview in headless Chromium', { timeout: 900_000 }, () => {
  let browser: Browser;
  let server: Server;
  let origin: string;

  before(async () => {
    assert.ok(HAVE_BUNDLE, 'dist/webview.js is missing: run `npm run build` first');
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`bash scripts/ensure-system.sh chromium\` or set CHROMIUM=/path`);
    ({ server, origin } = await startWebviewServer(NONCE));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-quic',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
    mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  /** Incoming text messages `row <seq>`, seqs from `from`. */
  const textRows = (from: number, n: number): ConnRecord[] =>
    Array.from(
      { length: n },
      (_, i) =>
        ({
          kind: 'message',
          seq: from + i,
          time: new Date(T0 + (from + i) * 10).toISOString(),
          dir: 'in',
          format: 'text',
          data: `row ${from + i}`,
          size: 8,
        }) as ConnRecord,
    );

  /** Seq of the first row whose top is in the log's viewport, measured on screen. */
  const firstSeqOnScreen = (page: Page): Promise<number> =>
    page.evaluate(() => {
      const top = document.querySelector('.log-viewport')!.getBoundingClientRect().top;
      const rows = Array.from(document.querySelectorAll('.log .row:not([hidden])') as ArrayLike<any>)
        .filter((el) => el.getBoundingClientRect().top >= top - 1)
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
      return Number(rows[0]?.dataset.seq);
    });

  async function open(theme: Theme = 'dark', viewport = { width: 1280, height: 760 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    // Generous: these machines are shared and a busy one starts pages slowly.
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    (page as unknown as { __errors: string[] }).__errors = errors;
    await page.goto(`${origin}/?theme=${theme}`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    return page;
  }

  async function closePage(page: Page): Promise<void> {
    const errors = (page as unknown as { __errors: string[] }).__errors;
    const csp = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
    await page.close();
    assert.deepEqual(errors, [], 'page errors');
    assert.deepEqual(csp, [], 'CSP violations');
  }

  it('posts ready on load and builds its DOM under the host CSP without violations', async () => {
    const page = await open();
    assert.equal((await posted(page))[0].type, 'ready');
    assert.ok(await page.locator('.log[role=grid]').isVisible());
    assert.ok(await page.locator('input[aria-label="URL"]').isVisible());
    // The codicon font loaded through font-src.
    await page.evaluate(() => document.fonts.ready);
    assert.equal(await page.evaluate(() => document.fonts.check('16px codicon')), true);
    await closePage(page);
  });

  it('renders init records with type, id, preview and the state badge', async () => {
    const page = await open();
    await dispatch(page, sseInit());
    await nextFrames(page);
    const rows = await rowTexts(page);
    assert.equal(rows.length, 8);
    assert.match(rows[3], /^\d\d:\d\d:\d\d\.\d{3} \| {2}\| deploy \| 1001 \| \d+ B \| \{"service":"checkout"/);
    assert.match(rows[4], /comment/);
    assert.match(rows[0], /connecting/);
    assert.match(await page.locator('.state-badge').innerText(), /^Open since \d\d:\d\d:\d\d$/);
    assert.equal(await page.getAttribute('.log', 'aria-rowcount'), '9');
    // SSE: method shown in the request editor, subprotocols hidden; no send box.
    assert.equal(await page.locator('.sendbox').isVisible(), false);
    await closePage(page);
  });

  it('a recording shown read-only: the header says Recording: FILE, with no URL, connect or send box; its records and Serve as Mock are there', async () => {
    const page = await open();
    await dispatch(page, wsInit(wsRecords(), { status: status({ state: 'idle' }), recording: 'market.har' }));
    await nextFrames(page);
    assert.equal(await page.locator('.recording-label').innerText(), 'Recording: market.har');
    for (const hidden of ['.url-input', '.kind-select', '.sendbox', 'button:has-text("Connect")', 'button[aria-label="Connect"]']) {
      assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not offered`);
    }
    assert.ok((await rowTexts(page)).length > 5, 'the records are in the log');
    await page.locator('button[aria-label="Serve as Mock"]').click();
    assert.ok(
      (await posted(page)).some((m) => m.type === 'serveAsMock'),
      'Serve as Mock posts its command',
    );
    // Its saved state has no URL: a window reload does not bring it back as a connection to the recorded server.
    await page.waitForFunction(() => (window as unknown as { __state?: { config?: { url: string } } }).__state?.config?.url === '');
    // The same panel for a live connection: the URL and Connect are back, the label gone.
    await dispatch(page, wsInit());
    await nextFrames(page);
    assert.equal(await page.locator('.recording-label').isVisible(), false);
    assert.equal(await page.locator('.url-input').isVisible(), true);
    await closePage(page);
  });

  it('says on the badge that a stream was not reconnected, and why in its tooltip and the details', async () => {
    const page = await open();
    await dispatch(page, sseInit());
    const why = 'The server ended the POST stream; not reconnecting (a POST is sent again after the stream ends only with reconnect.onEnd)';
    await dispatch(page, {
      type: 'status',
      status: status({ state: 'closed', lastClose: { reason: 'The server ended the stream', clean: true }, notReconnected: why }),
    });
    const badge = page.locator('.state-badge');
    assert.equal(await badge.innerText(), 'Closed, not reconnected: "The server ended the stream"');
    assert.equal(await badge.getAttribute('title'), `Closed, not reconnected: "The server ended the stream"\n${why}`);
    assert.ok(await page.getByRole('button', { name: 'Connect', exact: true }).isVisible(), 'no countdown: the user connects again');
    await page.getByRole('tab', { name: 'Connection' }).click();
    assert.match(
      await page.locator('#panel-connection').innerText(),
      /Not reconnected\s+The server ended the POST stream; not reconnecting/,
    );
    await closePage(page);
  });

  it('keeps the state badge true: reconnect countdown, close code and reason, HTTP failure', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    await dispatch(page, {
      type: 'status',
      status: status({ state: 'reconnecting', attempt: 2, maxAttempts: 10, nextAttemptAt: Date.now() + 2_900, delayMs: 3000 }),
    });
    assert.equal(await page.locator('.state-badge').innerText(), 'Reconnecting in 3 s — attempt 2 of 10');
    await page.waitForFunction(
      () => document.querySelector('.state-badge')?.textContent === 'Reconnecting in 2 s — attempt 2 of 10',
      undefined,
      { timeout: 6000 },
    );
    await dispatch(page, { type: 'status', status: status({ state: 'closed', lastClose: { code: 1000, reason: 'bye', clean: true } }) });
    assert.equal(await page.locator('.state-badge').innerText(), 'Closed 1000 "bye"');
    await dispatch(page, {
      type: 'status',
      status: status({
        state: 'failed',
        lastError: { code: 'ERR_HTTP_STATUS', message: 'HTTP 401', status: 401, statusText: 'Unauthorized' },
      }),
    });
    assert.equal(await page.locator('.state-badge').innerText(), 'Failed: 401 Unauthorized');
    assert.ok(await page.getByRole('button', { name: 'Connect', exact: true }).isVisible());
    await closePage(page);
  });

  it('filters by text, by /regex/, by direction and by types; an invalid regex shows an error', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    await nextFrames(page);
    const filter = page.getByLabel('Filter records: text, or /regex/flags');
    await filter.fill('TRADES');
    await filter.press('Enter');
    await nextFrames(page);
    let rows = await rowTexts(page);
    assert.ok(rows.length >= 4 && rows.every((r) => /trades/i.test(r)), rows.join('\n'));
    await filter.fill('/"side":"buy"/');
    await filter.press('Enter');
    await nextFrames(page);
    rows = await rowTexts(page);
    assert.ok(rows.length >= 1 && rows.every((r) => r.includes('"side":"buy"')));
    await filter.fill('/(unclosed/');
    await filter.press('Enter');
    await nextFrames(page);
    assert.match(await page.locator('.filter-error').innerText(), /Invalid regex/);
    assert.equal(await filter.getAttribute('aria-invalid'), 'true');
    await filter.fill('');
    await filter.press('Enter');
    await page.getByRole('button', { name: 'Received' }).click();
    await page.getByRole('button', { name: 'System' }).click();
    await nextFrames(page);
    rows = await rowTexts(page);
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.ok(rows[0].includes('"op":"subscribe"') && rows[1].includes('ping'), rows.join('\n'));
    await page.getByRole('button', { name: 'Received' }).click();
    await page.locator('.type-filter-button').click();
    for (const type of ['text', 'ping', 'pong']) {
      await page.getByRole('checkbox', { name: type, exact: true }).uncheck();
    }
    await nextFrames(page);
    rows = await rowTexts(page);
    assert.equal(rows.length, 1, rows.join('\n'));
    assert.match(rows[0], /binary \| {2}\| 22 B \| 82 a2 6f/);
    await closePage(page);
  });

  it('the text filter finds what system rows show: attempts, close codes, error messages', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    const filter = page.getByLabel('Filter records: text, or /regex/flags');
    for (const [needle, want] of [
      ['attempt 1 of 10', /Reconnecting in .* — attempt 1 of 10/],
      ['closed 1006', /Closed 1006 — by network, not clean/],
      ['hang up', /ERR_NETWORK: socket hang up/],
    ] as const) {
      await filter.fill(needle);
      await filter.press('Enter');
      await nextFrames(page);
      const rows = await rowTexts(page);
      assert.ok(rows.length >= 1 && rows.every((r) => want.test(r)), `${needle}: ${rows.join('\n')}`);
    }
    await closePage(page);
  });

  it('the type list hides several types at once, by keyboard, and "Hide control frames" hides ping, pong, retry and comments; both survive a reload', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    const types = page.locator('.type-filter-button');
    assert.equal(await types.innerText(), 'All types');
    await types.focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.type-filter-menu').isVisible(), true);
    // Sorted: binary, close, connecting, error, info, open, ping, pong, reconnecting, text.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.type-filter-menu').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('type-filter-button')), true);
    assert.equal(await types.innerText(), 'Types: 8 of 10');
    await nextFrames(page);
    let rows = await rowTexts(page);
    assert.ok(rows.length > 5, rows.join('\n'));
    assert.ok(!rows.some((r) => / \| (ping|pong) \| /.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => / \| binary \| /.test(r)) && rows.some((r) => / \| text \| /.test(r)), rows.join('\n'));
    await page.screenshot({ path: join(RESULTS, 'webview-type-filter.png') });
    await page.locator('.type-filter-button').click();
    await page.screenshot({ path: join(RESULTS, 'webview-type-filter-open.png') });
    await page.keyboard.press('Escape');

    const sse = await open();
    await dispatch(sse, sseInit());
    const hide = sse.getByRole('button', { name: 'Hide control frames' });
    assert.match((await hide.getAttribute('title')) ?? '', /ping and pong.*retry:.*comment/);
    await nextFrames(sse);
    assert.ok((await rowTexts(sse)).some((r) => /retry: 5000 ms/.test(r) || /: heartbeat/.test(r)));
    await hide.click();
    await nextFrames(sse);
    rows = await rowTexts(sse);
    assert.ok(rows.length >= 6 && !rows.some((r) => /retry: 5000 ms|: heartbeat/.test(r)), rows.join('\n'));
    await savedState(sse, { filterHideControl: true as unknown as string });
    await sse.reload();
    await sse.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await dispatch(sse, sseInit());
    await nextFrames(sse);
    assert.equal(await hide.getAttribute('aria-pressed'), 'true');
    rows = await rowTexts(sse);
    assert.ok(rows.length >= 6 && !rows.some((r) => /retry: 5000 ms|: heartbeat/.test(r)), rows.join('\n'));
    await closePage(sse);

    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await dispatch(page, wsInit());
    await nextFrames(page);
    assert.equal(await types.innerText(), 'Types: 8 of 10');
    rows = await rowTexts(page);
    assert.ok(rows.length > 5 && !rows.some((r) => / \| (ping|pong) \| /.test(r)), rows.join('\n'));
    await closePage(page);
  });

  it('a retry: repeated unchanged folds into one row that counts it; the records stay', async () => {
    const page = await open();
    const init = sseInit();
    const r = builder();
    const records: ConnRecord[] = [r({ kind: 'connecting', url: 'http://127.0.0.1:8000/sse', method: 'GET', headers: {}, attempt: 0 })];
    for (let i = 0; i < 37; i++) {
      records.push(
        r({ kind: 'retry', ms: 1000 }),
        r({ kind: 'message', dir: 'in', format: 'text', event: 'tick', data: `tick ${i}`, size: 6 }),
      );
    }
    await dispatch(page, { ...init, records });
    await nextFrames(page);
    let rows = await rowTexts(page);
    let retries = rows.filter((row) => row.includes('retry: 1000 ms'));
    assert.equal(retries.length, 1, rows.join('\n'));
    assert.match(retries[0], /retry: 1000 ms ×37$/);
    assert.equal(await page.evaluate(() => (window as any).__inspector.total()), 75);
    assert.equal(await page.evaluate(() => (window as any).__inspector.shown()), 39);
    assert.equal(await page.locator('.counter.muted').isVisible(), false, 'folding is not a filter');
    const more = [r({ kind: 'retry', ms: 1000 }), r({ kind: 'retry', ms: 1000 }), r({ kind: 'retry', ms: 3000 })];
    await dispatch(page, { type: 'records', records: more, stats: init.stats, dropped: 0 });
    await nextFrames(page);
    rows = await rowTexts(page);
    retries = rows.filter((row) => row.includes('retry: '));
    assert.equal(retries.length, 2, rows.join('\n'));
    assert.match(retries[0], /retry: 1000 ms ×39$/);
    assert.match(retries[1], /retry: 3000 ms$/);
    await page.locator('.log-viewport').evaluate((el: any) => (el.scrollTop = 0));
    await nextFrames(page);
    await page.screenshot({ path: join(RESULTS, 'webview-retry-folded.png') });
    await closePage(page);
  });

  it('the messages/s counter reads steady on a steady stream that arrives in uneven batches', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.setDefaultTimeout(30_000);
    await page.clock.install();
    await page.goto(`${origin}/?theme=dark`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    const init = wsInit([]);
    await dispatch(page, { ...init, stats: { ...init.stats, messagesIn: 0, messagesOut: 0 } });
    // 5,000 messages a second on average, arriving as 1,000 in one second and 9,000 in the next.
    let total = 0;
    const readings: string[] = [];
    for (let second = 1; second <= 14; second++) {
      total += second % 2 ? 1000 : 9000;
      await dispatch(page, { type: 'records', records: [], stats: { ...init.stats, messagesIn: total, messagesOut: 0 }, dropped: 0 });
      await page.clock.runFor(1000);
      readings.push(await page.locator('.counter-rate-in').innerText());
    }
    const rates = readings.slice(6).map((text) => Number(/↓ ([\d,.]+) msg\/s/.exec(text)?.[1].replace(/,/g, '')));
    // Within 30% of the true rate; over one second alone it read 1,000 and 9,000 in turn.
    assert.ok(
      rates.every((rate) => rate >= 3500 && rate <= 6500),
      `readings: ${readings.join(', ')}`,
    );
    await page.close();
  });

  it('shows hostile payloads as literal text and runs nothing', async () => {
    const page = await open();
    const init = wsInit();
    init.records.push({
      kind: 'message',
      seq: 900,
      time: new Date(T0 + 90_000).toISOString(),
      dir: 'in',
      format: 'text',
      event: 'up\u202Edate',
      id: '7\u2066x',
      data: 'file\u202Etxt.exe\u0007',
      size: 14,
    } as ConnRecord);
    await dispatch(page, init);
    await nextFrames(page);
    const spoof = await rowTexts(page);
    assert.ok(
      spoof.some((r) => r.includes('up\\u202edate | 7\\u2066x') && r.includes('file\\u202etxt.exe\u2407')),
      spoof.join('\n'),
    );
    assert.ok(
      spoof.every((r) => !/[\u202a-\u202e\u2066-\u2069]/.test(r)),
      'no live bidi controls in the log',
    );
    // Invisible characters the terminal already escaped: soft hyphen, word joiner, invisible operators,
    // tag characters (a hidden second text) are drawn too, in the row and the detail.
    await dispatch(page, {
      type: 'records',
      records: [
        {
          kind: 'message',
          seq: 901,
          time: new Date(T0 + 91_000).toISOString(),
          dir: 'in',
          format: 'text',
          data: 'pay\u00adpal\u2060\u2062 ok\u{e0041}\u{e0042}!',
          size: 20,
        } as ConnRecord,
      ],
      stats: { messagesIn: 2, messagesOut: 0, bytesIn: 34, bytesOut: 0, records: 2 },
      dropped: 0,
    });
    await nextFrames(page);
    const invisible = (await rowTexts(page)).find((r) => r.includes('pay'));
    assert.ok(invisible?.includes('pay\\u00adpal\\u2060\\u2062 ok\\u{e0041}\\u{e0042}!'), String(invisible));
    assert.ok(!/[\u00ad\u2060-\u2064\ud800-\udfff]/.test(invisible!), 'no invisible character left in the row');
    await page.locator('.log .row', { hasText: 'pay' }).click();
    await nextFrames(page);
    const detail = await page.locator('#panel-message pre.code').innerText();
    assert.ok(detail.includes('\\u{e0041}') && !/[\u00ad\u2060\udb40]/.test(detail), detail);
    const texts = await page.locator('.log .row .c-data').allInnerTexts();
    assert.ok(texts.includes(HOSTILE_1), 'img payload shown literally');
    assert.ok(texts.includes(HOSTILE_2), 'script payload shown literally');
    await page.locator('.log .row', { hasText: 'onerror' }).click();
    await nextFrames(page);
    assert.equal(await page.locator('#panel-message pre.code').innerText(), HOSTILE_1);
    await page.locator('.log .row', { hasText: '</script>' }).click();
    assert.equal(await page.locator('#panel-message pre.code').innerText(), HOSTILE_2);
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('body script').count(), 2);
    await closePage(page);
  });

  it('selecting a JSON row shows pretty, syntax-coloured JSON; keyboard Up/Down moves the selection', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    await nextFrames(page);
    await page.locator('.log .row', { hasText: '"nested"' }).click();
    const pre = page.locator('#panel-message pre.code');
    const text = await pre.innerText();
    assert.ok(text.startsWith('{\n  "ch": "ticker.BTC-EUR",\n'), text);
    assert.ok(text.includes('"depth": [\n      [\n        87440.1,'), text);
    assert.ok((await pre.locator('span.tok-key').count()) >= 5);
    assert.equal(await pre.locator('span.tok-null').innerText(), 'null');
    await page.keyboard.press('ArrowUp');
    await nextFrames(page);
    assert.match(await page.locator('.log .row.selected').innerText(), /Resubscribed/);
    assert.match(await page.locator('#panel-message').innerText(), /Resubscribed to 2 channels/);
    await page.keyboard.press('ArrowDown');
    await nextFrames(page);
    assert.match(await page.locator('.log .row.selected').innerText(), /nested/);
    await page.getByRole('button', { name: 'Copy data' }).click();
    const copy = (await posted(page)).find((m) => m.type === 'copy');
    assert.ok(copy && String(copy.text).includes('"nested"'));
    // Ctrl+C in the log copies the selected record's data.
    await page.locator('.log').focus();
    await page.keyboard.press('Control+c');
    const copies = (await posted(page)).filter((m) => m.type === 'copy');
    assert.equal(copies.length, 2);
    assert.ok(String(copies[1].text).startsWith('{"ch":"ticker.BTC-EUR"'));
    await closePage(page);
  });

  it('binary messages show a hex dump, base64 and UTF-8 views', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    await nextFrames(page);
    await page.locator('.log .row', { hasText: '82 a2 6f' }).click();
    const pre = page.locator('#panel-message pre.code');
    // The default 420 px pane is narrower than a 16-byte line: the dump is written 8 bytes a line.
    assert.deepEqual((await pre.innerText()).split('\n').slice(0, 2), [
      '00000000  82 a2 6f 70  a4 73 6e 61  |..op.sna|',
      '00000008  70 a3 73 65  71 cd 04 d2  |p.seq...|',
    ]);
    await page.getByRole('radio', { name: 'Base64' }).click();
    assert.equal(await pre.innerText(), 'gqJvcKRzbmFwo3Nlcc0E0gD/EEFCQw==');
    await page.getByRole('radio', { name: 'UTF-8' }).click();
    assert.match(await pre.innerText(), /op.snap.seq/);
    await closePage(page);
  });

  it('large records show a preview and load the whole message through getFull', async () => {
    const page = await open();
    const init = wsInit();
    const big = {
      kind: 'message',
      seq: 999,
      time: new Date(T0 + 60_000).toISOString(),
      dir: 'in',
      format: 'text',
      data: '{"preview":true,',
      size: 3_000_000,
      large: true,
    } as ConnRecord;
    init.records.push(big);
    await dispatch(page, init);
    await nextFrames(page);
    await page.locator('.log .row', { hasText: '"preview":true' }).click();
    assert.match(await page.locator('#panel-message').innerText(), /Large message \(2\.9 MB\)/);
    await page.getByRole('button', { name: 'Load whole message' }).click();
    const req = (await posted(page)).find((m) => m.type === 'getFull');
    assert.ok(req);
    assert.equal(req.seq, 999);
    await dispatch(page, {
      type: 'fullRecord',
      requestId: req.requestId as number,
      record: { ...big, large: undefined, data: '{"preview":false,"whole":[1,2,3]}' } as ConnRecord,
    });
    await nextFrames(page);
    assert.match(await page.locator('#panel-message pre.code').innerText(), /"whole": \[/);
    await closePage(page);
  });

  it('the send box posts send with the chosen mode on Ctrl+Enter, browses history, and shows send errors', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    const editor = page.getByLabel('Message to send');
    await editor.fill('hello there');
    await editor.press('Control+Enter');
    let sends = (await posted(page)).filter((m) => m.type === 'send');
    assert.deepEqual(
      sends.map((m) => [m.mode, m.data]),
      [['text', 'hello there']],
    );
    await dispatch(page, { type: 'sendResult', requestId: sends[0].requestId as number, ok: true });
    await page.getByLabel('Message format').selectOption('json');
    await editor.fill('{"op": "ping",}');
    await page.waitForSelector('.validity.bad');
    await editor.press('Control+Enter');
    assert.equal((await posted(page)).filter((m) => m.type === 'send').length, 1, 'invalid JSON is not sent');
    await editor.fill('{"op":"ping","n":[1,2]}');
    await page.getByRole('button', { name: 'Format JSON' }).click();
    assert.equal(await editor.inputValue(), '{\n  "op": "ping",\n  "n": [\n    1,\n    2\n  ]\n}');
    await editor.press('Control+Enter');
    sends = (await posted(page)).filter((m) => m.type === 'send');
    assert.equal(sends[1].mode, 'json');
    await dispatch(page, { type: 'sendResult', requestId: sends[1].requestId as number, ok: false, error: 'ERR_SEND: not open' });
    assert.match(await page.locator('.send-result').innerText(), /not sent: ERR_SEND: not open/);
    await page.getByLabel('Message format').selectOption('binary');
    await editor.fill('0xDE, 0xAD, be:ef');
    await editor.press('Control+Enter');
    sends = (await posted(page)).filter((m) => m.type === 'send');
    assert.deepEqual([sends[2].mode, sends[2].encoding, sends[2].data], ['binary', 'hex', 'de ad be ef']);
    // History: Up at the start of the editor brings back the last sent text.
    await page.getByLabel('Message format').selectOption('text');
    await editor.fill('');
    await editor.press('ArrowUp');
    assert.equal(await editor.inputValue(), 'hello there');
    await page.getByRole('button', { name: 'Close…' }).click();
    await page.getByLabel('Close reason').fill('bye');
    await page.getByRole('button', { name: 'Send close frame' }).click();
    const close = (await posted(page)).find((m) => m.type === 'close');
    assert.deepEqual([close?.code, close?.reason], [1000, 'bye']);
    await closePage(page);
  });

  it('Connect posts connect with the edited request; header rows and kind-specific fields', async () => {
    const page = await open();
    await dispatch(page, wsInit(undefined, { status: status({ state: 'idle' }) }));
    const url = page.getByLabel('URL');
    await url.fill('https://api.example.com/sse');
    await page.getByRole('button', { name: 'Request options' }).click();
    assert.ok(await page.getByLabel('HTTP method').isVisible());
    assert.equal(await page.getByLabel('Subprotocols, comma-separated').isVisible(), false);
    await page.getByRole('button', { name: 'Add header' }).click();
    await page.getByLabel('Header 3 name').fill('X-Trace');
    await page.getByLabel('Header 3 value').fill('on');
    await page.getByLabel('Send header 2').uncheck();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const connect = (await posted(page)).find((m) => m.type === 'connect') as
      { config: { url: string; headers: { name: string; enabled: boolean }[] } } | undefined;
    assert.ok(connect);
    assert.equal(connect.config.url, 'https://api.example.com/sse');
    assert.deepEqual(
      connect.config.headers.map((x) => [x.name, x.enabled]),
      [
        ['Authorization', true],
        ['X-Client', false],
        ['X-Trace', true],
      ],
    );
    await page.getByRole('button', { name: 'Auto-retry' }).click();
    assert.deepEqual(
      (await posted(page)).find((m) => m.type === 'setAutoRetry'),
      { type: 'setAutoRetry', on: false },
    );
    await closePage(page);
  });

  /** The editor's header rows as [name, value] pairs, read from the inputs. */
  const headerInputs = (page: Page): Promise<string[][]> =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('.header-row') as ArrayLike<any>).map((row) => [
        row.querySelector('.header-name').value,
        row.querySelector('.header-value').value,
      ]),
    );
  const focused = (page: Page): Promise<string | null> => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

  it('a header typed as name, Tab, value keeps its focus and text across host redraws, and stays until applied or discarded', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    const init = wsInit();
    await dispatch(page, init);
    await page.getByRole('button', { name: 'Request options' }).click();
    await page.getByRole('button', { name: 'Add header' }).click();
    assert.equal(await focused(page), 'Header 3 name');
    await page.keyboard.type('X-Trace');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'Header 3 value');
    // The host redraws meanwhile: a state message and its configuration (as after any change on its side).
    await dispatch(page, { type: 'status', status: status({ state: 'open' }) });
    await dispatch(page, { type: 'config', config: init.config });
    await page.keyboard.type('on');
    await dispatch(page, { type: 'status', status: status({ state: 'open', attempt: 0 }) });
    await page.keyboard.type('ly');
    assert.equal(await focused(page), 'Header 3 value');
    assert.deepEqual((await headerInputs(page))[2], ['X-Trace', 'only']);
    const notice = page.locator('.unapplied');
    assert.match(await notice.innerText(), /Changes not applied: the connection uses the previous request/);
    assert.ok(await page.getByRole('button', { name: 'Apply and reconnect' }).isVisible());

    // Disconnect: the host sends the state and its (unchanged) configuration; the edit stays.
    await page.getByRole('button', { name: 'Disconnect' }).click();
    assert.ok((await posted(page)).some((m) => m.type === 'disconnect'));
    await dispatch(page, { type: 'status', status: status({ state: 'closed', lastClose: { code: 1000, reason: '', clean: true } }) });
    await dispatch(page, { type: 'config', config: init.config });
    await dispatch(page, wsInit(undefined, { status: status({ state: 'closed' }) }));
    assert.deepEqual((await headerInputs(page))[2], ['X-Trace', 'only']);
    assert.match(await notice.innerText(), /Changes not applied yet: Connect sends them/);
    assert.equal(await page.getByRole('button', { name: 'Apply and reconnect' }).isVisible(), false);

    // A reload (the panel hidden and shown again) keeps the edit too.
    await page.waitForFunction(() => (window as any).__state?.configEdited === true);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await dispatch(page, wsInit(undefined, { status: status({ state: 'closed' }) }));
    assert.deepEqual((await headerInputs(page))[2], ['X-Trace', 'only']);
    assert.ok(await notice.isVisible());

    // Discard goes back to the host's configuration.
    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.deepEqual(await headerInputs(page), [
      ['Authorization', 'Bearer ${secret:MARKET_TOKEN}'],
      ['X-Client', 'inspector'],
    ]);
    assert.equal(await notice.isVisible(), false);

    // Connect applies: the notice goes, and the host's configuration that follows is shown.
    await page.getByLabel('Header 2 value').fill('inspector-2');
    assert.ok(await notice.isVisible());
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const connect = (await posted(page)).filter((m) => m.type === 'connect').pop() as unknown as {
      config: { headers: { value: string }[] };
    };
    assert.equal(connect.config.headers[1].value, 'inspector-2');
    assert.equal(await notice.isVisible(), false);
    const appliedConfig = { ...init.config, headers: [init.config.headers[0], { name: 'X-Client', value: 'inspector-2', enabled: true }] };
    await dispatch(page, { type: 'config', config: appliedConfig });
    assert.equal(await notice.isVisible(), false);
    assert.equal((await headerInputs(page))[1][1], 'inspector-2');
    await page.screenshot({ path: join(RESULTS, 'webview-request-applied.png') });
    await closePage(page);
  });

  it('a header with an empty value warns in its row, and an empty header value shows as empty in the details', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    await dispatch(page, wsInit(undefined, { status: status({ state: 'idle' }) }));
    await page.getByRole('button', { name: 'Request options' }).click();
    await page.getByLabel('Header 1 value').fill('');
    const warning = page.locator('.header-row .header-warning').first();
    assert.equal(await warning.innerText(), 'Authorization has no value: it is sent empty.');
    assert.equal(await page.getByLabel('Header 1 value').getAttribute('aria-invalid'), 'true');
    assert.equal(await focused(page), 'Header 1 value');
    await page.screenshot({ path: join(RESULTS, 'webview-request-empty-credential.png') });
    await page.getByLabel('Header 1 value').fill('Bearer x');
    assert.equal(await warning.isVisible(), false);
    // A record whose credential header was sent empty: the details show it empty, not masked.
    const r = builder();
    const records = [
      r({ kind: 'connecting', url: 'wss://stream.example.com/v2/market', headers: { Authorization: '' }, attempt: 0, state: 'connecting' }),
      r({
        kind: 'error',
        code: 'ERR_HTTP_STATUS',
        status: 401,
        statusText: 'Unauthorized',
        message: 'The server refused the WebSocket upgrade: HTTP 401 Unauthorized',
        fatal: true,
      }),
    ];
    await dispatch(page, wsInit(records, { status: status({ state: 'failed' }) }));
    await page.getByRole('tab', { name: 'Connection' }).click();
    const row = page.locator('#panel-connection table.headers tr', { hasText: 'Authorization' });
    assert.equal(await row.locator('td').innerText(), '(empty)');
    assert.ok(await row.locator('td.empty-value').count());
    await closePage(page);
  });

  it('the detail pane cuts nothing: a hex dump fits the pane, a JSON error body and long header values wrap; a text ping shows its text, a 401 row its status once', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    const r = builder();
    const body = JSON.stringify({
      error: 'invalid_token',
      error_description: 'The access token expired at 2026-11-24T09:41:07Z; request a new one from https://auth.example.com/oauth2/token',
      hint: 'x'.repeat(120),
    });
    const records = [
      r({
        kind: 'connecting',
        url: 'wss://stream.example.com/v2/market',
        headers: { Authorization: 'Bearer ••••' },
        attempt: 0,
        state: 'connecting',
      }),
      r({
        kind: 'error',
        code: 'ERR_HTTP_STATUS',
        status: 401,
        statusText: 'Unauthorized',
        message: 'The server refused the WebSocket upgrade: HTTP 401 Unauthorized',
        headers: {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="api", error="invalid_token", error_description="${'y'.repeat(90)}"`,
        },
        body,
        fatal: true,
        state: 'failed',
      }),
      r({
        kind: 'message',
        dir: 'in',
        format: 'binary',
        data: Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)).toString('base64'),
        size: 300,
      }),
      r({ kind: 'ping', dir: 'out', data: Buffer.from('hb-1 ✓').toString('base64'), size: Buffer.byteLength('hb-1 ✓') }),
      r({ kind: 'pong', dir: 'in', data: Buffer.from([0, 1, 0xff]).toString('base64'), size: 3 }),
    ];
    await dispatch(page, wsInit(records, { status: status({ state: 'failed' }) }));
    await nextFrames(page);
    /** Boxes in the pane that end outside it or hold more than they show (a scrollbar the user may never see). */
    const cut = () =>
      page.evaluate(() => {
        const pane = document.querySelector('#panel-message')!.getBoundingClientRect();
        const bad: string[] = [];
        for (const el of Array.from(
          document.querySelectorAll('#panel-message pre, #panel-message td, #panel-message dd') as ArrayLike<any>,
        )) {
          const box = el.getBoundingClientRect();
          if (box.right > pane.right + 1 || el.scrollWidth > el.clientWidth + 1) {
            bad.push(`${el.tagName} ${Math.round(box.right)} > ${Math.round(pane.right)} or ${el.scrollWidth} > ${el.clientWidth}`);
          }
        }
        return bad;
      });
    const errorRow = page.locator('.log .row', { hasText: 'ERR_HTTP_STATUS' });
    // The row says the status once.
    assert.equal((await errorRow.innerText()).match(/401 Unauthorized/g)?.length, 1, await errorRow.innerText());
    await errorRow.click();
    assert.deepEqual(await cut(), []);
    await page.screenshot({ path: join(RESULTS, 'webview-detail-401.png') });
    await page.locator('.log .row', { hasText: 'binary' }).click();
    assert.deepEqual(await cut(), []);
    await page.screenshot({ path: join(RESULTS, 'webview-detail-hexdump.png') });
    await page.locator('.log .row', { hasText: 'ping' }).click();
    const detail = await page.locator('#panel-message').innerText();
    assert.match(detail, /Text\s+hb-1 ✓/);
    assert.match(detail, /68 62 2d 31\s+20 e2 9c 93/);
    await page.locator('.log .row', { hasText: 'pong' }).click();
    assert.doesNotMatch(await page.locator('#panel-message').innerText(), /^Text/m, 'bytes that are not text show as hex only');
    await closePage(page);
  });

  it('the WebSocket Connection tab shows the headers the handshake sent, each value once, and JSON only on Copy', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    const sent = {
      Authorization: 'Bearer ••••',
      'X-Client': 'inspector',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Protocol': 'market.v2',
      Host: 'stream.example.com',
    };
    const records = wsRecords().slice(0, 4);
    (records[1] as { requestHeaders?: Record<string, string> }).requestHeaders = sent;
    const details = {
      protocol: 'market.v2',
      extensions: 'permessage-deflate',
      offeredProtocols: ['market.v2'],
      url: 'wss://stream.example.com/v2/market',
      requestHeaders: sent,
      responseHeaders: { upgrade: 'websocket' },
    };
    await dispatch(page, wsInit(records, { status: status({ details }) }));
    await page.getByRole('tab', { name: 'Connection' }).click();
    const panel = page.locator('#panel-connection');
    const text = await panel.innerText();
    assert.match(text, /Sec-WebSocket-Key\s+dGhlIHNhbXBsZSBub25jZQ==/);
    assert.match(text, /Host\s+stream\.example\.com/);
    assert.match(text, /Subprotocols offered\s+market\.v2/);
    assert.doesNotMatch(text, /No headers/);
    assert.doesNotMatch(text, /[{}]|requestHeaders|offeredProtocols/, 'no raw JSON in the tab');
    assert.equal(text.match(/dGhlIHNhbXBsZSBub25jZQ==/g)?.length, 1, 'each value once');
    await page.screenshot({ path: join(RESULTS, 'webview-connection-ws.png') });
    await page.getByRole('button', { name: 'Copy as JSON' }).click();
    const copy = (await posted(page)).filter((m) => m.type === 'copy').pop() as unknown as { text: string };
    assert.equal(JSON.parse(copy.text).request.headers['Sec-WebSocket-Key'], 'dGhlIHNhbXBsZSBub25jZQ==');

    // Refused: no open record, the headers the refused handshake sent come from the details.
    const refused = wsRecords().slice(0, 1);
    await dispatch(page, wsInit(refused, { status: status({ state: 'failed', details }) }));
    await page.getByRole('tab', { name: 'Connection' }).click();
    assert.match(await panel.innerText(), /Sec-WebSocket-Key\s+dGhlIHNhbXBsZSBub25jZQ==/);
    await closePage(page);
  });

  it('SSE connection details and the raw stream view with visible line ends', async () => {
    const page = await open();
    await dispatch(page, sseInit());
    await page.getByRole('tab', { name: 'Connection' }).click();
    const conn = await page.locator('#panel-connection').innerText();
    assert.match(conn, /Retry in force\s+5000 ms/);
    assert.match(conn, /Last-Event-ID\s+1004/);
    assert.match(conn, /Authorization\s+••••/);
    assert.match(conn, /content-type\s+text\/event-stream/);
    await page.getByRole('tab', { name: 'Raw stream' }).click();
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'setRaw').map((m) => m.on),
      [true],
    );
    await dispatch(page, { type: 'raw', text: 'id: 1005\r\nevent: deploy\r\ndata: {"x":1}\r\n\r\n: ping\n\n', reset: true });
    await nextFrames(page);
    assert.equal(await page.locator('.raw-stream').innerText(), 'id: 1005␍␊\nevent: deploy␍␊\ndata: {"x":1}␍␊\n␍␊\n: ping␊\n␊\n');
    // A new init (the host stopped the feed for it) asks for the raw feed again.
    await dispatch(page, sseInit());
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'setRaw').map((m) => m.on),
      [true, true],
    );
    await page.getByRole('tab', { name: 'Message' }).click();
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'setRaw').map((m) => m.on),
      [true, true, false],
    );
    await closePage(page);
  });

  it('keeps at most 200 rows in the DOM while 100,000 records stream in at 10,000/s, and filters them fast', async () => {
    const page = await open();
    await dispatch(page, wsInit([]));
    const result = await page.evaluate(async () => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks.length = 0;
      const total = 100_000;
      const rate = 10_000;
      let seq = 0;
      let sent = 0;
      let maxRows = 0;
      const start = performance.now();
      await new Promise<void>((done) => {
        const tick = () => {
          const due = Math.min(total, Math.round(((performance.now() - start) * rate) / 1000));
          const data: string[] = [];
          const first = seq + 1;
          while (sent < due) {
            seq++;
            sent++;
            data.push(`{"seq":${seq},"sym":"SYM-${seq % 97}","px":${(seq * 1.37).toFixed(2)},"pad":"${'x'.repeat(40)}"}`);
          }
          if (data.length) {
            const records = window.__textBatch(first, data, new Date().toISOString());
            // postMessage: the batch is structured-cloned, as it is from the real host.
            window.postMessage(
              {
                type: 'records',
                records,
                stats: { messagesIn: sent, messagesOut: 0, bytesIn: sent * 90, bytesOut: 0, records: sent },
                dropped: 0,
              },
              '*',
            );
          }
          maxRows = Math.max(maxRows, document.querySelectorAll('.log .row:not([hidden])').length);
          if (sent >= total) {
            setTimeout(done, 50);
          } else {
            setTimeout(tick, 16);
          }
        };
        tick();
      });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      maxRows = Math.max(maxRows, document.querySelectorAll('.log .row:not([hidden])').length);
      const insp = (window as unknown as { __inspector: { maxDomRows(): number; total(): number } }).__inspector;
      const tasks = w.__longTasks.slice().sort((a, b) => a - b);
      return {
        maxRows,
        maxDomRows: insp.maxDomRows(),
        total: insp.total(),
        elapsed: performance.now() - start,
        longTasks: tasks.length,
        p95: tasks.length ? tasks[Math.min(tasks.length - 1, Math.floor(tasks.length * 0.95))] : 0,
        longest: tasks.length ? tasks[tasks.length - 1] : 0,
        rowCount: document.querySelector('.log')!.getAttribute('aria-rowcount'),
        lastRow: document.querySelector('.log .row.dir-in:last-of-type') !== null,
      };
    });
    console.log(
      `stream 100k @10k/s: ${result.elapsed.toFixed(0)} ms, DOM rows max ${result.maxRows} (view's own count ${result.maxDomRows}), long tasks ${result.longTasks}, p95 ${result.p95.toFixed(0)} ms, longest ${result.longest.toFixed(0)} ms`,
    );
    assert.equal(result.total, 100_000);
    assert.equal(result.rowCount, '100001');
    assert.ok(result.maxRows <= 200, `DOM rows ${result.maxRows}`);
    assert.ok(result.maxDomRows <= 200);
    // Followed the tail: the newest record is rendered.
    await page.locator('.log .row[data-seq="100000"]').waitFor({ state: 'visible', timeout: 5000 });

    // Filter 100,000 records: from the key press to the rows on screen.
    const filterMs = await page.evaluate(async () => {
      const input = document.querySelector('.filter-input');
      const log = document.querySelector('.log')!;
      const t0 = performance.now();
      input.value = 'sym-42"';
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      await new Promise<void>((done) => {
        const check = () => (log.getAttribute('aria-rowcount') !== '100001' ? done() : requestAnimationFrame(check));
        check();
      });
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    });
    const shown = Number(await page.getAttribute('.log', 'aria-rowcount')) - 1;
    console.log(`filter 100k in the page: ${filterMs.toFixed(1)} ms to the rows on screen (${shown} shown)`);
    // Typing: the input event path (coalesced per frame).
    const typedMs = await page.evaluate(async () => {
      const input = document.querySelector('.filter-input');
      const log = document.querySelector('.log')!;
      const before = log.getAttribute('aria-rowcount');
      const t0 = performance.now();
      input.value = 'sym-9';
      input.dispatchEvent(new (window as any).Event('input', { bubbles: true }));
      await new Promise<void>((done) => {
        const check = () => (log.getAttribute('aria-rowcount') !== before ? done() : requestAnimationFrame(check));
        check();
      });
      await new Promise((r) => requestAnimationFrame(r));
      return performance.now() - t0;
    });
    console.log(`filter 100k by typing: ${typedMs.toFixed(1)} ms to the rows on screen`);
    assert.ok(shown > 1000 && shown < 1100, `shown ${shown}`);
    await closePage(page);
  });

  it('an init with 100,000 records renders the tail at once and scrolling shows the rows scrolled to', async () => {
    const page = await open();
    const r = await page.evaluate(async () => {
      const data: string[] = [];
      for (let seq = 1; seq <= 100_000; seq++) {
        data.push(`{"seq":${seq},"v":"${'y'.repeat(60)}"}`);
      }
      const records = window.__textBatch(1, data, new Date().toISOString());
      const msg = {
        type: 'init',
        connectionId: 'big',
        config: { url: 'wss://x.test/', kind: 'auto', headers: [], method: 'GET', body: '', protocols: [] },
        status: { state: 'open', since: Date.now(), autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 3000, details: {} },
        stats: { messagesIn: 100_000, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 100_000 },
        settings: { displayLimit: 262144, timestampFormat: 'time' },
        records,
        dropped: 0,
      };
      const t0 = performance.now();
      window.postMessage(msg, '*');
      const vp = document.querySelector('.log-viewport');
      await new Promise<void>((done) => {
        const check = () => (document.querySelector('.log .row[data-seq="100000"]:not([hidden])') ? done() : requestAnimationFrame(check));
        check();
      });
      const initMs = performance.now() - t0;
      vp.scrollTop = vp.scrollHeight / 2;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r))));
      const seqs = Array.from(document.querySelectorAll('.log .row:not([hidden])') as ArrayLike<any>)
        .map((el) => Number(el.dataset.seq))
        .sort((a, b) => a - b);
      return { initMs, first: seqs[0], last: seqs[seqs.length - 1], rows: seqs.length };
    });
    console.log(
      `init 100k: ${r.initMs.toFixed(0)} ms to the tail on screen; after scrolling to the middle rows ${r.first}–${r.last} (${r.rows} in the DOM)`,
    );
    assert.ok(r.first > 49_900 && r.last < 50_100, `rows ${r.first}-${r.last}`);
    assert.ok(r.rows <= 200);
    await closePage(page);
  });

  it('follows the tail, offers an "N new" jump after the user scrolls up, and Pause view freezes scrolling', async () => {
    const page = await open();
    const many = (from: number, n: number): ConnRecord[] =>
      Array.from(
        { length: n },
        (_, i) =>
          ({
            kind: 'message',
            seq: from + i,
            time: new Date(T0 + (from + i) * 10).toISOString(),
            dir: 'in',
            format: 'text',
            data: `row ${from + i}`,
            size: 8,
          }) as ConnRecord,
      );
    const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
    await dispatch(page, wsInit(many(1, 500)));
    await nextFrames(page);
    assert.ok(await page.locator('.log .row[data-seq="500"]').isVisible(), 'tail shown');
    // The user scrolls up: new records no longer move the view, a jump button counts them.
    await page.locator('.log-viewport').hover();
    await page.mouse.wheel(0, -2000);
    await scrollSettled(page);
    const topBefore = await page.locator('.log-viewport').evaluate((el: any) => el.scrollTop);
    await dispatch(page, { type: 'records', records: many(501, 40), stats, dropped: 0 });
    await nextFrames(page);
    assert.equal(await page.locator('.log-viewport').evaluate((el: any) => el.scrollTop), topBefore);
    assert.equal((await page.locator('.jump').innerText()).trim(), '40 new');
    await page.locator('.jump').click();
    await nextFrames(page);
    assert.ok(await page.locator('.log .row[data-seq="540"]').isVisible());
    assert.equal(await page.locator('.jump').isVisible(), false);
    // Pause view: records keep arriving (counted), the view stays where it is.
    await page.getByRole('button', { name: 'Pause view' }).click();
    await dispatch(page, { type: 'records', records: many(541, 30), stats, dropped: 0 });
    await nextFrames(page);
    assert.equal(await page.locator('.log .row[data-seq="570"]').isVisible(), false);
    assert.match(await page.locator('.jump').innerText(), /30 new \(paused\)/);
    assert.equal(await page.getAttribute('.log', 'aria-rowcount'), '571');
    await page.getByRole('button', { name: 'Pause view' }).click();
    await nextFrames(page);
    assert.ok(await page.locator('.log .row[data-seq="570"]').isVisible());
    await closePage(page);
  });

  it('dragging a column grip resizes the column in the header and every row, and persists it', async () => {
    const page = await open();
    await dispatch(page, sseInit());
    await nextFrames(page);
    const typeHead = page.locator('.log-head .c-type');
    const before = (await typeHead.boundingBox())!.width;
    const grip = page.getByRole('separator', { name: 'Resize the Type column' });
    const g = (await grip.boundingBox())!;
    await page.mouse.move(g.x + g.width / 2, g.y + g.height / 2);
    await page.mouse.down();
    await page.mouse.move(g.x + g.width / 2 + 60, g.y + g.height / 2, { steps: 4 });
    await page.mouse.up();
    await nextFrames(page);
    const after = (await typeHead.boundingBox())!.width;
    assert.ok(Math.abs(after - before - 60) <= 2, `${before} → ${after}`);
    const rowType = (await page.locator('.log .row:not([hidden]) .c-type').first().boundingBox())!.width;
    assert.ok(Math.abs(rowType - after) <= 1);
    const width = Math.round(after);
    await page.waitForFunction((w) => (window as any).__state?.columns?.type === w, width);
    await closePage(page);
  });

  it('the time column shows the whole time in every format at a typical panel width', async () => {
    const page = await open('dark', { width: 900, height: 600 });
    // The workbench's default editor font size (the fixture themes use 12px).
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-editor-font-size', '14px'));
    const late = builder();
    const records = sseInit().records.map((r) => ({ ...r, time: late({}, 3_600_000 + 987).time }));
    for (const [mode, pattern] of [
      ['time', /^\d\d:\d\d:\d\d\.\d{3}$/],
      ['iso', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/],
      ['relative', /^\+\d+\.\d{3} s$/],
    ] as const) {
      await dispatch(page, { ...sseInit(), records, settings: { displayLimit: 256 * 1024, timestampFormat: mode } });
      await nextFrames(page);
      await nextFrames(page);
      const cells: Array<{ text: string; scroll: number; client: number }> = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.log .row:not([hidden]) .c-time') as any[]).map((c: any) => ({
          text: c.textContent,
          scroll: c.scrollWidth,
          client: c.clientWidth,
        })),
      );
      assert.ok(cells.length >= 8, `${mode}: rows rendered`);
      for (const c of cells) {
        assert.match(c.text, pattern, `${mode}: format`);
        assert.ok(c.scroll <= c.client, `${mode}: "${c.text}" is cut off (${c.scroll} px of text in ${c.client} px)`);
      }
      const head = (await page.locator('.log-head .c-time').boundingBox())!.width;
      const cell = (await page.locator('.log .row:not([hidden]) .c-time').first().boundingBox())!.width;
      assert.ok(Math.abs(head - cell) <= 1, `${mode}: the header lines up with the rows (${head} vs ${cell})`);
    }
    await page.screenshot({ path: join(RESULTS, 'webview-time-column.png') });
    await closePage(page);
  });

  it('toolbar actions post their commands', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    await page.getByRole('button', { name: 'Reconnect now' }).click();
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('button', { name: 'Save as profile' }).click();
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Send file…' }).click();
    const types = (await posted(page)).map((m) => m.type);
    for (const t of ['reconnectNow', 'export', 'saveProfile', 'disconnect', 'clear', 'sendFile']) {
      assert.ok(types.includes(t), `${t} posted`);
    }
    assert.equal(await page.getAttribute('.log', 'aria-rowcount'), '1');
    await dispatch(page, { type: 'notice', level: 'info', message: 'Exported 31 records' });
    assert.match(await page.locator('.notices').innerText(), /Exported 31 records/);
    await closePage(page);
  });

  it('detail formatting never freezes: JSON 10,000 deep, a 10,000-char line and a 2 MB payload', async () => {
    const page = await open();
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const long = 'L'.repeat(10_000);
    const huge = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => ({ i, name: `item-${i}` })) });
    const recs = [deep, long, huge].map(
      (data, i) =>
        ({
          kind: 'message',
          seq: i + 1,
          time: new Date(T0).toISOString(),
          dir: 'in',
          format: 'text',
          data,
          size: data.length,
        }) as ConnRecord,
    );
    await dispatch(page, wsInit(recs));
    await nextFrames(page);
    for (const seq of [1, 2, 3]) {
      const ms = await page.evaluate(async (s: number) => {
        const t0 = performance.now();
        const row = document.querySelector(`.log .row[data-seq="${s}"]`);
        row.dispatchEvent(new (window as any).MouseEvent('mousedown', { bubbles: true }));
        // Two frames: the pane's layout and paint are part of the cost.
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined))));
        return performance.now() - t0;
      }, seq);
      console.log(`detail for record ${seq}: ${ms.toFixed(0)} ms`);
    }
    assert.match(await page.locator('#panel-message').innerText(), /shown raw; choose JSON to pretty-print/);
    await page.getByRole('radio', { name: 'JSON' }).click();
    assert.match(await page.locator('#panel-message').innerText(), /Too large to colour; showing the first 256 KB/);
    assert.match(await page.locator('#panel-message pre.code').innerText(), /"name": "item-1234"/);
    await page.locator('.log .row[data-seq="1"]').click();
    assert.match(await page.locator('#panel-message').innerText(), /nested deeper than 256 levels/);
    await closePage(page);
  });

  it('restores config and filter from setState after a reload and rebuilds on a second init', async () => {
    const page = await open();
    await dispatch(page, wsInit());
    const filter = page.getByLabel('Filter records: text, or /regex/flags');
    await filter.fill('ticker');
    await filter.press('Enter');
    await savedState(page, { filter: 'ticker' });
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    assert.equal(await filter.inputValue(), 'ticker');
    assert.equal(await page.getByLabel('URL').inputValue(), 'wss://stream.example.com/v2/market');
    await dispatch(page, wsInit());
    await dispatch(page, wsInit());
    await nextFrames(page);
    const rows = await rowTexts(page);
    assert.ok(rows.length > 5 && rows.every((r) => /ticker/i.test(r)));
    await closePage(page);
  });

  it('after a reload shows the rows it showed and the record selected; a log that followed the tail follows it', async () => {
    const page = await open();
    const many = textRows;
    const firstOnScreen = () => firstSeqOnScreen(page);
    const reload = async () => {
      await page.reload();
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
      await dispatch(page, wsInit(many(1, 3000)));
      await nextFrames(page);
    };
    await dispatch(page, wsInit(many(1, 3000)));
    await nextFrames(page);
    await page.locator('.log-viewport').hover();
    await page.mouse.wheel(0, -30_000);
    await scrollSettled(page);
    const top = await firstOnScreen();
    assert.ok(top > 1 && top < 2900, `scrolled to ${top}`);
    await page.locator(`.log .row[data-seq="${top + 3}"]`).click();
    await savedState(page, { selected: top + 3, topSeq: top });

    await reload();
    assert.equal(await firstOnScreen(), top);
    assert.match((await page.locator('.log .row.selected').getAttribute('data-seq')) ?? '', new RegExp(`^${top + 3}$`));
    assert.match(await page.locator('#panel-message').innerText(), new RegExp(`row ${top + 3}`));
    // Not following: new records do not move the view.
    await dispatch(page, {
      type: 'records',
      records: many(3001, 20),
      stats: { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 },
      dropped: 0,
    });
    await nextFrames(page);
    assert.equal(await firstOnScreen(), top);
    assert.equal((await page.locator('.jump').innerText()).trim(), '20 new');

    // Back at the tail, then reloaded: it follows the tail.
    await page.locator('.jump').click();
    await savedState(page, { topSeq: null });
    await reload();
    assert.ok(await page.locator('.log .row[data-seq="3000"]').isVisible(), 'the tail is shown');
    await dispatch(page, {
      type: 'records',
      records: many(3001, 20),
      stats: { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 },
      dropped: 0,
    });
    await nextFrames(page);
    assert.ok(await page.locator('.log .row[data-seq="3020"]').isVisible(), 'still following');
    await closePage(page);
  });

  it('a new panel starts from the view the host kept for its connection, and reports its own view to the host', async () => {
    const page = await open();
    const init = wsInit(textRows(1, 3000));
    const view = { connectionId: init.connectionId, config: init.config, filter: 'row 1', selected: 1500, topSeq: 1490 };
    await dispatch(page, { ...init, view });
    await nextFrames(page);
    assert.equal(await page.getByLabel('Filter records: text, or /regex/flags').inputValue(), 'row 1');
    assert.equal(await firstSeqOnScreen(page), 1490);
    assert.equal(await page.locator('.log .row.selected').getAttribute('data-seq'), '1500');
    // A view for another connection is not taken up.
    const other = await open();
    await dispatch(other, { ...wsInit(textRows(1, 3000)), view: { ...view, connectionId: 'another' } });
    await nextFrames(other);
    assert.equal(await other.getByLabel('Filter records: text, or /regex/flags').inputValue(), '');
    assert.ok(await other.locator('.log .row[data-seq="3000"]').isVisible(), 'the tail');
    await closePage(other);
    // What the user does is reported to the host.
    await page.locator('.log .row[data-seq="1495"]').click();
    await page.waitForFunction(() =>
      (window as unknown as { __posted: { type: string; state?: { selected?: number } }[] }).__posted.some(
        (m) => m.type === 'viewState' && m.state?.selected === 1495,
      ),
    );
    const reports = (await posted(page)).filter((m) => m.type === 'viewState') as unknown as {
      state: { selected?: number; topSeq?: number; filter?: string };
    }[];
    assert.ok(reports.length > 0, 'viewState posted');
    assert.deepEqual([reports.at(-1)!.state.selected, reports.at(-1)!.state.topSeq, reports.at(-1)!.state.filter], [1495, 1490, 'row 1']);
    await closePage(page);
  });

  /** One row's `.c-data`/`.c-id` cell as PNG, by the row's seq. */
  const cellShot = (page: Page, seq: number, col: 'data' | 'id'): Promise<Buffer> =>
    page.locator(`.log .row[data-seq="${seq}"] .c-${col}`).screenshot({ animations: 'disabled' });

  it('underscores show in log rows in a fallback monospace font (DejaVu Sans Mono) at every editor font size', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    const rec = builder();
    const row = (data: string, id: string) =>
      rec({ kind: 'message', dir: 'in', format: 'text', event: 'message', data, id, lastEventId: id, size: data.length });
    // Each pair has the same length; in a monospace font only the underscores tell them apart.
    const records = [row('snake_case_value __init__', 'message_id_0'), row('snake case value   init  ', 'message id 0')];
    await page.mouse.move(0, 0);
    for (const size of [11, 12, 13, 14, 15, 16, 18, 20]) {
      await page.evaluate((px) => {
        document.documentElement.style.setProperty('--vscode-editor-font-family', "'DejaVu Sans Mono'");
        document.documentElement.style.setProperty('--vscode-editor-font-size', `${px}px`);
      }, size);
      await dispatch(page, { ...sseInit(), records });
      await page.evaluate(() => document.fonts.ready);
      await nextFrames(page);
      await nextFrames(page);
      assert.equal(
        await page.locator('.log .row[data-seq="1"] .c-data').evaluate((el: any) => window.getComputedStyle(el).fontFamily),
        "'DejaVu Sans Mono'".replace(/'/g, '"'),
      );
      const [under, space] = [await cellShot(page, 1, 'data'), await cellShot(page, 2, 'data')];
      assert.ok(!under.equals(space), `${size}px: the data cell with underscores looks like the one with spaces`);
      const [underId, spaceId] = [await cellShot(page, 1, 'id'), await cellShot(page, 2, 'id')];
      assert.ok(!underId.equals(spaceId), `${size}px: the id cell with underscores looks like the one with spaces`);
      // Rows are as tall as the font needs: the cell's line fits in the row.
      const fit = await page.locator('.log .row[data-seq="1"]').evaluate((el: any) => {
        const cell = el.querySelector('.c-data');
        return { row: el.getBoundingClientRect().height, cell: cell.getBoundingClientRect().height, top: el.getBoundingClientRect().top };
      });
      assert.ok(fit.cell <= fit.row, `${size}px: a ${fit.cell} px line in a ${fit.row} px row`);
      const second = await page.locator('.log .row[data-seq="2"]').evaluate((el: any) => el.getBoundingClientRect().top);
      assert.ok(Math.abs(second - fit.top - fit.row) < 0.5, `${size}px: rows are laid out at their own height (${fit.top} → ${second})`);
      if (size === 13) {
        await page.locator('.log .row[data-seq="1"]').screenshot({ path: join(RESULTS, 'webview-log-underscores.png') });
      }
    }
    await closePage(page);
  });

  it('columns fit their content up to a cap at 1600 px; at 500 px Data keeps its share and the other columns shrink or drop', async () => {
    const rec = builder();
    const records = Array.from({ length: 12 }, (_, i) => {
      const data = `{"service":"checkout","version":"4.18.${i}","stage":"canary","progress":0.${i}}`;
      const id = `message-${10_000 + i}`;
      return rec({
        kind: 'message',
        dir: 'in',
        format: 'text',
        event: i % 2 ? 'deploy.finished' : 'message',
        data,
        id,
        lastEventId: id,
        size: 1234 + i,
      });
    });
    const cells = (page: Page) =>
      page.evaluate(() => {
        const row = document.querySelector('.log .row:not([hidden])');
        const cols = ['time', 'type', 'id', 'size', 'data'].map((c) => {
          const cell = row.querySelector(`.c-${c}`);
          const shown = window.getComputedStyle(cell).display !== 'none';
          return { col: c, shown, cut: shown && cell.scrollWidth > cell.clientWidth, width: cell.clientWidth };
        });
        const rowWidth = row.clientWidth;
        const charPx = document.querySelector('.log .time-probe').getBoundingClientRect().width / 12;
        return { cols: Object.fromEntries(cols.map((c) => [c.col, c])), rowWidth, charPx };
      });
    for (const width of [1600, 500]) {
      const page = await open('dark', { width, height: 800 });
      await dispatch(page, { ...sseInit(), records });
      await nextFrames(page);
      await nextFrames(page);
      const c = await cells(page);
      if (width === 1600) {
        for (const col of ['time', 'type', 'id', 'size'] as const) {
          assert.ok(
            c.cols[col].shown && !c.cols[col].cut,
            `1600 px: the ${col} column shows its text whole (${JSON.stringify(c.cols[col])})`,
          );
        }
        // Up to a cap: the data column takes the rest.
        assert.ok(c.cols.id.width < 20 * c.charPx, `1600 px: ID is ${c.cols.id.width} px`);
        assert.ok(c.cols.data.width > c.rowWidth * 0.6, `1600 px: Data has ${c.cols.data.width} of ${c.rowWidth} px`);
      } else {
        assert.ok(c.cols.time.shown && !c.cols.time.cut, '500 px: the time is shown whole');
        assert.ok(c.cols.data.width >= c.rowWidth * 0.4, `500 px: Data has ${c.cols.data.width} of ${c.rowWidth} px`);
        assert.ok(c.cols.data.width >= 25 * c.charPx, `500 px: Data shows ${Math.floor(c.cols.data.width / c.charPx)} characters`);
      }
      // The header lines up with the rows.
      const head = await page.evaluate(() =>
        ['time', 'type', 'id', 'size', 'data'].map((col) => {
          const h = document.querySelector(`.log-head .c-${col}`).getBoundingClientRect();
          const r = document.querySelector(`.log .row:not([hidden]) .c-${col}`).getBoundingClientRect();
          return Math.abs(h.left - r.left) <= 1 && Math.abs(h.width - r.width) <= 1;
        }),
      );
      assert.deepEqual(head, [true, true, true, true, true], `${width} px: header cells line up with the rows`);
      await page.screenshot({ path: join(RESULTS, `webview-log-columns-${width}.png`) });
      await closePage(page);
    }
  });

  it('the raw stream draws line ends as CR and LF marks in CSS, whatever glyphs the font has', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    await dispatch(page, sseInit());
    await page.getByRole('tab', { name: 'Raw stream' }).click();
    await dispatch(page, { type: 'raw', text: 'id: 7\r\nevent: tick\r\ndata: a_b\r\n\r\n: ping\n\ndata: x\r\r\n', reset: true });
    await nextFrames(page);
    const marks = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.raw-stream .eol') as ArrayLike<any>).map((el) => {
        return {
          text: el.textContent,
          mark: window.getComputedStyle(el, '::before').content,
          width: el.getBoundingClientRect().width,
        };
      }),
    );
    assert.deepEqual(
      marks.map((m) => [m.text, m.mark]),
      [
        ['␍', '"CR"'],
        ['␊', '"LF"'],
        ['␍', '"CR"'],
        ['␊', '"LF"'],
        ['␍', '"CR"'],
        ['␊', '"LF"'],
        ['␍', '"CR"'],
        ['␊', '"LF"'],
        ['␊', '"LF"'],
        ['␊', '"LF"'],
        ['␍', '"CR"'],
        ['␍', '"CR"'],
        ['␊', '"LF"'],
      ],
    );
    const fontSizes = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.raw-stream .eol') as ArrayLike<any>).map((el) => window.getComputedStyle(el).fontSize),
    );
    assert.ok(
      fontSizes.every((s) => s === '0px'),
      `the control pictures are not drawn from the font: ${fontSizes.join(', ')}`,
    );
    assert.ok(
      marks.every((m) => m.width > 8),
      `every mark is drawn: ${marks.map((m) => m.width).join(', ')}`,
    );
    // Copying keeps the text as the tab shows it.
    assert.match(await page.locator('.raw-stream').innerText(), /^id: 7␍␊\nevent: tick␍␊\ndata: a_b␍␊\n␍␊\n: ping␊\n␊\ndata: x␍\n␍␊\n$/);
    await page.locator('.raw-stream').screenshot({ path: join(RESULTS, 'webview-raw-line-ends.png') });
    await closePage(page);
  });

  /**
   * Starts a flood in the page (incoming text records `{"seq":N,"sym":"SYM-<N%97>"…}`, `total` at `rate`/s, as the
   * host posts them) without waiting for it; `floodSent` and `floodDone` wait on it.
   */
  const startFlood = (page: Page, total: number, rate: number): Promise<void> =>
    page.evaluate(
      ({ total, rate }) => {
        const w = window as any;
        w.__floodSent = 0;
        w.__floodDone = false;
        const start = performance.now();
        const tick = () => {
          const due = Math.min(total, Math.round(((performance.now() - start) * rate) / 1000));
          const first = w.__floodSent + 1;
          const data: string[] = [];
          for (let seq = first; seq <= due; seq++) {
            data.push(`{"seq":${seq},"sym":"SYM-${seq % 97}"}`);
          }
          if (data.length) {
            w.__floodSent = due;
            const records = w.__textBatch(first, data, new Date().toISOString());
            const stats = { messagesIn: due, messagesOut: 0, bytesIn: due * 30, bytesOut: 0, records: due };
            window.postMessage({ type: 'records', records, stats, dropped: 0 }, '*');
          }
          if (due >= total) {
            w.__floodDone = true;
          } else {
            setTimeout(tick, 16);
          }
        };
        tick();
      },
      { total, rate },
    );
  const floodSent = (page: Page, n: number) =>
    page.waitForFunction((k) => (window as any).__floodSent >= k, n, { polling: 'raf', timeout: 120_000 });
  const floodDone = async (page: Page) => {
    await page.waitForFunction(() => (window as any).__floodDone, undefined, { polling: 'raf', timeout: 120_000 });
    await nextFrames(page);
    await nextFrames(page);
  };
  /** Where the log stands: the last row on screen, whether the viewport shows the end, the jump button. */
  const logPlace = (page: Page) =>
    page.evaluate(() => {
      const vp = document.querySelector('.log-viewport')!;
      const box = vp.getBoundingClientRect();
      const seqs = Array.from(document.querySelectorAll('.log .row:not([hidden])') as ArrayLike<any>)
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.bottom > box.top + 1 && r.top < box.bottom - 1;
        })
        .map((el) => Number(el.dataset.seq));
      const jump = document.querySelector('.log .jump');
      return {
        first: Math.min(...seqs),
        last: Math.max(...seqs),
        atBottom: vp.scrollTop + vp.clientHeight >= vp.scrollHeight - 2,
        jump: jump.hidden ? '' : jump.textContent,
        rows: Number(document.querySelector('.log').getAttribute('aria-rowcount')) - 1,
      };
    });

  it('a log that follows the tail keeps following it when a filter is applied and cleared during a flood', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    await dispatch(page, wsInit([]));
    const total = 40_000;
    await startFlood(page, total, 8000);
    await floodSent(page, 8000);
    const filter = page.getByLabel('Filter records: text, or /regex/flags');
    await filter.fill('SYM-42"');
    await filter.press('Enter');
    await floodSent(page, 16_000);
    await nextFrames(page);
    const filtered = await logPlace(page);
    assert.ok(filtered.rows < 400, `filtered to ${filtered.rows} rows`);
    assert.equal(filtered.jump, '', 'no "N new" while following');
    // Cleared by typing (the input event's path, applied in the next frame).
    await filter.selectText();
    await filter.press('Backspace');
    await nextFrames(page);
    const cleared = await logPlace(page);
    assert.ok(cleared.rows >= 16_000, `${cleared.rows} rows after clearing the filter`);
    assert.ok(
      cleared.atBottom && cleared.last >= cleared.rows - 2,
      `after clearing the filter the view is at row ${cleared.first}–${cleared.last} of ${cleared.rows}`,
    );
    await floodDone(page);
    const end = await logPlace(page);
    assert.deepEqual([end.last, end.atBottom, end.jump], [total, true, ''], 'at the tail after the flood');
    await closePage(page);
  });

  it('Pause view freezes a short log; Pause off goes back to the tail with no "N new", also during a flood', async () => {
    const page = await open('dark', { width: 1600, height: 1000 });
    const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
    await dispatch(page, wsInit(textRows(1, 5)));
    await nextFrames(page);
    const pause = page.getByRole('button', { name: 'Pause view' });
    await pause.click();
    await dispatch(page, { type: 'records', records: textRows(6, 5), stats, dropped: 0 });
    await nextFrames(page);
    const frozen = await logPlace(page);
    assert.deepEqual([frozen.first, frozen.last, frozen.rows], [1, 5, 10], 'paused: the rows that came are not shown');
    assert.match(frozen.jump, /^5 new \(paused\)$/);
    await page.screenshot({ path: join(RESULTS, 'webview-log-paused-short.png') });
    await pause.click();
    await nextFrames(page);
    const resumed = await logPlace(page);
    assert.deepEqual([resumed.first, resumed.last, resumed.jump], [1, 10, ''], 'Pause off: every row shown');

    // During a flood: Pause on, then off, and the view follows the tail again.
    await dispatch(page, wsInit([]));
    const total = 40_000;
    await startFlood(page, total, 8000);
    await floodSent(page, 5000);
    await pause.click();
    await nextFrames(page);
    const atPause = await logPlace(page);
    await floodSent(page, 15_000);
    await nextFrames(page);
    const paused = await logPlace(page);
    assert.deepEqual([paused.first, paused.last], [atPause.first, atPause.last], 'paused: the view holds still during the flood');
    assert.match(paused.jump, /new \(paused\)$/);
    await pause.click();
    await nextFrames(page);
    const unpaused = await logPlace(page);
    assert.ok(unpaused.atBottom && unpaused.jump === '', `Pause off: at the bottom ${unpaused.atBottom}, jump "${unpaused.jump}"`);
    await floodDone(page);
    const end = await logPlace(page);
    assert.deepEqual([end.last, end.atBottom, end.jump], [total, true, ''], 'at the tail after the flood');
    await closePage(page);
  });

  it('a paused log that followed the tail follows it again when the panel is rebuilt (hidden and shown)', async () => {
    const page = await open();
    const stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
    await dispatch(page, wsInit(textRows(1, 3000)));
    await nextFrames(page);
    await page.evaluate(() => ((window as any).__state = undefined));
    await page.getByRole('button', { name: 'Pause view' }).click();
    await dispatch(page, { type: 'records', records: textRows(3001, 40), stats, dropped: 0 });
    // Pausing saves the view.
    await page.waitForFunction(() => (window as any).__state !== undefined);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    await dispatch(page, wsInit(textRows(1, 3040)));
    await nextFrames(page);
    const rebuilt = await logPlace(page);
    assert.deepEqual([rebuilt.last, rebuilt.atBottom, rebuilt.jump], [3040, true, ''], 'the rebuilt panel shows the tail');
    await dispatch(page, { type: 'records', records: textRows(3041, 20), stats, dropped: 0 });
    await nextFrames(page);
    assert.equal((await logPlace(page)).last, 3060, 'and follows it');
    await closePage(page);
  });

  for (const theme of ['dark', 'light', 'hc'] as const) {
    it(`screenshot: WebSocket session, ${theme} theme`, async () => {
      const page = await open(theme);
      await dispatch(page, wsInit());
      await nextFrames(page);
      await page.locator('.log .row', { hasText: '"nested"' }).click();
      await page.getByLabel('Message to send').fill('{"op":"unsubscribe","channels":["trades.BTC-EUR"]}');
      await page.getByLabel('Message format').selectOption('json');
      await page.waitForTimeout(250);
      await page.screenshot({ path: join(RESULTS, `webview-ws-${theme}.png`) });
      await closePage(page);
    });
  }

  it('screenshot: SSE session with request options and connection details', async () => {
    const page = await open('dark');
    await dispatch(page, sseInit());
    await page.getByRole('button', { name: 'Request options' }).click();
    await page.getByRole('tab', { name: 'Connection' }).click();
    await nextFrames(page);
    await page.screenshot({ path: join(RESULTS, 'webview-sse-dark.png') });
    await page.getByRole('tab', { name: 'Raw stream' }).click();
    await dispatch(page, {
      type: 'raw',
      text: 'retry: 5000\n\nid: 1001\nevent: deploy\ndata: {"service":"checkout","stage":"canary"}\n\n: heartbeat\n\nid: 1002\r\nevent: deploy\r\ndata: line one\r\ndata: line two\r\n\r\n',
      reset: true,
    });
    await page.locator('.log .row', { hasText: 'unnamed' }).click();
    await page.getByRole('tab', { name: 'Raw stream' }).click();
    await dispatch(page, {
      type: 'status',
      status: status({ state: 'reconnecting', attempt: 2, maxAttempts: 10, nextAttemptAt: Date.now() + 3000 }),
    });
    await nextFrames(page);
    await page.screenshot({ path: join(RESULTS, 'webview-sse-raw-dark.png') });
    await closePage(page);
  });

  it('screenshot: a new panel, not connected, request options open, light theme', async () => {
    const page = await open('light');
    const init = wsInit([], {
      status: status({ state: 'idle' }),
      stats: { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 },
    });
    await dispatch(page, init);
    await page.getByRole('button', { name: 'Request options' }).click();
    await page.getByLabel('Filter records: text, or /regex/flags').fill('/[unclosed/');
    await page.getByLabel('Filter records: text, or /regex/flags').press('Enter');
    await nextFrames(page);
    assert.match(await page.locator('.log-empty').innerText(), /No records yet/);
    await page.screenshot({ path: join(RESULTS, 'webview-idle-light.png') });
    await closePage(page);
  });

  it('screenshot: binary detail and a narrow panel, light theme', async () => {
    const page = await open('light', { width: 700, height: 700 });
    await dispatch(page, wsInit());
    await nextFrames(page);
    await page.locator('.log .row', { hasText: '82 a2 6f' }).click();
    await nextFrames(page);
    await page.screenshot({ path: join(RESULTS, 'webview-narrow-light.png') });
    await closePage(page);
  });
});
