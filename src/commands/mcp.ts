import * as vscode from 'vscode';
import { checkUrl } from '../core/profile';
import type { SessionConfig } from '../profiles/connectOptions';
import type { Session } from '../session/session';
import type { ConnectionCommands, ConnectOptions } from './connection';

/** A header as typed: `Name: value`, the name an HTTP token. */
const HEADER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*:\s*(.*)$/;

/** What Inspect MCP Server asks (tests answer it). */
export interface McpPrompts {
  url(): Thenable<string | undefined>;
  /** One more header, `''` when there are no more, undefined when the user cancelled. */
  header(added: readonly string[]): Thenable<string | undefined>;
}

const inputBoxes: McpPrompts = {
  url: () =>
    vscode.window.showInputBox({
      title: 'Inspect MCP Server',
      prompt: "The MCP server's endpoint (Streamable HTTP, or the older transport's SSE URL)",
      placeHolder: 'http://127.0.0.1:3000/mcp',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? undefined : urlProblem(v.trim())),
    }),
  header: (added) =>
    vscode.window.showInputBox({
      title: `Inspect MCP Server: headers${added.length ? ` (${added.length} added: ${added.join(', ')})` : ''}`,
      prompt: 'A header as Name: value (${secret:NAME} keeps a credential out of settings), or press Enter with nothing to connect',
      placeHolder: 'Authorization: Bearer ${secret:mcpToken}',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' || HEADER.test(v.trim()) ? undefined : 'Write a header as Name: value'),
    }),
};

function urlProblem(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) {
    return 'An MCP server is reached over http:// or https://';
  }
  return checkUrl(url);
}

/** Realtime: Inspect MCP Server: an MCP session (`kind: "mcp"`) in a panel with its MCP view. */
export class McpCommands {
  /** Overridable for tests. */
  prompts: McpPrompts = inputBoxes;

  constructor(private readonly connection: ConnectionCommands) {}

  /**
   * `arg`: a URL, or `{ url, headers }`, from whoever ran the command (connects as `external`, so a
   * `${secret:…}` it would send asks first); none asks for the URL, then headers one by one.
   */
  async inspectMcpServerCommand(
    arg?: string | { url: string; headers?: Record<string, string> },
    options?: ConnectOptions,
  ): Promise<Session | undefined> {
    if (arg !== undefined) {
      const config: SessionConfig =
        typeof arg === 'string'
          ? { url: arg, kind: 'mcp' }
          : { url: String(arg.url), kind: 'mcp', ...(arg.headers ? { headers: { ...arg.headers } } : {}) };
      const problem = urlProblem(config.url);
      if (problem) {
        throw new Error(problem);
      }
      return this.connection.connectConfig(config, 'external', options);
    }
    const url = (await this.prompts.url())?.trim();
    if (!url) {
      return undefined;
    }
    const problem = urlProblem(url);
    if (problem) {
      throw new Error(problem);
    }
    const headers: Record<string, string> = {};
    for (;;) {
      const line = await this.prompts.header(Object.keys(headers));
      if (line === undefined) {
        return undefined;
      }
      if (line.trim() === '') {
        break;
      }
      const m = HEADER.exec(line.trim());
      if (!m) {
        throw new Error(`"${line}" is not a header (write it as Name: value)`);
      }
      headers[m[1]] = m[2];
    }
    return this.connection.connectConfig({ url, kind: 'mcp', ...(Object.keys(headers).length ? { headers } : {}) }, 'adhoc', options);
  }
}
