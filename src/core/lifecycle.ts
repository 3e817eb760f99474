/**
 * Ownership of resources. Anything that holds a socket, a timer or a listener is a
 * {@link IDisposable}; the object that creates it registers it with its own store so that
 * disposing the owner disposes everything it made. `{ dispose(): void }` is also the shape of
 * `vscode.Disposable`, so core objects can be pushed straight into `context.subscriptions`.
 */
export interface IDisposable {
  dispose(): void;
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/** Holds disposables; disposing it disposes them all, in reverse order of registration. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Registers `item`. A registration after disposal is disposed at once, so nothing outlives its owner. */
  add<T extends IDisposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.add(item);
    }
    return item;
  }

  /** Disposes `item` now and forgets it. */
  delete(item: IDisposable): void {
    if (this.items.delete(item)) {
      item.dispose();
    }
  }

  /** Disposes everything registered so far but stays usable. */
  clear(): void {
    const items = [...this.items].reverse();
    this.items.clear();
    const errors: unknown[] = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) {
      throw errors[0];
    }
    if (errors.length > 1) {
      throw new AggregateError(errors, 'several disposables failed to dispose');
    }
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    this.clear();
  }
}

/** Base class for owners: `this._register(x)` ties `x`'s life to this object. */
export abstract class Disposable implements IDisposable {
  protected readonly _store = new DisposableStore();

  protected _register<T extends IDisposable>(item: T): T {
    return this._store.add(item);
  }

  protected get isDisposed(): boolean {
    return this._store.isDisposed;
  }

  dispose(): void {
    this._store.dispose();
  }
}

/** A subscription function: call it with a listener, get back the means to unsubscribe. */
export type Event<T> = (listener: (e: T) => void, thisArg?: unknown) => IDisposable;

/**
 * A typed event source. Owners keep the emitter private and expose `.event`:
 *
 *     private readonly _onDidChange = this._register(new Emitter<T>());
 *     readonly onDidChange = this._onDidChange.event;
 *
 * A listener that throws does not stop the others; the error goes to `onListenerError`.
 */
export class Emitter<T> implements IDisposable {
  private listeners: Array<(e: T) => void> = [];
  private disposed = false;

  constructor(private readonly onListenerError: (err: unknown) => void = defaultListenerError) {}

  readonly event: Event<T> = (listener, thisArg) => {
    if (this.disposed) {
      return toDisposable(() => undefined);
    }
    const bound = thisArg === undefined ? listener : listener.bind(thisArg);
    this.listeners = [...this.listeners, bound];
    return toDisposable(() => {
      this.listeners = this.listeners.filter((l) => l !== bound);
    });
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(value: T): void {
    // The array is replaced, never mutated, on (un)subscribe, so iterating a snapshot is free.
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](value);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

function defaultListenerError(err: unknown): void {
  // A listener's bug must not break the connection that fired the event.
  queueMicrotask(() => {
    console.error('[realtime-inspector] listener failed:', err);
  });
}

/** The longest delay one `setTimeout` keeps (2^31-1 ms): Node fires a longer one at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A timer that is a disposable: cancelled on dispose, never fires after it. A delay longer than one
 * `setTimeout` can hold is waited out in a chain of timers of at most `maxStepMs` each, so it never
 * fires early (an infinite delay never fires).
 */
export function disposableTimeout(fn: () => void, ms: number, maxStepMs = MAX_TIMEOUT_MS): IDisposable {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const step = Math.max(1, Math.min(maxStepMs, MAX_TIMEOUT_MS));
  const arm = (left: number) => {
    if (left > step) {
      handle = setTimeout(() => arm(left - step), step);
    } else {
      handle = setTimeout(fn, left);
    }
  };
  arm(Number.isNaN(ms) ? 0 : ms);
  return toDisposable(() => clearTimeout(handle));
}

/** A repeating timer that is a disposable: cancelled on dispose, never fires after it. */
export function disposableInterval(fn: () => void, ms: number): IDisposable {
  const handle = setInterval(fn, ms);
  return toDisposable(() => clearInterval(handle));
}

/**
 * A slot for one disposable that is replaced over time (a timer, a watcher, the current attempt's
 * listeners). Setting `value` disposes the one it replaces; disposing the slot disposes the value and
 * disposes at once anything set afterwards.
 */
export class MutableDisposable<T extends IDisposable = IDisposable> implements IDisposable {
  private current: T | undefined;
  private disposed = false;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (this.disposed) {
      next?.dispose();
      return;
    }
    if (next === this.current) {
      return;
    }
    const previous = this.current;
    this.current = next;
    previous?.dispose();
  }

  /** Disposes the value, if any, and leaves the slot empty (and still usable). */
  clear(): void {
    this.value = undefined;
  }

  dispose(): void {
    this.disposed = true;
    const previous = this.current;
    this.current = undefined;
    previous?.dispose();
  }
}
