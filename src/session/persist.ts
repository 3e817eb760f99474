// Over 400 lines: the log tails and the list of the sessions they belong to share one lifecycle (written together, frozen at shutdown).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Disposable, DisposableStore, MutableDisposable, disposableTimeout, type Event } from '../core/lifecycle';
import { isCredentialHeader, replaceUrlCredentials } from '../core/credentials';
import { Redactor } from '../core/redactor';
import { serializeRecord, type ConnRecord } from '../core/records';
import type { EditableConfig } from '../protocol';

/** Masks what is masked without a secret: a `decoded`'s credential fields. */
const NO_SECRETS = new Redactor();

/**
 * What a restored panel gets back after a window reload: the newest 5,000 records, at most 8 MiB of
 * NDJSON. Enough to see what was happening before the reload, small enough that writing it every few
 * seconds stays cheap and that reading it back does not hold up the panel's first paint. The whole
 * log lives in memory only (up to the store's own caps); this is a tail for context, not an archive.
 */
export const PERSIST_LIMITS: Readonly<PersistLimits> = Object.freeze({ maxRecords: 5000, maxBytes: 8 * 1024 * 1024 });
/** Least time between two writes of one session's tail while records arrive. */
export const PERSIST_INTERVAL_MS = 2000;
/**
 * Files no live panel claims are deleted once older than this (a panel closed while its tab was never
 * shown after a reload is never revived, so nothing else would delete its file).
 */
export const ORPHAN_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Most bytes kept by unclaimed files together; the oldest go first beyond it. */
export const ORPHAN_BUDGET_BYTES = 64 * 1024 * 1024;

export interface PersistLimits {
  maxRecords: number;
  maxBytes: number;
}

/** What the persistence needs of a session (the session itself in the extension, a stand-in in tests). */
export interface PersistSource {
  readonly id: string;
  /** Records oldest first, seq increasing. */
  readonly store: { readonly size: number; at(i: number): ConnRecord | undefined };
  readonly redactor: Redactor;
  readonly onDidRecord: Event<ConnRecord>;
  readonly onDidClear: Event<void>;
  /** What its panel's request bar shows; with it, the session is listed for the next window (see {@link RestorableSession}). */
  readonly editableConfig?: EditableConfig;
  readonly onDidChangeConfig?: Event<EditableConfig>;
}

/**
 * A session whose panel comes back after a window reload. VS Code revives only the tab in view and
 * the others when they are first shown, so the list lets every one of them be in the Connections view
 * at once. Credentials written in clear in its headers or URL are not kept (the revived panel's own
 * state brings them back); `${secret:…}` and `${env:…}` references are.
 */
export interface RestorableSession {
  id: string;
  config: EditableConfig;
  /** Credentials written in clear were left out of `config`: connecting before its panel is back would send them empty. */
  credentialsLeftOut?: boolean;
}

/** The list's file, next to the tails. */
export const RESTORABLE_FILE = 'panels.json';

const REFERENCE = /^\s*(\S+\s+)?\$\{(secret|env):[^}]+\}\s*$/;
const keepReference = (value: string) => (REFERENCE.test(value) ? value : '');

/** `config` without the credentials written in clear in it. */
export function withoutClearCredentials(config: EditableConfig): EditableConfig {
  return {
    ...config,
    url: replaceUrlCredentials(config.url, (c) => keepReference(c.value) || '\u2022\u2022\u2022\u2022'),
    headers: config.headers.map((hd) => (isCredentialHeader(hd.name) ? { ...hd, value: keepReference(hd.value) } : { ...hd })),
  };
}

function isRestorable(v: unknown): v is RestorableSession {
  const entry = v as { id?: unknown; config?: Partial<EditableConfig> } | null;
  const c = entry?.config;
  return (
    typeof entry?.id === 'string' &&
    fileNameFor(entry.id) !== undefined &&
    typeof c?.url === 'string' &&
    typeof c.kind === 'string' &&
    Array.isArray(c.headers) &&
    Array.isArray(c.protocols) &&
    typeof c.method === 'string' &&
    typeof c.body === 'string'
  );
}

/**
 * The newest records of `store` as NDJSON, secrets masked, within `limits` (a record whose line alone
 * passes the byte limit ends the tail there). `cache` keeps masked lines across calls: a record is
 * serialised once, not on every write.
 */
export function tailNdjson(
  store: PersistSource['store'],
  redactor: Redactor | readonly Redactor[] | undefined,
  limits: PersistLimits = PERSIST_LIMITS,
  cache?: WeakMap<ConnRecord, string>,
): { text: string; count: number } {
  // Every redactor, also one without secrets: a message's `decoded` has its credential fields masked by name in any case.
  const given: readonly Redactor[] = Array.isArray(redactor) ? redactor : redactor ? [redactor as Redactor] : [];
  const masks = given.length ? given : [NO_SECRETS];
  const lines: string[] = [];
  let bytes = 0;
  for (let i = store.size - 1; i >= 0 && lines.length < limits.maxRecords; i--) {
    const record = store.at(i)!;
    let line = cache?.get(record);
    if (line === undefined) {
      let masked = record;
      for (const r of masks) {
        masked = r.record(masked);
      }
      line = serializeRecord(masked) + '\n';
      cache?.set(record, line);
    }
    const size = Buffer.byteLength(line);
    if (bytes + size > limits.maxBytes) {
      break;
    }
    bytes += size;
    lines.push(line);
  }
  lines.reverse();
  return { text: lines.join(''), count: lines.length };
}

/**
 * Records from NDJSON text: lines that do not parse as a record (a file cut short by a crash, an edit)
 * are skipped, and so is any record whose seq does not follow the one before, since the store looks
 * records up by seq with a binary search. At most the newest `limits.maxRecords` are returned.
 */
export function parseNdjson(text: string, limits: PersistLimits = PERSIST_LIMITS): ConnRecord[] {
  const out: ConnRecord[] = [];
  let last = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(value) || value.seq <= last) {
      continue;
    }
    last = value.seq;
    out.push(value);
  }
  return out.length > limits.maxRecords ? out.slice(out.length - limits.maxRecords) : out;
}

function isRecord(v: unknown): v is ConnRecord {
  if (typeof v !== 'object' || v === null) {
    return false;
  }
  const r = v as { seq?: unknown; kind?: unknown; time?: unknown };
  return Number.isSafeInteger(r.seq) && (r.seq as number) > 0 && typeof r.kind === 'string' && typeof r.time === 'string';
}

/** The file name for a session id; ids come from webview state, so anything but a plain token is refused. */
export function fileNameFor(sessionId: string): string | undefined {
  return /^[A-Za-z0-9_-]{1,100}$/.test(sessionId) ? `${sessionId}.ndjson` : undefined;
}

interface TrackedSession {
  source: PersistSource;
  /** Its record and clear listeners. */
  listeners: DisposableStore;
  dirty: boolean;
  /** Bumped by every write started, so a slower older write never replaces a newer file. */
  generation: number;
  cache: WeakMap<ConnRecord, string>;
  /**
   * Every redactor the session has had: a reconnect with new secrets replaces its redactor, and the
   * records from before still hold the old secrets.
   */
  redactors: Redactor[];
}

/**
 * Keeps, on disk, the tail of each session that has a panel, so a window reload (which restarts the
 * extension host and loses every store) can give the restored panel its log back. Writes are
 * debounced and asynchronous; the per-record cost is setting a flag. Files are NDJSON with the
 * session's secrets masked, written to a temporary name and renamed, so a reader never sees half.
 */
export class LogPersistence extends Disposable {
  private readonly tracked = new Map<string, TrackedSession>();
  /** The debounced write, while one is pending. */
  private readonly pendingWrite = new MutableDisposable();
  private writing: Promise<void> = Promise.resolve();
  private frozen = false;
  private pruned = false;
  private tmpCounter = 0;
  /** The list of restorable sessions changed since it was last written. */
  private listDirty = false;

  constructor(
    /** Where the files go; undefined turns persistence off. */
    readonly dir: string | undefined,
    private readonly limits: PersistLimits = PERSIST_LIMITS,
    private readonly intervalMs = PERSIST_INTERVAL_MS,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {
    super();
    this._register(this.pendingWrite);
    this._register({
      dispose: () => {
        // Whatever is pending is written now: dispose runs when the extension host shuts down.
        this.flushSync();
        this.frozen = true;
        for (const entry of this.tracked.values()) {
          entry.listeners.dispose();
        }
        this.tracked.clear();
      },
    });
  }

  fileFor(sessionId: string): string | undefined {
    const name = fileNameFor(sessionId);
    return this.dir && name ? path.join(this.dir, name) : undefined;
  }

  /** How many sessions' tails are kept. */
  get trackedCount(): number {
    return this.tracked.size;
  }

  /** Starts keeping `source`'s tail on disk (written at once when it has records, then as they come). */
  track(source: PersistSource): void {
    if (this.frozen || !this.fileFor(source.id) || this.tracked.has(source.id)) {
      return;
    }
    const entry: TrackedSession = {
      source,
      listeners: new DisposableStore(),
      dirty: false,
      generation: 0,
      cache: new WeakMap(),
      redactors: [source.redactor],
    };
    entry.listeners.add(source.onDidRecord(() => this.markDirty(entry)));
    entry.listeners.add(source.onDidClear(() => this.markDirty(entry)));
    if (source.onDidChangeConfig) {
      entry.listeners.add(source.onDidChangeConfig(() => this.markListDirty()));
    }
    this.tracked.set(source.id, entry);
    if (source.editableConfig) {
      this.markListDirty();
    }
    if (source.store.size > 0) {
      this.markDirty(entry);
    }
  }

  /**
   * Stops keeping `sessionId`'s tail; with `deleteFile` its file goes too (the panel closed, or the
   * session was removed). Nothing is deleted once the persistence is shutting down: panels closed by
   * the shutdown are the ones to restore.
   */
  untrack(sessionId: string, deleteFile: boolean): void {
    const entry = this.tracked.get(sessionId);
    if (entry) {
      entry.generation++;
      entry.listeners.dispose();
      this.tracked.delete(sessionId);
      if (!this.frozen && entry.source.editableConfig) {
        this.markListDirty();
      }
    }
    const file = this.fileFor(sessionId);
    if (deleteFile && file && !this.frozen) {
      // After any write in flight, so that write cannot bring the file back.
      this.writing = this.writing.then(() => fs.promises.rm(file, { force: true })).catch((err) => this.onError(err as Error));
    }
  }

  /** The records kept for `sessionId` (empty when there is no file or it cannot be read). */
  async load(sessionId: string): Promise<ConnRecord[]> {
    const file = this.fileFor(sessionId);
    if (!file) {
      return [];
    }
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.onError(err as Error);
      }
      return [];
    }
    return parseNdjson(text, this.limits);
  }

  /** The sessions whose panels the last window had (see {@link RestorableSession}); empty when none or unreadable. */
  async loadRestorable(): Promise<RestorableSession[]> {
    if (!this.dir) {
      return [];
    }
    try {
      const value = JSON.parse(await fs.promises.readFile(path.join(this.dir, RESTORABLE_FILE), 'utf8')) as { sessions?: unknown };
      return Array.isArray(value.sessions) ? value.sessions.filter(isRestorable) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.onError(err as Error);
      }
      return [];
    }
  }

  /** Writes every pending tail now, asynchronously. */
  flush(): Promise<void> {
    this.pendingWrite.clear();
    const jobs = [...this.tracked.values()].filter((entry) => entry.dirty).map((entry) => this.prepare(entry));
    const list = this.takeList();
    if (list) {
      jobs.push(list);
    }
    this.writing = this.writing.then(async () => {
      for (const job of jobs) {
        await job.write().catch((err) => this.onError(err as Error));
      }
    });
    return this.writing;
  }

  /**
   * Writes every pending tail before returning (the extension host is about to stop: nothing
   * asynchronous is sure to finish). Writes still in flight are superseded, never waited for.
   */
  flushSync(): void {
    this.pendingWrite.clear();
    if (this.frozen) {
      return;
    }
    const jobs = [...this.tracked.values()].filter((entry) => entry.dirty).map((entry) => this.prepare(entry));
    const list = this.takeList();
    if (list) {
      jobs.push(list);
    }
    for (const job of jobs) {
      try {
        job.writeSync();
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  /**
   * Deletes files no tracked session claims that are older than {@link ORPHAN_AGE_MS}, or beyond
   * {@link ORPHAN_BUDGET_BYTES} together (oldest first). Once per window, off activation's path.
   */
  async pruneOrphans(now = Date.now()): Promise<number> {
    if (this.pruned || !this.dir) {
      return 0;
    }
    this.pruned = true;
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return 0;
    }
    const files: { file: string; mtime: number; size: number }[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const id = name.endsWith('.ndjson') ? name.slice(0, -'.ndjson'.length) : undefined;
      if (id !== undefined && this.tracked.has(id)) {
        continue;
      }
      if (id === undefined && !name.endsWith('.tmp')) {
        continue;
      }
      try {
        const st = await fs.promises.stat(file);
        files.push({ file, mtime: st.mtimeMs, size: st.size });
      } catch {
        // gone already
      }
    }
    files.sort((a, b) => b.mtime - a.mtime);
    let kept = 0;
    let removed = 0;
    for (const f of files) {
      const stale = now - f.mtime > ORPHAN_AGE_MS || f.file.endsWith('.tmp');
      if (stale || kept + f.size > ORPHAN_BUDGET_BYTES) {
        await fs.promises.rm(f.file, { force: true }).then(
          () => removed++,
          (err) => this.onError(err as Error),
        );
      } else {
        kept += f.size;
      }
    }
    return removed;
  }

  private markDirty(entry: TrackedSession): void {
    entry.dirty = true;
    this.scheduleWrite();
  }

  private markListDirty(): void {
    this.listDirty = true;
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (!this.pendingWrite.value && !this.frozen) {
      this.pendingWrite.value = disposableTimeout(() => void this.flush(), this.intervalMs);
    }
  }

  /** The list of restorable sessions as it is now, when it changed, and its writers. */
  private takeList(): { write(): Promise<void>; writeSync(): void } | undefined {
    if (!this.listDirty || !this.dir) {
      return undefined;
    }
    this.listDirty = false;
    const sessions: RestorableSession[] = [];
    for (const { source } of this.tracked.values()) {
      if (source.editableConfig) {
        const config = withoutClearCredentials(source.editableConfig);
        const leftOut = JSON.stringify(config) !== JSON.stringify(source.editableConfig);
        sessions.push({ id: source.id, config, ...(leftOut ? { credentialsLeftOut: true } : {}) });
      }
    }
    const text = JSON.stringify({ sessions });
    return this.writers(path.join(this.dir, RESTORABLE_FILE), text, () => true);
  }

  /** Writes `text` to `file` through a temporary file, while `current()` holds. */
  private writers(file: string, text: string, current: () => boolean): { write(): Promise<void>; writeSync(): void } {
    const dir = this.dir!;
    const tmp = `${file}.${process.pid}.${++this.tmpCounter}.tmp`;
    return {
      write: async () => {
        if (!current()) {
          return;
        }
        await fs.promises.mkdir(dir, { recursive: true });
        await fs.promises.writeFile(tmp, text, { mode: 0o600 });
        if (current()) {
          await fs.promises.rename(tmp, file);
        } else {
          await fs.promises.rm(tmp, { force: true });
        }
      },
      writeSync: () => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(tmp, text, { mode: 0o600 });
        fs.renameSync(tmp, file);
      },
    };
  }

  /** Takes the tail now (so the write has what the store held at this moment) and returns its writers. */
  private prepare(entry: TrackedSession): { write(): Promise<void>; writeSync(): void } {
    entry.dirty = false;
    const redactor = entry.source.redactor;
    if (!entry.redactors.includes(redactor)) {
      // New secrets: lines masked without them may hold them in clear.
      entry.redactors.push(redactor);
      entry.cache = new WeakMap();
    }
    const { text } = tailNdjson(entry.source.store, entry.redactors, this.limits, entry.cache);
    const generation = ++entry.generation;
    const current = () => this.tracked.get(entry.source.id) === entry && entry.generation === generation;
    return this.writers(this.fileFor(entry.source.id)!, text, current);
  }
}
