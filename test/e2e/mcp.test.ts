/**
 * End to end: an MCP server in the real workbench. Realtime: Inspect MCP Server asks the demo server's
 * `/mcp` URL and headers, the panel opens with its MCP view (server info and lists), a tool's form calls
 * it and shows the result, and an image result is drawn under the real panel's CSP; `e2e-mcp-view.png`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCommand } from '../harness/browser';
import { answerQuickInput, eventually, openExtensionWorkbench, panelFrame, withFailureShot, type Workbench } from './fixture';

describe('an MCP server in the editor', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  it('Inspect MCP Server opens the MCP view; a tool is called from its form; an image result is drawn', async () => {
    const w = wb!;
    await withFailureShot(w, 'e2e-mcp', async () => {
      await runCommand(w.page, 'Realtime: Inspect MCP Server');
      await answerQuickInput(w.page, /^Inspect MCP Server$/, `${w.demo.url}/mcp`);
      await answerQuickInput(w.page, /^Inspect MCP Server: headers/, 'X-Demo: e2e');
      await answerQuickInput(w.page, /^Inspect MCP Server: headers \(1 added: X-Demo\)/, '');
      const frame = await panelFrame(w.page, '/mcp');
      const view = frame.locator('.mcp-view');
      await eventually(
        () => view.locator('.mcp-server-name').innerText(),
        (t) => t === 'realtime-inspector-demo 1.0.0',
        20_000,
        'the server named in the MCP view',
      );
      await eventually(
        () => view.locator('.mcp-heading').allInnerTexts(),
        (hs) => hs.map((h) => h.toUpperCase()).join(' | ') === 'TOOLS (5) | RESOURCES (1) | PROMPTS (1)',
        20_000,
        'the three lists',
      );
      await view.locator('.mcp-item[title="weather"]').click();
      await view.locator('.mcp-field[data-name="city"] input').fill('Oslo');
      await view.locator('.mcp-field[data-name="unit"] select').selectOption({ label: 'celsius' });
      await view.locator('.mcp-run').click();
      await eventually(
        () => view.locator('.mcp-result .mcp-text').innerText(),
        (t) => t.startsWith('Oslo: 18°'),
        15_000,
        'the forecast',
      );
      assert.deepEqual(JSON.parse(await view.locator('.mcp-result .mcp-json-part').innerText()), {
        city: 'Oslo',
        temperature: 18,
        unit: 'celsius',
        sky: 'light rain',
      });
      // The call's messages are in the log like any connection's.
      await eventually(
        () => frame.locator('.log .row .c-type').allInnerTexts(),
        (ts) => ts.some((t) => t.startsWith('response tools/call')),
        10_000,
        'the tools/call response in the log',
      );
      await w.shot('e2e-mcp-view');

      await view.locator('.mcp-item[title="picture"]').click();
      await view.locator('.mcp-run').click();
      await eventually(
        () => view.locator('.mcp-result img.mcp-image').evaluate((el: { naturalWidth: number }) => el.naturalWidth),
        (n) => n === 4,
        15_000,
        'the image drawn from its data: URL',
      );
    });
  });
});
