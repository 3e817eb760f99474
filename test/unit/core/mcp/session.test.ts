import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { McpError, McpSession } from '../../../../src/core/mcp';
import type { ConnRecord, McpRecord, MessageRecord } from '../../../../src/core/records';
import { startSdkServer, type TestMcpServer } from '../../../fixtures/mcpServer';

function recorded(session: McpSession): ConnRecord[] {
  const records: ConnRecord[] = [];
  session.onRecord((r) => records.push(r));
  return records;
}

const decodedOf = (r: ConnRecord) => (r.kind === 'message' ? (r.decoded as Record<string, unknown> | undefined) : undefined);

describe('MCP session against the SDK server', () => {
  let server: TestMcpServer;
  before(async () => {
    server = await startSdkServer();
  });
  after(async () => {
    await server.close();
  });

  it('initializes over Streamable HTTP: session id, protocol version, capabilities, then the lists', async () => {
    const session = new McpSession({ url: `${server.url}/mcp` });
    const records = recorded(session);
    const init = await session.initialize();
    assert.equal(init.event, 'initialized');
    assert.equal(init.transport, 'streamable-http');
    assert.ok(init.sessionId && server.sessions.has(init.sessionId));
    assert.equal(init.protocolVersion, '2025-11-25');
    assert.deepEqual(init.serverInfo, { name: 'test-server', version: '1.2.3' });
    assert.ok('tools' in (init.capabilities ?? {}));
    const tools = await session.list('tools');
    assert.deepEqual(
      tools?.map((t) => (t as { name: string }).name),
      ['echo', 'add', 'count', 'drop', 'sample', 'fail', 'image'],
    );
    const resources = await session.list('resources');
    assert.equal((resources?.[0] as { uri: string }).uri, 'info://about');
    await session.list('prompts');
    const lists = records.filter((r): r is McpRecord => r.kind === 'mcp').map((r) => r.event);
    assert.deepEqual(lists, ['initialized', 'tools', 'resources', 'prompts']);
    // Every POST carries the session id and protocol version after initialize.
    const posts = records.filter((r) => r.kind === 'connecting' && r.method === 'POST');
    assert.equal(posts[0].kind === 'connecting' && posts[0].headers['Mcp-Session-Id'], undefined);
    assert.equal(posts[1].kind === 'connecting' && posts[1].headers['Mcp-Session-Id'], init.sessionId);
    assert.equal(posts[1].kind === 'connecting' && posts[1].headers['MCP-Protocol-Version'], '2025-11-25');
    // The response to tools/list is matched to its request.
    const answer = records.find((r) => decodedOf(r)?.method === 'tools/list' && decodedOf(r)?.type === 'response');
    assert.equal(typeof decodedOf(answer!)?.latencyMs, 'number');
    await session.close();
    assert.ok(server.deletes.includes(init.sessionId), 'the session was deleted');
    assert.ok(!server.sessions.has(init.sessionId));
    session.dispose();
  });

  it('ties progress notifications of an SSE answer to their request', async () => {
    const session = new McpSession({ url: `${server.url}/mcp` });
    const records = recorded(session);
    await session.initialize();
    const progress: unknown[] = [];
    const result = await session.callTool('count', { n: 3 }, (p) => progress.push(p));
    assert.deepEqual(result.content, [{ type: 'text', text: 'counted to 3' }]);
    assert.equal(progress.length, 3);
    const notes = records.filter((r) => decodedOf(r)?.method === 'notifications/progress');
    assert.equal(notes.length, 3);
    const callId = decodedOf(records.find((r) => r.kind === 'message' && r.dir === 'out' && decodedOf(r)?.method === 'tools/call')!)?.id;
    for (const n of notes) {
      assert.equal(decodedOf(n)?.progressFor, callId);
      assert.equal((n as MessageRecord).event, 'message');
      assert.ok((n as MessageRecord).id, 'each event has its id');
    }
    await session.close();
    session.dispose();
  });

  it('reads JSON answers (enableJsonResponse)', async () => {
    const session = new McpSession({ url: `${server.url}/mcp-json` });
    const records = recorded(session);
    await session.initialize();
    const result = await session.callTool('add', { a: 2, b: 3 });
    assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
    const open = records.filter((r) => r.kind === 'open').map((r) => (r.kind === 'open' ? r.headers['content-type'] : ''));
    assert.ok(open.some((t) => t?.startsWith('application/json')));
    await session.close();
    session.dispose();
  });

  it('resumes a dropped SSE answer with Last-Event-ID and gets the rest', async () => {
    const session = new McpSession({ url: `${server.url}/mcp` });
    const records = recorded(session);
    await session.initialize();
    const result = await session.callTool('drop', {});
    assert.deepEqual(result.content, [{ type: 'text', text: 'finished after the drop' }]);
    const resumed = records.find((r) => r.kind === 'connecting' && r.method === 'GET' && r.lastEventId);
    assert.ok(resumed, 'a GET with Last-Event-ID');
    // Events before the drop are not sent again: every event id is seen once.
    const ids = records.filter((r) => r.kind === 'message' && r.dir === 'in' && r.id).map((r) => (r as MessageRecord).id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(records.some((r) => r.kind === 'info' && /Resumed after event/.test(r.message)));
    await session.close();
    session.dispose();
  });

  it('a JSON-RPC error and an isError result are told apart', async () => {
    const session = new McpSession({ url: `${server.url}/mcp` });
    await session.initialize();
    const failed = await session.callTool('fail', {});
    assert.equal(failed.isError, true);
    await assert.rejects(session.readResource('info://nothing'), (err: unknown) => err instanceof McpError && err.failure === 'rpc');
    await session.close();
    session.dispose();
  });

  it('a forgotten session (404) is said in words and marks the session expired', async () => {
    const session = new McpSession({ url: `${server.url}/mcp`, getStream: false });
    const records = recorded(session);
    await session.initialize();
    server.forgetSessions();
    await assert.rejects(session.list('tools'), (err: unknown) => err instanceof McpError && err.failure === 'expired');
    assert.equal(session.state, 'expired');
    assert.ok(records.some((r) => r.kind === 'mcp' && r.event === 'expired'));
    assert.ok(records.some((r) => r.kind === 'error' && /no longer knows session .*initialize again/.test(r.message)));
    await session.initialize();
    assert.equal(session.state, 'ready');
    await session.close();
    session.dispose();
  });

  it('falls back to the older HTTP+SSE transport', async () => {
    const session = new McpSession({ url: `${server.url}/sse` });
    const records = recorded(session);
    const init = await session.initialize();
    assert.equal(init.transport, 'sse');
    const tools = await session.list('tools');
    assert.ok(tools?.length);
    const result = await session.callTool('echo', { text: 'hi' });
    assert.deepEqual(result.content, [{ type: 'text', text: 'hi' }]);
    assert.ok(records.some((r) => r.kind === 'message' && r.event === 'endpoint'));
    await session.close();
    session.dispose();
  });

  it('a 401 names the resource metadata and the authorization server', async () => {
    const session = new McpSession({ url: `${server.url}/auth/mcp` });
    const records = recorded(session);
    await assert.rejects(session.initialize(), (err: unknown) => err instanceof McpError && err.failure === 'http');
    const error = records.find((r) => r.kind === 'error' && r.status === 401);
    assert.ok(error && error.kind === 'error');
    assert.match(error.message, /oauth-protected-resource\/auth\/mcp/);
    assert.match(error.message, /authorization server: http:\/\/127\.0\.0\.1:\d+\/oauth/);
    session.dispose();
  });

  it('an unreachable server fails as unreachable', async () => {
    const session = new McpSession({ url: 'http://127.0.0.1:1/mcp' });
    await assert.rejects(session.initialize(), (err: unknown) => err instanceof McpError && err.failure === 'unreachable');
    session.dispose();
  });

  it('masks header secrets in every record', async () => {
    const session = new McpSession({
      url: `${server.url}/mcp`,
      headers: { Authorization: 'Bearer tok-s3cret', 'X-Key': 'k3y-s3cret' },
      secrets: ['k3y-s3cret'],
    });
    const records = recorded(session);
    await session.initialize();
    await session.close();
    const text = JSON.stringify(records);
    assert.doesNotMatch(text, /tok-s3cret|k3y-s3cret/);
    session.dispose();
  });
});
