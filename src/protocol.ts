// Over 400 lines: the one host ↔ webview protocol is kept in one type-only file, so both sides read every message in one place.
/**
 * The one message protocol between the extension host and the inspector panel's webview.
 * Type-only: both bundles import it, neither gets code from it. Two unions keyed by `type`:
 * host → webview notifications and replies, webview → host commands and requests.
 */
import type { RecordBatch } from './core/batchFormat';
import type { ConnRecord, ConnectionStats, ConnectionStatus, TransportKind } from './core/records';
import type { RuleState, RuleStatus } from './core/contracts/ruleState';
import type { AdapterName } from './core/records';

/**
 * A send verb of a protocol adapter as the send box shows it: the core's `AdapterVerb`
 * (`core/adapters/adapter.ts`, which names Node types the webview cannot), written out field for field.
 * `Session.adapterView` assigns the core's verbs to it, so the two cannot drift apart unnoticed.
 */
export interface AdapterVerb {
  name: string;
  label: string;
  fields: readonly AdapterField[];
}

export interface AdapterField {
  name: string;
  label: string;
  kind: 'text' | 'multiline' | 'json' | 'number' | 'boolean' | 'choice';
  optional?: boolean;
  choices?: readonly string[];
  placeholder?: string;
}

/** The protocol adapter the session's connection speaks through: the send box offers its verbs. */
export interface AdapterView {
  name: AdapterName;
  verbs: readonly AdapterVerb[];
}

// The batch format (its types, constants, packing and unpacking) is its own module, which the
// webview imports too; its type is named here with the messages that carry it.
export type { RecordBatch } from './core/batchFormat';

// Re-exported so the webview can name record types while importing nothing else from src/.
export type {
  ConnRecord,
  ContinuityRecord,
  LlmRecord,
  ConnectionState,
  ConnectionStats,
  ConnectionStatus,
  Direction,
  Decoded,
  MessageRecord,
  RecordKind,
  TransportKind,
} from './core/records';

/** One header line in the request bar. Values are as the user wrote them (`${secret:NAME}` unresolved). */
export interface HeaderEntry {
  name: string;
  value: string;
  enabled: boolean;
}

/** What the panel's request bar edits. Never holds resolved secrets. */
export interface EditableConfig {
  url: string;
  /** `mcp`: an MCP server, inspected as an MCP session (the panel's MCP view). */
  kind: TransportKind | 'auto' | 'mcp';
  headers: HeaderEntry[];
  /** SSE only. */
  method: string;
  /** SSE only. */
  body: string;
  /** WS only. */
  protocols: string[];
  /** Name of the saved profile this came from, if any. */
  profile?: string;
  /** The protocol adapter the connection speaks through (not edited in the bar): it connects over a WebSocket, also for an http:// URL. */
  adapter?: AdapterName;
}

/** Display settings the host passes on (from `realtimeInspector.*`). */
export interface ViewSettings {
  /** Bytes of a message shown in full before the view shows a preview and a "load whole" action. */
  displayLimit: number;
  timestampFormat: 'time' | 'iso' | 'relative';
}

/** SSE-only details the panel shows in its details pane: the connection's, as core types them. */
export type { SseDetails } from './core/records';
import type { SseDetails } from './core/records';

// ---------- host → webview ----------

/** Everything the panel needs to (re)build itself: sent on `ready`, after reloads and re-shows. */
export interface InitMessage {
  type: 'init';
  connectionId: string;
  config: EditableConfig;
  status: ConnectionStatus;
  stats: ConnectionStats;
  settings: ViewSettings;
  /** The host store's records (oldest first), large messages cut to a preview. */
  records: RecordBatch;
  /** Records the host's store has evicted. */
  dropped: number;
  sse?: SseDetails;
  /**
   * The view a panel of this connection last reported (`viewState`), for a new panel to take up: the
   * one that comes when the panel is reopened. Opaque to the host.
   */
  view?: WebviewPersistedState;
  /** A recording shown read-only (Open Recording): its file's name. The panel offers no connect or send. */
  recording?: string;
  /** The connection's protocol adapter, when it has one (also in every `status`). */
  adapter?: AdapterView;
  /** Sent rows that came from a saved message: `[seq, message name]` (later ones come in `origins`). */
  origins?: [number, string][];
  /** The send box's repeat, when one runs or has just ended (later changes come in `repeat`). */
  repeat?: RepeatView;
  /** The profile's send history across sessions (oldest first, secrets masked); undefined without a saved profile. */
  history?: string[];
  /** The profile's saved messages the send box's picker lists (also in every `config`). */
  savedMessages?: SavedMessageView[];
}

/** A saved message as the send box's picker lists it: its body as written in settings (`${secret:}` unresolved). */
export interface SavedMessageView {
  name: string;
  mode: SendMode;
  /** For `binary`: the body is base64. */
  encoding?: 'base64';
  text: string;
  /** A protocol verb's message: the verb, and its fields as its form holds them (JSON as text, booleans as booleans). */
  verb?: string;
  fields?: Record<string, string | boolean>;
}

/** A batch of new records: at most one per frame, whatever the network rate. */
export interface RecordsMessage {
  type: 'records';
  records: RecordBatch;
  stats: ConnectionStats;
  dropped: number;
}

export interface StatusMessage {
  type: 'status';
  status: ConnectionStatus;
  sse?: SseDetails;
  /** The connection's protocol adapter (undefined: none, the send box sends raw frames only). */
  adapter?: AdapterView;
}

export interface ConfigMessage {
  type: 'config';
  config: EditableConfig;
  savedMessages?: SavedMessageView[];
}

export interface ClearedMessage {
  type: 'cleared';
}

/** Reply to {@link GetFullRequest} (same `requestId`): the whole record, or `undefined` when the store has evicted it. */
export interface FullRecordMessage {
  type: 'fullRecord';
  requestId: number;
  record: ConnRecord | undefined;
}

/** Bytes of the SSE stream as received (newest last), for the raw view. Bounded by the host. */
export interface RawMessage {
  type: 'raw';
  /** Text with the bytes decoded as UTF-8 (invalid sequences as U+FFFD). */
  text: string;
  /** True when this replaces what the view has (first send, or after the host trimmed it). */
  reset: boolean;
}

/** Reply to a send/sendFile/ping/close (same `requestId`): errors are shown next to the send box. */
export interface SendResultMessage {
  type: 'sendResult';
  requestId: number;
  ok: boolean;
  error?: string;
}

/** A short message for the user shown in the panel (export saved, profile saved, …). */
export interface NoticeMessage {
  type: 'notice';
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** One rule of the session's contract as the Checks strip shows it (the core's own type; its text quotes server data: text only). */
export type { RuleState, RuleStatus };

/** A run of the session's `expect` rules, for the Checks strip. */
export interface ChecksView {
  /** The profile whose `expect` runs. */
  profile: string;
  /** Every rule, in the order of the contract (`ruleNames`). */
  rules: RuleState[];
  /** False once the run finished (every rule settled, the timeout, or the connection ended for good). */
  running: boolean;
  /** Run time when the host posted this (ms since the run started); the strip counts on from there while running. */
  elapsedMs: number;
  timeoutMs: number;
  /** Once finished: the counts and why it ended, in words ("every rule settled", "timed out"…). */
  summary?: { passed: number; failed: number; durationMs: number; end: string };
  /** The `expect` block could not be compiled (nothing runs): the problem in words. */
  problem?: string;
}

/** The session's contract run changed (or went away: `checks` undefined hides the strip). Sent after `init` too. */
export interface ChecksMessage {
  type: 'checks';
  checks: ChecksView | undefined;
}

/** Sent rows that came from a saved message (Send Saved Message, Save as Message on a sent row). */
export interface OriginsMessage {
  type: 'origins';
  entries: [number, string][];
}

/** A periodic send on the session's connection, as the panel's header shows it. */
export interface RepeatView {
  /** What repeats, in words ("the send box's message", "saved message \"hello\""). */
  what: string;
  running: boolean;
  /** Waiting for the connection to open again (resume after reconnect was asked for). */
  waiting: boolean;
  sent: number;
  times?: number;
  everyMs: number;
  /** Why it stopped, in words, once it has. */
  stopped?: string;
}

/** The repeat started, sent, stopped, or went away (`repeat` undefined). */
export interface RepeatMessage {
  type: 'repeat';
  repeat: RepeatView | undefined;
}

/** Reply to {@link McpCallRequest} (same `requestId`): the call's result (masked as the records are), or its failure in words. */
export interface McpResultMessage {
  type: 'mcpResult';
  requestId: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type ToWebviewMessage =
  | InitMessage
  | RecordsMessage
  | StatusMessage
  | ConfigMessage
  | ClearedMessage
  | FullRecordMessage
  | RawMessage
  | SendResultMessage
  | NoticeMessage
  | ChecksMessage
  | OriginsMessage
  | RepeatMessage
  | McpResultMessage;

// ---------- webview → host ----------

/** The webview has loaded and wants an `init`. */
export interface ReadyCommand {
  type: 'ready';
}

/** Connect, after applying the request bar's edits when `config` is given. */
export interface ConnectCommand {
  type: 'connect';
  config?: EditableConfig;
}

export interface DisconnectCommand {
  type: 'disconnect';
}

export interface ReconnectCommand {
  type: 'reconnectNow';
}

export interface SetAutoRetryCommand {
  type: 'setAutoRetry';
  on: boolean;
}

export interface ClearCommand {
  type: 'clear';
}

export interface ExportCommand {
  type: 'export';
}

/** Serve the log as a local mock (the host asks speed, loop and drop-after). */
export interface ServeAsMockCommand {
  type: 'serveAsMock';
}

export interface SaveProfileCommand {
  type: 'saveProfile';
  config: EditableConfig;
}

export type SendMode = 'text' | 'json' | 'binary';

export interface SendRequest {
  type: 'send';
  requestId: number;
  mode: SendMode;
  /** For `binary`: how `data` is written. */
  encoding?: 'hex' | 'base64';
  data: string;
  /** The saved message `data` is, unchanged, when it was picked from the send box's list: the row names it. */
  saved?: string;
}

/** A send through one of the connection's protocol verbs (`AdapterView.verbs`): Socket.IO emit, GraphQL subscribe… */
export interface AdapterSendRequest {
  type: 'adapterSend';
  requestId: number;
  verb: string;
  fields: Record<string, unknown>;
}

/** Send a binary frame read from a file the host asks the user for. */
export interface SendFileRequest {
  type: 'sendFile';
  requestId: number;
}

export interface PingRequest {
  type: 'ping';
  requestId: number;
  /** Optional payload as text (UTF-8), at most 125 bytes. */
  data?: string;
}

export interface CloseRequest {
  type: 'close';
  requestId: number;
  code: number;
  reason: string;
}

/** Ask for the whole record behind a preview. */
export interface GetFullRequest {
  type: 'getFull';
  requestId: number;
  seq: number;
}

/** Turn the SSE raw view's feed on or off. */
export interface SetRawCommand {
  type: 'setRaw';
  on: boolean;
}

/**
 * What the view looks like now (the state it also keeps with `setState`): the host keeps the last one
 * of each connection in memory, so a panel closed and reopened comes back as it was.
 */
export interface ViewStateCommand {
  type: 'viewState';
  state: WebviewPersistedState;
}

/** Put text on the clipboard through the host (the webview's own clipboard access is unreliable). */
export interface CopyCommand {
  type: 'copy';
  text: string;
}

/** Run the profile's checks again, on a fresh connection (the Checks strip's Run again). */
export interface RunChecksCommand {
  type: 'runChecks';
}

/** Open VS Code's diff editor with two messages of the log (Ctrl/Cmd+click selects the second row). */
export interface CompareCommand {
  type: 'compare';
  seqs: [number, number];
}

/** A message as the send box holds it: what Save as Message and Repeat take. */
export interface SendBoxMessage {
  mode: SendMode;
  /** For `binary`: how `data` is written. */
  encoding?: 'hex' | 'base64';
  data: string;
  /** The saved message `data` is, unchanged, when it was picked from the send box's list. */
  saved?: string;
}

/** Save as Message: the send box's message (`message`) or a sent row's (`seq`) into the profile's `messages` (the host asks the name). */
export interface SaveMessageCommand {
  type: 'saveMessage';
  seq?: number;
  message?: SendBoxMessage;
}

/** Sends the send box's message every `everyMs`, `times` times or until stopped (the host's periodic sender). */
export interface RepeatRequest extends SendBoxMessage {
  type: 'repeat';
  requestId: number;
  everyMs: number;
  times?: number;
  /** Go on after a reconnect (a fresh schedule from the new open); by default a repeat ends with its connection. */
  resumeAfterReconnect?: boolean;
}

export interface StopRepeatCommand {
  type: 'stopRepeat';
}

/** What the MCP view asks of the server. */
export type McpCallMethod = 'tools/call' | 'resources/read' | 'prompts/get';

/** A call from the MCP view: a tool with its arguments, a resource by URI (`name`), a prompt with its arguments. */
export interface McpCallRequest {
  type: 'mcpCall';
  requestId: number;
  method: McpCallMethod;
  /** The tool's or prompt's name, or the resource's URI. */
  name: string;
  args: Record<string, unknown>;
}

export type FromWebviewMessage =
  | ReadyCommand
  | ConnectCommand
  | DisconnectCommand
  | ReconnectCommand
  | SetAutoRetryCommand
  | ClearCommand
  | ExportCommand
  | ServeAsMockCommand
  | SaveProfileCommand
  | SendRequest
  | AdapterSendRequest
  | SendFileRequest
  | PingRequest
  | CloseRequest
  | GetFullRequest
  | SetRawCommand
  | ViewStateCommand
  | CopyCommand
  | RunChecksCommand
  | CompareCommand
  | SaveMessageCommand
  | RepeatRequest
  | StopRepeatCommand
  | McpCallRequest;

// ---------- requests and their replies ----------

/**
 * The webview's messages that the host answers, each with the reply it gets. A request carries a
 * `requestId` the webview chose; the reply carries the same id (webview/requests.ts matches them).
 */
export interface RepliesTo {
  send: SendResultMessage;
  adapterSend: SendResultMessage;
  sendFile: SendResultMessage;
  ping: SendResultMessage;
  close: SendResultMessage;
  getFull: FullRecordMessage;
  repeat: SendResultMessage;
  mcpCall: McpResultMessage;
}

export type WebviewRequest =
  SendRequest | AdapterSendRequest | SendFileRequest | PingRequest | CloseRequest | GetFullRequest | RepeatRequest | McpCallRequest;
export type HostReply = RepliesTo[WebviewRequest['type']];
/** A request as its sender writes it: the request/reply helper adds `type` and `requestId`. */
export type RequestBody<T extends WebviewRequest['type']> = Omit<Extract<WebviewRequest, { type: T }>, 'type' | 'requestId'>;
/** A reply as the host writes it: the request's id is added from the request. */
export type ReplyBody<T extends WebviewRequest['type']> = Omit<RepliesTo[T], 'requestId'>;

/** State the webview keeps through `vscode.setState` (restored with the panel by the serializer). */
export interface WebviewPersistedState {
  connectionId: string;
  config: EditableConfig;
  filter?: string;
}
