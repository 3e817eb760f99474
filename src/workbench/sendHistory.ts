/**
 * The send box's history per profile, kept in workspace storage so it outlives panels, sessions and
 * window reloads: the messages as they were typed (`{{…}}` and `${secret:}` unresolved), the
 * connection's secrets masked, at most `HISTORY_MAX` a profile, oldest first.
 */
import type * as vscode from 'vscode';
import type { Redactor } from '../core/redactor';

const KEY = 'realtimeInspector.sendHistory';
/** As many as the send box keeps itself. */
export const HISTORY_MAX = 100;

type Histories = Record<string, string[]>;

export class SendHistory {
  constructor(private readonly state: vscode.Memento) {}

  /** Profile `profile`'s history, oldest first. */
  get(profile: string): string[] {
    const all = this.state.get<Histories>(KEY);
    const list = all && Object.hasOwn(all, profile) ? all[profile] : undefined;
    return Array.isArray(list) ? list.filter((x) => typeof x === 'string') : [];
  }

  /** Adds a sent message (masked by `redactor`); one equal to the newest is not added again. Resolves with the history. */
  async add(profile: string, text: string, redactor: Redactor): Promise<string[]> {
    const masked = redactor.text(text);
    const list = this.get(profile);
    if (list[list.length - 1] === masked) {
      return list;
    }
    list.push(masked);
    const next = list.slice(-HISTORY_MAX);
    const all = { ...(this.state.get<Histories>(KEY) ?? {}), [profile]: next };
    await this.state.update(KEY, all);
    return next;
  }
}
