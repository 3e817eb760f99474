import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { Log } from '../log';
import type { ProfileStore } from '../profiles/profileStore';
import { applyEditable } from '../profiles/editable';
import type { SessionConfig } from '../profiles/connectOptions';
import type { EditableConfig, WebviewPersistedState } from '../protocol';
import type { SessionRegistry } from '../session/registry';
import type { Session } from '../session/session';
import { InspectorPanel, type PanelActions, VIEW_TYPE } from './inspectorPanel';
import type { LogPersistence } from '../session/persist';
import { webviewOptions } from './html';

/**
 * One panel per session, opened on demand, revealed when asked again, restored after a window reload
 * by the serializer (which recreates the session, idle, from the state the webview persisted, and
 * puts back the tail of its log kept on disk). Closing a panel leaves its session in the Connections
 * view so it can be reopened; removing the session closes its panel.
 *
 * The log persistence belongs to whoever owns the sessions; the manager has it keep the log of each
 * session that has a panel (only panels come back after a reload), and reads it back on restore.
 * VS Code revives only the tab in view and the others when they are first shown, so the manager
 * brings back at once every session the last window had a panel for (the persistence keeps their
 * list): all of them are in the Connections view, and a tab shown later finds its session waiting.
 */
export class PanelManager extends Disposable implements vscode.WebviewPanelSerializer<WebviewPersistedState> {
  private readonly panels = new Map<string, InspectorPanel>();
  /** The sessions of the last window's panels, brought back; settled once they are. */
  private readonly restoring: Promise<void>;
  /** Sessions brought back from the list whose panel has not been revived yet. */
  private readonly awaitingPanel = new Set<string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: SessionRegistry,
    private readonly profiles: ProfileStore,
    private readonly actions: PanelActions,
    private readonly log: Log,
    /** Undefined when the window has no file storage: panels then come back without their log. */
    private readonly persistence: LogPersistence | undefined,
  ) {
    super();
    this._register(sessions.onDidRemove((s) => this.panels.get(s.id)?.dispose()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('realtimeInspector.displayLimit') || e.affectsConfiguration('realtimeInspector.timestampFormat')) {
          for (const p of this.panels.values()) {
            p.refresh();
          }
        }
      }),
    );
    // A profile's saved messages edited in settings reach its sessions' send boxes.
    this._register(
      profiles.onDidChange(() => {
        for (const p of this.panels.values()) {
          const name = p.session.config.name;
          const entry = name ? profiles.get(name) : undefined;
          if (entry && JSON.stringify(entry.profile.messages) !== JSON.stringify(p.session.config.messages)) {
            p.session.setConfig({ ...p.session.config, messages: entry.profile.messages });
          }
        }
      }),
    );
    this.restoring = this.restoreListed().catch((err: Error) => this.log.warn(`restoring the last window's sessions: ${err.message}`));
    this._register({
      dispose: () => {
        for (const p of [...this.panels.values()]) {
          p.dispose();
        }
        this.panels.clear();
      },
    });
  }

  get(session: Session): InspectorPanel | undefined {
    return this.panels.get(session.id);
  }

  get all(): InspectorPanel[] {
    return [...this.panels.values()];
  }

  /** The session of the panel the user is looking at, if any. */
  get activeSession(): Session | undefined {
    for (const p of this.panels.values()) {
      if (p.panel.active) {
        return p.session;
      }
    }
    return undefined;
  }

  /** Shows the session's panel, creating it when there is none. */
  open(session: Session, preserveFocus = false): InspectorPanel {
    const existing = this.panels.get(session.id);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      session.label,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      webviewOptions(this.extensionUri),
    );
    return this.adopt(panel, session);
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: WebviewPersistedState | undefined): Promise<void> {
    await this.restoring;
    let session = state?.connectionId ? this.sessions.get(state.connectionId) : undefined;
    if (session && state?.config && this.awaitingPanel.delete(session.id)) {
      // Listed without the credentials written in clear: the panel's own state has them.
      session.applyEditable(state.config);
    }
    if (!session) {
      if (!state?.config?.url) {
        // Nothing to restore from: the panel cannot show anything useful.
        panel.dispose();
        return;
      }
      session = await this.restoreSession(state.connectionId, state.config);
    }
    if (this.panels.has(session.id)) {
      panel.dispose();
      this.panels.get(session.id)!.reveal();
      return;
    }
    this.adopt(panel, session);
  }

  /** Brings back every session of the last window's panels, idle, with its log, before any panel asks for one. */
  private async restoreListed(): Promise<void> {
    const listed = (await this.persistence?.loadRestorable()) ?? [];
    await Promise.all(
      listed.map(async (entry) => {
        const session = await this.restoreSession(entry.id, entry.config);
        this.awaitingPanel.add(session.id);
        if (entry.credentialsLeftOut) {
          // Its credentials typed in clear are only in its tab's own state: never send them empty.
          session.holdConnect(
            'The credentials typed into its request come back with its tab. Select that tab, or open the connection and type them again.',
          );
        }
        // Kept listed (and its log kept) for the next window too, until its panel is closed.
        this.persistence?.track(session);
      }),
    );
  }

  /** A session as a panel of the last window left it: idle, its log read back from disk. */
  private async restoreSession(id: string, editable: EditableConfig): Promise<Session> {
    // Read before the session exists, so nothing can connect it before its old records are back.
    const records = (await this.persistence?.load(id)) ?? [];
    const existing = this.sessions.get(id);
    if (existing) {
      return existing;
    }
    const entry = editable.profile ? this.profiles.get(editable.profile) : undefined;
    const base: SessionConfig = entry ? { ...entry.profile } : { url: editable.url };
    const config = applyEditable(base, editable) as SessionConfig;
    // Without its profile nobody can say who wrote this configuration: it asks before sending secrets.
    const session = this.sessions.create(config, entry ? entry.source : 'restored', id);
    if (records.length > 0) {
      session.restoreLog(
        records,
        `Log restored from before the window reload (${records.length} record${records.length === 1 ? '' : 's'}); not connected`,
      );
    }
    this.log.info(`[${session.label}] restored (not connected${records.length ? `, ${records.length} records` : ''})`);
    return session;
  }

  private adopt(panel: vscode.WebviewPanel, session: Session): InspectorPanel {
    const inspector = new InspectorPanel(panel, session, this.extensionUri, this.actions, this.log);
    this.panels.set(session.id, inspector);
    // A recording is its file: nothing of it is kept for a reload.
    if (!session.recording) {
      this.persistence?.track(session);
    }
    inspector.onDidDispose(() => {
      if (this.panels.get(session.id) === inspector) {
        this.panels.delete(session.id);
        // Only panels come back after a reload: a closed panel's log need not be kept.
        this.persistence?.untrack(session.id, true);
      }
    });
    // Files left by panels that were never revived: looked at once, after the first panel is up.
    void this.persistence?.pruneOrphans();
    return inspector;
  }
}
