/**
 * The SignalR JSON hub protocol over WebSocket, as the official client speaks it: the negotiate POST
 * first (`{url}/negotiate?negotiateVersion=1`: the connection token, or a redirect with its access
 * token), then the handshake `{"protocol":"json","version":1}` and records ended by U+001E (several
 * in one frame; one cut over frames waits for its end). Pings both ways (ours every 15 s; a server
 * silent for 30 s ends the attempt, the official client's timeout), invocations, streams and their
 * completions (paired with the invocation: target and `latencyMs`), close with the server's error.
 */
import type { IDisposable } from '../lifecycle';
import {
  type Adapter,
  type AdapterAttempt,
  type AdapterHost,
  AdapterOptionError,
  type AdapterSend,
  AdapterSendError,
  type Decoded,
  type InboundFrame,
  type PreconnectContext,
} from './adapter';

export interface SignalrOptions {
  /** Dial the WebSocket at once, without the negotiate POST (servers set to skip it). */
  skipNegotiation: boolean;
}

const RS = '\u001e';
const PING_MS = 15_000;
const SERVER_TIMEOUT_MS = 30_000;
const TYPES: Record<number, string> = {
  1: 'invocation',
  2: 'streamitem',
  3: 'completion',
  4: 'streaminvocation',
  5: 'cancelinvocation',
  6: 'ping',
  7: 'close',
  8: 'ack',
  9: 'sequence',
};

function parseOptions(raw: Record<string, unknown>): SignalrOptions {
  if (raw.skipNegotiation !== undefined && typeof raw.skipNegotiation !== 'boolean') {
    throw new AdapterOptionError('skipNegotiation', 'must be true or false');
  }
  return { skipNegotiation: raw.skipNegotiation === true };
}

function withQuery(url: URL, name: string, value: string): URL {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u;
}

function wsUrl(url: URL): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** The negotiate POSTs (following redirects as the official client does, at most 100) → the URL to dial. */
async function negotiate(url: string, options: SignalrOptions, ctx: PreconnectContext): Promise<string> {
  let base = new URL(url);
  if (base.protocol === 'ws:' || base.protocol === 'wss:') {
    base.protocol = base.protocol === 'wss:' ? 'https:' : 'http:';
  }
  if (options.skipNegotiation) {
    return wsUrl(base);
  }
  let headers: Record<string, string> = { ...(ctx.headers as Record<string, string>) };
  for (let redirects = 0; redirects < 100; redirects++) {
    const n = new URL(base);
    n.pathname = `${n.pathname.replace(/\/$/, '')}/negotiate`;
    n.searchParams.set('negotiateVersion', '1');
    let body: Record<string, unknown>;
    try {
      const res = await fetch(n, { method: 'POST', headers, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]) });
      if (!res.ok) {
        throw new Error(`the negotiate request was answered ${res.status} ${res.statusText}`.trim());
      }
      body = (await res.json()) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`SignalR negotiate failed: ${(err as Error).message}`, { cause: err });
    }
    if (typeof body.error === 'string') {
      throw new Error(`SignalR negotiate refused: ${body.error}`);
    }
    if (typeof body.url === 'string') {
      base = new URL(body.url);
      if (typeof body.accessToken === 'string') {
        headers = { ...headers, Authorization: `Bearer ${body.accessToken}` };
        // A WebSocket from a browser cannot carry the header; servers read the token from the query too.
        base = withQuery(base, 'access_token', body.accessToken);
      }
      continue;
    }
    const transports = Array.isArray(body.availableTransports) ? (body.availableTransports as { transport?: unknown }[]) : [];
    if (!transports.some((t) => t.transport === 'WebSockets')) {
      throw new Error('SignalR negotiate: the server does not offer WebSockets for this hub');
    }
    const token = typeof body.connectionToken === 'string' ? body.connectionToken : body.connectionId;
    return typeof token === 'string' ? wsUrl(withQuery(base, 'id', token)) : wsUrl(base);
  }
  throw new Error('SignalR negotiate: more than 100 redirects');
}

function decodeRecord(text: string): Decoded {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return { protocol: 'signalr', type: 'invalid', error: `not JSON: ${(err as Error).message}` };
  }
  if (typeof m !== 'object' || m === null || typeof m.type !== 'number' || TYPES[m.type] === undefined) {
    return { protocol: 'signalr', type: 'invalid', error: 'not a SignalR hub message: no known "type"' };
  }
  const d: Decoded = { protocol: 'signalr', type: TYPES[m.type]! };
  for (const f of ['target', 'arguments', 'invocationId', 'result', 'error', 'item', 'streamIds', 'allowReconnect', 'headers']) {
    if (m[f] !== undefined) {
      d[f] = m[f];
    }
  }
  if (typeof m.target === 'string') {
    d.label = m.target;
  }
  if (d.type === 'ping') {
    d.keepAlive = true;
  }
  return d;
}

class SignalrAttempt implements AdapterAttempt {
  private handshakeDone = false;
  private pending = '';
  private nextId = 1;
  private lastReceived = 0;
  private readonly timers: IDisposable[] = [];
  /** Our invocations and streams waiting for their completion: their target and when they went. */
  private readonly calls = new Map<string, { target: string; at: number }>();

  constructor(private readonly host: AdapterHost) {}

  opened(): void {
    this.host.sendText(`{"protocol":"json","version":1}${RS}`, { protocol: 'signalr', type: 'handshake', label: 'json 1' });
    this.lastReceived = this.host.now();
    this.timers.push(this.host.setInterval(() => this.tick(), PING_MS));
  }

  receive(frame: InboundFrame): Decoded[] {
    this.lastReceived = this.host.now();
    if (frame.format === 'binary') {
      return [{ protocol: 'signalr', type: 'invalid', error: 'a binary frame: the JSON hub protocol sends text' }];
    }
    const records = (this.pending + frame.bytes.toString('utf8')).split(RS);
    this.pending = records.pop()!;
    const out: Decoded[] = records.map((r) => this.handle(r));
    if (out.length === 0) {
      return [{ protocol: 'signalr', type: 'fragment', partial: true, label: 'part of a message, decoded with the frame that ends it' }];
    }
    if (out.length > 1) {
      out.forEach((d, index) => (d.part = { index, count: out.length }));
    }
    return out;
  }

  send(input: AdapterSend): void {
    if (!this.handshakeDone) {
      throw new AdapterSendError('the SignalR handshake is not done yet');
    }
    const f = input.fields;
    if (input.verb === 'cancel') {
      const id = String(f.invocationId ?? '');
      if (!this.calls.has(id)) {
        throw new AdapterSendError(`no stream ${id || '(no id)'} is running`);
      }
      this.write({ type: 5, invocationId: id });
      return;
    }
    const target = typeof f.target === 'string' ? f.target.trim() : '';
    if (target === '') {
      throw new AdapterSendError(`${input.verb} needs a target (the hub method)`);
    }
    const args = readArguments(f.arguments);
    if (input.verb === 'send') {
      this.write({ type: 1, target, arguments: args });
    } else if (input.verb === 'invoke' || input.verb === 'stream') {
      const invocationId = String(this.nextId++);
      this.calls.set(invocationId, { target, at: this.host.now() });
      this.write({ type: input.verb === 'invoke' ? 1 : 4, invocationId, target, arguments: args });
    } else {
      throw new AdapterSendError(`SignalR has no "${input.verb}" (it invokes, sends, streams and cancels)`);
    }
  }

  dispose(): void {
    for (const t of this.timers) {
      t.dispose();
    }
    this.calls.clear();
  }

  private handle(text: string): Decoded {
    if (!this.handshakeDone) {
      return this.handshake(text);
    }
    const d = decodeRecord(text);
    const id = typeof d.invocationId === 'string' ? d.invocationId : undefined;
    const call = id === undefined ? undefined : this.calls.get(id);
    if (call && (d.type === 'completion' || d.type === 'streamitem')) {
      d.target = call.target;
      d.label = call.target;
      if (d.type === 'completion') {
        this.calls.delete(id!);
        d.latencyMs = Math.max(0, this.host.now() - call.at);
      }
    }
    if (d.type === 'invocation' && id !== undefined) {
      // The server asks us for a result; we have no handler, so answer as the official client does.
      this.write({ type: 3, invocationId: id, error: 'Client did not provide a result.' });
    }
    if (d.type === 'close') {
      const why = typeof d.error === 'string' ? d.error : undefined;
      if (why !== undefined) {
        this.host.fail(`the server closed the connection with an error: ${why}`, { retry: d.allowReconnect === true });
      } else {
        this.host.note('the server closed the hub connection');
      }
    }
    return d;
  }

  private handshake(text: string): Decoded {
    let m: { error?: unknown } | undefined;
    try {
      m = JSON.parse(text) as { error?: unknown };
    } catch {
      m = undefined;
    }
    if (typeof m !== 'object' || m === null) {
      this.host.fail('the SignalR handshake answer is not JSON', { retry: false });
      return { protocol: 'signalr', type: 'invalid', error: 'a handshake answer that is not JSON' };
    }
    if (m.error !== undefined) {
      this.host.fail(`the server refused the SignalR handshake: ${String(m.error)}`, { retry: false });
      return { protocol: 'signalr', type: 'handshake', error: m.error };
    }
    this.handshakeDone = true;
    this.host.ready();
    return { protocol: 'signalr', type: 'handshake' };
  }

  private tick(): void {
    const silent = this.host.now() - this.lastReceived;
    if (silent >= SERVER_TIMEOUT_MS) {
      this.host.fail(`the server sent nothing for ${Math.round(silent / 1000)} s (not even a ping)`, { retry: true });
      return;
    }
    if (this.handshakeDone) {
      this.write({ type: 6 });
    }
  }

  private write(message: Record<string, unknown>): void {
    const text = JSON.stringify(message);
    this.host.sendText(text + RS, decodeRecord(text));
  }
}

/** Arguments as the user gave them: a JSON array (as text from the send box) or an array. */
function readArguments(value: unknown): unknown[] {
  if (value === undefined || value === '') {
    return [];
  }
  let v = value;
  if (typeof value === 'string') {
    try {
      v = JSON.parse(value);
    } catch (err) {
      throw new AdapterSendError(`arguments are not JSON: ${(err as Error).message}`);
    }
  }
  if (!Array.isArray(v)) {
    throw new AdapterSendError('arguments must be a JSON array, one item per parameter');
  }
  return v;
}

export const signalrAdapter: Adapter<SignalrOptions> = {
  name: 'signalr',
  subprotocols: [],
  options: parseOptions,
  preconnect: negotiate,
  begin: (host) => new SignalrAttempt(host),
  verbs: [
    {
      name: 'invoke',
      label: 'Invoke',
      fields: [
        { name: 'target', label: 'Hub method', kind: 'text', placeholder: 'SendMessage' },
        { name: 'arguments', label: 'Arguments', kind: 'json', optional: true, placeholder: '["ada", "hi"]' },
      ],
    },
    {
      name: 'send',
      label: 'Send (no result)',
      fields: [
        { name: 'target', label: 'Hub method', kind: 'text' },
        { name: 'arguments', label: 'Arguments', kind: 'json', optional: true },
      ],
    },
    {
      name: 'stream',
      label: 'Stream',
      fields: [
        { name: 'target', label: 'Hub method', kind: 'text', placeholder: 'Counter' },
        { name: 'arguments', label: 'Arguments', kind: 'json', optional: true, placeholder: '[10, 500]' },
      ],
    },
    { name: 'cancel', label: 'Cancel stream', fields: [{ name: 'invocationId', label: 'Invocation id', kind: 'text' }] },
  ],
  flags: [
    {
      flag: '--skip-negotiate',
      option: 'skipNegotiation',
      kind: 'boolean',
      help: 'dial the WebSocket at once, without the negotiate POST',
    },
  ],
  suggests: ({ url }) => /\/(hubs?\/|[a-z]*hub\b)/i.test(url),
};
