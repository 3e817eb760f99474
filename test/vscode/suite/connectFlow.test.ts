import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { connectPickItems, type ConnectItem, type ConnectSources, type FlowUi } from '../../../src/connectFlow';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { ProfileEntry } from '../../../src/profiles/profileStore';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, waitFor, waitState } from './helpers';

/**
 * The palette's connect flow with its prompts answered by a script: one answer per connect box shown
 * (a URL, `{ url, options: true }` for "Options…", a profile name, or undefined for Escape), and one
 * per later prompt (a label to pick, text to type, or undefined for Escape).
 */
function scripted(
  firsts: Array<{ url?: string; options?: boolean; profile?: string } | undefined>,
  answers: Array<string | undefined>,
  api: RealtimeInspectorApi,
) {
  const asked: string[] = [];
  const invalid: string[] = [];
  /** The text each connect box started with, and what it listed. */
  const boxes: Array<{ value: string; sources: ConnectSources }> = [];
  const ui: FlowUi = {
    pickFirst: async (sources, value) => {
      boxes.push({ value, sources });
      const first = firsts.shift();
      if (first?.profile) {
        return { entry: api.services.profiles.get(first.profile)! };
      }
      return first?.url ? { config: { url: first.url }, options: first.options } : undefined;
    },
    pick: async (items, options) => {
      asked.push(options.title);
      const answer = answers.shift();
      return answer === undefined ? undefined : items.find((i) => i.label.includes(answer));
    },
    input: async (options) => {
      asked.push(options.title);
      const answer = answers.shift();
      const problem = answer !== undefined ? options.validate?.(answer) : undefined;
      if (problem) {
        invalid.push(problem);
        return undefined;
      }
      return answer;
    },
  };
  return { ui, asked, invalid, boxes };
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

  const connect = () => vscode.commands.executeCommand<Session | undefined>('realtimeInspector.connect', undefined, { panel: false });

  test('a typed URL and Enter connect at once, to exactly that URL, the transport from the scheme', async () => {
    const s = scripted([{ url: `${base}/sse?t=2` }], [], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.deepEqual(s.asked, [], 'no further question');
    assert.deepEqual(session.config, { url: `${base}/sse?t=2` });
    await waitState(session, 'open');
    assert.equal(session.kind, 'sse');
    const ws = scripted([{ url: `${base.replace(/^http/, 'ws')}/ws/echo` }], [], api);
    api.commands.connection.flowUi = ws.ui;
    const wsSession = (await connect())!;
    await waitState(wsSession, 'open');
    assert.equal(wsSession.kind, 'ws');
  });

  test('Options… sets headers, method and body in the same flow, then connects with them', async () => {
    const s = scripted(
      [{ url: `${base}/sse/llm`, options: true }],
      ['Add header', 'X-Client: flow-test', 'Method', 'POST', 'Body', '{"prompt":"hi"}', 'Connect'],
      api,
    );
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    const hub = `Connect: options for ${base}/sse/llm`;
    assert.deepEqual(s.asked, [hub, 'Connect: add a header', hub, 'Connect: HTTP method', hub, 'Connect: request body', hub]);
    assert.deepEqual(session.config, {
      url: `${base}/sse/llm`,
      headers: { 'X-Client': 'flow-test', 'Content-Type': 'application/json' },
      method: 'POST',
      body: '{"prompt":"hi"}',
    });
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 3, 'streamed tokens');
  });

  test('Options… for a WebSocket URL offers subprotocols instead of method and body', async () => {
    const s = scripted([{ url: `${base.replace(/^http/, 'ws')}/ws/echo`, options: true }], ['Subprotocols', 'chat, json', 'Connect'], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.deepEqual(session.config.protocols, ['chat', 'json']);
    await waitState(session, 'open');
    assert.equal(session.kind, 'ws');
  });

  test('the transport can be overridden against the scheme', async () => {
    const s = scripted([{ url: `${base}/sse`, options: true }], ['Transport', 'WebSocket', 'Connect'], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.equal(session.config.kind, 'ws');
    assert.equal(session.kind, 'ws');
  });

  test('a header can be removed again before connecting', async () => {
    const s = scripted(
      [{ url: `${base}/sse`, options: true }],
      ['Add header', 'X-One: 1', 'Add header', 'Authorization: Bearer hunter2', 'X-One', 'Connect'],
      api,
    );
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.deepEqual(session.config.headers, { Authorization: 'Bearer hunter2' });
  });

  test('a malformed header line is refused by the input box', async () => {
    const s = scripted([{ url: `${base}/sse`, options: true }], ['Add header', 'no colon here', 'Connect'], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.deepEqual(s.invalid, ['Write "Name: value"']);
    assert.equal(session.config.headers, undefined);
  });

  test('Escape in a later step goes back a step, not away; Escape in the connect box cancels', async () => {
    const url = `${base}/sse`;
    // Escape in the header box: back to the options; Escape there: back to the connect box, URL still typed; Escape: nothing.
    const s = scripted([{ url, options: true }, undefined], ['Add header', undefined, undefined], api);
    api.commands.connection.flowUi = s.ui;
    assert.equal(await connect(), undefined);
    const hub = `Connect: options for ${url}`;
    assert.deepEqual(s.asked, [hub, 'Connect: add a header', hub]);
    assert.deepEqual(
      s.boxes.map((b) => b.value),
      ['', url],
      'the connect box came back with the URL typed',
    );
    assert.equal(api.services.sessions.all.length, 0);

    // Back in the connect box, Options… again keeps what was set; Enter instead connects to the URL alone.
    const kept = scripted(
      [
        { url, options: true },
        { url, options: true },
      ],
      ['Add header', 'X-Kept: 1', undefined, 'Connect'],
      api,
    );
    api.commands.connection.flowUi = kept.ui;
    assert.deepEqual((await connect())!.config, { url, headers: { 'X-Kept': '1' } });
    const again = scripted([{ url, options: true }, { url }], [undefined], api);
    api.commands.connection.flowUi = again.ui;
    const session = (await connect())!;
    assert.deepEqual(session.config, { url });
  });

  test('picking a saved profile connects it without further questions', async () => {
    await vscode.workspace
      .getConfiguration('realtimeInspector')
      .update('profiles', [{ name: 'picked', url: `${base}/sse` }], vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.services.profiles.get('picked'), 'profile read');
    const s = scripted([{ profile: 'picked' }], [], api);
    api.commands.connection.flowUi = s.ui;
    const session = (await connect())!;
    assert.deepEqual(s.asked, []);
    assert.equal(session.label, 'picked');
    await waitState(session, 'open');
  });

  test("the running demo server's endpoints are listed in the connect box", async () => {
    const s = scripted([undefined], [], api);
    api.commands.connection.flowUi = s.ui;
    await connect();
    assert.deepEqual(s.boxes[0].sources.demoEndpoints, [], 'no demo server, no demo items');
    const { endpoints } = await vscode.commands.executeCommand<{ endpoints: Array<{ name: string }> }>(
      'realtimeInspector.startDemoServer',
      {
        quiet: true,
      },
    );
    try {
      const t = scripted([undefined], [], api);
      api.commands.connection.flowUi = t.ui;
      await connect();
      const items = connectPickItems(t.boxes[0].sources, '');
      for (const e of endpoints) {
        assert.ok(
          items.some((i) => i.label.endsWith(` ${e.name}`) && i.config),
          `"${e.name}" is an item: ${JSON.stringify(items.map((i) => i.label))}`,
        );
      }
      assert.ok(items.some((i) => i.kind === vscode.QuickPickItemKind.Separator && i.label === 'Demo server'));
      const llm = items.find((i) => i.label.endsWith(' SSE LLM stream (POST)'))!;
      assert.equal(llm.config?.method, 'POST', 'the POST endpoint connects with its method and body');
    } finally {
      await vscode.commands.executeCommand('realtimeInspector.stopDemoServer');
    }
  });

  suite('connect box items', () => {
    const entries: ProfileEntry[] = [
      { profile: { name: 'Demo: SSE ticker', url: 'http://127.0.0.1:1/sse' }, source: 'workspace' },
      { profile: { name: 'prod-ws', url: 'wss://example.test/feed' }, source: 'user' },
    ] as ProfileEntry[];
    const sources: ConnectSources = {
      entries,
      recentUrls: ['http://127.0.0.1:2/events?t=1', 'http://127.0.0.1:2/events'],
      demoEndpoints: [],
    };
    const first = (value: string) => connectPickItems(sources, value)[0];

    test('the layout stays the same whatever is typed: only the typed-text and Options… items change', () => {
      // The quick pick names an accepted item by its index in the list it showed, maybe from before the last keystroke.
      const tail = (items: ConnectItem[]) => JSON.stringify(items.slice(2));
      const empty = connectPickItems(sources, '');
      for (const typed of ['h', 'http://127.0.0.1:2/events', 'demo', 'ftp://x', 'qqq zzz', 'localhost:3000/x']) {
        const items = connectPickItems(sources, typed);
        assert.equal(items.length, empty.length, typed);
        assert.equal(tail(items), tail(empty), typed);
        assert.equal(items[0].action, 'typed');
        assert.equal(items[1].action, 'options');
      }
    });

    test("a typed URL is the first item's label, with the transport from the scheme", () => {
      const sse = first('http://127.0.0.1:3/sse');
      assert.equal(sse.label, '$(plug) http://127.0.0.1:3/sse');
      assert.equal(sse.description, 'Enter connects · SSE');
      assert.equal(first(' wss://127.0.0.1:3/ws ').description, 'Enter connects · WebSocket');
      const options = connectPickItems(sources, 'http://127.0.0.1:3/sse')[1];
      assert.equal(options.alwaysShow, true, 'Options… shows while a URL is typed');
      assert.equal(connectPickItems(sources, 'demo')[1].alwaysShow, false);
    });

    test('a host without a scheme is taken as http:// (SSE), and says so', () => {
      for (const [typed, url] of [
        ['localhost:3000/x', 'http://localhost:3000/x'],
        ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
        ['api.example.com/events', 'http://api.example.com/events'],
      ]) {
        const item = first(typed);
        assert.equal(item.label, `$(plug) ${url}`, typed);
        assert.match(item.description ?? '', /http:\/\/ assumed/);
      }
      assert.doesNotMatch(first('prod').label, /plug/, 'a word is a search, not a host');
    });

    test('a scheme being typed, or text that matches a profile, shows the hint, no error', () => {
      for (const typed of ['', 'h', 'http', 'https:/', 'ws', 'wss://', 'demo', 'Demo: SSE', 'demo tick']) {
        assert.equal(first(typed).label, '$(link) Type or paste a URL', JSON.stringify(typed));
      }
    });

    test('a URL with an unsupported scheme, or text matching nothing, is explained in the first item', () => {
      const bad = first('ftp://127.0.0.1/x');
      assert.match(bad.label, /^\$\(error\) ftp:\/\/127\.0\.0\.1\/x$/);
      assert.match(bad.description ?? '', /scheme "ftp:" is not supported/);
      const text = first('qqq zzz');
      assert.match(text.label, /^\$\(info\) /, 'text that matches nothing says what to type, as information');
    });

    test('profiles and recent URLs stay listed and pickable', () => {
      const items = connectPickItems(sources, 'http://127.0.0.1:2/events');
      assert.deepEqual(
        items.filter((i) => i.config).map((i) => i.config!.url),
        ['http://127.0.0.1:2/events?t=1', 'http://127.0.0.1:2/events'],
      );
      assert.deepEqual(
        items.filter((i) => i.entry).map((i) => i.entry!.profile.name),
        ['Demo: SSE ticker', 'prod-ws'],
      );
    });
  });
});
