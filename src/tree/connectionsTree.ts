import * as vscode from 'vscode';
import { maskUrlCredentials } from '../core/credentials';
import { Disposable, MutableDisposable, disposableInterval } from '../core/lifecycle';
import { MASK } from '../core/redactor';
import { safeLabel } from '../core/unsafeText';
import type { ConnectionState } from '../core/records';
import type { ProfileIssue } from '../core/profile';
import type { Mock, MockServers } from '../mocks/mockServers';
import type { ProfileEntry, ProfileStore } from '../profiles/profileStore';
import type { SessionRegistry } from '../session/registry';
import type { Session } from '../session/session';

export const VIEW_ID = 'realtimeInspector.connections';

export type TreeNode =
  | { type: 'session'; session: Session }
  | { type: 'profiles' }
  | { type: 'profile'; entry: ProfileEntry }
  | { type: 'issue'; issue: ProfileIssue }
  | { type: 'mocks' }
  | { type: 'mock'; mock: Mock };

const STATE_ICON: Record<ConnectionState, [string, string | undefined]> = {
  idle: ['circle-outline', undefined],
  connecting: ['loading~spin', undefined],
  open: ['circle-filled', 'testing.iconPassed'],
  closing: ['loading~spin', undefined],
  closed: ['circle-outline', 'disabledForeground'],
  reconnecting: ['sync~spin', 'editorWarning.foreground'],
  failed: ['error', 'errorForeground'],
};

/**
 * The Connections view: live sessions first, then saved profiles under their own node. Nodes are
 * stable objects, so a state change refreshes one row instead of the whole tree (no flicker); the
 * message rate is sampled once a second, and only while something is live.
 */
export class ConnectionsTree extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly sessionNodes = new Map<string, TreeNode & { type: 'session' }>();
  private readonly profilesNode: TreeNode = { type: 'profiles' };
  private readonly mocksNode: TreeNode = { type: 'mocks' };
  private readonly mockNodes = new Map<string, TreeNode & { type: 'mock' }>();
  private readonly descriptions = new Map<string, string>();
  /** Samples the message rates while something is active; empty otherwise. */
  private readonly ticker = this._register(new MutableDisposable());

  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly profiles: ProfileStore,
    private readonly mocks?: MockServers,
  ) {
    super();
    if (mocks) {
      this._register(
        mocks.onDidChange(() => {
          for (const id of this.mockNodes.keys()) {
            if (!mocks.get(id)) {
              this.mockNodes.delete(id);
            }
          }
          this.refreshAll();
        }),
      );
      this._register(mocks.onDidChangeClients((m) => this._onDidChangeTreeData.fire(this.mockNode(m))));
    }
    this._register(sessions.onDidAdd(() => this.refreshAll()));
    this._register(
      sessions.onDidRemove((s) => {
        this.sessionNodes.delete(s.id);
        this.descriptions.delete(s.id);
        this.refreshAll();
      }),
    );
    this._register(
      sessions.onDidChangeSession((s) => {
        this.refreshSession(s);
        this.updateTicker();
      }),
    );
    this._register(profiles.onDidChange(() => this.refreshAll()));
  }

  refreshAll(): void {
    this._onDidChangeTreeData.fire(undefined);
    this.updateTicker();
  }

  nodeFor(session: Session): TreeNode & { type: 'session' } {
    let node = this.sessionNodes.get(session.id);
    if (!node) {
      node = { type: 'session', session };
      this.sessionNodes.set(session.id, node);
    }
    return node;
  }

  /** The stable node of a mock's row. */
  mockNode(mock: Mock): TreeNode & { type: 'mock' } {
    let node = this.mockNodes.get(mock.id);
    if (!node) {
      node = { type: 'mock', mock };
      this.mockNodes.set(mock.id, node);
    }
    return node;
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) {
      const nodes: TreeNode[] = this.sessions.all.map((s) => this.nodeFor(s));
      if (this.mocks?.all.length) {
        nodes.push(this.mocksNode);
      }
      if (this.profiles.entries.length || this.profiles.issues.length) {
        nodes.push(this.profilesNode);
      }
      return nodes;
    }
    if (element.type === 'profiles') {
      return [
        ...this.profiles.entries.map((entry): TreeNode => ({ type: 'profile', entry })),
        ...this.profiles.issues.map((issue): TreeNode => ({ type: 'issue', issue })),
      ];
    }
    if (element.type === 'mocks') {
      return (this.mocks?.all ?? []).map((m) => this.mockNode(m));
    }
    return [];
  }

  getParent(element: TreeNode): TreeNode | undefined {
    if (element.type === 'mock') {
      return this.mocksNode;
    }
    return element.type === 'profile' || element.type === 'issue' ? this.profilesNode : undefined;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.type) {
      case 'session':
        return this.sessionItem(node.session);
      case 'profiles': {
        const item = new vscode.TreeItem('Saved Profiles', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'profiles';
        item.iconPath = new vscode.ThemeIcon('bookmark');
        item.contextValue = 'profiles';
        return item;
      }
      case 'profile': {
        const p = node.entry.profile;
        const item = new vscode.TreeItem(safeLabel(p.name), vscode.TreeItemCollapsibleState.None);
        item.id = `profile:${p.name}`;
        // The profile as written: credentials typed into its URL are masked here too.
        const url = maskUrlCredentials(p.url, MASK);
        item.description = safeLabel(url, 200);
        item.iconPath = new vscode.ThemeIcon(p.kind === 'mcp' ? 'server-process' : kindOf(p.url, p.kind) === 'ws' ? 'plug' : 'radio-tower');
        // `.checks`: the profile has an `expect` block (Run Checks is offered on it).
        item.contextValue = `profile.${node.entry.source}${p.expect !== undefined ? '.checks' : ''}`;
        const md = new vscode.MarkdownString(undefined, false);
        md.appendMarkdown(`**${escapeMd(safeLabel(p.name))}** — ${node.entry.source === 'workspace' ? 'workspace' : 'user'} settings\n\n`);
        md.appendCodeblock(url, 'text');
        item.tooltip = md;
        return item;
      }
      case 'mocks': {
        const item = new vscode.TreeItem('Mocks', vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'mocks';
        item.iconPath = new vscode.ThemeIcon('server-process');
        item.contextValue = 'mocks';
        return item;
      }
      case 'mock':
        return this.mockItem(node.mock);
      case 'issue': {
        const item = new vscode.TreeItem(
          node.issue.name !== undefined ? safeLabel(node.issue.name) : `Entry ${node.issue.index + 1}`,
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `issue:${node.issue.index}`;
        item.description = 'invalid';
        item.tooltip = node.issue.message;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
        item.contextValue = 'profileIssue';
        item.command = { command: 'realtimeInspector.editProfiles', title: 'Edit Profiles', arguments: [node.issue.name] };
        return item;
      }
    }
  }

  private sessionItem(s: Session): vscode.TreeItem {
    const status = s.status;
    const item = new vscode.TreeItem(s.label, vscode.TreeItemCollapsibleState.None);
    item.id = `session:${s.id}`;
    const [icon, color] = STATE_ICON[status.state];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const description = this.describe(s);
    this.descriptions.set(s.id, description);
    item.description = description;
    item.contextValue = s.recording ? 'session.recording' : s.isActive ? 'session.live' : 'session.idle';
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(`**${escapeMd(s.label)}** — ${s.isMcp ? 'MCP' : (s.kind ?? '?').toUpperCase()}, ${status.state}\n\n`);
    md.appendCodeblock(s.redactor.url(s.config.url), 'text');
    const st = s.stats;
    md.appendMarkdown(`\n${st.messagesIn} in · ${st.messagesOut} out · ${formatBytes(st.bytesIn)} received`);
    if (status.lastError) {
      md.appendMarkdown(`\n\nLast error: ${escapeMd(status.lastError.message)}`);
    }
    if (status.notReconnected) {
      md.appendMarkdown(`\n\nNot reconnected: ${escapeMd(status.notReconnected)}`);
    }
    item.tooltip = md;
    item.command = { command: 'realtimeInspector.openPanel', title: 'Open Panel', arguments: [s.id] };
    return item;
  }

  private mockItem(m: Mock): vscode.TreeItem {
    // The URL without its scheme (the icon tells WebSocket from SSE), so a narrow view still shows the port.
    const item = new vscode.TreeItem(m.url.replace(/^[a-z]+:\/\//, ''), vscode.TreeItemCollapsibleState.None);
    item.id = `mock:${m.id}`;
    item.iconPath = new vscode.ThemeIcon(m.connection.kind === 'ws' ? 'plug' : 'radio-tower');
    item.description = this.describeMock(m);
    item.contextValue = 'mock';
    const md = new vscode.MarkdownString(undefined, false);
    md.appendMarkdown(
      `**Mock of ${escapeMd(m.source.label)}** — ${m.connection.kind === 'ws' ? 'WebSocket' : 'SSE'}, ${escapeMd(m.describeSettings())}\n\n`,
    );
    md.appendCodeblock(m.url, 'text');
    md.appendMarkdown(
      `\n${m.clients} client${m.clients === 1 ? '' : 's'} · from ${escapeMd(m.source.owned ? 'a copy of its log' : m.source.file)}`,
    );
    item.tooltip = md;
    return item;
  }

  /** `2 clients · from 127.0.0.1:8000/ws/ticker`: the live count first, where a narrow view still shows it. */
  describeMock(m: Mock): string {
    return `${m.clients} client${m.clients === 1 ? '' : 's'} · from ${m.source.label}`;
  }

  /** `open · 1,234 msgs · 12/s` */
  describe(s: Session): string {
    const st = s.stats;
    const count = st.messagesIn + st.messagesOut;
    const parts: string[] = [s.status.state];
    if (count || s.connection) {
      parts.push(`${count.toLocaleString('en-US')} msg${count === 1 ? '' : 's'}`);
    }
    if (s.isActive && s.rate > 0) {
      parts.push(`${s.rate >= 10 ? Math.round(s.rate) : s.rate.toFixed(1)}/s`);
    }
    return parts.join(' · ');
  }

  private refreshSession(s: Session): void {
    const node = this.sessionNodes.get(s.id);
    // No node yet: the view has not shown this session since the refresh its creation fired.
    if (node) {
      this._onDidChangeTreeData.fire(node);
    }
  }

  private updateTicker(): void {
    const anyActive = this.sessions.active.length > 0;
    if (anyActive && !this.ticker.value) {
      this.ticker.value = disposableInterval(() => this.tick(), TICK_MS);
    } else if (!anyActive) {
      this.ticker.clear();
    }
  }

  private tick(): void {
    for (const s of this.sessions.all) {
      s.sampleRate();
      if (this.describe(s) !== this.descriptions.get(s.id)) {
        this.refreshSession(s);
      }
    }
    if (!this.sessions.active.length) {
      this.ticker.clear();
    }
  }
}

/** How often the view samples the message rates. */
const TICK_MS = 1000;

function kindOf(url: string, kind?: string): 'sse' | 'ws' {
  if (kind === 'sse' || kind === 'ws') {
    return kind;
  }
  return /^wss?:/i.test(url) ? 'ws' : 'sse';
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KB`;
  }
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
