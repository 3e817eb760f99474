// Over 400 lines: one rule set, one validation pass over it; each rule's checks stay beside the others so the messages read alike (the matcher lives in match.ts).
/**
 * A profile's `expect` block: its shape, its validation (messages that name the rule and the
 * problem) and its compiled form, which {@link ContractCheck} runs. No I/O.
 */
import { jsonpath, type JSONPathQuery } from 'json-p3';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export interface CountRange {
  min?: number;
  max?: number;
}

/** What a message must look like. Every field given must hold; none given matches any message. */
export interface Matcher {
  name?: string;
  /** `in` (default): received messages; `out`: what was sent. */
  dir?: 'in' | 'out';
  /** SSE event type: the exact type, or `/regex/flags`. */
  event?: string;
  /** SSE id: the exact id, or `/regex/flags`. */
  id?: string;
  /** The data: a substring, or `/regex/flags`. */
  data?: string;
  /** A JSONPath (RFC 9535) on the data parsed as JSON: matches when it selects a value (that meets `equals` / `type`). */
  json?: string;
  equals?: unknown;
  type?: JsonType;
  /** WebSocket: text or binary. */
  format?: 'text' | 'binary';
}

export interface MessageRule extends Matcher {
  /** The first matching message must arrive within this many ms after open. */
  withinMs?: number;
  /** How many messages must match (default: at least one). */
  count?: CountRange;
}

export interface Expect {
  timeoutMs?: number;
  count?: CountRange;
  messages?: MessageRule[];
  never?: Matcher[];
  close?: { codes?: number[]; ended?: boolean };
  noErrors?: boolean;
  /** SSE: no gap, duplicate or restart across reconnects (the `continuity` findings). */
  continuity?: boolean;
  order?: boolean;
}

/** How long a run lasts when `timeoutMs` is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

const EXPECT_KEYS = new Set(['timeoutMs', 'count', 'messages', 'never', 'close', 'noErrors', 'continuity', 'order']);
const MATCHER_KEYS = ['name', 'dir', 'event', 'id', 'data', 'json', 'equals', 'type', 'format'];
const MESSAGE_KEYS = new Set([...MATCHER_KEYS, 'withinMs', 'count']);
const NEVER_KEYS = new Set(MATCHER_KEYS);
const COUNT_KEYS = new Set(['min', 'max']);
const CLOSE_KEYS = new Set(['codes', 'ended']);
const JSON_TYPES = new Set<JsonType>(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
/** `/body/flags`: the body may hold any character, flags are JavaScript's. */
const REGEX_LITERAL = /^\/(.*)\/([dgimsuvy]*)$/s;

/** A text test: a regular expression when written `/…/flags`, else `plain` (substring or equality). */
export type TextTest = { re: RegExp } | { text: string };

export interface CompiledMatcher {
  dir: 'in' | 'out';
  event?: TextTest;
  id?: TextTest;
  data?: TextTest;
  json?: { path: string; query: JSONPathQuery; equals?: unknown; hasEquals: boolean; type?: JsonType };
  format?: 'text' | 'binary';
}

export interface CompiledMessageRule {
  name: string;
  matcher: CompiledMatcher;
  withinMs?: number;
  min: number;
  max?: number;
}

export interface CompiledNeverRule {
  name: string;
  matcher: CompiledMatcher;
}

export interface CompiledExpect {
  timeoutMs: number;
  count?: { name: string; min?: number; max?: number };
  messages: CompiledMessageRule[];
  never: CompiledNeverRule[];
  close?: { name: string; codes?: number[]; ended?: boolean };
  noErrors?: { name: string };
  continuity?: { name: string };
  order?: { name: string };
}

/** A problem with an `expect` block; `where` names the rule (`expect.messages[1] ("first tick")`). */
export class ExpectError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

/**
 * Checks and compiles an `expect` block. `kind` is the profile's transport when it is known, so a
 * rule that cannot apply to it (close codes on an SSE stream) is an error too. Throws
 * {@link ExpectError} for the first problem.
 */
export function compileExpect(value: unknown, kind?: 'sse' | 'ws'): CompiledExpect {
  if (!isObject(value)) {
    throw new ExpectError('expect', 'must be an object of rules (timeoutMs, count, messages, never, close, noErrors, continuity, order)');
  }
  unknownKey(value, EXPECT_KEYS, 'expect');
  const out: CompiledExpect = { timeoutMs: DEFAULT_TIMEOUT_MS, messages: [], never: [] };
  if (value.timeoutMs !== undefined) {
    out.timeoutMs = positiveInt(value.timeoutMs, 'expect', '"timeoutMs"');
  }
  const names = new Names();
  if (value.count !== undefined) {
    const c = countRange(value.count, 'expect', '"count"');
    out.count = { name: names.take('count'), ...c };
  }
  if (value.messages !== undefined) {
    if (!Array.isArray(value.messages)) {
      throw new ExpectError('expect', '"messages" must be an array of message rules');
    }
    value.messages.forEach((rule, i) => {
      const where = whereOf('messages', i, rule);
      if (!isObject(rule)) {
        throw new ExpectError(where, 'must be an object such as { "event": "tick" } or { "data": "/^ok/" }');
      }
      unknownKey(rule, MESSAGE_KEYS, where);
      const matcher = compileMatcher(rule, where);
      const compiled: CompiledMessageRule = { name: names.take(ruleName(rule, matcher)), matcher, min: 1 };
      if (rule.withinMs !== undefined) {
        compiled.withinMs = positiveInt(rule.withinMs, where, '"withinMs"');
      }
      if (rule.count !== undefined) {
        const c = countRange(rule.count, where, '"count"');
        compiled.min = c.min ?? 0;
        compiled.max = c.max;
      }
      out.messages.push(compiled);
    });
  }
  if (value.never !== undefined) {
    if (!Array.isArray(value.never)) {
      throw new ExpectError('expect', '"never" must be an array of matchers');
    }
    value.never.forEach((rule, i) => {
      const where = whereOf('never', i, rule);
      if (!isObject(rule)) {
        throw new ExpectError(where, 'must be an object such as { "data": "/error/i" }');
      }
      unknownKey(rule, NEVER_KEYS, where);
      const matcher = compileMatcher(rule, where);
      out.never.push({ name: names.take(typeof rule.name === 'string' ? rule.name : `never ${describe(matcher)}`), matcher });
    });
  }
  if (value.close !== undefined) {
    const c = value.close;
    if (!isObject(c)) {
      throw new ExpectError('expect', '"close" must be { "codes": [1000] } (WebSocket) or { "ended": true } (SSE)');
    }
    unknownKey(c, CLOSE_KEYS, 'expect.close');
    const close: NonNullable<CompiledExpect['close']> = { name: names.take('close') };
    if (c.codes !== undefined) {
      if (!Array.isArray(c.codes) || c.codes.length === 0 || c.codes.some((x) => !Number.isInteger(x) || x < 1000 || x > 4999)) {
        throw new ExpectError('expect.close', '"codes" must be a non-empty array of close codes (1000-4999)');
      }
      if (kind === 'sse') {
        throw new ExpectError('expect.close', '"codes" is for WebSocket; an SSE stream has no close code (use { "ended": true })');
      }
      close.codes = c.codes as number[];
    }
    if (c.ended !== undefined) {
      if (typeof c.ended !== 'boolean') {
        throw new ExpectError('expect.close', '"ended" must be true or false');
      }
      close.ended = c.ended;
    }
    if (close.codes === undefined && close.ended === undefined) {
      throw new ExpectError('expect.close', 'needs "codes" (WebSocket) or "ended" (SSE)');
    }
    if (close.codes !== undefined && close.ended === false) {
      throw new ExpectError('expect.close', '"codes" expects a close, "ended": false expects none: use one of them');
    }
    out.close = close;
  }
  for (const key of ['noErrors', 'continuity', 'order'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') {
      throw new ExpectError('expect', `"${key}" must be true or false`);
    }
  }
  if (value.noErrors === true) {
    out.noErrors = { name: names.take('no errors') };
  }
  if (value.continuity === true) {
    if (kind === 'ws') {
      throw new ExpectError('expect', '"continuity" checks SSE event ids across reconnects: a WebSocket has none');
    }
    out.continuity = { name: names.take('continuity') };
  }
  if (value.order === true) {
    if (out.messages.length < 2) {
      throw new ExpectError('expect', '"order" needs at least two "messages" rules to order');
    }
    out.order = { name: names.take('order') };
  }
  if (!out.count && !out.messages.length && !out.never.length && !out.close && !out.noErrors && !out.continuity) {
    throw new ExpectError('expect', 'has no rule (count, messages, never, close, noErrors or continuity)');
  }
  return out;
}

/** The first problem with an `expect` block as one message, or undefined when it is valid. */
export function expectProblem(value: unknown, kind?: 'sse' | 'ws'): string | undefined {
  try {
    compileExpect(value, kind);
    return undefined;
  } catch (err) {
    if (err instanceof ExpectError) {
      return err.message;
    }
    throw err;
  }
}

/** Every rule's name, in the order results are listed (the Testing view's items). */
export function ruleNames(c: CompiledExpect): string[] {
  return [
    ...(c.count ? [c.count.name] : []),
    ...c.messages.map((r) => r.name),
    ...c.never.map((r) => r.name),
    ...(c.close ? [c.close.name] : []),
    ...(c.noErrors ? [c.noErrors.name] : []),
    ...(c.continuity ? [c.continuity.name] : []),
    ...(c.order ? [c.order.name] : []),
  ];
}

function compileMatcher(rule: Record<string, unknown>, where: string): CompiledMatcher {
  if (rule.name !== undefined && (typeof rule.name !== 'string' || !rule.name.trim())) {
    throw new ExpectError(where, '"name" must be a non-empty string');
  }
  const m: CompiledMatcher = { dir: 'in' };
  if (rule.dir !== undefined) {
    if (rule.dir !== 'in' && rule.dir !== 'out') {
      throw new ExpectError(where, '"dir" must be "in" (received) or "out" (sent)');
    }
    m.dir = rule.dir;
  }
  for (const key of ['event', 'id', 'data'] as const) {
    if (rule[key] !== undefined) {
      if (typeof rule[key] !== 'string') {
        throw new ExpectError(where, `"${key}" must be a string: ${key === 'data' ? 'a substring' : 'the exact text'} or /regex/flags`);
      }
      m[key] = textTest(rule[key] as string, where, key);
    }
  }
  if (rule.format !== undefined) {
    if (rule.format !== 'text' && rule.format !== 'binary') {
      throw new ExpectError(where, '"format" must be "text" or "binary"');
    }
    m.format = rule.format;
  }
  if (rule.json !== undefined) {
    if (typeof rule.json !== 'string') {
      throw new ExpectError(where, '"json" must be a JSONPath such as "$.price"');
    }
    let query: JSONPathQuery;
    try {
      query = jsonpath.compile(rule.json);
    } catch (err) {
      throw new ExpectError(where, `"json": "${rule.json}" is not a valid JSONPath: ${(err as Error).message}`);
    }
    const json: NonNullable<CompiledMatcher['json']> = { path: rule.json, query, hasEquals: 'equals' in rule };
    if ('equals' in rule) {
      json.equals = rule.equals;
    }
    if (rule.type !== undefined) {
      if (typeof rule.type !== 'string' || !JSON_TYPES.has(rule.type as JsonType)) {
        throw new ExpectError(where, `"type" must be one of ${[...JSON_TYPES].join(', ')}`);
      }
      json.type = rule.type as JsonType;
    }
    m.json = json;
  } else if ('equals' in rule || rule.type !== undefined) {
    throw new ExpectError(where, `"${'equals' in rule ? 'equals' : 'type'}" needs "json" (the JSONPath of the value to check)`);
  }
  return m;
}

function textTest(value: string, where: string, key: string): TextTest {
  const literal = REGEX_LITERAL.exec(value);
  if (!literal || value.length < 2) {
    return { text: value };
  }
  try {
    return { re: new RegExp(literal[1], literal[2].replace(/[gy]/g, '')) };
  } catch (err) {
    throw new ExpectError(where, `"${key}": ${value} is not a valid regular expression: ${(err as Error).message}`);
  }
}

function countRange(value: unknown, where: string, what: string): CountRange {
  if (!isObject(value)) {
    throw new ExpectError(where, `${what} must be { "min": N, "max": M } (either may be left out)`);
  }
  unknownKey(value, COUNT_KEYS, `${where} ${what}`);
  const out: CountRange = {};
  for (const key of ['min', 'max'] as const) {
    if (value[key] !== undefined) {
      if (!Number.isSafeInteger(value[key]) || (value[key] as number) < 0) {
        throw new ExpectError(where, `${what}: "${key}" must be a whole number, 0 or more`);
      }
      out[key] = value[key] as number;
    }
  }
  if (out.min === undefined && out.max === undefined) {
    throw new ExpectError(where, `${what} needs "min", "max" or both`);
  }
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) {
    throw new ExpectError(where, `${what}: "min" (${out.min}) is more than "max" (${out.max})`);
  }
  return out;
}

function positiveInt(value: unknown, where: string, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new ExpectError(where, `${what} must be a positive whole number of milliseconds`);
  }
  return value as number;
}

function unknownKey(value: Record<string, unknown>, keys: Set<string>, where: string): void {
  const extra = Object.keys(value).find((k) => !keys.has(k));
  if (extra !== undefined) {
    throw new ExpectError(where, `unknown property "${extra}" (expected ${[...keys].join(', ')})`);
  }
}

function whereOf(list: string, i: number, rule: unknown): string {
  const name = isObject(rule) && typeof rule.name === 'string' && rule.name.trim() ? ` ("${rule.name}")` : '';
  return `expect.${list}[${i}]${name}`;
}

function ruleName(rule: Record<string, unknown>, m: CompiledMatcher): string {
  if (typeof rule.name === 'string') {
    return rule.name;
  }
  return describe(m);
}

/** A matcher in words, as a rule's default name: `event "tick" and data /Message \d+/`. */
export function describe(m: CompiledMatcher): string {
  const parts: string[] = [];
  const text = (t: TextTest, quote: boolean) => ('re' in t ? String(t.re) : quote ? JSON.stringify(t.text) : t.text);
  if (m.event) {
    parts.push(`event ${text(m.event, true)}`);
  }
  if (m.id) {
    parts.push(`id ${text(m.id, true)}`);
  }
  if (m.data) {
    parts.push(`data ${text(m.data, true)}`);
  }
  if (m.format) {
    parts.push(m.format);
  }
  if (m.json) {
    let j = m.json.path;
    if (m.json.type) {
      j += ` is ${m.json.type}`;
    }
    if (m.json.hasEquals) {
      j += ` equals ${JSON.stringify(m.json.equals)}`;
    }
    parts.push(j);
  }
  const what = parts.length ? parts.join(' and ') : 'any message';
  return m.dir === 'out' ? `sent ${what}` : what;
}

/** Rule names are unique in a profile (a JUnit test case and a Testing view item each): a repeat gets " (2)". */
class Names {
  private readonly taken = new Set<string>();
  take(name: string): string {
    let out = name;
    for (let n = 2; this.taken.has(out); n++) {
      out = `${name} (${n})`;
    }
    this.taken.add(out);
    return out;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
