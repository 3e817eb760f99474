import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JSONRPCServer } from 'json-rpc-2.0';
import { WebSocketServer } from 'ws';
import { AdapterOptionError } from '../../../../src/core/adapters/adapter';
import { jsonRpcAdapter } from '../../../../src/core/adapters/jsonRpc';
import { AdapterHarness } from './harness';

/** A JSON-RPC server from the json-rpc-2.0 library on a `ws` server: each frame is handed to it whole. */
describe('JSON-RPC adapter against json-rpc-2.0', () => {
  let wss: WebSocketServer;
  let url: string;

  before(async () => {
    const rpc = new JSONRPCServer();
    rpc.addMethod('add', ([a, b]: [number, number]) => a + b);
    rpc.addMethod('greet', ({ name }: { name: string }) => `hello ${name}`);
    rpc.addMethod('log', () => undefined);
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (socket) => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'welcome', params: { server: 'test' } }));
      socket.on('message', (data) => {
        let request: unknown;
        try {
          request = JSON.parse(String(data));
        } catch {
          socket.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
          return;
        }
        void rpc.receive(request as never).then((response) => {
          if (response) {
            socket.send(JSON.stringify(response));
          }
        });
      });
    });
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/rpc`;
  });

  after(() => wss.close());

  it('pairs a response with its request: the method and the latency', async () => {
    const h = await AdapterHarness.open(jsonRpcAdapter, { method: 'add', params: [2, 3] }, url);
    const welcome = await h.next((d) => d.type === 'notification');
    assert.equal(welcome.method, 'welcome');
    assert.deepEqual(welcome.params, { server: 'test' });
    const res = await h.next((d) => d.type === 'response');
    assert.equal(res.result, 5);
    assert.equal(res.id, 1);
    assert.equal(res.method, 'add');
    assert.equal(typeof res.latencyMs, 'number');
    assert.ok((res.latencyMs as number) >= 0);
    assert.deepEqual(h.sent[0]!.decoded, { protocol: 'json-rpc', type: 'request', id: 1, method: 'add', label: 'add', params: [2, 3] });
    assert.equal(h.sent[0]!.text, '{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}');

    h.send({ verb: 'request', fields: { method: 'greet', params: '{"name":"Ada"}' } });
    const greet = await h.next((d) => d.type === 'response' && d.id === 2);
    assert.equal(greet.result, 'hello Ada');
    assert.equal(greet.method, 'greet');

    h.send({ verb: 'request', fields: { method: 'nope' } });
    const err = await h.next((d) => d.type === 'error');
    assert.equal(err.method, 'nope');
    assert.match(String(err.label), /^-32601 /);
    h.dispose();
  });

  it('splits a batch both ways and sends notifications without an id', async () => {
    const h = await AdapterHarness.open(jsonRpcAdapter, {}, url);
    await h.waitFor(() => h.isReady);
    h.send({ verb: 'notification', fields: { method: 'log', params: ['x'] } });
    assert.equal(h.sent[0]!.text, '{"jsonrpc":"2.0","method":"log","params":["x"]}');
    h.send({
      verb: 'raw',
      fields: {
        message: '[{"jsonrpc":"2.0","id":"a","method":"add","params":[1,1]},{"jsonrpc":"2.0","id":"b","method":"add","params":[2,2]}]',
      },
    });
    assert.equal(h.sent[1]!.decoded.type, 'batch');
    const b = await h.next((d) => d.type === 'response' && d.id === 'b');
    const a = h.received.find((d) => d.type === 'response' && d.id === 'a')!;
    assert.deepEqual([a.result, a.method, a.part], [2, 'add', { index: 0, count: 2 }]);
    assert.deepEqual([b.result, b.method, b.part], [4, 'add', { index: 1, count: 2 }]);
    h.dispose();
  });

  it('keeps going after a frame that is not JSON-RPC, and refuses bad sends in words', async () => {
    const h = await AdapterHarness.open(jsonRpcAdapter, {}, url);
    await h.waitFor(() => h.isReady);
    assert.throws(() => h.send({ verb: 'raw', fields: { message: '{"id":1}' } }), /not a JSON-RPC message: .*jsonrpc/);
    assert.throws(() => h.send({ verb: 'request', fields: { method: 'add', params: '[1,' } }), /params are not JSON/);
    assert.throws(() => h.send({ verb: 'request', fields: { method: '' } }), /needs a method/);
    // The server answers a frame that is not JSON with a parse error; ours is decoded as that error.
    const got = h.decode({ format: 'text', bytes: Buffer.from('hello') });
    assert.deepEqual(
      got.map((d) => d.type),
      ['invalid'],
    );
    assert.match(String(got[0]!.error), /^not JSON/);
    h.send({ verb: 'request', fields: { method: 'add', params: [40, 2] } });
    const res = await h.next((d) => d.type === 'response');
    assert.equal(res.result, 42);
    h.dispose();
  });

  it('checks its options, naming the option', () => {
    assert.throws(
      () => jsonRpcAdapter.options({ method: 3 }),
      (e: unknown) => e instanceof AdapterOptionError && e.option === 'method',
    );
    assert.throws(() => jsonRpcAdapter.options({ method: 'm', params: 'x' }), /^AdapterOptionError: params: /);
    assert.throws(() => jsonRpcAdapter.options({ params: [] }), /params: needs a method/);
    assert.deepEqual(jsonRpcAdapter.options({ method: 'm', params: [1], notify: true }), { method: 'm', params: [1], notify: true });
  });

  it('is suggested by a JSON-RPC subprotocol or an /rpc path', () => {
    assert.equal(jsonRpcAdapter.suggests!({ url: 'ws://x/', protocol: 'jsonrpc' }), true);
    assert.equal(jsonRpcAdapter.suggests!({ url: 'wss://node.example/rpc' }), true);
    assert.equal(jsonRpcAdapter.suggests!({ url: 'wss://chat.example/ws' }), false);
  });
});
