import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { WebSocketServer } from 'ws';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { RecordsPost } from '../../../src/panel/inspectorPanel';
import type { Session } from '../../../src/session/session';
import { cleanUp, getApi, tapPosts, waitFor, waitState } from './helpers';

/** 5,000 messages a second: 50 every 10 ms. */
const PER_TICK = 50;
const TICK_MS = 10;
const TICKS = 150;

suite('Inspector panel under a flood (host side)', () => {
  let api: RealtimeInspectorApi;

  suiteSetup(async () => {
    api = await getApi();
  });

  teardown(async () => {
    await cleanUp(api);
  });

  test('at 5,000 messages/s the posts go at least ~100 ms apart, each carrying the records since the last', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => {
      let tick = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < PER_TICK; i++) {
          ws.send(`{"tick":${tick},"i":${i}}`);
        }
        if (++tick === TICKS) {
          clearInterval(timer);
        }
      }, TICK_MS);
      ws.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connect', `ws://127.0.0.1:${port}/flood`))!;
      await waitState(session, 'open');
      const panel = api.services.panels.get(session)!;
      const tap = tapPosts(panel.panel.webview);
      const posts: RecordsPost[] = [];
      const listener = panel.onDidPostRecords((p) => posts.push(p));
      try {
        await panel.handle({ type: 'ready' });
        const total = PER_TICK * TICKS;
        await waitFor(() => session.stats.messagesIn >= total, `${total} messages`, 60_000);
        await waitFor(
          () => {
            const posted = tap.messages.flatMap((m) => (m.type === 'records' || m.type === 'init' ? m.records : []));
            return posted.filter((r) => r.kind === 'message').length >= total;
          },
          'every message posted',
          10_000,
        );
        // The host's own clock and pacing: when it cut each batch (before packing it) and whether it took the
        // rate for a flood. The tap's clock would read after packing and unpacking, which under load shifts
        // each post by its own packing time.
        // (A `ready` from the webview itself replays the store in chunks, unpaced: those are not in `posts`.)
        let checked = 0;
        for (let i = 1; i < posts.length; i++) {
          if (posts[i - 1].flood) {
            checked++;
            const gap = posts[i].at - posts[i - 1].at;
            // The batcher times from its flush, a moment before the post reads the clock: a few ms of slack
            // (a post that did not wait would come 18 ms after).
            assert.ok(gap >= 95, `post ${i} came ${gap} ms after a post of ${posts[i - 1].count} records (a flood)`);
          }
        }
        assert.ok(checked >= 3, `the flood was seen in ${checked} posts of ${posts.length}`);
      } finally {
        listener.dispose();
        tap.restore();
      }
    } finally {
      for (const client of wss.clients) {
        client.terminate();
      }
      wss.close();
      server.close();
    }
  });
});
