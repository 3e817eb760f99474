/**
 * The WebSocket upgrade request as recorded: the headers the handshake really sent (the user's and
 * those `ws` and Node add, Sec-WebSocket-Key among them), masked, against real servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConnRecord, ErrorRecord, OpenRecord, WsDetails } from '../../../src/core/records';
import { wsConnection } from '../../fixtures/wsHarness';
import { refuse, startWsServer } from '../../fixtures/wsServer';

const T = { timeout: 15_000 };
const is =
  <K extends ConnRecord['kind']>(kind: K) =>
  (r: ConnRecord) =>
    r.kind === kind;

/** Header names lower-cased, for comparing with what the server received. */
function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('WebSocket: the upgrade request headers as sent', () => {
  test('the open record and the details carry every header the server received, credentials masked', T, async () => {
    const srv = await startWsServer();
    const token = 'tok-3f9a7c';
    const h = wsConnection({
      url: srv.url,
      headers: { Authorization: `Bearer ${token}`, 'X-Trace': 'trace-1' },
      protocols: ['chat.v2'],
      secrets: [token],
    });
    try {
      h.conn.connect();
      const open = (await h.waitFor(is('open'))) as OpenRecord;
      const received = srv.requests[0].headers;
      const sent = lowerKeys(open.requestHeaders ?? {});
      // Every header the server got is recorded, with its value (the credential masked).
      assert.deepEqual(Object.keys(sent).sort(), Object.keys(received).sort());
      for (const [name, value] of Object.entries(received)) {
        assert.equal(sent[name], name === 'authorization' ? 'Bearer ••••' : value, name);
      }
      assert.equal(sent['sec-websocket-key'], received['sec-websocket-key']);
      assert.match(sent['sec-websocket-key'], /^[A-Za-z0-9+/]{22}==$/);
      assert.equal(sent['sec-websocket-version'], '13');
      assert.equal(sent['sec-websocket-protocol'], 'chat.v2');
      assert.equal(sent.host, `127.0.0.1:${srv.port}`);
      // The user's names keep the case they were written in.
      assert.ok('X-Trace' in (open.requestHeaders ?? {}));
      const details = h.conn.status.details as WsDetails;
      assert.deepEqual(details.requestHeaders, open.requestHeaders);
      assert.ok(!JSON.stringify(h.records).includes(token), 'the token never appears in a record');
      assert.ok(!JSON.stringify(h.conn.status).includes(token), 'nor in the status');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });

  test('a refused upgrade leaves the headers it sent in the details; an empty credential reads as empty', T, async () => {
    const srv = await startWsServer({
      onUpgrade: (_req, socket) => {
        refuse(socket, 401, { 'content-type': 'text/plain' }, 'no credentials');
        return true;
      },
    });
    const h = wsConnection({ url: srv.url, headers: { Authorization: '' } });
    try {
      h.conn.connect();
      const err = (await h.waitFor(is('error'))) as ErrorRecord;
      assert.equal(err.status, 401);
      const received = srv.requests[0].headers;
      const sent = lowerKeys((h.conn.status.details as WsDetails).requestHeaders);
      assert.equal(received.authorization, '');
      assert.equal(sent.authorization, '', 'empty, not a mask');
      assert.equal(sent['sec-websocket-key'], received['sec-websocket-key']);
      const connecting = h.records.find(is('connecting')) as Extract<ConnRecord, { kind: 'connecting' }>;
      assert.equal(connecting.headers.Authorization, '');
    } finally {
      h.conn.dispose();
      await srv.close();
    }
  });
});
