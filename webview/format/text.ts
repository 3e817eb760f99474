/**
 * Server text made safe to show: every control, bidi, invisible and separator character drawn as a
 * visible symbol (one line for the log, multi-line for the detail pane, line ends for the SSE raw view).
 * DOM-free and total: returns a value for any input, never throws.
 */
import { jsonEscape, replaceUnsafe, unicodeEscape } from '../../src/core/unsafeText';

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
export function escapeJsonString(token: string): string {
  return replaceUnsafe(token, jsonEscape);
}

/** Longest one-line preview, in chars. */
export const PREVIEW_CHARS = 240;

/** Cuts text to `max` chars, with an ellipsis when it was longer. */
export function clip(text: string, max = PREVIEW_CHARS): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}
