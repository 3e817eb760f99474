/**
 * MCP servers built with the real SDK (`@modelcontextprotocol/sdk`) on 127.0.0.1 for the tests: its
 * Streamable HTTP transport (stateful, session ids; SSE answers with an event store, or JSON answers
 * with `enableJsonResponse`), its SSE transport for the older protocol, and a route that asks for
 * authorization (401 with `WWW-Authenticate`). The routing is the SDK's documented pattern.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A 1×1 PNG. */
export const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export function buildServer(): McpServer {
  const server = new McpServer({ name: 'test-server', version: '1.2.3' }, { instructions: 'A server for tests' });
  server.registerTool('echo', { description: 'Says the text back', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('count', { description: 'Counts to n with progress', inputSchema: { n: z.number().int() } }, async ({ n }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= n; i++) {
      if (token !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: n } });
      }
    }
    return { content: [{ type: 'text', text: `counted to ${n}` }] };
  });
  server.registerTool('drop', { description: 'Drops its answer stream after one progress, then finishes' }, async (extra) => {
    const token = extra._meta?.progressToken;
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token ?? 0, progress: 1, total: 2 } });
    extra.closeSSEStream?.();
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token ?? 0, progress: 2, total: 2 } });
    return { content: [{ type: 'text', text: 'finished after the drop' }] };
  });
  server.registerTool('fail', { description: 'Always fails' }, () => ({ content: [{ type: 'text', text: 'it broke' }], isError: true }));
  server.registerTool('image', { description: 'A picture' }, () => ({
    content: [{ type: 'image', data: PNG_1X1, mimeType: 'image/png' }],
  }));
  server.registerResource('about', 'info://about', { description: 'About', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, text: 'all about it' }],
  }));
  server.registerPrompt('greet', { description: 'A greeting', argsSchema: { name: z.string() } }, ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${name}` } }],
  }));
  return server;
}

export interface TestMcpServer {
  url: string;
  /** Session ids the server holds, by route. */
  sessions: Map<string, StreamableHTTPServerTransport>;
  /** Forgets every session: the next request with its id gets 404, as the spec says. */
  forgetSessions(): void;
  /** DELETE requests seen. */
  deletes: string[];
  close(): Promise<void>;
}

export async function startSdkServer(): Promise<TestMcpServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const sse = new Map<string, SSEServerTransport>();
  const deletes: string[] = [];
  let origin = '';
  const streamable = async (req: http.IncomingMessage, res: http.ServerResponse, json: boolean) => {
    const sid = req.headers['mcp-session-id'] as string | undefined;
    if (req.method === 'DELETE' && sid) {
      deletes.push(sid);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) {
        chunks.push(c as Buffer);
      }
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    }
    let transport = sid ? sessions.get(sid) : undefined;
    if (!transport) {
      if (sid) {
        res
          .writeHead(404, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        res.writeHead(400).end('Bad Request: no session');
        return;
      }
      const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: json,
        eventStore: json ? undefined : new InMemoryEventStore(),
        retryInterval: json ? undefined : 10,
        onsessioninitialized: (id) => void sessions.set(id, t),
        onsessionclosed: (id) => void sessions.delete(id),
      });
      transport = t;
      await buildServer().connect(t);
    }
    await transport.handleRequest(req, res, body);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const go = async () => {
      if (url.pathname === '/mcp') {
        return streamable(req, res, false);
      }
      if (url.pathname === '/mcp-json') {
        return streamable(req, res, true);
      }
      if (url.pathname === '/sse' && req.method === 'GET') {
        const t = new SSEServerTransport('/messages', res);
        sse.set(t.sessionId, t);
        res.on('close', () => sse.delete(t.sessionId));
        await buildServer().connect(t);
        return;
      }
      if (url.pathname === '/messages' && req.method === 'POST') {
        const t = sse.get(url.searchParams.get('sessionId') ?? '');
        if (!t) {
          res.writeHead(404).end('no such session');
          return;
        }
        return t.handlePostMessage(req, res);
      }
      if (url.pathname === '/auth/mcp') {
        res
          .writeHead(401, {
            'WWW-Authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/auth/mcp", scope="tools"`,
          })
          .end('unauthorized');
        return;
      }
      if (url.pathname === '/.well-known/oauth-protected-resource/auth/mcp') {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ resource: `${origin}/auth/mcp`, authorization_servers: [`${origin}/oauth`] }));
        return;
      }
      res.writeHead(404).end('not found');
    };
    go().catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    sessions,
    deletes,
    forgetSessions() {
      for (const t of sessions.values()) {
        void t.close();
      }
      sessions.clear();
    },
    async close() {
      for (const t of sessions.values()) {
        await t.close();
      }
      for (const t of sse.values()) {
        await t.close();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
