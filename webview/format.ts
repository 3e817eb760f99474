/**
 * Text formatting for the log and the detail pane. DOM-free (unit-tested under plain Node): every
 * function here is total — it returns a value for any input and never throws — and bounds its own
 * work, because its input is whatever a server sent.
 */
import type { ConnRecord, ConnectionStatus } from '../src/protocol';
import { jsonEscape, replaceUnsafe, unicodeEscape } from '../src/core/unsafeText';

// ---------- control characters ----------

/*
 * Characters that must not reach the screen as themselves (controls, bidi controls, invisible and tag
 * characters, lone surrogates): one rule for the panel and the CLI, in src/core/unsafeText.ts.
 */

function controlPicture(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && code < 0x20) {
    return String.fromCharCode(0x2400 + code); // ␀ … ␟ (␊ for LF, ␍ for CR)
  }
  if (code === 0x7f) {
    return '\u2421'; // ␡
  }
  return unicodeEscape(ch);
}

/**
 * One-line previews use the arrows editors use for whitespace for the common cases (TAB → and
 * LF ↵, which every UI font has), and control pictures for the rest.
 */
function previewPicture(ch: string): string {
  return ch === '\t' ? '\u2192' : ch === '\n' ? '\u21b5' : controlPicture(ch);
}

/** One-line form: every control, bidi, invisible and separator character shown as a visible symbol. */
export function escapeControl(text: string): string {
  return replaceUnsafe(text, previewPicture);
}

/** Multi-line form for the detail pane: keeps LF and TAB, shows CR and the rest visibly. */
export function escapeControlMultiline(text: string): string {
  return replaceUnsafe(text, controlPicture, { keepLineBreaks: true });
}

const LINE_END_PICTURE: Record<string, string> = { '\r\n': '\u240d\u240a', '\r': '\u240d', '\n': '\u240a' };

/**
 * The SSE raw view: line ends visible (CR as ␍, LF as ␊, each followed by a real line break so the
 * framing reads line by line), other controls escaped.
 */
export function visibleLineEnds(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part, i) => (i % 2 ? `${LINE_END_PICTURE[part]}\n` : escapeControlMultiline(part)))
    .join('');
}

/** A piece of the raw view: text, or a visible line end (`␍`, `␊`, `␍␊`) to style apart. */
export interface RawSegment {
  eol: boolean;
  text: string;
}

/**
 * The raw view as segments: line-end pictures apart from the text (each followed by a real line
 * break in the next text segment), other controls escaped.
 */
export function lineEndSegments(text: string): RawSegment[] {
  const out: RawSegment[] = [];
  let last = 0;
  let pending = '';
  const re = /\r\n|\r|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    pending += escapeControlMultiline(text.slice(last, m.index));
    if (pending) {
      out.push({ eol: false, text: pending });
    }
    out.push({ eol: true, text: LINE_END_PICTURE[m[0]] });
    pending = '\n';
    last = m.index + m[0].length;
  }
  pending += escapeControlMultiline(text.slice(last));
  if (pending) {
    out.push({ eol: false, text: pending });
  }
  return out;
}

/** Inside a JSON string token: escapes that keep the token valid JSON and the text visible. */
function escapeJsonString(token: string): string {
  return replaceUnsafe(token, jsonEscape);
}

// ---------- sizes and times ----------

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) {
    return '';
  }
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  }
  if (n < 1024 * 1024 * 1024) {
    return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  }
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** hh:mm:ss in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A record's time as the log shows it: `time` (hh:mm:ss.mmm local), `iso`, or `relative` to `baseMs`. */
export function formatTime(iso: string, mode: 'time' | 'iso' | 'relative', baseMs = 0): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return escapeControl(String(iso).slice(0, 30));
  }
  if (mode === 'iso') {
    return iso;
  }
  if (mode === 'relative') {
    const delta = (ms - baseMs) / 1000;
    return `${delta < 0 ? '-' : '+'}${Math.abs(delta).toFixed(3)} s`;
  }
  return `${clockTime(ms)}.${pad3(new Date(ms).getMilliseconds())}`;
}

// ---------- what the log shows of a record ----------

/** The log's "type" column: the SSE event type, `text`/`binary` for WS messages, else the record kind. */
export function typeLabel(record: ConnRecord): string {
  if (record.kind === 'message') {
    if (record.event !== undefined) {
      return record.event || 'message';
    }
    return record.format === 'binary' ? 'binary' : 'text';
  }
  return record.kind;
}

export function directionOf(record: ConnRecord): 'in' | 'out' | 'system' {
  switch (record.kind) {
    case 'message':
    case 'ping':
    case 'pong':
      return record.dir;
    case 'comment':
    case 'retry':
      return 'in';
    default:
      return 'system';
  }
}

/** Bytes the record stands for, when it carries data. */
export function sizeOf(record: ConnRecord): number | undefined {
  switch (record.kind) {
    case 'message':
    case 'ping':
    case 'pong':
      return record.size;
    case 'comment':
      return record.text.length;
    default:
      return undefined;
  }
}

export function idOf(record: ConnRecord): string {
  return record.kind === 'message' && record.id !== undefined ? record.id : '';
}

const PREVIEW_CHARS = 240;

function clip(text: string, max = PREVIEW_CHARS): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

/** Decodes base64 to bytes; `undefined` when it is not valid base64. */
export function base64ToBytes(b64: string): Uint8Array | undefined {
  try {
    const bin = atob(b64.replace(/\s+/g, ''));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out;
  } catch {
    return undefined;
  }
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

function hexPreview(b64: string, maxBytes = 24): string {
  // Decode only what the preview needs: 4 base64 chars per 3 bytes.
  const bytes = base64ToBytes(b64.slice(0, Math.ceil(maxBytes / 3) * 4)) ?? new Uint8Array(0);
  let out = '';
  for (let i = 0; i < bytes.length && i < maxBytes; i++) {
    out += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
  }
  return out;
}

/** Quotes a close/error reason the way the badge shows it. */
export function quoted(text: string | undefined): string {
  return text ? ` "${escapeControl(clip(text, 120))}"` : '';
}

/** Attempt counter: "attempt 2 of 10" or "attempt 2". */
export function attemptText(attempt: number, max: number | null): string {
  return max === null ? `attempt ${attempt}` : `attempt ${attempt} of ${max}`;
}

/** The log's one-line preview: controls, bidi and line ends made visible, clipped. */
export function previewOf(record: ConnRecord): string {
  switch (record.kind) {
    case 'message':
      if (record.format === 'binary') {
        return `${hexPreview(record.data)}${record.size > 24 ? ' …' : ''}`;
      }
      return escapeControl(clip(record.data));
    case 'comment':
      return escapeControl(clip(`: ${record.text}`));
    case 'retry':
      return `retry: ${record.ms} ms`;
    case 'ping':
    case 'pong': {
      const auto = record.auto ? ' (automatic)' : '';
      return record.size ? `${hexPreview(record.data)}${auto}` : `no payload${auto}`;
    }
    case 'connecting':
      return escapeControl(
        clip(`${record.method ? record.method + ' ' : ''}${record.url}${record.attempt ? ` — ${attemptText(record.attempt, null)}` : ''}`),
      );
    case 'open': {
      const parts: string[] = [];
      if (record.status !== undefined) {
        parts.push(`${record.status} ${record.statusText ?? ''}`.trim());
      }
      if (record.protocol) {
        parts.push(`protocol ${record.protocol}`);
      }
      if (record.extensions) {
        parts.push(record.extensions);
      }
      return escapeControl(clip(`Open ${record.url}${parts.length ? ' — ' + parts.join(', ') : ''}`));
    }
    case 'reconnecting':
      return `Reconnecting in ${formatDelay(record.delayMs)} — ${attemptText(record.attempt, record.maxAttempts)}`;
    case 'closing':
      return `Closing${record.code !== undefined ? ' ' + record.code : ''}${quoted(record.reason)}`;
    case 'close':
      return `Closed${record.code !== undefined ? ' ' + record.code : ''}${quoted(record.reason)} — by ${record.by}${record.clean ? '' : ', not clean'}`;
    case 'error': {
      const http = record.status !== undefined ? ` ${record.status} ${record.statusText ?? ''}`.trimEnd() : '';
      return escapeControl(clip(`${record.code}${http}: ${record.message}${record.fatal ? ' (fatal)' : ''}`));
    }
    case 'info':
      return escapeControl(clip(record.message));
    default:
      return '';
  }
}

export function formatDelay(ms: number): string {
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  const s = ms / 1000;
  return `${s < 10 && !Number.isInteger(s) ? s.toFixed(1) : Math.round(s)} s`;
}

// ---------- the state badge ----------

export type Tone = 'idle' | 'busy' | 'ok' | 'warn' | 'error';

export interface Badge {
  text: string;
  tone: Tone;
  /** A codicon name. */
  icon: string;
  /** More than the text holds, for the tooltip: why the connection was not reconnected. */
  detail?: string;
}

/** The state badge, true to the second: recompute it every second while reconnecting. */
export function statusBadge(status: ConnectionStatus, now: number): Badge {
  switch (status.state) {
    case 'idle':
      return { text: 'Not connected', tone: 'idle', icon: 'debug-disconnect' };
    case 'connecting':
      return {
        text: status.attempt > 0 ? `Connecting — ${attemptText(status.attempt, status.maxAttempts)}` : 'Connecting…',
        tone: 'busy',
        icon: 'loading',
      };
    case 'open':
      return { text: `Open since ${clockTime(status.since)}`, tone: 'ok', icon: 'pass-filled' };
    case 'closing':
      return { text: 'Closing…', tone: 'busy', icon: 'loading' };
    case 'reconnecting': {
      const left = status.nextAttemptAt !== undefined ? Math.max(0, Math.ceil((status.nextAttemptAt - now) / 1000)) : undefined;
      const when = left === undefined ? 'Reconnecting' : left === 0 ? 'Reconnecting now' : `Reconnecting in ${left} s`;
      return { text: `${when} — ${attemptText(status.attempt, status.maxAttempts)}`, tone: 'warn', icon: 'sync' };
    }
    case 'closed': {
      const c = status.lastClose;
      const code = c?.code !== undefined ? ` ${c.code}` : '';
      const why = status.notReconnected;
      return why
        ? { text: `Closed, not reconnected${code || c?.reason ? ':' : ''}${code}${quoted(c?.reason)}`, tone: 'idle', icon: 'circle-slash', detail: escapeControl(why) }
        : { text: `Closed${code}${quoted(c?.reason)}`, tone: 'idle', icon: 'circle-slash' };
    }
    case 'failed': {
      const e = status.lastError;
      let why = '';
      if (e?.status !== undefined) {
        why = `${e.status} ${e.statusText ?? ''}`.trim();
      } else if (e) {
        why = escapeControl(clip(e.message || e.code, 160));
      }
      const not = status.notReconnected;
      if (not) {
        return { text: why ? `Failed, not retried: ${why}` : 'Failed, not retried', tone: 'error', icon: 'error', detail: escapeControl(not) };
      }
      return { text: why ? `Failed: ${why}` : 'Failed', tone: 'error', icon: 'error' };
    }
    default:
      return { text: String(status.state), tone: 'idle', icon: 'circle' };
  }
}

// ---------- JSON pretty printing ----------

/** Token classes of pretty-printed JSON; `p` is punctuation and whitespace. */
export type TokenClass = 'key' | 'str' | 'num' | 'bool' | 'null' | 'p';

export interface JsonToken {
  c: TokenClass;
  t: string;
}

export interface PrettyLimits {
  /** Longest input tried, in chars. */
  maxInput: number;
  /** Deepest nesting pretty-printed; deeper documents are shown raw. */
  maxDepth: number;
  /** Most output chars (indentation grows output); beyond it the document is shown raw. */
  maxOutput: number;
}

export const PRETTY_LIMITS: Readonly<PrettyLimits> = Object.freeze({
  maxInput: 2 * 1024 * 1024,
  maxDepth: 256,
  maxOutput: 8 * 1024 * 1024,
});

export type PrettyResult =
  | { ok: true; tokens: JsonToken[]; chars: number }
  /** `invalid`: not JSON; `limit`: JSON (so far) but too big or deep to pretty-print. */
  | { ok: false; reason: 'invalid' | 'limit'; message: string };

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Validates and pretty-prints JSON in one pass, without recursion (so nesting depth cannot overflow
 * the stack) and without `JSON.parse`/`JSON.stringify` (which would lose the numbers and escapes as
 * written). String tokens keep their escapes as sent, with any bidi or control characters escaped.
 */
export function prettyJson(text: string, limits: PrettyLimits = PRETTY_LIMITS, indent = 2): PrettyResult {
  if (text.length > limits.maxInput) {
    return { ok: false, reason: 'limit', message: `larger than ${formatBytes(limits.maxInput)}` };
  }
  const tokens: JsonToken[] = [];
  let punct = '';
  let chars = 0;
  const emit = (c: TokenClass, t: string) => {
    if (punct) {
      tokens.push({ c: 'p', t: punct });
      punct = '';
    }
    tokens.push({ c, t });
    chars += t.length;
  };
  const pun = (t: string) => {
    punct += t;
    chars += t.length;
  };
  const indents: string[] = [''];
  const nl = (depth: number) => {
    while (indents.length <= depth) {
      indents.push(indents[indents.length - 1] + ' '.repeat(indent));
    }
    pun('\n' + indents[depth]);
  };
  // Stack of open containers: true for an object, false for an array.
  const stack: boolean[] = [];
  const n = text.length;
  let i = 0;
  const skip = () => {
    while (i < n && WS(text.charCodeAt(i))) {
      i++;
    }
  };
  const invalid = (what: string): PrettyResult => ({ ok: false, reason: 'invalid', message: `${what} at ${i}` });
  /** Reads `"key":` at `i` and emits it; returns what is wrong instead, if anything. */
  const readKey = (): string | undefined => {
    if (text.charCodeAt(i) !== 0x22) {
      return 'expected a key';
    }
    const end = scanString(text, i);
    if (end < 0) {
      return 'bad string';
    }
    emit('key', escapeJsonString(text.slice(i, end)));
    i = end;
    skip();
    if (text.charCodeAt(i) !== 0x3a) {
      return 'expected ":"';
    }
    i++;
    pun(': ');
    return undefined;
  };
  // The parser's expectation: a value, or what may follow a value inside the current container.
  let expectValue = true;
  skip();
  if (i >= n) {
    return invalid('empty');
  }
  for (;;) {
    if (chars > limits.maxOutput) {
      return { ok: false, reason: 'limit', message: `pretty form over ${formatBytes(limits.maxOutput)}` };
    }
    skip();
    if (i >= n) {
      return stack.length || expectValue ? invalid('unexpected end') : finish();
    }
    const c = text.charCodeAt(i);
    if (expectValue) {
      if (c === 0x7b || c === 0x5b) {
        // { or [
        const isObject = c === 0x7b;
        if (stack.length >= limits.maxDepth) {
          return { ok: false, reason: 'limit', message: `nested deeper than ${limits.maxDepth} levels` };
        }
        i++;
        skip();
        const close = isObject ? 0x7d : 0x5d;
        if (text.charCodeAt(i) === close) {
          i++;
          emitPunctAsValue(isObject ? '{}' : '[]');
          expectValue = false;
          if (!stack.length) {
            skip();
            return i < n ? invalid('trailing data') : finish();
          }
          continue;
        }
        pun(isObject ? '{' : '[');
        stack.push(isObject);
        nl(stack.length);
        if (isObject) {
          const problem = readKey();
          if (problem) {
            return invalid(problem);
          }
        }
        continue;
      }
      if (c === 0x22) {
        const end = scanString(text, i);
        if (end < 0) {
          return invalid('bad string');
        }
        emit('str', escapeJsonString(text.slice(i, end)));
        i = end;
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        NUMBER_RE.lastIndex = i;
        const m = NUMBER_RE.exec(text);
        if (!m) {
          return invalid('bad number');
        }
        emit('num', m[0]);
        i += m[0].length;
      } else if (text.startsWith('true', i) || text.startsWith('false', i)) {
        const t = text.startsWith('true', i) ? 'true' : 'false';
        emit('bool', t);
        i += t.length;
      } else if (text.startsWith('null', i)) {
        emit('null', 'null');
        i += 4;
      } else {
        return invalid('unexpected character');
      }
      expectValue = false;
      if (!stack.length) {
        skip();
        return i < n ? invalid('trailing data') : finish();
      }
      continue;
    }
    // After a value inside a container: "," or the container's close.
    const isObject = stack[stack.length - 1];
    if (c === 0x2c) {
      i++;
      pun(',');
      nl(stack.length);
      if (isObject) {
        skip();
        const problem = readKey();
        if (problem) {
          return invalid(problem);
        }
      }
      expectValue = true;
      continue;
    }
    if (c === (isObject ? 0x7d : 0x5d)) {
      i++;
      stack.pop();
      nl(stack.length);
      pun(isObject ? '}' : ']');
      if (!stack.length) {
        skip();
        return i < n ? invalid('trailing data') : finish();
      }
      continue;
    }
    return invalid('expected "," or a closing bracket');
  }

  function emitPunctAsValue(t: string) {
    pun(t);
  }
  function finish(): PrettyResult {
    if (punct) {
      tokens.push({ c: 'p', t: punct });
    }
    return { ok: true, tokens, chars };
  }
}

/** End index (after the closing quote) of the JSON string starting at `start`, or -1 when invalid. */
function scanString(text: string, start: number): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      return i + 1;
    }
    if (c < 0x20) {
      return -1;
    }
    if (c === 0x5c) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          const h = text.charCodeAt(i + k);
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) {
            return -1;
          }
        }
        i += 6;
        continue;
      }
      if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
        continue;
      }
      return -1;
    }
    i++;
  }
  return -1;
}

/** Cheap guess before trying {@link prettyJson}: JSON documents worth pretty-printing start with { or [. */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length && i < 64; i++) {
    const c = text.charCodeAt(i);
    if (!WS(c)) {
      return c === 0x7b || c === 0x5b;
    }
  }
  return false;
}

// ---------- binary ----------

export interface HexDump {
  text: string;
  /** Bytes shown (less than the input when capped). */
  shown: number;
}

/** Classic 16-bytes-a-line dump: offset, hex in two groups of eight, printable ASCII gutter. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024): HexDump {
  const shown = Math.min(bytes.length, maxBytes);
  const lines: string[] = [];
  for (let off = 0; off < shown; off += 16) {
    let hex = '';
    let ascii = '';
    for (let k = 0; k < 16; k++) {
      if (k === 8) {
        hex += ' ';
      }
      if (off + k < shown) {
        const b = bytes[off + k];
        hex += (b < 16 ? '0' : '') + b.toString(16) + ' ';
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return { text: lines.join('\n'), shown };
}

/** UTF-8 view of bytes: invalid sequences as U+FFFD, controls made visible. */
export function utf8View(bytes: Uint8Array, maxBytes = 256 * 1024): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, maxBytes));
  return escapeControlMultiline(text);
}

// ---------- the send box ----------

/** Parses hex for a binary frame: pairs of hex digits, whitespace, optional 0x prefixes and commas. */
export function parseHex(text: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const clean = text.replace(/0x/gi, '').replace(/[\s,:]+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) {
    return { ok: false, error: 'Hex may contain only 0-9, a-f, spaces and commas' };
  }
  if (clean.length % 2) {
    return { ok: false, error: 'Hex needs an even number of digits' };
  }
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  }
  return { ok: true, bytes };
}

export function validateBase64(text: string): string | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    return 'Not valid base64';
  }
  return base64ToBytes(clean) ? undefined : 'Not valid base64';
}

/** Live JSON check for the send box: `undefined` when valid, else a short message. */
export function validateJson(text: string): string | undefined {
  if (!text.trim()) {
    return 'Empty';
  }
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : 'Invalid JSON';
  }
}

/** The Format button: two-space JSON, or an error message (never throws, also on deep nesting). */
export function formatJsonText(text: string): { ok: true; text: string } | { ok: false; error: string } {
  const r = prettyJson(text);
  if (r.ok) {
    return { ok: true, text: r.tokens.map((t) => t.t).join('') };
  }
  return { ok: false, error: r.reason === 'limit' ? `Not formatted: ${r.message}` : `Invalid JSON: ${r.message}` };
}
