import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin?: Record<string, string>;
  main: string;
  activationEvents?: string[];
};

describe('package', () => {
  it('declares the CLI as its bin, a script with a shebang that runs by itself', () => {
    assert.equal(pkg.bin?.['realtime-inspector'], './dist/cli.js');
    const cli = join(root, pkg.bin!['realtime-inspector']);
    assert.ok(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n'));
    accessSync(cli, constants.X_OK);
    const run = spawnSync(cli, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\d+\.\d+\.\d+/);
  });

  it('activates lazily, never on startup', () => {
    assert.equal(pkg.main, './dist/extension.js');
    for (const event of pkg.activationEvents ?? []) {
      assert.ok(event !== '*' && event !== 'onStartupFinished', `eager activation event ${event}`);
    }
  });
});
