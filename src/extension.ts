import * as vscode from 'vscode';
import { Commands } from './commands';
import { VIEW_TYPE } from './panel/inspectorPanel';
import { Services } from './services';
import { StatusBar } from './statusBar';
import { ContractTests } from './testing/contractTests';
import { VIEW_ID } from './tree/connectionsTree';

/** What `activate` returns: the extension's live objects, for integration tests and other extensions. */
export interface RealtimeInspectorApi {
  readonly services: Services;
  readonly commands: Commands;
  readonly statusBar: StatusBar;
  /** The Testing view's "Realtime contracts". */
  readonly tests: ContractTests;
  /** How long `activate` took, in ms. */
  readonly activationMs: number;
}

let services: Services | undefined;

/**
 * Registers commands, the Connections view, the panel serializer and the status-bar item — nothing
 * else: no I/O, no settings read, no socket (profiles are read when first shown or used).
 */
export function activate(context: vscode.ExtensionContext): RealtimeInspectorApi {
  const started = performance.now();
  const s = new Services(context);
  services = s;
  const commands = new Commands(s);
  const statusBar = new StatusBar(s.sessions);
  const tests = new ContractTests(s.profiles, s.sessions, async (profile) => {
    const outcome = await commands.checks.runChecksCommand(profile, { preserveFocus: true });
    if (!outcome) {
      return { error: `Profile "${profile}" was not run` };
    }
    if (!outcome.result.ok) {
      return { error: outcome.result.message };
    }
    return outcome.run ? { run: outcome.run } : { error: `The checks of "${profile}" did not start (see the panel's log)` };
  });
  context.subscriptions.push(
    s,
    statusBar,
    tests,
    ...commands.register(),
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: s.tree, showCollapseAll: false }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, s.panels),
  );
  const activationMs = performance.now() - started;
  return { services: s, commands, statusBar, tests, activationMs };
}

/**
 * Writes the panels' logs for the next window, then closes every connection cleanly (WS close
 * frames, SSE requests ended), bounded in time.
 */
export async function deactivate(): Promise<void> {
  const s = services;
  services = undefined;
  // First, while nothing else runs: the host may stop before the clean closes below finish.
  s?.flushLogs();
  await s?.shutdown();
}
