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
