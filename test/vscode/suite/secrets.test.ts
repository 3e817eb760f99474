import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, readText, tapPosts, waitFor, waitState, workspaceFolder } from './helpers';

const TOKEN = 'demo-token';

suite('Secrets', () => {
  let api: RealtimeInspectorApi;
  let base: string;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('Set Secret stores the value in secret storage, never in settings', async () => {
    const name = await vscode.commands.executeCommand<string>('realtimeInspector.setSecret', 'DEMO_TOKEN', TOKEN);
    assert.equal(name, 'DEMO_TOKEN');
    assert.equal(await api.services.secrets.get('DEMO_TOKEN'), TOKEN);
    assert.ok(api.services.secrets.names().includes('DEMO_TOKEN'));
    const all = JSON.stringify(vscode.workspace.getConfiguration().inspect('realtimeInspector') ?? {});
    assert.ok(!all.includes(TOKEN));
  });

  test('Set Secret with an empty value deletes the secret', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TO_DELETE', 'v4lue');
    assert.equal(await api.services.secrets.get('TO_DELETE'), 'v4lue');
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TO_DELETE', '');
    assert.equal(await api.services.secrets.get('TO_DELETE'), undefined);
    assert.ok(!api.services.secrets.names().includes('TO_DELETE'));
  });

  test('a ${secret:NAME} header is resolved at connect time and masked in records, panel, export and log', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'DEMO_TOKEN', TOKEN);
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update(
        'profiles',
        [{ name: 'private', url: `${base}/sse/private`, headers: { Authorization: 'Bearer ${secret:DEMO_TOKEN}' } }],
        vscode.ConfigurationTarget.Workspace,
      );
    await waitFor(() => api.services.profiles.get('private'), 'profile read');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'private'))!;
    await waitState(session, 'open'); // the server answers 401 unless the secret was sent
    await waitFor(() => session.stats.messagesIn >= 1, 'an event');

    const connecting = session.store.toArray().find((r) => r.kind === 'connecting')!;
    assert.equal(connecting.kind === 'connecting' && connecting.headers.Authorization, 'Bearer ••••');
    assert.ok(!JSON.stringify(session.store.toArray()).includes(TOKEN), 'no record holds the token');

    // The panel's view of the state.
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init');
      assert.ok(!JSON.stringify(tap.messages).includes(TOKEN), 'nothing posted to the webview holds the token');
      assert.equal(init.config.headers[0].value, 'Bearer ${secret:DEMO_TOKEN}', 'the request bar shows the template');
    } finally {
      tap.restore();
    }

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ri-secret-')), 'log.ndjson');
    await vscode.commands.executeCommand('realtimeInspector.exportLog', session.id, file);
    assert.ok(!fs.readFileSync(file, 'utf8').includes(TOKEN), 'the export masks the token');
    fs.rmSync(path.dirname(file), { recursive: true, force: true });

    assert.equal(api.services.log.redact(`sent ${TOKEN}`), 'sent ••••', 'the output channel masks the token');
    const settings = await readText(vscode.Uri.joinPath(workspaceFolder(), '.vscode', 'settings.json'));
    assert.ok(!settings.includes(TOKEN), 'settings.json never holds the token');
  });

  test('a WebSocket echo of the secret reaches the panel masked', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'ECHO_SECRET', 'top-secret-value');
    const wsBase = base.replace(/^http/, 'ws');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', {
      url: `${wsBase}/ws/echo`,
      headers: { 'X-Key': '${secret:ECHO_SECRET}' },
    }))!;
    await waitState(session, 'open');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      session.requireConnection().sendText('the key is top-secret-value');
      await waitFor(
        () => tap.messages.some((m) => m.type === 'records' && m.records.some((r) => r.kind === 'message' && r.dir === 'in')),
        'the echo posted',
      );
      // As sent: the JSON, and the binary parts (the rows' text) read as UTF-8.
      const posted = JSON.stringify(tap.posted, (_key, value: unknown) =>
        ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8') : value,
      );
      assert.ok(!posted.includes('top-secret-value'));
      assert.ok(posted.includes('the key is ••••'));
    } finally {
      tap.restore();
    }
  });

  test('saving a profile with a credential typed in clear moves it to secret storage when the user agrees', async () => {
    const original = api.commands.secrets.askAboutCredentials;
    const asked: string[][] = [];
    api.commands.secrets.askAboutCredentials = async (headers) => {
      asked.push(headers);
      return 'secret';
    };
    try {
      const session = (await vscode.commands.executeCommand<Session>(
        'realtimeInspector.connect',
        { url: `${base}/sse/private`, headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'text/event-stream' } },
        { panel: false },
      ))!;
      await waitState(session, 'open');
      await vscode.commands.executeCommand('realtimeInspector.saveProfile', session.id, 'typed');
      assert.deepEqual(asked, [['Authorization']]);
      await waitFor(() => api.services.profiles.get('typed'), 'the saved profile');
      const saved = api.services.profiles.get('typed')!.profile;
      assert.deepEqual(saved.headers, { Authorization: 'Bearer ${secret:TYPED_AUTHORIZATION}', Accept: 'text/event-stream' });
      assert.equal(await api.services.secrets.get('TYPED_AUTHORIZATION'), TOKEN);
      const settings = await readText(vscode.Uri.joinPath(workspaceFolder(), '.vscode', 'settings.json'));
      assert.ok(!settings.includes(TOKEN));
      // The profile still works: the secret resolves to the same token.
      session.disconnect();
      await waitState(session, 'closed');
      const again = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'typed', { panel: false }))!;
      await waitState(again, 'open');
    } finally {
      api.commands.secrets.askAboutCredentials = original;
    }
  });

  test('a missing secret stops the connect with an error naming it', async () => {
    const session = api.services.sessions.create(
      { url: `${base}/sse`, headers: { Authorization: 'Bearer ${secret:NEVER_SET_123}' } },
      'adhoc',
    );
    const result = await session.connect();
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.code === 'ERR_MISSING_SECRET');
    assert.ok(!result.ok && 'secretName' in result && result.secretName === 'NEVER_SET_123');
    assert.equal(session.connection, undefined, 'no connection was attempted');
  });
});
