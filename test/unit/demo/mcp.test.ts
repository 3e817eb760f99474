/**
 * The demo server's MCP endpoint (`/mcp`, src/demo/mcpEndpoint.ts) as the SDK's own client sees it
 * (`@modelcontextprotocol/sdk`: initialize, lists, calls, progress over an SSE answer, a resource, a
 * prompt, session end), and as the inspector's session reads it.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpSession } from '../../../src/core/mcp';
import type { ConnRecord } from '../../../src/core/records';
import { type DemoServer, startDemoServer } from '../../../src/demo/server';

describe("the demo server's MCP endpoint", () => {
  let server: DemoServer;
  before(async () => {
    server = await startDemoServer({ tickMs: 40 });
  });
  after(async () => {
    await server.close();
  });

  it(
    'is an MCP server to the SDK client: lists, calls, progress on an SSE answer, a resource, a prompt, DELETE',
    { timeout: 30_000 },
    async () => {
      const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
      const client = new Client({ name: 'sdk-test', version: '1.0.0' });
      await client.connect(transport);
      assert.equal(client.getServerVersion()?.name, 'realtime-inspector-demo');
      assert.ok(transport.sessionId, 'a session id');
      const tools = await client.listTools();
      assert.deepEqual(
        tools.tools.map((t) => t.name),
        ['echo', 'add', 'count', 'weather', 'picture'],
      );
      assert.deepEqual((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content, [{ type: 'text', text: 'hi' }]);
      assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).content, [{ type: 'text', text: '5' }]);
      const progress: number[] = [];
      const counted = await client.callTool({ name: 'count', arguments: { n: 3 } }, undefined, {
        onprogress: (p) => progress.push(p.progress),
      });
      assert.deepEqual(counted.content, [{ type: 'text', text: 'counted to 3' }]);
      assert.deepEqual(progress, [1, 2, 3]);
      const weather = await client.callTool({ name: 'weather', arguments: { city: 'Oslo', unit: 'celsius' } });
      assert.deepEqual(weather.structuredContent, { city: 'Oslo', temperature: 18, unit: 'celsius', sky: 'light rain' });
      const picture = await client.callTool({ name: 'picture', arguments: {} });
      assert.equal((picture.content as { type: string; mimeType: string }[])[0].mimeType, 'image/png');
      const readme = await client.readResource({ uri: 'demo://readme' });
      assert.match(String((readme.contents[0] as { text: string }).text), /demo MCP server/);
      const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
      assert.deepEqual(prompt.messages[0].content, { type: 'text', text: 'Hello, Ada' });
      await assert.rejects(client.callTool({ name: 'nope', arguments: {} }), /Unknown tool: nope/);
      const sid = transport.sessionId!;
      await transport.terminateSession();
      const after = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Mcp-Session-Id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      assert.equal(after.status, 404, 'the session is gone after DELETE');
      await client.close();
    },
  );

  it("reads in the inspector's session: initialized, the three lists, a progress call", { timeout: 30_000 }, async () => {
    const session = new McpSession({ url: `${server.url}/mcp` });
    const records: ConnRecord[] = [];
    session.onRecord((r) => records.push(r));
    try {
      const init = await session.initialize();
      assert.equal(init.protocolVersion, '2025-06-18');
      assert.deepEqual(
        [(await session.list('tools'))?.length, (await session.list('resources'))?.length, (await session.list('prompts'))?.length],
        [5, 1, 1],
      );
      const progress: unknown[] = [];
      const result = await session.callTool('count', { n: 2 }, (p) => progress.push(p));
      assert.deepEqual(result.content, [{ type: 'text', text: 'counted to 2' }]);
      assert.equal(progress.length, 2);
      assert.ok(
        records.some((r) => r.kind === 'info' && /no GET stream \(405\)/.test(r.message)),
        'the 405 for the GET stream in words',
      );
    } finally {
      await session.close();
      session.dispose();
    }
  });
});
