/**
 * The workbench in the editor against the demo server on 127.0.0.1: the active environment fills
 * `{{name}}` on connect and in sends (an undefined one is named, nothing connects), dynamic values are
 * resolved at each send, Copy as keeps secrets as placeholders unless asked, Paste as Connection
 * connects to a pasted command.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { MessageRecord } from '../../../src/core/records';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

const config = () => vscode.workspace.getConfiguration('realtimeInspector');

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
});
