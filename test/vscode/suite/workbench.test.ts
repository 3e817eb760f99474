/**
 * The workbench in the editor against the demo server on 127.0.0.1: the active environment fills
 * `{{name}}` on connect and in sends (an undefined one is named, nothing connects), dynamic values are
 * resolved at each send, Copy as keeps secrets as placeholders unless asked, Paste as Connection
 * connects to a pasted command, Compare opens two rows of a panel in the diff editor, Save as Message
 * writes into the profile, the send box's repeat sends N messages to the echo server and ends with its
 * connection, and the send history outlives the panel.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { MessageRecord } from '../../../src/core/records';
import type { Session } from '../../../src/session/session';
import type { SavedMessage } from '../../../src/core/workbench/savedMessages';
import { cleanUp, demoServer, getApi, tapPosts, waitFor, waitState } from './helpers';

const config = () => vscode.workspace.getConfiguration('realtimeInspector');

const messagesOf = (dir: 'in' | 'out', session: Session) =>
  session.store.toArray().filter((r): r is MessageRecord => r.kind === 'message' && r.dir === dir);

/** The profile's `messages` as workspace settings hold them. */
const savedMessages = (profile: string): SavedMessage[] =>
  (config().inspect<{ name: string; messages?: SavedMessage[] }[]>('profiles')?.workspaceValue ?? []).find((p) => p.name === profile)
    ?.messages ?? [];

async function closeCompareEditors(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputTextDiff && tab.input.original.scheme === 'realtime-compare') {
        await vscode.window.tabGroups.close(tab);
      }
    }
  }
}

suite('Workbench', () => {
  let api: RealtimeInspectorApi;
  let host: string;

  suiteSetup(async () => {
    api = await getApi();
    host = new URL((await demoServer()).url).host;
  });

  teardown(async () => {
    await cleanUp(api);
    await api.services.environments.select(undefined);
    await config().update('environments', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('the active environment fills {{host}} on connect and {{room}} in a send; dynamic values at each send', async () => {
    await config().update('environments', { dev: { host, room: 'lobby' }, other: {} }, vscode.ConfigurationTarget.Workspace);
    await config().update('profiles', [{ name: 'echo', url: 'ws://{{host}}/ws/echo' }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.entries.length === 1, 'the profile');
    assert.equal(await vscode.commands.executeCommand('realtimeInspector.selectEnvironment', 'dev'), 'dev');
    assert.equal(api.services.environments.current.name, 'dev');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'echo', { panel: false }))!;
    await waitState(session, 'open');
    const c = session.requireConnection();
    c.sendText(session.resolveOutgoing('join {{room}} #{{$seq}}'));
    c.sendText(session.resolveOutgoing('again #{{$seq}}'));
    const echoed = () =>
      session.store
        .toArray()
        .filter((r): r is MessageRecord => r.kind === 'message' && r.dir === 'in')
        .map((r) => r.data);
    await waitFor(() => echoed().length >= 2, 'two echoes');
    assert.deepEqual(echoed(), ['join lobby #1', 'again #2'], 'sent resolved, and logged as sent');
    assert.throws(() => session.resolveOutgoing('to {{nope}}'), /\{\{nope\}\} is not defined: environment "dev" does not define it/);
    assert.equal(echoed().length, 2, 'nothing was sent half resolved');
  });

  test('Send Saved Message sends a profile message once, then on a repeat, dynamic values per send', async () => {
    await config().update(
      'profiles',
      [
        {
          name: 'saved',
          url: `ws://${host}/ws/echo`,
          messages: [
            { name: 'hello', body: 'hello #{{$seq}}' },
            { name: 'json', format: 'json', body: '{"n":{{$seq}}}' },
          ],
        },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.entries.length === 1, 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'saved', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(await vscode.commands.executeCommand('realtimeInspector.sendSavedMessage', session.id, 'hello', false), 'hello');
    await vscode.commands.executeCommand('realtimeInspector.sendSavedMessage', session.id, 'json', { everyMs: 10, times: 3 });
    const echoed = () =>
      session.store
        .toArray()
        .filter((r): r is MessageRecord => r.kind === 'message' && r.dir === 'in')
        .map((r) => r.data);
    await waitFor(() => echoed().length >= 4, 'four echoes');
    assert.deepEqual(echoed(), ['hello #1', '{"n":2}', '{"n":3}', '{"n":4}']);
    await waitFor(() => session.repeat.value?.status.stopped !== undefined, 'the repeat to finish');
    assert.equal(session.repeat.value?.status.stopped, 'done: 3 sent');

    // Compare with previous of this type: the last echo against the one before it, in the diff editor.
    const ins = session.store.toArray().filter((r): r is MessageRecord => r.kind === 'message' && r.dir === 'in');
    assert.equal(await vscode.commands.executeCommand('realtimeInspector.compareWithPrevious', session.id, ins[3].seq), true);
    const docs = await waitFor(() => {
      const open = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'realtime-compare');
      return open.length >= 2 ? open : undefined;
    }, 'the two compare documents');
    const texts = docs.map((d) => d.getText());
    assert.ok(texts.includes('{\n  "n": 3\n}') && texts.includes('{\n  "n": 4\n}'), JSON.stringify(texts));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('an undefined variable is named before connecting', async () => {
    await config().update('environments', { other: {} }, vscode.ConfigurationTarget.Workspace);
    await api.services.environments.select('other');
    const session = api.services.sessions.create({ name: 'p', url: 'ws://{{host}}/ws/echo' }, 'adhoc');
    const result = await session.connect();
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.message, /Profile "p": \{\{host\}\} is not defined: environment "other" does not define it/);
    assert.equal(session.connection, undefined, 'no connection was made');
  });

  test('Copy as: secrets as placeholders unless the real values are asked for', async () => {
    const session = api.services.sessions.create(
      { url: `ws://${host}/ws/echo`, headers: { 'X-Api-Key': 'k-123', 'X-Trace': '7' } },
      'adhoc',
    );
    const masked = await vscode.commands.executeCommand<string>('realtimeInspector.copyAs', session.id, 'websocat', { real: false });
    assert.equal(masked, `websocat -H 'X-Api-Key: <X-Api-Key>' -H 'X-Trace: 7' ws://${host}/ws/echo`);
    assert.equal(await vscode.env.clipboard.readText(), masked);
    const real = await vscode.commands.executeCommand<string>('realtimeInspector.copyAs', session.id, 'wscat', { real: true });
    assert.equal(real, `wscat -c ws://${host}/ws/echo -H 'X-Api-Key: k-123' -H 'X-Trace: 7'`);
  });

  test('Paste as Connection connects to a pasted websocat command', async () => {
    const session = (await vscode.commands.executeCommand<Session>(
      'realtimeInspector.pasteAsConnection',
      `websocat -H 'X-Trace: 1' ws://${host}/ws/echo`,
      { offerSave: false },
    ))!;
    await waitState(session, 'open');
    assert.equal(session.kind, 'ws');
    assert.deepEqual(session.config.headers, { 'X-Trace': '1' });
    const bad = await vscode.commands.executeCommand('realtimeInspector.pasteAsConnection', 'curl --frobnicate http://x/', {
      offerSave: false,
    });
    assert.equal(bad, undefined, 'a bad command is an error in words, no connection');
  });

  test('Compare two rows a panel selected: the diff editor opens with both payloads, pretty-printed', async () => {
    await config().update('profiles', [{ name: 'cmp', url: `ws://${host}/ws/echo` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('cmp'), 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'cmp'))!;
    await waitState(session, 'open');
    const c = session.requireConnection();
    c.sendText('{"price":101,"sym":"BTC"}');
    c.sendText('{"sym":"BTC","price":102}');
    await waitFor(() => messagesOf('in', session).length >= 2, 'two echoes');
    const [a, b] = messagesOf('in', session);
    const panel = await waitFor(() => api.services.panels.get(session), 'the panel');
    await closeCompareEditors();
    // What the webview posts for Ctrl+click on one row, then Compare.
    await panel.handle({ type: 'compare', seqs: [a.seq, b.seq] });
    const diff = await waitFor(() => {
      const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff);
      return tab?.input as vscode.TabInputTextDiff | undefined;
    }, 'the diff editor');
    assert.equal(diff.original.scheme, 'realtime-compare');
    const left = await vscode.workspace.openTextDocument(diff.original);
    const right = await vscode.workspace.openTextDocument(diff.modified);
    assert.equal(left.getText(), '{\n  "price": 101,\n  "sym": "BTC"\n}');
    assert.equal(right.getText(), '{\n  "price": 102,\n  "sym": "BTC"\n}', 'keys in the same order on both sides');
    await closeCompareEditors();
    // The row's context menu passes the panel's pair the same way.
    assert.equal(
      await vscode.commands.executeCommand('realtimeInspector.compare', {
        webviewSection: 'message',
        connectionId: session.id,
        seq: b.seq,
        comparePair: true,
        pair: [a.seq, b.seq],
      }),
      true,
    );
    await closeCompareEditors();
  });

  test('Save as Message writes the send box message and a sent row as written into the profile; the row names it; a secret in clear is refused', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'WB_TOKEN', 'wb-s3cret-77');
    await config().update(
      'profiles',
      [{ name: 'saver', url: `ws://${host}/ws/echo`, headers: { 'X-Key': '${secret:WB_TOKEN}' } }],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.get('saver'), 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'saver'))!;
    await waitState(session, 'open');
    const panel = await waitFor(() => api.services.panels.get(session), 'the panel');
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const save = (ctx: object, name: string) =>
        vscode.commands.executeCommand<string | undefined>('realtimeInspector.saveAsMessage', { connectionId: session.id, ...ctx }, name);
      assert.equal(await save({ message: { mode: 'json', data: '{"op":"join","token":"${secret:WB_TOKEN}"}' } }, 'join'), 'join');
      // A row the send box sent: saved as typed, {{$seq}} unresolved.
      await panel.handle({ type: 'send', requestId: 1, mode: 'text', data: 'hello #{{$seq}}' });
      const sent = await waitFor(() => messagesOf('out', session).find((r) => r.data === 'hello #1'), 'the sent row');
      assert.equal(await save({ seq: sent.seq }, 'hello'), 'hello');
      assert.deepEqual(savedMessages('saver'), [
        { name: 'join', format: 'json', body: '{"op":"join","token":"${secret:WB_TOKEN}"}' },
        { name: 'hello', format: 'text', body: 'hello #{{$seq}}' },
      ]);
      assert.equal(session.sent.get(sent.seq)?.saved, 'hello', 'the row remembers the saved message');
      assert.ok(
        tap.posted.some((m) => m.type === 'origins' && m.entries.some(([seq, name]) => seq === sent.seq && name === 'hello')),
        'the panel is told',
      );
      const configPost = tap.posted.filter((m) => m.type === 'config').pop();
      assert.deepEqual(
        configPost?.type === 'config' ? configPost.savedMessages?.map((m) => [m.name, m.mode]) : undefined,
        [
          ['join', 'json'],
          ['hello', 'text'],
        ],
        "the send box's list has them",
      );
      // Picked from the send box's list and sent unchanged: the row names it; a name the profile lacks is no label.
      await panel.handle({ type: 'send', requestId: 2, mode: 'text', data: 'hello #{{$seq}}', saved: 'hello' });
      await panel.handle({ type: 'send', requestId: 3, mode: 'text', data: 'hello #{{$seq}}', saved: 'nope' });
      const picked = await waitFor(() => {
        const rows = messagesOf('out', session);
        const a = rows.find((r) => r.data === 'hello #2');
        const b = rows.find((r) => r.data === 'hello #3');
        return a && b ? [a, b] : undefined;
      }, 'the picked sends');
      assert.deepEqual(
        picked.map((r) => session.sent.get(r.seq)?.saved),
        ['hello', undefined],
      );
      // A saved message sent: its row names it.
      await vscode.commands.executeCommand('realtimeInspector.sendSavedMessage', session.id, 'hello', false);
      const fromSaved = await waitFor(() => messagesOf('out', session).find((r) => r.data === 'hello #4'), 'the saved message sent');
      assert.equal(session.sent.get(fromSaved.seq)?.saved, 'hello');
      // The secret's value in clear is refused: settings never get it.
      assert.equal(await save({ message: { mode: 'text', data: 'key wb-s3cret-77' } }, 'leak'), undefined);
      assert.equal(await save({ message: { mode: 'text', data: 'again' } }, 'join'), undefined, 'a name taken is refused');
      assert.equal(savedMessages('saver').length, 2);
      assert.ok(!JSON.stringify(config().inspect('profiles')?.workspaceValue).includes('wb-s3cret-77'));
    } finally {
      tap.restore();
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'WB_TOKEN', '');
    }
  });

  test("the send box's repeat: N sends reach the echo server, the header is told, and it ends with its connection without resuming", async () => {
    await config().update('profiles', [{ name: 'rep', url: `ws://${host}/ws/echo` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('rep'), 'the profile');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'rep'))!;
    await waitState(session, 'open');
    const panel = await waitFor(() => api.services.panels.get(session), 'the panel');
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      await panel.handle({ type: 'repeat', requestId: 7, mode: 'text', data: 'tick #{{$seq}}', everyMs: 15, times: 5 });
      const reply = tap.posted.find((m) => m.type === 'sendResult' && m.requestId === 7);
      assert.deepEqual(reply && { ok: reply.type === 'sendResult' && reply.ok }, { ok: true });
      await waitFor(() => messagesOf('in', session).length >= 5, 'five echoes');
      assert.deepEqual(
        messagesOf('in', session).map((r) => r.data),
        ['tick #1', 'tick #2', 'tick #3', 'tick #4', 'tick #5'],
      );
      await waitFor(() => session.repeatView?.stopped === 'done: 5 sent', 'the repeat to finish');
      const last = await waitFor(
        () => tap.posted.filter((m) => m.type === 'repeat').pop() as { repeat?: { stopped?: string } } | undefined,
        'a repeat post',
      );
      assert.equal(last.repeat?.stopped, 'done: 5 sent', "the header's line is told it ended");
      // Until stopped: it ends when the connection closes, and a reconnect does not start it again.
      await panel.handle({ type: 'repeat', requestId: 8, mode: 'text', data: 'again', everyMs: 20 });
      await waitFor(() => messagesOf('in', session).filter((r) => r.data === 'again').length >= 2, 'two repeated echoes');
      await panel.handle({ type: 'disconnect' });
      await waitState(session, 'closed');
      assert.equal(session.repeatView?.stopped, 'the connection closed');
      await panel.handle({ type: 'repeat', requestId: 9, mode: 'text', data: 'closed', everyMs: 20 });
      const refused = tap.posted.find((m) => m.type === 'sendResult' && m.requestId === 9);
      assert.deepEqual(refused, { type: 'sendResult', requestId: 9, ok: false, error: 'Cannot repeat: the connection is closed' });
      assert.equal(session.repeatView?.stopped, 'the connection closed', 'the last repeat stays as it ended');
      const sentBefore = messagesOf('out', session).length;
      await session.connect();
      await waitState(session, 'open');
      session.requireConnection().sendText('probe');
      await waitFor(() => messagesOf('in', session).some((r) => r.data === 'probe'), 'the probe echo');
      assert.equal(messagesOf('out', session).length, sentBefore + 1, 'nothing repeated after the reconnect');
      assert.equal(session.repeatView?.running, false);
    } finally {
      tap.restore();
    }
  });

  test('the send history is kept per profile across panels and sessions, secrets masked', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'WB_HIST', 'hist-s3cret-9');
    await config().update(
      'profiles',
      [{ name: 'hist', url: `ws://${host}/ws/echo`, headers: { 'X-Key': '${secret:WB_HIST}' } }],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.get('hist'), 'the profile');
    try {
      let session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'hist'))!;
      await waitState(session, 'open');
      let panel = await waitFor(() => api.services.panels.get(session), 'the panel');
      await panel.handle({ type: 'send', requestId: 1, mode: 'text', data: 'first {{$seq}}' });
      await panel.handle({ type: 'send', requestId: 2, mode: 'text', data: 'with hist-s3cret-9 typed' });
      await waitFor(() => api.services.actions.sendHistory.get('hist').length >= 2, 'the history written');
      // The session goes, a new one of the profile opens a new panel: its init carries the history.
      api.services.sessions.remove(session);
      session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'hist'))!;
      await waitState(session, 'open');
      panel = await waitFor(() => api.services.panels.get(session), 'the new panel');
      const tap = tapPosts(panel.panel.webview);
      try {
        await panel.handle({ type: 'ready' });
        const init = tap.posted.find((m) => m.type === 'init');
        const history = init?.type === 'init' ? init.history : undefined;
        assert.deepEqual(history?.slice(-2), ['first {{$seq}}', 'with •••• typed']);
      } finally {
        tap.restore();
      }
    } finally {
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'WB_HIST', '');
    }
  });
});
