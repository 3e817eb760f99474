/**
 * The MCP view of an MCP session's panel in the built webview (dist/webview.js + css) in headless
 * Chromium, under the host's CSP: the server's info and lists from the log's `mcp` records, a form
 * made from a tool's inputSchema (required fields marked, values typed as the schema says), raw JSON
 * for a schema the form cannot follow, Call through the host's `mcpCall` request, and its result:
 * an image drawn from a data: URL, text from the server shown as text. Run `npm run build` first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { packBatch } from '../../src/core/batchFormat';
import type { ConnRecord, InitMessage } from '../../src/protocol';
import { PNG_1X1 } from '../fixtures/mcpServer';
import { closeWebviewPage, newWebviewPage, RESULTS, ROOT, webviewHarness } from './webviewPage';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const NONCE = 'bWNwLXZpZXctbm9uY2UtMTI';
const T0 = Date.parse('2026-12-03T09:41:07.120Z');
const HOSTILE = '<img src=x onerror="window.__pwned=1"><b>bold</b>';

const TOOLS = [
  {
    name: 'echo',
    description: 'Says the text back',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  {
    name: 'book',
    description: 'Books a table',
    inputSchema: {
      type: 'object',
      properties: {
        guests: { type: 'integer', description: 'How many' },
        price: { type: 'number' },
        room: { type: 'string', enum: ['garden', 'hall'] },
        vip: { type: 'boolean' },
        extras: { type: 'object' },
      },
      required: ['guests', 'room'],
    },
  },
  {
    name: 'odd',
    description: 'A schema the form cannot follow',
    inputSchema: { type: 'object', properties: { when: { type: 'date-time' } } },
  },
  { name: 'image', description: 'A picture' },
  { name: HOSTILE, description: HOSTILE, inputSchema: { type: 'object', properties: {} } },
];

function records(tools: unknown[] = TOOLS, instructions = HOSTILE): ConnRecord[] {
  let seq = 0;
  const r = (x: Record<string, unknown>) => ({ seq: ++seq, time: new Date(T0 + seq * 40).toISOString(), ...x }) as ConnRecord;
  return [
    r({ kind: 'connecting', attempt: 1, url: 'http://127.0.0.1:3000/mcp', state: 'connecting' }),
    r({
      kind: 'mcp',
      event: 'initialized',
      state: 'open',
      transport: 'streamable-http',
      sessionId: 'c0ffee-1234',
      protocolVersion: '2025-06-18',
      serverInfo: { name: 'test-server', version: '1.2.3' },
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions,
    }),
    r({ kind: 'mcp', event: 'tools', items: tools }),
    r({ kind: 'mcp', event: 'resources', items: [{ uri: 'info://about', name: 'about', description: 'About' }] }),
    r({ kind: 'mcp', event: 'prompts', items: [{ name: 'greet', arguments: [{ name: 'name', required: true }] }] }),
  ];
}

function init(recs: ConnRecord[]): InitMessage {
  return {
    type: 'init',
    connectionId: 'm1',
    config: { url: 'http://127.0.0.1:3000/mcp', kind: 'mcp', headers: [], method: 'GET', body: '', protocols: [] },
    status: { state: 'open', since: Date.now(), autoRetry: false, attempt: 0, maxAttempts: null, reconnectDelayMs: 0, details: {} },
    stats: { messagesIn: 3, messagesOut: 3, bytesIn: 900, bytesOut: 300, records: recs.length },
    settings: { displayLimit: 256 * 1024, timestampFormat: 'time' },
    records: packBatch(recs),
    dropped: 0,
  };
}

describe('the MCP view in the webview, in headless Chromium', { timeout: 600_000 }, () => {
  const harness = webviewHarness(NONCE);

  async function open(recs = records()): Promise<Page> {
    const page = await newWebviewPage(harness.browser, { width: 1280, height: 760 });
    await page.goto(`${harness.origin}/?theme=dark`);
    await page.waitForFunction(() => window.__posted.some((m: { type: string }) => m.type === 'ready'));
    await page.evaluate((m) => window.__dispatch(m), init(recs) as unknown);
    await page.waitForSelector('.mcp-view:not([hidden]) .mcp-server-name');
    return page;
  }

  const calls = (page: Page) => page.evaluate(() => window.__posted.filter((m: { type: string }) => m.type === 'mcpCall'));
  const waitCalls = (page: Page, n: number) =>
    page.waitForFunction((k) => window.__posted.filter((m: { type: string }) => m.type === 'mcpCall').length >= k, n);
  const item = (page: Page, kind: string, name: string) => page.locator(`.mcp-section[data-kind="${kind}"] .mcp-item[title="${name}"]`);
  const reply = (page: Page, requestId: number, body: Record<string, unknown>) =>
    page.evaluate((m) => window.__dispatch(m), { type: 'mcpResult', requestId, ...body });

  it('shows the server, its session and its lists; hostile names and instructions are text', async () => {
    const page = await open();
    try {
      const info = await page.locator('.mcp-info').innerText();
      assert.match(info, /test-server 1\.2\.3/);
      assert.match(info, /2025-06-18/);
      assert.match(info, /c0ffee-1234/);
      assert.match(info, /Streamable HTTP/);
      assert.equal(await page.locator('.mcp-instructions').textContent(), HOSTILE);
      assert.equal(await page.getByRole('button', { name: 'Auto-retry' }).isVisible(), false, 'an MCP session does not reconnect');
      const headings = await page.locator('.mcp-heading').allInnerTexts();
      assert.deepEqual(
        headings.map((t) => t.toUpperCase()),
        ['TOOLS (5)', 'RESOURCES (1)', 'PROMPTS (1)'],
      );
      assert.equal(await page.locator('.mcp-section[data-kind="tools"] .mcp-item-name').nth(4).textContent(), HOSTILE);
      // Nothing the server wrote became an element: the view's only images are none.
      assert.equal(await page.locator('.mcp-view img, .mcp-view b').count(), 0);
      await page.locator('.mcp-section[data-kind="tools"] .mcp-item').nth(4).click();
      assert.equal(await page.locator('.mcp-detail-title').textContent(), HOSTILE);
      assert.equal(await page.locator('.mcp-view img, .mcp-view b').count(), 0);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('a session the server forgot says so and offers to initialize again, which connects anew', async () => {
    const page = await open();
    try {
      const expired = {
        kind: 'mcp',
        event: 'expired',
        sessionId: 'c0ffee-1234',
        seq: records().length + 1,
        time: new Date().toISOString(),
      };
      await page.evaluate((m) => window.__dispatch(m), {
        type: 'records',
        records: packBatch([expired as ConnRecord]),
        stats: init(records()).stats,
        dropped: 0,
      } as unknown);
      const warning = page.locator('.mcp-warning');
      await warning.waitFor();
      assert.match(await warning.innerText(), /no longer knows session c0ffee-1234/);
      await warning.getByRole('button', { name: 'Initialize again' }).click();
      await page.waitForFunction(() =>
        window.__posted.some((m: { type: string; config?: unknown }) => m.type === 'connect' && m.config === undefined),
      );
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("a server's request shows as a card: its parameters as text, an answer to edit, Answer and Decline", async () => {
    const page = await open();
    try {
      const ask = (m: Record<string, unknown>) => page.evaluate((x) => window.__dispatch(x), { type: 'mcpAsk', ...m } as unknown);
      await ask({
        id: 1,
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: HOSTILE } }] },
      });
      await ask({ id: 2, method: 'elicitation/create', params: { message: 'Your name?' } });
      const cards = page.locator('.mcp-ask');
      await cards.nth(1).waitFor();
      assert.match(await cards.nth(0).locator('h3').innerText(), /sampling\/createMessage/i);
      assert.ok(
        (await cards.nth(0).locator('.mcp-ask-params').textContent())!.includes(JSON.stringify(HOSTILE).slice(1, -1)),
        'the request as JSON text',
      );
      assert.equal(await page.locator('.mcp-view img, .mcp-view b').count(), 0);
      const editor = page.getByLabel('Answer to sampling/createMessage');
      await editor.fill('{"role": "assistant",');
      await cards.nth(0).getByRole('button', { name: 'Answer' }).click();
      assert.match(await cards.nth(0).locator('.mcp-problem').innerText(), /Not valid JSON/);
      await editor.fill('{"role": "assistant", "content": {"type": "text", "text": "hi"}, "model": "me"}');
      await cards.nth(0).getByRole('button', { name: 'Answer' }).click();
      await page.locator('.mcp-ask[data-id="2"]').getByRole('button', { name: 'Decline' }).click();
      const answers = await page.evaluate(() => window.__posted.filter((m: { type: string }) => m.type === 'mcpAnswer'));
      assert.deepEqual(answers, [
        { type: 'mcpAnswer', id: 1, result: { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'me' } },
        { type: 'mcpAnswer', id: 2, result: { action: 'decline' } },
      ]);
      assert.equal(await page.locator('.mcp-ask').count(), 0, 'answered cards go');
      // A request the host settled (timed out) goes too.
      await ask({ id: 3, method: 'roots/list' });
      await page.locator('.mcp-ask').waitFor();
      await ask({ id: 3, method: '', settled: true });
      await page.waitForFunction(() => document.querySelectorAll('.mcp-ask').length === 0);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("a tool's form follows its inputSchema: required marked, values typed, a missing one named before anything is sent", async () => {
    const page = await open();
    try {
      await item(page, 'tools', 'book').click();
      const fields = await page
        .locator('.mcp-field')
        .evaluateAll((els: any[]) =>
          els.map((el) => [
            el.dataset.name,
            !!el.querySelector('.mcp-required'),
            el.querySelector('input,select,textarea').tagName.toLowerCase(),
          ]),
        );
      assert.deepEqual(fields, [
        ['guests', true, 'input'],
        ['price', false, 'input'],
        ['room', true, 'select'],
        ['vip', false, 'select'],
        ['extras', false, 'textarea'],
      ]);
      await page.getByRole('button', { name: 'Call' }).click();
      assert.equal(await page.locator('.mcp-problem').textContent(), '"guests" is required');
      await page.locator('.mcp-field[data-name="guests"] input').fill('2.5');
      await page.locator('.mcp-field[data-name="room"] select').selectOption({ label: 'hall' });
      await page.getByRole('button', { name: 'Call' }).click();
      assert.equal(await page.locator('.mcp-problem').textContent(), '"guests" must be a whole number');
      assert.equal((await calls(page)).length, 0, 'nothing sent while the form is wrong');
      await page.locator('.mcp-field[data-name="guests"] input').fill('4');
      await page.locator('.mcp-field[data-name="price"] input').fill('12.5');
      await page.locator('.mcp-field[data-name="vip"] select').selectOption({ label: 'true' });
      await page.locator('.mcp-field[data-name="extras"] textarea').fill('{"cake": true}');
      await page.getByRole('button', { name: 'Call' }).click();
      await waitCalls(page, 1);
      const [call] = await calls(page);
      assert.deepEqual(
        { method: call.method, name: call.name, args: call.args },
        { method: 'tools/call', name: 'book', args: { guests: 4, price: 12.5, room: 'hall', vip: true, extras: { cake: true } } },
      );
      await reply(page, call.requestId, {
        ok: true,
        result: { content: [{ type: 'text', text: 'booked' }], structuredContent: { table: 7 } },
      });
      await page.waitForSelector('.mcp-result .mcp-text');
      assert.equal(await page.locator('.mcp-result .mcp-text').textContent(), 'booked');
      assert.deepEqual(JSON.parse((await page.locator('.mcp-result .mcp-json-part').textContent()) ?? ''), { table: 7 });
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('a schema the form cannot follow gives raw JSON, with the reason; bad JSON is named', async () => {
    const page = await open();
    try {
      await item(page, 'tools', 'odd').click();
      assert.equal(await page.locator('.mcp-field').count(), 0);
      assert.match(
        (await page.locator('.mcp-note').textContent()) ?? '',
        /raw JSON: property "when" has a type the form does not know \("date-time"\)/,
      );
      const raw = page.getByLabel('Arguments (JSON)');
      await raw.fill('{"when": ');
      await page.getByRole('button', { name: 'Call' }).click();
      assert.match((await page.locator('.mcp-problem').textContent()) ?? '', /^The arguments are not JSON/);
      await raw.fill('{"when": "2026-12-03T10:00:00Z"}');
      await page.getByRole('button', { name: 'Call' }).click();
      await waitCalls(page, 1);
      const [call] = await calls(page);
      assert.deepEqual(call.args, { when: '2026-12-03T10:00:00Z' });
      await reply(page, call.requestId, { ok: false, error: 'tools/call failed: MCP error -32602: Invalid arguments (code -32602)' });
      await page.waitForSelector('.mcp-output .mcp-result-error');
      assert.match(await page.locator('.mcp-output').innerText(), /Invalid arguments/);
    } finally {
      await closeWebviewPage(page);
    }
  });

  it('an image result is drawn from a data: URL; hostile result text is shown as text; a prompt is got with its arguments', async () => {
    const page = await open();
    try {
      await item(page, 'tools', 'image').click();
      await page.getByRole('button', { name: 'Call' }).click();
      await waitCalls(page, 1);
      let [call] = await calls(page);
      await reply(page, call.requestId, {
        ok: true,
        result: {
          content: [
            { type: 'image', data: PNG_1X1, mimeType: 'image/png' },
            { type: 'text', text: HOSTILE },
          ],
        },
      });
      await page.waitForSelector('.mcp-result img.mcp-image');
      const img = await page
        .locator('.mcp-result img.mcp-image')
        .evaluate((el: any) => ({ src: el.src, w: el.naturalWidth, complete: el.complete }));
      assert.equal(img.src, `data:image/png;base64,${PNG_1X1}`);
      await page.waitForFunction(() => document.querySelector('.mcp-result img.mcp-image').naturalWidth === 1);
      assert.equal(await page.locator('.mcp-result .mcp-text').textContent(), HOSTILE);
      assert.equal(await page.locator('.mcp-result img').count(), 1, 'only the image part is an image');
      assert.equal(await page.locator('.mcp-result b').count(), 0);

      await item(page, 'prompts', 'greet').click();
      await page.locator('.mcp-field[data-name="name"] input').fill('Ada');
      await page.getByRole('button', { name: 'Get' }).click();
      await waitCalls(page, 2);
      call = (await calls(page))[1];
      assert.deepEqual(
        { method: call.method, name: call.name, args: call.args },
        { method: 'prompts/get', name: 'greet', args: { name: 'Ada' } },
      );

      await item(page, 'resources', 'info://about').click();
      await page.getByRole('button', { name: 'Read' }).click();
      await waitCalls(page, 3);
      call = (await calls(page))[2];
      assert.deepEqual(
        { method: call.method, name: call.name, args: call.args },
        { method: 'resources/read', name: 'info://about', args: {} },
      );
    } finally {
      await closeWebviewPage(page);
    }
  });

  it("screenshot: a tool form and its result (the README's docs/mcp.png with RI_SCREENSHOT_DOCS=1)", async () => {
    const page = await open(records(TOOLS.slice(0, 4), 'Tools for booking tables'));
    try {
      await item(page, 'tools', 'book').click();
      await page.locator('.mcp-field[data-name="guests"] input').fill('4');
      await page.locator('.mcp-field[data-name="room"] select').selectOption({ label: 'garden' });
      await page.getByRole('button', { name: 'Call' }).click();
      await waitCalls(page, 1);
      const [call] = await calls(page);
      await reply(page, call.requestId, { ok: true, result: { content: [{ type: 'text', text: 'Table 7 booked for 4 in the garden' }] } });
      await page.waitForSelector('.mcp-result .mcp-text');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.locator('.mcp-result').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(RESULTS, 'mcp-view.png') });
      if (process.env.RI_SCREENSHOT_DOCS) {
        copyFileSync(join(RESULTS, 'mcp-view.png'), join(ROOT, 'docs/mcp.png'));
      }
    } finally {
      await closeWebviewPage(page);
    }
  });
});
