/**
 * `ReplayServer`: a recorded connection served back as a local mock, SSE or WebSocket as it was
 * recorded, at the recorded path. Every client gets its own replay from the start (or, SSE, from its
 * Last-Event-ID). The CLI's `replay` runs one; the editor can run several, one per recording.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { Disposable, Emitter, type IDisposable, toDisposable } from '../lifecycle';
import type { RecordedConnection } from './items';
import type { ReplayEnd, ReplaySettings } from './pace';
import { replayableHeaders, SseReplay } from './sseReplay';
import { WsReplay } from './wsReplay';

export interface ReplayServerOptions extends Partial<ReplaySettings> {
  /** Default 0: a free port the system picks. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The path served; default the recorded URL's path. */
  path?: string;
}

/** The server could not listen: `code` is the system's (EADDRINUSE…), `message` says what to do. */
export class ReplayListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface ReplayClientStart {
  id: number;
  /** The client's address and port. */
  remote: string;
  /** SSE: the Last-Event-ID it sent, and whether the recording had it (then it resumes after it). */
  lastEventId?: string;
  resumed?: boolean;
}

export interface ReplayClientEnd extends ReplayEnd {
  id: number;
}

/** How long stopping waits for WebSocket clients to answer the close frame before cutting them. */
const CLOSE_GRACE_MS = 1000;

export class ReplayServer extends Disposable {
  private readonly _onDidChangeClients = this._register(new Emitter<number>());
  /** The number of clients being replayed to, whenever it changes. */
  readonly onDidChangeClients = this._onDidChangeClients.event;
  private readonly _onDidConnect = this._register(new Emitter<ReplayClientStart>());
  readonly onDidConnect = this._onDidConnect.event;
  private readonly _onDidDisconnect = this._register(new Emitter<ReplayClientEnd>());
  readonly onDidDisconnect = this._onDidDisconnect.event;

  readonly path: string;
  readonly settings: ReplaySettings;
  private readonly host: string;
  private readonly server: http.Server;
  private readonly wss?: WebSocketServer;
  private readonly replays = new Set<IDisposable>();
  private readonly sockets = new Set<Socket>();
  private nextId = 1;
  private port?: number;

  constructor(
    readonly connection: RecordedConnection,
    private readonly options: ReplayServerOptions = {},
  ) {
    super();
    this.host = options.host ?? '127.0.0.1';
    this.path = options.path ?? recordedPath(connection.url);
    this.settings = { speed: options.speed ?? 1, loop: options.loop ?? false, dropAfter: options.dropAfter, close: options.close };
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    if (connection.kind === 'ws') {
      const protocol = connection.protocol;
      const extra = Object.entries(replayableHeaders(connection.headers)).map(([k, v]) => `${k}: ${v}`);
      this.wss = new WebSocketServer({
        noServer: true,
        perMessageDeflate: false,
        handleProtocols: (offered) => (protocol !== undefined && offered.has(protocol) ? protocol : false),
      });
      this.wss.on('headers', (headers) => headers.push(...extra));
      this.server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head));
    } else {
      this.server.on('upgrade', (_req, socket: Socket) => refuse(socket, 426, 'This replay is an SSE stream, not a WebSocket'));
    }
    this._register(toDisposable(() => this.stopNow()));
  }

  /** The URL clients connect to (after {@link start}). */
  get url(): string {
    if (this.port === undefined) {
      throw new Error('the replay server is not started');
    }
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.connection.kind === 'ws' ? 'ws' : 'http'}://${host}:${this.port}${this.path}`;
  }

  get clients(): number {
    return this.replays.size;
  }

  /** Listens; rejects with a {@link ReplayListenError} saying why when it cannot (port taken…). */
  async start(): Promise<void> {
    const port = this.options.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(new ReplayListenError(listenProblem(err, this.host, port), err.code));
      this.server.once('error', onError);
      this.server.listen(port, this.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops: SSE streams end, WebSocket clients get a 1001 close (cut after a grace period), then the server closes. */
  async close(): Promise<void> {
    const replays = [...this.replays];
    this.replays.clear();
    for (const r of replays) {
      r.dispose();
    }
    if (this.wss && this.wss.clients.size) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const ws of this.wss!.clients) {
            ws.terminate();
          }
          resolve();
        }, CLOSE_GRACE_MS);
        const check = () => {
          if (this.wss!.clients.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        for (const ws of this.wss!.clients) {
          ws.once('close', check);
        }
        check();
      });
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    this.dispose();
  }

  private stopNow(): void {
    for (const r of this.replays) {
      r.dispose();
    }
    this.replays.clear();
    this.wss?.close();
    for (const s of this.sockets) {
      s.destroy();
    }
    this.server.close();
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (pathOf(req) !== this.path) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`This replay serves ${this.path} only.\n`);
      return;
    }
    if (this.connection.kind === 'ws') {
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
      res.end('This replay is a WebSocket: connect with ws://\n');
      return;
    }
    const id = this.nextId++;
    const replay = new SseReplay(this.connection, this.settings, req, res, (end) => this.ended(replay, { id, ...end }));
    this.add(replay);
    void replay.start().then(({ lastEventId, resumed }) => {
      this._onDidConnect.fire({ id, remote: remoteOf(req.socket), ...(lastEventId !== undefined ? { lastEventId, resumed } : {}) });
    });
  }

  private onUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    if (pathOf(req) !== this.path) {
      refuse(socket, 404, `This replay serves ${this.path} only`);
      return;
    }
    this.wss!.handleUpgrade(req, socket, head, (ws) => {
      const id = this.nextId++;
      const replay = new WsReplay(this.connection, this.settings, ws, (end) => this.ended(replay, { id, ...end }));
      this.add(replay);
      this._onDidConnect.fire({ id, remote: remoteOf(socket) });
      replay.start();
    });
  }

  private add(replay: IDisposable): void {
    this.replays.add(replay);
    this._onDidChangeClients.fire(this.replays.size);
  }

  private ended(replay: IDisposable, end: ReplayClientEnd): void {
    this._onDidDisconnect.fire(end);
    if (this.replays.delete(replay)) {
      this._onDidChangeClients.fire(this.replays.size);
    }
  }
}

/** The recorded URL's path ("/" when it has none or cannot be read). */
export function recordedPath(url: string): string {
  try {
    return new URL(url).pathname || '/';
  } catch {
    return '/';
  }
}

function pathOf(req: http.IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://replay').pathname;
  } catch {
    return '';
  }
}

function remoteOf(socket: Socket): string {
  const a = socket.remoteAddress ?? '?';
  return `${a.includes(':') ? `[${a}]` : a}:${socket.remotePort ?? '?'}`;
}

function refuse(socket: Socket, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is taken: another program listens there (choose another with --port, or 0 for any free port)`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this user does not have (choose a port above 1023)`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine (--host)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host ${host} (--host)`;
    default:
      return `cannot listen on ${host}:${port}: ${err.message}`;
  }
}
