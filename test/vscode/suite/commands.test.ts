import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

suite('Commands', () => {
  let api: RealtimeInspectorApi;
  let base: string;
  let wsBase: string;

  suiteSetup(async () => {
    api = await getApi();
    const demo = await demoServer();
    base = demo.url;
    wsBase = demo.url.replace(/^http/, 'ws');
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('Connect with a URL opens the panel and streams SSE records into the host store', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    assert.ok(session, 'the command resolves with the session');
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 2, 'two SSE events');
    assert.equal(session.kind, 'sse');
    assert.ok(api.services.panels.get(session), 'a panel was opened for the session');
    assert.ok(session.store.toArray().some((r) => r.kind === 'message' && r.dir === 'in'));
  });

  test('Connect with a configuration object picks WebSocket by the ws:// scheme', async () => {
    const session = (await vscode.commands.executeCommand<Session>(
      'realtimeInspector.connect',
      { url: `${wsBase}/ws/echo` },
      { panel: false },
    ))!;
    await waitState(session, 'open');
    assert.equal(session.kind, 'ws');
    assert.equal(api.services.panels.get(session), undefined, 'panel: false opens no panel');
  });

  test('Connect rejects a URL with an unsupported scheme and creates no connection', async () => {
    const before = api.services.sessions.all.length;
    const result = await vscode.commands.executeCommand('realtimeInspector.connect', 'ftp://127.0.0.1/x');
    assert.equal(result, undefined);
    assert.equal(api.services.sessions.all.length, before);
  });

  test('two connects in a row make one connection', async () => {
    const session = api.services.sessions.create({ url: `${wsBase}/ws/echo` }, 'adhoc');
    const [a, b] = await Promise.all([session.connect(), session.connect()]);
    assert.ok(a.ok && b.ok);
    await waitState(session, 'open');
    const connecting = session.store.toArray().filter((r) => r.kind === 'connecting');
    assert.equal(connecting.length, 1);
  });

  test('Disconnect closes the connection and it stays listed; Reconnect opens it again', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    await vscode.commands.executeCommand('realtimeInspector.disconnect', session.id);
    await waitState(session, 'closed');
    assert.ok(api.services.sessions.get(session.id), 'still listed after disconnect');
    await vscode.commands.executeCommand('realtimeInspector.reconnect', session.id);
    await waitState(session, 'open');
  });

  test('Disconnect without an argument acts on the only live connection', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    const acted = await vscode.commands.executeCommand<Session>('realtimeInspector.disconnect');
    assert.equal(acted?.id, session.id);
    await waitState(session, 'closed');
  });

  test('several connections live at once, each with its own panel', async () => {
    const a = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    const b = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/ticker`))!;
    await waitState(a, 'open');
    await waitState(b, 'open');
    assert.notEqual(a.id, b.id);
    const pa = api.services.panels.get(a);
    const pb = api.services.panels.get(b);
    assert.ok(pa && pb && pa !== pb, 'two panels');
    assert.equal(api.services.sessions.active.length, 2);
    assert.equal(api.statusBar.item.text, '$(pulse) 2');
  });

  test('the status-bar item counts live connections, opens the Connections view, and hides when none are listed', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(api.statusBar.item.text, '$(pulse) 1');
    assert.equal(api.statusBar.item.command, 'realtimeInspector.connections.focus');
    await vscode.commands.executeCommand(api.statusBar.item.command as string);
    session.disconnect();
    await waitState(session, 'closed');
    assert.equal(api.statusBar.item.text, '$(pulse) 0');
    await vscode.commands.executeCommand('realtimeInspector.removeConnection', session.id);
    assert.equal(api.statusBar.activeCount, 0);
  });

  test('Clear Log empties the host store but keeps the connection', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitFor(() => session.stats.messagesIn >= 3, 'three events');
    await vscode.commands.executeCommand('realtimeInspector.clearLog', session.id);
    const records = session.store.toArray();
    assert.ok(records.length <= 2, `store has ${records.length} records after clear`);
    assert.equal(records[0]?.kind, 'info');
    assert.equal(session.status.state, 'open');
  });

  test('Export Log writes the store as NDJSON, one record per line', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitFor(() => session.stats.messagesIn >= 3, 'three events');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ri-export-')), 'log.ndjson');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('realtimeInspector.exportLog', session.id, file);
    assert.equal(uri?.fsPath, file);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.ok(lines.length >= 4);
    const records = lines.map((l) => JSON.parse(l));
    assert.equal(records[0].kind, 'connecting');
    assert.ok(records.some((r) => r.kind === 'message'));
    for (let i = 1; i < records.length; i++) {
      assert.ok(records[i].seq > records[i - 1].seq, 'in seq order');
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  test('Open Panel reopens a closed panel for a listed connection', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    const panel = api.services.panels.get(session)!;
    panel.panel.dispose();
    await waitFor(() => !api.services.panels.get(session), 'panel gone');
    assert.ok(api.services.sessions.get(session.id), 'closing the panel keeps the connection');
    assert.notEqual(session.status.state, 'closed');
    await vscode.commands.executeCommand('realtimeInspector.openPanel', session.id);
    assert.ok(api.services.panels.get(session), 'panel reopened');
  });

  test('Remove Connection closes the socket, drops the session and its panel', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/echo`))!;
    await waitState(session, 'open');
    const removed = await vscode.commands.executeCommand<boolean>('realtimeInspector.removeConnection', session.id);
    assert.equal(removed, true);
    assert.equal(api.services.sessions.get(session.id), undefined);
    assert.equal(api.services.panels.get(session), undefined);
  });

  test('Undo after Remove Connection brings the connection back with its log, in its panel, connected again', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 3, 'three events');
    const before = session.store.toArray().filter((r) => r.kind === 'message').length;
    assert.equal(await vscode.commands.executeCommand<boolean>('realtimeInspector.removeConnection', session.id), true);
    assert.equal(api.services.sessions.get(session.id), undefined, 'off the list');
    assert.equal(api.services.panels.get(session), undefined, 'its panel closed');
    await waitFor(() => !session.isActive, 'its connection closed');

    const back = (await api.commands.connection.undoRemoveCommand(session.id, true))!;
    assert.equal(back, session);
    assert.equal(api.services.sessions.get(session.id), session, 'on the list again');
    assert.ok(api.services.panels.get(session), 'in a panel again');
    assert.ok(session.store.toArray().filter((r) => r.kind === 'message').length >= before, 'with its log');
    await waitState(session, 'open');
    assert.equal(await api.commands.connection.undoRemoveCommand(session.id, true), undefined, 'an undo happens once');
  });

  test('Start Demo Server serves SSE and WebSocket endpoints on 127.0.0.1; Stop Demo Server ends it', async () => {
    const started = await vscode.commands.executeCommand<{ url: string; endpoints: Array<{ url: string; kind: string }> }>(
      'realtimeInspector.startDemoServer',
      { quiet: true },
    );
    assert.match(started!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(started!.endpoints.some((e) => e.kind === 'ws'));
    const again = await vscode.commands.executeCommand<{ url: string }>('realtimeInspector.startDemoServer', { quiet: true });
    assert.equal(again!.url, started!.url, 'a second start reuses the running server');
    const sse = started!.endpoints.find((e) => e.url.endsWith('/sse'))!;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', sse.url, { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(await vscode.commands.executeCommand('realtimeInspector.stopDemoServer'), true);
    await waitFor(() => session.status.state !== 'open', 'the connection to notice the server is gone');
  });

  test('Show Output opens the log channel', async () => {
    await vscode.commands.executeCommand('realtimeInspector.showOutput');
    assert.ok(api.services.log.output, 'the channel exists');
  });
});
