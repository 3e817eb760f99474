import type { Redactor } from '../core/redactor';
import { parseBase64, parseHex } from '../core/payloadText';
import type { ConnRecord } from '../core/records';

/**
 * A record as the webview may see it: secrets masked, and a large message cut to a preview of
 * `displayLimit` bytes (the whole record stays in the host's store, behind `getFull`). Returns the
 * record itself when nothing needs changing, so the common case costs nothing.
 */
export function forWebview(record: ConnRecord, redactor: Redactor, displayLimit: number, preview = true): ConnRecord {
  let out = redactor.record(record);
  // The store flags `large` by the limit in force when the record came; the panel's limit may have
  // changed since, so the size decides.
  if (preview && out.kind === 'message' && out.size > displayLimit) {
    // Binary data is base64: 4 characters per 3 bytes, cut on a group boundary so it still decodes.
    const chars = out.format === 'binary' ? Math.ceil(displayLimit / 3) * 4 : displayLimit;
    if (out.data.length > chars || !out.large) {
      out = { ...out, data: out.data.slice(0, chars), large: true };
    }
  }
  return out;
}

/**
 * Decodes the send box's binary text, read by the send box's own rules (`src/core/payloadText.ts`): hex
 * (pairs of digits; whitespace, commas, colons and `0x` allowed between them) or base64. Throws with a
 * message for the user.
 */
export function decodeBinary(data: string, encoding: 'hex' | 'base64' = 'hex'): Uint8Array {
  if (encoding === 'hex') {
    const hex = parseHex(data);
    if (!hex.ok) {
      throw new Error('Not valid hex: use pairs of 0-9 a-f, spaces allowed');
    }
    return hex.bytes;
  }
  const b64 = parseBase64(data);
  if (!b64.ok) {
    throw new Error(b64.error);
  }
  return b64.bytes;
}
