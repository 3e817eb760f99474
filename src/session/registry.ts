import { Disposable, DisposableStore, Emitter, disposableTimeout, type IDisposable } from '../core/lifecycle';
import type { SessionConfig } from '../profiles/connectOptions';
import { Session, type SessionDeps, type SessionSource } from './session';

/** Every session of the window, with events for the views. */
export class SessionRegistry extends Disposable {
  private readonly map = new Map<string, { session: Session; subs: DisposableStore }>();
  /** Sessions removed with {@link removeUndoably}, kept until their time to be restored runs out. */
  private readonly removed = new Map<string, { session: Session; expiry: IDisposable }>();

  private readonly _onDidAdd = this._register(new Emitter<Session>());
  readonly onDidAdd = this._onDidAdd.event;
  private readonly _onDidRemove = this._register(new Emitter<Session>());
  readonly onDidRemove = this._onDidRemove.event;
  /** A session's state or configuration changed. */
  private readonly _onDidChangeSession = this._register(new Emitter<Session>());
  readonly onDidChangeSession = this._onDidChangeSession.event;

  constructor(private readonly deps: SessionDeps) {
    super();
    this._register({
      dispose: () => {
        for (const { session, subs } of this.map.values()) {
          subs.dispose();
          session.dispose();
        }
        this.map.clear();
        for (const { session, expiry } of this.removed.values()) {
          expiry.dispose();
          session.dispose();
        }
        this.removed.clear();
      },
    });
  }

  create(config: SessionConfig, source: SessionSource, id?: string): Session {
    const session = new Session(config, source, this.deps, id && !this.map.has(id) && !this.removed.has(id) ? id : undefined);
    this.add(session);
    return session;
  }

  private add(session: Session): void {
    const subs = new DisposableStore();
    subs.add(session.onDidChangeStatus(() => this._onDidChangeSession.fire(session)));
    subs.add(session.onDidChangeConfig(() => this._onDidChangeSession.fire(session)));
    this.map.set(session.id, { session, subs });
    this._onDidAdd.fire(session);
  }

  get(id: string): Session | undefined {
    return this.map.get(id)?.session;
  }

  get all(): Session[] {
    return [...this.map.values()].map((e) => e.session);
  }

  /** The sessions that are connecting, open, closing or waiting to reconnect. */
  get active(): Session[] {
    return this.all.filter((s) => s.isActive);
  }

  /** Ends the session: its connection is closed at once and its store dropped. */
  remove(session: Session): void {
    const entry = this.map.get(session.id);
    if (!entry) {
      return;
    }
    this.map.delete(session.id);
    entry.subs.dispose();
    session.dispose();
    this._onDidRemove.fire(session);
  }

  /**
   * Takes the session off the list as {@link remove} does (its panel closes, its connection is closed
   * cleanly) but keeps it, with its log, for `keepMs`: until then {@link restore} brings it back; then
   * it is disposed.
   */
  removeUndoably(session: Session, keepMs: number): void {
    const entry = this.map.get(session.id);
    if (!entry) {
      return;
    }
    this.map.delete(session.id);
    entry.subs.dispose();
    session.disconnect();
    this.removed.set(session.id, {
      session,
      expiry: disposableTimeout(() => {
        this.removed.delete(session.id);
        session.dispose();
      }, keepMs),
    });
    this._onDidRemove.fire(session);
  }

  /** Puts a session removed with {@link removeUndoably} back on the list; undefined when its time ran out. */
  restore(id: string): Session | undefined {
    const kept = this.removed.get(id);
    if (!kept) {
      return undefined;
    }
    this.removed.delete(id);
    kept.expiry.dispose();
    this.add(kept.session);
    return kept.session;
  }

  /** Closes every connection cleanly (bounded in time), then disposes everything. */
  async shutdown(timeoutMs = 1500): Promise<void> {
    await Promise.all(this.all.map((s) => s.shutdown(timeoutMs)));
    this.dispose();
  }
}
