/**
 * The editor's mocks: recordings served back by core `ReplayServer`s in the extension host, each on a
 * free port of 127.0.0.1. Owns every server and its open recording; disposing it stops them all (the
 * extension's deactivate). A file it wrote for a session's log (Serve as Mock) is deleted when its mock stops.
 */
import { rm } from 'node:fs/promises';
import { Disposable, Emitter } from '../core/lifecycle';
import { openRecording, RecordingError, type Recording } from '../core/replay/recording';
import { ReplayListenError, ReplayServer } from '../core/replay/server';
import type { RecordedConnection } from '../core/replay/items';
import type { ReplaySettings } from '../core/replay/pace';

/** How a mock replays: Speed (0 = as fast as possible), loop, and drop each client after N messages. */
export type MockSettings = Pick<ReplaySettings, 'speed' | 'loop' | 'dropAfter'>;

export interface MockSource {
  /** The file served. */
  file: string;
  /** What it was recorded from, for the view: the session's label, or the file's name. */
  label: string;
  /** The file is a copy written for this mock (deleted when it stops). */
  owned: boolean;
}

let nextMock = 1;

/** One running mock: its server (URL, clients) and where its recording came from. */
export class Mock extends Disposable {
  readonly id = `mock-${nextMock++}`;
  private readonly _onDidStop = this._register(new Emitter<void>());
  readonly onDidStop = this._onDidStop.event;
  private stopped = false;

  constructor(
    readonly server: ReplayServer,
    private readonly recording: Recording,
    readonly source: MockSource,
    readonly settings: MockSettings,
  ) {
    super();
    this._register(server);
  }

  get url(): string {
    return this.server.url;
  }

  get clients(): number {
    return this.server.clients;
  }

  get connection(): RecordedConnection {
    return this.server.connection;
  }

  /** "speed 1 · loop · drop after 5" */
  describeSettings(): string {
    const parts = [this.settings.speed === 0 ? 'as fast as possible' : `speed ${this.settings.speed}`];
    if (this.settings.loop) {
      parts.push('loop');
    }
    if (this.settings.dropAfter !== undefined) {
      parts.push(`drop after ${this.settings.dropAfter}`);
    }
    return parts.join(' · ');
  }

  /** Stops serving (clients are closed), closes the recording and deletes a copy made for it. */
  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    try {
      await this.server.close();
    } finally {
      this.release();
    }
  }

  override dispose(): void {
    this.stopped = true;
    this.release();
  }

  private release(): void {
    if (this.isDisposed) {
      return;
    }
    this._onDidStop.fire();
    super.dispose();
    this.recording.dispose();
    if (this.source.owned) {
      void rm(this.source.file, { force: true }).catch(() => undefined);
    }
  }
}

/** A recording opened for serving, before its connection is chosen. */
export interface OpenedRecording {
  recording: Recording;
  source: MockSource;
}

export class MockServers extends Disposable {
  private readonly mocks = new Map<string, Mock>();
  private readonly _onDidChange = this._register(new Emitter<void>());
  /** A mock started or stopped. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidChangeClients = this._register(new Emitter<Mock>());
  /** A mock's client count changed. */
  readonly onDidChangeClients = this._onDidChangeClients.event;

  get all(): Mock[] {
    return [...this.mocks.values()];
  }

  get(id: string): Mock | undefined {
    return this.mocks.get(id);
  }

  /** Opens `source.file` (throws a {@link RecordingError} saying why it cannot be served). */
  async open(source: MockSource): Promise<OpenedRecording> {
    try {
      return { recording: await openRecording(source.file), source };
    } catch (err) {
      if (source.owned) {
        await rm(source.file, { force: true }).catch(() => undefined);
      }
      throw err;
    }
  }

  /** Serves connection `index` (0-based) of an opened recording on a free port of 127.0.0.1; owns the recording from here on. */
  async start(opened: OpenedRecording, index: number, settings: MockSettings): Promise<Mock> {
    const conn = opened.recording.connections[index];
    const server = new ReplayServer(conn, { host: '127.0.0.1', port: 0, ...settings });
    const mock = new Mock(server, opened.recording, opened.source, settings);
    try {
      await server.start();
    } catch (err) {
      mock.dispose();
      throw err instanceof ReplayListenError ? new RecordingError(err.message) : err;
    }
    if (this.isDisposed) {
      mock.dispose();
      throw new Error('The extension is stopping');
    }
    this.mocks.set(mock.id, mock);
    mock.onDidStop(() => {
      if (this.mocks.delete(mock.id)) {
        this._onDidChange.fire();
      }
    });
    server.onDidChangeClients(() => this._onDidChangeClients.fire(mock));
    this._onDidChange.fire();
    return mock;
  }

  /** Closes an opened recording that is not served (the user went back or cancelled). */
  discard(opened: OpenedRecording): void {
    opened.recording.dispose();
    if (opened.source.owned) {
      void rm(opened.source.file, { force: true }).catch(() => undefined);
    }
  }

  /** Stops every mock, closing their clients cleanly. */
  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((m) => m.stop()));
  }

  override dispose(): void {
    for (const m of this.all) {
      m.dispose();
    }
    this.mocks.clear();
    super.dispose();
  }
}
