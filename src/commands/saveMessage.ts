/**
 * Save as Message: the send box's message, or a sent row of the log, written into the profile's
 * `messages` where the profile is saved. A row keeps the text as it was written (`{{…}}` and
 * `${secret:}` unresolved) when the panel or a saved message sent it; a message that would put one of
 * the connection's secrets into settings in clear is refused, as profiles refuse credentials in clear.
 */
import * as vscode from 'vscode';
import { type SavedMessage, messageProblem } from '../core/workbench/savedMessages';
import type { SendBoxMessage } from '../protocol';
import type { Services } from '../services';
import type { Session } from '../session/session';
import { type WrittenMessage, writtenOf } from '../session/sentMessages';
import { targetName } from '../profiles/profileStore';

/** What a panel passes: its row's context menu (`connectionId`, `seq`), or the send box's message. */
export interface SaveMessageContext {
  connectionId?: string;
  seq?: number;
  message?: SendBoxMessage;
}

export class SaveMessageCommands {
  constructor(private readonly services: Services) {}

  /**
   * Writes the message into the session's profile as `name` (else asked). A connection without a saved
   * profile is offered to be saved as one first. Resolves with the name written.
   */
  async saveAsMessageCommand(ctx?: SaveMessageContext | string, name?: string): Promise<string | undefined> {
    const c: SaveMessageContext = typeof ctx === 'string' ? { connectionId: ctx } : (ctx ?? {});
    const session =
      (typeof c.connectionId === 'string' ? this.services.sessions.get(c.connectionId) : undefined) ?? this.services.panels.activeSession;
    if (!session) {
      throw new Error('Save as Message: use the send box or right-click a sent message in a connection panel.');
    }
    const written = c.message ? writtenOf(c.message) : fromRow(session, c.seq);
    if (session.redactor.hasSecrets && session.redactor.text(written.body) !== written.body) {
      throw new Error(
        'Save as Message: this message holds a secret of the connection in clear. Write it with ${secret:NAME} (or {{name}} from an environment) in the send box and save it from there.',
      );
    }
    const profile = await this.profileNameFor(session);
    if (!profile) {
      return undefined;
    }
    const taken = new Set((session.config.messages ?? []).map((m) => m.name));
    name ??= await vscode.window.showInputBox({
      title: `Save as Message in profile "${profile}"`,
      prompt: 'A name for the message (the send box and Ctrl/Cmd+K list it)',
      ignoreFocusOut: true,
      validateInput: (v) => nameProblem(v, taken),
    });
    if (name === undefined) {
      return undefined;
    }
    const problem = nameProblem(name, taken);
    if (problem) {
      throw new Error(`Save as Message: ${problem}`);
    }
    const message: SavedMessage = { name: name.trim(), format: written.format, body: written.body };
    const invalid = messageProblem(message);
    if (invalid) {
      throw new Error(`Save as Message: ${invalid}`);
    }
    let messages: SavedMessage[] = [];
    const target = await this.services.profiles.update(profile, (raw) => {
      messages = [...(Array.isArray(raw.messages) ? (raw.messages as SavedMessage[]) : []), message];
      return { ...raw, messages };
    });
    if (target === undefined) {
      throw new Error(`Profile "${profile}" is not in settings any more.`);
    }
    // The session's copy takes it too: Send Saved Message lists it now.
    session.setConfig({ ...session.config, messages });
    if (c.seq !== undefined && !c.message) {
      session.sent.tag(c.seq, message.name);
    }
    void vscode.window.setStatusBarMessage(
      `Saved message "${message.name}" in profile "${profile}" (${targetName(target)} settings)`,
      4000,
    );
    return message.name;
  }

  /** The session's saved profile's name; a session without one asks to be saved as a profile first. */
  private async profileNameFor(session: Session): Promise<string | undefined> {
    const name = session.config.name;
    if (name && this.services.profiles.get(name)) {
      return name;
    }
    const save = 'Save as Profile';
    const pick = await vscode.window.showInformationMessage(
      'A saved message is written into a profile. Save this connection as a profile first?',
      { modal: true },
      save,
    );
    return pick === save ? this.services.actions.saveProfile(session) : undefined;
  }
}

function nameProblem(name: string, taken: ReadonlySet<string>): string | undefined {
  if (!name.trim()) {
    return 'A message needs a name';
  }
  if (taken.has(name.trim())) {
    return `The profile already has a message named "${name.trim()}"`;
  }
  return undefined;
}

/** A sent row as written when the session knows it, else as it went out. */
function fromRow(session: Session, seq: number | undefined): WrittenMessage {
  const record = typeof seq === 'number' ? session.store.bySeq(seq) : undefined;
  if (!record || record.kind !== 'message') {
    throw new Error(
      typeof seq === 'number'
        ? `Save as Message: record #${seq} is ${record ? 'not a message' : 'no longer in the log'}.`
        : 'Save as Message: no message given.',
    );
  }
  if (record.dir !== 'out') {
    throw new Error(`Save as Message: record #${seq} was received; only a sent message can be saved as one to send.`);
  }
  const written = session.sent.get(record.seq)?.written;
  if (written) {
    return written;
  }
  return record.format === 'binary' ? { format: 'binary', body: record.data } : { format: 'text', body: record.data };
}
