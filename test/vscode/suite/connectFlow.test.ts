import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { connectPickItems, type FlowUi, type UrlItem } from '../../../src/connectFlow';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { ProfileEntry } from '../../../src/profiles/profileStore';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

/**
 * The palette's connect flow with its prompts answered by a script: a URL or profile name for the
 * first step, then one answer per prompt (a label to pick, text to type, or undefined for Escape).
 */
function scripted(first: { url?: string; profile?: string }, answers: Array<string | undefined>, api: RealtimeInspectorApi) {
  const asked: string[] = [];
  const invalid: string[] = [];
  const ui: FlowUi = {
    pickProfileOrUrl: async () =>
      first.profile ? { entry: api.services.profiles.get(first.profile) } : first.url ? { url: first.url } : undefined,
    showQuickPick: async (items, options) => {
      asked.push(options.title ?? '');
      const answer = answers.shift();
      return answer === undefined ? undefined : items.find((i) => i.label.includes(answer));
    },
    showInputBox: async (options) => {
      asked.push(options.title ?? '');
      const answer = answers.shift();
      const problem = answer !== undefined ? options.validateInput?.(answer) : undefined;
      if (problem) {
        invalid.push(String(problem));
      }
      return answer;
    },
  };
  return { ui, asked, invalid };
}

suite('Connect flow (palette)', () => {
  let api: RealtimeInspectorApi;
  let base: string;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
  });

  teardown(async () => {
    api.commands.connection.flowUi = undefined;
    await cleanUp(api);
  });

  test('a typed SSE URL asks kind, headers, method and body, then connects with them', async () => {
    const s = scripted({ url: `${base}/sse/llm` }, ['Auto', 'X-Client: flow-test', '', 'POST', '{"prompt":"hi"}'], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, [
      'Connect: transport',
      'Connect: headers (0 so far)',
      'Connect: headers (1 so far)',
      'Connect: HTTP method',
      'Connect: request body',
    ]);
    assert.deepEqual(session.config, {
      url: `${base}/sse/llm`,
      headers: { 'X-Client': 'flow-test', 'Content-Type': 'application/json' },
      method: 'POST',
      body: '{"prompt":"hi"}',
    });
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 3, 'streamed tokens');
  });

  test('a typed WebSocket URL asks for subprotocols instead of method and body', async () => {
    const s = scripted({ url: `${base.replace(/^http/, 'ws')}/ws/echo` }, ['Auto', '', 'chat, json'], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, ['Connect: transport', 'Connect: headers (0 so far)', 'Connect: subprotocols']);
    assert.deepEqual(session.config.protocols, ['chat', 'json']);
    await waitState(session, 'open');
    assert.equal(session.kind, 'ws');
  });

  test('the transport can be overridden against the scheme', async () => {
    const s = scripted({ url: `${base}/sse` }, ['WebSocket', '', ''], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.equal(session.config.kind, 'ws');
    assert.equal(session.kind, 'ws');
  });

  test('a malformed header line is refused by the input box', async () => {
    const s = scripted({ url: `${base}/sse` }, ['Auto', 'no colon here', '', 'GET'], api);
    api.commands.connection.flowUi = s.ui;
    await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false });
    assert.deepEqual(s.invalid, ['Write "Name: value"']);
  });

  test('Escape at any step connects nothing', async () => {
    for (const answers of [[undefined], ['Auto', undefined], ['Auto', '', undefined]]) {
      const s = scripted({ url: `${base}/sse` }, answers, api);
      api.commands.connection.flowUi = s.ui;
      const result = await vscode.commands.executeCommand('realtimeInspector.connect', undefined, { panel: false });
      assert.equal(result, undefined);
    }
    assert.equal(api.services.sessions.all.length, 0);
  });

  test('picking a saved profile connects it without further questions', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'picked', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('picked'), 'profile read');
    const s = scripted({ profile: 'picked' }, [], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, []);
    assert.equal(session.label, 'picked');
    await waitState(session, 'open');
  });

  suite('first step items', () => {
    const entries: ProfileEntry[] = [
      { profile: { name: 'Demo: SSE ticker', url: 'http://127.0.0.1:1/sse' }, source: 'workspace' },
      { profile: { name: 'prod-ws', url: 'wss://example.test/feed' }, source: 'user' },
    ] as ProfileEntry[];
    const recent = ['http://127.0.0.1:2/events'];
    /** The selectable items, in order, by label without the icon. */
    const labels = (items: UrlItem[]) =>
      items.filter((i) => i.kind !== vscode.QuickPickItemKind.Separator).map((i) => i.label.replace(/^\$\([\w-]+\) /, ''));

    test("typing a profile's name shows no error item and puts that profile first", () => {
      for (const typed of ['demo', 'Demo:', 'demo: sse', 'DEMO: SSE TICKER', 'demo tick']) {
        const items = connectPickItems(entries, recent, typed);
        assert.ok(
          !items.some((i) => /\$\((error|info)\)/.test(i.label)),
          `no problem item for "${typed}": ${JSON.stringify(labels(items))}`,
        );
        assert.ok(!items.some((i) => i.label.includes('Connect to')), `no connect item for "${typed}"`);
        assert.equal(labels(items)[0], 'Demo: SSE ticker', `"${typed}" lists the profile first`);
      }
    });

    test('a typed URL offers to connect to it, with the kind detected from the scheme', () => {
      const sse = connectPickItems(entries, recent, 'http://127.0.0.1:3/sse');
      assert.equal(sse[0].label, '$(plug) Connect to http://127.0.0.1:3/sse');
      assert.equal(sse[0].description, 'SSE');
      assert.equal(sse[0].url, 'http://127.0.0.1:3/sse');
      const again = connectPickItems(entries, recent, recent[0]);
      assert.deepEqual(
        labels(again),
        [`Connect to ${recent[0]}`, 'Demo: SSE ticker', 'prod-ws'],
        'a recent URL typed again is listed once, as the item that connects',
      );
      const ws = connectPickItems(entries, recent, ' wss://127.0.0.1:3/ws ');
      assert.equal(ws[0].label, '$(plug) Connect to wss://127.0.0.1:3/ws');
      assert.equal(ws[0].description, 'WebSocket');
    });

    test('a profile named like a typed URL comes before the connect item', () => {
      const withUrlName = [
        { profile: { name: 'http://staging', url: 'http://127.0.0.1:4/sse' }, source: 'user' },
        ...entries,
      ] as ProfileEntry[];
      const items = labels(connectPickItems(withUrlName, [], 'http://staging'));
      assert.deepEqual(items.slice(0, 2), ['http://staging', 'Connect to http://staging']);
    });

    test('a scheme being typed shows neither a connect item nor an error', () => {
      for (const typed of ['h', 'http', 'https:/', 'ws', 'wss://']) {
        const items = connectPickItems(entries, recent, typed);
        assert.ok(!items.some((i) => /\$\((error|info|plug)\)/.test(i.label)), `"${typed}": ${JSON.stringify(labels(items))}`);
      }
    });

    test('a URL with an unsupported scheme is an error item only when nothing matches it', () => {
      const bad = connectPickItems(entries, recent, 'ftp://127.0.0.1/x');
      assert.match(bad[0].label, /^\$\(error\) ftp:\/\/127\.0\.0\.1\/x$/);
      assert.match(bad[0].description ?? '', /scheme "ftp:" is not supported/);
      assert.equal(bad[0].url, undefined, 'the error item cannot be picked to connect');
      const text = connectPickItems(entries, recent, 'qqq zzz');
      assert.match(text[0].label, /^\$\(info\) /, 'text that matches nothing says what to type, as information');
      assert.equal(text[0].url, undefined);
    });
  });
});
