/** What an MCP session is given and what it fails with, shared by the session, the CLI and the panel. */
import type { ProxyOptions, TlsOptions } from '../options';
import type { Headers } from '../records';

/** The protocol versions this client speaks, newest first: `initialize` offers the first. */
export const MCP_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;

export type McpTransport = 'streamable-http' | 'sse';

/** What a server's request (sampling, elicitation, roots) is answered with: a result or a JSON-RPC error. */
export type ServerRequestAnswer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

export interface McpSessionOptions {
  /** The server's endpoint: Streamable HTTP's one URL, or the older transport's SSE URL (`…/sse`). */
  url: string;
  /** Sent with every request (secrets already resolved; masked in every record). */
  headers?: Headers;
  /** Values that must never appear in records. */
  secrets?: string[];
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  /** `auto` (default) posts to the URL and falls back to the older HTTP+SSE transport on a 4xx, as the SDK's client does. */
  transport?: 'auto' | McpTransport;
  /** Until an answer's headers arrive. Default 30000. */
  timeoutMs?: number;
  /** Until a request's response arrives (an answer stream that never ends). Default 120000. */
  requestTimeoutMs?: number;
  /** Most bytes one JSON answer or one SSE event may hold. Default 64 MiB. */
  maxMessageSize?: number;
  /** Times an answer stream or the GET stream is resumed with Last-Event-ID before giving up. Default 5. */
  maxResumes?: number;
  /** Open the GET stream for server messages after initialize. Default true. */
  getStream?: boolean;
  /** The client's capabilities sent in `initialize` (default none: the server should not ask for sampling and the like). */
  capabilities?: Record<string, unknown>;
  clientInfo?: { name: string; version: string };
  /**
   * Answers a server's request. Undefined (or returning undefined): answered with the JSON-RPC error
   * "not supported by this client" (-32601). `ping` is always answered.
   */
  answerServerRequest?: (method: string, params: unknown) => Promise<ServerRequestAnswer | undefined> | undefined;
  /** The records' clock (tests may fake it). */
  now?: () => number;
}

export type McpFailure =
  /** The network failed or timed out before any answer: exit 3 in the CLI. */
  | 'unreachable'
  /** The server answered with an HTTP error (401, 500…). */
  | 'http'
  /** A JSON-RPC error response. */
  | 'rpc'
  /** The answer was not what the protocol says (not JSON-RPC, a content type it has no use for…). */
  | 'protocol'
  /** The server forgot the session (404): initialize again. */
  | 'expired'
  /** No response within `requestTimeoutMs`. */
  | 'timeout'
  /** The session was closed while the request waited. */
  | 'closed';

/** A step that failed, in words; `error` is a JSON-RPC error object when there was one. */
export class McpError extends Error {
  constructor(
    readonly failure: McpFailure,
    message: string,
    readonly error?: unknown,
  ) {
    super(message);
    this.name = 'McpError';
  }
}
