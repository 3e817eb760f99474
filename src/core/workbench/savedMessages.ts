/**
 * Saved messages (a profile's `messages`): named messages the send box lists and the CLI can send,
 * `{ "name": "subscribe BTC", "format": "json", "body": "{…}" }`, text, JSON or binary as base64, or
 * for a protocol adapter its verb and fields (`{ "name": "join", "verb": "emit", "fields": {…} }`,
 * the shape of `AdapterSend`). Bodies may hold `{{…}}` placeholders and `${env:}`/`${secret:}`.
 */
import { parseBase64 } from '../payloadText';
import { placeholderProblem } from './placeholders';

export type SavedMessageFormat = 'text' | 'json' | 'binary';

export interface SavedMessage {
  name: string;
  /** Default `text`. Not used with `verb`. */
  format?: SavedMessageFormat;
  /** The message as written: text, JSON text (or a JSON value), or base64 for binary. */
  body?: unknown;
  /** A protocol adapter's send verb (emit, subscribe, publish…), with its `fields`. */
  verb?: string;
  fields?: Record<string, unknown>;
}

/** A saved message ready to send (placeholders resolved by the caller). */
export type MessagePayload =
  { type: 'text'; text: string } | { type: 'binary'; bytes: Uint8Array } | { type: 'verb'; verb: string; fields: Record<string, unknown> };

const KEYS = new Set(['name', 'format', 'body', 'verb', 'fields']);

/**
 * The first problem with a profile's `messages`, naming the message by index and name, or undefined.
 * `checkTemplates` checks each string's `${…}`.
 */
export function messagesProblem(
  value: unknown,
  transport: 'sse' | 'ws' | undefined,
  checkTemplates: (text: string) => string | undefined,
): string | undefined {
  if (!Array.isArray(value)) {
    return '"messages" must be an array of { "name", "format": "text" | "json" | "binary", "body" }';
  }
  if (transport === 'sse' && value.length > 0) {
    return '"messages" are for WebSocket: an SSE stream only receives';
  }
  const names = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const m: unknown = value[i];
    const named = isObject(m) && typeof m.name === 'string' && m.name.trim() ? ` ("${m.name}")` : '';
    const problem = messageProblem(m, checkTemplates);
    if (problem) {
      return `"messages[${i}]"${named}: ${problem}`;
    }
    const name = (m as SavedMessage).name;
    if (names.has(name)) {
      return `"messages[${i}]"${named}: another message is already named "${name}"`;
    }
    names.add(name);
  }
  return undefined;
}

/** The first problem with one saved message, or undefined. */
export function messageProblem(m: unknown, checkTemplates: (text: string) => string | undefined = () => undefined): string | undefined {
  if (!isObject(m)) {
    return 'must be an object with "name" and "body" (or "verb")';
  }
  const extra = Object.keys(m).find((k) => !KEYS.has(k));
  if (extra) {
    return `unknown property "${extra}"`;
  }
  if (typeof m.name !== 'string' || !m.name.trim()) {
    return '"name" is required and must be a non-empty string';
  }
  const strings: string[] = [];
  if (m.verb !== undefined) {
    if (typeof m.verb !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(m.verb)) {
      return '"verb" must be a protocol verb such as "emit", "subscribe" or "publish"';
    }
    if (m.format !== undefined || m.body !== undefined) {
      return 'a message has either "verb" (with "fields") or "format" and "body", not both';
    }
    if (m.fields !== undefined && !isObject(m.fields)) {
      return '"fields" must be an object';
    }
    collect(m.fields, strings);
  } else {
    if (m.fields !== undefined) {
      return '"fields" goes with "verb"';
    }
    const format = m.format ?? 'text';
    if (format !== 'text' && format !== 'json' && format !== 'binary') {
      return '"format" must be "text", "json" or "binary"';
    }
    if (m.body === undefined) {
      return '"body" is required';
    }
    if (format === 'json') {
      if (typeof m.body === 'string') {
        const problem = jsonProblem(m.body);
        if (problem) {
          return `"body" is not JSON: ${problem}`;
        }
      }
      collect(m.body, strings);
    } else {
      if (typeof m.body !== 'string') {
        return `"body" must be a string${format === 'binary' ? ' of base64' : ''}`;
      }
      if (format === 'binary' && !m.body.includes('{{') && !parseBase64(m.body.trim(), { canonical: true }).ok) {
        return '"body" must be base64 for a binary message';
      }
      strings.push(m.body);
    }
  }
  for (const s of strings) {
    const problem = placeholderProblem(s) ?? checkTemplates(s);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/**
 * Whether JSON text with placeholders parses: each `{{…}}` outside a string stands for a number
 * (`{"n": {{$randomInt 1 9}}}`), inside one it is text.
 */
function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text.replace(/\{\{[^{}]*\}\}/g, '0'));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The payload of a saved message whose placeholders are resolved. A JSON value is sent as compact JSON text. */
export function messagePayload(m: SavedMessage): MessagePayload {
  if (m.verb !== undefined) {
    return { type: 'verb', verb: m.verb, fields: m.fields ?? {} };
  }
  const format = m.format ?? 'text';
  if (format === 'json') {
    const text = typeof m.body === 'string' ? m.body : JSON.stringify(m.body);
    JSON.parse(text);
    return { type: 'text', text };
  }
  if (format === 'binary') {
    const parsed = parseBase64(String(m.body).trim(), { canonical: true });
    if (!parsed.ok) {
      throw new Error(`message "${m.name}": the body is not base64 once resolved`);
    }
    return { type: 'binary', bytes: parsed.bytes };
  }
  return { type: 'text', text: String(m.body) };
}

/** The body as the send box shows it: the text, JSON text (a JSON value pretty-printed), or base64. */
export function messageText(m: SavedMessage): string {
  if (m.verb !== undefined) {
    return JSON.stringify(m.fields ?? {}, null, 2);
  }
  return typeof m.body === 'string' ? m.body : JSON.stringify(m.body, null, 2);
}

/** The strings of saved messages that may hold templates (bodies, and the strings inside JSON values and fields). */
export function messageStrings(messages: readonly SavedMessage[] | undefined): string[] {
  const out: string[] = [];
  for (const m of messages ?? []) {
    collect(m.body, out);
    collect(m.fields, out);
  }
  return out;
}

function collect(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    out.push(v);
  } else if (Array.isArray(v)) {
    v.forEach((x) => collect(x, out));
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      collect(x, out);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
