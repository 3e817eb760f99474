import * as vscode from 'vscode';
import { connectFlow, type FlowUi } from '../connectFlow';
import type { SessionConfig } from '../profiles/connectOptions';
import { checkUrl, validateProfile } from '../core/profile';
import { recentUrls, rememberUrl } from '../savedCredentials';
import type { Services } from '../services';
import type { Session } from '../session/session';
import type { TreeNode } from '../tree/connectionsTree';
import { isTreeNode, pickProfile, pickSession, type ProfileArg, type SessionArg } from './pickers';

/** Global state key of the recent-URL list. */
const RECENT_KEY = 'realtimeInspector.recentUrls';

/** How long a removed connection can be brought back with Undo. */
export const UNDO_REMOVE_MS = 5 * 60_000;
/** The action of the notification after Remove Connection. */
const UNDO = 'Undo';

/** Whether a command opens the session's panel (it does unless told `panel: false`). */
export interface ConnectOptions {
  panel?: boolean;
}

/**
 * The commands on a connection: connect (a URL, a configuration, a profile, or the quick-input flow),
 * disconnect, reconnect, clear, export, open its panel, remove it.
 */
export class ConnectionCommands {
  constructor(private readonly services: Services) {}

  /** Overridable for tests: the prompts of the connect flow. */
  flowUi: FlowUi | undefined;

  /**
   * Connect SSE/WS. `arg`: a profile name, a URL, or a configuration object; none runs the quick-input
   * flow. `options.panel: false` connects without opening the panel. Resolves with the session.
   *
   * A URL or configuration passed as an argument comes from whoever ran the command (another
   * extension, a `command:` link), not from the user: it connects as `external`, so when it would
   * send a `${secret:…}` or `${env:…}` the user confirms the host first (see {@link TrustGate}).
   */
  async connectCommand(arg?: string | SessionConfig | TreeNode, options?: ConnectOptions): Promise<Session | undefined> {
    if (isTreeNode(arg)) {
      return arg.type === 'profile' ? this.connectProfileCommand(arg, options) : undefined;
    }
    if (typeof arg === 'string') {
      const entry = this.services.profiles.get(arg);
      if (entry) {
        return this.connectProfileCommand(arg, options);
      }
      arg = { url: arg };
    }
    if (arg && typeof arg === 'object') {
      return this.connectConfig(toSessionConfig(arg), 'external', options);
    }
    const sources = {
      entries: this.services.profiles.entries,
      recentUrls: this.recentUrls(),
      demoEndpoints: this.services.demo?.endpoints ?? [],
    };
    const choice = await connectFlow(sources, this.flowUi);
    if (!choice) {
      return undefined;
    }
    if (choice.type === 'profile') {
      return this.connectProfileCommand(choice.entry.profile.name, options);
    }
    const session = await this.connectConfig(choice.config, 'adhoc', options);
    if (choice.pasted) {
      // A pasted command: offer to keep it as a profile (credentials into secret storage).
      void vscode.window
        .showInformationMessage('Connected to the pasted request. Save it as a profile?', 'Save as Profile…')
        .then(async (pick) => {
          if (pick) {
            await this.services.actions.saveProfile(session);
          }
        });
    }
    return session;
  }

  /** Opens a new session for `config` from `source` and connects it. */
  async connectConfig(config: SessionConfig, source: 'adhoc' | 'external', options?: ConnectOptions): Promise<Session> {
    const problem = checkUrl(config.url);
    if (problem) {
      throw new Error(problem);
    }
    if (source === 'adhoc') {
      await this.rememberUrl(config.url);
    }
    const session = this.services.sessions.create(config, source);
    return this.start(session, options);
  }

  /** Connects a saved profile; a session already made from it is reused (reconnected) rather than duplicated. */
  async connectProfileCommand(arg?: ProfileArg, options?: ConnectOptions): Promise<Session | undefined> {
    const entry = await pickProfile(arg, 'Connect to profile', this.services.profiles);
    if (!entry) {
      return undefined;
    }
    const existing = this.services.sessions.all.find((x) => x.config.name === entry.profile.name);
    if (existing?.isActive) {
      // Already connected: show it rather than cut the stream with a reconnect.
      if (options?.panel !== false) {
        this.services.panels.open(existing);
      }
      return existing;
    }
    if (existing) {
      existing.setConfig({ ...entry.profile }, entry.source);
      return this.start(existing, options);
    }
    const session = this.services.sessions.create({ ...entry.profile }, entry.source);
    return this.start(session, options);
  }

  async disconnectCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await pickSession(arg, 'Disconnect', (x) => x.isActive, this.services);
    session?.disconnect();
    return session;
  }

  async reconnectCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await pickSession(arg, 'Reconnect', () => true, this.services);
    if (session) {
      this.services.actions.report(session, await session.reconnect());
    }
    return session;
  }

  async clearLogCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await pickSession(arg, 'Clear log of', () => true, this.services);
    session?.clear();
    return session;
  }

  /** Export Log: NDJSON with secrets masked. `target` skips the save dialog. */
  async exportLogCommand(arg?: SessionArg, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
    const session = await pickSession(arg, 'Export log of', () => true, this.services);
    return session ? this.services.actions.exportLog(session, target) : undefined;
  }

  async openPanelCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await pickSession(arg, 'Open panel of', () => true, this.services);
    if (session) {
      this.services.panels.open(session);
    }
    return session;
  }

  /**
   * Remove Connection: closes it and takes it (and its panel) off the list. A notification offers Undo
   * (see {@link undoRemoveCommand}) for {@link UNDO_REMOVE_MS}.
   */
  async removeConnectionCommand(arg?: SessionArg): Promise<boolean> {
    const session = await pickSession(arg, 'Remove', () => true, this.services);
    if (!session) {
      return false;
    }
    const wasActive = session.isActive;
    const label = session.label;
    this.services.sessions.removeUndoably(session, UNDO_REMOVE_MS);
    void vscode.window.showInformationMessage(`Removed ${label}.`, UNDO).then(async (pick) => {
      if (pick === UNDO && !(await this.undoRemoveCommand(session.id, wasActive))) {
        void vscode.window.showInformationMessage(`${label} was removed too long ago to bring back.`);
      }
    });
    return true;
  }

  /**
   * Undo of Remove Connection: the connection back on the list with its log, in its panel, connected
   * again when it was live. Resolves with it, or undefined when it was removed too long ago.
   */
  async undoRemoveCommand(id: string, reconnect: boolean): Promise<Session | undefined> {
    const session = this.services.sessions.restore(id);
    if (!session) {
      return undefined;
    }
    this.services.panels.open(session);
    if (reconnect) {
      await this.services.actions.connect(session);
    }
    return session;
  }

  private async start(session: Session, options?: ConnectOptions): Promise<Session> {
    if (options?.panel !== false) {
      this.services.panels.open(session);
    }
    await this.services.actions.connect(session);
    return session;
  }

  /** The recent-URL list (global state, in clear on disk): never a URL that carries a credential. */
  private recentUrls(): string[] {
    return recentUrls(this.services.context.globalState.get<unknown>(RECENT_KEY, []));
  }

  private async rememberUrl(url: string): Promise<void> {
    const state = this.services.context.globalState;
    await state.update(RECENT_KEY, rememberUrl(state.get<unknown>(RECENT_KEY, []), url));
  }
}

/**
 * A configuration object from a caller, checked as a profile is (without its name being required), so
 * a caller cannot hand over fields a profile may not have. Throws a one-line error naming the problem.
 */
function toSessionConfig(arg: object): SessionConfig {
  const raw = arg as Record<string, unknown>;
  const problem = validateProfile({ ...raw, name: typeof raw.name === 'string' && raw.name.trim() ? raw.name : 'connect' });
  if (problem) {
    throw new Error(`realtimeInspector.connect: ${problem}`);
  }
  return { ...(arg as SessionConfig) };
}
