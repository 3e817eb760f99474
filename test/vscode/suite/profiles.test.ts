import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import * as https from 'node:https';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../../fixtures/tlsCert';
import { cleanUp, demoServer, getApi, readText, waitFor, waitState, workspaceFolder } from './helpers';

const config = () => vscode.workspace.getConfiguration('realtimeInspector');

suite('Profiles', () => {
  let api: RealtimeInspectorApi;
  let base: string;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('reads profiles from workspace settings and marks them as coming from the workspace', async () => {
    await config().update(
      'profiles',
      [
        { name: 'a', url: `${base}/sse`, headers: { 'X-Trace': '1' } },
        { name: 'b', url: 'ws://127.0.0.1:1/ws' },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.entries.length === 2, 'two profiles');
    assert.deepEqual(
      api.services.profiles.entries.map((e) => [e.profile.name, e.source]),
      [
        ['a', 'workspace'],
        ['b', 'workspace'],
      ],
    );
  });

  test('validation names the bad entry and keeps the good ones', async () => {
    await config().update(
      'profiles',
      [
        { name: 'ok', url: `${base}/sse` },
        { name: 'typo', url: `${base}/sse`, header: {} },
        { url: `${base}/sse` },
        { name: 'ok', url: `${base}/sse` },
        { name: 'badsecret', url: `${base}/sse`, headers: { Authorization: 'Bearer ${secrets:X}' } },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.issues.length === 4, 'four issues');
    assert.deepEqual(
      api.services.profiles.entries.map((e) => e.profile.name),
      ['ok'],
    );
    const messages = api.services.profiles.issues.map((i) => i.message);
    assert.match(messages[0], /profiles\[1\] \("typo"\): unknown property "header"/);
    assert.match(messages[1], /profiles\[2\]: "name" is required/);
    assert.match(messages[2], /profiles\[3\] \("ok"\): another profile is already named "ok"/);
    assert.match(messages[3], /profiles\[4\] \("badsecret"\): "headers.Authorization": unknown variable/);
  });

  test('watches settings: a change fires onDidChange and the new list is read', async () => {
    let fired = 0;
    const sub = api.services.profiles.onDidChange(() => fired++);
    try {
      await config().update('profiles', [{ name: 'watched', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
      await waitFor(() => fired > 0 && api.services.profiles.get('watched'), 'the change to be seen');
    } finally {
      sub.dispose();
    }
  });

  test('Save as profile writes the templates back to workspace settings and leaves the rest of settings.json alone', async () => {
    const session = (await vscode.commands.executeCommand<Session>(
      'realtimeInspector.connect',
      { url: `${base}/sse`, headers: { Authorization: 'Bearer ${secret:RI_SAVE_TOKEN}' } },
      { panel: false },
    ))!;
    // The secret is not set: the connect fails, which does not matter for saving.
    const name = await vscode.commands.executeCommand<string>('realtimeInspector.saveProfile', session.id, 'saved one');
    assert.equal(name, 'saved one');
    await waitFor(() => api.services.profiles.get('saved one'), 'the saved profile to be read back');
    const saved = api.services.profiles.get('saved one')!.profile;
    assert.equal(saved.url, `${base}/sse`);
    assert.deepEqual(saved.headers, { Authorization: 'Bearer ${secret:RI_SAVE_TOKEN}' });
    const text = await readText(vscode.Uri.joinPath(workspaceFolder(), '.vscode', 'settings.json'));
    assert.match(text, /"editor\.tabSize": 3/, 'other settings kept');
    assert.match(text, /\/\/ Settings the extension must leave as they are/, 'comments kept');
    assert.match(text, /"realtimeInspector\.profiles"/);
    assert.equal(session.label, 'saved one', 'the session now carries the profile name');
  });

  test('saving again under the same name replaces the profile instead of adding one', async () => {
    await config().update(
      'profiles',
      [
        { name: 'p', url: `${base}/sse` },
        { name: 'other', url: `${base}/sse/once` },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'p', { panel: false }))!;
    await waitState(session, 'open');
    session.applyEditable({ ...session.editableConfig, url: `${base}/sse?v=2` });
    await vscode.commands.executeCommand('realtimeInspector.saveProfile', session.id);
    await waitFor(() => api.services.profiles.get('p')?.profile.url === `${base}/sse?v=2`, 'the replaced profile');
    assert.deepEqual(
      api.services.profiles.entries.map((e) => e.profile.name),
      ['p', 'other'],
    );
  });

  test('Delete Profile removes only that entry', async () => {
    await config().update(
      'profiles',
      [
        { name: 'keep', url: `${base}/sse` },
        { name: 'drop', url: `${base}/sse` },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.get('drop'), 'profiles read');
    assert.equal(await vscode.commands.executeCommand('realtimeInspector.deleteProfile', 'drop', true), true);
    await waitFor(() => !api.services.profiles.get('drop'), 'the profile gone');
    assert.ok(api.services.profiles.get('keep'));
  });

  test('Edit Profiles opens the workspace settings.json at the profile', async () => {
    await config().update(
      'profiles',
      [
        { name: 'first', url: `${base}/sse` },
        { name: 'second', url: `${base}/sse` },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.get('second'), 'profiles read');
    await vscode.commands.executeCommand('realtimeInspector.editProfile', 'second');
    const editor = vscode.window.activeTextEditor!;
    assert.ok(editor, 'an editor is open');
    assert.match(editor.document.uri.path, /\.vscode\/settings\.json$/);
    const line = editor.document.lineAt(editor.selection.active.line).text;
    assert.match(line, /"second"/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Edit Profiles with no profiles yet opens workspace settings.json at a new, empty setting', async () => {
    await cleanUp(api);
    await vscode.commands.executeCommand('realtimeInspector.editProfiles');
    const editor = await waitFor(() => vscode.window.activeTextEditor, 'an editor');
    assert.match(editor.document.uri.path, /\.vscode\/settings\.json$/);
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /"realtimeInspector\.profiles"/);
    assert.match(editor.document.getText(), /"editor\.tabSize": 3/, 'the rest of the file is kept');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('an unreadable tls.caFile stops the connect with a message naming the file', async () => {
    const session = api.services.sessions.create({ url: 'https://127.0.0.1:1/sse', tls: { caFile: 'certs/missing-ca.pem' } }, 'adhoc');
    const result = await session.connect();
    assert.ok(!result.ok && result.code === 'ERR_INVALID_CONFIG');
    assert.match(result.message, /tls\.caFile ".*certs\/missing-ca\.pem"/);
    assert.ok(
      result.message.startsWith('Cannot read') && result.message.includes(workspaceFolder().fsPath),
      'relative to the workspace folder',
    );
  });

  test('tls.caFile resolves ${env:NAME} like every other string field: "${env:HOME}/certs/dev-ca.pem" works', async () => {
    const cert = selfSignedCert();
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: trusted by the CA file\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.RI_TEST_CERTS = path.dirname(cert.certFile);
    try {
      const port = (server.address() as AddressInfo).port;
      await config().update(
        'profiles',
        [{ name: 'ca', url: `https://127.0.0.1:${port}/sse`, tls: { caFile: '${env:RI_TEST_CERTS}/' + path.basename(cert.certFile) } }],
        vscode.ConfigurationTarget.Workspace,
      );
      await waitFor(() => api.services.profiles.get('ca'), 'profile read');
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'ca', { panel: false }))!;
      await waitFor(() => session.store.toArray().some((r) => r.kind === 'message'), 'the event over TLS verified with the CA file');
      assert.equal(session.config.tls?.caFile, '${env:RI_TEST_CERTS}/' + path.basename(cert.certFile), 'the session keeps the template');
    } finally {
      delete process.env.RI_TEST_CERTS;
      server.closeAllConnections();
      server.close();
    }
  });

  test('a profile with ${env:NAME} resolves it at connect time', async () => {
    process.env.RI_TEST_PATH = 'sse';
    await config().update('profiles', [{ name: 'env', url: `${base}/\${env:RI_TEST_PATH}` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('env'), 'profile read');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'env', { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(session.config.url, `${base}/\${env:RI_TEST_PATH}`, 'the session keeps the template');
    delete process.env.RI_TEST_PATH;
  });
});
