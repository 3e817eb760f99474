/**
 * Protocol adapters in the editor against the demo server's Socket.IO and GraphQL endpoints, served by
 * the real `socket.io` and `graphql-ws` libraries on 127.0.0.1: a profile with `adapter` connects
 * through it, the panel gets the adapter's verbs and sends through them, saved verb messages go out
 * through the adapter, and the records carry the decoded packets.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { MessageRecord } from '../../../src/core/records';
import type { SendResultMessage } from '../../../src/protocol';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, tapPosts, waitFor, waitState } from './helpers';

const config = () => vscode.workspace.getConfiguration('realtimeInspector');

const decodedIn = (session: Session) =>
  session.store.toArray().filter((r): r is MessageRecord => r.kind === 'message' && r.dir === 'in' && r.decoded !== undefined);

suite('Protocol adapters in the editor', () => {
  let api: RealtimeInspectorApi;
  let url: string;

  suiteSetup(async () => {
    api = await getApi();
    url = (await demoServer()).url;
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('a Socket.IO profile joins, the panel emits through the adapter with an ack, and a saved emit message goes out', async () => {
    await config().update(
      'profiles',
      [
        {
          name: 'sio',
          url,
          adapter: { name: 'socket.io' },
          messages: [{ name: 'echo', verb: 'emit', fields: { event: 'echo', args: [{ n: '#{{$seq}}' }], ack: true } }],
        },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.entries.length === 1, 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'sio'))!;
    await waitState(session, 'open');
    const welcome = await waitFor(
      () => decodedIn(session).find((r) => r.decoded?.type === 'event' && r.decoded.event === 'welcome'),
      'the welcome event, decoded',
    );
    assert.match(welcome.data, /^42\["welcome",/, 'the raw frame kept as data');
    assert.equal(welcome.decoded!.namespace, '/');

    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init');
      assert.equal(init.adapter?.name, 'socket.io');
      assert.deepEqual(
        init.adapter?.verbs.map((v) => v.name),
        ['emit'],
      );
      // The send box lists the saved verb message, its fields as the form holds them.
      assert.deepEqual(
        init.savedMessages?.map((m) => [m.name, m.verb, m.fields]),
        [['echo', 'emit', { event: 'echo', args: '[{"n":"#{{$seq}}"}]', ack: true }]],
      );
      await panel.handle({
        type: 'adapterSend',
        requestId: 1,
        verb: 'emit',
        fields: { event: 'echo', args: [{ from: 'panel' }], ack: true },
      });
      await panel.handle({ type: 'adapterSend', requestId: 2, verb: 'emit', fields: { args: [] } });
      const result = (id: number) => tap.messages.find((m): m is SendResultMessage => m.type === 'sendResult' && m.requestId === id);
      assert.equal(result(1)?.ok, true, result(1)?.error);
      assert.equal(result(2)?.ok, false);
      assert.match(result(2)!.error!, /event/i, 'a missing event name is said in words');
    } finally {
      tap.restore();
    }
    const ack = await waitFor(() => decodedIn(session).find((r) => r.decoded?.type === 'ack'), 'the ack of the panel emit');
    assert.deepEqual(ack.decoded!.args, [{ from: 'panel' }]);
    const sent = session.store
      .toArray()
      .find(
        (r): r is MessageRecord => r.kind === 'message' && r.dir === 'out' && r.decoded?.type === 'event' && r.decoded.event === 'echo',
      );
    assert.equal(sent?.decoded?.ackId, ack.decoded!.ackId, 'the ack answers the emit with the same ackId');

    assert.equal(await vscode.commands.executeCommand('realtimeInspector.sendSavedMessage', session.id, 'echo', false), 'echo');
    await waitFor(() => decodedIn(session).filter((r) => r.decoded?.type === 'ack').length >= 2, 'the ack of the saved message');
    const acks = decodedIn(session).filter((r) => r.decoded?.type === 'ack');
    // {{$seq}} counts the connection's sends: the panel's emit was the first.
    assert.deepEqual(acks[1].decoded!.args, [{ n: '#2' }], 'its dynamic value resolved at the send, once for the send');
  });

  test('a GraphQL profile runs its subscription to completion, then a saved query through the adapter', async () => {
    await config().update(
      'profiles',
      [
        {
          name: 'gql',
          url: `${url.replace('http', 'ws')}/graphql`,
          adapter: { name: 'graphql-ws', options: { query: 'subscription { countdown(from: 2) }' } },
          messages: [
            { name: 'hello', verb: 'subscribe', fields: { query: 'query ($n: String) { hello(name: $n) }', variables: { n: 'editor' } } },
          ],
        },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.entries.length === 1, 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'gql', { panel: false }))!;
    await waitState(session, 'open');
    await waitFor(
      () => session.store.toArray().some((r) => r.kind === 'info' && r.message === 'GraphQL: the operation completed'),
      'the countdown to complete',
    );
    const counted = decodedIn(session)
      .filter((r) => r.decoded?.type === 'next')
      .map((r) => (r.decoded!.payload as { data: { countdown: number } }).data.countdown);
    assert.deepEqual(counted, [2, 1, 0]);
    await vscode.commands.executeCommand('realtimeInspector.sendSavedMessage', session.id, 'hello', false);
    const hello = await waitFor(
      () => decodedIn(session).find((r) => r.decoded?.type === 'next' && r.decoded.id === '2'),
      'the saved query result',
    );
    assert.deepEqual(hello.decoded!.payload, { data: { hello: 'Hello, editor!' } });
  });
});
