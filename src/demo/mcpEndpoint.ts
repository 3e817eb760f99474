/**
 * The demo's MCP server at `/mcp`: a small Streamable HTTP endpoint (protocol 2025-06-18) written here
 * rather than with `@modelcontextprotocol/sdk`, whose server bundle (about 750 KB minified, 180 KB
 * compressed) would take the extension past its 500 KB package. It speaks enough of the protocol to
 * show an MCP session: `initialize` with a session id, the lists, tool calls (one answered as an SSE
 * stream with progress notifications, the others as JSON), a resource, a prompt, 405 for the GET
 * stream, DELETE ending the session. The tests check it with the SDK's own client.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';

const PROTOCOL = '2025-06-18';
/** A 4×4 PNG in the demo's teal. */
const PNG_4X4 = 'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGPQmtsPRwzEcQAlwhVh9iKSOgAAAABJRU5ErkJggg==';

const TOOLS = [
  {
    name: 'echo',
    description: 'Says the text back',
    inputSchema: { type: 'object', properties: { text: { type: 'string', description: 'What to say' } }, required: ['text'] },
  },
  {
    name: 'add',
    description: 'Adds two numbers',
    inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
  },
  {
    name: 'count',
    description: 'Counts to n, with a progress notification per step (an SSE answer)',
    inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 20 } }, required: ['n'] },
  },
  {
    name: 'weather',
    description: 'A forecast as text and structured content',
    inputSchema: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
  { name: 'picture', description: 'An image result', inputSchema: { type: 'object', properties: {} } },
];

interface Rpc {
  jsonrpc?: unknown;
  id?: string | number | null;
  method?: unknown;
  params?: Record<string, unknown>;
}

type Answer = { result: unknown } | { error: { code: number; message: string } };

function toolResult(name: string, args: Record<string, unknown>): Answer {
  switch (name) {
    case 'echo':
      return typeof args.text === 'string'
        ? { result: { content: [{ type: 'text', text: args.text }] } }
        : { result: { content: [{ type: 'text', text: '"text" must be a string' }], isError: true } };
    case 'add':
      return typeof args.a === 'number' && typeof args.b === 'number'
        ? { result: { content: [{ type: 'text', text: String(args.a + args.b) }] } }
        : { result: { content: [{ type: 'text', text: '"a" and "b" must be numbers' }], isError: true } };
    case 'weather': {
      const city = typeof args.city === 'string' ? args.city : 'nowhere';
      const f = args.unit === 'fahrenheit';
      const forecast = { city, temperature: f ? 64 : 18, unit: f ? 'fahrenheit' : 'celsius', sky: 'light rain' };
      return {
        result: { content: [{ type: 'text', text: `${city}: ${forecast.temperature}°, ${forecast.sky}` }], structuredContent: forecast },
      };
    }
    case 'picture':
      return { result: { content: [{ type: 'image', data: PNG_4X4, mimeType: 'image/png' }] } };
    default:
      return { error: { code: -32602, message: `Unknown tool: ${name}` } };
  }
}

function answer(msg: Rpc): Answer | undefined {
  const p = msg.params ?? {};
  switch (msg.method) {
    case 'initialize':
      return {
        result: {
          protocolVersion: PROTOCOL,
          capabilities: { tools: {}, resources: {}, prompts: {} },
          serverInfo: { name: 'realtime-inspector-demo', version: '1.0.0' },
          instructions: 'The Realtime Inspector demo: try count (progress over SSE), weather or picture.',
        },
      };
    case 'ping':
      return { result: {} };
    case 'tools/list':
      return { result: { tools: TOOLS } };
    case 'resources/list':
      return {
        result: { resources: [{ uri: 'demo://readme', name: 'readme', description: 'About this server', mimeType: 'text/plain' }] },
      };
    case 'resources/read':
      return p.uri === 'demo://readme'
        ? { result: { contents: [{ uri: 'demo://readme', mimeType: 'text/plain', text: 'A demo MCP server inside Realtime Inspector.' }] } }
        : { error: { code: -32002, message: `Resource not found: ${String(p.uri)}` } };
    case 'prompts/list':
      return { result: { prompts: [{ name: 'greet', description: 'A greeting', arguments: [{ name: 'name', required: true }] }] } };
    case 'prompts/get': {
      const args = (p.arguments ?? {}) as Record<string, unknown>;
      return p.name === 'greet'
        ? { result: { messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${String(args.name ?? 'you')}` } }] } }
        : { error: { code: -32602, message: `Unknown prompt: ${String(p.name)}` } };
    }
    case 'tools/call':
      return toolResult(String(p.name), (p.arguments ?? {}) as Record<string, unknown>);
    default:
      return { error: { code: -32601, message: `Method not found: ${String(msg.method)}` } };
  }
}

/** The `/mcp` route; `every` runs a timer the demo server stops when it closes. */
export function mcpEndpoint(every: (ms: number, fn: () => void) => { stop(): void }, stepMs: number) {
  const sessions = new Set<string>();
  let nextEvent = 1;

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const rpcError = (res: http.ServerResponse, status: number, code: number, message: string) =>
    json(res, status, { jsonrpc: '2.0', id: null, error: { code, message } });

  /** `count`: progress notifications, then the result, as one SSE answer. */
  const countStream = (res: http.ServerResponse, msg: Rpc, sid: string) => {
    const n = Math.max(1, Math.min(20, Math.floor(Number((msg.params?.arguments as { n?: unknown })?.n) || 3)));
    const token = (msg.params?._meta as { progressToken?: unknown } | undefined)?.progressToken;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'Mcp-Session-Id': sid });
    const send = (m: unknown) => res.write(`id: ${nextEvent++}\ndata: ${JSON.stringify(m)}\n\n`);
    let i = 0;
    const timer = every(stepMs, () => {
      i++;
      if (token !== undefined) {
        send({
          jsonrpc: '2.0',
          method: 'notifications/progress',
          params: { progressToken: token, progress: i, total: n, message: `step ${i}` },
        });
      }
      if (i >= n) {
        timer.stop();
        send({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text: `counted to ${n}` }] } });
        res.end();
      }
    });
    res.on('close', () => timer.stop());
  };

  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const sid = req.headers['mcp-session-id'];
    const known = typeof sid === 'string' && sessions.has(sid);
    if (req.method === 'GET') {
      // No stream of server messages: the spec's answer for that.
      res.writeHead(405, { Allow: 'POST, DELETE' }).end();
      return;
    }
    if (req.method === 'DELETE') {
      if (known) {
        sessions.delete(sid);
      }
      res.writeHead(known ? 200 : 404).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'GET, POST, DELETE' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) {
        chunks.push(c);
      }
    });
    req.on('end', () => {
      let msg: Rpc;
      try {
        msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Rpc;
      } catch {
        rpcError(res, 400, -32700, 'Parse error: the body is not JSON');
        return;
      }
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || msg.jsonrpc !== '2.0') {
        rpcError(res, 400, -32600, 'Invalid request: one JSON-RPC 2.0 message per POST');
        return;
      }
      let session = known ? sid : undefined;
      if (msg.method === 'initialize') {
        session = randomUUID();
        sessions.add(session);
      } else if (!session) {
        if (typeof sid === 'string') {
          rpcError(res, 404, -32001, 'Session not found: initialize again');
        } else {
          rpcError(res, 400, -32000, 'Bad request: no Mcp-Session-Id (initialize first)');
        }
        return;
      }
      if (msg.id === undefined) {
        // A notification or a response to the server: accepted, nothing to answer.
        res.writeHead(202, { 'Mcp-Session-Id': session }).end();
        return;
      }
      if (msg.method === 'tools/call' && msg.params?.name === 'count') {
        countStream(res, msg, session);
        return;
      }
      const a = answer(msg)!;
      json(res, 200, { jsonrpc: '2.0', id: msg.id, ...a }, { 'Mcp-Session-Id': session });
    });
  };
}
