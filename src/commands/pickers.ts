import * as vscode from 'vscode';
import type { ProfileEntry, ProfileStore } from '../profiles/profileStore';
import type { SessionRegistry } from '../session/registry';
import type { Session } from '../session/session';
import type { TreeNode } from '../tree/connectionsTree';

/** What identifies a session in a command's arguments: a tree node, the session, or its id. */
export type SessionArg = TreeNode | Session | string | undefined;
/** What identifies a profile: a tree node or its name. */
export type ProfileArg = TreeNode | string | undefined;

/** Where a session pick looks: every session, and the one whose panel the user is looking at (the services). */
export interface SessionChoices {
  readonly sessions: SessionRegistry;
  readonly panels: { readonly activeSession: Session | undefined };
}

/** The session meant by `arg`; else the active panel's; else the only candidate; else a pick. */
export async function pickSession(
  arg: SessionArg,
  verb: string,
  filter: (s: Session) => boolean,
  choices: SessionChoices,
): Promise<Session | undefined> {
  if (isTreeNode(arg)) {
    return arg.type === 'session' ? arg.session : undefined;
  }
  if (typeof arg === 'string') {
    return choices.sessions.get(arg);
  }
  if (arg && typeof arg === 'object' && 'store' in arg) {
    return arg;
  }
  const active = choices.panels.activeSession;
  if (active && filter(active)) {
    return active;
  }
  const candidates = choices.sessions.all.filter(filter);
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
    { title: verb, placeHolder: 'Which connection?', ignoreFocusOut: true },
  );
  return pick?.session;
}

/** The profile meant by `arg` (a name that names none is an error); without one, a pick. */
export async function pickProfile(arg: ProfileArg, title: string, profiles: ProfileStore): Promise<ProfileEntry | undefined> {
  if (isTreeNode(arg)) {
    if (arg.type === 'profile') {
      return profiles.get(arg.entry.profile.name);
    }
    return undefined;
  }
  if (typeof arg === 'string') {
    const entry = profiles.get(arg);
    if (!entry) {
      throw new Error(`No profile named "${arg}" in realtimeInspector.profiles`);
    }
    return entry;
  }
  const entries = profiles.entries;
  if (!entries.length) {
    void vscode.window.showInformationMessage('No saved profiles yet. Use "Realtime: Save Connection as Profile" or "Edit Profiles".');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    entries.map((entry) => ({ label: entry.profile.name, description: entry.profile.url, entry })),
    { title, placeHolder: 'Which profile?', ignoreFocusOut: true },
  );
  return pick?.entry;
}

/** A Connections view node (a configuration object has a `url`, a node never does). */
export function isTreeNode(v: unknown): v is TreeNode {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    ['session', 'profiles', 'profile', 'issue', 'mocks', 'mock'].includes((v as { type: string }).type) &&
    !('url' in v)
  );
}
