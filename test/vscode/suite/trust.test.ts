import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session';
import type { TrustSubject } from '../../../src/trust';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

suite('Workspace trust', () => {
  let api: RealtimeInspectorApi;
  let base: string;
  let asked: TrustSubject[];
  let answer: boolean;
  let originalTrusted: () => boolean;
  let originalConfirm: (s: TrustSubject) => Promise<boolean>;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
    originalTrusted = api.services.trust.isTrusted;
    originalConfirm = api.services.trust.confirm;
  });

  setup(() => {
    asked = [];
    answer = false;
    // A restricted window, and a user who answers the modal question with `answer`.
    api.services.trust.isTrusted = () => false;
    api.services.trust.confirm = async (s) => {
      asked.push(s);
      return answer;
    };
  });

  teardown(async () => {
    api.services.trust.isTrusted = originalTrusted;
    api.services.trust.confirm = originalConfirm;
    await cleanUp(api);
  });

  async function workspaceProfile(): Promise<void> {
    await vscode.workspace.getConfiguration('realtimeInspector').update('profiles', [{ name: 'internal', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('internal'), 'profile read');
  }

  test('in restricted mode a workspace profile does not connect when the user declines', async () => {
    await workspaceProfile();
    const before = (await demoServer()).lastEventIds.length;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
    assert.equal(asked.length, 1, 'the user was asked');
    assert.equal(asked[0].name, 'internal');
    assert.equal(session.connection, undefined, 'no connection was made');
    assert.equal(session.status.state, 'idle');
    assert.equal((await demoServer()).lastEventIds.length, before, 'the server saw no request');
  });

  test('in restricted mode a workspace profile connects after explicit confirmation, asked once', async () => {
    await workspaceProfile();
    answer = true;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 1);
    await vscode.commands.executeCommand('realtimeInspector.reconnect', session.id);
    await waitState(session, 'open');
    assert.equal(asked.length, 1, 'a reconnect does not ask again');
  });

  test('URLs the user typed connect in restricted mode without a question', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 0);
  });

  test('user-settings profiles connect in restricted mode without a question', async () => {
    await vscode.workspace.getConfiguration('realtimeInspector').update('profiles', [{ name: 'mine', url: `${base}/sse` }], vscode.ConfigurationTarget.Global);
    await waitFor(() => api.services.profiles.get('mine'), 'profile read');
    assert.equal(api.services.profiles.get('mine')!.source, 'user');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'mine', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 0);
  });

  test('a trusted workspace connects workspace profiles without a question', async () => {
    api.services.trust.isTrusted = () => true;
    await workspaceProfile();
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 0);
  });

  test('the real gate follows vscode.workspace.isTrusted', () => {
    assert.equal(originalTrusted(), vscode.workspace.isTrusted);
  });

  test('in a window opened restricted, the real gate asks before a workspace profile connects', async function () {
    if (vscode.workspace.isTrusted) {
      this.skip(); // runs under `runInCodeServer --trust`
    }
    api.services.trust.isTrusted = originalTrusted;
    await workspaceProfile();
    answer = true;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 1);
  });
});
