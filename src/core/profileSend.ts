/** A profile's `send`: the messages it sends after every open, their check and their payloads. */
import { jsonStrings } from './jsonStrings';
import { parseBase64 } from './payloadText';

/** A message a profile sends: text as written, a JSON value (sent as its JSON text), or binary as base64. */
export type SendItem = string | { text: string } | { json: unknown } | { binary: string };

/** A send item as the connection sends it. */
export type SendPayload = { type: 'text'; text: string } | { type: 'binary'; bytes: Uint8Array };

/** The payloads of a profile's `send`, in order (templates already resolved). */
export function sendPayloads(items: readonly SendItem[] | undefined): SendPayload[] {
  return (items ?? []).map((item) => {
    if (typeof item === 'string') {
      return { type: 'text', text: item };
    }
    if ('text' in item) {
      return { type: 'text', text: item.text };
    }
    if ('json' in item) {
      return { type: 'text', text: JSON.stringify(item.json) };
    }
    const parsed = parseBase64(item.binary, { canonical: true });
    return { type: 'binary', bytes: parsed.ok ? parsed.bytes : new Uint8Array() };
  });
}

/** The strings of `send` items that may hold templates (text, and the strings inside a JSON value). */
export function sendStrings(items: readonly SendItem[] | undefined): string[] {
  const out: string[] = [];
  for (const item of items ?? []) {
    if (typeof item === 'string') {
      out.push(item);
    } else if (isObject(item) && 'text' in item) {
      out.push(String(item.text));
    } else if (isObject(item) && 'json' in item) {
      jsonStrings(item.json, out);
    }
  }
  return out;
}

/** The first problem with a profile's `send`, or undefined. `checkTemplates` checks each string's `${…}`. */
export function sendProblem(
  value: unknown,
  transport: 'sse' | 'ws' | undefined,
  checkTemplates: (text: string) => string | undefined,
): string | undefined {
  if (!Array.isArray(value)) {
    return '"send" must be an array of messages: "text", { "text": "…" }, { "json": value } or { "binary": "base64" }';
  }
  if (transport === 'sse' && value.length > 0) {
    return '"send" is for WebSocket: an SSE stream only receives';
  }
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const where = `"send[${i}]"`;
    if (typeof item === 'string') {
      const t = checkTemplates(item);
      if (t) {
        return `${where}: ${t}`;
      }
      continue;
    }
    if (!isObject(item) || Object.keys(item).length !== 1 || !['text', 'json', 'binary'].includes(Object.keys(item)[0])) {
      return `${where} must be a string, { "text": "…" }, { "json": value } or { "binary": "base64" }`;
    }
    if ('text' in item && typeof item.text !== 'string') {
      return `${where}: "text" must be a string`;
    }
    if ('binary' in item && (typeof item.binary !== 'string' || !parseBase64(item.binary, { canonical: true }).ok)) {
      return `${where}: "binary" must be base64`;
    }
    for (const s of sendStrings([item as SendItem])) {
      const t = checkTemplates(s);
      if (t) {
        return `${where}: ${t}`;
      }
    }
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
