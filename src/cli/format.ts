/**
 * How records look on a terminal. Server data is untrusted: every control character, ANSI escape,
 * bidi override and invisible format character is shown as an escape, never written raw.
 */
import { describeMcpRecord } from '../core/mcp/describe';
import { ReceivedText } from '../core/receivedText';
import { type ConnRecord, type Decoded, type MessageRecord, serializeRecord } from '../core/records';
import { continuityText, framesText, llmFigures, silenceText } from '../core/derivedText';
import { jsonEscape, replaceUnsafe, unicodeEscape } from '../core/unsafeText';

export interface Style {
  color: boolean;
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\e', '\0': '\\0' };

/** A terminal's escape for one unsafe character (which characters are unsafe: core/unsafeText). */
function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) {
    return named;
  }
  const code = ch.charCodeAt(0);
  return ch.length === 1 && code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : unicodeEscape(ch);
}

/** `s` with every unsafe character as a visible escape (dimmed when coloured, so it reads as not-data). */
export function escapeText(s: string, style: Style = { color: false }): string {
  return replaceUnsafe(s, style.color ? (ch) => `${DIM}${escapeChar(ch)}${RESET_DIM}` : escapeChar);
}

/** For `--raw` on a terminal: line ends stay line ends, CR is shown, every other control is escaped. */
export function escapeRaw(s: string): string {
  return replaceUnsafe(s, escapeChar, { keepLineBreaks: true });
}

/**
 * One `--json` line: {@link serializeRecord}, with every unsafe character JSON already lets through
 * (DEL, C1 controls, bidi controls, invisible and tag characters, line separators) written as
 * `\uXXXX` (the same JSON value), so the line is safe on a terminal too. JSON escapes C0 controls and
 * lone surrogates itself.
 */
export function jsonLine(record: ConnRecord): string {
  return replaceUnsafe(serializeRecord(record), jsonEscape);
}

/** Stands for a message's data while its line is formatted around it (letters only: nothing escapes it). */
const DATA_MARK = 'RIDATAMARKq7Zx3';

/** True when every byte is printable ASCII other than `"` and `\`: as text it needs no escaping, in JSON or on a terminal. */
function isPlainAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) {
      return false;
    }
  }
  return true;
}

/**
 * A received WebSocket text message still held as bytes, as the output line's pieces: the text
 * around the data and the message's own bytes, so a large message is written without being decoded,
 * serialised and encoded again (each a copy of its size). Undefined when the bytes would need
 * escaping (the line is then formatted as usual) or the record is not such a message.
 */
export function messageLinePieces(r: ConnRecord, json: boolean, style: Style): [string, Buffer, string] | undefined {
  if (!(r instanceof ReceivedText) || r.decoded) {
    return undefined;
  }
  const bytes = r.utf8;
  if (!bytes || bytes.length < 64 * 1024 || !isPlainAscii(bytes)) {
    return undefined;
  }
  const stand: MessageRecord = { kind: 'message', dir: 'in', format: 'text', data: DATA_MARK, size: r.size, seq: r.seq, time: r.time };
  if (r.large !== undefined) {
    stand.large = r.large;
  }
  const text = json ? jsonLine(stand) : formatRecord(stand, style);
  const at = text.indexOf(DATA_MARK);
  if (at === -1 || text.indexOf(DATA_MARK, at + 1) !== -1) {
    return undefined;
  }
  return [text.slice(0, at), bytes, text.slice(at + DATA_MARK.length)];
}

const ESC = '\x1b[';
const DIM = `${ESC}2m`;
const RESET_DIM = `${ESC}22m`;
const COLORS = {
  grey: `${ESC}90m`,
  red: `${ESC}31m`,
  green: `${ESC}32m`,
  yellow: `${ESC}33m`,
  blue: `${ESC}34m`,
  magenta: `${ESC}35m`,
  cyan: `${ESC}36m`,
  bold: `${ESC}1m`,
} as const;
const RESET = `${ESC}0m`;

export type Color = keyof typeof COLORS;

/** `text` in `color` when the style is coloured (nothing escaped: `text` is already safe). */
export function paint(style: Style, color: Color, text: string): string {
  return style.color ? `${COLORS[color]}${text}${RESET}` : text;
}

const paintIn = paint;

/** One record as readable text (no trailing newline); an error's headers and body follow on indented lines. */
export function formatRecord(r: ConnRecord, style: Style): string {
  const paint = (color: Color, text: string) => paintIn(style, color, text);
  const esc = (s: string) => escapeText(s, style);
  const time = paint('grey', r.time.slice(11, 23));
  const line = (mark: string, color: Color, text: string) => `${time} ${paint(color, mark)} ${text}`;
  switch (r.kind) {
    case 'connecting': {
      let text = `connecting ${r.method ? r.method + ' ' : ''}${esc(r.url)}`;
      if (r.attempt > 0) {
        text += ` (attempt ${r.attempt})`;
      }
      if (r.lastEventId) {
        text += ` Last-Event-ID: ${esc(r.lastEventId)}`;
      }
      if (r.protocols?.length) {
        text += ` protocols: ${esc(r.protocols.join(', '))}`;
      }
      return line('→', 'blue', text);
    }
    case 'open': {
      const parts: string[] = [];
      if (r.status !== undefined) {
        parts.push(`open ${r.status}${r.statusText ? ' ' + esc(r.statusText) : ''}`);
        const type = r.headers['content-type'];
        if (type) {
          parts.push(esc(type));
        }
      } else {
        parts.push('open');
      }
      if (r.protocol) {
        parts.push(`protocol: ${esc(r.protocol)}`);
      }
      if (r.extensions) {
        parts.push(`extensions: ${esc(r.extensions)}`);
      }
      return line('●', 'green', paint('green', parts.join('  ')));
    }
    case 'message': {
      const arrow = r.dir === 'in' ? '←' : '→';
      const color: Color = r.dir === 'in' ? 'cyan' : 'magenta';
      if (r.event !== undefined) {
        // SSE
        let head = r.event === 'message' ? '' : paint('yellow', `[${esc(r.event)}]`) + ' ';
        if (r.id !== undefined) {
          head += paint('grey', `id=${esc(r.id)}`) + ' ';
        }
        return line(arrow, color, head + esc(r.data));
      }
      const kind = r.format === 'binary' ? paint('yellow', `binary ${r.size} B base64:`) + ' ' : '';
      const frames = framesText(r);
      return line(
        arrow,
        color,
        (r.decoded ? decodedHead(r.decoded, style) : '') + kind + esc(r.data) + (frames ? ' ' + paint('grey', `(${frames})`) : ''),
      );
    }
    case 'comment':
      return line(':', 'grey', paint('grey', esc(r.text)));
    case 'retry':
      return line('↻', 'yellow', `retry ${r.ms} ms${r.clamped ? ' (the maximum: the server asked for more)' : ''}`);
    case 'ping':
    case 'pong':
      return line(
        r.dir === 'in' ? '←' : '→',
        'grey',
        `${r.kind}${r.auto ? ' (auto)' : ''} ${r.size} B${r.size ? ' ' + esc(r.data) : ''}${r.rttMs !== undefined ? ` rtt ${r.rttMs} ms` : ''}`,
      );
    case 'reconnecting':
      return line(
        '↻',
        'yellow',
        `reconnecting: attempt ${r.attempt}${r.maxAttempts !== null ? ` of ${r.maxAttempts}` : ''} in ${r.delayMs} ms`,
      );
    case 'closing':
      return line('…', 'yellow', `closing${r.code !== undefined ? ' ' + r.code : ''}${r.reason ? ' ' + esc(r.reason) : ''}`);
    case 'close': {
      let text = `closed by ${r.by}`;
      if (r.code !== undefined) {
        text += ` code ${r.code}`;
      }
      if (r.reason) {
        text += `: ${esc(r.reason)}`;
      }
      if (!r.clean) {
        text += ' (not clean)';
      }
      return line('■', 'yellow', text);
    }
    case 'error': {
      let text = paint('red', `${r.fatal ? 'error' : 'error (will retry)'} ${r.code}: ${esc(r.message)}`);
      for (const [name, value] of Object.entries(r.headers ?? {})) {
        text += `\n    ${paint('grey', esc(name) + ':')} ${esc(value)}`;
      }
      if (r.body !== undefined && r.body !== '') {
        text += `\n    ${paint('grey', 'body:')} ${esc(r.body)}${r.bodyTruncated ? paint('grey', ' … (truncated)') : ''}`;
      }
      return line('✖', 'red', text);
    }
    case 'info':
      return line('ℹ', 'grey', esc(r.message));
    case 'assertion':
      return line(
        r.ok ? '✓' : '✗',
        r.ok ? 'green' : 'red',
        `${esc(r.profile)}: ${esc(r.rule)} ${r.atMs} ms${r.ok ? '' : ': ' + paint('red', esc(r.detail))}`,
      );
    case 'summary':
      return line('Σ', r.failed ? 'red' : 'green', `${esc(r.profile)}: ${r.passed} passed, ${r.failed} failed (${r.durationMs} ms)`);
    case 'llm':
      return line('◆', r.complete ? 'green' : 'yellow', esc(llmFigures(r)));
    case 'continuity':
      return line('⇄', r.status === 'resumed' ? 'green' : 'yellow', esc(continuityText(r)));
    case 'silence':
      return line('…', 'grey', silenceText(r.ms));
    case 'mcp':
      return line('◆', r.isError || r.event === 'expired' ? 'red' : 'green', esc(describeMcpRecord(r)));
  }
}

/**
 * What a protocol adapter read, before the raw frame: `[event chat]`, `[next #1]`, keep-alive in grey,
 * a frame that did not parse with why.
 */
function decodedHead(d: Decoded, style: Style): string {
  const esc = (s: string) => escapeText(s, style);
  const label = typeof d.label === 'string' && d.label !== '' ? ` ${esc(d.label)}` : '';
  const head = `[${esc(d.type)}${label}]`;
  const why = d.error !== undefined && (d.type === 'invalid' || typeof d.error === 'string') ? ` ${esc(`(${String(d.error)})`)}` : '';
  return paint(style, d.keepAlive ? 'grey' : d.type === 'invalid' ? 'red' : 'yellow', head) + (why ? paint(style, 'red', why) : '') + ' ';
}
