/**
 * A SignalR hub written to the published protocol (HubProtocol.md, TransportProtocols.md): the
 * negotiate POST (version 1: connection id and token; `/redirect` answers with a URL and an access
 * token), the WebSocket on the hub's URL with `?id=TOKEN`, the JSON handshake, records ended by
 * U+001E, pings, invocations, streams and close. The tests check it with `@microsoft/signalr` as the
 * client, so it cannot drift from what real hubs do; then the adapter runs against it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

const RS = '\u001e';

export interface SignalrFixture {
  /** The hub's URL as a user gives it: `http://127.0.0.1:PORT/hub`. */
  url: string;
  /** Negotiate answers with a redirect to the hub and an access token. */
  redirectUrl: string;
  /** Authorization headers and access_token queries the hub saw (to check the redirect's token). */
  tokens: string[];
  /** Sends `message` to every client in one WebSocket frame (to test several records per frame). */
  broadcastRaw(text: string): void;
  close(): Promise<void>;
}

export async function startSignalrFixture(options: { pingMs?: number } = {}): Promise<SignalrFixture> {
  const tokens: string[] = [];
  const connections = new Set<string>();
  const sockets = new Set<WebSocket>();
  let n = 0;
  const http: Server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    if (req.method === 'POST' && u.pathname === '/hub/negotiate') {
      if (u.searchParams.get('negotiateVersion') !== '1') {
        res.writeHead(400).end();
        return;
      }
      if (req.headers.authorization) {
        tokens.push(req.headers.authorization);
      }
      const token = `token-${++n}`;
      connections.add(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          negotiateVersion: 1,
          connectionId: `conn-${n}`,
          connectionToken: token,
          availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
        }),
      );
      return;
    }
    if (req.method === 'POST' && u.pathname === '/redirect/negotiate') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hub`, accessToken: 'secret-token' }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    const u = new URL(req.url!, 'http://x');
    if (u.pathname !== '/hub' || !connections.has(u.searchParams.get('id') ?? '')) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    connections.delete(u.searchParams.get('id')!);
    const q = u.searchParams.get('access_token');
    if (q) {
      tokens.push(`query ${q}`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub(ws));
  });

  function hub(ws: WebSocket): void {
    sockets.add(ws);
    let handshaken = false;
    let buffer = '';
    let ping: NodeJS.Timeout | undefined;
    const send = (m: object): void => ws.send(JSON.stringify(m) + RS);
    ws.on('close', () => {
      sockets.delete(ws);
      clearInterval(ping);
    });
    ws.on('message', (data) => {
      buffer += String(data);
      const records = buffer.split(RS);
      buffer = records.pop()!;
      for (const r of records) {
        const m = JSON.parse(r) as { type?: number; protocol?: string; target?: string; arguments?: unknown[]; invocationId?: string };
        if (!handshaken) {
          if (m.protocol !== 'json') {
            ws.send(JSON.stringify({ error: `Requested protocol '${m.protocol}' is not available.` }) + RS);
            ws.close();
            return;
          }
          handshaken = true;
          ws.send('{}' + RS);
          if (options.pingMs) {
            ping = setInterval(() => send({ type: 6 }), options.pingMs);
          }
          continue;
        }
        if (m.type === 1) {
          invoke(m.target!, m.arguments ?? [], m.invocationId);
        } else if (m.type === 4) {
          const count = Number(m.arguments?.[0] ?? 0);
          for (let i = 0; i < count; i++) {
            send({ type: 2, invocationId: m.invocationId, item: i });
          }
          send({ type: 3, invocationId: m.invocationId });
        }
      }
    });

    function invoke(target: string, args: unknown[], id: string | undefined): void {
      const complete = (m: object): void => {
        if (id !== undefined) {
          send({ type: 3, invocationId: id, ...m });
        }
      };
      switch (target) {
        case 'Echo':
          return complete({ result: args[0] });
        case 'Add':
          return complete({ result: (args[0] as number) + (args[1] as number) });
        case 'Broadcast':
          for (const s of sockets) {
            s.send(JSON.stringify({ type: 1, target: 'ReceiveMessage', arguments: args }) + RS);
          }
          return complete({ result: null });
        case 'AskClient':
          send({ type: 1, target: 'GetName', arguments: [], invocationId: 'server-1' });
          return complete({ result: null });
        case 'CloseMe':
          send({ type: 7, error: 'Connection closed with an error. bye', allowReconnect: false });
          ws.close();
          return;
        default:
          return complete({ error: `Failed to invoke '${target}' because it does not exist.` });
      }
    }
  }

  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hub`,
    redirectUrl: `http://127.0.0.1:${port}/redirect`,
    tokens,
    broadcastRaw: (text) => sockets.forEach((s) => s.send(text)),
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.terminate());
        wss.close();
        http.closeAllConnections();
        http.close(() => r());
      }),
  };
}
