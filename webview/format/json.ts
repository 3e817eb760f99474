/**
 * JSON for the detail pane and the send box: a one-pass, non-recursive validating pretty-printer that
 * bounds its own work (input size, depth, output size), and the send box's checks. DOM-free and total.
 */
import { formatBytes } from './bytes';
import { escapeJsonString } from './text';

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
