/**
 * Runs the extension-host suite in desktop VS Code with @vscode/test-electron (`npm run test:vscode`).
 * It downloads a VS Code build on first use, so it needs a machine that can reach Microsoft's update
 * servers; offline, runInCodeServer.ts runs the same suite in code-server.
 *
 *   VSCODE_VERSION=1.90.0 npm run test:vscode     (default: stable)
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const scratch = mkdtempSync(join(tmpdir(), 'ri-vscode-'));
  const workspace = join(scratch, 'workspace');
  cpSync(join(root, 'test', 'vscode', 'fixtures', 'workspace'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: root,
      extensionTestsPath: join(__dirname, 'suite'),
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${join(scratch, 'user')}`,
      ],
      extensionTestsEnv: { RI_TEST_WORKSPACE: workspace },
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
