// Over 400 lines: the log, the detail pane, the send box and the operations list share one page, its fixtures of decoded records and its helpers.
/**
 * Protocol adapters in the built webview (dist/webview.js + css) in headless Chromium, under the host's
 * CSP, with the stand-in for acquireVsCodeApi (fixtures/harness.js): decoded rows in the log (type and
 * label, an unreadable frame marked), "Hide keep-alive" on by default and kept across a reload, the
 * detail pane's Decoded section from the whole record the host sends, the send box's protocol forms,
 * and the GraphQL operations list with Stop. Records go through the host's own packer, as the panel's do.
 * Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { AdapterView, ConnRecord, Decoded, InitMessage } from '../../src/protocol';
import { closeWebviewPage, newWebviewPage, RESULTS, type Theme, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const NONCE = 'YWRhcHRlcnMtbm9uY2UtMTI';
const T0 = Date.parse('2026-11-24T09:41:07.120Z');
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

const SOCKET_IO: AdapterView = {
  name: 'socket.io',
  verbs: [
    {
      name: 'emit',
      label: 'Emit',
      fields: [
        { name: 'event', label: 'Event', kind: 'text', placeholder: 'chat' },
        { name: 'args', label: 'Args (JSON array)', kind: 'json', optional: true },
        { name: 'ack', label: 'With ack', kind: 'boolean', optional: true },
      ],
    },
  ],
};

const GRAPHQL: AdapterView = {
  name: 'graphql-ws',
  verbs: [
    {
      name: 'subscribe',
      label: 'Subscribe',
      fields: [
        { name: 'query', label: 'Query', kind: 'multiline' },
        { name: 'variables', label: 'Variables (JSON)', kind: 'json', optional: true },
        { name: 'operationName', label: 'Operation name', kind: 'text', optional: true },
      ],
    },
    { name: 'stop', label: 'Stop', fields: [{ name: 'id', label: 'Operation id', kind: 'text' }] },
  ],
};

function builder() {
  let seq = 0;
  return (dir: 'in' | 'out', data: string, decoded?: Decoded): ConnRecord =>
    ({
      kind: 'message',
      seq: ++seq,
      time: new Date(T0 + seq * 40).toISOString(),
      dir,
      format: 'text',
      data,
      size: data.length,
      ...(decoded ? { decoded } : {}),
    }) as ConnRecord;
}

/** A Socket.IO session: events, an ack, Engine.IO pings and pongs, a frame that does not parse, a JSON-RPC response. */
function socketIoRecords(): ConnRecord[] {
  const m = builder();
  return [
    m('out', '40', { protocol: 'socket.io', type: 'connect', namespace: '/' }),
    m('in', '40{"sid":"abc"}', { protocol: 'socket.io', type: 'connect', namespace: '/' }),
    m('in', '42["chat",{"text":"hi"}]', { protocol: 'socket.io', type: 'event', event: 'chat', args: [{ text: 'hi' }], label: 'chat' }),
    m('in', '2', { protocol: 'socket.io', type: 'ping', keepAlive: true }),
    m('out', '3', { protocol: 'socket.io', type: 'pong', keepAlive: true }),
    m('in', `42["news",{"title":${JSON.stringify(HOSTILE)}}]`, { protocol: 'socket.io', type: 'event', event: 'news', label: 'news' }),
    m('in', '43[{"ok":true}]', { protocol: 'socket.io', type: 'ack', ackId: 7, args: [{ ok: true }] }),
    m('in', '4zz', { protocol: 'socket.io', type: 'invalid', error: 'unknown packet type "z"' }),
    m('in', '{"jsonrpc":"2.0","id":12,"result":{"tools":[]}}', {
      protocol: 'json-rpc',
      type: 'response',
      id: 12,
      result: { tools: [] },
      method: 'tools/list',
      latencyMs: 12,
      label: 'tools/list',
    }),
  ];
}

function init(records: ConnRecord[], adapter?: AdapterView): Omit<InitMessage, 'records'> & { records: ConnRecord[] } {
  return {
    type: 'init',
    connectionId: 'a1',
    // The URL as Socket.IO users know it, kind left to `auto`: the adapter makes it a WebSocket.
    config: {
      url: 'http://127.0.0.1:3000',
      kind: adapter ? 'auto' : 'ws',
      headers: [],
      method: 'GET',
      body: '',
      protocols: [],
      adapter: adapter?.name,
    },
    status: { state: 'open', since: Date.now(), autoRetry: true, attempt: 0, maxAttempts: 10, reconnectDelayMs: 1000, details: {} },
    stats: { messagesIn: records.length, messagesOut: 0, bytesIn: 900, bytesOut: 0, records: records.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records,
    dropped: 0,
    adapter,
  };
}

describe('protocol adapters in the webview, in headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  type Msg = ReturnType<typeof init>;
  const dispatchInit = (page: Page, msg: Msg) =>
    page.evaluate((m) => window.__dispatch(m), { ...msg, records: packBatch(msg.records) } as unknown);
  const dispatch = (page: Page, msg: unknown) => page.evaluate((m) => window.__dispatch(m), msg);
  const posted = (page: Page) => page.evaluate(() => window.__posted as Record<string, unknown>[]);
  const waitPosted = (page: Page, type: string, n = 1) =>
    page.waitForFunction(([t, k]) => window.__posted.filter((m: { type: string }) => m.type === t).length >= k, [type, n] as const);

  async function open(msg: Msg, theme: Theme = 'dark', viewport = { width: 1200, height: 700 }): Promise<Page> {
    const page = await newWebviewPage(harness.browser, viewport);
    await page.goto(`${harness.origin}/?theme=${theme}`);
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    await dispatchInit(page, msg);
    return page;
  }

  /** Waits until the view has saved what `saved` looks for (it saves a moment after a change). */
  async function waitSaved(page: Page, saved: (state: any) => boolean): Promise<void> {
    // Checked here rather than in the page: a function passed as text would need eval, which the CSP refuses.
    while (!saved(await page.evaluate(() => (window as unknown as { __state?: unknown }).__state ?? {}))) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reloads once the view has saved what `saved` looks for (it saves a moment after a change), then sends init again. */
  async function reload(page: Page, msg: Msg, saved: (state: any) => boolean): Promise<void> {
    await waitSaved(page, saved);
    await page.reload();
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    await dispatchInit(page, msg);
  }

  const rowTypes = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('.log .row:not([hidden])') as ArrayLike<any>)
        .sort((a, b) => Number(a.dataset.seq) - Number(b.dataset.seq))
        .map((row) => [Number(row.dataset.seq), row.querySelector('.c-type').textContent, row.classList.contains('invalid')]),
    );

  it('the log shows decoded types and labels, an unreadable frame marked, and hides keep-alive until the toggle is off, also after a reload', async () => {
    const msg = init(socketIoRecords(), SOCKET_IO);
    const page = await open(msg);
    try {
      await page.waitForSelector('.log .row[data-seq="9"]');
      assert.deepEqual(await rowTypes(page), [
        [1, 'connect', false],
        [2, 'connect', false],
        [3, 'event chat', false],
        [6, 'event news', false],
        [7, 'ack', false],
        [8, '⚠ text', true],
        [9, 'response tools/list 12 ms', false],
      ]);
      const toggle = page.getByRole('button', { name: 'Hide keep-alive' });
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true', 'on by default');
      await toggle.click();
      await page.waitForSelector('.log .row[data-seq="4"]');
      assert.deepEqual(
        (await rowTypes(page)).map((r) => r[1]),
        ['connect', 'connect', 'event chat', 'ping', 'pong', 'event news', 'ack', '⚠ text', 'response tools/list 12 ms'],
      );
      // The ID column names the ack's id and the JSON-RPC id.
      assert.equal(await page.locator('.log .row[data-seq="7"] .c-id').innerText(), '7');
      await reload(page, msg, (state) => state.filterHideKeepAlive === false);
      await page.waitForSelector('.log .row[data-seq="9"]');
      assert.equal(
        await page.getByRole('button', { name: 'Hide keep-alive' }).getAttribute('aria-pressed'),
        'false',
        'kept off across the reload',
      );
      assert.equal(await page.locator('.log .row[data-seq="4"]').count(), 1);
      await page.getByRole('button', { name: 'Hide keep-alive' }).click();
      await page.waitForFunction(() => !document.querySelector('.log .row[data-seq="4"]:not([hidden])'));
      // The text filter matches a label; the types list holds decoded types.
      await page.getByLabel('Filter records: text, or /regex/flags').fill('news');
      await page.waitForFunction(() => document.querySelectorAll('.log .row:not([hidden])').length === 1);
      assert.deepEqual(
        (await rowTypes(page)).map((r) => r[0]),
        [6],
      );
      await page.getByLabel('Filter records: text, or /regex/flags').fill('');
      await page.locator('.type-filter-button').click();
      const types = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.type-filter-item span') as ArrayLike<any>).map((s) => s.textContent),
      );
      assert.deepEqual(types, ['ack', 'connect', 'event', 'ping', 'pong', 'response', 'text']);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("the detail pane shows the whole reading the host sends as JSON, a response's method and latency, an unreadable frame's reason, and the raw frame", async () => {
    const records = socketIoRecords();
    const page = await open(init(records, SOCKET_IO));
    try {
      await page.locator('.log .row[data-seq="6"]').click();
      await waitPosted(page, 'getFull');
      const ask = (await posted(page)).filter((m) => m.type === 'getFull').pop()!;
      assert.equal(ask.seq, 6);
      const whole = {
        ...records[5],
        decoded: { protocol: 'socket.io', type: 'event', event: 'news', args: [{ title: HOSTILE }], label: 'news' },
      };
      await dispatch(page, { type: 'fullRecord', requestId: ask.requestId, record: whole });
      await page.waitForSelector('.decoded-json');
      const json = await page.locator('.decoded-json').innerText();
      assert.deepEqual(JSON.parse(json), whole.decoded, 'the whole reading, as text');
      assert.match(await page.locator('.detail').innerText(), /Protocol\s+socket\.io/);
      assert.ok((await page.locator('.detail pre[aria-label="Message data"]').innerText()).includes('42["news"'), 'the raw frame too');

      await page.locator('.log .row[data-seq="9"]').click();
      await waitPosted(page, 'getFull', 2);
      const ask2 = (await posted(page)).filter((m) => m.type === 'getFull').pop()!;
      await dispatch(page, { type: 'fullRecord', requestId: ask2.requestId, record: records[8] });
      await page.waitForSelector('.decoded-json');
      const detail = await page.locator('.detail').innerText();
      assert.match(detail, /Request method\s+tools\/list/);
      assert.match(detail, /Latency\s+12 ms/);

      await page.locator('.log .row[data-seq="8"]').click();
      await waitPosted(page, 'getFull', 3);
      const ask3 = (await posted(page)).filter((m) => m.type === 'getFull').pop()!;
      await dispatch(page, { type: 'fullRecord', requestId: ask3.requestId, record: records[7] });
      await page.waitForFunction(() => /unknown packet type/.test(document.querySelector('.detail').innerText));
      assert.match(await page.locator('.detail .banner.warn').innerText(), /Not a valid socket\.io frame: unknown packet type "z"/);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("the send box offers the protocol's verbs as a form, checks JSON before sending, shows errors in words, and keeps what was typed across a reload", async () => {
    const msg = init(socketIoRecords(), SOCKET_IO);
    const page = await open(msg);
    try {
      // An http:// URL with an adapter is a WebSocket: the send box is there, the kind says which protocol.
      assert.equal(await page.getByLabel('Connection kind').locator('option').first().innerText(), 'WS · socket.io');
      const mode = page.getByLabel('Message format');
      assert.equal(await mode.inputValue(), 'verb:emit', 'the protocol verb comes first');
      assert.deepEqual(await mode.locator('option').allInnerTexts(), ['Emit (socket.io)', 'Raw text', 'Raw json', 'Raw binary']);
      await page.getByRole('textbox', { name: 'Event' }).fill('chat');
      await page.getByLabel('Args (JSON array)').fill('[{"text": "hi"},]');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      assert.match(await page.locator('.send-result').innerText(), /Not sent: Args \(JSON array\) is not valid JSON/);
      assert.equal((await posted(page)).filter((m) => m.type === 'adapterSend').length, 0, 'nothing sent');
      await page.getByLabel('Args (JSON array)').fill('[{"text": "hi"}]');
      await page.getByLabel('With ack').check();
      await page.getByRole('textbox', { name: 'Event' }).press('Control+Enter');
      await waitPosted(page, 'adapterSend');
      const sent = (await posted(page)).filter((m) => m.type === 'adapterSend');
      assert.deepEqual([sent[0].verb, sent[0].fields], ['emit', { event: 'chat', args: [{ text: 'hi' }], ack: true }]);
      await dispatch(page, { type: 'sendResult', requestId: sent[0].requestId, ok: false, error: 'Cannot send: the connection is closed' });
      assert.match(await page.locator('.send-result').innerText(), /Emit not sent: Cannot send: the connection is closed/);
      // A required field left empty is named.
      await page.getByRole('textbox', { name: 'Event' }).fill('');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      assert.match(await page.locator('.send-result').innerText(), /Not sent: Event is required/);
      await page.getByRole('textbox', { name: 'Event' }).fill('chat');
      // Once the saved draft holds all three: an earlier save (before the ack was ticked) also says "chat".
      await reload(page, msg, (state) => {
        const draft = state.send?.verbDrafts?.['socket.io/emit'];
        return draft?.event === 'chat' && draft?.ack === true && draft?.args === '[{"text": "hi"}]';
      });
      await page.waitForSelector('.verb-form:not([hidden])');
      assert.equal(await page.getByRole('textbox', { name: 'Event' }).inputValue(), 'chat');
      assert.equal(await page.getByLabel('Args (JSON array)').inputValue(), '[{"text": "hi"}]');
      assert.equal(await page.getByLabel('With ack').isChecked(), true);
      // The raw modes stay: a raw text frame goes as a plain send.
      await mode.selectOption('text');
      await page.getByLabel('Message to send').fill('2probe');
      await page.getByLabel('Message to send').press('Control+Enter');
      await waitPosted(page, 'send');
      assert.equal((await posted(page)).find((m) => m.type === 'send')?.data, '2probe');
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("a saved verb message from the send box's list fills the verb's form, and Send goes through the adapter", async () => {
    const msg = {
      ...init(socketIoRecords(), SOCKET_IO),
      savedMessages: [
        { name: 'plain', mode: 'text' as const, text: 'hello' },
        {
          name: 'join room',
          mode: 'text' as const,
          text: 'emit join',
          verb: 'emit',
          fields: { event: 'join', args: '[{"room":"{{room}}"}]', ack: true },
        },
      ],
    };
    const page = await open(msg);
    try {
      await page.getByLabel('Saved messages').selectOption({ label: 'join room' });
      assert.equal(await page.getByLabel('Message format').inputValue(), 'verb:emit');
      assert.equal(await page.getByRole('textbox', { name: 'Event' }).inputValue(), 'join');
      assert.equal(await page.getByLabel('Args (JSON array)').inputValue(), '[{"room":"{{room}}"}]');
      assert.equal(await page.getByLabel('With ack').isChecked(), true);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await waitPosted(page, 'adapterSend');
      const sent = (await posted(page)).filter((m) => m.type === 'adapterSend');
      assert.deepEqual([sent[0].verb, sent[0].fields], ['emit', { event: 'join', args: [{ room: '{{room}}' }], ack: true }]);
      // A plain one leaves the verb for a raw mode.
      await page.getByLabel('Saved messages').selectOption({ label: 'plain' });
      assert.equal(await page.getByLabel('Message format').inputValue(), 'text');
      assert.equal(await page.getByLabel('Message to send').inputValue(), 'hello');
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('a GraphQL connection lists its operations with state and results, and Stop sends the stop verb with the id', async () => {
    const m = builder();
    const records = [
      m('out', '{"type":"subscribe","id":"1"}', { protocol: 'graphql-ws', type: 'subscribe', id: '1', label: '#1 Ticks' }),
      m('in', '{"type":"next","id":"1"}', { protocol: 'graphql-ws', type: 'next', id: '1', label: '#1' }),
      m('in', '{"type":"next","id":"1"}', { protocol: 'graphql-ws', type: 'next', id: '1', label: '#1' }),
      m('out', '{"type":"subscribe","id":"2"}', { protocol: 'graphql-ws', type: 'subscribe', id: '2', label: '#2' }),
      m('in', '{"type":"error","id":"2"}', { protocol: 'graphql-ws', type: 'error', id: '2', label: '#2' }),
      m('in', '{"type":"ping"}', { protocol: 'graphql-ws', type: 'ping', keepAlive: true }),
    ];
    const page = await open(init(records, GRAPHQL));
    try {
      await page.waitForSelector('.operations:not([hidden])');
      const ops = () =>
        page.evaluate(() =>
          Array.from(document.querySelectorAll('.operation') as ArrayLike<any>).map((li) => [
            li.dataset.id,
            li.querySelector('.op-label').textContent,
            li.querySelector('.op-state').textContent,
            li.querySelector('.op-results').textContent,
            !!li.querySelector('button'),
          ]),
        );
      assert.deepEqual(await ops(), [
        ['1', '#1 Ticks', 'running', '2 results', true],
        ['2', '#2', 'error', '0 results', false],
      ]);
      // The query editor: Subscribe's form with the query and its variables.
      assert.equal(await page.getByLabel('Message format').inputValue(), 'verb:subscribe');
      assert.equal(await page.locator('.verb-field-multiline textarea').count(), 1);
      await page.getByRole('button', { name: 'Stop #1 Ticks' }).click();
      await waitPosted(page, 'adapterSend');
      const stop = (await posted(page)).filter((x) => x.type === 'adapterSend').pop()!;
      assert.deepEqual([stop.verb, stop.fields], ['stop', { id: '1' }]);
      await dispatch(page, { type: 'sendResult', requestId: stop.requestId, ok: true });
      const done = m('out', '{"type":"complete","id":"1"}', { protocol: 'graphql-ws', type: 'complete', id: '1', label: '#1' });
      const more = m('in', '{"type":"next","id":"1"}', { protocol: 'graphql-ws', type: 'next', id: '1', label: '#1' });
      await dispatch(page, {
        type: 'records',
        records: packBatch([more, done]),
        stats: { messagesIn: 6, messagesOut: 3, bytesIn: 0, bytesOut: 0, records: 8 },
        dropped: 0,
      });
      await page.waitForSelector('.operation.op-complete');
      assert.deepEqual((await ops())[0], ['1', '#1 Ticks', 'complete', '3 results', false]);
      await page.screenshot({ path: join(RESULTS, 'adapters-graphql.png') });
    } finally {
      await closeWebviewPage(page);
    }
  });
});
