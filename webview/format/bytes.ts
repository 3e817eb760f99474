/** Sizes and binary data as the panel shows them: byte counts, hex dump, hex preview, UTF-8 view. DOM-free. */
import { base64ToBytes } from '../../src/core/payloadText';
import { escapeControlMultiline } from './text';

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

export interface HexDump {
  text: string;
  /** Bytes shown (less than the input when capped). */
  shown: number;
}

/** Bytes a hex dump line shows: the classic 16, or 8 where 16 would not fit. */
export type HexLineBytes = 16 | 8;

/** Classic dump: offset, hex in two groups (of eight, or of four on an 8-byte line), printable ASCII gutter. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024, perLine: HexLineBytes = 16): HexDump {
  const shown = Math.min(bytes.length, maxBytes);
  const lines: string[] = [];
  for (let off = 0; off < shown; off += perLine) {
    let hex = '';
    let ascii = '';
    for (let k = 0; k < perLine; k++) {
      if (k === perLine / 2) {
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

/** Controls other than tab and line ends (C0, DEL, C1), and U+FFFD, which a payload may carry though it decodes. */
function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) {
      return false;
    }
  }
  return true;
}

/** The bytes as text when they are valid UTF-8 and printable (a ping's "hb-1"); undefined otherwise. */
export function printableText(bytes: Uint8Array): string | undefined {
  if (!bytes.length) {
    return undefined;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return isPrintable(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** UTF-8 view of bytes: invalid sequences as U+FFFD, controls made visible. */
export function utf8View(bytes: Uint8Array, maxBytes = 256 * 1024): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, maxBytes));
  return escapeControlMultiline(text);
}

/** The first `maxBytes` bytes of base64 data as spaced hex pairs. */
export function hexPreview(b64: string, maxBytes = 24): string {
  // Decode only what the preview needs: 4 base64 chars per 3 bytes.
  const bytes = base64ToBytes(b64.slice(0, Math.ceil(maxBytes / 3) * 4)) ?? new Uint8Array(0);
  let out = '';
  for (let i = 0; i < bytes.length && i < maxBytes; i++) {
    out += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
  }
  return out;
}
