/**
 * Shared pieces of the hostile-server suite: a connection observed the way the extension host
 * observes one (a {@link MessageStore} fed from `onRecord`), bounded waits, and the check every case
 * ends with — handles and memory back to where they were before the case started.
 *
 * Servers come from test/fixtures (all on 127.0.0.1, port 0 unless a case restarts one on its port).
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import type { TestContext } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { type Connection, createConnection } from '../../src/core/index';
import type { ConnectionOptions } from '../../src/core/options';
import type { ConnRecord, ConnectionState, ErrorRecord, MessageRecord } from '../../src/core/records';
import { MessageStore, type StoreOptions } from '../../src/core/store';

export const MB = 1024 * 1024;

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `cond` until it holds (bounded), for state that no record announces. */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await delay(5);
  }
}

// ---------- garbage collection and memory ----------

let gcFn: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** A full GC. Uses `--expose-gc` when the runner passed it, else turns the flag on for this process. */
export function gc(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

export interface Memory {
  heapUsed: number;
  rss: number;
  /** Buffers and other memory outside the JS heap. */
  external: number;
}

/** Memory after two full GCs with a turn of the event loop between (finalizers run in between). */
export async function settledMemory(): Promise<Memory> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

export const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;

/** Samples heap and RSS every `everyMs` while a case runs; `stop()` gives the peaks. */
export function sampleMemory(everyMs = 25): { stop(): { peakHeap: number; peakRss: number } } {
  let peakHeap = 0;
  let peakRss = 0;
  const take = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakHeap, peakRss };
    },
  };
}

/**
 * Counts records per turn of the event loop — what one turn costs, independent of how loaded the
 * machine is. Call `tick()` per record; `stop()` ends the count and gives the most seen in one turn.
 */
export function perTurnCounter(): { tick(): void; stop(): number } {
  let thisTurn = 0;
  let maxPerTurn = 0;
  let turning = true;
  const turn = () => {
    maxPerTurn = Math.max(maxPerTurn, thisTurn);
    thisTurn = 0;
    if (turning) {
      setImmediate(turn);
    }
  };
  setImmediate(turn);
  return {
    tick: () => {
      thisTurn++;
    },
    stop: () => {
      turning = false;
      return maxPerTurn;
    },
  };
}

// ---------- handles ----------

/** Active handles and requests by type, as `process.getActiveResourcesInfo()` names them. */
export function resources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}

function differs(before: Record<string, number>, now: Record<string, number>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...keys].filter((k) => (now[k] ?? 0) > (before[k] ?? 0)).map((k) => `${k}: ${before[k] ?? 0} → ${now[k] ?? 0}`);
}

/** Waits (bounded) until no handle type counts more than in `before`; fails naming the ones that do. */
export async function expectHandlesBack(before: Record<string, number>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  let extra = differs(before, resources());
  while (extra.length > 0 && Date.now() < deadline) {
    await delay(20);
    extra = differs(before, resources());
  }
  assert.deepEqual(extra, [], `handles left behind: ${extra.join(', ')}`);
}

// ---------- a connection observed like the host observes it ----------

export interface Observed {
  conn: Connection;
  /** The host-side store, fed from `onRecord`. */
  store: MessageStore;
  /** Resolves with the first record, kept or future, that matches; rejects after `ms`. */
  waitFor(pred: (r: ConnRecord) => boolean, ms?: number, what?: string): Promise<ConnRecord>;
  /** Resolves once the connection is in `state`. */
  waitState(state: ConnectionState, ms?: number): Promise<void>;
  messages(): MessageRecord[];
  errors(): ErrorRecord[];
  /** Kinds in order (with the state entered), for readable failures. */
  trail(): string;
}

export interface ObserveOptions {
  store?: Partial<StoreOptions>;
  /** Do not call `connect()` yet. */
  manual?: boolean;
}

export const isKind =
  <K extends ConnRecord['kind']>(kind: K) =>
  (r: ConnRecord): boolean =>
    r.kind === kind;

/**
 * A connection made by the core's factory with a store fed from `onRecord`, as the host's session
 * does. Reconnect is off unless the options turn it on; timeouts default to 5 s.
 */
export function observe(options: ConnectionOptions, extra: ObserveOptions = {}): Observed {
  const conn = createConnection({ timeoutMs: 5000, ...options, reconnect: { enabled: false, ...options.reconnect } });
  const store = new MessageStore(extra.store);
  const waiters = new Set<(r: ConnRecord) => void>();
  conn.onRecord((r) => {
    store.add(r);
    for (const w of [...waiters]) {
      w(r);
    }
  });
  const trail = () =>
    store
      .toArray()
      .slice(-30)
      .map((r) => r.kind + (r.state ? `(${r.state})` : '') + (r.kind === 'error' ? `[${r.code}: ${r.message.slice(0, 80)}]` : ''))
      .join(' ');
  const o: Observed = {
    conn,
    store,
    waitFor(pred, ms = 5000, what = 'a matching record') {
      for (const r of store) {
        if (pred(r)) {
          return Promise.resolve(r);
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${ms} ms waiting for ${what}; state ${conn.state}; last records: ${trail()}`));
        }, ms);
        const w = (r: ConnRecord) => {
          if (pred(r)) {
            clearTimeout(timer);
            waiters.delete(w);
            resolve(r);
          }
        };
        waiters.add(w);
      });
    },
    async waitState(state, ms = 5000) {
      if (conn.state !== state) {
        await o.waitFor((r) => r.state === state, ms, `state ${state}`);
      }
    },
    messages: () => store.toArray().filter((r): r is MessageRecord => r.kind === 'message'),
    errors: () => store.toArray().filter((r): r is ErrorRecord => r.kind === 'error'),
    trail,
  };
  if (!extra.manual) {
    conn.connect();
  }
  return o;
}

// ---------- one case, from baseline back to baseline ----------

export interface Scope {
  /** Runs at the end of the case (last registered first), also when it fails. */
  defer(fn: () => unknown): void;
  /** {@link observe}, disposed at the end of the case. */
  observe(options: ConnectionOptions, extra?: ObserveOptions): Observed;
}

export interface CaseLimits {
  /** Heap (after GC) may end this much above the baseline. Default 24 MB. */
  heapSlack?: number;
  /** RSS may end this much above the baseline. Default 192 MB: freed memory is not always returned to the OS. */
  rssSlack?: number;
}

/**
 * Runs one hostile-server case: takes the baseline (handles, memory after GC), runs `body`, disposes
 * what it made, then asserts every handle type is back to its count and memory is back within a
 * generous bound. Servers are the case's own: closing them is part of the cleanup, so the comparison
 * excludes them.
 */
export async function hostileCase(t: TestContext, body: (scope: Scope) => Promise<void>, limits: CaseLimits = {}): Promise<void> {
  await delay(5);
  const handlesBefore = resources();
  const memBefore = await settledMemory();
  const cleanups: (() => unknown)[] = [];
  const scope: Scope = {
    defer: (fn) => cleanups.push(fn),
    observe: (options, extra) => {
      const o = observe(options, extra);
      cleanups.push(() => o.conn.dispose());
      return o;
    },
  };
  let cleanupError: unknown;
  try {
    await body(scope);
  } finally {
    // Spliced out so nothing the case made stays reachable from here while memory is measured.
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        cleanupError ??= err;
      }
    }
  }
  if (cleanupError) {
    throw cleanupError;
  }
  await expectHandlesBack(handlesBefore);
  const memAfter = await settledMemory();
  const heapSlack = limits.heapSlack ?? 24 * MB;
  const rssSlack = limits.rssSlack ?? 192 * MB;
  t.diagnostic(
    `memory after GC: heap ${mb(memBefore.heapUsed)} → ${mb(memAfter.heapUsed)}, rss ${mb(memBefore.rss)} → ${mb(memAfter.rss)}`,
  );
  assert.ok(
    memAfter.heapUsed - memBefore.heapUsed < heapSlack,
    `heap after GC grew ${mb(memAfter.heapUsed - memBefore.heapUsed)} (bound ${mb(heapSlack)})`,
  );
  assert.ok(
    memAfter.external - memBefore.external < heapSlack,
    `external memory after GC grew ${mb(memAfter.external - memBefore.external)}`,
  );
  assert.ok(memAfter.rss - memBefore.rss < rssSlack, `rss grew ${mb(memAfter.rss - memBefore.rss)} (bound ${mb(rssSlack)})`);
}

/** A port on 127.0.0.1 with nothing listening (taken from the OS, then released). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/**
 * A host name the resolver fails without sending a query anywhere: its first label is 64 octets,
 * one more than DNS allows (RFC 1035 §2.3.4), so glibc cannot even build the query, and `.invalid`
 * (RFC 2606) is reserved never to resolve should a resolver try. A plain `x.invalid` would be sent
 * to the configured name server.
 */
export const UNRESOLVABLE_HOST = `${'x'.repeat(64)}.invalid`;

/** Records kept in the store, oldest first, as "kind" or "kind(state)". */
export function kinds(store: MessageStore): string[] {
  return store.toArray().map((r) => r.kind + (r.state ? `(${r.state})` : ''));
}

/**
 * An HTTP server that can be killed — every socket destroyed mid-stream, the port closed — and
 * started again later on the same port, as a crashed and restarted server would be.
 */
export interface KillableServer {
  readonly port: number;
  readonly server: net.Server;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export async function killableServer(make: () => net.Server): Promise<KillableServer> {
  let server = make();
  let sockets = new Set<net.Socket>();
  const track = (srv: net.Server, set: Set<net.Socket>) =>
    srv.on('connection', (s: net.Socket) => {
      set.add(s);
      s.on('error', () => undefined);
      s.on('close', () => set.delete(s));
    });
  track(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let running = true;
  const handle: KillableServer = {
    port,
    get server() {
      return server;
    },
    async kill() {
      if (!running) {
        return;
      }
      running = false;
      for (const s of sockets) {
        s.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async restart() {
      await handle.kill();
      server = make();
      sockets = new Set();
      track(server, sockets);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      running = true;
    },
  };
  return handle;
}
