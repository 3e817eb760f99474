/**
 * JSON-RPC 2.0 read as messages: a request, a notification, a response or an error response, with a
 * batch split into its parts. One reading for the WebSocket adapter (`adapters/jsonRpc.ts`) and the
 * MCP session (`mcp/`). {@link JsonRpcTracker} pairs each response with the request it answers: the
 * response's `decoded` gets that request's `method` and `latencyMs`.
 */
import type { Decoded } from './records';

export type JsonRpcId = string | number | null;

export type JsonRpcType = 'request' | 'notification' | 'response' | 'error';

/** A JSON-RPC message as decoded. `error` is the error response's error object. */
export interface JsonRpcDecoded extends Decoded {
  protocol: 'json-rpc';
  type: JsonRpcType | 'invalid';
  id?: JsonRpcId;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
  latencyMs?: number;
  /** A response whose id answers no request this side sent (or answered twice). */
  unmatched?: true;
}

function isId(v: unknown): v is JsonRpcId {
  return v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function invalid(why: string): JsonRpcDecoded {
  return { protocol: 'json-rpc', type: 'invalid', error: why };
}

/** One parsed JSON value read as a JSON-RPC 2.0 message (never throws; `type: 'invalid'` says why not). */
export function classifyJsonRpc(value: unknown): JsonRpcDecoded {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('not a JSON-RPC message: expected an object');
  }
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') {
    return invalid(
      m.jsonrpc === undefined
        ? 'not a JSON-RPC 2.0 message: no "jsonrpc": "2.0"'
        : `not JSON-RPC 2.0: "jsonrpc" is ${JSON.stringify(m.jsonrpc)}`,
    );
  }
  if (typeof m.method === 'string') {
    const d: JsonRpcDecoded = { protocol: 'json-rpc', type: 'notification', method: m.method, label: m.method };
    if ('id' in m) {
      if (!isId(m.id)) {
        return invalid(`request "${m.method}" has an id that is not a string, number or null`);
      }
      d.type = 'request';
      d.id = m.id;
    }
    if ('params' in m) {
      d.params = m.params;
    }
    return d;
  }
  if ('method' in m) {
    return invalid('"method" is not a string');
  }
  if (!('id' in m) || !isId(m.id)) {
    return invalid('neither a request (no "method") nor a response (no valid "id")');
  }
  if ('error' in m) {
    const e = m.error as { code?: unknown; message?: unknown } | null;
    const d: JsonRpcDecoded = { protocol: 'json-rpc', type: 'error', id: m.id, error: m.error };
    if (typeof e?.message === 'string') {
      d.label = typeof e.code === 'number' ? `${e.code} ${e.message}` : e.message;
    }
    return d;
  }
  if ('result' in m) {
    return { protocol: 'json-rpc', type: 'response', id: m.id, result: m.result };
  }
  return invalid('a response needs "result" or "error"');
}

/**
 * A frame's text read as JSON-RPC: one entry per message, a batch split into its parts (each with
 * `part`). Text that is not JSON is one `invalid` entry saying why.
 */
export function decodeJsonRpcText(text: string): JsonRpcDecoded[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return [invalid(`not JSON: ${(err as Error).message}`)];
  }
  return decodeJsonRpcValue(value);
}

/** A parsed value read as JSON-RPC: a batch (array) split into its parts. */
export function decodeJsonRpcValue(value: unknown): JsonRpcDecoded[] {
  if (!Array.isArray(value)) {
    return [classifyJsonRpc(value)];
  }
  if (value.length === 0) {
    return [invalid('an empty batch')];
  }
  return value.map((v, index) => ({ ...classifyJsonRpc(v), part: { index, count: value.length } }));
}

/** Whether a parsed value looks like JSON-RPC 2.0 (for detection: an object or batch carrying `"jsonrpc": "2.0"`). */
export function looksLikeJsonRpc(value: unknown): boolean {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'object' && first !== null && (first as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

/** Most requests kept waiting for an answer; beyond this the oldest is forgotten. */
const MAX_PENDING = 10_000;

/**
 * Requests this side sent, by id, until answered: an answer gets the request's `method` and
 * `latencyMs` (from the request's time to the response's). An answer to no pending request is
 * marked `unmatched`. Requests the other side sends are never pending here (ids are per direction).
 */
export class JsonRpcTracker {
  private readonly pending = new Map<string, { method: string; at: number }>();

  /** An outbound message: a request is remembered. */
  sent(d: JsonRpcDecoded, at: number): void {
    if (d.type !== 'request' || d.method === undefined) {
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    this.pending.set(JSON.stringify(d.id), { method: d.method, at });
  }

  /** An inbound message: a response or error is paired with its request (mutates `d`). */
  received(d: JsonRpcDecoded, at: number): void {
    if (d.type !== 'response' && d.type !== 'error') {
      return;
    }
    const key = JSON.stringify(d.id);
    const req = this.pending.get(key);
    if (!req) {
      d.unmatched = true;
      return;
    }
    this.pending.delete(key);
    d.method = req.method;
    d.latencyMs = Math.max(0, at - req.at);
    d.label ??= req.method;
  }

  /** The method of a request still waiting for its answer. */
  pendingMethod(id: JsonRpcId): string | undefined {
    return this.pending.get(JSON.stringify(id))?.method;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  clear(): void {
    this.pending.clear();
  }
}
