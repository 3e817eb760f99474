import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import { cleanUp, getApi, sleep, tapPosts, waitFor, waitState } from './helpers';

/** Records every line the extension hands to its output channel (what the user can read there). */
function tapChannel(channel: vscode.LogOutputChannel): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const names = ['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace'] as const;
  const originals = new Map<string, unknown>();
  const target = channel as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of names) {
    const original = target[name];
    originals.set(name, original);
    target[name] = (...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
      return original.apply(channel, args);
    };
  }
  return {
    lines,
    restore: () => {
      for (const [name, original] of originals) {
        target[name] = original as (...args: unknown[]) => unknown;
      }
    },
  };
}

/** The log files the extension's output channel writes, when this host keeps them under the extension's log folder. */
async function logFiles(api: RealtimeInspectorApi): Promise<string> {
  const dir = api.services.context.logUri;
  let text = '';
  try {
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      if (type === vscode.FileType.File && name.endsWith('.log')) {
        text += Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(dir, name))).toString('utf8');
      }
    }
  } catch {
    // no log folder on this host: the tapped channel lines are what is scanned
  }
  return text;
}

suite('Secrets scan', () => {
  let api: RealtimeInspectorApi;
  let server: http.Server | undefined;

  suiteSetup(async () => {
    api = await getApi();
  });

  teardown(async () => {
    await cleanUp(api);
    delete process.env.RI_SCAN_TOKEN;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  /**
   * One scan per kind of secret: a plain token, a numeric key (which must not break a number or a
   * JSON line), one holding `"` and `\\` (which JSON would escape), one carried in the URL's query,
   * and one read from the environment. Each is searched for as written, JSON-escaped and
   * percent-encoded.
   */
  const cases: {
    name: string;
    value: string;
    via: 'secret' | 'env';
    profile(base: string): Record<string, unknown>;
    tokenOf(req: http.IncomingMessage): string;
  }[] = [
    {
      name: 'a ${secret:…} bearer token',
      value: 'sk-scan-7f3a9c41',
      via: 'secret',
      profile: (base) => ({ url: `${base}/stream`, headers: { Authorization: 'Bearer ${secret:SCAN_TOKEN}' } }),
      tokenOf: (req) => String(req.headers.authorization ?? '').replace(/^Bearer /, ''),
    },
    {
      name: 'a numeric API key',
      value: '904817263',
      via: 'secret',
      profile: (base) => ({ url: `${base}/stream`, headers: { 'X-API-Key': '${secret:SCAN_TOKEN}' } }),
      tokenOf: (req) => String(req.headers['x-api-key'] ?? ''),
    },
    {
      name: 'a token holding a quote and a backslash',
      value: 'q"uo\\te-77x',
      via: 'secret',
      profile: (base) => ({ url: `${base}/stream`, headers: { Authorization: 'Bearer ${secret:SCAN_TOKEN}' } }),
      tokenOf: (req) => String(req.headers.authorization ?? '').replace(/^Bearer /, ''),
    },
    {
      name: 'a token in the URL (?access_token=)',
      value: 'url-tok-4c1d9e',
      via: 'secret',
      profile: (base) => ({ url: `${base}/stream?access_token=\${secret:SCAN_TOKEN}&page=2` }),
      tokenOf: (req) => {
        const q = new URL(req.url ?? '/', 'http://x').searchParams;
        return q.get('access_token') ?? q.get('echo') ?? '';
      },
    },
    {
      name: 'an ${env:…} token',
      value: 'env-scan-e51b0a',
      via: 'env',
      profile: (base) => ({ url: `${base}/stream`, headers: { Authorization: 'Bearer ${env:RI_SCAN_TOKEN}' } }),
      tokenOf: (req) => String(req.headers.authorization ?? '').replace(/^Bearer /, ''),
    },
  ];

  for (const c of cases) {
    test(`${c.name}, echoed by the server everywhere: in clear nowhere — output channel, NDJSON export, webview posts, raw view, tree`, async () => {
      const SECRET = c.value;
      if (c.via === 'secret') {
        await vscode.commands.executeCommand('realtimeInspector.setSecret', 'SCAN_TOKEN', SECRET);
      } else {
        process.env.RI_SCAN_TOKEN = SECRET;
      }
      const received: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      server = http.createServer((req, res) => {
        const token = c.tokenOf(req);
        received.push(token);
        void (async () => {
          if (req.url?.startsWith('/stream') && received.length === 1) {
            await gate;
            res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': token, 'Set-Cookie': `s=${token}` });
            res.write(`retry: 100\n: heartbeat for ${token}\nid: ${token}\nevent: e-${token}\ndata: you sent ${token}\n\n`);
            // The token split across two writes far enough apart to land in different raw-view updates.
            res.write(`data: split ${token.slice(0, 6)}`);
            await sleep(400);
            res.write(`${token.slice(6)} end\n\n`);
            await sleep(150);
            res.end();
          } else if (req.url?.startsWith('/stream')) {
            // The reconnect (Last-Event-ID is the token): redirected to a URL that carries it.
            res.writeHead(302, { Location: `/denied?echo=${token}` }).end();
          } else {
            res.writeHead(401, {
              'Content-Type': 'application/json',
              'WWW-Authenticate': `Bearer error="invalid_token", token="${token}"`,
            });
            res.end(JSON.stringify({ error: `token ${token} is revoked`, lastEventId: req.headers['last-event-id'] }));
          }
        })();
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

      await vscode.workspace
        .getConfiguration('realtimeInspector')
        .update('profiles', [{ name: 'scan', ...c.profile(base) }], vscode.ConfigurationTarget.Workspace);
      await waitFor(() => api.services.profiles.get('scan')?.profile.url.includes(base), 'profile read');

      const channel = tapChannel(api.services.log.output);
      let posts: ReturnType<typeof tapPosts> | undefined;
      try {
        const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'scan'))!;
        const panel = await waitFor(() => api.services.panels.get(session), 'the panel');
        // The real webview says `ready` once loaded, which turns the raw feed off; let it have done so first.
        await waitFor(() => (panel as unknown as { ready: boolean }).ready, 'the webview to load', 15_000);
        posts = tapPosts(panel.panel.webview);
        await panel.handle({ type: 'ready' });
        await panel.handle({ type: 'setRaw', on: true });
        release();
        await waitState(session, 'failed', 15_000);
        await sleep(400); // batched record and raw posts go out
        assert.deepEqual(received.slice(0, 3), [SECRET, SECRET, SECRET], 'the server got the token each time');
        const kept = JSON.stringify(session.store.toArray());
        assert.ok(kept.includes('you sent ') && kept.includes('split '), 'the echoes arrived');

        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ri-scan-')), 'log.ndjson');
        await vscode.commands.executeCommand('realtimeInspector.exportLog', session.id, file);
        const exported = fs.readFileSync(file, 'utf8');
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        assert.ok(exported.includes('you sent ••••') && exported.includes('split •••• end'), 'the echoes are exported, masked');
        assert.ok(exported.includes('token •••• is revoked'), 'the refusal body is exported, masked');

        // The raw view as the webview shows it: appended updates, replaced on reset.
        let rawView = '';
        for (const m of posts.messages) {
          if (m.type === 'raw') {
            rawView = m.reset ? m.text : rawView + m.text;
          }
        }
        assert.ok(rawView.includes('split '), 'the raw view saw the stream');

        const tree = api.services.tree;
        const items = tree
          .getChildren()
          .flatMap((n) => [n, ...tree.getChildren(n)])
          .map((n) => tree.getTreeItem(n));
        const treeText = JSON.stringify(
          items.map((i) => [i.label, i.description, typeof i.tooltip === 'string' ? i.tooltip : i.tooltip?.value]),
        );

        const places: Record<string, string> = {
          'output channel': channel.lines.join('\n'),
          'output channel log file': await logFiles(api),
          'NDJSON export': exported,
          'webview posts': JSON.stringify(posts.messages),
          'raw view': rawView,
          'session status': JSON.stringify(session.status),
          tree: treeText,
        };
        assert.ok(
          channel.lines.some((l) => l.includes('ERR_HTTP_STATUS')),
          'the refusal was logged',
        );
        for (const [place, text] of Object.entries(places)) {
          for (const form of new Set([SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)])) {
            const at = text.indexOf(form);
            assert.ok(at === -1, `the secret appears as ${form} in the ${place}: …${text.slice(Math.max(0, at - 160), at + 40)}…`);
          }
        }
      } finally {
        posts?.restore();
        channel.restore();
      }
    });
  }
});
