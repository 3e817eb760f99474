// `npm start`: builds the extension, starts the demo server, writes a demo workspace with ready-made profiles
// and opens VS Code on it with the extension loaded: the desktop `code` when it is on PATH, otherwise
// code-server (VS Code in the browser) through the same launcher the tests use, printing the URL to open.
// Runs until Ctrl+C, then tears everything down.
//
//   node scripts/start.mjs [--check] [--browser]
//     --check    start everything, verify the workbench answers HTTP 200, stop and exit 0 (used by a test)
//     --browser  use code-server even when a desktop `code` is on PATH
//     --no-build skip building (and packaging): dist/ and realtime-inspector.vsix are up to date
//   RI_DEMO_PORT         demo server port (default 7777, a free one when taken)
//   RI_CODE_SERVER_PORT  code-server port (default: a free one)
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const check = process.argv.includes('--check');
const forceBrowser = process.argv.includes('--browser') || check;
const skipBuild = process.argv.includes('--no-build');
const cacheDir = join(root, '.cache');

function step(message) {
  console.log(`\u203a ${message}`);
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The launcher, the demo server and its profiles are TypeScript; bundle them for this script (fast, no type check). */
async function loadModules() {
  const outdir = join(cacheDir, 'start');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { codeServer: 'test/harness/codeServer.ts', demoServer: 'src/demo/server.ts', demoProfiles: 'src/demo/profiles.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['ws', 'bufferutil', 'utf-8-validate', 'socket.io', 'graphql', 'graphql-ws', 'graphql-ws/*'],
    logLevel: 'error',
  });
  return {
    launcher: require(join(outdir, 'codeServer.js')),
    demo: require(join(outdir, 'demoServer.js')),
    profiles: require(join(outdir, 'demoProfiles.js')),
  };
}

async function startDemo(startDemoServer) {
  const port = Number(process.env.RI_DEMO_PORT ?? 7777);
  try {
    return await startDemoServer({ port, host: '127.0.0.1' });
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') {
      throw error;
    }
    return startDemoServer({ port: 0, host: '127.0.0.1' });
  }
}

/** The demo workspace: the demo profiles (with stream contracts that hold against the demo server) and a README. */
function writeDemoWorkspace(demoUrl, demoSettings) {
  const workspace = join(cacheDir, 'demo-workspace');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify(demoSettings(demoUrl), null, 2)}\n`);
  writeFileSync(
    join(workspace, 'README.md'),
    [
      '# Realtime Inspector demo workspace',
      '',
      `The demo server runs at ${demoUrl} while \`npm start\` runs.`,
      'Open the **Realtime** view in the activity bar and connect one of the saved profiles,',
      'or run **Realtime: Connect SSE/WS** from the command palette.',
      '',
      'The profiles carry stream contracts (`expect`); check them all from a terminal in this folder with',
      '`realtime-inspector run` (or `node <extension>/dist/cli.js run`).',
      '',
      'Pick the **demo** environment from the status bar to connect **Demo: WebSocket echo (environment)**',
      '(its URL is `ws://{{host}}/ws/echo`), and send its saved messages from the send box.',
      '',
    ].join('\n'),
  );
  return workspace;
}

/**
 * The workbench's HTTP status. code-server says it listens a moment before it answers every request (on a
 * first start it is still loading), so a refused or reset request is tried again for up to a minute.
 */
async function httpStatus(url) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
      await response.body?.cancel();
      return response.status;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`the workbench at ${url} did not answer: ${error?.cause?.message ?? error?.message ?? error}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function main() {
  const cleanups = [];
  let closing = false;
  const teardown = async (code) => {
    if (closing) {
      return;
    }
    closing = true;
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void teardown(130));
  process.on('SIGTERM', () => void teardown(143));

  try {
    const desktop = !forceBrowser && onPath('code');
    if (!skipBuild) {
      // Desktop VS Code loads the extension unpacked from dist/; code-server gets the packaged .vsix installed.
      step(desktop ? 'building' : 'building and packaging');
      const build = desktop
        ? spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' })
        : spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      if (build.status !== 0) {
        throw new Error('build failed');
      }
    }
    const { launcher, demo, profiles } = await loadModules();

    const demoServer = await startDemo(demo.startDemoServer);
    cleanups.push(() => demoServer.close());
    step(`demo server: ${demoServer.url}`);
    const workspace = writeDemoWorkspace(demoServer.url, profiles.demoSettings);
    step(`demo workspace: ${workspace}`);

    if (desktop) {
      step('opening desktop VS Code with the extension loaded');
      const code = spawn('code', [`--extensionDevelopmentPath=${root}`, workspace], { stdio: 'inherit' });
      await new Promise((resolve) => code.on('exit', resolve));
      console.log('\nThe demo server keeps running for VS Code; press Ctrl+C to stop it.');
      return;
    }

    step('starting VS Code in the browser (code-server)');
    const started = Date.now();
    const server = await launcher.startCodeServer({
      workspace,
      vsix: join(root, 'realtime-inspector.vsix'),
      port: Number(process.env.RI_CODE_SERVER_PORT ?? 0),
    });
    cleanups.push(() => server.stop());
    const url = launcher.workbenchUrl(server, workspace);
    const status = await httpStatus(url);
    if (status !== 200) {
      throw new Error(`workbench answered HTTP ${status}`);
    }
    step(`code-server ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (check) {
      const installed = readdirSync(server.extensionsDir).filter((name) => name.startsWith('realtime-inspector.'));
      console.log(`check ok: workbench ${url} answered 200; demo server ${demoServer.url}; extensions: ${installed.join(', ')}`);
      await teardown(0);
      return;
    }
    console.log(`\nOpen this URL in a browser (Chromium, Chrome, Firefox):\n\n  ${url}\n\nPress Ctrl+C to stop.`);
  } catch (error) {
    console.error(`npm start failed: ${error?.stack ?? error}`);
    await teardown(1);
  }
}

await main();
