import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { FlowUi } from '../../../src/connectFlow';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session';
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
    api.commands.flowUi = undefined;
    await cleanUp(api);
  });

  test('a typed SSE URL asks kind, headers, method and body, then connects with them', async () => {
    const s = scripted({ url: `${base}/sse/llm` }, ['Auto', 'X-Client: flow-test', '', 'POST', '{"prompt":"hi"}'], api);
    api.commands.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, ['Connect: transport', 'Connect: headers (0 so far)', 'Connect: headers (1 so far)', 'Connect: HTTP method', 'Connect: request body']);
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
    api.commands.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, ['Connect: transport', 'Connect: headers (0 so far)', 'Connect: subprotocols']);
    assert.deepEqual(session.config.protocols, ['chat', 'json']);
    await waitState(session, 'open');
    assert.equal(session.kind, 'ws');
  });

  test('the transport can be overridden against the scheme', async () => {
    const s = scripted({ url: `${base}/sse` }, ['WebSocket', '', ''], api);
    api.commands.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.equal(session.config.kind, 'ws');
    assert.equal(session.kind, 'ws');
  });

  test('a malformed header line is refused by the input box', async () => {
    const s = scripted({ url: `${base}/sse` }, ['Auto', 'no colon here', '', 'GET'], api);
    api.commands.flowUi = s.ui;
    await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false });
    assert.deepEqual(s.invalid, ['Write "Name: value"']);
  });

  test('Escape at any step connects nothing', async () => {
    for (const answers of [[undefined], ['Auto', undefined], ['Auto', '', undefined]]) {
      const s = scripted({ url: `${base}/sse` }, answers, api);
      api.commands.flowUi = s.ui;
      const result = await vscode.commands.executeCommand('realtimeInspector.connect', undefined, { panel: false });
      assert.equal(result, undefined);
    }
    assert.equal(api.services.sessions.all.length, 0);
  });

  test('picking a saved profile connects it without further questions', async () => {
    await vscode.workspace.getConfiguration('realtimeInspector').update('profiles', [{ name: 'picked', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('picked'), 'profile read');
    const s = scripted({ profile: 'picked' }, [], api);
    api.commands.flowUi = s.ui;
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', undefined, { panel: false }))!;
    assert.deepEqual(s.asked, []);
    assert.equal(session.label, 'picked');
    await waitState(session, 'open');
  });
});
