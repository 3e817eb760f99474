/**
 * The active environment: which of `realtimeInspector.environments` fills `{{name}}` in profiles and
 * messages. Picked from the status bar or the Connections view, kept per workspace (workspace state),
 * read by every connect and send. Problems with the setting go to the output channel, naming the
 * environment and variable.
 */
import * as vscode from 'vscode';
import { Disposable, Emitter } from '../core/lifecycle';
import { ENVIRONMENTS_KEY, type Environments, validateEnvironments } from '../core/workbench/environments';
import type { Log } from '../log';

const STATE_KEY = 'realtimeInspector.activeEnvironment';

/** What a connect or a send reads: the active environment's name and variables (none when no environment is active). */
export interface EnvironmentSnapshot {
  name?: string;
  vars?: Record<string, string>;
}

export class ActiveEnvironment extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<EnvironmentSnapshot>());
  readonly onDidChange = this._onDidChange.event;
  private readonly item: vscode.StatusBarItem;
  private reported = '';
  /** The setting read and checked, until it changes. */
  private cached: Environments | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('realtimeInspector.environment', vscode.StatusBarAlignment.Left, 49));
    this.item.name = 'Realtime Inspector Environment';
    this.item.command = 'realtimeInspector.selectEnvironment';
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(ENVIRONMENTS_KEY)) {
          this.cached = undefined;
          this.update();
          this._onDidChange.fire(this.current);
        }
      }),
    );
    this.update();
  }

  /** Every environment of the setting, valid variables only. */
  get environments(): Environments {
    if (this.cached) {
      return this.cached;
    }
    const { environments, issues } = validateEnvironments(vscode.workspace.getConfiguration().get(ENVIRONMENTS_KEY));
    const text = issues.join('\n');
    if (text && text !== this.reported) {
      issues.forEach((i) => this.log.warn(i));
    }
    this.reported = text;
    this.cached = environments;
    return environments;
  }

  /** The active environment; a name the setting no longer has counts as none (and says so on connect). */
  get current(): EnvironmentSnapshot {
    const name = this.state.get<string>(STATE_KEY);
    if (name === undefined) {
      return {};
    }
    const all = this.environments;
    return Object.hasOwn(all, name) ? { name, vars: all[name] } : { name };
  }

  async select(name: string | undefined): Promise<void> {
    await this.state.update(STATE_KEY, name);
    this.update();
    this._onDidChange.fire(this.current);
  }

  /** The quick pick of environments; resolves with the one chosen (undefined: cancelled). */
  async pick(): Promise<EnvironmentSnapshot | undefined> {
    const all = this.environments;
    const names = Object.keys(all);
    const active = this.current.name;
    type Item = vscode.QuickPickItem & { env?: string; none?: true; edit?: true };
    const items: Item[] = [
      ...names.map((n): Item => ({
        label: `${n === active ? '$(check) ' : ''}${n}`,
        description: Object.keys(all[n])
          .map((k) => `{{${k}}}`)
          .join(' '),
        env: n,
      })),
      { label: 'No environment', description: '{{name}} placeholders stay undefined', none: true },
      { label: '$(gear) Edit environments…', description: ENVIRONMENTS_KEY, edit: true },
    ];
    const choice = await vscode.window.showQuickPick(items, {
      title: 'Realtime: Select Environment',
      placeHolder: names.length ? `Active: ${active ?? 'none'}` : `No environments yet: add them to ${ENVIRONMENTS_KEY}`,
    });
    if (!choice) {
      return undefined;
    }
    if (choice.edit) {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson', { revealSetting: { key: ENVIRONMENTS_KEY, edit: true } });
      return undefined;
    }
    await this.select(choice.none ? undefined : choice.env);
    return this.current;
  }

  private update(): void {
    const names = Object.keys(this.environments);
    const { name } = this.current;
    if (!names.length && name === undefined) {
      this.item.hide();
      return;
    }
    this.item.text = `$(symbol-variable) ${name ?? 'no environment'}`;
    this.item.tooltip = `Realtime Inspector environment: ${name ?? 'none'} — pick another`;
    this.item.show();
  }
}
