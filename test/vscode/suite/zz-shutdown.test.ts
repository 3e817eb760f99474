import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WebSocket, WebSocketServer } from 'ws';
import type { Session } from '../../../src/session/session';
import { closeDemo, EXTENSION_ID, getApi, waitFor, waitState } from './helpers';

const fixture = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'replay', 'chrome-websocket.har');

// Runs last: it deactivates the extension.
suite('Deactivation', () => {
  test('deactivate() closes every WebSocket with a close frame and ends SSE requests', async () => {
    const api = await getApi();
    const closes: string[] = [];
    let sseEnded = false;
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('data: hi\n\n');
      req.on('close', () => (sseEnded = true));
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('close', (code, reason) => closes.push(`${code} ${reason.toString()}`)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const a = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `ws://127.0.0.1:${port}/a`, { panel: false }))!;
      const b = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `ws://127.0.0.1:${port}/b`))!;
      const c = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `http://127.0.0.1:${port}/sse`, {
        panel: false,
      }))!;
      await Promise.all([waitState(a, 'open'), waitState(b, 'open'), waitState(c, 'open')]);
      // A mock of a's log, with a client: deactivate stops it too.
      await waitFor(() => a.store.size > 0, 'a record in the log');
      const mock = (await api.services.mocks.start(
        await api.services.mocks.open({ file: fixture, label: 'chrome-websocket.har', owned: false }),
        0,
        { speed: 1, loop: true },
      ))!;
      const mockClient = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', mock.url, { panel: false }))!;
      await waitState(mockClient, 'open');
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const main = (await import(path.join(ext.extensionPath, 'dist', 'extension.js'))) as { deactivate(): Promise<void> };
      const started = Date.now();
      await main.deactivate();
      assert.ok(Date.now() - started < 3000, 'bounded in time');
      await waitFor(() => closes.length === 2 && sseEnded, 'both sockets closed and the SSE request ended');
      assert.deepEqual(closes, ['1000 Editor closing', '1000 Editor closing'], 'clean close frames');
      assert.equal(api.services.sessions.all.length, 0, 'every session disposed');
      assert.equal(api.services.mocks.all.length, 0, 'every mock stopped');
      const refused = await new Promise<string>((resolve) => {
        const probe = new WebSocket(mock.url);
        probe.on('open', () => resolve('open'));
        probe.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
      assert.equal(refused, 'ECONNREFUSED', 'the mock no longer listens');
    } finally {
      for (const client of wss.clients) {
        client.terminate();
      }
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await closeDemo();
    }
  });
});
