/**
 * One MCP session of an editor session (a profile with `"kind": "mcp"`, or Inspect MCP Server): the
 * core's `McpSession` started (initialize, then every list the server's capabilities offer), its state
 * as a `ConnectionStatus` for the badge and the tree, and the panel's calls (`tools/call`,
 * `resources/read`, `prompts/get`). No `vscode`: it runs on the core only.
 */
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import { McpError, McpSession, type McpSessionOptions, type McpState, type ServerRequestAnswer } from '../core/mcp';
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

/** A request of the server's (sampling, elicitation, roots) waiting for the user's answer in the panel. */
export interface McpAsk {
  id: number;
  method: string;
  params: unknown;
}

/** How long a server's request waits for the user before it is answered "not supported by this client". */
export const ASK_TIMEOUT_MS = 120_000;

/** What the client says it can do: the server may ask for these, and the user answers them in the panel. */
const CLIENT_CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: false } };

export class McpRun extends Disposable {
  readonly session: McpSession;
  private readonly _onDidChangeStatus = this._register(new Emitter<ConnectionStatus>());
  readonly onDidChangeStatus: Event<ConnectionStatus> = this._onDidChangeStatus.event;
  /** A server's request for the user to answer (`answer`), or to let time out. */
  private readonly _onDidAsk = this._register(new Emitter<McpAsk>());
  readonly onDidAsk: Event<McpAsk> = this._onDidAsk.event;
  /** An ask answered, declined or timed out: the panel takes its card away. */
  private readonly _onDidSettle = this._register(new Emitter<number>());
  readonly onDidSettle: Event<number> = this._onDidSettle.event;
  private readonly asks = new Map<number, { ask: McpAsk; settle: (a: ServerRequestAnswer | undefined) => void }>();
  private nextAsk = 1;
  private _status: ConnectionStatus;

  /** `canAsk`: whether someone (a panel) will show the server's requests to the user; by default, whether `onDidAsk` has listeners. */
  constructor(
    options: McpSessionOptions,
    private readonly asking: { canAsk?: () => boolean; timeoutMs?: number } = {},
  ) {
    super();
    this.session = this._register(
      new McpSession({
        capabilities: CLIENT_CAPABILITIES,
        ...options,
        answerServerRequest: (method, params) => this.askUser(method, params, asking.timeoutMs ?? ASK_TIMEOUT_MS),
      }),
    );
    this._register({ dispose: () => [...this.asks.keys()].forEach((id) => this.answer(id, undefined)) });
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

  /** The server's requests waiting for an answer. */
  get pendingAsks(): McpAsk[] {
    return [...this.asks.values()].map((a) => a.ask);
  }

  /**
   * A server's request, for the panel to answer: undefined at once when no panel listens (answered
   * "not supported by this client"), else the user's answer, or undefined when declined or after `timeoutMs`.
   */
  private askUser(method: string, params: unknown, timeoutMs: number): Promise<ServerRequestAnswer | undefined> | undefined {
    if (!(this.asking.canAsk?.() ?? this._onDidAsk.hasListeners)) {
      return undefined;
    }
    const ask: McpAsk = { id: this.nextAsk++, method, params };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.session.note(`No answer to the server's ${method} within ${Math.round(timeoutMs / 1000)} s`);
        this.answer(ask.id, undefined);
      }, timeoutMs);
      this.asks.set(ask.id, {
        ask,
        settle: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      });
      this._onDidAsk.fire(ask);
    });
  }

  /** The user's answer to ask `id` (`result`, or an `error`); undefined declines it. False when it is no longer waiting. */
  answer(id: number, answer: ServerRequestAnswer | undefined): boolean {
    const pending = this.asks.get(id);
    if (!pending) {
      return false;
    }
    this.asks.delete(id);
    pending.settle(answer);
    this._onDidSettle.fire(id);
    return true;
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
