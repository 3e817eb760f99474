import * as vscode from 'vscode';
import { isCredentialHeader, urlCredentials, type UrlCredential } from '../core/credentials';
import type { Log } from '../log';
import { SECRET_NAME, type SecretStore } from '../profiles/secrets';
import { moveUrlCredentials, secretNameFor } from '../savedCredentials';
import type { Session } from '../session/session';

/** The answers of the Save as Profile question about a credential typed in clear. */
export type CredentialChoice = 'secret' | 'settings' | undefined;

/**
 * The secret flows: Set Secret's prompts, and the offer to move a credential typed in clear into
 * secret storage when a connection is saved as a profile. Every value stored is masked in the output
 * channel from then on.
 */
export class SecretPrompts {
  constructor(
    private readonly secrets: SecretStore,
    private readonly log: Log,
  ) {}

  /** Overridable for tests: what to do with credentials typed in clear when saving a profile. */
  askAboutCredentials = async (headers: string[]): Promise<CredentialChoice> => {
    const pick = await vscode.window.showWarningMessage(
      `${headers.join(', ')} holds a credential in clear. Keep it in secret storage instead of settings?`,
      {
        modal: true,
        detail: 'The profile will refer to it as ${secret:NAME}; the value stays on this machine, masked as •••• everywhere.',
      },
      'Store as Secret',
      'Save in Settings',
    );
    return pick === 'Store as Secret' ? 'secret' : pick === 'Save in Settings' ? 'settings' : undefined;
  };

  /** Stores a value for `${secret:NAME}` (an empty one deletes it), asking for what is not given. Resolves with the name. */
  async setSecret(name?: string, value?: string): Promise<string | undefined> {
    if (typeof name !== 'string' || !name) {
      const known = this.secrets.names();
      name = await vscode.window.showInputBox({
        title: 'Set Secret',
        prompt: `Name used as \${secret:NAME} in profiles${known.length ? ` (set so far: ${known.join(', ')})` : ''}`,
        placeHolder: 'API_TOKEN',
        validateInput: (v) => (SECRET_NAME.test(v) ? undefined : 'Letters, digits, _ . - only'),
        ignoreFocusOut: true,
      });
      if (!name) {
        return undefined;
      }
    }
    if (typeof value !== 'string') {
      value = await vscode.window.showInputBox({
        title: `Set Secret: ${name}`,
        prompt: "Kept in the editor's secret storage, never in settings, masked as •••• everywhere. Leave empty to delete it.",
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) {
        return undefined;
      }
    }
    if (value === '') {
      await this.secrets.delete(name);
      this.log.info(`Secret "${name}" deleted`);
      return name;
    }
    await this.secrets.set(name, value);
    this.log.addSecrets([value]);
    this.log.info(`Secret "${name}" stored`);
    return name;
  }

  /**
   * A credential typed in clear into a header or the URL (`?token=…`, `user:pass@`) would land in
   * settings.json (often committed). Offer to move it to secret storage and keep `${secret:NAME}` in
   * the session's configuration. Resolves false on cancel.
   */
  async offerToMoveCredentials(session: Session, profileName: string): Promise<boolean> {
    const headers = session.config.headers ?? {};
    const plain = Object.entries(headers).filter(([h, v]) => isCredentialHeader(h) && v.trim() && !v.includes('${'));
    const inUrl = urlCredentials(session.config.url).filter((c) => !c.value.includes('${'));
    if (!plain.length && !inUrl.length) {
      return true;
    }
    const pick = await this.askAboutCredentials([...plain.map(([h]) => h), ...inUrl.map(urlCredentialLabel)]);
    if (!pick) {
      return false;
    }
    if (pick === 'secret') {
      const next = { ...headers };
      for (const [header, value] of plain) {
        const secretName = secretNameFor(profileName, header);
        const m = AUTH_SCHEME.exec(value.trim());
        await this.secrets.set(secretName, m ? m[2] : value.trim());
        this.log.addSecrets([m ? m[2] : value.trim()]);
        next[header] = m ? `${m[1]} \${secret:${secretName}}` : `\${secret:${secretName}}`;
      }
      const { url, secrets } = moveUrlCredentials(session.config.url, profileName);
      for (const [secretName, value] of secrets) {
        await this.secrets.set(secretName, value);
        this.log.addSecrets([value]);
      }
      session.setConfig({ ...session.config, headers: next, url });
    }
    return true;
  }
}

/** An authorization scheme before the credential: the scheme stays in the header, the credential moves. */
const AUTH_SCHEME = /^(Bearer|Basic|Digest|Token|Bot)\s+(.+)$/i;

/** How the Save as Profile question names a credential found in the URL. */
function urlCredentialLabel(c: UrlCredential): string {
  return c.where === 'param'
    ? `the URL parameter "${c.name}"`
    : c.where === 'password'
      ? "the URL's password"
      : "the URL's user name (a token?)";
}
