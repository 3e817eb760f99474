// Over 400 lines: one socket's frames both ways and its close share the attempt's state (handshake, keep-alive and error mapping are split out).
/** One WebSocket attempt: the handshake (wsHandshake.ts), then the open socket's frames both ways and its close. */
import type * as net from 'node:net';
import WebSocket from 'ws';
import type { AdapterSend, FrameDecoded, InboundFrame } from './adapters/adapter';
import { FrameReading } from './adapters/lazyDecoded';
import { AdapterSendError } from './adapters/adapter';
import type { ResolvedAdapter } from './adapters/registry';
import type { ConnectionOptions } from './options';
import type { Redactor } from './redactor';
import { describeNetworkError, headersOf } from './net';
import { DecodedText, plainRecord, ReceivedText } from './receivedText';
import { FrameReader, type FrameFacts } from './wsFrames';
import type { Decoded, Headers, MessageRecord, RecordInit } from './records';
import { AdapterRun, type AdapterSocket } from './wsAdapter';
import type { EndInfo, TransportAttempt, TransportError, TransportSink } from './transport';
import { closeProblem, frameFailure, handshakeFailure, MAX_CLOSE_REASON_BYTES, truncateUtf8 } from './wsErrors';
import { noop, WsHandshake } from './wsHandshake';
import { KeepAlive, PingClock } from './wsKeepAlive';

/** What a handshake that succeeded negotiated. */
export interface Handshaken {
  protocol: string;
  extensions: string;
  url: string;
  responseHeaders: Headers;
}

/** The driver, as its attempt sees it. */
export interface WsAttemptOwner {
  readonly options: ConnectionOptions;
  readonly redactor: Redactor;
  /** The protocol adapter each attempt runs, if any. */
  readonly resolved: ResolvedAdapter | undefined;
  /** The handshake succeeded: what it negotiated is the driver's details from now on. */
  handshaken(result: Handshaken): void;
  /** An upgrade request went out with these headers (masked). */
  requestSent(headers: Headers): void;
  /** `attempt` is over: it is no longer the current one. */
  attemptOver(attempt: WsAttempt): void;
}

const EMPTY = Buffer.alloc(0);

/**
 * Pongs handed to the socket and not yet written. One 64 KiB read can hold 32,768 empty pings, so a
 * burst that size is answered in full; beyond this the peer is not reading what we send and the
 * connection is dropped rather than buffering without bound.
 */
const MAX_PENDING_PONGS = 65_536;

/**
 * Bytes read in one turn of the event loop before reading pauses until the next turn. libuv reads a
 * busy socket up to 32 times (2 MiB) per turn, and `ws` turns all of it into messages at once: a
 * server sending small messages as fast as it can would otherwise block the host for a second at a time.
 */
const YIELD_AFTER_BYTES = 64 * 1024;

function asBuffer(bytes: Uint8Array | undefined): Buffer {
  if (!bytes) {
    return EMPTY;
  }
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** One WebSocket, from handshake to close. Reports to its sink; every timer and listener dies with it. */
export class WsAttempt extends WsHandshake implements TransportAttempt {
  private userClosing = false;
  private sawMessage = false;
  private paused = false;
  private socket: net.Socket | undefined;
  /** Reads the incoming frames' headers ahead of `ws`: how each message came (fragments, compression). */
  private readonly frames = new FrameReader();
  private readonly keepAlive: KeepAlive | undefined;
  /** What went wrong on an open connection (bad frame, reset, dead peer): reported with the close. */
  private failure: TransportError | undefined;
  /** Set when `ws` closed the connection itself over a bad frame: the close code it sent. */
  private frameClose: { code: number; reason: string } | undefined;
  /** Set when keep-alive gave up on the peer. */
  private deadReason: string | undefined;
  /** Set when we dropped the connection ourselves (ping flood): the close's reason. */
  private dropReason: string | undefined;
  private pendingPongs = 0;
  /** Our pings awaiting their pongs: a pong's round-trip time. */
  private readonly pings = new PingClock();
  /** Bytes read in this turn of the event loop, and whether reading paused to let the loop turn. */
  private turnBytes = 0;
  private turnScheduled = false;
  private yielded = false;
  /** The protocol adapter on this attempt, if the connection has one. */
  private readonly run: AdapterRun | undefined;
  /** While the adapter reads an inbound frame: what it sends in answer goes out after the frame's records. */
  private receiving = false;
  private answers: (() => void)[] = [];
  /** The adapter ended the session (its reason, whether to retry): the close that follows carries it. */
  private protocolFailure: { retry: boolean } | undefined;

  constructor(
    private readonly owner: WsAttemptOwner,
    sink: TransportSink,
  ) {
    super(owner.options, owner.redactor, sink);
    const ka = owner.options.keepAlive;
    if (ka && ka.intervalMs > 0 && ka.timeoutMs > 0) {
      this.keepAlive = new KeepAlive(ka, { sendPing: () => this.sendKeepAlivePing(), presumedDead: (ms) => this.presumedDead(ms) });
    }
    if (owner.resolved) {
      this.run = new AdapterRun(owner.resolved, this.adapterSocket);
    }
  }

  /** Starts the handshake; a protocol adapter's HTTP step (SignalR negotiate) first, when it has one. */
  begin(): void {
    const resolved = this.owner.resolved;
    if (!resolved?.adapter.preconnect) {
      super.begin();
      return;
    }
    const abort = new AbortController();
    this.preconnectAbort = abort;
    resolved.adapter
      .preconnect(this.options.url, resolved.options as never, {
        headers: { ...this.options.headers },
        signal: abort.signal,
        timeoutMs: this.timeoutMs,
      })
      .then(
        (url) => {
          this.preconnectAbort = undefined;
          if (!this.over) {
            super.begin(url);
          }
        },
        (err: unknown) => {
          this.preconnectAbort = undefined;
          if (!this.over) {
            const message = err instanceof Error ? err.message : String(err);
            this.end({ error: { code: 'ERR_PROTOCOL', message: this.redactor.text(message) }, retry: true });
          }
        },
      );
  }

  private preconnectAbort: AbortController | undefined;

  /** The adapter's way to the socket. */
  private readonly adapterSocket: AdapterSocket = {
    writeText: (text, decoded) => this.answer(() => this.sendText(text, decoded)),
    writeBinary: (bytes, decoded) => this.answer(() => this.sendBinary(bytes, decoded)),
    record: (init) => this.answer(() => this.sink.record(init)),
    fail: (message, retry, closeCode) => this.answer(() => this.protocolFail(message, retry, closeCode)),
    // After the frame's records too: "every operation completed" follows the `complete` it is about.
    signal: (signal) => this.answer(() => this.sink.adapterSignal?.(signal)),
  };

  /** Runs `write` now, or after the inbound frame's records when the adapter answers a frame. */
  private answer(write: () => void): void {
    if (this.receiving) {
      this.answers.push(write);
    } else {
      write();
    }
  }

  /** The protocol refused or broke the session: close with `closeCode`; the close carries the error. */
  private protocolFail(message: string, retry: boolean, closeCode: number): void {
    const ws = this.ws;
    if (this.over || !ws || this.protocolFailure) {
      return;
    }
    this.protocolFailure = { retry };
    this.failure = { code: 'ERR_PROTOCOL', message };
    this.keepAlive?.stop();
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(closeCode, truncateUtf8(message, MAX_CLOSE_REASON_BYTES));
    } else {
      this.end({ error: this.failure, retry });
    }
  }

  /** A send through the adapter's verbs; throws {@link AdapterSendError} in words. */
  sendAdapter(input: AdapterSend): void {
    if (!this.run) {
      throw new AdapterSendError('This connection has no protocol adapter');
    }
    if (this.over) {
      throw new AdapterSendError('Cannot send: the connection is closed');
    }
    this.run.send(input);
  }

  protected requestSent(headers: Headers): void {
    this.owner.requestSent(headers);
  }

  protected listen(ws: WebSocket): void {
    ws.on('error', this.onError);
    ws.on('open', this.onOpen);
    ws.on('message', this.onMessage);
    ws.on('ping', this.onPing);
    ws.on('pong', this.onPong);
    ws.on('close', this.onClose);
  }

  // ---- TransportAttempt ----

  close(code?: number, reason?: string): void {
    const ws = this.ws;
    if (this.over || !ws) {
      return;
    }
    const problem = closeProblem(code, reason);
    if (problem) {
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `${problem}; closing with 1000 instead`, fatal: false });
      code = 1000;
      reason = reason === undefined ? undefined : truncateUtf8(reason, MAX_CLOSE_REASON_BYTES);
    }
    if (ws.readyState === WebSocket.OPEN) {
      // The protocol's goodbye (Socket.IO disconnect…) before the closing handshake.
      this.run?.closing();
    }
    this.userClosing = true;
    this.keepAlive?.stop();
    if (ws.readyState === WebSocket.CONNECTING) {
      // Nothing to close gracefully yet: the handshake is abandoned.
      this.end({ close: { code: 1006, reason: 'closed before the handshake completed', clean: false, by: 'client' }, retry: false });
      return;
    }
    ws.close(code ?? 1000, reason);
  }

  abort(): void {
    this.teardown();
  }

  pause(): void {
    this.paused = true;
    // A consumer that is not reading cannot see pongs either: keep-alive waits until it reads again.
    this.keepAlive?.cancelDeadline();
    if (this.opened && !this.over) {
      this.ws?.pause();
    }
  }

  resume(): void {
    this.paused = false;
    if (this.opened && !this.over) {
      this.ws?.resume();
    }
  }

  sendText(text: string, decoded?: Decoded): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    try {
      ws.send(text, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    const record: RecordInit = { kind: 'message', dir: 'out', format: 'text', data: text, size: Buffer.byteLength(text) };
    if (decoded) {
      record.decoded = decoded;
    }
    this.sink.record(record);
  }

  sendBinary(bytes: Uint8Array, decoded?: Decoded): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    const buf = asBuffer(bytes);
    // Encoded before sending: the frame is masked from these bytes.
    const data = buf.toString('base64');
    try {
      ws.send(buf, { binary: true }, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    const record: RecordInit = { kind: 'message', dir: 'out', format: 'binary', data, size: buf.length };
    if (decoded) {
      record.decoded = decoded;
    }
    this.sink.record(record);
  }

  ping(bytes?: Uint8Array): void {
    const ws = this.openSocket();
    if (!ws) {
      return;
    }
    const buf = asBuffer(bytes);
    const data = buf.toString('base64');
    try {
      ws.ping(buf, undefined, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return;
    }
    this.pings.sent(data);
    this.sink.record({ kind: 'ping', dir: 'out', data, size: buf.length });
  }

  // ---- ws events ----

  private readonly onOpen = (): void => {
    const ws = this.ws;
    if (this.over || !ws) {
      return;
    }
    this.opened = true;
    this.handshakeTimer.clear();
    const res = this.upgradeRes;
    const headers = res ? headersOf(res.headers) : {};
    const extensions = headers['sec-websocket-extensions'] ?? '';
    this.owner.handshaken({ protocol: ws.protocol, extensions, url: ws.url, responseHeaders: headers });
    this.socket = res?.socket;
    // Ahead of ws's own listener, so a message's frames are read before ws hands the message over.
    // The bytes ws already holds past the handshake are in the socket's buffer until it flows, after this.
    this.socket?.prependListener('data', this.onFrameBytes);
    this.socket?.on('data', this.onSocketData);
    this.upgradeRes = undefined;
    this.sink.opened({
      url: ws.url,
      status: res?.statusCode ?? 101,
      statusText: res?.statusMessage,
      headers,
      requestHeaders: this.sentHeaders,
      protocol: ws.protocol,
      extensions,
    });
    if (this.paused) {
      ws.pause();
    }
    this.keepAlive?.start();
    this.run?.opened(ws.protocol);
  };

  private readonly onFrameBytes = (chunk: Buffer): void => {
    this.frames.feed(chunk);
  };

  private readonly onSocketData = (chunk: Buffer): void => {
    this.sink.bytesIn(chunk.length);
    this.turnBytes += chunk.length;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.nextTurn);
    }
    if (this.turnBytes >= YIELD_AFTER_BYTES && !this.yielded) {
      this.yielded = true;
      this.ws?.pause();
    }
  };

  private readonly nextTurn = (): void => {
    this.turnScheduled = false;
    this.turnBytes = 0;
    if (this.yielded) {
      this.yielded = false;
      // A pause the consumer asked for (back-pressure) stays in force.
      if (!this.over && !this.paused) {
        this.ws?.resume();
      }
    }
  };

  private readonly onMessage = (data: Buffer, isBinary: boolean): void => {
    if (!this.sawMessage) {
      this.sawMessage = true;
      this.sink.healthy();
    }
    const facts = this.frames.next();
    if (this.run) {
      this.receiveDecoded(this.run, data, isBinary, facts);
      return;
    }
    if (facts) {
      // Rare: a plain record with the frames' facts (the store keeps such a message whole).
      this.sink.record(withFrames(messageOf(data, isBinary), facts));
      return;
    }
    // `seq` and `time` are stamped by the connection; declared here, every record keeps one object
    // shape with in-object fields (no property store grown per message, cheaper to serialise). Text
    // stays in bytes until someone reads it: the store keeps bytes, so under a flood none is decoded.
    const record: MessageRecord = isBinary
      ? { kind: 'message', dir: 'in', format: 'binary', data: data.toString('base64'), size: data.length, seq: 0, time: '' }
      : new ReceivedText(data);
    this.sink.record(record);
  };

  /**
   * A frame on an adapter's connection: one record per protocol message it carries, each with its
   * `decoded` and the frame as `data`; then the adapter's answers (Engine.IO pong…) go out.
   */
  private receiveDecoded(run: AdapterRun, data: Buffer, isBinary: boolean, facts: FrameFacts | undefined): void {
    const frame: InboundFrame = { format: isBinary ? 'binary' : 'text', bytes: data };
    this.receiving = true;
    let list: readonly FrameDecoded[];
    try {
      list = run.receive(frame);
    } finally {
      this.receiving = false;
    }
    if (list.length <= 1) {
      const record: MessageRecord = isBinary
        ? {
            kind: 'message',
            dir: 'in',
            format: 'binary',
            data: data.toString('base64'),
            size: data.length,
            seq: 0,
            time: '',
          }
        : list.length
          ? new DecodedText(data, list[0])
          : new ReceivedText(data);
      if (isBinary && list.length) {
        record.decoded = readingOf(list[0], data);
      }
      this.sink.record(facts ? withFrames(plainRecord(record) as MessageRecord, facts) : record);
    } else {
      // Several messages in one frame: each a record, the frame decoded once and shared.
      const text = isBinary ? data.toString('base64') : data.toString();
      for (const entry of list) {
        const decoded = readingOf(entry, data);
        const record: RecordInit = { kind: 'message', dir: 'in', format: frame.format, data: text, size: data.length, decoded };
        this.sink.record(facts ? withFrames(record as MessageRecord, facts) : record);
      }
    }
    if (this.answers.length) {
      const answers = this.answers;
      this.answers = [];
      for (const write of answers) {
        write();
      }
    }
  }

  private readonly onPing = (data: Buffer): void => {
    const b64 = data.toString('base64');
    this.sink.record({ kind: 'ping', dir: 'in', data: b64, size: data.length });
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return;
    }
    if (this.pendingPongs >= MAX_PENDING_PONGS) {
      this.dropReason = 'ping flood: the peer does not read our pongs';
      this.failure ??= {
        code: 'ERR_PROTOCOL',
        message: `Ping flood: ${MAX_PENDING_PONGS} pongs are waiting to be sent, the peer is not reading them; the connection was dropped to keep memory bounded`,
      };
      ws.terminate();
      return;
    }
    this.pendingPongs++;
    try {
      ws.pong(data, undefined, this.onPongSent);
    } catch (err) {
      this.pendingPongs--;
      this.sendFailed(err);
      return;
    }
    this.sink.record({ kind: 'pong', dir: 'out', data: b64, size: data.length, auto: true });
  };

  private readonly onPongSent = (): void => {
    this.pendingPongs--;
  };

  private readonly onPong = (data: Buffer): void => {
    this.keepAlive?.cancelDeadline();
    const b64 = data.toString('base64');
    const rttMs = this.pings.answered(b64);
    this.sink.record(
      rttMs === undefined
        ? { kind: 'pong', dir: 'in', data: b64, size: data.length }
        : { kind: 'pong', dir: 'in', data: b64, size: data.length, rttMs },
    );
  };

  private readonly onError = (err: Error): void => {
    if (this.over || this.refusing) {
      return;
    }
    if (!this.opened) {
      this.end(
        handshakeFailure(err, {
          upgradeRes: this.upgradeRes,
          offeredProtocols: this.options.protocols ?? [],
          proxyUrl: this.proxyUrl,
          target: this.target,
          redactor: this.redactor,
          timeoutError: () => this.timeoutError(),
        }),
      );
      return;
    }
    const frame = frameFailure(err);
    if (frame) {
      this.frameClose = frame.close;
      this.failure ??= frame.error;
      return;
    }
    this.failure ??= describeNetworkError(err, this.target);
  };

  private readonly onClose = (code: number, reasonBuf: Buffer): void => {
    if (this.over) {
      return;
    }
    if (!this.opened) {
      // ws always reports an error before a close during the handshake; this is a backstop.
      this.end({ error: { code: 'ERR_NETWORK', message: 'The connection closed during the WebSocket handshake' }, retry: true });
      return;
    }
    let info: EndInfo;
    if (this.frameClose) {
      // ws stops reading after a bad frame, so the server's answering close frame is never seen.
      info = { close: { ...this.frameClose, clean: false, by: 'client' }, retry: true };
    } else if (code === 1006 && this.dropReason) {
      info = { close: { code: 1006, reason: this.dropReason, clean: false, by: 'client' }, retry: true };
    } else if (code === 1006) {
      info = {
        close: { code: 1006, reason: this.deadReason ?? 'connection lost without a close frame', clean: false, by: 'network' },
        retry: true,
      };
    } else if (this.protocolFailure) {
      const reason = reasonBuf.length ? reasonBuf.toString('utf8') : '';
      info = { close: { code, reason, clean: true, by: 'client' }, retry: this.protocolFailure.retry };
    } else {
      const reason = reasonBuf.length ? reasonBuf.toString('utf8') : '';
      const by = this.userClosing ? 'client' : 'server';
      info = { close: { code, reason, clean: true, by }, retry: !this.userClosing && code !== 1000 };
      const reading = this.userClosing ? undefined : this.run?.closed({ code, reason });
      if (reading) {
        this.failure ??= { code: 'ERR_PROTOCOL', message: reading.message, closeCode: code };
        info.retry = reading.retry;
      }
    }
    // The connection shows the close, then the error: fatal (state failed) unless a reconnect follows.
    if (this.failure && !this.userClosing) {
      info.error = this.failure;
    }
    this.end(info);
  };

  private readonly onSent = (err?: Error | null): void => {
    if (err && !this.over) {
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Send failed: ${err.message}`, fatal: false });
    }
  };

  // ---- helpers ----

  private openSocket(): WebSocket | undefined {
    const ws = this.ws;
    if (this.over || !ws) {
      return undefined;
    }
    if (ws.readyState !== WebSocket.OPEN) {
      const state = ['connecting', 'open', 'closing', 'closed'][ws.readyState];
      this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Cannot send: the WebSocket is ${state}`, fatal: false });
      return undefined;
    }
    return ws;
  }

  private sendFailed(err: unknown): void {
    this.sink.record({ kind: 'error', code: 'ERR_SEND', message: `Send failed: ${(err as Error).message ?? String(err)}`, fatal: false });
  }

  /** A keep-alive ping, recorded; false when none was sent. */
  private sendKeepAlivePing(): boolean {
    const ws = this.ws;
    if (this.over || !ws || ws.readyState !== WebSocket.OPEN || this.paused) {
      return false;
    }
    try {
      ws.ping(EMPTY, undefined, this.onSent);
    } catch (err) {
      this.sendFailed(err);
      return false;
    }
    this.pings.sent('');
    this.sink.record({ kind: 'ping', dir: 'out', data: '', size: 0, auto: true });
    return true;
  }

  private presumedDead(timeoutMs: number): void {
    if (this.over || !this.ws) {
      return;
    }
    this.deadReason = `no pong within ${timeoutMs} ms`;
    this.failure = { code: 'ERR_TIMEOUT', message: `No pong within ${timeoutMs} ms — connection presumed dead` };
    // No closing handshake with a peer that does not answer: the socket goes, 'close' says 1006.
    this.ws.terminate();
  }

  protected end(info: EndInfo): void {
    if (this.over) {
      return;
    }
    this.teardown();
    this.sink.ended(info);
  }

  private teardown(): void {
    if (this.over) {
      return;
    }
    this.over = true;
    this.handshakeTimer.clear();
    this.keepAlive?.stop();
    this.preconnectAbort?.abort();
    this.preconnectAbort = undefined;
    this.answers = [];
    this.run?.dispose();
    this.owner.attemptOver(this);
    this.socket?.removeListener('data', this.onSocketData);
    this.socket?.removeListener('data', this.onFrameBytes);
    this.socket = undefined;
    this.upgradeRes = undefined;
    const ws = this.ws;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', noop);
      if (ws.readyState !== WebSocket.CLOSED) {
        ws.terminate();
      }
    }
    this.agent?.destroy();
    this.agent = undefined;
  }
}

/** The reading of one message of `frame`: made from its bytes when the adapter gave its type's shared reading. */
function readingOf(entry: FrameDecoded, frame: Buffer): Decoded {
  return entry instanceof FrameReading ? entry.read(frame) : entry;
}

/** An incoming message as a plain record (its text decoded). */
function messageOf(data: Buffer, isBinary: boolean): MessageRecord {
  return isBinary
    ? { kind: 'message', dir: 'in', format: 'binary', data: data.toString('base64'), size: data.length, seq: 0, time: '' }
    : { kind: 'message', dir: 'in', format: 'text', data: data.toString('utf8'), size: data.length, seq: 0, time: '' };
}

/** `record` saying how its frames came: several (`fragments`), compressed (`wireSize`, the deflated bytes). */
function withFrames(record: MessageRecord, facts: FrameFacts): MessageRecord {
  if (facts.fragments > 1) {
    record.fragments = facts.fragments;
  }
  if (facts.compressed) {
    record.wireSize = facts.wireSize;
  }
  return record;
}
