/**
 * The GraphQL servers the adapter tests talk to, on 127.0.0.1: the graphql-ws library's server
 * (graphql-transport-ws) at `/graphql` and subscriptions-transport-ws (legacy `graphql-ws`) at
 * `/legacy`, on one schema: `count(to)` counts 1..to and completes, `fail` errors, `forever` never ends.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, subscribe } from 'graphql';
import type * as GraphqlWsUse from 'graphql-ws/dist/use/ws.cjs';
import type * as Legacy from 'subscriptions-transport-ws';
import { WebSocketServer } from 'ws';

// The package's `exports` subpath, which this project's module resolution does not read from an import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as typeof GraphqlWsUse;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SubscriptionServer } = require('subscriptions-transport-ws') as typeof Legacy;

async function* counting(to: number): AsyncGenerator<{ count: number }> {
  for (let n = 1; n <= to; n++) {
    yield { count: n };
  }
}

async function* forever(): AsyncGenerator<{ forever: number }> {
  let n = 0;
  for (;;) {
    yield { forever: ++n };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'world' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      count: {
        type: GraphQLInt,
        args: { to: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: (_: unknown, a: { to: number }) => counting(a.to),
      },
      forever: { type: GraphQLInt, subscribe: () => forever() },
      fail: {
        type: GraphQLInt,
        subscribe: () => {
          throw new Error('fail is not allowed');
        },
      },
    },
  }),
});

export interface GraphqlServers {
  modern: string;
  legacy: string;
  close(): Promise<void>;
}

export async function startGraphqlServers(): Promise<GraphqlServers> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  const cleanup = useServer(
    {
      schema,
      onConnect: (ctx) => (ctx.connectionParams as { token?: string } | undefined)?.token !== 'bad',
    },
    wss,
  );
  // A legacy server accepts the subprotocol it speaks, whichever the client offers first.
  const legacyWss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('graphql-ws') ? 'graphql-ws' : false),
  });
  const legacy = SubscriptionServer.create(
    {
      schema,
      execute,
      subscribe,
      onConnect: (params: { token?: string } | undefined) => {
        if (params?.token === 'bad') {
          throw new Error('bad token');
        }
        return true;
      },
    },
    legacyWss as never,
  );
  server.on('upgrade', (req, socket, head) => {
    const target = req.url?.startsWith('/legacy') ? legacyWss : wss;
    target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    modern: `ws://127.0.0.1:${port}/graphql`,
    legacy: `ws://127.0.0.1:${port}/legacy`,
    async close() {
      await cleanup.dispose();
      legacy.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
