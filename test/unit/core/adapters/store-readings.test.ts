/**
 * The store keeps a Socket.IO event's or a GraphQL result's reading as the shared reading of its type
 * and makes it again from the bytes it keeps: what it gives back (records, export, the batches the
 * panel gets) is what the adapter read when the frame came, the socket's buffers are not held, and a
 * decoded message costs the byte cap what the same message costs without an adapter. Real servers
 * (`socket.io`, `graphql-ws`) on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server } from 'socket.io';
import { plainDecoded } from '../../../../src/core/adapters/lazyDecoded';
import { BatchWriter, unpackBatch } from '../../../../src/core/batchFormat';
import type { Connection } from '../../../../src/core/connection';
import { createConnection } from '../../../../src/core/index';
import { ReceivedText } from '../../../../src/core/receivedText';
import type { ConnRecord, Decoded, MessageRecord } from '../../../../src/core/records';
import { MessageStore, recordCost } from '../../../../src/core/store';
import { startGraphqlServers, type GraphqlServers } from './graphqlServers';

const EVENTS = 1500;
/** Fewer than the events: the oldest are evicted and their chunks written over by later ones. */
const KEPT = 400;

let server: http.Server;
let io: Server;
let base: string;
let graphql: GraphqlServers;
const conns: Connection[] = [];

before(async () => {
  server = http.createServer();
  io = new Server(server);
  io.on('connection', (socket) => {
    socket.on('burst', (n: number) => {
      for (let i = 0; i < n; i++) {
        socket.emit(eventName(i), ...eventArgs(i));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  graphql = await startGraphqlServers();
});

after(async () => {
  for (const c of conns) {
    c.dispose();
  }
  await io.close();
  await graphql.close();
});

/** The name of the server's i-th event: names that repeat, change, need escapes or are not ASCII. */
const eventName = (i: number) => (i % 7 === 0 ? `évent ${i}` : i % 11 === 0 ? `quote "${i}"` : `tick-${i % 3}`);
const eventArgs = (i: number) => [{ i, text: 'x'.repeat(i % 50) }, [i, null, true]];

interface Arrival {
  /** Which of the server's messages it is (0 for the first). */
  index: number;
  /** What the message costs the byte cap without an adapter: its bytes as a bare WebSocket message. */
  bareCost: number;
}

/**
 * Connects, puts every record into a store as the extension does, and when the record is in, writes
 * over the socket's buffer it came in before anything reads its reading: from then on only the
 * store's own bytes can give the reading back.
 */
function storeOf(conn: Connection, store: MessageStore, arrivals: Map<number, Arrival>, counted: (d: Decoded) => boolean) {
  const waiters: (() => void)[] = [];
  conn.onRecord((r) => {
    store.add(r);
    if (r.kind === 'message' && r.dir === 'in' && r.decoded && counted(r.decoded) && r instanceof ReceivedText) {
      const bytes = r.utf8!;
      arrivals.set(r.seq, { index: arrivals.size, bareCost: recordCost(new ReceivedText(Buffer.from(bytes))) });
      bytes.fill(0x20);
      waiters.splice(0).forEach((w) => w());
    }
  });
  return {
    until: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (arrivals.size >= n ? resolve() : waiters.push(check));
        check();
      }),
  };
}

/** What the store gives back of the kept messages, in records and in the panel's batch, against what the server sent. */
function check(
  store: MessageStore,
  arrivals: Map<number, Arrival>,
  counted: (d: Decoded) => boolean,
  expected: (index: number) => Decoded,
): void {
  assert.equal(store.size, KEPT);
  const kept = store.toArray().filter((r): r is MessageRecord => r.kind === 'message' && r.decoded !== undefined && counted(r.decoded));
  assert.ok(kept.length > KEPT / 2, `${kept.length} of the newest records are the server's messages`);
  for (const r of kept) {
    const want = expected(arrivals.get(r.seq)!.index);
    assert.deepEqual(
      Object.fromEntries(Object.keys(want).map((k) => [k, plainDecoded(r.decoded!)[k]])),
      want,
      `record ${r.seq}: the reading made again is what the server sent`,
    );
  }
  const batch = new BatchWriter((r: ConnRecord) => r);
  store.pack(0, store.size, batch, 1 << 20);
  const rows = unpackBatch(batch.finish()).filter(
    (r): r is MessageRecord => r.kind === 'message' && r.decoded !== undefined && counted(r.decoded),
  );
  assert.equal(rows.length, kept.length);
  for (const row of rows) {
    const want = expected(arrivals.get(row.seq)!.index);
    assert.equal(row.decoded!.type, want.type, `row ${row.seq}`);
    assert.equal(row.decoded!.label, want.label, `row ${row.seq}`);
  }
  const others = store.toArray().filter((r) => !(r.kind === 'message' && r.decoded !== undefined && counted(r.decoded)));
  const bytes = kept.reduce((sum, r) => sum + arrivals.get(r.seq)!.bareCost, 0) + others.reduce((sum, r) => sum + recordCost(r), 0);
  assert.equal(store.bytes, bytes, 'a decoded message costs the byte cap what the bare message costs');
}

describe('the store and the adapters’ readings', () => {
  it('Socket.IO events: given back as they were read, after the socket’s buffers are written over and the chunks reused', async () => {
    const conn = createConnection({ url: base, adapter: { name: 'socket.io', options: {} }, reconnect: { enabled: false } });
    conns.push(conn);
    const store = new MessageStore({ maxRecords: KEPT });
    const arrivals = new Map<number, Arrival>();
    const isEvent = (d: Decoded) => d.type === 'event';
    const watched = storeOf(conn, store, arrivals, isEvent);
    conn.onAdapterSignal((s) => {
      if (s.kind === 'ready') {
        conn.send({ verb: 'emit', fields: { event: 'burst', args: [EVENTS] } });
      }
    });
    conn.connect();
    await watched.until(EVENTS);
    check(store, arrivals, isEvent, (i) => ({
      protocol: 'socket.io',
      type: 'event',
      namespace: '/',
      event: eventName(i),
      args: eventArgs(i),
      label: eventName(i),
    }));
  });

  it('GraphQL results: given back as they were read', async () => {
    const conn = createConnection({
      url: graphql.modern,
      adapter: { name: 'graphql-ws', options: { query: `subscription { count(to: ${EVENTS}) }` } },
      reconnect: { enabled: false },
    });
    conns.push(conn);
    const store = new MessageStore({ maxRecords: KEPT });
    const arrivals = new Map<number, Arrival>();
    const isResult = (d: Decoded) => d.type === 'next';
    const watched = storeOf(conn, store, arrivals, isResult);
    conn.connect();
    await watched.until(EVENTS);
    check(store, arrivals, isResult, (i) => ({
      protocol: 'graphql-ws',
      type: 'next',
      id: '1',
      payload: { data: { count: i + 1 } },
      label: '#1',
    }));
  });
});
