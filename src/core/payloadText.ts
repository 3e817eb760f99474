/**
 * Payloads written as text: hex and base64 read into bytes, and the quick
 * guess whether a text is a JSON document. One rule for the panel's send box and detail pane, the
 * host that sends what the send box wrote, and the CLI's `--send-binary`.
 *
 * No imports and no Node or DOM APIs: the webview bundle uses this module too.
 */

/** Text read as bytes, or why it could not be: a short message for the user. */
export type ParsedBytes = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

const HEX_PREFIX = /0x/gi;
const HEX_SEPARATORS = /[\s,:]+/g;
const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Reads hex: pairs of hex digits, with whitespace, commas, colons and `0x` prefixes allowed between them. */
export function parseHex(text: string): ParsedBytes {
  const clean = text.replace(HEX_PREFIX, '').replace(HEX_SEPARATORS, '');
  if (!HEX_DIGITS.test(clean)) {
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

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Char code → 6-bit value; -1 for characters outside the alphabet. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) {
  BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;
}
const WHITESPACE = /\s+/g;
const NOT_BASE64 = 'Not valid base64';

export interface Base64Options {
  /**
   * Only the canonical form (RFC 4648): no whitespace, padded to a multiple of 4 characters. Otherwise
   * the forgiving form browsers' `atob` reads: whitespace ignored, padding optional.
   */
  canonical?: boolean;
}

/** Reads base64 (the standard alphabet, `+` and `/`). */
export function parseBase64(text: string, options: Base64Options = {}): ParsedBytes {
  let b64 = options.canonical ? text : text.replace(WHITESPACE, '');
  if (options.canonical && b64.length % 4 !== 0) {
    return { ok: false, error: NOT_BASE64 };
  }
  if (b64.length % 4 === 0) {
    // Padding counts only on a whole group: "AA==" and "AA" read alike, "AA=" is not base64.
    b64 = b64.endsWith('==') ? b64.slice(0, -2) : b64.endsWith('=') ? b64.slice(0, -1) : b64;
  }
  if (b64.length % 4 === 1) {
    return { ok: false, error: NOT_BASE64 };
  }
  const bytes = new Uint8Array(Math.floor((b64.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let out = 0;
  for (let i = 0; i < b64.length; i++) {
    const code = b64.charCodeAt(i);
    const sextet = code < 128 ? BASE64_VALUE[code] : -1;
    if (sextet < 0) {
      return { ok: false, error: NOT_BASE64 };
    }
    value = (value << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[out++] = (value >> bits) & 0xff;
    }
  }
  return { ok: true, bytes };
}

/** Decodes base64 (whitespace ignored, padding optional); `undefined` when it is not valid base64. */
export function base64ToBytes(b64: string): Uint8Array | undefined {
  const parsed = parseBase64(b64);
  return parsed.ok ? parsed.bytes : undefined;
}

/** How far into a text {@link looksLikeJson} looks for its first character. */
const JSON_GUESS_CHARS = 64;

/**
 * Cheap guess before parsing: a JSON document worth showing as JSON starts (after whitespace, within the
 * first 64 characters) with `{` or `[`. It does not check the rest.
 */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length && i < JSON_GUESS_CHARS; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      return c === 0x7b || c === 0x5b;
    }
  }
  return false;
}
