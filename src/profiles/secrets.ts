import type * as vscode from 'vscode';

const PREFIX = 'realtimeInspector.secret.';
const NAMES_KEY = 'realtimeInspector.secretNames';
export const SECRET_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Named secrets for `${secret:NAME}`, kept in VS Code's `SecretStorage` (the OS keychain on desktop).
 * Only the names are kept elsewhere (global state), so "Set Secret" can offer the known ones.
 */
export class SecretStore {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  get(name: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(PREFIX + name));
  }

  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name)) {
      throw new Error(`"${name}" is not a valid secret name (letters, digits, _ . - only)`);
    }
    await this.secrets.store(PREFIX + name, value);
    const names = new Set(this.names());
    if (!names.has(name)) {
      names.add(name);
      await this.state.update(NAMES_KEY, [...names].sort());
    }
  }

  async delete(name: string): Promise<void> {
    await this.secrets.delete(PREFIX + name);
    await this.state.update(
      NAMES_KEY,
      this.names().filter((n) => n !== name),
    );
  }

  /** Names set through this extension (values are never listed). */
  names(): string[] {
    return this.state.get<string[]>(NAMES_KEY, []);
  }
}
