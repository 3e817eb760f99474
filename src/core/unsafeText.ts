/**
 * The one rule for characters that must never reach a screen as themselves, whatever shows the text:
 * the CLI's terminal output and `--json` lines, the panel (log, detail, raw view, JSON view) and the
 * extension's own dialogs. Each surface draws them its own way (`\e` on a terminal, `␛` in the panel),
 * but which characters they are is decided here only.
 *
 * No imports and no Node APIs: the webview bundle uses this module too.
 */

/**
 * The unsafe characters:
 * - C0 controls U+0000–001F, DEL and C1 controls U+007F–009F (U+009B is CSI to a terminal);
 * - U+00AD soft hyphen, U+061C Arabic letter mark, U+180E Mongolian vowel separator (invisible);
 * - U+200B–200F zero-width space, joiners and LTR/RTL marks;
 * - U+2028–202E line and paragraph separators, bidi embeddings and overrides;
 * - U+2060–206F word joiner, invisible operators, bidi isolates, deprecated format characters;
 * - U+FEFF byte order mark / zero-width no-break space, U+FFF9–FFFB interlinear annotation;
 * - tag characters U+E0000–E007F (invisible, and they can smuggle a second text);
 * - lone surrogates (half a character: not text).
 */
const UNSAFE_SOURCE =
  '[\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb]' +
  '|\\udb40[\\udc00-\\udc7f]' +
  '|[\\ud800-\\udbff](?![\\udc00-\\udfff])' +
  '|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';

/** The same, minus LF and TAB: for multi-line views, where line structure is the point. */
const UNSAFE_MULTILINE_SOURCE = UNSAFE_SOURCE.replace('\\x00-\\x1f', '\\x00-\\x08\\x0b-\\x1f');

/** One unsafe character (or lone surrogate, or tag character as its surrogate pair). Not global. */
export const UNSAFE_TEXT = new RegExp(UNSAFE_SOURCE);
const UNSAFE_G = new RegExp(UNSAFE_SOURCE, 'g');
const UNSAFE_MULTILINE = new RegExp(UNSAFE_MULTILINE_SOURCE);
const UNSAFE_MULTILINE_G = new RegExp(UNSAFE_MULTILINE_SOURCE, 'g');

/** A quick test that every text with an unsafe character passes (any surrogate counts), so clean text costs one scan. */
const MAYBE_UNSAFE = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/; // eslint-disable-line no-control-regex

export interface UnsafeOptions {
  /** Keep LF and TAB as they are (multi-line views). */
  keepLineBreaks?: boolean;
}

/** True when `text` holds an unsafe character. */
export function hasUnsafe(text: string, options?: UnsafeOptions): boolean {
  return MAYBE_UNSAFE.test(text) && (options?.keepLineBreaks ? UNSAFE_MULTILINE : UNSAFE_TEXT).test(text);
}

/** `text` with every unsafe character replaced by `draw(ch)` (`ch` is one UTF-16 unit, or the pair of a tag character). */
export function replaceUnsafe(text: string, draw: (ch: string) => string, options?: UnsafeOptions): string {
  if (!hasUnsafe(text, options)) {
    return text;
  }
  return text.replace(options?.keepLineBreaks ? UNSAFE_MULTILINE_G : UNSAFE_G, draw);
}

/** `\uXXXX` for one UTF-16 unit, `\u{XXXXX}` for a pair (a tag character): how a character reads when escaped. */
export function unicodeEscape(ch: string): string {
  if (ch.length === 2) {
    return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
  }
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The JSON escape of `ch`, unit by unit (`\udb40\udc41` for a tag character): the same JSON value, visible. */
export function jsonEscape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) {
    out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}

/**
 * A name someone else chose (a workspace's profile name, a server's header), for a one-line label:
 * unsafe characters escaped, runs of spaces collapsed, at most `max` characters (then `…`).
 */
export function safeLabel(text: string, max = 80): string {
  const flat = replaceUnsafe(text, (ch) => (ch === '\n' || ch === '\t' || ch === '\r' ? ' ' : unicodeEscape(ch)))
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}
