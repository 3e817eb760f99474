import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MockFlowUi, StepAnswer } from '../../../src/commands/mocks';
import type { ConnRecord } from '../../../src/core/records';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Mock } from '../../../src/mocks/mockServers';
import type { Session } from '../../../src/session/session';
import type { TreeNode } from '../../../src/tree/connectionsTree';
import { cleanUp, demoServer, getApi, tapPosts, waitFor, waitState } from './helpers';

const HAR = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'replay', 'chrome-websocket.har');

/** Runs `fn` with `vscode.window[name]` answering nothing and recording its messages. */
async function capturing(name: 'showErrorMessage' | 'showWarningMessage', fn: () => PromiseLike<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const win = vscode.window as unknown as Record<string, unknown>;
  const original = win[name];
  win[name] = (m: string) => {
    seen.push(m);
    return Promise.resolve(undefined);
  };
  try {
    await fn();
  } finally {
    win[name] = original;
  }
  return seen;
}

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
    assert.equal(item.label, mock.url.replace(/^ws:\/\//, ''), 'its URL (the icon says WebSocket)');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'plug');
    assert.equal(item.contextValue, 'mock');
    assert.equal(item.description, `0 clients · from ${source.label}`);

    const client = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectMock', mock.id))!;
    assert.ok(api.services.panels.get(client), 'Connect opens a panel');
    assert.equal(client.config.url, mock.url);
    await waitFor(
      () => incoming(client).length >= expected.length,
      `${expected.length} messages from the mock (has ${incoming(client).length})`,
    );
    assert.deepEqual(incoming(client), expected, 'the same messages, in the same order');
    await waitFor(
      () => api.services.tree.getTreeItem(api.services.tree.mockNode(mock)).description === `1 client · from ${source.label}`,
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

  test('Open Recording of an NDJSON log fills a read-only panel whose store has the records; it does not connect; Serve as Mock serves the file itself', async () => {
    const source = await recorded(4);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ri-recording-'));
    const file = path.join(dir, 'ticker.ndjson');
    await api.services.actions.writeLogFile(source, file);
    const expected = source.store.toArray();

    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.openRecording', vscode.Uri.file(file)))!;
    assert.ok(session.recording, 'a read-only session');
    assert.equal(session.label, 'ticker.ndjson');
    const stored = session.store.toArray();
    assert.deepEqual(
      stored.slice(0, expected.length).map((r) => [r.seq, r.kind]),
      expected.map((r) => [r.seq, r.kind]),
      'every record, with its seq',
    );
    assert.deepEqual(incoming(session), incoming(source));
    const note = stored[expected.length];
    assert.equal(note.kind, 'info');
    assert.match((note as { message: string }).message, /^Recording ticker\.ndjson: \d+ records, shown read-only$/);
    assert.equal(session.stats.messagesIn, incoming(source).length, 'the counters count the recording');

    const panel = api.services.panels.get(session)!;
    assert.ok(panel, 'a panel');
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init') as { recording?: string; records: ConnRecord[] } | undefined;
      assert.equal(init?.recording, 'ticker.ndjson', 'the header says Recording: FILE');
    } finally {
      tap.restore();
    }
    const result = await session.connect();
    assert.equal(result.ok, false);
    assert.match((result as { message: string }).message, /recording, shown read-only: it does not connect/);
    assert.equal(session.connection, undefined);
    assert.equal(api.services.tree.getTreeItem(api.services.tree.nodeFor(session)).contextValue, 'session.recording');

    api.commands.mocks.ui = scripted(['0', 'No', 'None']);
    const mock = (await vscode.commands.executeCommand<Mock>('realtimeInspector.serveAsMock', session.id))!;
    assert.equal(mock.source.file, file, 'the file itself');
    assert.equal(mock.source.owned, false);
    const client = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectMock', mock.id))!;
    await waitFor(() => incoming(client).length >= incoming(source).length, 'the recording replayed');
    assert.deepEqual(incoming(client), incoming(source));
    await mock.stop();
    assert.ok(existsSync(file), 'a file the user opened is never deleted');
  });

  test("Open Recording of a HAR: its WebSocket frames become message records (in and out), the URL's token masked", async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.openRecording', HAR))!;
    const records = session.store.toArray();
    assert.equal(records[0].kind, 'open');
    assert.equal((records[0] as { url: string }).url, 'ws://localhost:8080/live?token=••••');
    assert.ok(!session.config.url.includes('s3cr3t'), 'no token in the configuration');
    const messages = records.filter((r) => r.kind === 'message') as Extract<ConnRecord, { kind: 'message' }>[];
    assert.deepEqual(
      messages.map((m) => [m.dir, m.format, m.data]),
      [
        ['in', 'text', '{"type":"hello","server":"prices"}'],
        ['out', 'text', '{"op":"subscribe","topic":"eur"}'],
        ['in', 'text', '{"ok":true,"topic":"eur"}'],
        ['in', 'text', '{"topic":"eur","price":1.0812}'],
        ['out', 'binary', 'AQID'],
        ['in', 'binary', 'AwIB'],
        ['in', 'text', '{"topic":"eur","price":1.0815}'],
      ],
    );
    assert.equal(messages[4].size, 3);
    assert.ok(api.services.panels.get(session));
    assert.equal(session.stats.messagesOut, 2);
  });

  test('Open Recording of a file with bad lines shows the skipped-lines warning and notes it in the log; several connections ask which', async () => {
    const source = await recorded(2);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ri-recording-'));
    const one = path.join(dir, 'one.ndjson');
    await api.services.actions.writeLogFile(source, one);
    const text = await readFile(one, 'utf8');
    const lines = text.trimEnd().split('\n');
    const bad = path.join(dir, 'bad.ndjson');
    // A broken line in the middle, the log twice (two connections), and a cut end.
    await writeFile(bad, [lines[0], '{"kind":"message",', ...lines.slice(1), ...lines, '{"kind":"mess'].join('\n'));

    api.commands.mocks.ui = scripted([`2  ${source.config.url}  (${lines.length} records)`]);
    let session: Session | undefined;
    const warnings = await capturing('showWarningMessage', async () => {
      session = await vscode.commands.executeCommand<Session>('realtimeInspector.openRecording', bad);
    });
    assert.ok(session, 'the second connection picked');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^Open Recording: bad\.ndjson: skipped 2 lines that are not records \(lines 2, \d+\)$/);
    const notes = session!.store.toArray().filter((r) => r.kind === 'info') as { message: string }[];
    assert.ok(
      notes.some((n) => /Recording bad\.ndjson \(connection 2 of 2\)/.test(n.message)),
      notes.map((n) => n.message).join('\n'),
    );
    assert.ok(notes.some((n) => /^Warning: skipped 2 lines/.test(n.message)));
    assert.equal(session!.recording?.index, 1);
    assert.deepEqual(incoming(session!), incoming(source));

    const errors = await capturing('showErrorMessage', () =>
      vscode.commands.executeCommand('realtimeInspector.openRecording', path.join(dir, 'missing.ndjson')),
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^Open Recording: cannot read .*missing\.ndjson: no such file$/);
  });
});
