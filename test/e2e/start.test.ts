/**
 * `npm start` (scripts/start.mjs) on a machine without a desktop `code`: it builds, starts the demo server and
 * code-server with the packaged extension and a demo workspace whose profiles point at the demo server.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launchBrowser, openWorkbench, runCommand, screenshot } from '../harness/browser';
import { repoRoot } from '../harness/codeServer';
import { badgeText, eventually, logRows, panelFrame } from './fixture';

function start(args: string[]): {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--browser', ...args], {
    cwd: repoRoot,
    env: { ...process.env, RI_DEMO_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? -1 : null));
    });
  });
  return { child, output: () => output, exited };
}

describe('npm start', () => {
  it('--check: the workbench answers HTTP 200 with the packaged extension installed and demo profiles written', async () => {
    const run = start(['--check']);
    const code = await run.exited;
    const output = run.output();
    assert.equal(code, 0, output);
    const check = /check ok: workbench (\S+) answered 200; demo server (http:\/\/127\.0\.0\.1:\d+); extensions: (\S*)/.exec(output);
    assert.ok(check, output);
    const workbench = new URL(check[1]);
    assert.equal(workbench.hostname, '127.0.0.1');
    assert.equal(workbench.searchParams.get('folder'), join(repoRoot, '.cache', 'demo-workspace'));
    assert.match(check[3], /^realtime-inspector\.realtime-inspector-\d+\.\d+\.\d+$/, 'the packaged extension is installed');
    const settings = JSON.parse(readFileSync(join(repoRoot, '.cache', 'demo-workspace', '.vscode', 'settings.json'), 'utf8'));
    const urls = (settings['realtimeInspector.profiles'] as { url: string }[]).map((p) => p.url);
    const demo = check[2];
    const ws = demo.replace('http', 'ws');
    assert.deepEqual(urls, [
      `${demo}/sse`,
      `${demo}/sse/once`,
      `${demo}/sse/llm`,
      `${demo}/sse/llm/anthropic`,
      `${ws}/ws/echo`,
      'ws://{{host}}/ws/echo',
      demo,
      `${ws}/graphql`,
      `${ws}/ws/ticker`,
      `${demo}/mcp`,
    ]);
    // The environment profile's {{host}} is the demo server's host:port in the active `demo` environment.
    const environments = settings['realtimeInspector.environments'] as Record<string, Record<string, string>>;
    assert.equal(environments.demo.host, new URL(demo).host);
  });

  it('the printed URL opens VS Code where a demo profile connects; Ctrl+C stops everything', async () => {
    const run = start([]);
    let url: string | undefined;
    const browser = await launchBrowser();
    try {
      url = (await eventually(
        async () => /Open this URL in a browser[^\n]*\n\s*\n\s*(\S+)/.exec(run.output())?.[1],
        (u) => !!u && /Press Ctrl\+C/.test(run.output()),
        90_000,
        'npm start prints the URL',
      ))!;
      await openWorkbench(browser.page, url);
      await runCommand(browser.page, 'Realtime: Connect SSE/WS');
      const first = browser.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Demo: SSE ticker' }).first();
      await first.waitFor({ state: 'visible', timeout: 15_000 });
      await first.click();
      const frame = await panelFrame(browser.page);
      await eventually(
        () => badgeText(frame),
        (text) => /^Open since/.test(text),
        15_000,
        'the demo profile connects',
      );
      await eventually(
        () => logRows(frame),
        (rows) => rows.some((r) => r.id === '1'),
        15_000,
        'the first demo event',
      );
      await screenshot(browser.page, 'e2e-start-demo-profile');
    } catch (error) {
      await screenshot(browser.page, 'e2e-start-demo-profile-failure').catch(() => undefined);
      throw new Error(`${String(error)}\n${run.output()}`, { cause: error });
    } finally {
      await browser.close();
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exited, 130, run.output());
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(5_000) }), 'code-server is gone after Ctrl+C');
  });
});
