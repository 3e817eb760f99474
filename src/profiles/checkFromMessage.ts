/**
 * "Expect an event like this": the rules Add Check from Message offers for one message of the log —
 * its SSE event type, a JSONPath to each scalar leaf of its data parsed as JSON (the value, or its
 * type), its text as a substring. No `vscode`: the command shows these in a quick pick.
 */
import type { JsonType, MessageRule } from '../core/contracts/expect';
import type { MessageRecord } from '../core/records';

export interface CheckChoice {
  /** What the rule says, as the quick pick lists it: `$.type equals "trade"`. */
  label: string;
  /** Which kind of choice (event, JSON, text). */
  group: 'event' | 'json' | 'text' | 'format';
  rule: MessageRule;
}

/** Most JSON leaves offered (a large document would bury the useful ones). */
const MAX_LEAVES = 40;
/** Deepest nesting looked into. */
const MAX_DEPTH = 6;
/** Most characters of the data a text rule quotes (a prefix is still a substring of the message). */
const MAX_TEXT = 200;
/** Longest string value an `equals` quotes. */
const MAX_EQUALS = 200;

/**
 * The rules that `record` would match, most specific kind first. `mask` returns the text with any
 * secret masked: a value that holds one is not offered (a rule in settings must never carry it).
 */
export function checkChoices(
  record: Pick<MessageRecord, 'dir' | 'format' | 'data' | 'event'>,
  mask: (text: string) => string,
): CheckChoice[] {
  const base: Pick<MessageRule, 'dir'> = record.dir === 'out' ? { dir: 'out' } : {};
  const clean = (text: string) => mask(text) === text;
  const out: CheckChoice[] = [];
  const event = record.event;
  if (event !== undefined && clean(event)) {
    out.push({ label: `event is ${JSON.stringify(event)}`, group: 'event', rule: { ...base, event: exact(event) } });
  }
  if (record.format === 'binary') {
    out.push({ label: 'a binary message', group: 'format', rule: { ...base, format: 'binary' } });
    return out;
  }
  const data = record.data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null) {
    for (const leaf of leaves(parsed)) {
      const { path, value } = leaf;
      const type = jsonType(value);
      if (typeof value !== 'string' || (value.length <= MAX_EQUALS && clean(value))) {
        out.push({ label: `${path} equals ${JSON.stringify(value)}`, group: 'json', rule: { ...base, json: path, equals: value } });
      }
      out.push({ label: `${path} type ${type}`, group: 'json', rule: { ...base, json: path, type } });
    }
  }
  const text = data.length > MAX_TEXT ? data.slice(0, MAX_TEXT) : data;
  if (text && clean(text)) {
    out.push({ label: `data contains ${JSON.stringify(text)}`, group: 'text', rule: { ...base, data: substring(text) } });
  }
  return out;
}

interface Leaf {
  path: string;
  value: string | number | boolean | null;
}

/** The scalar leaves, breadth first (top-level fields before nested ones), as RFC 9535 paths. */
function leaves(root: unknown): Leaf[] {
  const out: Leaf[] = [];
  let level: { path: string; value: unknown }[] = [{ path: '$', value: root }];
  for (let depth = 0; depth < MAX_DEPTH && level.length && out.length < MAX_LEAVES; depth++) {
    const next: { path: string; value: unknown }[] = [];
    for (const node of level) {
      const entries: [string, unknown][] = Array.isArray(node.value)
        ? node.value.map((v, i) => [`${node.path}[${i}]`, v])
        : Object.entries(node.value as Record<string, unknown>).map(([k, v]) => [`${node.path}${member(k)}`, v]);
      for (const [path, value] of entries) {
        if (value !== null && typeof value === 'object') {
          next.push({ path, value });
        } else if (out.length < MAX_LEAVES) {
          out.push({ path, value: value as Leaf['value'] });
        }
      }
    }
    level = next;
  }
  return out;
}

/** `.name` for a plain name, else `['it\'s']` written as RFC 9535 asks (backslash and quote escaped). */
function member(key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
    return `.${key}`;
  }
  let escaped = '';
  for (const c of key) {
    const code = c.charCodeAt(0);
    escaped += c === '\\' || c === "'" ? `\\${c}` : code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return `['${escaped}']`;
}

function jsonType(v: Leaf['value']): JsonType {
  if (v === null) {
    return 'null';
  }
  if (typeof v === 'number') {
    // Not `integer` for a whole number: a price of 100 now may be 100.5 next.
    return 'number';
  }
  return typeof v === 'boolean' ? 'boolean' : 'string';
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** An exact `event` (written as text, unless it reads as `/regex/`, then as the regex of that exact text). */
function exact(text: string): string {
  return looksLikeRegex(text) ? `/^${text.replace(REGEX_SPECIAL, '\\$&')}$/` : text;
}

/** A `data` substring, the same way. */
function substring(text: string): string {
  return looksLikeRegex(text) ? `/${text.replace(REGEX_SPECIAL, '\\$&')}/` : text;
}

function looksLikeRegex(text: string): boolean {
  return /^\/[\s\S]*\/[a-z]*$/.test(text);
}
