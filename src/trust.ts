import * as vscode from 'vscode';
import { safeLabel } from './core/unsafeText';
import { workspaceTrust } from './settings';

/**
 * Where a connection's configuration came from:
 * - `user`: a profile from the user's settings; `adhoc`: typed by the user (palette or panel);
 * - `workspace`: a profile from the workspace's settings (the workspace chose its host);
 * - `external`: passed to the `realtimeInspector.connect` command by another extension or a link;
 * - `restored`: a panel brought back after a window reload, from a profile no longer there.
 */
export type TrustSource = 'user' | 'workspace' | 'adhoc' | 'external' | 'restored';

/** What the trust gate needs to know about a connection about to open, with its templates resolved. */
export interface TrustSubject {
  source: TrustSource;
  /** The profile's name: chosen by whoever wrote the configuration, so shown as theirs, never as a label of ours. */
  name?: string;
  /** The URL as it will be requested, secrets masked. */
  url: string;
  /** scheme://host:port of the resolved URL: what a confirmation is for. */
  origin: string;
  /** Host (and port) of the resolved URL. */
  host: string;
  /** Names of the headers sent. */
  headers: string[];
  /** `${secret:…}` and `${env:…}` references resolved for it, as written, sorted. */
  refs: string[];
  /** `tls.insecure`: any certificate is accepted. */
  insecureTls?: boolean;
}

/** The origin (scheme://host:port) and host of `url`; the text itself when it does not parse. */
export function originOf(url: string): { origin: string; host: string } {
  try {
    const parsed = new URL(url);
    return { origin: `${parsed.protocol}//${parsed.host}`, host: parsed.host };
  } catch {
    return { origin: url, host: url };
  }
}

/**
 * Workspace trust for connections, per target. A profile from workspace settings could point at an
 * internal host and carry the user's secrets to it, so in a restricted (untrusted) window it connects
 * only after an explicit, modal confirmation naming the host, the headers and the secrets it sends.
 * A configuration handed to the connect command by another extension or a link, and one restored
 * from a panel whose profile is gone, asks too when it sends any `${secret:…}` or `${env:…}`, trusted
 * window or not: the caller, not the user, chose where they go. Profiles from user settings and URLs
 * the user typed are theirs.
 *
 * A confirmation holds for exactly what was confirmed — source, profile name, origin and the set of
 * references — for the window's lifetime (memory only, never stored): a new host, port or scheme, or
 * one more secret, asks again, on a reconnect too.
 */
export class TrustGate {
  private readonly confirmed = new Set<string>();

  /** Whether the workspace is trusted. Overridable for tests: restricted settings follow it too. */
  get isTrusted(): () => boolean {
    return workspaceTrust.isTrusted;
  }

  set isTrusted(fn: () => boolean) {
    workspaceTrust.isTrusted = fn;
  }

  /** Overridable for tests: asks the user; resolves true to go ahead. */
  confirm: (subject: TrustSubject) => Promise<boolean> = async (subject) => {
    const { message, detail } = describeSubject(subject);
    const pick = await vscode.window.showWarningMessage(message, { modal: true, detail }, 'Connect');
    return pick === 'Connect';
  };

  /** True when the subject needs the user's confirmation before it connects. */
  needsConfirmation(subject: TrustSubject): boolean {
    switch (subject.source) {
      case 'workspace':
        return !this.isTrusted();
      case 'external':
      case 'restored':
        return subject.refs.length > 0;
      default:
        return false;
    }
  }

  /** True when `subject` may connect now (asking the user unless this exact target was confirmed). */
  async allows(subject: TrustSubject): Promise<boolean> {
    if (!this.needsConfirmation(subject)) {
      return true;
    }
    const key = JSON.stringify([subject.source, subject.name ?? '', subject.origin, [...subject.refs].sort(), !!subject.insecureTls]);
    if (this.confirmed.has(key)) {
      return true;
    }
    if (!(await this.confirm(subject))) {
      return false;
    }
    this.confirmed.add(key);
    return true;
  }

  /** Forgets every confirmation (the next connect of each target asks again). */
  reset(): void {
    this.confirmed.clear();
  }
}

const SOURCE_TEXT: Record<TrustSource, string> = {
  workspace: "this workspace's settings, which you have not trusted (untrusted workspace)",
  external: 'a call of the Connect command by another extension or a link, not by you',
  restored: 'a panel restored after a window reload, whose profile is no longer in settings',
  user: 'your user settings',
  adhoc: 'you',
};

/** The dialog's text: the real host first; the name is the workspace's, quoted, escaped and clipped. */
export function describeSubject(subject: TrustSubject): { message: string; detail: string } {
  const host = safeLabel(subject.host, 120);
  const secrets = subject.refs.filter((r) => r.startsWith('${secret:'));
  const envs = subject.refs.filter((r) => r.startsWith('${env:'));
  const sends = subject.refs.length ? 'and send your secrets there' : '';
  const message = `Connect to ${host}${sends ? ' ' + sends : ''}?`;
  const lines = [`Host: ${host}`, `URL: ${safeLabel(subject.url, 200)}`, `Asked by: ${SOURCE_TEXT[subject.source]}.`];
  if (subject.name !== undefined) {
    lines.push(`Profile name (chosen by whoever wrote it, not a check of the host): "${safeLabel(subject.name, 60)}"`);
  }
  lines.push(`Headers sent: ${subject.headers.length ? subject.headers.map((h) => safeLabel(h, 60)).join(', ') : 'none'}`);
  lines.push(`Secrets sent: ${secrets.length ? secrets.join(', ') : 'none'}`);
  lines.push(`Environment variables sent: ${envs.length ? envs.join(', ') : 'none'}`);
  if (subject.insecureTls) {
    lines.push('TLS: any certificate is accepted (tls.insecure), so anyone on the way can read what is sent.');
  }
  lines.push('', 'You are asked again if the host or the secrets change.');
  return { message, detail: lines.join('\n') };
}
