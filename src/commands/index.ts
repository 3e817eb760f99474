import * as vscode from 'vscode';
import type { Services } from '../services';
import { CheckCommands } from './checks';
import { ConnectionCommands } from './connection';
import { DemoCommands } from './demo';
import { COMMANDS } from './ids';
import { McpCommands } from './mcp';
import { MockCommands } from './mocks';
import { ProfileCommands } from './profiles';
import type { SecretPrompts } from './secrets';
import { SavedMessageCommands, WorkbenchCommands } from './workbench';
import { CompareCommands } from './compare';
import { SaveMessageCommands } from './saveMessage';

export { COMMANDS } from './ids';

/**
 * The palette and view commands, by what they act on. Every command also takes plain arguments (an
 * id, a name, a URL or a configuration object) so that menus, the panel and scripts can run it
 * without any prompt; without arguments it asks, offering a pick when more than one connection could
 * be meant. A command that fails shows its error in one line and logs it.
 */
export class Commands {
  readonly connection: ConnectionCommands;
  readonly profiles: ProfileCommands;
  readonly demo: DemoCommands;
  readonly checks: CheckCommands;
  readonly mocks: MockCommands;
  readonly workbench: WorkbenchCommands;
  readonly savedMessages: SavedMessageCommands;
  readonly compare: CompareCommands;
  readonly saveMessage: SaveMessageCommands;
  readonly mcp: McpCommands;
  /** The secret prompts the commands and the panels share (tests answer them). */
  readonly secrets: SecretPrompts;

  constructor(private readonly services: Services) {
    this.connection = new ConnectionCommands(services);
    this.profiles = new ProfileCommands(services);
    this.demo = new DemoCommands(services, this.connection);
    this.checks = new CheckCommands(services);
    this.mocks = new MockCommands(services, this.connection);
    this.workbench = new WorkbenchCommands(services, this.connection);
    this.savedMessages = new SavedMessageCommands(services);
    this.compare = new CompareCommands(services);
    this.saveMessage = new SaveMessageCommands(services);
    this.mcp = new McpCommands(this.connection);
    this.secrets = services.actions.secretPrompts;
  }

  register(): vscode.Disposable[] {
    const run = (id: string, handler: (...args: never[]) => unknown) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (handler as (...a: unknown[]) => unknown)(...args);
        } catch (err) {
          this.services.log.error(err as Error);
          void vscode.window.showErrorMessage((err as Error).message);
          return undefined;
        }
      });
    const { connection, profiles, demo, checks, mocks, workbench, savedMessages, compare, saveMessage, mcp } = this;
    return [
      run(COMMANDS.connect, connection.connectCommand.bind(connection)),
      run(COMMANDS.inspectMcpServer, mcp.inspectMcpServerCommand.bind(mcp)),
      run(COMMANDS.disconnect, connection.disconnectCommand.bind(connection)),
      run(COMMANDS.reconnect, connection.reconnectCommand.bind(connection)),
      run(COMMANDS.clearLog, connection.clearLogCommand.bind(connection)),
      run(COMMANDS.exportLog, connection.exportLogCommand.bind(connection)),
      run(COMMANDS.saveProfile, profiles.saveProfileCommand.bind(profiles)),
      run(COMMANDS.editProfiles, profiles.editProfilesCommand.bind(profiles)),
      run(COMMANDS.setSecret, profiles.setSecretCommand.bind(profiles)),
      run(COMMANDS.startDemoServer, demo.startDemoServerCommand.bind(demo)),
      run(COMMANDS.stopDemoServer, demo.stopDemoServerCommand.bind(demo)),
      run(COMMANDS.showOutput, () => this.services.log.show()),
      run(COMMANDS.openPanel, connection.openPanelCommand.bind(connection)),
      run(COMMANDS.connectProfile, connection.connectProfileCommand.bind(connection)),
      run(COMMANDS.editProfile, profiles.editProfileCommand.bind(profiles)),
      run(COMMANDS.deleteProfile, profiles.deleteProfileCommand.bind(profiles)),
      run(COMMANDS.removeConnection, connection.removeConnectionCommand.bind(connection)),
      run(COMMANDS.runChecks, checks.runChecksCommand.bind(checks)),
      run(COMMANDS.addCheck, checks.addCheckCommand.bind(checks)),
      run(COMMANDS.serveAsMock, mocks.serveAsMockCommand.bind(mocks)),
      run(COMMANDS.openRecording, mocks.openRecordingCommand.bind(mocks)),
      run(COMMANDS.stopMock, mocks.stopMockCommand.bind(mocks)),
      run(COMMANDS.connectMock, mocks.connectMockCommand.bind(mocks)),
      run(COMMANDS.copyMockUrl, mocks.copyMockUrlCommand.bind(mocks)),
      run(COMMANDS.selectEnvironment, workbench.selectEnvironmentCommand.bind(workbench)),
      run(COMMANDS.copyAs, workbench.copyAsCommand.bind(workbench)),
      run(COMMANDS.pasteAsConnection, workbench.pasteAsConnectionCommand.bind(workbench)),
      run(COMMANDS.sendSavedMessage, savedMessages.sendSavedCommand.bind(savedMessages)),
      run(COMMANDS.stopRepeat, savedMessages.stopRepeatCommand.bind(savedMessages)),
      run(COMMANDS.compare, compare.compareCommand.bind(compare)),
      run(COMMANDS.compareWithPrevious, compare.compareWithPreviousCommand.bind(compare)),
      run(COMMANDS.saveAsMessage, saveMessage.saveAsMessageCommand.bind(saveMessage)),
      compare,
    ];
  }
}
