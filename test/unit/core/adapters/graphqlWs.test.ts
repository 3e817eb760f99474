/**
 * The GraphQL over WebSocket adapter against the graphql-ws library's server (graphql-transport-ws)
 * and subscriptions-transport-ws (legacy `graphql-ws`), both on 127.0.0.1: a counting subscription to
 * its complete, an error, two operations on one connection with one stopped, the refusals in words.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Connection } from '../../../../src/core/connection';
import { createConnection } from '../../../../src/core/index';
import type { ConnRecord, MessageRecord } from '../../../../src/core/records';
import { type GraphqlServers, startGraphqlServers } from './graphqlServers';
import { isDecoded, watch } from './records';

let servers: GraphqlServers;
const conns: Connection[] = [];

before(async () => {
  servers = await startGraphqlServers();
});

after(async () => {
  for (const c of conns) {
    c.dispose();
  }
  await servers.close();
});

function connect(url: string, options: Record<string, unknown>): Connection {
  const conn = createConnection({ url, adapter: { name: 'graphql-ws', options }, reconnect: { enabled: false } });
  conns.push(conn);
  return conn;
}

function done(conn: Connection): Promise<string> {
  return new Promise((resolve) => conn.onAdapterSignal((s) => s.kind === 'done' && resolve(s.reason)));
}

const results = (records: ConnRecord[]) =>
  records.filter(
    (r): r is MessageRecord => r.kind === 'message' && r.dir === 'in' && (r.decoded?.type === 'next' || r.decoded?.type === 'data'),
  );

for (const flavour of ['modern', 'legacy'] as const) {
  const next = flavour === 'modern' ? 'next' : 'data';
  describe(`GraphQL adapter (${flavour === 'modern' ? 'graphql-ws server, graphql-transport-ws' : 'subscriptions-transport-ws, legacy graphql-ws'})`, () => {
    it('counts to the end, then says every operation completed', async () => {
      const conn = connect(servers[flavour], { query: 'subscription ($to: Int!) { count(to: $to) }', variables: { to: 3 } });
      const w = watch(conn);
      const finished = done(conn);
      conn.connect();
      assert.equal(await finished, 'GraphQL: the operation completed');
      const open = w.records.find((r) => r.kind === 'open');
      assert.equal(open?.kind === 'open' && open.protocol, flavour === 'modern' ? 'graphql-transport-ws' : 'graphql-ws');
      const got = results(w.records);
      assert.deepEqual(
        got.map((r) => JSON.parse(JSON.stringify(r.decoded))),
        [1, 2, 3].map((n) => ({ protocol: 'graphql-ws', type: next, id: '1', payload: { data: { count: n } }, label: '#1' })),
      );
      assert.equal(JSON.parse(got[0].data).payload.data.count, 1, 'data is the raw frame');
      assert.equal(w.decoded('complete').length, 1);
      const out = w.decoded(flavour === 'modern' ? 'subscribe' : 'start', 'out')[0];
      assert.deepEqual(out.payload, { query: 'subscription ($to: Int!) { count(to: $to) }', variables: { to: 3 } });
      assert.equal(conn.state, 'open', 'the socket stays open until the front closes it');
    });

    it('runs two operations on one connection; stopping one and completing the other is done', async () => {
      const conn = connect(servers[flavour], {});
      const w = watch(conn);
      const finished = done(conn);
      conn.connect();
      conn.send({ verb: 'subscribe', fields: { query: 'subscription { forever }' } });
      conn.send({ verb: 'subscribe', fields: { query: 'subscription { count(to: 2) }' } });
      await w.next(isDecoded(next, 'in', (d) => d.id === '1'));
      conn.send({ verb: 'stop', fields: { id: '1' } });
      assert.throws(() => conn.send({ verb: 'stop', fields: { id: '1' } }), /already over/);
      assert.throws(() => conn.send({ verb: 'stop', fields: { id: '9' } }), /no operation #9/);
      assert.equal(await finished, 'GraphQL: all 2 operations completed');
      const stop = w.decoded(flavour === 'modern' ? 'complete' : 'stop', 'out');
      assert.deepEqual(
        stop.map((d) => d.id),
        ['1'],
      );
      const second = results(w.records).filter((r) => r.decoded!.id === '2');
      assert.equal(second.length, 2);
    });

    it('shows an operation error and counts it as the end of that operation', async () => {
      const conn = connect(servers[flavour], { query: 'subscription { fail }' });
      const w = watch(conn);
      const finished = done(conn);
      conn.connect();
      await finished;
      const errorOrData = w.records.filter(
        (r) => r.kind === 'message' && r.dir === 'in' && (r.decoded?.type === 'error' || r.decoded?.type === next),
      );
      assert.ok(errorOrData.length >= 1);
      assert.match(JSON.stringify(errorOrData.map((r) => r.kind === 'message' && r.decoded)), /fail is not allowed/);
    });

    it("a query the server rejects ends the work as failed, with the server's words", async () => {
      const conn = connect(servers[flavour], { query: 'subscription { nope }' });
      const failed = new Promise<{ reason: string; failed?: boolean }>((resolve) =>
        conn.onAdapterSignal((s) => s.kind === 'done' && resolve(s)),
      );
      conn.connect();
      const signal = await failed;
      assert.equal(signal.failed, true);
      assert.match(signal.reason, /^GraphQL: the operation failed: .*Cannot query field "nope" on type "Subscription"/);
    });

    it('a refused connection_init ends the attempt with the reason in words', async () => {
      const conn = connect(servers[flavour], { init: { token: 'bad' }, query: 'subscription { count(to: 1) }' });
      const w = watch(conn);
      conn.connect();
      const err = await w.next((r) => r.kind === 'error');
      assert.equal(err.kind === 'error' && err.code, 'ERR_PROTOCOL');
      assert.equal(err.kind === 'error' && err.fatal, true);
      assert.match(
        err.kind === 'error' ? err.message : '',
        flavour === 'modern'
          ? /^GraphQL server closed the connection with 4403 \(forbidden\)/
          : /^GraphQL refused the connection: bad token$/,
      );
    });
  });
}

describe('GraphQL adapter options', () => {
  it('names the option that is wrong', () => {
    assert.throws(() => connect(servers.modern, { variables: [1], query: 'x' }), /variables: must be a JSON object/);
    assert.throws(() => connect(servers.modern, { variables: { a: 1 } }), /variables: given without a query/);
  });
});
