import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import { VIEW_TYPE } from '../../../src/panel/inspectorPanel';
import type { LogPersistence } from '../../../src/session/persist';
import type { Session } from '../../../src/session/session';
import { cleanUp, getApi, sleep, tapPosts, waitFor, waitState, type Posted } from './helpers';

const SECRET = 'pk-persist-5e81d2aa';

suite('Log kept across a window reload', () => {
  let api: RealtimeInspectorApi;
  let persistence: LogPersistence;
  let server: http.Server;
  let base: string;

  suiteSetup(async () => {
    api = await getApi();
    const p = api.services.logPersistence;
    assert.ok(p?.dir, 'activation set up the log persistence');
    persistence = p;
    // Echoes the X-Key header in every event, so the secret is in the records the host keeps.
    server = http.createServer((req, res) => {
      const key = String(req.headers['x-key'] ?? '');
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': key });
      let n = 0;
      const tick = setInterval(() => {
        n++;
        res.write(`id: ${n}\ndata: event ${n} for ${key}\n\n`);
      }, 20);
      res.on('close', () => clearInterval(tick));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'PERSIST_KEY', SECRET);
  });

  suiteTeardown(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await vscode.commands.executeCommand('realtimeInspector.setSecret', 'PERSIST_KEY', '');
  });

  teardown(async () => {
    await cleanUp(api);
  });

  async function connectSecretStream(): Promise<Session> {
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', {
      url: `${base}/stream`,
      headers: { 'X-Key': '${secret:PERSIST_KEY}' },
    }))!;
    await waitState(session, 'open');
    await waitFor(() => session.stats.messagesIn >= 10, 'ten events');
    return session;
  }

  test("a panel's log is written to workspace storage with the secrets masked, and debounced", async () => {
    const session = await connectSecretStream();
    const file = persistence.fileFor(session.id)!;
    assert.ok(file.startsWith(persistence.dir!));
    // Written within the debounce interval (2 s) while records arrive, not on every record.
    await waitFor(() => fs.existsSync(file), 'the log file', 5000);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes(SECRET), 'the secret is never on disk in clear');
    assert.ok(text.includes('for ••••'), 'the echoed secret is masked');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; kind: string });
    assert.equal(lines[0].kind, 'connecting');
    assert.ok(lines.every((r, i) => i === 0 || r.seq > lines[i - 1].seq));
    assert.ok(lines.length < session.stats.records + 50);
  });

  test('a panel restored after a reload gets the kept records in its init, noted as restored; new records follow their seqs', async () => {
    // What a reload leaves behind: the file of a panel whose session (and store) are gone.
    const old = await connectSecretStream();
    old.disconnect();
    await waitState(old, 'closed');
    api.services.flushLogs();
    const kept = fs.readFileSync(persistence.fileFor(old.id)!, 'utf8');
    const keptCount = kept.trim().split('\n').length;
    const keptLastSeq = (JSON.parse(kept.trim().split('\n').at(-1)!) as { seq: number }).seq;
    const id = `restored-${Date.now().toString(36)}`;
    fs.writeFileSync(persistence.fileFor(id)!, kept);

    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'restoring', vscode.ViewColumn.Active, { enableScripts: true });
    const tap = tapPosts(panel.webview);
    try {
      await api.services.panels.deserializeWebviewPanel(panel, {
        connectionId: id,
        config: { ...old.editableConfig },
      });
      const session = api.services.sessions.get(id);
      assert.ok(session, 'the session is back under its id');
      assert.equal(session.status.state, 'idle', 'not connected');
      const init = (await waitFor(() => tap.messages.find((m) => m.type === 'init'), "the restored webview's init", 15000)) as Extract<
        Posted,
        { type: 'init' }
      >;
      assert.equal(init.records.length, keptCount + 1);
      assert.ok(!JSON.stringify(init).includes(SECRET));
      const note = init.records.at(-1)!;
      assert.ok(note.kind === 'info');
      assert.equal(note.message, `Log restored from before the window reload (${keptCount} records); not connected`);
      assert.equal(note.seq, keptLastSeq + 1);
      assert.ok(
        init.records.some((r) => r.kind === 'message' && r.data.includes('for ••••')),
        'the events are back',
      );
      const restoredIn = init.records.filter((r) => r.kind === 'message' && r.dir === 'in').length;
      assert.equal(init.stats.messagesIn, restoredIn, 'the counters agree with the restored log');

      // The secret is still in secret storage: connecting again works, and the new records follow.
      const result = await session.connect();
      assert.ok(result.ok);
      await waitState(session, 'open');
      await waitFor(() => session.stats.messagesIn >= restoredIn + 3, 'new events');
      const all = session.store.toArray();
      assert.ok(
        all.every((r, i) => i === 0 || r.seq > all[i - 1].seq),
        'seq keeps increasing through the restore',
      );
      const firstNew = all.find((r) => r.kind === 'connecting' && r.seq > note.seq);
      assert.ok(firstNew, 'the new connect comes after the restored note');
      assert.equal(firstNew.seq, note.seq + 1);
      assert.equal(session.store.bySeq(3)?.seq, 3, 'restored records are found by seq');
      assert.equal(session.store.bySeq(firstNew.seq), firstNew, 'new records are found by seq');
    } finally {
      tap.restore();
    }
  });

  test('the file goes when the session is removed, and when its panel is closed', async () => {
    const a = await connectSecretStream();
    const fileA = persistence.fileFor(a.id)!;
    api.services.flushLogs();
    assert.ok(fs.existsSync(fileA));
    api.services.sessions.remove(a);
    await waitFor(() => !fs.existsSync(fileA), "the removed session's file deleted", 5000);

    const b = await connectSecretStream();
    const fileB = persistence.fileFor(b.id)!;
    api.services.flushLogs();
    assert.ok(fs.existsSync(fileB));
    api.services.panels.get(b)!.panel.dispose();
    await waitFor(() => !fs.existsSync(fileB), "the closed panel's file deleted", 5000);
    assert.ok(api.services.sessions.get(b.id), 'the session stays in the Connections view');
    // Records keep coming for the panel-less session: nothing is written for it any more.
    await sleep(2500);
    assert.ok(!fs.existsSync(fileB), 'not written again without a panel');
    assert.deepEqual(
      fs.readdirSync(path.dirname(fileB)).filter((n) => n.startsWith(b.id)),
      [],
      'no temporary files left',
    );
  });

  test('a session listed without the credentials typed into its request is not connected until a request is applied', async () => {
    let requests = 0;
    const counting = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: hello\n\n');
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/sse`;
    const session = api.services.sessions.create({ url }, 'adhoc');
    try {
      session.holdConnect('its credentials come back with its tab');
      const held = await session.connect();
      assert.deepEqual(held, { ok: false, code: 'ERR_INVALID_CONFIG', message: 'its credentials come back with its tab' });
      assert.equal(requests, 0, 'nothing was sent');
      session.applyEditable({
        ...session.editableConfig,
        headers: [{ name: 'Authorization', value: 'Bearer typed-again', enabled: true }],
      });
      assert.deepEqual(await session.connect(), { ok: true });
      await waitFor(() => requests === 1, 'the request, once a request was applied', 15000);
    } finally {
      api.services.sessions.remove(session);
      counting.closeAllConnections();
      await new Promise<void>((resolve) => counting.close(() => resolve()));
    }
  });
});
