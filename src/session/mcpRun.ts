/**
 * One MCP session of an editor session (a profile with `"kind": "mcp"`, or Inspect MCP Server): the
 * core's `McpSession` started (initialize, then every list the server's capabilities offer), its state
 * as a `ConnectionStatus` for the badge and the tree, and the panel's calls (`tools/call`,
 * `resources/read`, `prompts/get`). No `vscode`: it runs on the core only.
 */
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import { McpError, McpSession, type McpSessionOptions, type McpState } from '../core/mcp';
import type { ConnRecord, ConnectionState, ConnectionStatus } from '../core/records';
import type { McpCallMethod } from '../protocol';

const STATE: Record<McpState, ConnectionState> = {
  idle: 'idle',
  initializing: 'connecting',
  ready: 'open',
  expired: 'failed',
  closed: 'closed',
  failed: 'failed',
};

export class McpRun extends Disposable {
  readonly session: McpSession;
  private readonly _onDidChangeStatus = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus: Event<ConnectionStatus> = this._onDidChangeStatus.event;
  private _status: ConnectionStatus;

  constructor(options: McpSessionOptions) {
    super();
    this.session = this._register(new McpSession(options));
    this._status = status('idle');
    this._register(
      this.session.onDidChange(() => {
        const state = STATE[this.session.state];
        if (state !== this._status.state) {
          this._status = status(state, this._status.lastError);
          this._onDidChangeStatus.fire(this._status);
        }
      }),
    );
    this._register(
      this.session.onRecord((r) => {
        if (r.kind === 'error') {
          this._status = { ...this._status, lastError: { code: r.code, message: r.message } };
        }
      }),
    );
  }

  get onRecord(): Event<ConnRecord> {
    return this.session.onRecord;
  }

  get status(): ConnectionStatus {
    return this._status;
  }

  get isActive(): boolean {
    return this.session.state === 'initializing' || this.session.state === 'ready';
  }

  /**
   * Initialize, then the lists the server offers. A failure is in the log already (an error record in
   * words); it is returned too, for the caller to show.
   */
  async start(): Promise<string | undefined> {
    try {
      await this.session.initialize();
      for (const kind of ['tools', 'resources', 'prompts'] as const) {
        try {
          await this.session.list(kind);
        } catch (err) {
          this.session.note(`${kind}/list failed: ${(err as Error).message}`);
        }
      }
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** A call the panel asks for; resolves with its result (the `mcp` result record holds it too) or rejects in words. */
  call(method: McpCallMethod, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (method) {
      case 'tools/call':
        return this.session.callTool(name, args);
      case 'resources/read':
        return this.session.readResource(name);
      case 'prompts/get': {
        const strings: Record<string, string> = {};
        for (const [k, v] of Object.entries(args)) {
          if (typeof v !== 'string') {
            return Promise.reject(new McpError('protocol', `Prompt arguments are strings: "${k}" is ${typeof v}`));
          }
          strings[k] = v;
        }
        return this.session.getPrompt(name, strings);
      }
      default:
        return Promise.reject(new McpError('protocol', `Unknown MCP call: ${String(method satisfies never)}`));
    }
  }

  /** Ends the session (DELETE when it has an id). */
  close(): Promise<void> {
    return this.session.close();
  }
}

function status(state: ConnectionState, lastError?: ConnectionStatus['lastError']): ConnectionStatus {
  return {
    state,
    since: Date.now(),
    autoRetry: false,
    attempt: 0,
    maxAttempts: null,
    reconnectDelayMs: 0,
    ...(lastError && state === 'failed' ? { lastError } : {}),
    details: {},
  };
}
