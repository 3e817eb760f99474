/**
 * `npm start` (scripts/start.mjs) on a machine without a desktop `code`: it builds, starts the demo server and
 * code-server with the extension and a demo workspace, and the workbench answers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../harness/codeServer';

describe('npm start', () => {
  it('starts the demo server and code-server with a demo workspace whose workbench answers HTTP 200', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.mjs'), '--check'], {
      cwd: repoRoot,
      env: { ...process.env, RI_DEMO_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, output);
    const check = /check ok: workbench (\S+) answered 200; demo server (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    assert.ok(check, output);
    const workbench = new URL(check[1]);
    assert.equal(workbench.hostname, '127.0.0.1');
    const payload = JSON.parse(workbench.searchParams.get('payload') ?? '[]') as [string, string][];
    assert.deepEqual(
      payload.find(([key]) => key === 'extensionDevelopmentPath')?.[1],
      `vscode-remote://127.0.0.1:${workbench.port}${repoRoot}`,
    );
    const settings = JSON.parse(readFileSync(join(repoRoot, '.cache', 'demo-workspace', '.vscode', 'settings.json'), 'utf8'));
    const urls = (settings['realtimeInspector.profiles'] as { url: string }[]).map((p) => p.url);
    const demo = check[2];
    assert.deepEqual(urls, [`${demo}/sse`, `${demo}/sse/once`, `${demo.replace('http', 'ws')}/ws/echo`, `${demo.replace('http', 'ws')}/ws/ticker`]);
  });
});
