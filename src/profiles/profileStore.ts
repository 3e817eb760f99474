import * as vscode from 'vscode';
import { Disposable, Emitter } from '../core/lifecycle';
import type { Log } from '../log';
import { SECTION } from '../settings';
import { type Profile, type ProfileIssue, type ProfileSource, validateProfiles } from '../core/profile';

export const PROFILES_KEY = 'profiles';
const FULL_KEY = `${SECTION}.${PROFILES_KEY}`;

export interface ProfileEntry {
  profile: Profile;
  /** `workspace` when the effective value comes from workspace (or folder) settings. */
  source: ProfileSource;
}

/**
 * The saved profiles: read from settings on first use, validated, re-read when the setting changes,
 * and written back without touching anything else in settings.json (`WorkspaceConfiguration.update`
 * edits only this key).
 */
export class ProfileStore extends Disposable {
  private cache: { entries: ProfileEntry[]; issues: ProfileIssue[] } | undefined;
  private lastReported = '';

  private readonly _onDidChange = this._register(new Emitter<void>());
  /** The profiles (or their issues) changed. */
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly log: Log) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(FULL_KEY)) {
          this.cache = undefined;
          this.read();
          this._onDidChange.fire();
        }
      }),
    );
  }

  get entries(): readonly ProfileEntry[] {
    return this.read().entries;
  }

  /** Entries of the setting that are not valid profiles, with messages naming them. */
  get issues(): readonly ProfileIssue[] {
    return this.read().issues;
  }

  get(name: string): ProfileEntry | undefined {
    return this.entries.find((e) => e.profile.name === name);
  }

  /**
   * Adds or replaces (by name) a profile. Written where the profiles live now: the workspace when it
   * has them or when the user has none (so a workspace value never hides the user's list), else the
   * user settings.
   */
  async save(profile: Profile): Promise<vscode.ConfigurationTarget> {
    const target = this.writeTarget();
    const current = this.rawAt(target);
    const i = current.findIndex((e) => isNamed(e, profile.name));
    const next = [...current];
    if (i >= 0) {
      next[i] = profile;
    } else {
      next.push(profile);
    }
    await vscode.workspace.getConfiguration(SECTION).update(PROFILES_KEY, next, target);
    this.log.info(`Profile "${profile.name}" saved to ${targetName(target)} settings`);
    return target;
  }

  /**
   * Rewrites the entry of profile `name` as written in the settings that hold it (fields this version
   * does not know kept), with `edit`. Resolves with where it wrote, or undefined when no entry has that name.
   */
  async update(
    name: string,
    edit: (entry: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<vscode.ConfigurationTarget | undefined> {
    const target = this.effectiveTarget();
    if (target === undefined) {
      return undefined;
    }
    const current = this.rawAt(target);
    const i = current.findIndex((e) => isNamed(e, name));
    if (i < 0) {
      return undefined;
    }
    const next = [...current];
    next[i] = edit({ ...(current[i] as Record<string, unknown>) });
    await vscode.workspace.getConfiguration(SECTION).update(PROFILES_KEY, next, target);
    this.log.info(`Profile "${name}" updated in ${targetName(target)} settings`);
    return target;
  }

  /** Removes the profile named `name` from the settings that hold it. Returns false when none was found. */
  async delete(name: string): Promise<boolean> {
    const target = this.effectiveTarget();
    if (target === undefined) {
      return false;
    }
    const current = this.rawAt(target);
    const next = current.filter((e) => !isNamed(e, name));
    if (next.length === current.length) {
      return false;
    }
    await vscode.workspace.getConfiguration(SECTION).update(PROFILES_KEY, next, target);
    this.log.info(`Profile "${name}" deleted from ${targetName(target)} settings`);
    return true;
  }

  /** Opens the settings file that holds the profiles, at the setting (or at profile `name`). */
  async reveal(name?: string): Promise<vscode.TextEditor | undefined> {
    const target = this.effectiveTarget() ?? this.writeTarget();
    if (target === vscode.ConfigurationTarget.Global) {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson');
    } else {
      const uri = workspaceSettingsUri();
      if (!uri) {
        await vscode.commands.executeCommand('workbench.action.openWorkspaceSettingsFile');
      } else {
        if (this.rawAt(target).length === 0 && this.effectiveTarget() === undefined) {
          // Give the user a place to type, with completion from the schema.
          await vscode.workspace.getConfiguration(SECTION).update(PROFILES_KEY, [], target);
        }
        const doc = await vscode.workspace.openTextDocument(uri);
        await vscode.window.showTextDocument(doc);
      }
    }
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const text = editor.document.getText();
      let offset = text.indexOf(`"${FULL_KEY}"`);
      if (offset >= 0 && name) {
        const at = text.indexOf(JSON.stringify(name), offset);
        if (at >= 0) {
          offset = at;
        }
      }
      if (offset >= 0) {
        const pos = editor.document.positionAt(offset);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      }
    }
    return editor;
  }

  /** Where the effective value comes from, or undefined when no settings define profiles. */
  effectiveTarget(): vscode.ConfigurationTarget | undefined {
    const i = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(PROFILES_KEY);
    // The setting is window-scoped: folder values only exist in single-folder windows, where they are the workspace's.
    if (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined) {
      return vscode.ConfigurationTarget.Workspace;
    }
    if (i?.globalValue !== undefined) {
      return vscode.ConfigurationTarget.Global;
    }
    return undefined;
  }

  private writeTarget(): vscode.ConfigurationTarget {
    const effective = this.effectiveTarget();
    if (effective !== undefined) {
      return effective;
    }
    return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  }

  private rawAt(target: vscode.ConfigurationTarget): unknown[] {
    const i = vscode.workspace.getConfiguration(SECTION).inspect<unknown>(PROFILES_KEY);
    const v = target === vscode.ConfigurationTarget.Global ? i?.globalValue : (i?.workspaceValue ?? i?.workspaceFolderValue);
    return Array.isArray(v) ? v : [];
  }

  private read(): { entries: ProfileEntry[]; issues: ProfileIssue[] } {
    if (this.cache) {
      return this.cache;
    }
    const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(PROFILES_KEY);
    const target = this.effectiveTarget();
    const source: ProfileSource = target === vscode.ConfigurationTarget.Global || target === undefined ? 'user' : 'workspace';
    const { profiles, issues } = validateProfiles(value);
    this.cache = { entries: profiles.map((profile) => ({ profile, source })), issues };
    this.report(issues);
    return this.cache;
  }

  /** Tells the user about invalid entries once per distinct set of problems. */
  private report(issues: ProfileIssue[]): void {
    const key = issues.map((i) => i.message).join('\n');
    if (key === this.lastReported) {
      return;
    }
    this.lastReported = key;
    if (!issues.length) {
      return;
    }
    for (const issue of issues) {
      this.log.warn(issue.message);
    }
    const first = issues[0].message;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more, see Output)` : '';
    void vscode.window.showWarningMessage(`Invalid connection profile: ${first}${more}`, 'Edit Profiles').then((pick) => {
      if (pick) {
        void vscode.commands.executeCommand('realtimeInspector.editProfiles', issues[0].name);
      }
    });
  }
}

function isNamed(entry: unknown, name: string): boolean {
  return typeof entry === 'object' && entry !== null && (entry as { name?: unknown }).name === name;
}

export function targetName(t: vscode.ConfigurationTarget): string {
  return t === vscode.ConfigurationTarget.Global ? 'user' : 'workspace';
}

function workspaceSettingsUri(): vscode.Uri | undefined {
  if (vscode.workspace.workspaceFile && vscode.workspace.workspaceFile.scheme !== 'untitled') {
    return vscode.workspace.workspaceFile;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json') : undefined;
}
