/**
 * The integration runner itself: a suite run in code-server's extension host ends with the suite's verdict,
 * shows mocha's report, and the extension host sees the environment the runner was given.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../harness/codeServer';
import { runSuiteInCodeServer } from '../vscode/runInCodeServer';

describe('integration runner in code-server', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ri-runner-'));
    const ext = join(dir, 'ext');
    mkdirSync(ext);
    writeFileSync(
      join(ext, 'package.json'),
      JSON.stringify({
        name: 'runner-probe',
        publisher: 'local',
        version: '0.0.1',
        engines: { vscode: '^1.80.0' },
        main: './extension.js',
        activationEvents: [],
        contributes: { commands: [{ command: 'runnerProbe.env', title: 'Probe' }] },
      }),
    );
    writeFileSync(
      join(ext, 'extension.js'),
      `const vscode = require('vscode');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('runnerProbe.env', () => process.env.RI_RUNNER_PROBE));
};`,
    );
    const mocha = JSON.stringify(join(repoRoot, 'node_modules', 'mocha'));
    for (const [name, body] of [
      [
        'pass',
        `test('command sees the runner environment', async () => {
        assert.strictEqual(await vscode.commands.executeCommand('runnerProbe.env'), 'probe-42');
      });`,
      ],
      ['fail', `test('a failing probe', () => { assert.strictEqual('left', 'right'); });`],
      [
        'trust',
        `test('workspace trust as the runner asked', () => {
        assert.strictEqual(vscode.workspace.isTrusted, process.env.RI_RUNNER_EXPECT_TRUSTED === '1');
      });`,
      ],
    ]) {
      const suite = join(dir, name);
      mkdirSync(suite);
      writeFileSync(
        join(suite, 'index.js'),
        `const Mocha = require(${mocha});
exports.run = () => new Promise((resolve, reject) => {
  const mocha = new Mocha({ ui: 'tdd', timeout: 10000, color: false });
  mocha.addFile(require('path').join(__dirname, 'probe.test.js'));
  mocha.run((failures) => (failures ? reject(new Error(failures + ' failing')) : resolve()));
});`,
      );
      writeFileSync(
        join(suite, 'probe.test.js'),
        `const assert = require('assert'); const vscode = require('vscode');
suite('probe', () => { ${body} });`,
      );
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(suite: string, workspaceTrust = false): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const code = await runSuiteInCodeServer({
      suite: join(dir, suite),
      extension: join(dir, 'ext'),
      workspaceTrust,
      env: { RI_RUNNER_PROBE: 'probe-42', RI_RUNNER_EXPECT_TRUSTED: workspaceTrust ? '0' : '1' },
      timeoutMs: 90_000,
      print: (line) => lines.push(line),
    });
    return { code, output: lines.join('\n') };
  }

  it('exits 0 when run() resolves, and the extension host inherits the environment', async () => {
    const { code, output } = await run('pass');
    assert.equal(code, 0, output);
    assert.match(output, /command sees the runner environment/);
    assert.match(output, /1 passing/);
  });

  it('exits 1 when a test fails, printing the assertion', async () => {
    const { code, output } = await run('fail');
    assert.equal(code, 1, output);
    assert.match(output, /1 failing/);
    assert.match(output, /'left'|left/);
    assert.match(output, /right/);
  });

  it('with workspace trust kept on, the window opens in restricted mode', async () => {
    const { code, output } = await run('trust', true);
    assert.equal(code, 0, output);
    assert.match(output, /1 passing/);
  });
});
