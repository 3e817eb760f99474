import * as vscode from 'vscode';
import { createWriteStream, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toNdjson, writeNdjson } from '../core/export';
import type { Log } from '../log';
import type { PanelActions } from '../panel/inspectorPanel';
import type { SendHistory } from '../workbench/sendHistory';
import type { Profile } from '../core/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { EditableConfig } from '../protocol';
import type { ConnectResult, Session } from '../session/session';
import { exportDefaultPath } from './exportTarget';
import type { SecretPrompts } from './secrets';

/** Global state key of the folder Export Log wrote to last. */
const EXPORT_FOLDER_KEY = 'realtimeInspector.exportFolder';

/**
 * What a panel and a palette command both do to a session: connect it and tell the user why not,
 * export its log, save it as a profile. Built before the panels, which are given it.
 */
export class SessionActions implements PanelActions {
  constructor(
    private readonly log: Log,
    private readonly profiles: ProfileStore,
    readonly secretPrompts: SecretPrompts,
    /** Where the last export's folder is remembered. */
    private readonly state: vscode.Memento,
    /** The send box's history per profile (workspace storage). */
    readonly sendHistory: SendHistory,
  ) {}

  async connect(session: Session): Promise<ConnectResult> {
    const result = await session.connect();
    this.report(session, result);
    return result;
  }

  /**
   * Runs the session's checks afresh on a fresh connection: a session of a saved profile takes the
   * profile's `expect` (and `send`) as saved now, so a rule just added runs.
   */
  async runChecks(session: Session): Promise<ConnectResult> {
    const entry = session.config.name ? this.profiles.get(session.config.name) : undefined;
    if (entry) {
      session.setConfig({ ...session.config, expect: entry.profile.expect, send: entry.profile.send });
    }
    const result = await session.runChecks();
    this.report(session, result);
    return result;
  }

  /** Tells the user why a connect did not happen; a missing secret can be set right away. */
  report(session: Session, result: ConnectResult): void {
    if (result.ok) {
      return;
    }
    this.log.warn(`[${session.label}] ${result.message}`);
    if (result.code === 'ERR_MISSING_SECRET') {
      const secretName = result.secretName;
      void vscode.window.showErrorMessage(result.message, 'Set Secret').then(async (pick) => {
        if (pick && (await this.secretPrompts.setSecret(secretName))) {
          await this.connect(session);
        }
      });
    } else if (result.code !== 'ERR_UNTRUSTED') {
      void vscode.window.showErrorMessage(`${session.label}: ${result.message}`);
    }
  }

  /**
   * Writes the log as NDJSON, secrets masked, to `target` or where the save dialog says (suggesting the
   * folder used last, remembered, and a name after the connection); then offers to open or reveal the file.
   */
  async exportLog(session: Session, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
    let uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    const asked = !uri;
    if (!uri) {
      const remembered = this.state.get<unknown>(EXPORT_FOLDER_KEY);
      const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
      const suggested = exportDefaultPath(session.label, {
        remembered: typeof remembered === 'string' && existsSync(remembered) ? remembered : undefined,
        workspace: workspace?.scheme === 'file' ? workspace.fsPath : undefined,
        home: os.homedir(),
      });
      uri = await vscode.window.showSaveDialog({
        title: 'Export Log as NDJSON',
        saveLabel: 'Export',
        defaultUri: vscode.Uri.file(suggested),
        filters: { NDJSON: ['ndjson', 'jsonl'], 'All files': ['*'] },
      });
      if (!uri) {
        return undefined;
      }
    }
    let count: number;
    if (uri.scheme === 'file') {
      count = await this.writeLogFile(session, uri.fsPath);
    } else {
      const text = toNdjson(session.store, session.redactor);
      count = session.store.size;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    }
    this.log.info(`[${session.label}] exported ${count} records to ${uri.toString(true)}`);
    if (uri.scheme === 'file') {
      await this.state.update(EXPORT_FOLDER_KEY, path.dirname(uri.fsPath));
    }
    if (asked) {
      void this.offerExported(uri, count);
    }
    return uri;
  }

  /** Writes the session's log as NDJSON to the file `fsPath`, secrets masked (what Export and Serve as Mock write); resolves with the record count. */
  async writeLogFile(session: Session, fsPath: string): Promise<number> {
    // Streamed with back-pressure: a full store is far larger than one string should be.
    const out = createWriteStream(fsPath);
    const done = new Promise<void>((resolve, reject) => {
      out.on('finish', resolve);
      out.on('error', reject);
    });
    const count = await writeNdjson(session.store, out, session.redactor);
    out.end();
    await done;
    return count;
  }

  /** "Exported N records to NAME" with Open (in an editor) and Reveal (in the Explorer, or the OS's file manager). */
  async offerExported(uri: vscode.Uri, count: number): Promise<void> {
    const name = path.basename(uri.path);
    const pick = await vscode.window.showInformationMessage(
      `Exported ${count.toLocaleString('en-US')} records to ${name}`,
      'Open',
      'Reveal',
    );
    if (pick === 'Open') {
      await vscode.commands.executeCommand('vscode.open', uri);
    } else if (pick === 'Reveal') {
      const inWorkspace = !!vscode.workspace.getWorkspaceFolder(uri);
      await vscode.commands.executeCommand(inWorkspace ? 'revealInExplorer' : 'revealFileInOS', uri);
    }
  }

  /**
   * Saves the session's configuration (with the request bar's `config` applied) as the profile `name`,
   * asking for a name when it has none; an existing profile of that name is replaced. Resolves with the name.
   */
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
        ignoreFocusOut: true,
      });
      if (!name) {
        return undefined;
      }
      name = name.trim();
    }
    if (!(await this.secretPrompts.offerToMoveCredentials(session, name))) {
      return undefined;
    }
    // Templates as the user wrote them: settings never get a resolved secret.
    const { name: _old, ...rest } = session.config;
    const profile: Profile = { name, ...rest };
    await this.profiles.save(profile);
    session.setConfig({ ...session.config, name });
    return name;
  }
}
