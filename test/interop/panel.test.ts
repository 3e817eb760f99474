/**
 * Interop, panel: the packaged extension in a real VS Code (code-server) in Chromium, connected from the
 * palette to the FastAPI servers of servers/app.py — the sse-starlette `/stream` and the WebSocket echo
 * `/ws` — and checked on what the panel shows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badgeText,
  connectFromPalette,
  eventually,
  logRows,
  openExtensionWorkbench,
  panelFrame,
  withFailureShot,
  type Workbench,
} from '../e2e/fixture';
import { pythonEnv, startFastApi, type FastApiServer, type Observation } from './python';

const env = pythonEnv();
const IDS = Array.from({ length: 10 }, (_, i) => `message_id_${i}`);

function streamRequests(seen: Observation[]) {
  return seen.filter((o): o is Extract<Observation, { what: 'request' }> => o.what === 'request' && o.path === '/stream');
}

describe('the panel against FastAPI (sse-starlette /stream, WebSocket /ws)', { skip: env.skip }, () => {
  let server: FastApiServer | undefined;
  let wb: Workbench | undefined;

  before(async () => {
    server = await startFastApi(env.venv!);
    wb = await openExtensionWorkbench();
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  it(
    'Connect SSE/WS with /stream lists the ten events with their ids, in order, then reconnects no sooner than retry: 15000 with Last-Event-ID message_id_9',
    { timeout: 240_000 },
    async (t) => {
      const w = wb!;
      await withFailureShot(w, 'interop-1-fastapi-stream', async () => {
        const url = `${server!.url}/stream`;
        await connectFromPalette(w.page, url);
        const frame = await panelFrame(w.page, url);
        const rows = await eventually(
          () => logRows(frame),
          (rs) => IDS.every((id) => rs.some((r) => r.id === id)),
          60_000,
          'the ten events of /stream in the log',
        );
        const events = rows.filter((r) => IDS.includes(r.id));
        assert.deepEqual(
          events.slice(0, 10).map((r) => r.id),
          IDS,
          'every id once, in the order sent',
        );
        for (const [i, event] of events.slice(0, 10).entries()) {
          assert.equal(event.dir, 'in');
          assert.match(event.type, /message/, `event ${i} has the type message`);
          assert.equal(event.data, `Counter value ${i}`);
        }
        await w.shot('interop-1-fastapi-stream');

        // The server ends the response after the tenth event; the next attempt waits the server's retry.
        const seen = await server!.waitFor((o) => streamRequests(o).length >= 2, 'a second request to /stream', 120_000);
        const [first, second] = streamRequests(seen);
        const firstEnd = seen.find((o) => o.what === 'end' && o.path === '/stream' && o.at >= first.at && o.at <= second.at);
        await eventually(
          () => badgeText(frame),
          (text) => /^Open since/.test(text),
          30_000,
          'open again after the reconnect',
        );
        await w.shot('interop-1-fastapi-stream-reconnected');
        // Done with it: Disconnect, so that no attempt is under way while the next scenario uses the palette.
        await frame.locator('button', { hasText: 'Disconnect' }).click();
        await eventually(
          () => badgeText(frame),
          (text) => !/^(Open|Reconnecting|Connecting)/.test(text),
          15_000,
          'the panel disconnected',
        );

        assert.ok(firstEnd, `the server ended the first stream before the second request: ${JSON.stringify(seen)}`);
        assert.equal(first.last_event_id, null, 'the first request carries no Last-Event-ID');
        assert.equal(second.last_event_id, 'message_id_9', 'the reconnect carries the last id received');
        const gap = second.at - firstEnd.at;
        t.diagnostic(`reconnect ${gap.toFixed(0)} ms after the end of the stream, measured at the server`);
        assert.ok(gap >= 15_000, `the reconnect came ${gap.toFixed(0)} ms after the stream ended, sooner than the server's retry: 15000`);
      });
    },
  );

  it(
    'Connect SSE/WS with /ws: two lines typed in the send box one after the other, both echoes in the log',
    { timeout: 180_000 },
    async () => {
      const w = wb!;
      await withFailureShot(w, 'interop-2-fastapi-ws', async () => {
        const url = `ws://127.0.0.1:${server!.port}/ws`;
        // Focus off the /stream panel: a webview that gets focus back between the steps of the connect
        // flow (asynchronously) closes the quick input. The Explorer takes it instead.
        await w.page.locator('.part.sidebar .pane-body').first().click();
        await connectFromPalette(w.page, url);
        const frame = await panelFrame(w.page, url);
        await eventually(
          () => badgeText(frame),
          (text) => /^Open since/.test(text),
          30_000,
          'header says open',
        );

        const editor = frame.locator('.sendbox textarea.editor');
        for (const line of ['hello', 'world']) {
          await editor.fill(line);
          await editor.press('Control+Enter');
          await eventually(
            () => logRows(frame),
            (rs) => rs.some((r) => r.dir === 'in' && r.data === `Message text was: ${line}`),
            30_000,
            `the echo of ${line}`,
          );
        }
        const rows = await logRows(frame);
        const messages = rows.filter((r) => r.dir === 'in' || r.dir === 'out').map((r) => [r.dir, r.data]);
        assert.deepEqual(messages, [
          ['out', 'hello'],
          ['in', 'Message text was: hello'],
          ['out', 'world'],
          ['in', 'Message text was: world'],
        ]);
        await w.shot('interop-2-fastapi-ws');
      });
    },
  );
});
