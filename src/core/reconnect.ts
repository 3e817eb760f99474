/** When and how often a connection that ended on its own is reopened. */
export interface ReconnectOptions {
  /** Reconnect automatically when the server or network ends the connection. Default true. */
  enabled: boolean;
  /**
   * First delay, in ms, before jitter. For SSE the server's `retry:` takes its place as the floor of
   * every delay (see {@link ReconnectPolicy.delayFor}). Default 1000.
   */
  initialDelayMs: number;
  /** Upper bound of any delay, in ms. Default 30000. */
  maxDelayMs: number;
  /** Give up after this many attempts in a row; null for unlimited. Default 10. */
  maxAttempts: number | null;
  /** Growth factor between attempts. Default 2. */
  multiplier: number;
  /**
   * Full jitter: each delay is drawn uniformly from [0, computed delay] (from [retry, computed delay]
   * after an SSE `retry:`). Default true.
   */
  jitter: boolean;
  /**
   * A connection that stays open this long (ms) counts as healthy: the attempt counter starts again
   * from 1 next time. One that received data and then failed (network, error) restarts it too; one
   * the server ended cleanly before this long counts on. Default 5000.
   */
  resetAfterMs: number;
  /**
   * SSE: whether a stream the server ended cleanly is reconnected. Unset: only when the request is a
   * GET (a POST, PUT… is not sent again because the server finished answering it).
   */
  onEnd?: boolean;
  /**
   * SSE: the HTTP methods whose requests are reconnected after a network failure (refused, reset,
   * timeout). Upper case after {@link resolveReconnectOptions}. Default `["GET"]`.
   */
  methods: readonly string[];
}

export const DEFAULT_RECONNECT: Readonly<ReconnectOptions> = Object.freeze({
  enabled: true,
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  maxAttempts: 10,
  multiplier: 2,
  jitter: true,
  resetAfterMs: 5000,
  methods: Object.freeze(['GET']),
});

const RECONNECT_KEYS: ReadonlySet<string> = new Set<keyof ReconnectOptions>([
  'enabled',
  'initialDelayMs',
  'maxDelayMs',
  'maxAttempts',
  'multiplier',
  'jitter',
  'resetAfterMs',
  'onEnd',
  'methods',
]);
const HTTP_METHOD = /^[A-Za-z]+$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a reconnect policy as written in settings (a profile's or the default): a problem in words, or undefined. */
export function validateReconnect(r: unknown): string | undefined {
  if (!isPlainObject(r)) {
    return 'must be an object';
  }
  for (const key of Object.keys(r)) {
    if (!RECONNECT_KEYS.has(key)) {
      return `unknown property "${key}"`;
    }
  }
  for (const key of ['enabled', 'jitter', 'onEnd']) {
    if (r[key] !== undefined && typeof r[key] !== 'boolean') {
      return `"${key}" must be true or false`;
    }
  }
  for (const key of ['initialDelayMs', 'maxDelayMs', 'resetAfterMs']) {
    if (r[key] !== undefined && !(typeof r[key] === 'number' && Number.isFinite(r[key]) && (r[key] as number) >= 0)) {
      return `"${key}" must be a number ≥ 0`;
    }
  }
  if (r.maxAttempts !== undefined && r.maxAttempts !== null && !(Number.isInteger(r.maxAttempts) && (r.maxAttempts as number) >= 0)) {
    return '"maxAttempts" must be an integer ≥ 0, or null for unlimited';
  }
  if (r.multiplier !== undefined && !(typeof r.multiplier === 'number' && r.multiplier >= 1)) {
    return '"multiplier" must be a number ≥ 1';
  }
  if (r.methods !== undefined) {
    const list: unknown = r.methods;
    if (!Array.isArray(list) || !list.every((m) => typeof m === 'string' && HTTP_METHOD.test(m))) {
      return '"methods" must be a list of HTTP method names, e.g. ["GET", "POST"]';
    }
  }
  return undefined;
}

export function resolveReconnectOptions(partial?: Partial<ReconnectOptions>): ReconnectOptions {
  const o = { ...DEFAULT_RECONNECT, ...stripUndefined(partial ?? {}) };
  const nonNeg = (n: number, fallback: number) => (Number.isFinite(n) && n >= 0 ? n : fallback);
  o.initialDelayMs = nonNeg(o.initialDelayMs, DEFAULT_RECONNECT.initialDelayMs);
  o.maxDelayMs = Math.max(nonNeg(o.maxDelayMs, DEFAULT_RECONNECT.maxDelayMs), 0);
  o.multiplier = Number.isFinite(o.multiplier) && o.multiplier >= 1 ? o.multiplier : DEFAULT_RECONNECT.multiplier;
  o.resetAfterMs = nonNeg(o.resetAfterMs, DEFAULT_RECONNECT.resetAfterMs);
  if (o.maxAttempts !== null && !(Number.isInteger(o.maxAttempts) && o.maxAttempts >= 0)) {
    o.maxAttempts = DEFAULT_RECONNECT.maxAttempts;
  }
  if (o.onEnd !== undefined && typeof o.onEnd !== 'boolean') {
    delete o.onEnd;
  }
  o.methods =
    Array.isArray(o.methods) && o.methods.every((m) => typeof m === 'string')
      ? [...new Set(o.methods.map((m) => m.trim().toUpperCase()).filter(Boolean))]
      : DEFAULT_RECONNECT.methods;
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Exponential backoff with full jitter (delay = random(0, min(max, base × multiplier^(attempt-1)))).
 * With an SSE server's `retry:` R, R is the floor: delay = random(R, max(R, min(max, R × multiplier^(attempt-1)))),
 * so the first attempt waits exactly R and nothing waits less. Pure: the random source is injected so
 * tests can pin it.
 */
export class ReconnectPolicy {
  constructor(
    readonly options: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether attempt number `attempt` (1-based) may be made. */
  allows(attempt: number): boolean {
    return this.options.maxAttempts === null || attempt <= this.options.maxAttempts;
  }

  /**
   * Delay before attempt `attempt` (1-based). `serverRetryMs` is the SSE server's `retry:` value, the
   * spec's "reconnection time": the client waits at least that long ("optionally, wait some more"),
   * so it is the floor, and jitter and backoff only add to it.
   */
  delayFor(attempt: number, serverRetryMs?: number): number {
    const floor = this.floorFor(serverRetryMs);
    const ceiling = this.ceilingFor(attempt, serverRetryMs);
    return Math.round(this.options.jitter ? floor + this.random() * (ceiling - floor) : ceiling);
  }

  /** The least any delay can be: the server's `retry:` if it sent one, else 0. */
  floorFor(serverRetryMs?: number): number {
    return serverRetryMs ?? 0;
  }

  /**
   * The ceiling of attempt `attempt`'s delay, before jitter (what the UI can promise). Capped at
   * `maxDelayMs`, except that it is never below the server's `retry:` (the server's word wins).
   */
  ceilingFor(attempt: number, serverRetryMs?: number): number {
    const base = serverRetryMs ?? this.options.initialDelayMs;
    const exp = base * Math.pow(this.options.multiplier, Math.max(0, attempt - 1));
    const capped = Math.min(this.options.maxDelayMs, Number.isFinite(exp) ? exp : this.options.maxDelayMs);
    return Math.max(capped, this.floorFor(serverRetryMs));
  }

  /** SSE: whether a stream the server ended cleanly is reconnected, for a request with `method`. */
  reconnectsAfterEnd(method: string): boolean {
    return this.options.onEnd ?? method.toUpperCase() === 'GET';
  }

  /** SSE: whether a request with `method` is reconnected after a network failure. */
  retriesAfterFailure(method: string): boolean {
    return this.options.methods.includes(method.toUpperCase());
  }
}
