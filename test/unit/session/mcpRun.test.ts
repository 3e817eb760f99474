/**
 * An editor MCP session's requests from the server (sampling here) against the SDK's server: they
 * wait for the user while a panel shows them, are answered "not supported by this client" when none
 * does, and when the user lets one wait too long.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { ConnRecord } from '../../../src/core/records';
import { McpRun } from '../../../src/session/mcpRun';
import { startSdkServer, type TestMcpServer } from '../../fixtures/mcpServer';

describe("an MCP session's requests from the server", () => {
  let server: TestMcpServer;
  before(async () => {
    server = await startSdkServer();
  });
  after(() => server.close());

  async function sample(run: McpRun): Promise<string> {
    assert.equal(await run.start(), undefined);
    const result = (await run.call('tools/call', 'sample', {})) as { content: { text: string }[] };
    await run.close();
    run.dispose();
    return result.content[0].text;
  }

  it('are answered by the user while someone shows them', async () => {
    const run = new McpRun({ url: `${server.url}/mcp` });
    run.onDidAsk((ask) => {
      assert.equal(ask.method, 'sampling/createMessage');
      run.answer(ask.id, { result: { role: 'assistant', content: { type: 'text', text: 'typed' }, model: 'me' } });
    });
    assert.equal(await sample(run), 'the client said: typed');
  });

  it('are refused in words when nobody shows them, or after the wait', async () => {
    const none = new McpRun({ url: `${server.url}/mcp` }, { canAsk: () => false });
    assert.match(await sample(none), /sampling\/createMessage is not supported by this client/);

    const late = new McpRun({ url: `${server.url}/mcp` }, { canAsk: () => true, timeoutMs: 20 });
    const records: ConnRecord[] = [];
    late.onRecord((r) => records.push(r));
    assert.match(await sample(late), /not supported by this client/);
    assert.ok(records.some((r) => r.kind === 'info' && /No answer to the server's sampling\/createMessage within/.test(r.message)));
    assert.deepEqual(late.pendingAsks, []);
  });
});
