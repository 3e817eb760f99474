import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { MockFlowUi, StepAnswer } from '../../../src/commands/mocks';
import type { ConnRecord } from '../../../src/core/records';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Mock } from '../../../src/mocks/mockServers';
import type { Session } from '../../../src/session/session';
import type { TreeNode } from '../../../src/tree/connectionsTree';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

/** The incoming messages' data, in order. */
function incoming(session: Session): string[] {
  return session.store
    .toArray()
    .filter((r): r is Extract<ConnRecord, { kind: 'message' }> => r.kind === 'message' && r.dir === 'in')
    .map((r) => String(r.data));
}

/** Answers the flow's steps in turn, recording the titles asked. */
function scripted(answers: StepAnswer[]): MockFlowUi & { titles: string[] } {
  const titles: string[] = [];
  const next = (title: string) => {
    titles.push(title);
    assert.ok(answers.length, `no answer left for "${title}"`);
    return Promise.resolve(answers.shift());
  };
  return { titles, pick: (title) => next(title), input: (title) => next(title) };
}

suite('Mocks: Serve as Mock, the Mocks node, Open Recording', () => {
  let api: RealtimeInspectorApi;
  let wsBase: string;

  suiteSetup(async () => {
    api = await getApi();
    wsBase = (await demoServer()).url.replace(/^http/, 'ws');
  });

  teardown(async () => {
    api.commands.mocks.ui = undefined;
    await api.services.mocks.stopAll();
    await cleanUp(api);
  });

  /** A WebSocket session against the demo ticker, closed after `n` incoming messages. */
  async function recorded(n: number): Promise<Session> {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/ticker`, { panel: false }))!;
    await waitFor(() => incoming(session).length >= n, `${n} messages from the ticker`);
    session.setAutoRetry(false);
    session.disconnect();
    await waitState(session, 'closed');
    return session;
  }

  function treeMocks(): TreeNode[] {
    const root = api.services.tree.getChildren();
    const node = root.find((n) => n.type === 'mocks');
    return node ? api.services.tree.getChildren(node) : [];
  }

  test('Serve as Mock replays a session at speed 0: a new panel on the mock gets the same messages in the same order; the Mocks node counts its client; Stop closes it', async () => {
    const source = await recorded(6);
    const expected = incoming(source);
    assert.equal(treeMocks().length, 0, 'no Mocks node without mocks');
    assert.ok(!api.services.tree.getChildren().some((n) => n.type === 'mocks'));

    const ui = scripted(['0', 'No', 'None']);
    api.commands.mocks.ui = ui;
    const mock = (await vscode.commands.executeCommand<Mock>('realtimeInspector.serveAsMock', source.id))!;
    assert.ok(mock, 'a mock started');
    assert.deepEqual(ui.titles, ['Serve as Mock (1/3): Speed', 'Serve as Mock (2/3): Loop', 'Serve as Mock (3/3): Drop each client']);
    assert.match(mock.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/ticker$/);
    assert.deepEqual(mock.settings, { speed: 0, loop: false, dropAfter: undefined });
    assert.ok(existsSync(mock.source.file), 'the log was written to the storage');
    assert.match(mock.source.file.replace(/\\/g, '/'), /\/mocks\/[^/]+\.ndjson$/);

    const rows = treeMocks();
    assert.equal(rows.length, 1);
    const item = api.services.tree.getTreeItem(rows[0]);
    assert.equal(item.label, mock.url);
    assert.equal(item.contextValue, 'mock');
    assert.equal(item.description, `${source.label} · 0 clients`);

    const client = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectMock', mock.id))!;
    assert.ok(api.services.panels.get(client), 'Connect opens a panel');
    assert.equal(client.config.url, mock.url);
    await waitFor(
      () => incoming(client).length >= expected.length,
      `${expected.length} messages from the mock (has ${incoming(client).length})`,
    );
    assert.deepEqual(incoming(client), expected, 'the same messages, in the same order');
    await waitFor(
      () => api.services.tree.getTreeItem(api.services.tree.mockNode(mock)).description === `${source.label} · 1 client`,
      'the row to count one client',
    );

    const file = mock.source.file;
    await vscode.commands.executeCommand('realtimeInspector.stopMock', mock.id);
    assert.equal(api.services.mocks.all.length, 0);
    assert.equal(treeMocks().length, 0);
    assert.ok(!api.services.tree.getChildren().some((n) => n.type === 'mocks'), 'the Mocks node goes with the last mock');
    await waitFor(() => client.status.state !== 'open', 'the client to be closed by the stop');
    await waitFor(() => !existsSync(file), 'the copy of the log to be deleted');

    const late = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', mock.url, { panel: false }))!;
    late.setAutoRetry(false);
    await waitFor(() => late.status.lastError, 'a connect to the stopped mock to fail');
    assert.match(late.status.lastError!.code, /ECONNREFUSED|ERR/);
  });

  test('Serve as Mock: Back goes to the step before; drop-after N asks the number; Escape cancels without starting anything', async () => {
    const source = await recorded(3);
    api.commands.mocks.ui = scripted(['2', 'Yes', (await import('../../../src/commands/mocks')).BACK, 'No', 'After N messages...', '2']);
    const mock = (await vscode.commands.executeCommand<Mock>('realtimeInspector.serveAsMock', source.id))!;
    assert.deepEqual(mock.settings, { speed: 2, loop: false, dropAfter: 2 });
    assert.equal(mock.describeSettings(), 'speed 2 · drop after 2');

    // The panel's toolbar button posts serveAsMock: the same flow, for the panel's session.
    const panel = api.services.panels.open(source, true);
    api.commands.mocks.ui = scripted(['1', 'Yes', 'None']);
    await panel.handle({ type: 'serveAsMock' });
    await waitFor(() => api.services.mocks.all.length === 2, 'the panel to start a second mock');
    assert.deepEqual(api.services.mocks.all[1].settings, { speed: 1, loop: true, dropAfter: undefined });
    assert.notEqual(api.services.mocks.all[1].url, mock.url, 'each mock has its own port');
    assert.equal(treeMocks().length, 2);

    api.commands.mocks.ui = scripted(['1', undefined]);
    const none = await vscode.commands.executeCommand<Mock>('realtimeInspector.serveAsMock', source.id);
    assert.equal(none, undefined);
    assert.equal(api.services.mocks.all.length, 2, 'a cancelled flow starts nothing');
  });

  test('Serve as Mock of a log with nothing to replay says so in words', async () => {
    const empty = api.services.sessions.create({ url: `${wsBase}/ws/ticker` }, 'adhoc');
    api.commands.mocks.ui = scripted(['0', 'No', 'None']);
    const errors: string[] = [];
    const original = vscode.window.showErrorMessage;
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (m: string) => {
      errors.push(m);
      return Promise.resolve(undefined);
    };
    try {
      await vscode.commands.executeCommand('realtimeInspector.serveAsMock', empty.id);
      // A log with records but no connection that opened: a refused connect.
      const refused = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', 'ws://127.0.0.1:9/none', {
        panel: false,
      }))!;
      refused.setAutoRetry(false);
      await waitFor(() => refused.status.lastError, 'the connect to fail');
      await vscode.commands.executeCommand('realtimeInspector.serveAsMock', refused.id);
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    }
    assert.equal(errors.length, 2, errors.join('\n'));
    assert.match(errors[0], /the log is empty, so there is nothing to replay/);
    assert.match(errors[1], /Serve as Mock: .*the log has nothing to replay: no message from the server/);
    assert.equal(api.services.mocks.all.length, 0);
  });
});
