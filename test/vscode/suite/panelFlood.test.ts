import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { WebSocketServer } from 'ws';
import type { RealtimeInspectorApi } from '../../../src/extension';
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
        const batches = tap.messages
          .map((m, i) => ({ m, t: tap.times[i] }))
          .filter((x) => x.m.type === 'records')
          .map((x) => ({ n: x.m.type === 'records' ? x.m.records.length : 0, t: x.t }));
        // After a post that showed a flood, the next waits. The host calls it a flood at 2,000 records/s by
        // its own clock, read before it packs a batch; this tap's clock reads after, so under load the two
        // gaps differ by the packing times: here a flood is 3,000/s or more, clearly one on either clock.
        let checked = 0;
        for (let i = 2; i < batches.length; i++) {
          const perSecond = (batches[i - 1].n * 1000) / Math.max(1, batches[i - 1].t - batches[i - 2].t);
          if (perSecond >= 3000) {
            checked++;
            const gap = batches[i].t - batches[i - 1].t;
            assert.ok(gap >= 95, `post ${i} came ${gap} ms after a post of ${batches[i - 1].n} records (a flood)`);
          }
        }
        assert.ok(checked >= 3, `the flood was seen in ${checked} posts of ${batches.length}`);
      } finally {
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
