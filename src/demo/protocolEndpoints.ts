/**
 * The demo server's protocol endpoints, served by the protocols' own server libraries so the adapters
 * meet the real thing:
 *
 *   Socket.IO  /socket.io/   namespace `/`: `welcome` on connect, a `tick` every interval, `chat`
 *                            broadcast to everyone (acked when asked), `echo` acked with its args
 *                            (binary attachments included); namespace `/private` refuses a
 *                            connection without `auth: { token: "demo-token" }` (connect_error)
 *   GraphQL    /graphql      graphql-transport-ws: `subscription { countdown(from: 5) }` counts down
 *                            and completes, `subscription { ticks(limit: 10) { n value time } }`,
 *                            `query { hello }`; an unknown field gets the server's validation error
 *
 * The libraries (`socket.io`, `graphql`, `graphql-ws`) are loaded when the server starts and are not
 * bundled into the extension: where they are not installed (the packaged extension) the demo serves
 * its SSE and WebSocket endpoints without these two, and its endpoint list says so.
 */
import type * as http from 'node:http';
import type * as Graphql from 'graphql';
import type * as GraphqlWsUse from 'graphql-ws/dist/use/ws.cjs';
import type * as SocketIo from 'socket.io';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { DEMO_TOKEN } from './token';

export const SOCKET_IO_PATH = '/socket.io/';
export const GRAPHQL_PATH = '/graphql';

const SCHEMA = `
  type Query {
    "A greeting: the smallest query there is."
    hello(name: String = "world"): String!
    "The server's time, ISO 8601."
    time: String!
  }
  type Tick {
    n: Int!
    value: Float!
    time: String!
  }
  type Subscription {
    "Counts down from \`from\` to 0, one a tick, then completes."
    countdown(from: Int = 5): Int!
    "\`limit\` ticks (0: until stopped), one an interval."
    ticks(limit: Int = 10): Tick!
  }
`;

export interface ProtocolEndpoints {
  /** Whether this upgrade is one of ours (the caller leaves it alone then). */
  ownsUpgrade(path: string): boolean;
  /** Takes an upgrade for `/graphql` (Socket.IO takes its own from the server). */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/** Why the protocol endpoints are not served, or the endpoints. */
export type ProtocolEndpointsResult = { ok: true; endpoints: ProtocolEndpoints } | { ok: false; reason: string };

export function startProtocolEndpoints(server: http.Server, tickMs: number): ProtocolEndpointsResult {
  let sio: typeof SocketIo;
  let graphql: typeof Graphql;
  let graphqlWs: typeof GraphqlWsUse;
  try {
    // Loaded here, not imported: the packaged extension runs without them. `graphql-ws/use/ws` is an
    // `exports` subpath, which this project's module resolution does not read from an import.
    /* eslint-disable @typescript-eslint/no-require-imports */
    sio = require('socket.io') as typeof SocketIo;
    graphql = require('graphql') as typeof Graphql;
    graphqlWs = require('graphql-ws/use/ws') as typeof GraphqlWsUse;
    /* eslint-enable @typescript-eslint/no-require-imports */
  } catch {
    return { ok: false, reason: 'the socket.io, graphql and graphql-ws packages are not installed here' };
  }
  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  // Socket.IO on the demo's own HTTP server; `destroyUpgrade: false` leaves the demo's other upgrades be.
  const io = new sio.Server(server, { path: SOCKET_IO_PATH, serveClient: false, destroyUpgrade: false, cors: { origin: '*' } });
  let tick = 0;
  const ticker = setInterval(() => {
    tick++;
    io.of('/').emit('tick', { n: tick, time: new Date().toISOString(), value: +(Math.random() * 100).toFixed(3) });
  }, tickMs);
  timers.add(ticker);
  io.of('/').on('connection', (socket) => {
    socket.emit('welcome', {
      id: socket.id,
      events: ['chat', 'echo'],
      hint: 'emit "chat" with {"text": "…"}; "echo" is acked with its args',
    });
    socket.on('chat', (message: unknown, ack?: unknown) => {
      io.of('/').emit('chat', { from: socket.id, message, at: new Date().toISOString() });
      if (typeof ack === 'function') {
        (ack as (reply: unknown) => void)({ received: true });
      }
    });
    socket.on('echo', (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (...reply: unknown[]) => void) : undefined;
      if (ack) {
        ack(...args);
      } else {
        socket.emit('echo', ...args);
      }
    });
  });
  const priv = io.of('/private');
  priv.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    next(token === DEMO_TOKEN ? undefined : new Error(`unauthorized: connect with auth {"token": "${DEMO_TOKEN}"}`));
  });
  priv.on('connection', (socket) => socket.emit('welcome', { id: socket.id, namespace: '/private' }));

  // GraphQL over WebSocket with the graphql-ws server and a schema built by graphql-js.
  const schema = graphql.buildSchema(SCHEMA);
  const roots = {
    query: {
      hello: ({ name }: { name: string }) => `Hello, ${name}!`,
      time: () => new Date().toISOString(),
    },
    subscription: {
      countdown: async function* ({ from }: { from: number }) {
        for (let n = Math.max(0, Math.min(from, 1000)); n >= 0; n--) {
          yield { countdown: n };
          if (n > 0) {
            await delay(tickMs);
          }
        }
      },
      ticks: async function* ({ limit }: { limit: number }) {
        for (let n = 1; limit <= 0 || n <= limit; n++) {
          yield { ticks: { n, value: +(Math.random() * 100).toFixed(3), time: new Date().toISOString() } };
          await delay(tickMs);
        }
      },
    },
  };
  const wss = new WebSocketServer({ noServer: true });
  const gql = graphqlWs.useServer({ schema, roots }, wss);

  return {
    ok: true,
    endpoints: {
      ownsUpgrade: (path) => path === GRAPHQL_PATH || path.startsWith(SOCKET_IO_PATH),
      handleUpgrade(req, socket, head) {
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      },
      async close() {
        for (const t of timers) {
          clearTimeout(t);
          clearInterval(t);
        }
        timers.clear();
        io.disconnectSockets(true);
        for (const client of wss.clients) {
          client.terminate();
        }
        // Closes the WebSocket server too.
        await gql.dispose();
        // Not io.close(): it would close the demo's HTTP server, which the demo closes itself.
        io.engine.close();
      },
    },
  };
}
