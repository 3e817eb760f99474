import * as vscode from 'vscode';
import { Disposable } from './core/lifecycle';
import type { DemoServer } from './demo/server';
import { Log } from './log';
import { PanelManager } from './panel/panelManager';
import type { PanelActions } from './panel/inspectorPanel';
import { ProfileStore } from './profiles/profileStore';
import { SecretStore } from './profiles/secrets';
import { SessionRegistry } from './session/registry';
import { storeOptions } from './settings';
import { ConnectionsTree } from './tree/connectionsTree';
import { TrustGate } from './trust';

/**
 * Everything the extension holds, owned in one place: disposing it closes every connection, panel,
 * view and listener. Built in `activate` without doing any I/O (profiles are read on first use).
 */
export class Services extends Disposable {
  readonly log: Log;
  readonly trust = new TrustGate();
  readonly secrets: SecretStore;
  readonly profiles: ProfileStore;
  readonly sessions: SessionRegistry;
  readonly panels: PanelManager;
  readonly tree: ConnectionsTree;
  demo: DemoServer | undefined;

  constructor(
    readonly context: vscode.ExtensionContext,
    actions: (services: Services) => PanelActions,
  ) {
    super();
    this.log = this._register(new Log());
    this.secrets = new SecretStore(context.secrets, context.globalState);
    this.profiles = this._register(new ProfileStore(this.log));
    this.sessions = this._register(
      new SessionRegistry({
        log: this.log,
        trust: this.trust,
        storeOptions,
        env: { env: (name) => process.env[name], secret: (name) => this.secrets.get(name) },
      }),
    );
    this.panels = this._register(new PanelManager(context.extensionUri, this.sessions, this.profiles, actions(this), this.log));
    this.tree = this._register(new ConnectionsTree(this.sessions, this.profiles));
  }

  /** Closes every connection cleanly and the demo server, then disposes everything. */
  async shutdown(): Promise<void> {
    try {
      await this.sessions.shutdown();
      await this.demo?.close();
      this.demo = undefined;
    } finally {
      this.dispose();
    }
  }
}
