/**
 * The embedded demo server: one local HTTP + WebSocket server on 127.0.0.1 that needs nothing else,
 * so a user with no endpoint at hand can try the inspector at once. The tests use it too.
 *
 *   GET  /sse            ticker: ids, several event types, JSON and plain payloads, `: heartbeat`
 *                        comments; honours Last-Event-ID (resumes after it)
 *   GET  /sse/once       a few events, then the server closes (shows reconnects and Last-Event-ID)
 *   POST /sse/llm        an OpenAI Chat Completions stream for a JSON body `{"prompt": "…"}`: text, a
 *                        tool call with its arguments in fragments, usage, [DONE]
 *   POST /sse/llm/anthropic  the same as an Anthropic Messages stream: thinking, text, tool_use, message_stop
 *   GET  /sse/hostile    payloads that must be shown as text: HTML, script, ANSI, bidi controls
 *   GET  /sse/private    401 with a JSON body unless `Authorization: Bearer demo-token`
 *   WS   /ws/echo        echoes text and binary frames unchanged
 *   WS   /ws/ticker      pushes JSON ticks; answers pings (pongs are automatic)
 *   WS   /ws/private     upgrade refused with 401 and a JSON body unless `Authorization: Bearer demo-token`
 *   Socket.IO /socket.io/, GraphQL over WebSocket /graphql: see protocolEndpoints.ts (where their
 *                        server libraries are installed)
 *   POST /mcp            an MCP server (Streamable HTTP): tools, a resource, a prompt (`mcpEndpoint.ts`)
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { ProfileAdapter } from '../core/profile';
import { anthropicStream, openAiChatStream } from './llmStreams';
import { GRAPHQL_PATH, type ProtocolEndpoints, startProtocolEndpoints } from './protocolEndpoints';
import { DEMO_TOKEN } from './token';
import { mcpEndpoint } from './mcpEndpoint';

export interface DemoServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; only loopback makes sense for a demo. Default 127.0.0.1. */
  host?: string;
  /** Interval between ticks, in ms. Default 1000. */
  tickMs?: number;
}

export interface DemoServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The Last-Event-ID header of every /sse and /sse/once request, in order ('' when absent). */
  readonly lastEventIds: readonly string[];
  /** URLs of the endpoints, for menus and docs. */
  readonly endpoints: ReadonlyArray<{
    name: string;
    url: string;
    kind: 'sse' | 'ws' | 'mcp';
    method?: string;
    /** The protocol adapter that speaks the endpoint's protocol. */
    adapter?: ProfileAdapter;
    description: string;
  }>;
  /** Why the Socket.IO and GraphQL endpoints are not served, when they are not. */
  readonly protocolsMissing?: string;
  close(): Promise<void>;
}

export { DEMO_TOKEN };

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const tickMs = options.tickMs ?? 1000;
  const lastEventIds: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const every = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setInterval(fn, ms);
    timers.add(t);
    return t;
  };
  const stop = (t: NodeJS.Timeout) => {
    clearInterval(t);
    clearTimeout(t);
    timers.delete(t);
  };

  const startStream = (res: http.ServerResponse, extraHeaders: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      ...extraHeaders,
    });
    res.flushHeaders();
  };

  const resumeFrom = (req: http.IncomingMessage): number => {
    const header = req.headers['last-event-id'];
    const value = Array.isArray(header) ? header[0] : (header ?? '');
    lastEventIds.push(value);
    const n = Number.parseInt(value, 10);
    return Number.isFinite(n) && n >= 0 ? n + 1 : 1;
  };

  const tickEvent = (n: number): string => {
    switch (n % 4) {
      case 1:
        return `id: ${n}\nevent: tick\ndata: ${JSON.stringify({ n, time: new Date().toISOString(), price: +(100 + Math.sin(n / 5) * 10).toFixed(2) })}\n\n`;
      case 2:
        return `id: ${n}\ndata: plain text message #${n}\n\n`;
      case 3:
        return `id: ${n}\nevent: news\ndata: Headline ${n}\ndata: a second line of the same event\n\n`;
      default:
        return `id: ${n}\nevent: status\ndata: ${JSON.stringify({ ok: true, load: [n % 7, (n * 3) % 11], nested: { level: 1, tags: ['a', 'b'] } })}\n\n`;
    }
  };

  const handleSse = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => {
    if (path === '/sse' || path === '/sse/once') {
      let n = resumeFrom(req);
      startStream(res);
      res.write(`retry: ${Math.max(500, Math.min(2000, tickMs * 2))}\n: connected to the Realtime Inspector demo\n\n`);
      const once = path === '/sse/once';
      let sent = 0;
      const t = every(tickMs, () => {
        res.write(tickEvent(n++));
        sent++;
        if (!once && sent % 3 === 0) {
          res.write(': heartbeat\n\n');
        }
        if (once && sent >= 3) {
          stop(t);
          res.end();
        }
      });
      res.on('close', () => stop(t));
      return;
    }
    if (path === '/sse/hostile') {
      startStream(res);
      const payloads = [
        '<img src=x onerror="document.title=\'pwned\'">',
        '</script><script>document.title="pwned"</script>',
        '\u001b[31mANSI red\u001b[0m and a bell \u0007',
        'bidi: \u202Egnp.exe\u202C and \u2066isolate\u2069',
        JSON.stringify({ html: '<b>bold?</b>', quote: '"\'`' }),
      ];
      payloads.forEach((p, i) => res.write(`id: h${i + 1}\nevent: hostile\ndata: ${p}\n\n`));
      const t = every(tickMs * 5, () => res.write(': still here\n\n'));
      res.on('close', () => stop(t));
      return;
    }
    if (path === '/sse/private') {
      if (req.headers.authorization !== `Bearer ${DEMO_TOKEN}`) {
        res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer realm="demo"' });
        res.end(JSON.stringify({ error: 'unauthorized', hint: `send Authorization: Bearer ${DEMO_TOKEN}` }));
        return;
      }
      startStream(res);
      let n = 1;
      const t = every(tickMs, () => res.write(`id: ${n}\nevent: secret\ndata: ${JSON.stringify({ n: n++ })}\n\n`));
      res.on('close', () => stop(t));
      return;
    }
    if (path === '/sse/llm' || path === '/sse/llm/anthropic') {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'POST a JSON body: {"prompt": "…"}' }));
        return;
      }
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body = (body + c).slice(0, 64 * 1024);
      });
      req.on('end', () => {
        let prompt: string;
        try {
          prompt = String((JSON.parse(body || '{}') as { prompt?: unknown }).prompt ?? '');
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ error: 'body is not JSON' }));
          return;
        }
        startStream(res);
        const events = path === '/sse/llm' ? openAiChatStream(prompt) : anthropicStream(prompt);
        let i = 0;
        const t = every(Math.max(20, Math.round(tickMs / 10)), () => {
          res.write(events[i++]);
          if (i === events.length) {
            stop(t);
            res.end();
          }
        });
        res.on('close', () => stop(t));
      });
      return;
    }
    notFound(res);
  };

  const mcp = mcpEndpoint(
    (ms, fn) => {
      const t = every(ms, fn);
      return { stop: () => stop(t) };
    },
    Math.max(20, Math.round(tickMs / 4)),
  );

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') {
      mcp(req, res);
      return;
    }
    if (path === '/' || path === '/index.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ name: 'Realtime Inspector demo server', endpoints: endpoints() }, null, 2));
      return;
    }
    if (path.startsWith('/sse')) {
      handleSse(req, res, path);
      return;
    }
    if (path.startsWith('/ws/')) {
      res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
      res.end('This endpoint speaks WebSocket: connect with ws://');
      return;
    }
    notFound(res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const protocolsStarted = startProtocolEndpoints(server, tickMs);
  const protocols: ProtocolEndpoints | undefined = protocolsStarted.ok ? protocolsStarted.endpoints : undefined;

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true, clientTracking: true });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (protocols?.ownsUpgrade(path)) {
      if (path === GRAPHQL_PATH) {
        protocols.handleUpgrade(req, socket, head);
      }
      return; // Socket.IO's engine takes its own upgrades
    }
    if (path === '/ws/private' && req.headers.authorization !== `Bearer ${DEMO_TOKEN}`) {
      const body = JSON.stringify({ error: 'unauthorized', hint: `send Authorization: Bearer ${DEMO_TOKEN}` });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nWWW-Authenticate: Bearer realm="demo"\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    if (path !== '/ws/echo' && path !== '/ws/ticker' && path !== '/ws/private') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onWebSocket(ws, path));
  });

  const onWebSocket = (ws: WebSocket, path: string) => {
    if (path === '/ws/echo') {
      ws.on('message', (data, isBinary) => {
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(data, { binary: isBinary });
        }
      });
      return;
    }
    // /ws/ticker and /ws/private push ticks.
    let n = 1;
    ws.send(JSON.stringify({ type: 'hello', path, interval: tickMs }));
    const t = every(tickMs, () => {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify({ type: 'tick', n: n++, time: new Date().toISOString(), value: +(Math.random() * 100).toFixed(3) }));
      }
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'stop') {
        stop(t);
        ws.close(1000, 'stopped on request');
      }
    });
    ws.on('close', () => stop(t));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const wsUrl = url.replace(/^http/, 'ws');

  function endpoints(): DemoServer['endpoints'] {
    return [
      {
        name: 'SSE ticker',
        url: `${url}/sse`,
        kind: 'sse',
        description: 'Events with ids, types, JSON and heartbeats; resumes from Last-Event-ID',
      },
      { name: 'SSE once', url: `${url}/sse/once`, kind: 'sse', description: 'Three events, then the server closes: watch the reconnect' },
      {
        name: 'SSE LLM stream (POST)',
        url: `${url}/sse/llm`,
        kind: 'sse',
        method: 'POST',
        description: 'OpenAI-style stream for a JSON body: text, a tool call, usage, [DONE]',
      },
      {
        name: 'SSE LLM stream, Anthropic-style (POST)',
        url: `${url}/sse/llm/anthropic`,
        kind: 'sse',
        method: 'POST',
        description: 'Anthropic Messages stream: thinking, text, a tool_use block, message_stop',
      },
      {
        name: 'SSE hostile payloads',
        url: `${url}/sse/hostile`,
        kind: 'sse',
        description: 'HTML, script, ANSI and bidi payloads, shown as text',
      },
      { name: 'SSE private (401)', url: `${url}/sse/private`, kind: 'sse', description: `401 unless Authorization: Bearer ${DEMO_TOKEN}` },
      { name: 'WebSocket echo', url: `${wsUrl}/ws/echo`, kind: 'ws', description: 'Echoes text and binary frames' },
      { name: 'WebSocket ticker', url: `${wsUrl}/ws/ticker`, kind: 'ws', description: 'Pushes JSON ticks; send "stop" to close' },
      {
        name: 'WebSocket private (401)',
        url: `${wsUrl}/ws/private`,
        kind: 'ws',
        description: `Upgrade refused with 401 unless Authorization: Bearer ${DEMO_TOKEN}`,
      },
      {
        name: 'MCP server',
        url: `${url}/mcp`,
        kind: 'mcp',
        description: 'Tools (one answers over SSE with progress), a resource and a prompt',
      },
      ...(protocols ? protocolEndpoints() : []),
    ];
  }

  function protocolEndpoints(): DemoServer['endpoints'] {
    return [
      {
        name: 'Socket.IO',
        url,
        kind: 'ws',
        adapter: { name: 'socket.io' },
        description: 'Socket.IO v4: a welcome, ticks, chat broadcast and acked echo; namespace /private needs auth',
      },
      {
        name: 'GraphQL subscription',
        url: `${wsUrl}${GRAPHQL_PATH}`,
        kind: 'ws',
        adapter: { name: 'graphql-ws', options: { query: 'subscription { countdown(from: 5) }' } },
        description: 'graphql-transport-ws: countdown and ticks subscriptions, a hello query',
      },
    ];
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    lastEventIds,
    endpoints: endpoints(),
    ...(protocolsStarted.ok ? {} : { protocolsMissing: protocolsStarted.reason }),
    close() {
      closing ??= (protocols?.close() ?? Promise.resolve())
        .catch(() => undefined)
        .then(
          () =>
            new Promise<void>((resolve) => {
              for (const t of timers) {
                stop(t);
              }
              for (const client of wss.clients) {
                client.terminate();
              }
              wss.close();
              server.close(() => resolve());
              for (const s of sockets) {
                s.destroy();
              }
            }),
        );
      return closing;
    },
  };
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found');
}
