import * as vscode from 'vscode';
import type { Services } from '../services';
import { pickProfile, pickSession, type ProfileArg, type SessionArg } from './pickers';

/** The commands on profiles and secrets: save a connection as a profile, edit, delete, set a secret. */
export class ProfileCommands {
  constructor(private readonly services: Services) {}

  /** Save Connection as Profile. `name` skips the prompt; an existing profile of that name is replaced. */
  async saveProfileCommand(arg?: SessionArg, name?: string): Promise<string | undefined> {
    const session = await pickSession(arg, 'Save as profile', () => true, this.services);
    return session ? this.services.actions.saveProfile(session, undefined, name) : undefined;
  }

  async editProfilesCommand(name?: string): Promise<void> {
    await this.services.profiles.reveal(typeof name === 'string' ? name : undefined);
  }

  async editProfileCommand(arg?: ProfileArg): Promise<void> {
    const entry = await pickProfile(arg, 'Edit profile', this.services.profiles);
    if (entry) {
      await this.services.profiles.reveal(entry.profile.name);
    }
  }

  /** Delete Profile; `confirmed` skips the modal question. */
  async deleteProfileCommand(arg?: ProfileArg, confirmed?: boolean): Promise<boolean> {
    const entry = await pickProfile(arg, 'Delete profile', this.services.profiles);
    if (!entry) {
      return false;
    }
    if (confirmed !== true) {
      const ok = await vscode.window.showWarningMessage(
        `Delete the profile "${entry.profile.name}" from settings?`,
        { modal: true },
        'Delete',
      );
      if (ok !== 'Delete') {
        return false;
      }
    }
    return this.services.profiles.delete(entry.profile.name);
  }

  /** Set Secret: stores a value for `${secret:NAME}` in the editor's secret storage. Resolves with the name. */
  setSecretCommand(name?: string, value?: string): Promise<string | undefined> {
    return this.services.actions.secretPrompts.setSecret(name, value);
  }
}
