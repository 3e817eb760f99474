/**
 * STOMP, MQTT, JSON-RPC and SignalR end to end through `createConnection`: the adapter chosen by
 * name in the options, its handshake, decoded records both ways, the user's sends through
 * `Connection.send`, a refusal as an `ERR_PROTOCOL` error in words. Real servers on 127.0.0.1.
 */
import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { JSONRPCServer } from 'json-rpc-2.0';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Connection } from '../../../../src/core/connection';
import { createConnection } from '../../../../src/core/index';
import type { AdapterName, ErrorRecord, MessageRecord } from '../../../../src/core/records';
import { isDecoded, watch } from './records';
import { startSignalrFixture, type SignalrFixture } from './signalrFixture';
import { startStompBrokerJs, type StompBroker } from './stompBrokers';

const conns: Connection[] = [];
function connect(url: string, name: AdapterName, options: Record<string, unknown> = {}): Connection {
  const conn = createConnection({ url, adapter: { name, options }, reconnect: { enabled: false } });
  conns.push(conn);
  return conn;
}
after(() => conns.forEach((c) => c.dispose()));

describe('JSON-RPC through a connection', () => {
  let wss: WebSocketServer;
  let url: string;
  before(async () => {
    const rpc = new JSONRPCServer();
    rpc.addMethod('add', ([a, b]: [number, number]) => a + b);
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (s) =>
      s.on('message', (d) => void rpc.receive(JSON.parse(String(d))).then((r) => r && s.send(JSON.stringify(r)))),
    );
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  after(() => wss.close());

  it('sends its --method request on open and decodes the response with method and latency', async () => {
    const conn = connect(url, 'json-rpc', { method: 'add', params: [1, 2] });
    const w = watch(conn);
    conn.connect();
    const res = (await w.next(isDecoded('response'))) as MessageRecord;
    assert.deepEqual([res.decoded!.result, res.decoded!.method], [3, 'add']);
    assert.equal(res.data, '{"jsonrpc":"2.0","id":1,"result":3}');
    conn.send({ verb: 'request', fields: { method: 'add', params: '[5, 5]' } });
    const second = (await w.next(isDecoded('response', 'in', (d) => d.id === 2))) as MessageRecord;
    assert.equal(second.decoded!.result, 10);
    assert.equal(w.decoded('request', 'out').length, 2);
  });
});

describe('MQTT through a connection', () => {
  let broker: Aedes;
  let wss: WebSocketServer;
  let url: string;
  before(async () => {
    broker = await Aedes.createBroker();
    broker.authenticate = (_c, username, _p, done) => done(null, username !== 'nobody');
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (s) => broker.handle(createWebSocketStream(s) as never));
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  });
  after(async () => {
    wss.close();
    await new Promise((r) => broker.close(r as () => void));
  });

  it('subscribes from its options and receives what it publishes, decoded', async () => {
    const conn = connect(url, 'mqtt', { subscribe: ['room/#:1'] });
    const w = watch(conn);
    conn.connect();
    await w.next(isDecoded('suback'));
    conn.send({ verb: 'publish', fields: { topic: 'room/1', payload: '{"t":21}', qos: '1' } });
    const pub = (await w.next(isDecoded('publish'))) as MessageRecord;
    assert.deepEqual([pub.decoded!.topic, pub.decoded!.payload, pub.decoded!.qos], ['room/1', '{"t":21}', 1]);
    assert.equal(pub.format, 'binary');
  });

  it('ends the attempt with CONNACK refusal in words', async () => {
    const conn = connect(url, 'mqtt', { username: 'nobody', password: 'x' });
    const w = watch(conn);
    conn.connect();
    const err = (await w.next((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_PROTOCOL');
    assert.equal(err.message, 'the broker refused the connection: not authorized (return code 5)');
    const sent = w.records.find((r) => r.kind === 'message' && r.dir === 'out') as MessageRecord;
    assert.equal(sent.decoded!.type, 'connect');
  });
});

describe('STOMP through a connection', () => {
  let broker: StompBroker;
  before(async () => {
    broker = await startStompBrokerJs();
  });
  after(() => broker.stop());

  it('connects, subscribes and ends in words when the broker sends ERROR', async () => {
    const conn = connect(broker.url, 'stomp', { subscribe: ['/topic/a'], heartBeat: '0,0' });
    const w = watch(conn);
    conn.connect();
    const c = (await w.next(isDecoded('connected'))) as MessageRecord;
    assert.equal((c.decoded!.headers as Record<string, string>).version, '1.1');
    await w.next(isDecoded('subscribe', 'out'));
    const bad = connect(broker.url, 'stomp', { ...broker.badLogin });
    const wb = watch(bad);
    bad.connect();
    const err = (await wb.next((r) => r.kind === 'error')) as ErrorRecord;
    assert.equal(err.code, 'ERR_PROTOCOL');
    assert.match(err.message, /^the broker sent ERROR: CONNECTION ERROR/);
  });
});

describe('SignalR through a connection', () => {
  let hub: SignalrFixture;
  before(async () => {
    hub = await startSignalrFixture();
  });
  after(() => hub.close());

  it('negotiates before the WebSocket, shakes hands and invokes', async () => {
    const conn = connect(hub.url, 'signalr');
    const w = watch(conn);
    conn.connect();
    await w.next(isDecoded('handshake'));
    conn.send({ verb: 'invoke', fields: { target: 'Add', arguments: [2, 2] } });
    const done = (await w.next(isDecoded('completion'))) as MessageRecord;
    assert.deepEqual([done.decoded!.result, done.decoded!.target], [4, 'Add']);
  });
});
