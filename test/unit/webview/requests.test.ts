import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FromWebviewMessage, SendResultMessage } from '../../../src/protocol';
import { HostRequests } from '../../../webview/requests';

describe('webview requests: each reply settles the request with its id', () => {
  it('posts the request with a fresh id and resolves with the reply of that id, in any order', async () => {
    const posted: FromWebviewMessage[] = [];
    const requests = new HostRequests((msg) => posted.push(msg));
    const full = requests.request('getFull', { seq: 42 });
    const sent = requests.request('send', { mode: 'text', data: 'hi' });
    assert.deepEqual(
      posted.map((m) => ({ ...m })),
      [
        { type: 'getFull', seq: 42, requestId: 1 },
        { type: 'send', mode: 'text', data: 'hi', requestId: 2 },
      ],
    );
    const sendReply: SendResultMessage = { type: 'sendResult', requestId: 2, ok: false, error: 'not open' };
    assert.equal(requests.settle(sendReply), true);
    assert.equal(requests.settle({ type: 'fullRecord', requestId: 1, record: undefined }), true);
    assert.deepEqual(await sent, sendReply);
    assert.deepEqual(await full, { type: 'fullRecord', requestId: 1, record: undefined });
  });
  it('ignores a reply no request waits for, and a second reply to the same request', async () => {
    const requests = new HostRequests(() => undefined);
    assert.equal(requests.settle({ type: 'sendResult', requestId: 7, ok: true }), false);
    const ping = requests.request('ping', {});
    assert.equal(requests.settle({ type: 'sendResult', requestId: 1, ok: true }), true);
    assert.equal(requests.settle({ type: 'sendResult', requestId: 1, ok: false }), false);
    assert.equal((await ping).ok, true);
  });
});
