import * as vscode from 'vscode';
import { ActiveEnvironment } from './workbench/activeEnvironment';
import { SecretPrompts } from './commands/secrets';
import { SessionActions } from './commands/sessionActions';
import { Disposable } from './core/lifecycle';
import type { DemoServer } from './demo/server';
import { Log } from './log';
import { PanelManager } from './panel/panelManager';
import { ProfileStore } from './profiles/profileStore';
import { SendHistory } from './workbench/sendHistory';
import { SecretStore } from './profiles/secrets';
import { MockServers } from './mocks/mockServers';
import { LogPersistence } from './session/persist';
import { SessionRegistry } from './session/registry';
import { storeOptions } from './settings';
import { ConnectionsTree } from './tree/connectionsTree';
import { TrustGate } from './trust';

/**
 * Everything the extension holds, owned in one place: disposing it closes every connection, panel,
 * view and listener. Built in `activate`, each part after what it uses, without doing any I/O
 * (profiles are read on first use).
 */
export class Services extends Disposable {
  readonly log: Log;
  readonly trust = new TrustGate();
  readonly secrets: SecretStore;
  readonly profiles: ProfileStore;
  readonly sessions: SessionRegistry;
  /** Keeps the tail of each panel's log on disk for a window reload; undefined without file storage. */
  readonly logPersistence: LogPersistence | undefined;
  /** Connect and report, export, save as profile: what the panels and the commands both do. */
  readonly actions: SessionActions;
  readonly panels: PanelManager;
  readonly tree: ConnectionsTree;
  /** The recordings served as mocks (Serve as Mock): all stopped with the extension. */
  readonly mocks: MockServers;
  /** The active environment of `realtimeInspector.environments` (status bar, `{{name}}` on connect and send). */
  readonly environments: ActiveEnvironment;
  demo: DemoServer | undefined;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.log = this._register(new Log());
    this.secrets = new SecretStore(context.secrets, context.globalState);
    this.profiles = this._register(new ProfileStore(this.log));
    this.environments = this._register(new ActiveEnvironment(context.workspaceState, this.log));
    this.sessions = this._register(
      new SessionRegistry({
        log: this.log,
        trust: this.trust,
        storeOptions,
        env: { env: (name) => process.env[name], secret: (name) => this.secrets.get(name) },
        environment: () => this.environments.current,
      }),
    );
    this.logPersistence = logPersistenceIn(context.storageUri ?? context.globalStorageUri, this.log);
    this.actions = new SessionActions(
      this.log,
      this.profiles,
      new SecretPrompts(this.secrets, this.log),
      context.globalState,
      new SendHistory(context.workspaceState),
    );
    this.panels = this._register(
      new PanelManager(context.extensionUri, this.sessions, this.profiles, this.actions, this.log, this.logPersistence),
    );
    if (this.logPersistence) {
      // Registered after the panels: disposed before them, it writes what is pending and keeps the
      // files that the panels closed by the shutdown would otherwise delete.
      this._register(this.logPersistence);
    }
    // A removed session's log is not kept for a reload.
    this._register(this.sessions.onDidRemove((s) => this.logPersistence?.untrack(s.id, true)));
    this.mocks = this._register(new MockServers());
    this.tree = this._register(new ConnectionsTree(this.sessions, this.profiles, this.mocks));
  }

  /** Writes every panel's pending log tail before returning (the extension host is stopping). */
  flushLogs(): void {
    this.logPersistence?.flushSync();
  }

  /** Closes every connection and mock cleanly and the demo server, then disposes everything. */
  async shutdown(): Promise<void> {
    try {
      await Promise.all([this.sessions.shutdown(), this.mocks.stopAll()]);
      await this.demo?.close();
      this.demo = undefined;
    } finally {
      this.dispose();
    }
  }
}

/** The log persistence under `storage` (no I/O until a panel opens); none when storage is not on disk. */
function logPersistenceIn(storage: vscode.Uri | undefined, log: Log): LogPersistence | undefined {
  if (!storage || storage.scheme !== 'file') {
    return undefined;
  }
  const dir = vscode.Uri.joinPath(storage, 'logs').fsPath;
  return new LogPersistence(dir, undefined, undefined, (err) =>
    log.warn(`Could not keep the panel's log for a window reload: ${err.message}`),
  );
}
