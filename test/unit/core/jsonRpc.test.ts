import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyJsonRpc, decodeJsonRpcText, JsonRpcTracker, looksLikeJsonRpc } from '../../../src/core/jsonRpc';

describe('JSON-RPC reading', () => {
  it('tells a request, a notification, a response and an error apart', () => {
    assert.deepEqual(classifyJsonRpc({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }), {
      protocol: 'json-rpc',
      type: 'request',
      id: 1,
      method: 'eth_blockNumber',
      label: 'eth_blockNumber',
      params: [],
    });
    assert.equal(classifyJsonRpc({ jsonrpc: '2.0', method: 'tick' }).type, 'notification');
    assert.equal(classifyJsonRpc({ jsonrpc: '2.0', id: 'a', result: null }).type, 'response');
    const err = classifyJsonRpc({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    assert.equal(err.type, 'error');
    assert.deepEqual(err.error, { code: -32700, message: 'Parse error' });
    assert.equal(err.label, '-32700 Parse error');
  });

  it('says in words why something is not JSON-RPC', () => {
    assert.match(String(classifyJsonRpc({ id: 1, method: 'x' }).error), /no "jsonrpc": "2.0"/);
    assert.match(String(classifyJsonRpc({ jsonrpc: '2.0', id: 1 }).error), /"result" or "error"/);
    assert.match(String(classifyJsonRpc({ jsonrpc: '2.0', id: {}, method: 'm' }).error), /id that is not/);
    assert.match(String(decodeJsonRpcText('{nope')[0]!.error), /^not JSON: /);
    assert.match(String(decodeJsonRpcText('[]')[0]!.error), /empty batch/);
  });

  it('splits a batch into its parts', () => {
    const parts = decodeJsonRpcText('[{"jsonrpc":"2.0","id":1,"result":5},{"jsonrpc":"2.0","method":"n"},7]');
    assert.deepEqual(
      parts.map((p) => [p.type, p.part]),
      [
        ['response', { index: 0, count: 3 }],
        ['notification', { index: 1, count: 3 }],
        ['invalid', { index: 2, count: 3 }],
      ],
    );
    assert.equal(looksLikeJsonRpc(JSON.parse('[{"jsonrpc":"2.0","method":"n"}]')), true);
    assert.equal(looksLikeJsonRpc({ method: 'n' }), false);
  });

  it('pairs a response with its request: method and latency; an unasked id is marked', () => {
    const t = new JsonRpcTracker();
    t.sent(classifyJsonRpc({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), 1000);
    t.sent(classifyJsonRpc({ jsonrpc: '2.0', id: '7', method: 'other' }), 1001);
    const res = classifyJsonRpc({ jsonrpc: '2.0', id: 7, result: {} });
    t.received(res, 1042);
    assert.equal(res.method, 'tools/list');
    assert.equal(res.latencyMs, 42);
    assert.equal(t.pendingMethod('7'), 'other', 'the string id "7" is another request than the number 7');
    const again = classifyJsonRpc({ jsonrpc: '2.0', id: 7, result: {} });
    t.received(again, 1050);
    assert.equal(again.unmatched, true);
    assert.equal(again.latencyMs, undefined);
  });
});
