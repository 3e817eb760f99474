import * as vscode from 'vscode';
import { Disposable } from './core/lifecycle';
import type { SessionRegistry } from './session/registry';
import { VIEW_ID } from './tree/connectionsTree';

/** `$(pulse) 2`: how many connections are live; clicking opens the Connections view. Hidden when there are none. */
export class StatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  /** The context keys as last set, so they are set again only when they change. */
  private lastContext = { any: false, active: false };

  constructor(private readonly sessions: SessionRegistry) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('realtimeInspector.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Realtime Inspector';
    this.item.command = `${VIEW_ID}.focus`;
    const update = () => this.update();
    this._register(sessions.onDidAdd(update));
    this._register(sessions.onDidRemove(update));
    this._register(sessions.onDidChangeSession(update));
    this.update();
  }

  /** Connections connecting, open, closing or waiting to reconnect (shown as "live"). */
  get activeCount(): number {
    return this.sessions.active.length;
  }

  private update(): void {
    const total = this.sessions.all.length;
    const active = this.activeCount;
    // Context keys for `when` clauses: palette entries that need a connection show only when there is one.
    if (total > 0 !== this.lastContext.any || active > 0 !== this.lastContext.active) {
      this.lastContext = { any: total > 0, active: active > 0 };
      void vscode.commands.executeCommand('setContext', 'realtimeInspector.hasConnections', total > 0);
      void vscode.commands.executeCommand('setContext', 'realtimeInspector.hasLiveConnections', active > 0);
    }
    if (!total) {
      this.item.hide();
      return;
    }
    this.item.text = `$(pulse) ${active}`;
    this.item.tooltip = `Realtime Inspector: ${active} live connection${active === 1 ? '' : 's'} (${total} listed) — show them`;
    this.item.show();
  }
}
