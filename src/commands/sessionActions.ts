import * as vscode from 'vscode';
import { createWriteStream } from 'node:fs';
import { toNdjson, writeNdjson } from '../core/export';
import type { Log } from '../log';
import type { PanelActions } from '../panel/inspectorPanel';
import type { Profile } from '../profiles/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { EditableConfig } from '../protocol';
import type { ConnectResult, Session } from '../session/session';
import type { SecretPrompts } from './secrets';

/**
 * What a panel and a palette command both do to a session: connect it and tell the user why not,
 * export its log, save it as a profile. Built before the panels, which are given it.
 */
export class SessionActions implements PanelActions {
  constructor(
    private readonly log: Log,
    private readonly profiles: ProfileStore,
    readonly secretPrompts: SecretPrompts,
  ) {}

  async connect(session: Session): Promise<ConnectResult> {
    const result = await session.connect();
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

  /** Writes the log as NDJSON, secrets masked, to `target` or where the save dialog says. */
  async exportLog(session: Session, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
    let uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    if (!uri) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
      const base = vscode.workspace.workspaceFolders?.[0]?.uri;
      const fileName = `${session.label.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.ndjson`;
      uri = await vscode.window.showSaveDialog({
        title: 'Export Log as NDJSON',
        defaultUri: base ? vscode.Uri.joinPath(base, fileName) : undefined,
        filters: { NDJSON: ['ndjson', 'jsonl'], 'All files': ['*'] },
      });
      if (!uri) {
        return undefined;
      }
    }
    let count: number;
    if (uri.scheme === 'file') {
      // Streamed with back-pressure: a full store is far larger than one string should be.
      const out = createWriteStream(uri.fsPath);
      const done = new Promise<void>((resolve, reject) => {
        out.on('finish', resolve);
        out.on('error', reject);
      });
      count = await writeNdjson(session.store, out, session.redactor);
      out.end();
      await done;
    } else {
      const text = toNdjson(session.store, session.redactor);
      count = session.store.size;
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    }
    this.log.info(`[${session.label}] exported ${count} records to ${uri.toString(true)}`);
    return uri;
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
