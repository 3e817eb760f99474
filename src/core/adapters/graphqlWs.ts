/**
 * GraphQL over WebSocket: the `graphql-transport-ws` protocol (the graphql-ws library) and the legacy
 * `subscriptions-transport-ws` one (subprotocol `graphql-ws`), whichever the server accepts of the two
 * offered. `connection_init` with the user's payload, then one operation per subscribe (the options'
 * query at once, more from the send box or `--send`), Stop per operation, pings answered. When every
 * operation has completed (or failed, or been stopped) the session's work is done.
 *
 * Messages are one JSON object each with `type`, `id` and `payload`: a result (`next`, legacy `data`)
 * is only peeked at for its type and parsed when read (see lazyDecoded.ts).
 */
import type { Decoded } from '../records';
import {
  type Adapter,
  type AdapterAttempt,
  type AdapterHost,
  AdapterOptionError,
  type AdapterSend,
  AdapterSendError,
  type FrameDecoded,
  type InboundFrame,
} from './adapter';
import { NEXT_RESULT, NOT_A_RESULT, peekResult, WITH_DATA } from './graphqlWsPeek';
import { DATA_FRAME, GraphqlResult, NEXT_FRAME } from './graphqlWsResult';

export interface GraphqlWsOptions {
  /** The operation subscribed to as soon as the server acknowledged the connection. */
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** The `connection_init` payload (a token…). */
  init?: Record<string, unknown>;
}

const PROTOCOL = 'graphql-ws';
/** The graphql-ws library's protocol, and the subprotocol name of the legacy subscriptions-transport-ws. */
const MODERN = 'graphql-transport-ws';
const LEGACY = 'graphql-ws';

/** The close codes of graphql-transport-ws, in words, and whether trying again may help. */
const CLOSES: Record<number, [string, boolean]> = {
  4400: ['bad request', false],
  4401: ['unauthorized', false],
  4403: ['forbidden', false],
  4406: ['subprotocol not acceptable', false],
  4408: ['connection initialisation timeout', true],
  4409: ['subscriber for this id already exists', false],
  4429: ['too many initialisation requests', false],
  4499: ['terminated', true],
  4500: ['internal server error', true],
};

interface Operation {
  payload: Record<string, unknown>;
  over: boolean;
  /** What the server said when the operation failed (an `error` message). */
  failed?: string;
}

class GraphqlAttempt implements AdapterAttempt {
  private legacy = false;
  private acked = false;
  private nextId = 1;
  private readonly operations = new Map<string, Operation>();
  private doneSaid = false;
  /** The last result's frame when it may be a failure (no data at its head): read when its operation completes. */
  private lastResult: Buffer | undefined;

  constructor(
    private readonly host: AdapterHost,
    private readonly o: GraphqlWsOptions,
  ) {}

  opened({ protocol }: { protocol: string }): void {
    this.legacy = protocol === LEGACY;
    this.host.note(`GraphQL over WebSocket: ${this.legacy ? 'legacy subscriptions-transport-ws (graphql-ws)' : MODERN} protocol`);
    this.write({ type: 'connection_init', ...(this.o.init ? { payload: this.o.init } : {}) }, this.o.init ? { payload: this.o.init } : {});
  }

  receive(frame: InboundFrame): readonly FrameDecoded[] {
    if (frame.format === 'binary') {
      return [{ protocol: PROTOCOL, type: 'invalid', error: 'a binary frame: GraphQL over WebSocket messages are JSON text' }];
    }
    const result = peekResult(frame.bytes);
    if (result !== NOT_A_RESULT) {
      // Not read: a result is parsed only when its operation completes right after it, and only one
      // that may be a failure is kept for that (a copy: the socket's buffer is not held).
      this.lastResult = result & WITH_DATA ? undefined : Buffer.from(frame.bytes);
      return result & NEXT_RESULT ? NEXT_FRAME : DATA_FRAME;
    }
    let m: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      m = JSON.parse(frame.bytes.toString()) as typeof m;
    } catch (err) {
      return [{ protocol: PROTOCOL, type: 'invalid', error: `not JSON: ${(err as Error).message}` }];
    }
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') {
      return [{ protocol: PROTOCOL, type: 'invalid', error: 'a message without a "type"' }];
    }
    const type = m.type;
    const decoded: Decoded = { protocol: PROTOCOL, type };
    if (m.id !== undefined) {
      decoded.id = m.id;
      decoded.label = `#${String(m.id)}`;
    }
    if (m.payload !== undefined) {
      decoded.payload = m.payload;
    }
    switch (type) {
      case 'connection_ack':
        this.acked = true;
        this.host.ready();
        if (this.o.query !== undefined) {
          this.subscribe({ query: this.o.query, variables: this.o.variables, operationName: this.o.operationName });
        }
        break;
      case 'connection_error':
        this.host.fail(`GraphQL refused the connection: ${errorText(m.payload)}`, { retry: false });
        break;
      case 'ping':
        decoded.keepAlive = true;
        this.write({ type: 'pong' }, {}, true);
        break;
      case 'pong':
      case 'ka':
        decoded.keepAlive = true;
        break;
      case 'error':
        this.finish(String(m.id), errorText(m.payload));
        break;
      case 'complete':
        this.finish(String(m.id), this.failedResult(String(m.id)));
        break;
      case 'next':
      case 'data':
        break;
      default:
        decoded.error = `not a message of the ${this.legacy ? 'subscriptions-transport-ws' : MODERN} protocol`;
    }
    return [decoded];
  }

  send(input: AdapterSend): void {
    const f = input.fields;
    if (input.verb === 'subscribe') {
      if (typeof f.query !== 'string' || !f.query.trim()) {
        throw new AdapterSendError('GraphQL subscribe: the query is missing');
      }
      if (f.variables !== undefined && (f.variables === null || typeof f.variables !== 'object' || Array.isArray(f.variables))) {
        throw new AdapterSendError('GraphQL subscribe: variables must be a JSON object');
      }
      if (f.operationName !== undefined && typeof f.operationName !== 'string') {
        throw new AdapterSendError('GraphQL subscribe: the operation name must be text');
      }
      this.subscribe({
        query: f.query,
        variables: f.variables as Record<string, unknown> | undefined,
        operationName: f.operationName || undefined,
      });
      return;
    }
    if (input.verb === 'stop') {
      const id = String(f.id ?? '');
      const op = this.operations.get(id);
      if (!op) {
        throw new AdapterSendError(`GraphQL stop: no operation #${id} (operations: ${[...this.operations.keys()].join(', ') || 'none'})`);
      }
      if (op.over) {
        throw new AdapterSendError(`GraphQL stop: operation #${id} is already over`);
      }
      this.write({ id, type: this.legacy ? 'stop' : 'complete' }, { id, label: `#${id}` });
      this.finish(id);
      return;
    }
    throw new AdapterSendError(`GraphQL over WebSocket has no "${input.verb}" send (use subscribe or stop)`);
  }

  private subscribe(p: { query: string; variables?: Record<string, unknown>; operationName?: string }): void {
    const id = String(this.nextId++);
    const payload: Record<string, unknown> = { query: p.query };
    if (p.variables !== undefined) {
      payload.variables = p.variables;
    }
    if (p.operationName) {
      payload.operationName = p.operationName;
    }
    this.operations.set(id, { payload, over: false });
    const label = p.operationName ? `#${id} ${p.operationName}` : `#${id}`;
    this.write({ id, type: this.legacy ? 'start' : 'subscribe', payload }, { id, payload, label });
  }

  /**
   * The errors of operation `id`'s last result when it had errors and no data: how a server answers a
   * query it rejects in a result (subscriptions-transport-ws does, before `complete`).
   */
  private failedResult(id: string): string | undefined {
    const last = this.lastResult && new GraphqlResult('next', this.lastResult);
    this.lastResult = undefined;
    if (!last || String(last.id) !== id) {
      return undefined;
    }
    const p = last.payload as { data?: unknown; errors?: unknown } | undefined;
    return p && Array.isArray(p.errors) && p.errors.length > 0 && (p.data === undefined || p.data === null)
      ? errorText(p.errors)
      : undefined;
  }

  /**
   * Operation `id` is over (completed, stopped, or failed with `error`): when it was the last one, the
   * work is done, failed when any operation failed (the CLI exits 1 then).
   */
  private finish(id: string, error?: string): void {
    const op = this.operations.get(id);
    if (!op || op.over) {
      return;
    }
    op.over = true;
    op.failed = error;
    const ops = [...this.operations.values()];
    if (!this.doneSaid && ops.every((o) => o.over)) {
      this.doneSaid = true;
      const failed = ops.filter((o) => o.failed !== undefined);
      const n = ops.length;
      if (failed.length === 0) {
        this.host.done(`GraphQL: ${n === 1 ? 'the operation' : `all ${n} operations`} completed`);
      } else {
        const what = n === 1 ? 'the operation failed' : `${failed.length} of ${n} operations failed`;
        this.host.done(`GraphQL: ${what}: ${failed[0].failed}`, { failed: true });
      }
    }
  }

  private write(message: Record<string, unknown>, fields: Record<string, unknown>, keepAlive = false): void {
    const decoded: Decoded = { protocol: PROTOCOL, type: String(message.type), ...fields };
    if (keepAlive) {
      decoded.keepAlive = true;
    }
    this.host.sendText(JSON.stringify(message), decoded);
  }

  closing(): void {
    if (this.legacy && this.acked) {
      this.write({ type: 'connection_terminate' }, {});
    }
  }

  closed({ code, reason }: { code: number; reason: string }): { message: string; retry: boolean } | undefined {
    if (code === 1002 && !this.acked && !this.legacy) {
      // subscriptions-transport-ws closes so when it was given the modern subprotocol.
      return {
        message: `The server closed with 1002 (protocol error) before acknowledging ${MODERN}: it may speak only the legacy protocol; offer the subprotocol graphql-ws`,
        retry: false,
      };
    }
    const known = CLOSES[code];
    if (!known) {
      return undefined;
    }
    return { message: `GraphQL server closed the connection with ${code} (${known[0]})${reason ? `: ${reason}` : ''}`, retry: known[1] };
  }

  dispose(): void {
    this.operations.clear();
  }
}

/** A GraphQL error payload in words: `{message}`, `[{message}…]` or text. */
function errorText(payload: unknown): string {
  const list = Array.isArray(payload) ? payload : [payload];
  const words = list.map((e) =>
    e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string'
      ? (e as { message: string }).message
      : typeof e === 'string'
        ? e
        : JSON.stringify(e),
  );
  return words.join('; ') || 'no reason given';
}

function objectOption(raw: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v = raw[name];
  if (v === undefined) {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new AdapterOptionError(name, 'must be a JSON object');
  }
  return v as Record<string, unknown>;
}

function checkOptions(raw: Record<string, unknown>): GraphqlWsOptions {
  const out: GraphqlWsOptions = {};
  if (raw.query !== undefined) {
    if (typeof raw.query !== 'string' || !raw.query.trim()) {
      throw new AdapterOptionError('query', 'must be a GraphQL document (e.g. "subscription { ticks }")');
    }
    out.query = raw.query;
  }
  const variables = objectOption(raw, 'variables');
  if (variables) {
    out.variables = variables;
  }
  if (raw.operationName !== undefined) {
    if (typeof raw.operationName !== 'string') {
      throw new AdapterOptionError('operationName', 'must be text');
    }
    out.operationName = raw.operationName;
  }
  const init = objectOption(raw, 'init');
  if (init) {
    out.init = init;
  }
  if ((out.variables || out.operationName) && out.query === undefined) {
    throw new AdapterOptionError(out.variables ? 'variables' : 'operationName', 'given without a query');
  }
  return out;
}

export const graphqlWsAdapter: Adapter<GraphqlWsOptions> = {
  name: 'graphql-ws',
  subprotocols: [MODERN, LEGACY],
  options: checkOptions,
  begin: (host, options) => new GraphqlAttempt(host, options),
  verbs: [
    {
      name: 'subscribe',
      label: 'Subscribe',
      fields: [
        { name: 'query', label: 'Query', kind: 'multiline', placeholder: 'subscription { ticks }' },
        { name: 'variables', label: 'Variables (JSON)', kind: 'json', optional: true, placeholder: '{}' },
        { name: 'operationName', label: 'Operation name', kind: 'text', optional: true },
      ],
    },
    { name: 'stop', label: 'Stop', fields: [{ name: 'id', label: 'Operation id', kind: 'text', placeholder: '1' }] },
  ],
  flags: [
    { flag: '--query', option: 'query', kind: 'string', help: 'GraphQL operation subscribed to once the server acks' },
    { flag: '--variables', option: 'variables', kind: 'json', help: 'its variables, a JSON object' },
    { flag: '--operation-name', option: 'operationName', kind: 'string', help: 'its operation name' },
    { flag: '--init', option: 'init', kind: 'json', help: 'connection_init payload, a JSON object' },
  ],
  cliSend(text) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new AdapterSendError(`GraphQL --send must be a JSON object {"query": …, "variables": …}: ${(err as Error).message}`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new AdapterSendError('GraphQL --send must be a JSON object {"query": …, "variables": …, "operationName": …}');
    }
    return { verb: 'subscribe', fields: value as Record<string, unknown> };
  },
  counts: (d) => d.type === 'next' || d.type === 'data',
  suggests: ({ url, protocol }) => protocol === MODERN || protocol === LEGACY || /\/graphql(\/|$|\?)/i.test(url),
};
