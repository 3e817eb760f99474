/**
 * Runs the extension-host integration suite (a mocha `run()` entry, the @vscode/test-electron way) inside
 * code-server's real extension host, driven by headless Chromium: the offline counterpart of runTest.ts.
 *
 *   node out/test/vscode/runInCodeServer.js [--suite DIR] [--extension DIR] [--workspace DIR]
 *                                           [--timeout MS] [--trust] [--grep PATTERN]
 *
 * --suite      compiled folder whose index.js exports run() (default out/test/vscode/suite)
 * --extension  extension development folder, loaded unpacked (default: the repository; build it first)
 * --workspace  folder copied to a throw-away location and opened (default test/vscode/fixtures/workspace
 *              when present, else an empty folder)
 * --timeout    overall limit in ms (default 300000)
 * --trust      keep workspace trust on, so the window opens in restricted mode
 * --grep       run only the tests matching PATTERN (passed to the suite as RI_SUITE_GREP)
 *
 * Exits with the suite's code: 0 when run() resolved, 1 when it rejected or the run failed or timed out.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchBrowser, screenshot, type BrowserSession } from '../harness/browser';
import { remotePath, repoRoot, startCodeServer, workbenchUrl, type CodeServer } from '../harness/codeServer';

export interface SuiteRunOptions {
  /** Folder (or file) whose module exports `run()`. */
  suite: string;
  /** Extension development folder. */
  extension: string;
  /** Folder to copy and open; empty folder when absent. */
  workspace?: string;
  timeoutMs?: number;
  workspaceTrust?: boolean;
  /** Extra environment for the extension host. */
  env?: Record<string, string>;
  /** Where the suite's output goes (default: stdout). */
  print?: (line: string) => void;
}

// Workbench noise that says nothing about the suite.
const NOISE = [
  /vsda/,
  /same-origin/i,
  /Failed to load resource/,
  /ERR_BLOCKED_BY_CLIENT/,
  /open-vsx|marketplace|gallery/i,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost[^\]]*|AccountPolicyGate)\]/,
  /^Updating additional builtin extensions cache/,
  // The workbench tearing down views the suite disposed quickly.
  /^Model is disposed!/,
  /^OverlayWebview has been disposed/,
];

/** Runs the suite and resolves with its exit code; never rejects. */
export async function runSuiteInCodeServer(options: SuiteRunOptions): Promise<number> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'ri-suite-'));
  const workspace = join(scratch, 'workspace');
  if (options.workspace && existsSync(options.workspace)) {
    cpSync(options.workspace, workspace, { recursive: true });
  } else {
    mkdirSync(workspace, { recursive: true });
  }

  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({
      workspace,
      smokeTestDriver: true,
      workspaceTrust: options.workspaceTrust,
      env: { ...options.env, RI_TEST_WORKSPACE: workspace },
    });
    const codeServer = server;
    let finish!: (code: number) => void;
    const exitCode = new Promise<number>((r) => (finish = r));
    let timedOut = false;
    timer = setTimeout(() => {
      timedOut = true;
      print(`✖ integration run timed out after ${timeoutMs} ms`);
      finish(1);
    }, timeoutMs);

    session = await launchBrowser({
      beforeLoad: async (page) => {
        await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
          const text = format(...(Array.isArray(args) ? args : [args]));
          if (process.env.RI_DEBUG_LOG) {
            print(`<${type}> ${text}`);
          }
          if (NOISE.some((re) => re.test(text))) {
            return;
          }
          print(type === 'error' || type === 'warn' ? `[${type}] ${text}` : text);
        });
        await page.exposeFunction('codeAutomationExit', (code: number) => finish(code === 0 ? 0 : 1));
      },
    });
    const url = workbenchUrl(codeServer, workspace, [
      ['extensionDevelopmentPath', remotePath(codeServer, options.extension)],
      ['extensionTestsPath', remotePath(codeServer, options.suite)],
      ['skipWelcome', 'true'],
    ]);
    session.page.on('pageerror', (error) => print(`[page error] ${error.message}`));
    await session.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    const code = await exitCode;
    if (code !== 0) {
      await screenshot(session.page, 'integration-failure').catch(() => undefined);
    }
    if (timedOut) {
      print(`code-server output:\n${codeServer.output()}`);
    }
    print(`integration run ended with ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } catch (error) {
    print(`✖ integration run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (server) {
      print(`code-server output:\n${server.output()}`);
    }
    return 1;
  } finally {
    clearTimeout(timer);
    await session?.close();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
}

function parseArgs(argv: string[]): SuiteRunOptions {
  const options: SuiteRunOptions = {
    suite: join(repoRoot, 'out', 'test', 'vscode', 'suite'),
    extension: repoRoot,
    workspace: join(repoRoot, 'test', 'vscode', 'fixtures', 'workspace'),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      return next;
    };
    if (arg === '--suite') {
      options.suite = resolve(value());
    } else if (arg === '--extension') {
      options.extension = resolve(value());
    } else if (arg === '--workspace') {
      options.workspace = resolve(value());
    } else if (arg === '--timeout') {
      options.timeoutMs = Number(value());
    } else if (arg === '--trust') {
      options.workspaceTrust = true;
    } else if (arg === '--grep') {
      options.env = { ...options.env, RI_SUITE_GREP: value() };
    } else {
      throw new Error(`unknown argument ${arg}`);
    }
  }
  return options;
}

if (require.main === module) {
  let options: SuiteRunOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const suiteEntry = existsSync(join(options.suite, 'index.js')) ? join(options.suite, 'index.js') : options.suite;
  if (!existsSync(suiteEntry)) {
    console.error(`no compiled suite at ${options.suite}; run: npx tsc -p tsconfig.test.json`);
    process.exit(1);
  }
  runSuiteInCodeServer(options).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
