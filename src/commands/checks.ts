import * as vscode from 'vscode';
import { type Expect, type MessageRule, compileExpect, expectProblem } from '../core/contracts/expect';
import { profileTransport } from '../core/profile';
import type { ConnRecord, MessageRecord } from '../core/records';
import { checkChoices } from '../profiles/checkFromMessage';
import { type ProfileEntry, targetName } from '../profiles/profileStore';
import type { Services } from '../services';
import type { CheckRun } from '../session/checks';
import type { ConnectResult, Session } from '../session/session';
import { COMMANDS } from './ids';
import { isTreeNode, type ProfileArg } from './pickers';

/** What a webview row's context menu hands the command (its `data-vscode-context`, merged with the panel's). */
export interface MessageContext {
  connectionId?: string;
  seq?: number;
  webviewSection?: string;
}

/** The outcome of Run Checks: the session it ran on, and the run (none when it did not connect). */
export interface RunChecksOutcome {
  session: Session;
  result: ConnectResult;
  run: CheckRun | undefined;
}

/**
 * Run Checks (a profile's `expect` on its panel's session, connected afresh) and Add Check from Message
 * (a rule like the message right-clicked in the log, written into the profile's `expect.messages`).
 */
export class CheckCommands {
  constructor(private readonly services: Services) {}

  /** Overridable for tests: saves a connection without a profile as one first (resolves with its name). */
  saveFirst: ((session: Session) => Promise<string | undefined>) | undefined;

  /** Overridable for tests: the quick pick of Add Check from Message (resolves with the label picked). */
  pickChoice: ((labels: { label: string; description?: string }[], title: string) => Promise<string | undefined>) | undefined;

  /**
   * Runs a profile's checks: opens (or reuses) its panel's session and connects it afresh, through the
   * same path as Connect (trust, secrets). `panel: false` leaves the panel closed (or as it is).
   */
  async runChecksCommand(arg?: ProfileArg, options?: { panel?: boolean; preserveFocus?: boolean }): Promise<RunChecksOutcome | undefined> {
    const entry = await this.pickProfileWithExpect(arg);
    if (!entry) {
      return undefined;
    }
    const { sessions, panels, actions } = this.services;
    let session = sessions.all.find((s) => s.config.name === entry.profile.name);
    if (!session) {
      session = sessions.create({ ...entry.profile }, entry.source);
    } else if (!session.isActive) {
      session.setConfig({ ...entry.profile }, entry.source);
    }
    if (options?.panel !== false) {
      panels.open(session, options?.preserveFocus);
    }
    const result = await actions.runChecks(session);
    return { session, result, run: result.ok ? session.checks.current : undefined };
  }

  /**
   * Offers rules that the message `ctx.seq` of the panel `ctx.connectionId` would match (the active
   * panel's selected message without them), and adds the one picked to the profile's `expect.messages`
   * where the profile is saved. A connection without a saved profile is saved as one first.
   */
  async addCheckCommand(ctx?: MessageContext): Promise<MessageRule | undefined> {
    const session =
      (typeof ctx?.connectionId === 'string' ? this.services.sessions.get(ctx.connectionId) : undefined) ??
      this.services.panels.activeSession;
    if (!session) {
      throw new Error('Add Check from Message: right-click a message in a connection panel.');
    }
    const seq = typeof ctx?.seq === 'number' ? ctx.seq : (session.viewState as { selected?: unknown } | undefined)?.selected;
    const record: ConnRecord | undefined = typeof seq === 'number' ? session.store.bySeq(seq) : undefined;
    if (!record || record.kind !== 'message') {
      throw new Error(
        typeof seq === 'number'
          ? `Add Check from Message: record #${seq} is ${record ? 'not a message' : 'no longer in the log'}.`
          : 'Add Check from Message: select a message in the log first.',
      );
    }
    const message: MessageRecord = { ...record, data: record.data };
    const redactor = session.redactor;
    const choices = checkChoices(message, (t) => redactor.text(t));
    if (!choices.length) {
      throw new Error('Add Check from Message: nothing in this message can be written as a rule without a secret.');
    }
    const title = `Expect a message like #${message.seq}`;
    const items = choices.map((c) => ({
      label: c.label,
      description: c.group === 'event' ? 'event type' : c.group === 'json' ? 'JSONPath' : c.group === 'text' ? 'substring' : 'format',
    }));
    const picked = this.pickChoice
      ? await this.pickChoice(items, title)
      : (await vscode.window.showQuickPick(items, { title, placeHolder: 'Expect an event like this', matchOnDescription: true }))?.label;
    const choice = choices.find((c) => c.label === picked);
    if (!choice) {
      return undefined;
    }
    const name = await this.profileNameFor(session);
    if (!name) {
      return undefined;
    }
    const entry = this.services.profiles.get(name);
    const kind = entry ? profileTransport(entry.profile) : session.kind;
    let written: Expect | undefined;
    let problem: string | undefined;
    const target = await this.services.profiles.update(name, (raw) => {
      const expect = isObject(raw.expect) ? { ...raw.expect } : {};
      const messages = Array.isArray(expect.messages) ? [...(expect.messages as unknown[])] : [];
      messages.push(choice.rule);
      const next = { ...expect, messages } as Expect;
      problem = expectProblem(next, kind);
      if (problem) {
        return raw;
      }
      written = next;
      return { ...raw, expect: next };
    });
    if (problem) {
      throw new Error(`The rule "${choice.label}" cannot be added: ${problem}`);
    }
    if (target === undefined || !written) {
      throw new Error(`Profile "${name}" is not in settings any more.`);
    }
    // The session's copy takes the rule too: its next run (Connect, Run again) has it.
    session.setConfig({ ...session.config, expect: written });
    const compiled = compileExpect(written, kind);
    const ruleName = compiled.messages[compiled.messages.length - 1].name;
    void vscode.window
      .showInformationMessage(
        `Added the check "${ruleName}" to profile "${name}" (${targetName(target)} settings).`,
        'Run Checks',
        'Edit Profile',
      )
      .then((pick) => {
        if (pick === 'Run Checks') {
          void vscode.commands.executeCommand(COMMANDS.runChecks, name);
        } else if (pick === 'Edit Profile') {
          void vscode.commands.executeCommand(COMMANDS.editProfile, name);
        }
      });
    return choice.rule;
  }

  /** The session's saved profile's name; a session without one asks to be saved as a profile first. */
  private async profileNameFor(session: Session): Promise<string | undefined> {
    const name = session.config.name;
    if (name && this.services.profiles.get(name)) {
      return name;
    }
    if (this.saveFirst) {
      return this.saveFirst(session);
    }
    const save = 'Save as Profile';
    const pick = await vscode.window.showInformationMessage(
      'A check is written into a saved profile. Save this connection as a profile first?',
      { modal: true },
      save,
    );
    if (pick !== save) {
      return undefined;
    }
    return this.services.actions.saveProfile(session);
  }

  private async pickProfileWithExpect(arg: ProfileArg): Promise<ProfileEntry | undefined> {
    const profiles = this.services.profiles;
    if (isTreeNode(arg) || typeof arg === 'string') {
      const name = isTreeNode(arg) ? (arg.type === 'profile' ? arg.entry.profile.name : undefined) : arg;
      const entry = name !== undefined ? profiles.get(name) : undefined;
      if (!entry) {
        throw new Error(`No profile named "${name ?? ''}" in realtimeInspector.profiles`);
      }
      if (entry.profile.expect === undefined) {
        throw new Error(`Profile "${entry.profile.name}" has no "expect" block: there are no checks to run.`);
      }
      return entry;
    }
    const entries = profiles.entries.filter((e) => e.profile.expect !== undefined);
    if (!entries.length) {
      void vscode.window.showInformationMessage(
        'No profile has an "expect" block yet. Add one in Edit Profiles, or right-click a message: Add Check from Message.',
      );
      return undefined;
    }
    if (entries.length === 1) {
      return entries[0];
    }
    const pick = await vscode.window.showQuickPick(
      entries.map((entry) => ({ label: entry.profile.name, description: entry.profile.url, entry })),
      { title: 'Run Checks', placeHolder: 'Which profile?', ignoreFocusOut: true },
    );
    return pick?.entry;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
