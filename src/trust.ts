import * as vscode from 'vscode';

/** What the trust gate needs to know about a connection about to open. */
export interface TrustSubject {
  /** Where its configuration came from: a workspace profile is the case to guard. */
  source: 'user' | 'workspace' | 'adhoc';
  name?: string;
  url: string;
}

/**
 * Workspace trust for connections. A profile from workspace settings could point at an internal host
 * and carry the user's secrets to it, so in a restricted (untrusted) window it connects only after an
 * explicit, modal confirmation. Profiles from user settings and URLs the user typed are theirs.
 */
export class TrustGate {
  /** Overridable for tests: whether the workspace is trusted. */
  isTrusted: () => boolean = () => vscode.workspace.isTrusted;

  /** Overridable for tests: asks the user; resolves true to go ahead. */
  confirm: (subject: TrustSubject) => Promise<boolean> = async (subject) => {
    const pick = await vscode.window.showWarningMessage(
      `Connect to a profile from an untrusted workspace?`,
      {
        modal: true,
        detail:
          `The profile "${subject.name ?? subject.url}" comes from this workspace's settings, which you have not trusted. ` +
          `It connects to ${subject.url} and may send your secrets there.`,
      },
      'Connect',
    );
    return pick === 'Connect';
  };

  /** True when `subject` may connect now (asking the user when the workspace is not trusted). */
  async allows(subject: TrustSubject): Promise<boolean> {
    if (subject.source !== 'workspace' || this.isTrusted()) {
      return true;
    }
    return this.confirm(subject);
  }
}
