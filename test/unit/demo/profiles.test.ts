/**
 * The demo workspace's profiles (`npm start` writes them): valid, and their stream contracts hold
 * against the demo server, checked by the built CLI's `run` on exactly the settings file `npm start` writes.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { validateProfiles } from '../../../src/core/profile';
import { demoSettings } from '../../../src/demo/profiles';
import { type DemoServer, startDemoServer } from '../../../src/demo/server';

const CLI = resolve(__dirname, '../../../../dist/cli.js');

describe('the demo workspace profiles', () => {
  let server: DemoServer;
  let dir: string;
  before(async () => {
    server = await startDemoServer();
    dir = mkdtempSync(join(tmpdir(), 'ri-demo-ws-'));
    mkdirSync(join(dir, '.vscode'));
    // As scripts/start.mjs writes it.
    writeFileSync(join(dir, '.vscode', 'settings.json'), `${JSON.stringify(demoSettings(server.url), null, 2)}\n`);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are valid profiles, most with an expect block', () => {
    const result = validateProfiles(demoSettings(server.url)['realtimeInspector.profiles']);
    assert.deepEqual(result.issues, []);
    assert.ok(result.profiles.filter((p) => p.expect).length >= 4);
  });

  it('pass every rule against the demo server: `run` exits 0', { timeout: 60_000 }, async () => {
    assert.ok(existsSync(CLI), `${CLI} is built (node scripts/build.mjs)`);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) {
      delete env[k];
    }
    const child = spawn(process.execPath, [CLI, 'run', '--parallel', '4', '--junit', 'results.xml'], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, stdout + stderr);
    const withExpect = (demoSettings(server.url)['realtimeInspector.profiles'] as { name: string; expect?: unknown }[]).filter(
      (p) => p.expect,
    );
    const report = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(join(dir, 'results.xml'), 'utf8'),
    ) as { testsuites: { tests: string; failures: string; testsuite: { name: string }[] } };
    assert.equal(report.testsuites.failures, '0');
    assert.ok(Number(report.testsuites.tests) >= withExpect.length * 2);
    assert.deepEqual(
      report.testsuites.testsuite.map((s) => s.name),
      withExpect.map((p) => p.name),
    );
    assert.match(stdout, /Total \d+ profiles: \d+ passed, 0 failed/);
  });
});
