import * as vscode from 'vscode';
import { createWriteStream } from 'node:fs';
import { isCredentialHeader, urlCredentials, type UrlCredential } from './core/credentials';
import { toNdjson, writeNdjson } from './core/export';
import { connectFlow, type FlowUi } from './connectFlow';
import type { PanelActions } from './panel/inspectorPanel';
import type { SessionConfig } from './profiles/connectOptions';
import { Profile, checkUrl, validateProfile } from './profiles/profile';
import type { ProfileEntry } from './profiles/profileStore';
import { SECRET_NAME } from './profiles/secrets';
import { moveUrlCredentials, recentUrls, rememberUrl, secretNameFor } from './savedCredentials';
import type { EditableConfig } from './protocol';
import type { Services } from './services';
import type { ConnectResult, Session } from './session/session';
import type { TreeNode } from './tree/connectionsTree';

/** Command ids, as contributed in package.json. */
export const COMMANDS = {
  connect: 'realtimeInspector.connect',
  disconnect: 'realtimeInspector.disconnect',
  reconnect: 'realtimeInspector.reconnect',
  clearLog: 'realtimeInspector.clearLog',
  exportLog: 'realtimeInspector.exportLog',
  saveProfile: 'realtimeInspector.saveProfile',
  editProfiles: 'realtimeInspector.editProfiles',
  setSecret: 'realtimeInspector.setSecret',
  startDemoServer: 'realtimeInspector.startDemoServer',
  stopDemoServer: 'realtimeInspector.stopDemoServer',
  showOutput: 'realtimeInspector.showOutput',
  openPanel: 'realtimeInspector.openPanel',
  connectProfile: 'realtimeInspector.connectProfile',
  editProfile: 'realtimeInspector.editProfile',
  deleteProfile: 'realtimeInspector.deleteProfile',
  removeConnection: 'realtimeInspector.removeConnection',
} as const;

/** What identifies a session in a command's arguments: a tree node, the session, or its id. */
type SessionArg = TreeNode | Session | string | undefined;
/** What identifies a profile: a tree node or its name. */
type ProfileArg = TreeNode | string | undefined;

const RECENT_KEY = 'realtimeInspector.recentUrls';
/** The demo notification's one action, which lists the endpoints. */
const DEMO_OPEN = 'Connect…';

/**
 * The palette and view commands. Every command also takes plain arguments (an id, a name, a URL or a
 * configuration object) so that menus, the panel and scripts can run it without any prompt; without
 * arguments it asks, offering a pick when more than one connection could be meant.
 */
export class Commands implements PanelActions {
  constructor(private readonly s: Services) {}

  /** Overridable for tests: the prompts of the connect flow. */
  flowUi: FlowUi | undefined;

  /** Overridable for tests: what to do with credentials typed in clear when saving a profile. */
  askAboutCredentials = async (headers: string[]): Promise<'secret' | 'settings' | undefined> => {
    const pick = await vscode.window.showWarningMessage(
      `${headers.join(', ')} holds a credential in clear. Keep it in secret storage instead of settings?`,
      { modal: true, detail: 'The profile will refer to it as ${secret:NAME}; the value stays on this machine, masked as •••• everywhere.' },
      'Store as Secret',
      'Save in Settings',
    );
    return pick === 'Store as Secret' ? 'secret' : pick === 'Save in Settings' ? 'settings' : undefined;
  };

  register(): vscode.Disposable[] {
    const reg = (id: string, fn: (...args: never[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (fn as (...a: unknown[]) => unknown).apply(this, args);
        } catch (err) {
          this.s.log.error(err as Error);
          void vscode.window.showErrorMessage((err as Error).message);
          return undefined;
        }
      });
    return [
      reg(COMMANDS.connect, this.connectCommand),
      reg(COMMANDS.disconnect, this.disconnectCommand),
      reg(COMMANDS.reconnect, this.reconnectCommand),
      reg(COMMANDS.clearLog, this.clearLogCommand),
      reg(COMMANDS.exportLog, this.exportLogCommand),
      reg(COMMANDS.saveProfile, this.saveProfileCommand),
      reg(COMMANDS.editProfiles, this.editProfilesCommand),
      reg(COMMANDS.setSecret, this.setSecretCommand),
      reg(COMMANDS.startDemoServer, this.startDemoServerCommand),
      reg(COMMANDS.stopDemoServer, this.stopDemoServerCommand),
      reg(COMMANDS.showOutput, () => this.s.log.show()),
      reg(COMMANDS.openPanel, this.openPanelCommand),
      reg(COMMANDS.connectProfile, this.connectProfileCommand),
      reg(COMMANDS.editProfile, this.editProfileCommand),
      reg(COMMANDS.deleteProfile, this.deleteProfileCommand),
      reg(COMMANDS.removeConnection, this.removeConnectionCommand),
    ];
  }

  // ---------- commands ----------

  /**
   * Connect SSE/WS. `arg`: a profile name, a URL, or a configuration object; none runs the quick-input
   * flow. `options.panel: false` connects without opening the panel. Resolves with the session.
   *
   * A URL or configuration passed as an argument comes from whoever ran the command (another
   * extension, a `command:` link), not from the user: it connects as `external`, so when it would
   * send a `${secret:…}` or `${env:…}` the user confirms the host first (see {@link TrustGate}).
   */
  async connectCommand(arg?: string | SessionConfig | TreeNode, options?: { panel?: boolean }): Promise<Session | undefined> {
    if (isNode(arg)) {
      return arg.type === 'profile' ? this.connectProfileCommand(arg, options) : undefined;
    }
    if (typeof arg === 'string') {
      const entry = this.s.profiles.get(arg);
      if (entry) {
        return this.connectProfileCommand(arg, options);
      }
      arg = { url: arg };
    }
    if (arg && typeof arg === 'object') {
      return this.connectConfig(toSessionConfig(arg), 'external', options);
    }
    const choice = await connectFlow(this.s.profiles, this.recentUrls(), this.flowUi);
    if (!choice) {
      return undefined;
    }
    if (choice.type === 'profile') {
      return this.connectProfileCommand(choice.entry.profile.name, options);
    }
    return this.connectConfig(choice.config, 'adhoc', options);
  }

  /** Opens a new session for `config` from `source` and connects it. */
  private async connectConfig(config: SessionConfig, source: 'adhoc' | 'external', options?: { panel?: boolean }): Promise<Session> {
    const problem = checkUrl(config.url);
    if (problem) {
      throw new Error(problem);
    }
    if (source === 'adhoc') {
      await this.rememberUrl(config.url);
    }
    const session = this.s.sessions.create(config, source);
    return this.start(session, options);
  }

  /** Connects a saved profile; a session already made from it is reused (reconnected) rather than duplicated. */
  async connectProfileCommand(arg?: ProfileArg, options?: { panel?: boolean }): Promise<Session | undefined> {
    const entry = await this.pickProfile(arg, 'Connect to profile');
    if (!entry) {
      return undefined;
    }
    const existing = this.s.sessions.all.find((x) => x.config.name === entry.profile.name);
    if (existing?.isActive) {
      // Already connected: show it rather than cut the stream with a reconnect.
      if (options?.panel !== false) {
        this.s.panels.open(existing);
      }
      return existing;
    }
    if (existing) {
      existing.setConfig({ ...entry.profile }, entry.source);
      return this.start(existing, options);
    }
    const session = this.s.sessions.create({ ...entry.profile }, entry.source);
    return this.start(session, options);
  }

  async disconnectCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await this.pickSession(arg, 'Disconnect', (x) => x.isActive);
    session?.disconnect();
    return session;
  }

  async reconnectCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await this.pickSession(arg, 'Reconnect', () => true);
    if (session) {
      this.report(session, await session.reconnect());
    }
    return session;
  }

  async clearLogCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await this.pickSession(arg, 'Clear log of', () => true);
    session?.clear();
    return session;
  }

  /** Export Log: NDJSON with secrets masked. `target` skips the save dialog. */
  async exportLogCommand(arg?: SessionArg, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
    const session = await this.pickSession(arg, 'Export log of', () => true);
    return session ? this.exportLog(session, target) : undefined;
  }

  /** Save Connection as Profile. `name` skips the prompt; an existing profile of that name is replaced. */
  async saveProfileCommand(arg?: SessionArg, name?: string): Promise<string | undefined> {
    const session = await this.pickSession(arg, 'Save as profile', () => true);
    return session ? this.saveProfile(session, undefined, name) : undefined;
  }

  async editProfilesCommand(name?: string): Promise<void> {
    await this.s.profiles.reveal(typeof name === 'string' ? name : undefined);
  }

  async editProfileCommand(arg?: ProfileArg): Promise<void> {
    const entry = await this.pickProfile(arg, 'Edit profile');
    if (entry) {
      await this.s.profiles.reveal(entry.profile.name);
    }
  }

  /** Delete Profile; `confirmed` skips the modal question. */
  async deleteProfileCommand(arg?: ProfileArg, confirmed?: boolean): Promise<boolean> {
    const entry = await this.pickProfile(arg, 'Delete profile');
    if (!entry) {
      return false;
    }
    if (confirmed !== true) {
      const ok = await vscode.window.showWarningMessage(`Delete the profile "${entry.profile.name}" from settings?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') {
        return false;
      }
    }
    return this.s.profiles.delete(entry.profile.name);
  }

  /** Set Secret: stores a value for `${secret:NAME}` in the editor's secret storage. Resolves with the name. */
  async setSecretCommand(name?: string, value?: string): Promise<string | undefined> {
    if (typeof name !== 'string' || !name) {
      const known = this.s.secrets.names();
      name = await vscode.window.showInputBox({
        title: 'Set Secret',
        prompt: `Name used as \${secret:NAME} in profiles${known.length ? ` (set so far: ${known.join(', ')})` : ''}`,
        placeHolder: 'API_TOKEN',
        validateInput: (v) => (SECRET_NAME.test(v) ? undefined : 'Letters, digits, _ . - only'),
      });
      if (!name) {
        return undefined;
      }
    }
    if (typeof value !== 'string') {
      value = await vscode.window.showInputBox({
        title: `Set Secret: ${name}`,
        prompt: 'Kept in the editor\'s secret storage, never in settings, masked as •••• everywhere. Leave empty to delete it.',
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) {
        return undefined;
      }
    }
    if (value === '') {
      await this.s.secrets.delete(name);
      this.s.log.info(`Secret "${name}" deleted`);
      return name;
    }
    await this.s.secrets.set(name, value);
    this.s.log.addSecrets([value]);
    this.s.log.info(`Secret "${name}" stored`);
    return name;
  }

  /** Start Demo Server: starts (or reuses) the embedded server and offers its endpoints. Resolves with its URL. */
  async startDemoServerCommand(options?: { quiet?: boolean }): Promise<{ url: string; endpoints: ReadonlyArray<{ name: string; url: string; kind: 'sse' | 'ws'; method?: string }> }> {
    if (!this.s.demo) {
      const { startDemoServer } = await import('./demo/server');
      this.s.demo = await startDemoServer();
      this.s.log.info(`Demo server listening on ${this.s.demo.url}`);
      void vscode.commands.executeCommand('setContext', 'realtimeInspector.demoRunning', true);
    }
    const demo = this.s.demo;
    if (!options?.quiet) {
      // One short action: a toast cuts long button rows off, and the demo has more endpoints than fit.
      void vscode.window.showInformationMessage(`Demo server running at ${demo.url}`, DEMO_OPEN).then((pick) => {
        if (pick === DEMO_OPEN) {
          void this.pickDemoEndpoint();
        }
      });
    }
    return { url: demo.url, endpoints: demo.endpoints };
  }

  /** Lists every endpoint of the running demo server with what it does, and connects the one picked. */
  async pickDemoEndpoint(): Promise<Session | undefined> {
    const demo = this.s.demo;
    if (!demo) {
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      demo.endpoints.map((e) => ({
        label: `${e.kind === 'ws' ? '$(plug)' : '$(broadcast)'} ${e.name}`,
        description: e.method ? `${e.method} ${e.url}` : e.url,
        detail: e.description,
        endpoint: e,
      })),
      { title: 'Demo server: connect to an endpoint', placeHolder: 'Pick an endpoint to connect to', matchOnDescription: true, matchOnDetail: true },
    );
    if (!pick) {
      return undefined;
    }
    const e = pick.endpoint;
    const config: SessionConfig = { url: e.url, kind: e.kind };
    if (e.method) {
      // The demo's POST endpoint streams tokens for a JSON prompt.
      config.method = e.method;
      config.headers = { 'Content-Type': 'application/json' };
      config.body = JSON.stringify({ prompt: 'Tell me about Server-Sent Events' });
    }
    return this.connectConfig(config, 'adhoc');
  }

  async stopDemoServerCommand(): Promise<boolean> {
    const demo = this.s.demo;
    if (!demo) {
      return false;
    }
    this.s.demo = undefined;
    void vscode.commands.executeCommand('setContext', 'realtimeInspector.demoRunning', false);
    await demo.close();
    this.s.log.info('Demo server stopped');
    return true;
  }

  async openPanelCommand(arg?: SessionArg): Promise<Session | undefined> {
    const session = await this.pickSession(arg, 'Open panel of', () => true);
    if (session) {
      this.s.panels.open(session);
    }
    return session;
  }

  /** Remove Connection: closes it and takes it (and its panel) off the list. */
  async removeConnectionCommand(arg?: SessionArg): Promise<boolean> {
    const session = await this.pickSession(arg, 'Remove', () => true);
    if (!session) {
      return false;
    }
    this.s.sessions.remove(session);
    return true;
  }

  // ---------- PanelActions ----------

  async exportLog(session: Session, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
    let uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    if (!uri) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
      const base = vscode.workspace.workspaceFolders?.[0]?.uri;
      const fileName = `${session.label.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.ndjson`;
      uri = await vscode.window.showSaveDialog({
        title: 'Export Log as NDJSON',
        defaultUri: base ? vscode.Uri.joinPath(base, fileName) : undefined,
        filters: { 'NDJSON': ['ndjson', 'jsonl'], 'All files': ['*'] },
      });
      if (!uri) {
        return undefined;
      }
    }
    let n: number;
    if (uri.scheme === 'file') {
      // Streamed with back-pressure: a full store is far larger than one string should be.
      const out = createWriteStream(uri.fsPath);
      const done = new Promise<void>((resolve, reject) => {
        out.on('finish', resolve);
        out.on('error', reject);
      });
      n = await writeNdjson(session.store, out, session.redactor);
      out.end();
      await done;
    } else {
      const text = toNdjson(session.store, session.redactor);
      n = session.store.size;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    }
    this.s.log.info(`[${session.label}] exported ${n} records to ${uri.toString(true)}`);
    return uri;
  }

  async saveProfile(session: Session, config?: EditableConfig, name?: string): Promise<string | undefined> {
    if (config) {
      session.applyEditable(config);
    }
    if (!name) {
      name = session.config.name;
    }
    if (!name) {
      name = await vscode.window.showInputBox({
        title: 'Save Connection as Profile',
        prompt: 'Profile name',
        value: session.label,
        validateInput: (v) => (v.trim() ? undefined : 'A profile needs a name'),
      });
      if (!name) {
        return undefined;
      }
      name = name.trim();
    }
    if (!(await this.offerSecretsFor(session, name))) {
      return undefined;
    }
    // Templates as the user wrote them: settings never get a resolved secret.
    const { name: _old, ...rest } = session.config;
    const profile: Profile = { name, ...rest };
    await this.s.profiles.save(profile);
    session.setConfig({ ...session.config, name });
    return name;
  }

  /**
   * A credential typed in clear into a header or the URL (`?token=…`, `user:pass@`) would land in
   * settings.json (often committed). Offer to move it to secret storage and keep `${secret:NAME}` in
   * the profile. Resolves false on cancel.
   */
  private async offerSecretsFor(session: Session, profileName: string): Promise<boolean> {
    const headers = session.config.headers ?? {};
    const plain = Object.entries(headers).filter(([h, v]) => isCredentialHeader(h) && v.trim() && !v.includes('${'));
    const inUrl = urlCredentials(session.config.url).filter((c) => !c.value.includes('${'));
    if (!plain.length && !inUrl.length) {
      return true;
    }
    const pick = await this.askAboutCredentials([...plain.map(([h]) => h), ...inUrl.map(urlCredentialLabel)]);
    if (!pick) {
      return false;
    }
    if (pick === 'secret') {
      const next = { ...headers };
      for (const [header, value] of plain) {
        const secretName = secretNameFor(profileName, header);
        const m = /^(Bearer|Basic|Digest|Token|Bot)\s+(.+)$/i.exec(value.trim());
        await this.s.secrets.set(secretName, m ? m[2] : value.trim());
        this.s.log.addSecrets([m ? m[2] : value.trim()]);
        next[header] = m ? `${m[1]} \${secret:${secretName}}` : `\${secret:${secretName}}`;
      }
      const { url, secrets } = moveUrlCredentials(session.config.url, profileName);
      for (const [secretName, value] of secrets) {
        await this.s.secrets.set(secretName, value);
        this.s.log.addSecrets([value]);
      }
      session.setConfig({ ...session.config, headers: next, url });
    }
    return true;
  }

  async connect(session: Session): Promise<ConnectResult> {
    const result = await session.connect();
    this.report(session, result);
    return result;
  }

  // ---------- helpers ----------

  private async start(session: Session, options?: { panel?: boolean }): Promise<Session> {
    if (options?.panel !== false) {
      this.s.panels.open(session);
    }
    await this.connect(session);
    return session;
  }

  /** Tells the user why a connect did not happen; a missing secret can be set right away. */
  private report(session: Session, result: ConnectResult): void {
    if (result.ok) {
      return;
    }
    this.s.log.warn(`[${session.label}] ${result.message}`);
    if (result.code === 'ERR_MISSING_SECRET') {
      const secretName = result.secretName;
      void vscode.window.showErrorMessage(result.message, 'Set Secret').then(async (pick) => {
        if (pick && (await this.setSecretCommand(secretName))) {
          await this.connect(session);
        }
      });
    } else if (result.code !== 'ERR_UNTRUSTED') {
      void vscode.window.showErrorMessage(`${session.label}: ${result.message}`);
    }
  }

  /** The recent-URL list (global state, in clear on disk): never a URL that carries a credential. */
  private recentUrls(): string[] {
    return recentUrls(this.s.context.globalState.get<unknown>(RECENT_KEY, []));
  }

  private async rememberUrl(url: string): Promise<void> {
    const state = this.s.context.globalState;
    await state.update(RECENT_KEY, rememberUrl(state.get<unknown>(RECENT_KEY, []), url));
  }

  /** The session meant by `arg`; else the active panel's; else the only candidate; else a pick. */
  private async pickSession(arg: SessionArg, verb: string, filter: (s: Session) => boolean): Promise<Session | undefined> {
    if (isNode(arg)) {
      return arg.type === 'session' ? arg.session : undefined;
    }
    if (typeof arg === 'string') {
      return this.s.sessions.get(arg);
    }
    if (arg && typeof arg === 'object' && 'store' in arg) {
      return arg;
    }
    const active = this.s.panels.activeSession;
    if (active && filter(active)) {
      return active;
    }
    const candidates = this.s.sessions.all.filter(filter);
    if (candidates.length <= 1) {
      if (!candidates.length) {
        void vscode.window.showInformationMessage('No connection to act on. Run "Realtime: Connect SSE/WS" first.');
      }
      return candidates[0];
    }
    const pick = await vscode.window.showQuickPick(
      candidates.map((session) => ({
        label: session.label,
        description: `${(session.kind ?? '').toUpperCase()} · ${session.status.state}`,
        detail: session.redactor.url(session.config.url),
        session,
      })),
      { title: verb, placeHolder: 'Which connection?' },
    );
    return pick?.session;
  }

  private async pickProfile(arg: ProfileArg, title: string): Promise<ProfileEntry | undefined> {
    if (isNode(arg)) {
      if (arg.type === 'profile') {
        return this.s.profiles.get(arg.entry.profile.name);
      }
      return undefined;
    }
    if (typeof arg === 'string') {
      const entry = this.s.profiles.get(arg);
      if (!entry) {
        throw new Error(`No profile named "${arg}" in realtimeInspector.profiles`);
      }
      return entry;
    }
    const entries = this.s.profiles.entries;
    if (!entries.length) {
      void vscode.window.showInformationMessage('No saved profiles yet. Use "Realtime: Save Connection as Profile" or "Edit Profiles".');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      entries.map((entry) => ({ label: entry.profile.name, description: entry.profile.url, entry })),
      { title, placeHolder: 'Which profile?' },
    );
    return pick?.entry;
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

function isNode(v: unknown): v is TreeNode {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    ['session', 'profiles', 'profile', 'issue'].includes((v as { type: string }).type) &&
    !('url' in v)
  );
}

/** How the Save as Profile question names a credential found in the URL. */
function urlCredentialLabel(c: UrlCredential): string {
  return c.where === 'param' ? `the URL parameter "${c.name}"` : c.where === 'password' ? "the URL's password" : "the URL's user name (a token?)";
}
