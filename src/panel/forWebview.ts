import type { Redactor } from '../core/options';
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

/** Decodes the send box's binary text (hex, whitespace allowed, or base64). Throws with a message for the user. */
export function decodeBinary(data: string, encoding: 'hex' | 'base64' = 'hex'): Uint8Array {
  if (encoding === 'hex') {
    const hex = data.replace(/\s+/g, '').replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
      throw new Error('Not valid hex: use pairs of 0-9 a-f, spaces allowed');
    }
    return Buffer.from(hex, 'hex');
  }
  const b64 = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64) || b64.replace(/=+$/, '').length % 4 === 1) {
    throw new Error('Not valid base64');
  }
  return Buffer.from(b64, 'base64');
}
