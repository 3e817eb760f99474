import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { SendResultMessage } from '../../../src/protocol';
import type { Session } from '../../../src/session/session';
import { cleanUp, demoServer, getApi, tapPosts, waitFor, waitState, type Posted } from './helpers';

suite('Inspector panel (host side)', () => {
  let api: RealtimeInspectorApi;
  let base: string;
  let wsBase: string;

  suiteSetup(async () => {
    api = await getApi();
    base = (await demoServer()).url;
    wsBase = base.replace(/^http/, 'ws');
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('the HTML has a strict CSP with a nonce and loads only the bundle from dist/', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    const panel = api.services.panels.get(session)!;
    const html = panel.panel.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    const nonce = /script-src 'nonce-([A-Za-z0-9]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, 'a nonce');
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], new RegExp(`nonce="${nonce}"`));
    assert.match(scripts[0], /dist\/webview\.js/);
    assert.match(html, /id="vscode-codicon-stylesheet"/);
    assert.equal(panel.panel.webview.options.enableScripts, true);
    assert.deepEqual(
      panel.panel.webview.options.localResourceRoots?.map((u) => u.path.split('/').pop()),
      ['dist', 'media'],
    );
    assert.equal(panel.panel.options.retainContextWhenHidden, undefined);
  });

  test('ready gets an init with the store, then records come in batches of at most one post per ~16 ms', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/echo`))!;
    await waitState(session, 'open');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages[0];
      assert.equal(init.type, 'init');
      assert.ok(init.type === 'init' && init.connectionId === session.id && init.records.length === session.store.size);
      // 500 messages as fast as the socket takes them.
      const conn = session.requireConnection();
      for (let i = 0; i < 500; i++) {
        conn.sendText(`m${i}`);
      }
      await waitFor(() => session.stats.messagesIn >= 500, '500 echoes');
      const recordPosts = () =>
        tap.messages
          .map((m, i) => ({ m, t: tap.times[i] }))
          .filter((x): x is { m: Extract<Posted, { type: 'records' }>; t: number } => x.m.type === 'records');
      const deliveredIn = (posts: ReturnType<typeof recordPosts>) => posts.reduce((n, b) => n + b.m.records.length, 0);
      // The 500 sent and their 500 echoes, however long the last batch takes on a loaded machine.
      await waitFor(() => deliveredIn(recordPosts()) >= 1000, 'every record delivered');
      const batches = recordPosts();
      const delivered = deliveredIn(batches);
      assert.ok(batches.length < 200, `${batches.length} posts for ${delivered} records: batched`);
      for (let i = 1; i < batches.length; i++) {
        assert.ok(batches[i].t - batches[i - 1].t >= 10, 'posts are spaced by the batch interval');
      }
      const seqs = batches.flatMap((b) => b.m.records.map((r) => r.seq));
      assert.ok(
        seqs.every((s, i) => i === 0 || s > seqs[i - 1]),
        'in seq order, no duplicates',
      );
    } finally {
      tap.restore();
    }
  });

  test('a store larger than one message is replayed in bounded chunks, in order', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/echo`))!;
    await waitState(session, 'open');
    const conn = session.requireConnection();
    for (let i = 0; i < 3000; i++) {
      conn.sendText(`n${i}`);
    }
    await waitFor(() => session.stats.messagesIn >= 3000, '3000 echoes', 15000);
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      panel.sendInit();
      const [init, ...rest] = tap.messages;
      assert.equal(init.type, 'init');
      assert.ok(init.type === 'init' && init.records.length === 5000);
      assert.ok(rest.length >= 1 && rest.every((m) => m.type === 'records' && m.records.length <= 5000));
      const seqs = tap.messages.flatMap((m) => (m.type === 'init' || m.type === 'records' ? m.records.map((r) => r.seq) : []));
      assert.equal(seqs.length, session.store.size);
      assert.ok(seqs.every((x, i) => i === 0 || x > seqs[i - 1]));
    } finally {
      tap.restore();
    }
  });

  test('the real webview asks for init when it loads, and again after being hidden and shown', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await waitFor(() => tap.messages.some((m) => m.type === 'init') || panel.posts > 0, 'the webview to say ready', 15000);
      const before = tap.messages.filter((m) => m.type === 'init').length;
      const doc = await vscode.workspace.openTextDocument({ content: 'cover the panel' });
      await vscode.window.showTextDocument(doc, { viewColumn: panel.panel.viewColumn, preview: false });
      await waitFor(() => !panel.panel.visible, 'the panel hidden');
      const postsWhileHidden = tap.messages.length;
      await waitFor(() => session.stats.messagesIn >= 6, 'events while hidden');
      assert.equal(
        tap.messages.filter((m) => m.type === 'records').length,
        tap.messages.slice(0, postsWhileHidden).filter((m) => m.type === 'records').length,
        'no records posted to a hidden panel',
      );
      panel.panel.reveal();
      await waitFor(() => tap.messages.filter((m) => m.type === 'init').length > before, 'a fresh init after the panel is shown', 15000);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor').then(undefined, () => undefined);
    } finally {
      tap.restore();
    }
  });

  test('a large message reaches the webview as a preview flagged large; getFull returns it whole', async () => {
    await vscode.workspace.getConfiguration('realtimeInspector').update('displayLimit', 2048, vscode.ConfigurationTarget.Workspace);
    try {
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/echo`))!;
      await waitState(session, 'open');
      const panel = api.services.panels.get(session)!;
      const tap = tapPosts(panel.panel.webview);
      try {
        await panel.handle({ type: 'ready' });
        const big = 'x'.repeat(10_000);
        session.requireConnection().sendText(big);
        const found = await waitFor(
          () => tap.messages.flatMap((m) => (m.type === 'records' ? m.records : [])).find((r) => r.kind === 'message' && r.dir === 'in'),
          'the echo posted',
        );
        assert.ok(found.kind === 'message' && found.large === true);
        assert.ok(found.kind === 'message' && found.data.length === 2048, 'cut to displayLimit');
        await panel.handle({ type: 'getFull', requestId: 7, seq: found.seq });
        const full = tap.messages.find((m) => m.type === 'fullRecord');
        assert.ok(full && full.type === 'fullRecord' && full.requestId === 7);
        assert.ok(full.record?.kind === 'message' && full.record.data === big);
      } finally {
        tap.restore();
      }
    } finally {
      await vscode.workspace.getConfiguration('realtimeInspector').update('displayLimit', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('changing a display setting rebuilds open panels with the new settings', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      await vscode.workspace.getConfiguration('realtimeInspector').update('timestampFormat', 'iso', vscode.ConfigurationTarget.Workspace);
      await waitFor(
        () => tap.messages.some((m) => m.type === 'init' && m.settings.timestampFormat === 'iso'),
        'an init with the new format',
      );
    } finally {
      tap.restore();
      await vscode.workspace
        .getConfiguration('realtimeInspector')
        .update('timestampFormat', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the SSE details carry the request sent and the response, also when the server refused', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', {
      url: `${base}/sse/private`,
      headers: { Authorization: 'Bearer wrong-token' },
      reconnect: { enabled: false },
    }))!;
    await waitState(session, 'failed');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init' && init.sse);
      assert.equal(init.sse.response?.status, 401);
      assert.equal(init.sse.request?.method, 'GET');
      assert.equal(init.sse.request?.headers.Authorization, 'Bearer ••••', 'credentials masked');
      assert.equal(init.status.lastError?.status, 401);
    } finally {
      tap.restore();
    }
  });

  test('send, ping and close requests get a sendResult; errors are values, not throws', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${wsBase}/ws/echo`))!;
    await waitState(session, 'open');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    const result = (id: number) => tap.messages.find((m): m is SendResultMessage => m.type === 'sendResult' && m.requestId === id);
    try {
      await panel.handle({ type: 'send', requestId: 1, mode: 'json', data: '{"a":1}' });
      await panel.handle({ type: 'send', requestId: 2, mode: 'json', data: '{nope' });
      await panel.handle({ type: 'send', requestId: 3, mode: 'binary', encoding: 'hex', data: 'de ad be ef' });
      await panel.handle({ type: 'send', requestId: 4, mode: 'binary', encoding: 'hex', data: 'xyz' });
      await panel.handle({ type: 'ping', requestId: 5, data: 'hi' });
      assert.equal(result(1)?.ok, true);
      assert.equal(result(2)?.ok, false);
      assert.match(result(2)!.error!, /JSON/);
      assert.equal(result(3)?.ok, true);
      assert.equal(result(4)?.ok, false);
      assert.equal(result(5)?.ok, true);
      await waitFor(
        () =>
          session.store
            .toArray()
            .some(
              (r) =>
                r.kind === 'message' &&
                r.dir === 'in' &&
                r.format === 'binary' &&
                Buffer.from(r.data, 'base64').toString('hex') === 'deadbeef',
            ),
        'the binary echo',
      );
      await panel.handle({ type: 'close', requestId: 6, code: 4000, reason: 'bye' });
      assert.equal(result(6)?.ok, true);
      await waitState(session, 'closed');
      const close = session.store.toArray().find((r) => r.kind === 'close');
      assert.ok(close && close.kind === 'close' && close.code === 4000 && close.reason === 'bye');
    } finally {
      tap.restore();
    }
  });

  test('connect with the request bar edits reconnects to the new URL; config is posted back', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitState(session, 'open');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      await panel.handle({ type: 'connect', config: { ...session.editableConfig, url: `${wsBase}/ws/ticker`, kind: 'auto' } });
      await waitFor(() => session.kind === 'ws' && session.status.state === 'open', 'the WS connection');
      assert.ok(tap.messages.some((m: Posted) => m.type === 'config' && m.config.url === `${wsBase}/ws/ticker`));
      assert.equal(session.config.url, `${wsBase}/ws/ticker`);
    } finally {
      tap.restore();
    }
  });

  test('clear, auto-retry and copy messages act on the session', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitFor(() => session.stats.messagesIn >= 2, 'events');
    const panel = api.services.panels.get(session)!;
    const tap = tapPosts(panel.panel.webview);
    try {
      await panel.handle({ type: 'ready' });
      await panel.handle({ type: 'clear' });
      assert.ok(tap.messages.some((m) => m.type === 'cleared'));
      await panel.handle({ type: 'setAutoRetry', on: false });
      assert.equal(session.status.autoRetry, false);
      await panel.handle({ type: 'copy', text: 'copied text' });
      assert.equal(await vscode.env.clipboard.readText(), 'copied text');
    } finally {
      tap.restore();
    }
  });

  test('the SSE raw view gets the stream as received: the kept tail first, then what arrives, until turned off', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitFor(() => session.stats.messagesIn >= 2, 'events');
    const panel = api.services.panels.get(session)!;
    // The real webview says `ready` once loaded, which turns the raw feed off; let it have done so first.
    await waitFor(() => (panel as unknown as { ready: boolean }).ready, 'the webview to load', 15_000);
    const tap = tapPosts(panel.panel.webview);
    const raws = () => tap.messages.filter((m) => m.type === 'raw');
    try {
      await panel.handle({ type: 'ready' });
      await panel.handle({ type: 'setRaw', on: true });
      const first = raws()[0];
      assert.ok(first && first.type === 'raw' && first.reset);
      assert.match(first.text, /^data: /m, 'field lines as sent');
      assert.match(first.text, /\n\n/, 'line ends kept');
      await waitFor(() => raws().some((m) => m.type === 'raw' && !m.reset), 'an appended chunk');
      await panel.handle({ type: 'setRaw', on: false });
      const n = raws().length;
      await waitFor(() => session.stats.messagesIn >= 8, 'more events');
      assert.equal(raws().length, n, 'nothing after the view turned it off');
    } finally {
      tap.restore();
    }
  });

  test('the serializer restores a panel from its persisted state as an idle connection', async () => {
    const webviewPanel = vscode.window.createWebviewPanel('realtimeInspector.panel', 'restored', vscode.ViewColumn.Active, {});
    await api.services.panels.deserializeWebviewPanel(webviewPanel, {
      connectionId: 'restored-1',
      config: {
        url: `${base}/sse`,
        kind: 'auto',
        headers: [{ name: 'X-A', value: '1', enabled: true }],
        method: 'GET',
        body: '',
        protocols: [],
      },
    });
    const session = api.services.sessions.get('restored-1');
    assert.ok(session, 'a session with the persisted id');
    assert.equal(session.status.state, 'idle', 'restoring does not connect');
    assert.deepEqual(session.config.headers, { 'X-A': '1' });
    const panel = api.services.panels.get(session)!;
    assert.equal(panel.panel, webviewPanel);
    const tap = tapPosts(webviewPanel.webview);
    try {
      await panel.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init' && init.connectionId === 'restored-1');
    } finally {
      tap.restore();
    }
  });

  test('a panel closed and opened again gets the view the last one reported; a report for another connection is ignored', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitState(session, 'open');
    const first = api.services.panels.get(session)!;
    const view = { connectionId: session.id, config: session.editableConfig, filter: 'tick', selected: 3, topSeq: 2 };
    await first.handle({ type: 'viewState', state: view });
    await first.handle({ type: 'viewState', state: { ...view, connectionId: 'another', filter: 'nope' } });
    first.panel.dispose();
    await waitFor(() => !api.services.panels.get(session), 'the panel forgotten');
    const second = api.services.panels.open(session);
    const tap = tapPosts(second.panel.webview);
    try {
      await second.handle({ type: 'ready' });
      const init = tap.messages.find((m) => m.type === 'init');
      assert.ok(init && init.type === 'init');
      assert.deepEqual(init.view, view);
    } finally {
      tap.restore();
    }
  });

  test('closing a panel asks nothing, keeps the connection listed, and leaves no listener behind', async () => {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `${base}/sse`))!;
    await waitState(session, 'open');
    const panel = api.services.panels.get(session)!;
    panel.panel.dispose();
    await waitFor(() => !api.services.panels.get(session), 'the panel forgotten');
    const posts = panel.posts;
    const before = session.stats.messagesIn;
    await waitFor(() => session.stats.messagesIn > before + 2, 'more events after the close');
    assert.equal(panel.posts, posts, 'the disposed panel posts nothing more');
    assert.equal(session.status.state, 'open');
    const emitters = session as unknown as Record<string, { hasListeners: boolean }>;
    // The raw feed's emitter lives in the session's raw view.
    const rawView = (session as unknown as { raw: Record<string, { hasListeners: boolean }> }).raw;
    for (const [name, emitter] of [
      ['_onDidRecord', emitters._onDidRecord],
      ['_onDidRaw', rawView._onDidRaw],
      ['_onDidClear', emitters._onDidClear],
    ] as const) {
      assert.equal(emitter.hasListeners, false, `no listener left on ${name}`);
    }
  });
});
