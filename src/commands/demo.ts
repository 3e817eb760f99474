import * as vscode from 'vscode';
import type { DemoServer } from '../demo/server';
import { demoEndpointConfig } from '../connectItems';
import type { Services } from '../services';
import type { Session } from '../session/session';
import type { ConnectionCommands } from './connection';

/** The demo notification's one action, which lists the endpoints. */
const DEMO_OPEN = 'Connect…';
/** The context key that shows Stop Demo Server. */
const DEMO_RUNNING_KEY = 'realtimeInspector.demoRunning';

/** Start and stop the bundled demo server (held by the services, which close it on shutdown), and connect to its endpoints. */
export class DemoCommands {
  constructor(
    private readonly services: Services,
    private readonly connection: ConnectionCommands,
  ) {}

  /** Start Demo Server: starts (or reuses) the embedded server and offers its endpoints. Resolves with its URL. */
  async startDemoServerCommand(options?: { quiet?: boolean }): Promise<{ url: string; endpoints: DemoServer['endpoints'] }> {
    if (!this.services.demo) {
      const { startDemoServer } = await import('../demo/server');
      this.services.demo = await startDemoServer();
      this.services.log.info(`Demo server listening on ${this.services.demo.url}`);
      void vscode.commands.executeCommand('setContext', DEMO_RUNNING_KEY, true);
    }
    const demo = this.services.demo;
    if (!options?.quiet) {
      // One short action: a toast cuts long button rows off, and the demo has more endpoints than fit.
      void vscode.window.showInformationMessage(`Demo server running at ${demo.url}`, DEMO_OPEN).then((pick) => {
        if (pick === DEMO_OPEN) {
          void this.pickDemoEndpoint();
        }
      });
    }
    return { url: demo.url, endpoints: demo.endpoints };
  }

  /** Lists every endpoint of the running demo server with what it does, and connects the one picked. */
  async pickDemoEndpoint(): Promise<Session | undefined> {
    const demo = this.services.demo;
    if (!demo) {
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      demo.endpoints.map((e) => ({
        label: `${e.kind === 'ws' ? '$(plug)' : e.kind === 'mcp' ? '$(server-process)' : '$(broadcast)'} ${e.name}`,
        description: e.method ? `${e.method} ${e.url}` : e.url,
        detail: e.description,
        endpoint: e,
      })),
      {
        title: 'Demo server: connect to an endpoint',
        placeHolder: 'Pick an endpoint to connect to',
        matchOnDescription: true,
        matchOnDetail: true,
        ignoreFocusOut: true,
      },
    );
    if (!pick) {
      return undefined;
    }
    return this.connection.connectConfig(demoEndpointConfig(pick.endpoint), 'adhoc');
  }

  async stopDemoServerCommand(): Promise<boolean> {
    const demo = this.services.demo;
    if (!demo) {
      return false;
    }
    this.services.demo = undefined;
    void vscode.commands.executeCommand('setContext', DEMO_RUNNING_KEY, false);
    await demo.close();
    this.services.log.info('Demo server stopped');
    return true;
  }
}
