import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSdkServer, type TestMcpServer } from '../../fixtures/mcpServer';

const CLI = resolve(__dirname, '../../../../dist/cli.js');

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'mcp', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('close', (code) => done({ code, out, err }));
  });
}

const records = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('realtime-inspector mcp', () => {
  let server: TestMcpServer;
  before(async () => {
    server = await startSdkServer();
  });
  after(async () => {
    await server.close();
  });

  it('shows the handshake and the lists, exit 0, and deletes the session', async () => {
    const r = await run([`${server.url}/mcp`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^MCP test-server 1\.2\.3: protocol 2025-11-25, Streamable HTTP, session [0-9a-f-]+$/m);
    assert.match(r.out, /^tools \(7\):\n {2}echo — Says the text back$/m);
    assert.match(r.out, /^resources \(1\):\n {2}info:\/\/about/m);
    assert.match(r.out, /^prompts \(1\):\n {2}greet — A greeting$/m);
    const sid = /session ([0-9a-f-]+)/.exec(r.out)![1];
    assert.ok(server.deletes.includes(sid));
  });

  it('--json: records with decoded JSON-RPC, the initialized record and one per list', async () => {
    const r = await run([`${server.url}/mcp`, '--list', '--json']);
    assert.equal(r.code, 0, r.err);
    const all = records(r.out);
    const init = all.find((x) => x.kind === 'mcp' && x.event === 'initialized')!;
    assert.equal(init.protocolVersion, '2025-11-25');
    assert.equal(typeof init.sessionId, 'string');
    assert.deepEqual(init.serverInfo, { name: 'test-server', version: '1.2.3' });
    assert.ok(typeof init.capabilities === 'object');
    assert.deepEqual(
      all.filter((x) => x.kind === 'mcp').map((x) => x.event),
      ['initialized', 'tools', 'resources', 'prompts'],
    );
    const tools = all.find((x) => x.event === 'tools')!.items as { name: string }[];
    assert.equal(tools.length, 7);
    const response = all.find(
      (x) =>
        x.kind === 'message' &&
        (x.decoded as { method?: string; type?: string })?.method === 'tools/list' &&
        (x.decoded as { type: string }).type === 'response',
    )!;
    const d = response.decoded as Record<string, unknown>;
    assert.equal(d.protocol, 'json-rpc');
    assert.equal(typeof d.id, 'number');
    assert.equal(typeof d.latencyMs, 'number');
    assert.ok(Array.isArray((d.result as { tools: unknown[] }).tools));
  });

  it('--call with progress prints each step and the result', async () => {
    const r = await run([`${server.url}/mcp`, '--call', 'count', '--args', '{"n":3}']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^progress 1\/3\nprogress 2\/3\nprogress 3\/3\nresult of count:\n {2}counted to 3$/m);
    assert.doesNotMatch(r.out, /^tools \(/m, 'no lists unless asked');
  });

  it('a tool result with isError exits 1 and shows its text', async () => {
    const r = await run([`${server.url}/mcp-json`, '--call', 'fail']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^tool error of fail:\n {2}it broke$/m);
  });

  it('a JSON-RPC error exits 1 with its message', async () => {
    const r = await run([`${server.url}/mcp`, '--read', 'info://nothing']);
    assert.equal(r.code, 1);
    assert.match(r.err, /resources\/read failed: .*\(code -?\d+\)/);
  });

  it('--read and --get', async () => {
    const r = await run([`${server.url}/mcp`, '--read', 'info://about', '--get', 'greet', '--args', '{"name":"Ann"}']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^resource info:\/\/about:\n {2}all about it$/m);
    assert.match(r.out, /^prompt greet:\n {2}Hello, Ann$/m);
  });

  it('speaks the older HTTP+SSE transport', async () => {
    const r = await run([`${server.url}/sse`, '--call', 'echo', '--args', '{"text":"over sse"}']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /HTTP\+SSE \(2024-11-05 transport\)/);
    assert.match(r.out, /^result of echo:\n {2}over sse$/m);
  });

  it('a 401 names the metadata and exits 1; a secret header is masked', async () => {
    const r = await run([`${server.url}/auth/mcp`, '-H', 'Authorization: Bearer ${secret:TOKEN}', '--json'], {
      RI_SECRET_TOKEN: 'tok-very-secret',
    });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out + r.err, /tok-very-secret/);
    const error = records(r.out).find((x) => x.kind === 'error' && x.status === 401)!;
    assert.match(
      String(error.message),
      /resource metadata is at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/auth\/mcp/,
    );
  });

  it('an unreachable server exits 3; a usage error exits 2', async () => {
    const r = await run(['http://127.0.0.1:1/mcp']);
    assert.equal(r.code, 3);
    assert.match(r.err, /Connection refused/);
    const u = await run([`${server.url}/mcp`, '--args', '{}']);
    assert.equal(u.code, 2);
    assert.match(u.err, /--args goes with --call TOOL or --get PROMPT/);
  });
});
