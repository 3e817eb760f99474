// Over 400 lines: the one record type, every kind's shape in one place, as the log, the export and the CLI share it.
/**
 * The one record type. Everything a connection shows — a message, a comment, a state change, an
 * error — is a {@link ConnRecord}. The panel's log, the NDJSON export and the CLI's `--json` output
 * are these records, serialised by {@link serializeRecord}.
 */

export type TransportKind = 'sse' | 'ws';

/** The connection state machine shared by both transports. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed' | 'reconnecting' | 'failed';

export type Direction = 'in' | 'out' | 'system';

/** Stable error codes, for scripts and tests to match on (the message is for people). */
export type ErrorCode =
  | 'ERR_NETWORK' // connection refused, reset, DNS failure…
  | 'ERR_DNS'
  | 'ERR_TIMEOUT' // connect / handshake / keep-alive timeout
  | 'ERR_TLS' // certificate rejected, handshake failed
  | 'ERR_HTTP_STATUS' // non-2xx response (SSE) or refused upgrade (WS)
  | 'ERR_CONTENT_TYPE' // SSE response is not text/event-stream
  | 'ERR_REDIRECT' // too many redirects, redirect loop, bad Location
  | 'ERR_BUFFER_LIMIT' // SSE line/event larger than the configured buffer
  | 'ERR_PROTOCOL' // WS protocol error (1002), invalid frame; an answer that is not valid HTTP
  | 'ERR_INVALID_UTF8' // WS text frame with invalid UTF-8 (1007)
  | 'ERR_PAYLOAD_TOO_BIG' // WS message over maxPayload (1009)
  | 'ERR_PROXY'
  | 'ERR_RETRIES_EXHAUSTED'
  | 'ERR_INVALID_URL'
  | 'ERR_SEND' // could not send (not open, invalid JSON…)
  | 'ERR_FILE'
  | 'ERR_INTERNAL';

export type Headers = Record<string, string>;

interface RecordBase {
  /** Per connection, from 1, never reused — also across reconnects. */
  seq: number;
  /** ISO-8601 with milliseconds, when the record was made. */
  time: string;
  /** Present when this record is a state transition: the state entered. */
  state?: ConnectionState;
}

/** → connecting: a request (SSE) or handshake (WS) is on its way. Headers are already redacted. */
export interface ConnectingRecord extends RecordBase {
  kind: 'connecting';
  url: string;
  method?: string;
  headers: Headers;
  /** 0 for the first connection, then the reconnect attempt number. */
  attempt: number;
  lastEventId?: string;
  protocols?: string[];
}

/** → open. SSE: `status` and `headers`; WS: `protocol`, `extensions` and the upgrade's `headers`. */
export interface OpenRecord extends RecordBase {
  kind: 'open';
  url: string;
  status?: number;
  statusText?: string;
  headers: Headers;
  /** WS: the upgrade request's headers as sent (Sec-WebSocket-Key, Host and the rest with the user's), masked. */
  requestHeaders?: Headers;
  protocol?: string;
  extensions?: string;
}

/**
 * A data message. SSE: `event` (type, "message" when unset), `data`, `id` (the event's own id field,
 * when it had one) and `lastEventId` (in force after it). WS: `dir`, `format`, `data` (UTF-8 text, or
 * base64 for binary) and `size` in bytes on the wire before decoding.
 */
export interface MessageRecord extends RecordBase {
  kind: 'message';
  dir: 'in' | 'out';
  format: 'text' | 'binary';
  data: string;
  size: number;
  event?: string;
  id?: string;
  lastEventId?: string;
  /** Set by the store when `size` is over the display limit: views show a preview, the data is whole. */
  large?: boolean;
  /** The frame as a protocol adapter read it (`src/core/adapters/`); `data` stays the raw frame. */
  decoded?: Decoded;
  /** WebSocket, received: the message came in this many frames (a first frame and continuation frames); absent for one. */
  fragments?: number;
  /** WebSocket, received: the message came compressed (permessage-deflate, RSV1 set); its payload bytes on the wire (`size` is inflated). */
  wireSize?: number;
}

/** The protocols the WebSocket adapters speak. */
export type AdapterName = 'socket.io' | 'graphql-ws' | 'stomp' | 'mqtt' | 'json-rpc' | 'signalr';

/**
 * A message as its protocol reads it. The common fields are `protocol` and `type` (the protocol's own
 * packet or frame type, lower case); each protocol adds its own (Socket.IO `namespace`, `event`,
 * `args`, `ackId`; GraphQL `id`, `payload`; STOMP `command`, `headers`, `body`; MQTT `topic`, `qos`,
 * `retain`, `payload`, `packetId`; JSON-RPC `id`, `method`, `params`, `result`, `error`, `latencyMs`;
 * SignalR `target`, `arguments`, `invocationId`).
 */
export interface Decoded {
  protocol: AdapterName;
  type: string;
  /** Keep-alive traffic: shown, not counted toward the CLI's `--count`, hidden by the panel's default filter. */
  keepAlive?: true;
  /**
   * With `type: 'invalid'`: the frame did not parse as the protocol, why in words (the record is kept
   * as it arrived). A JSON-RPC error response carries its error object here instead (`type: 'error'`).
   */
  error?: unknown;
  /**
   * A piece of a message that spans several frames (a Socket.IO event's binary attachments): the record
   * of the frame that completes it carries the whole message. Shown, not counted toward `--count`.
   */
  partial?: true;
  /**
   * One of several protocol messages one frame carried (a JSON-RPC batch, SignalR records, MQTT
   * packets): each is a record of its own, `data` the whole frame.
   */
  part?: { index: number; count: number };
  /** What the log's type column shows beside the type: the event, target, method, topic or destination. */
  label?: string;
  [field: string]: unknown;
}

/** SSE comment line (`: ping`), shown because heartbeats matter. */
export interface CommentRecord extends RecordBase {
  kind: 'comment';
  text: string;
}

/** SSE `retry:` field: the reconnection time in force from now on. */
export interface RetryRecord extends RecordBase {
  kind: 'retry';
  ms: number;
  /** The server asked for more than the maximum (`MAX_RECONNECT_MS`): `ms` is that maximum. */
  clamped?: true;
}

/** WS ping or pong, either direction. `data` is base64. `auto` marks the pong `ws` sends by itself. */
export interface PingPongRecord extends RecordBase {
  kind: 'ping' | 'pong';
  dir: 'in' | 'out';
  data: string;
  size: number;
  auto?: boolean;
  /** A pong answering one of our pings (keep-alive or manual): ms from that ping to this pong. */
  rttMs?: number;
}

/** → reconnecting: the next attempt and the delay in force. */
export interface ReconnectingRecord extends RecordBase {
  kind: 'reconnecting';
  attempt: number;
  delayMs: number;
  /** null when unlimited. */
  maxAttempts: number | null;
}

/** → closing: the client asked to close (WS closing handshake in progress). */
export interface ClosingRecord extends RecordBase {
  kind: 'closing';
  code?: number;
  reason?: string;
}

/**
 * → closed. WS: `code`, `reason`, `clean` (a close frame was exchanged; 1006 when none came).
 * SSE: `clean` when the server ended the response normally.
 */
export interface CloseRecord extends RecordBase {
  kind: 'close';
  code?: number;
  reason?: string;
  clean: boolean;
  by: 'client' | 'server' | 'network';
}

/**
 * Something went wrong. `fatal` errors end the connection (`state: 'failed'`); others are followed by
 * a reconnect. When the server refused with HTTP: `status`, `statusText`, `headers` and a size-capped `body`.
 */
export interface ErrorRecord extends RecordBase {
  kind: 'error';
  code: ErrorCode;
  message: string;
  fatal: boolean;
  status?: number;
  statusText?: string;
  headers?: Headers;
  body?: string;
  bodyTruncated?: boolean;
  /** WS close code the error maps to (1002, 1007, 1009…), when there is one. */
  closeCode?: number;
}

/** A note from the client itself: redirect followed, auto-retry switched, store cleared… */
export interface InfoRecord extends RecordBase {
  kind: 'info';
  message: string;
}

/**
 * A stream contract's rule, settled (a profile's `expect`): `atMs` after the stream opened,
 * `decidedBy` the seq of the record that decided it (the message that matched or broke it).
 */
export interface AssertionRecord extends RecordBase {
  kind: 'assertion';
  profile: string;
  rule: string;
  ok: boolean;
  detail: string;
  atMs: number;
  decidedBy?: number;
}

/** The end of a contract's run: how many rules passed and failed, and how long it took. */
export interface SummaryRecord extends RecordBase {
  kind: 'summary';
  profile: string;
  passed: number;
  failed: number;
  durationMs: number;
}

/** How many tokens a model response used, as the server reported them. */
export interface LlmUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens?: number;
  /** Output tokens spent on reasoning/thinking, when the provider says. */
  reasoningTokens?: number;
}

/** A tool call of a model response: its arguments joined from their fragments and parsed as JSON. */
export interface LlmToolCall {
  id: string;
  name: string;
  /** The parsed arguments; the joined text itself when it is not JSON (then `argumentsError` says why). */
  arguments: unknown;
  argumentsError?: string;
}

export type LlmProvider = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/**
 * One model response read from a stream (the LLM lens, `src/core/llm/`), after its last event: the
 * joined text, reasoning apart, tool calls, finish reason, usage, time to first token (the request to
 * the first content delta) and output tokens per second (from usage, else counted deltas: `estimated`).
 * `complete: false` with `incomplete` saying why when the stream stopped early or sent an error.
 */
export interface LlmRecord extends RecordBase {
  kind: 'llm';
  provider: LlmProvider;
  text: string;
  reasoning?: string;
  toolCalls: LlmToolCall[];
  finishReason: string | null;
  usage: LlmUsage;
  ttftMs: number | null;
  outputTokensPerSec: number | null;
  estimated: boolean;
  complete: boolean;
  incomplete?: string;
  /** Errors the server sent mid-stream (`event: error`, Anthropic `overloaded_error`). */
  errors?: { type: string; message: string; seq: number }[];
  /** Events that could not be read (not JSON, unknown type…): kept in the log as they arrived. */
  problems?: string[];
  model?: string;
  responseId?: string;
  /** How many events made it, and the seqs of the first and last. */
  events: number;
  firstSeq: number;
  lastSeq: number;
}

/**
 * SSE continuity across reconnects (`src/core/continuity.ts`), once a stream's ids form a sequence:
 * `resumed` (the first event after a resume follows the Last-Event-ID sent), `gap` (`missing` events
 * skipped), `duplicate` (`duplicates` events sent again), `restarted` (the server started over after a
 * resume was asked). `lastEventId` is the id it is judged against (sent, or the event before); `basis`
 * says on what the finding rests.
 */
export interface ContinuityRecord extends RecordBase {
  kind: 'continuity';
  status: 'resumed' | 'gap' | 'duplicate' | 'restarted';
  lastEventId: string;
  id: string;
  missing: number;
  duplicates: number;
  basis: string;
}

/** No message in either direction for `ms` (over the silence setting): marked before the message that ended it. */
export interface SilenceRecord extends RecordBase {
  kind: 'silence';
  ms: number;
}

/**
 * An MCP session's step (`src/core/mcp/`): `initialized` (what the server chose in `initialize`), a
 * list it returned (`tools`, `resources`, `prompts`, every page joined in `items`), the result of a
 * call (`result`: a tool call, a resource read or a prompt get, with `isError` when the tool failed),
 * or `expired` (the server forgot the session: 404; initialize again).
 */
export interface McpRecord extends RecordBase {
  kind: 'mcp';
  event: 'initialized' | 'tools' | 'resources' | 'prompts' | 'result' | 'expired';
  sessionId?: string;
  protocolVersion?: string;
  serverInfo?: Record<string, unknown>;
  capabilities?: Record<string, unknown>;
  /** The server's `instructions`, when `initialize` gave some. */
  instructions?: string;
  /** The transport the session speaks: `streamable-http` or the older `sse` (protocol 2024-11-05). */
  transport?: 'streamable-http' | 'sse';
  items?: unknown[];
  /** `result`: what was asked (`tools/call`, `resources/read`, `prompts/get`) and of what (tool name, URI, prompt name). */
  method?: string;
  name?: string;
  result?: unknown;
  isError?: boolean;
}

export type ConnRecord =
  | ConnectingRecord
  | OpenRecord
  | MessageRecord
  | CommentRecord
  | RetryRecord
  | PingPongRecord
  | ReconnectingRecord
  | ClosingRecord
  | CloseRecord
  | ErrorRecord
  | InfoRecord
  | AssertionRecord
  | SummaryRecord
  | LlmRecord
  | ContinuityRecord
  | SilenceRecord
  | McpRecord;

export type RecordKind = ConnRecord['kind'];

/** A record before the connection stamps `seq` and `time` on it. */
export type RecordInit = ConnRecord extends infer R ? (R extends ConnRecord ? Omit<R, 'seq' | 'time'> : never) : never;

export interface ConnectionStats {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  records: number;
}

/** A snapshot of where a connection stands, for badges, trees and status bars. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** ms since epoch when `state` was entered. */
  since: number;
  autoRetry: boolean;
  /** Current reconnect attempt (0 when not reconnecting). */
  attempt: number;
  maxAttempts: number | null;
  /** When reconnecting: ms since epoch of the next attempt, and the delay drawn. */
  nextAttemptAt?: number;
  delayMs?: number;
  /** The base reconnect delay in force (the SSE server's `retry:` when it sent one, then also the least any reconnect waits). */
  reconnectDelayMs: number;
  lastClose?: { code?: number; reason?: string; clean: boolean };
  lastError?: { code: string; message: string; status?: number; statusText?: string };
  /**
   * Closed or failed: why no reconnect was made although auto-retry is on (SSE: the server ended a
   * POST stream, a POST is not retried after a network failure…). The same words as the `info` record.
   */
  notReconnected?: string;
  details: Record<string, unknown>;
}

/** SSE: the request last sent (after redirects, credentials dropped where they were). */
export interface SseRequestInfo {
  method: string;
  url: string;
  headers: Headers;
}

/** SSE: the response last received (also a refusal's). */
export interface SseResponseInfo {
  status: number;
  statusText: string;
  headers: Headers;
}

/** What the SSE driver keeps across attempts, as the connection's status and the panel's details pane show it. */
export type SseDetails = {
  /** The last event ID string in force ('' for none): sent as Last-Event-ID on the next request. */
  lastEventId: string;
  /** The server's `retry:` in force, as it sent it, if it sent one. */
  retryMs?: number;
  request?: SseRequestInfo;
  response?: SseResponseInfo;
};

/** What the last WebSocket handshake negotiated. */
export type WsDetails = {
  protocol: string;
  extensions: string;
  offeredProtocols: string[];
  url: string;
  /** The headers the last upgrade request carried, refused or not (masked); the user's before any request. */
  requestHeaders: Headers;
  responseHeaders: Headers;
};

/** The one serialisation: one line of JSON, no trailing newline. */
export function serializeRecord(record: ConnRecord): string {
  return JSON.stringify(record);
}

/** True for the records `--count` counts: SSE events and WS messages received. */
export function isIncomingData(record: ConnRecord): boolean {
  return record.kind === 'message' && record.dir === 'in';
}
