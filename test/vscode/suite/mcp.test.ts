/**
 * MCP servers in the editor, against a real `@modelcontextprotocol/sdk` server on 127.0.0.1: Inspect
 * MCP Server (with a URL, and by its prompts with a header), a profile with `"kind": "mcp"`, the
 * lists and JSON-RPC messages in the panel's log, a tool call through the panel's `mcpCall` request,
 * and the session's DELETE on disconnect.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { McpResultMessage } from '../../../src/protocol';
import type { Session } from '../../../src/session/session';
import { PNG_1X1, startSdkServer, type TestMcpServer } from '../../fixtures/mcpServer';
import { cleanUp, demoServer, getApi, tapPosts, waitFor, waitState } from './helpers';

suite('MCP servers', () => {
  let api: RealtimeInspectorApi;
  let server: TestMcpServer;

  suiteSetup(async () => {
    api = await getApi();
    server = await startSdkServer();
  });

  suiteTeardown(async () => {
    await server?.close();
  });

  teardown(async () => {
    await cleanUp(api);
  });

  const mcpEvent = (s: Session, event: string) =>
    s.store.toArray().find((r) => r.kind === 'mcp' && r.event === event) as
      Extract<ReturnType<Session['store']['toArray']>[number], { kind: 'mcp' }> | undefined;

  test('Inspect MCP Server with a URL: initialize and the lists in the log, a tool call through the panel, DELETE on disconnect', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.inspectMcpServer', `${server.url}/mcp`))!;
    assert.ok(session?.isMcp, 'an MCP session');
    await waitState(session, 'open', 15_000);
    const tools = await waitFor(() => mcpEvent(session, 'tools'), 'the tools list', 15_000);
    await waitFor(() => mcpEvent(session, 'prompts'), 'the prompts list', 15_000);
    assert.deepEqual(
      (tools.items as { name: string }[]).map((t) => t.name),
      ['echo', 'add', 'count', 'drop', 'fail', 'image'],
    );
    const init = mcpEvent(session, 'initialized')!;
    assert.equal((init.serverInfo as { name: string }).name, 'test-server');
    assert.ok(init.sessionId && server.sessions.has(init.sessionId), 'the server holds the session named in the log');
    // Every JSON-RPC message is a log record with its decoding; responses carry their latency.
    const listed = session.store
      .toArray()
      .find((r) => r.kind === 'message' && r.decoded?.method === 'tools/list' && r.decoded.type === 'response');
    assert.ok(listed && listed.kind === 'message' && typeof listed.decoded?.latencyMs === 'number', 'tools/list answered, with latencyMs');

    const stats = session.stats;
    assert.ok(
      stats.messagesIn >= 4 && stats.messagesOut >= 4 && stats.bytesIn > 0 && stats.bytesOut > 0,
      `counted: ${JSON.stringify(stats)}`,
    );
    const panel = api.services.panels.get(session)!;
    assert.ok(panel, 'the command opened the panel');
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const initMsg = tap.messages.find((m) => m.type === 'init');
      assert.ok(initMsg && initMsg.type === 'init');
      assert.equal(initMsg.config.kind, 'mcp', 'the panel shows its MCP view');
      assert.ok(
        initMsg.records.some((r) => r.kind === 'mcp' && r.event === 'tools'),
        "the view's lists come with the log",
      );

      await panel.handle({ type: 'mcpCall', requestId: 41, method: 'tools/call', name: 'echo', args: { text: 'hello from the panel' } });
      await panel.handle({ type: 'mcpCall', requestId: 42, method: 'tools/call', name: 'image', args: {} });
      await panel.handle({ type: 'mcpCall', requestId: 43, method: 'prompts/get', name: 'greet', args: { name: 'Ada' } });
      await panel.handle({ type: 'mcpCall', requestId: 44, method: 'tools/call', name: 'add', args: { a: 'one' } });
      const replies = tap.messages.filter((m): m is McpResultMessage => m.type === 'mcpResult');
      const by = (id: number) => replies.find((m) => m.requestId === id)!;
      assert.deepEqual(by(41).result, { content: [{ type: 'text', text: 'hello from the panel' }] });
      assert.deepEqual(by(42).result, { content: [{ type: 'image', data: PNG_1X1, mimeType: 'image/png' }] });
      assert.match(JSON.stringify(by(43).result), /Hello, Ada/);
      const bad = by(44);
      assert.ok(
        !bad.ok || (bad.result as { isError?: boolean }).isError === true,
        `arguments the schema refuses are an error: ${JSON.stringify(bad)}`,
      );
      assert.ok(
        session.store.toArray().some((r) => r.kind === 'mcp' && r.event === 'result' && r.name === 'echo'),
        'the call is in the log too',
      );
    } finally {
      tap.restore();
    }

    await vscode.commands.executeCommand('realtimeInspector.disconnect', session.id);
    await waitState(session, 'closed');
    await waitFor(() => server.deletes.includes(init.sessionId!), 'the DELETE of the session');
    const after = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'mcpCall', requestId: 45, method: 'tools/call', name: 'echo', args: { text: 'late' } });
      const late = after.messages.find((m): m is McpResultMessage => m.type === 'mcpResult');
      assert.deepEqual(late, { type: 'mcpResult', requestId: 45, ok: false, error: 'Not connected: connect to the MCP server first' });
    } finally {
      after.restore();
    }
  });

  test('a profile with "kind": "mcp" is listed and connects as an MCP session; the palette flow asks the URL, then headers', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'sdk tools', url: `${server.url}/mcp-json`, kind: 'mcp' }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.entries.some((e) => e.profile.name === 'sdk tools'), 'the MCP profile');
    const viaProfile = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'sdk tools'))!;
    assert.ok(viaProfile.isMcp);
    await waitFor(() => mcpEvent(viaProfile, 'resources'), 'the resources list', 15_000);
    assert.equal(viaProfile.status.state, 'open');

    const asked: string[] = [];
    const prompts = api.commands.mcp.prompts;
    api.commands.mcp.prompts = {
      url: async () => `${server.url}/mcp`,
      header: async (added) => {
        asked.push(added.join(','));
        return added.length ? '' : 'X-Trace: from-the-prompt';
      },
    };
    try {
      const typed = (await vscode.commands.executeCommand<Session>('realtimeInspector.inspectMcpServer', undefined, { panel: false }))!;
      assert.deepEqual(asked, ['', 'X-Trace']);
      assert.deepEqual(typed.config.headers, { 'X-Trace': 'from-the-prompt' });
      await waitFor(() => mcpEvent(typed, 'tools'), 'the tools list', 15_000);
      // Remove Connection ends the server's session too.
      const sid = mcpEvent(typed, 'initialized')!.sessionId!;
      await vscode.commands.executeCommand('realtimeInspector.removeConnection', typed.id);
      await waitFor(() => server.deletes.includes(sid), 'the DELETE of the removed session');
      const sent = typed.store.toArray().find((r) => r.kind === 'connecting');
      assert.ok(
        sent && sent.kind === 'connecting' && JSON.stringify(sent).includes('from-the-prompt'),
        'the header went with the requests',
      );
    } finally {
      api.commands.mcp.prompts = prompts;
    }
  });

  test('changing the kind in the request bar ends the session of the other kind', async () => {
    const demo = await demoServer();
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.inspectMcpServer', `${server.url}/mcp`, {
      panel: false,
    }))!;
    await waitFor(() => mcpEvent(session, 'tools'), 'the tools list', 15_000);
    const sid = mcpEvent(session, 'initialized')!.sessionId!;
    session.applyEditable({ ...session.editableConfig, url: `${demo.url}/sse`, kind: 'sse' });
    await session.connect();
    await waitState(session, 'open');
    await waitFor(() => server.deletes.includes(sid), 'the DELETE of the MCP session');
    assert.equal(session.kind, 'sse');
    assert.equal(session.mcp?.isActive, false);
    session.applyEditable({ ...session.editableConfig, url: `${server.url}/mcp`, kind: 'mcp' });
    await session.connect();
    await waitFor(() => session.connection?.isActive === false, 'the SSE stream to end');
    await waitState(session, 'open');
    assert.ok(session.mcp?.isActive, 'an MCP session again');
  });
});
