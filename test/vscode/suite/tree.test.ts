import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import type { TreeNode } from '../../../src/tree/connectionsTree';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

suite('Connections view', () => {
  let api: RealtimeInspectorApi;
  let base: string;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
  });

  teardown(async () => {
    await cleanUp(api);
  });

  const roots = () => api.services.tree.getChildren() as TreeNode[];

  test('is empty when there is nothing to show, so the welcome view with its buttons appears', async () => {
    await cleanUp(api);
    await waitFor(() => roots().length === 0, 'an empty tree');
    const ext = vscode.extensions.getExtension('realtime-inspector.realtime-inspector')!;
    const welcome = ext.packageJSON.contributes.viewsWelcome[0].contents as string;
    assert.match(welcome, /command:realtimeInspector\.connect/);
    assert.match(welcome, /command:realtimeInspector\.startDemoServer/);
  });

  test('lists a live connection with a state icon, message count as description and live context', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 2, 'events');
    const node = roots().find((n) => n.type === 'session' && n.session === session)!;
    assert.ok(node, 'the session is a root node');
    const item = api.services.tree.getTreeItem(node);
    assert.equal(item.label, session.label);
    assert.equal(item.contextValue, 'session.live');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-filled');
    assert.match(String(item.description), /^open · \d+ msgs?/);
    assert.equal(item.command?.command, 'realtimeInspector.openPanel');
  });

  test('updates one row when the state changes: closed connections get the idle context and icon', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    roots(); // as the view does when it renders
    const fired: Array<TreeNode | undefined> = [];
    const sub = api.services.tree.onDidChangeTreeData((n) => fired.push(n));
    try {
      session.disconnect();
      await waitState(session, 'closed');
      await waitFor(() => fired.length > 0, 'a tree change event');
      assert.ok(
        fired.some((n) => n !== undefined && n.type === 'session' && n.session === session),
        'that row is refreshed on its own',
      );
      const item = api.services.tree.getTreeItem(api.services.tree.nodeFor(session));
      assert.equal(item.contextValue, 'session.idle');
      assert.equal((item.iconPath as vscode.ThemeIcon).id, 'circle-outline');
    } finally {
      sub.dispose();
    }
  });

  test('the message rate shows in the description while messages flow', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`, { panel: false }))!;
    await waitState(session, 'open');
    await waitFor(() => /\/s$/.test(api.services.tree.describe(session)), 'a rate in the description', 5000);
  });

  test('saved profiles sit under their own node, with invalid entries shown as warnings', async () => {
    await vscode.workspace.getConfiguration('realtimeInspector').update(
      'profiles',
      [
        { name: 'ticker', url: `${base}/sse` },
        { name: 'broken', url: 'ftp://x' },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    const group = await waitFor(() => roots().find((n) => n.type === 'profiles'), 'the Saved Profiles node');
    assert.equal(api.services.tree.getTreeItem(group).label, 'Saved Profiles');
    const children = api.services.tree.getChildren(group) as TreeNode[];
    const profile = children.find((n) => n.type === 'profile')!;
    const issue = children.find((n) => n.type === 'issue')!;
    const pItem = api.services.tree.getTreeItem(profile);
    assert.equal(pItem.label, 'ticker');
    assert.equal(pItem.contextValue, 'profile.workspace');
    const iItem = api.services.tree.getTreeItem(issue);
    assert.equal(iItem.label, 'broken');
    assert.match(String(iItem.tooltip), /profiles\[1\] \("broken"\).*scheme/);
  });

  test('a profile with a credential typed into its URL is listed with it masked, in the row and the tooltip', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update(
        'profiles',
        [{ name: 'keyed', url: `${base}/sse?page=2&access_token=tok-in-url-6a1f` }],
        vscode.ConfigurationTarget.Workspace,
      );
    const group = await waitFor(() => roots().find((n) => n.type === 'profiles'), 'the Saved Profiles node');
    const profile = (api.services.tree.getChildren(group) as TreeNode[]).find((n) => n.type === 'profile')!;
    const item = api.services.tree.getTreeItem(profile);
    assert.equal(item.description, `${base}/sse?page=2&access_token=••••`);
    const tooltip = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(tooltip.includes('access_token=••••') && !tooltip.includes('tok-in-url-6a1f'), tooltip);
  });

  test('connecting a profile node from the tree makes a session named after it', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'ticker', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
    const group = await waitFor(() => roots().find((n) => n.type === 'profiles'), 'the Saved Profiles node');
    const node = (api.services.tree.getChildren(group) as TreeNode[])[0];
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', node, { panel: false }))!;
    await waitState(session, 'open');
    assert.equal(session.label, 'ticker');
    const again = await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'ticker', { panel: false });
    assert.equal(again, session, 'connecting the same profile again reuses its session');
  });
  test('a row and its tab show the query string, a long one shortened, credentials masked; the tooltip has the whole URL', async () => {
    const host = new URL(base).host;
    const cases: Array<[url: string, label: string]> = [
      [`${base}/sse?t=1`, `${host}/sse?t=1`],
      [`${base}/?t=1`, `${host}/?t=1`],
      [`${base}/sse?filter=${'x'.repeat(60)}`, `${host}/sse?filter=${'x'.repeat(23)}…`],
      [`${base}/sse?t=1&access_token=tok-in-label-93c1`, `${host}/sse?t=1&access_token=••••`],
    ];
    for (const [url, label] of cases) {
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', url))!;
      const item = api.services.tree.getTreeItem(api.services.tree.nodeFor(session));
      assert.equal(item.label, label, url);
      assert.equal(api.services.panels.get(session)?.panel.title, label, 'the tab says the same');
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.ok(tooltip.includes(session.redactor.url(url)), tooltip);
      assert.ok(!tooltip.includes('tok-in-label-93c1') && !label.includes('tok-in-label'), 'no credential in clear');
    }
  });
});
