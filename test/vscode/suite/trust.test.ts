import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import { describeSubject, type TrustSubject } from '../../../src/trust';
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
    // Each test starts with nothing confirmed.
    api.services.trust.reset();
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
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'internal', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
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

  /** Two real SSE servers on two ports of 127.0.0.1: two origins. Each records the X-Key headers it got. */
  interface Origin {
    url: string;
    keys: string[];
    server: http.Server;
  }
  async function origin(): Promise<Origin> {
    const keys: string[] = [];
    const server = http.createServer((req, res) => {
      keys.push(String(req.headers['x-key'] ?? ''));
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: hello\n\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys, server };
  }
  function close(o: Origin): void {
    o.server.closeAllConnections();
    o.server.close();
  }
  const TOKEN = 'trust-token-7f3a';
  async function profileAt(
    url: string,
    headers: Record<string, string> = { 'X-Key': '${secret:TRUST_TOKEN}' },
    name = 'internal',
  ): Promise<void> {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name, url: `${url}/sse`, headers }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get(name)?.profile.url === `${url}/sse` && api.services.profiles.get(name), 'profile read');
  }

  test('a confirmation holds for one origin: the workspace points the profile at another port, the secret goes there only after a new question', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', TOKEN);
    const a = await origin();
    const b = await origin();
    try {
      await profileAt(a.url);
      answer = true;
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
      await waitState(session, 'open');
      assert.deepEqual(a.keys, [TOKEN]);
      assert.equal(asked.length, 1);
      assert.equal(asked[0].origin, a.url);

      // The workspace edits the profile while the stream is open: the open connection is left as it is,
      // and its reconnects go to what was confirmed.
      await profileAt(b.url);
      await vscode.commands.executeCommand('realtimeInspector.connectProfile', 'internal', { panel: false });
      await vscode.commands.executeCommand('realtimeInspector.reconnect', session.id);
      await waitFor(() => a.keys.length === 2, 'the reconnect to the confirmed origin');
      await waitState(session, 'open');
      assert.equal(asked.length, 1);
      assert.deepEqual(b.keys, [], 'nothing reached the new origin yet');

      session.disconnect();
      await waitState(session, 'closed');
      answer = false;
      const declined = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
      assert.equal(declined, session);
      assert.equal(asked.length, 2, 'a new origin asks again');
      assert.equal(asked[1].origin, b.url);
      assert.equal(session.status.state, 'closed', 'declined: not connected');
      assert.deepEqual(b.keys, [], 'declined: the new origin saw no request');

      answer = true;
      await vscode.commands.executeCommand('realtimeInspector.connectProfile', 'internal', { panel: false });
      await waitState(session, 'open');
      assert.equal(asked.length, 3);
      assert.deepEqual(b.keys, [TOKEN], 'confirmed: now, and only now, the secret goes to the new origin');
    } finally {
      close(a);
      close(b);
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', '');
    }
  });

  test('one more secret in the same profile asks again; the same target again does not', async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', TOKEN);
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_OTHER', 'other-secret-9');
    const a = await origin();
    try {
      answer = true;
      await profileAt(a.url);
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'internal', { panel: false }))!;
      await waitState(session, 'open');
      session.disconnect();
      await waitState(session, 'closed');
      await vscode.commands.executeCommand('realtimeInspector.connectProfile', 'internal', { panel: false });
      await waitState(session, 'open');
      assert.equal(asked.length, 1, 'the same origin and secrets: asked once');
      session.disconnect();
      await waitState(session, 'closed');
      await profileAt(a.url, { 'X-Key': '${secret:TRUST_TOKEN}', 'X-Other': '${secret:TRUST_OTHER}' });
      await vscode.commands.executeCommand('realtimeInspector.connectProfile', 'internal', { panel: false });
      await waitState(session, 'open');
      assert.equal(asked.length, 2, 'one more secret: asked again');
      assert.deepEqual(asked[1].refs, ['${secret:TRUST_OTHER}', '${secret:TRUST_TOKEN}']);
    } finally {
      close(a);
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', '');
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_OTHER', '');
    }
  });

  test("the dialog puts the real host first, lists header names, secrets and variables, and shows the workspace's name as the workspace's, escaped", async () => {
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', TOKEN);
    process.env.RI_TRUST_ENV = 'env-value-1';
    const a = await origin();
    try {
      const spoof = 'Your own localhost\u202e\u2066 (safe)\n\nConnect';
      await profileAt(a.url, { 'X-Key': '${secret:TRUST_TOKEN}', 'X-Trace': '${env:RI_TRUST_ENV}' }, spoof);
      await vscode.commands.executeCommand('realtimeInspector.connectProfile', spoof, { panel: false });
      assert.equal(asked.length, 1);
      const host = a.url.slice('http://'.length);
      assert.equal(asked[0].host, host);
      assert.deepEqual(asked[0].headers, ['X-Key', 'X-Trace']);
      const { message, detail } = describeSubject(asked[0]);
      assert.ok(message.startsWith(`Connect to ${host} and send your secrets there?`), message);
      assert.match(detail, /untrusted workspace/);
      assert.ok(detail.includes(`${a.url}/sse`), 'the URL');
      assert.ok(detail.includes('Headers sent: X-Key, X-Trace'));
      assert.ok(detail.includes('Secrets sent: ${secret:TRUST_TOKEN}'));
      assert.ok(detail.includes('Environment variables sent: ${env:RI_TRUST_ENV}'));
      assert.ok(
        detail.includes(
          'Profile name (chosen by whoever wrote it, not a check of the host): "Your own localhost\\u202e\\u2066 (safe) Connect"',
        ),
        detail,
      );
      assert.ok(!/[\u202e\u2066\n]/.test(message) && !/[\u202e\u2066]/.test(detail), 'no live bidi control or line break from the name');
      assert.ok(!detail.includes(TOKEN) && !detail.includes('env-value-1'), 'values are never shown');
      assert.deepEqual(a.keys, [], 'declined: nothing sent');
      // The tree shows the workspace's name escaped too, for the profile and for the connection.
      const tree = api.services.tree;
      const labels = tree
        .getChildren()
        .flatMap((n) => [n, ...tree.getChildren(n)])
        .map((n) => tree.getTreeItem(n).label)
        .map((l) => (typeof l === 'string' ? l : (l?.label ?? '')));
      const shown = labels.filter((l) => l.startsWith('Your own localhost'));
      assert.ok(shown.length >= 1, `the profile is listed: ${JSON.stringify(labels)}`);
      assert.ok(
        shown.every((l) => l === 'Your own localhost\\u202e\\u2066 (safe) Connect'),
        JSON.stringify(shown),
      );
    } finally {
      close(a);
      delete process.env.RI_TRUST_ENV;
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', '');
    }
  });

  test('a configuration with ${secret:} passed to the connect command asks first, even in a trusted window', async () => {
    api.services.trust.isTrusted = () => true;
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', TOKEN);
    const a = await origin();
    try {
      const session = (await vscode.commands.executeCommand<Session>(
        'realtimeInspector.connect',
        { url: `${a.url}/sse`, headers: { 'X-Key': '${secret:TRUST_TOKEN}' } },
        { panel: false },
      ))!;
      assert.equal(asked.length, 1, 'asked');
      assert.equal(asked[0].source, 'external');
      assert.match(describeSubject(asked[0]).detail, /another extension or a link/);
      assert.equal(session.connection, undefined);
      assert.deepEqual(a.keys, [], 'declined: the secret was not sent');
      // Without templates nothing of the user's is sent: no question.
      const plain = (await vscode.commands.executeCommand<Session>(
        'realtimeInspector.connect',
        { url: `${a.url}/sse`, headers: { 'X-Key': 'typed' } },
        { panel: false },
      ))!;
      await waitState(plain, 'open');
      assert.equal(asked.length, 1);
      assert.deepEqual(a.keys, ['typed']);
      // A URL string with a template is the same as a configuration.
      await vscode.commands.executeCommand('realtimeInspector.connect', `${a.url}/sse?k=\${secret:TRUST_TOKEN}`, { panel: false });
      assert.equal(asked.length, 2);
      assert.ok(!asked[1].url.includes(TOKEN), 'the URL in the question is masked');
      // A configuration a profile could not have is refused with a one-line error.
      const bad = await vscode.commands.executeCommand('realtimeInspector.connect', { url: `${a.url}/sse`, header: {} }, { panel: false });
      assert.equal(bad, undefined);
    } finally {
      close(a);
      await vscode.commands.executeCommand('realtimeInspector.setSecret', 'TRUST_TOKEN', '');
    }
  });

  test("in restricted mode the workspace's caps and reconnect policy do not apply; the user's do; trusted, the workspace's do", async () => {
    const c = () => vscode.workspace.getConfiguration('realtimeInspector');
    const ws = vscode.ConfigurationTarget.Workspace;
    try {
      await c().update('store.maxRecords', 150, ws);
      await c().update('store.maxBytes', 2_000_000, ws);
      await c().update('reconnect', { maxAttempts: 0, methods: ['GET', 'POST'] }, ws);
      await c().update('store.maxBytes', 3_000_000, vscode.ConfigurationTarget.Global);
      const restricted = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
      await waitState(restricted, 'open');
      assert.equal(restricted.store.options.maxRecords, 100_000, "the workspace's cap is ignored: the default");
      assert.equal(restricted.store.options.maxBytes, 3_000_000, "the user's cap applies");
      assert.notEqual(restricted.connection!.options.reconnect?.maxAttempts, 0, "the workspace's policy is ignored");
      assert.ok(!(restricted.connection!.options.reconnect?.methods ?? []).includes('POST'), 'a POST is not made to be sent again');

      if (!vscode.workspace.isTrusted) {
        return; // a window really opened restricted (runInCodeServer --trust): VS Code itself hides the workspace's values
      }
      api.services.trust.isTrusted = () => true;
      const trusted = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
      await waitState(trusted, 'open');
      assert.equal(trusted.store.options.maxRecords, 150);
      assert.equal(trusted.store.options.maxBytes, 2_000_000);
      assert.equal(trusted.connection!.options.reconnect?.maxAttempts, 0);
    } finally {
      await c().update('store.maxRecords', undefined, ws);
      await c().update('store.maxBytes', undefined, ws);
      await c().update('reconnect', undefined, ws);
      await c().update('store.maxBytes', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('package.json marks exactly the settings the code restricts', () => {
    const pkg = vscode.extensions.getExtension('realtime-inspector.realtime-inspector')!.packageJSON as {
      capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
      contributes: { configuration: { properties: Record<string, { restricted?: boolean }> } };
    };
    const marked = Object.entries(pkg.contributes.configuration.properties)
      .filter(([, p]) => p.restricted)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(marked, [
      'realtimeInspector.displayLimit',
      'realtimeInspector.reconnect',
      'realtimeInspector.store.maxBytes',
      'realtimeInspector.store.maxRecords',
    ]);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), marked);
  });

  test('URLs the user typed connect in restricted mode without a question', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(asked.length, 0);
  });

  test('user-settings profiles connect in restricted mode without a question', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'mine', url: `${base}/sse` }], vscode.ConfigurationTarget.Global);
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
