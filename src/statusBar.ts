import * as vscode from 'vscode';
import { Disposable } from './core/lifecycle';
import type { SessionRegistry } from './session';
import { VIEW_ID } from './tree/connectionsTree';

/** `$(pulse) 2`: how many connections are live; clicking opens the Connections view. Hidden when there are none. */
export class StatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;
  private lastContext = { any: false, live: false };

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

  get liveCount(): number {
    return this.sessions.live.length;
  }

  private update(): void {
    const total = this.sessions.all.length;
    const live = this.liveCount;
    // Context keys for `when` clauses: palette entries that need a connection show only when there is one.
    if (total > 0 !== this.lastContext.any || live > 0 !== this.lastContext.live) {
      this.lastContext = { any: total > 0, live: live > 0 };
      void vscode.commands.executeCommand('setContext', 'realtimeInspector.hasConnections', total > 0);
      void vscode.commands.executeCommand('setContext', 'realtimeInspector.hasLiveConnections', live > 0);
    }
    if (!total) {
      this.item.hide();
      return;
    }
    this.item.text = `$(pulse) ${live}`;
    this.item.tooltip = `Realtime Inspector: ${live} live connection${live === 1 ? '' : 's'} (${total} listed) — show them`;
    this.item.show();
  }
}
