/**
 * JSON-RPC 2.0 over any WebSocket (Ethereum nodes, language servers, custom APIs). There is no
 * handshake, so the attempt is ready at once; every frame is read by `core/jsonRpc.ts` (a batch split
 * into its parts) and each response is paired with the request this side sent, which gives it the
 * request's method and `latencyMs`. Sends: a request (numbered ids from 1), a notification, or a raw
 * message or batch typed by the user, checked to be JSON-RPC before it goes.
 */
import { decodeJsonRpcText, decodeJsonRpcValue, JsonRpcTracker, type JsonRpcDecoded } from '../jsonRpc';
import {
  type Adapter,
  type AdapterAttempt,
  type AdapterHost,
  AdapterOptionError,
  type AdapterSend,
  AdapterSendError,
  type Decoded,
  type InboundFrame,
} from './adapter';

export interface JsonRpcOptions {
  /** A request (or, with `notify`, a notification) sent as soon as the socket opens. */
  method?: string;
  params?: unknown;
  notify?: boolean;
}

function parseOptions(raw: Record<string, unknown>): JsonRpcOptions {
  const o: JsonRpcOptions = {};
  if (raw.method !== undefined) {
    if (typeof raw.method !== 'string' || raw.method === '') {
      throw new AdapterOptionError('method', 'must be a method name (text)');
    }
    o.method = raw.method;
  }
  if (raw.params !== undefined) {
    if (typeof raw.params !== 'object' || raw.params === null) {
      throw new AdapterOptionError('params', 'must be an array or an object (JSON-RPC 2.0 params are by position or by name)');
    }
    if (o.method === undefined) {
      throw new AdapterOptionError('params', 'needs a method to send them with');
    }
    o.params = raw.params;
  }
  if (raw.notify !== undefined) {
    if (typeof raw.notify !== 'boolean') {
      throw new AdapterOptionError('notify', 'must be true or false');
    }
    o.notify = raw.notify;
  }
  return o;
}

/** Params as a user typed them: JSON text (from the send box) or a value; absent when empty. */
function readParams(value: unknown): unknown {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  let v = value;
  if (typeof value === 'string') {
    try {
      v = JSON.parse(value);
    } catch (err) {
      throw new AdapterSendError(`params are not JSON: ${(err as Error).message}`);
    }
  }
  if (typeof v !== 'object' || v === null) {
    throw new AdapterSendError('params must be an array or an object');
  }
  return v;
}

class JsonRpcAttempt implements AdapterAttempt {
  private readonly tracker = new JsonRpcTracker();
  private nextId = 1;

  constructor(
    private readonly host: AdapterHost,
    private readonly options: JsonRpcOptions,
  ) {}

  opened(): void {
    this.host.ready();
    if (this.options.method !== undefined) {
      this.call(this.options.notify ? 'notification' : 'request', this.options.method, this.options.params);
    }
  }

  receive(frame: InboundFrame): Decoded[] {
    const parts = decodeJsonRpcText(frame.bytes.toString('utf8'));
    const at = this.host.now();
    for (const d of parts) {
      this.tracker.received(d, at);
    }
    return parts;
  }

  send(input: AdapterSend): void {
    const f = input.fields;
    if (input.verb === 'raw') {
      this.sendRaw(f.message);
      return;
    }
    if (input.verb !== 'request' && input.verb !== 'notification') {
      throw new AdapterSendError(`JSON-RPC has no "${input.verb}" (it sends a request, a notification or a raw message)`);
    }
    if (typeof f.method !== 'string' || f.method.trim() === '') {
      throw new AdapterSendError('a JSON-RPC call needs a method name');
    }
    this.call(input.verb, f.method.trim(), readParams(f.params));
  }

  dispose(): void {
    this.tracker.clear();
  }

  private call(kind: 'request' | 'notification', method: string, params: unknown): void {
    const message: Record<string, unknown> = { jsonrpc: '2.0', method };
    if (params !== undefined) {
      message.params = params;
    }
    if (kind === 'request') {
      message.id = this.nextId++;
    }
    this.write(JSON.stringify(message), decodeJsonRpcValue(message)[0]!);
  }

  /** A message or batch the user wrote: sent as typed once it reads as JSON-RPC. */
  private sendRaw(text: unknown): void {
    if (typeof text !== 'string' || text.trim() === '') {
      throw new AdapterSendError('the message is empty');
    }
    const parts = decodeJsonRpcText(text);
    const bad = parts.find((p) => p.type === 'invalid');
    if (bad) {
      throw new AdapterSendError(`not a JSON-RPC message: ${String(bad.error)}`);
    }
    const decoded: Decoded =
      parts.length === 1 ? parts[0]! : { protocol: 'json-rpc', type: 'batch', parts, label: `${parts.length} messages` };
    this.write(text, decoded, parts);
  }

  private write(text: string, decoded: Decoded, parts: JsonRpcDecoded[] = [decoded as JsonRpcDecoded]): void {
    const at = this.host.now();
    for (const p of parts) {
      this.tracker.sent(p, at);
    }
    this.host.sendText(text, decoded);
  }
}

export const jsonRpcAdapter: Adapter<JsonRpcOptions> = {
  name: 'json-rpc',
  subprotocols: [],
  options: parseOptions,
  begin: (host, options) => new JsonRpcAttempt(host, options),
  verbs: [
    {
      name: 'request',
      label: 'Request',
      fields: [
        { name: 'method', label: 'Method', kind: 'text', placeholder: 'eth_blockNumber' },
        { name: 'params', label: 'Params', kind: 'json', optional: true, placeholder: '[]' },
      ],
    },
    {
      name: 'notification',
      label: 'Notification',
      fields: [
        { name: 'method', label: 'Method', kind: 'text' },
        { name: 'params', label: 'Params', kind: 'json', optional: true },
      ],
    },
    {
      name: 'raw',
      label: 'Message',
      fields: [{ name: 'message', label: 'Message or batch', kind: 'multiline', placeholder: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }],
    },
  ],
  flags: [
    { flag: '--rpc-method', option: 'method', kind: 'string', help: 'send a request to METHOD once connected' },
    { flag: '--rpc-params', option: 'params', kind: 'json', help: "the request's params (a JSON array or object)" },
    { flag: '--notify', option: 'notify', kind: 'boolean', help: 'send --rpc-method as a notification (no id, no answer)' },
  ],
  suggests: ({ url, protocol }) => /json-?rpc/i.test(protocol ?? '') || /json-?rpc|\/rpc\b/i.test(url),
};
