/**
 * The protocol adapter contract. An adapter sits between the WebSocket transport and the records: it
 * speaks its protocol (handshake, keep-alive, acks, subscriptions) so the connection lives as the real
 * client's would, and it decodes every frame into the message record's `decoded` object, the raw frame
 * kept as `data`. One adapter module per protocol (`socketio.ts`, `graphqlWs.ts`, `stomp.ts`, `mqtt.ts`,
 * `jsonRpc.ts`, `signalr.ts`) exports one {@link Adapter}; `registry.ts` lists them.
 *
 * Lifecycle: for every WebSocket attempt the transport calls `adapter.begin(host, options)` and gets an
 * {@link AdapterAttempt}; `opened()` after the upgrade (the adapter sends its handshake), `receive()`
 * for each inbound frame, `send()` for each of the user's sends, `closing()` before a close the user
 * asked for, `dispose()` when the attempt is over (every timer it made through the host dies with it).
 */
import type { IDisposable } from '../lifecycle';
import type { AdapterName, Decoded, Headers } from '../records';
import type { FrameReading } from './lazyDecoded';

export type { AdapterName, Decoded } from '../records';

/**
 * An inbound WebSocket frame, as the adapter sees it. The message record keeps `bytes` as they are
 * (nothing writes to them), so a {@link Decoded} may keep a view of them and parse when read.
 */
export interface InboundFrame {
  format: 'text' | 'binary';
  bytes: Buffer;
}

/**
 * What one protocol message of a frame decodes to: its reading, or the shared {@link FrameReading} of
 * its type when the reading is a function of the frame's bytes alone (made from them when asked, so
 * a flood makes no reading per message).
 */
export type FrameDecoded = Decoded | FrameReading;

/** What the adapter may do on its attempt. Calls after the attempt is over are ignored. */
export interface AdapterHost {
  /** Writes a text frame; it is recorded as an outbound message carrying `decoded`. */
  sendText(text: string, decoded: Decoded): void;
  /** Writes a binary frame; it is recorded as an outbound message carrying `decoded`. */
  sendBinary(bytes: Uint8Array, decoded: Decoded): void;
  /** A note in the log (an `info` record), e.g. "joined namespace /chat". */
  note(message: string): void;
  /**
   * The protocol's handshake is done (Socket.IO CONNECT answered, GraphQL `connection_ack`, STOMP
   * CONNECTED, MQTT CONNACK accepted, SignalR handshake response). Until then the user's sends wait
   * (or are refused in words); adapters without a handshake (JSON-RPC) call it from `opened()`.
   */
  ready(): void;
  /**
   * The protocol refused or broke the session (Socket.IO `connect_error`, STOMP ERROR, MQTT CONNACK
   * refusal, SignalR handshake error): the attempt ends with this message as an `ERR_PROTOCOL` error,
   * the socket closed with `closeCode` (default 1000). `retry` says whether the reconnect policy may try again.
   */
  fail(message: string, options: { retry: boolean; closeCode?: number }): void;
  /**
   * The protocol says the session is complete (every GraphQL operation over): the CLI ends with exit 0,
   * or 1 when `failed` (an operation ended with an error), the panel shows it. The socket stays open
   * until the front closes it.
   */
  done(reason: string, options?: { failed?: boolean }): void;
  /** Timers that die with the attempt. */
  setTimeout(fn: () => void, ms: number): IDisposable;
  setInterval(fn: () => void, ms: number): IDisposable;
  /** ms since epoch, the clock the records' times use (tests may fake it). */
  now(): number;
}

/** One user send through the protocol's verbs: `verb` is one of the adapter's {@link AdapterVerb} names. */
export interface AdapterSend {
  verb: string;
  fields: Record<string, unknown>;
}

/** A send verb the panel's send box offers and the CLI maps its flags onto (emit, subscribe, publish…). */
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
  /** Shown in an empty field. */
  placeholder?: string;
}

/** A CLI flag an adapter reads into its options (`--namespace /chat` → `{ namespace: '/chat' }`). */
export interface AdapterFlag {
  flag: `--${string}`;
  option: string;
  /** `json` parses the value (exit 2 with the flag named when it does not); `list` is repeatable. */
  kind: 'string' | 'json' | 'number' | 'boolean' | 'list';
  help: string;
}

/** A problem with an adapter's options, naming the option: profiles and the CLI show it as it is. */
export class AdapterOptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'AdapterOptionError';
  }
}

/** A send the protocol cannot make (bad args, not ready, unknown operation): shown to the user in words. */
export class AdapterSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterSendError';
  }
}

/** What the adapter may need of the connection before the WebSocket exists (SignalR's negotiate). */
export interface PreconnectContext {
  headers: Headers;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface AdapterAttempt extends IDisposable {
  /** The WebSocket is open (`protocol`: the subprotocol the server chose): send the handshake. */
  opened(info: { protocol: string }): void;
  /**
   * An inbound frame: what it decodes to, one entry per protocol message it carries (a JSON-RPC batch,
   * several SignalR messages, several MQTT packets), each becoming a message record. A frame that does
   * not parse is one entry `{ protocol, type: 'invalid', error: 'why' }`. Answers the protocol needs
   * (Engine.IO pong, MQTT PINGREQ…) are sent from here through the host. Never throws. The list is
   * read at once and not kept (an adapter may give the same list again).
   */
  receive(frame: InboundFrame): readonly FrameDecoded[];
  /** A user send. Throws {@link AdapterSendError} with words when it cannot be made. */
  send(input: AdapterSend): void;
  /** The user closes: a graceful goodbye first (MQTT DISCONNECT, STOMP DISCONNECT, Socket.IO disconnect). */
  closing?(): void;
  /**
   * The server closed the socket: the protocol's reading of its close code in words (GraphQL 4400
   * "invalid message", 4401 "unauthorized", 4403 "forbidden"…), which ends the attempt as an
   * `ERR_PROTOCOL` error; undefined when the close says nothing the protocol defines.
   */
  closed?(close: { code: number; reason: string }): { message: string; retry: boolean } | undefined;
}

export interface Adapter<O = Record<string, unknown>> {
  readonly name: AdapterName;
  /** Subprotocols to offer in the upgrade, in order of preference (`v12.stomp`, `mqtt`, `graphql-transport-ws`…). */
  readonly subprotocols: readonly string[];
  /** Validates and normalises options from a profile or the CLI; throws {@link AdapterOptionError}. */
  options(raw: Record<string, unknown>): O;
  /** The WebSocket URL to dial for the URL the user gave (Socket.IO: `http://host` → `ws://host/socket.io/?EIO=4&transport=websocket`). */
  target?(url: string, options: O): string;
  /** An HTTP step before the WebSocket (SignalR negotiate): resolves to the URL to dial. */
  preconnect?(url: string, options: O, context: PreconnectContext): Promise<string>;
  begin(host: AdapterHost, options: O): AdapterAttempt;
  readonly verbs: readonly AdapterVerb[];
  readonly flags: readonly AdapterFlag[];
  /** Whether a URL or an offered/negotiated subprotocol suggests this adapter (the connect flow offers it). */
  suggests?(hint: { url: string; protocol?: string }): boolean;
  /**
   * The CLI's `--send TEXT` as one of this protocol's sends (Socket.IO: `["chat", {...}]` emits `chat`).
   * Throws {@link AdapterSendError} in words when the text is not one. Without it `--send` is a raw frame.
   */
  cliSend?(text: string, options: O): AdapterSend;
  /**
   * Whether the CLI's `--count` counts this inbound message (GraphQL: results only). Default: every
   * message but keep-alive traffic and parts of a message still arriving (`partial`).
   */
  counts?(decoded: Decoded): boolean;
}

/** What `--count` counts by default: an inbound message that is neither keep-alive nor a part still arriving. */
export function countsByDefault(decoded: Decoded | undefined): boolean {
  return !decoded || (!decoded.keepAlive && !decoded.partial);
}
