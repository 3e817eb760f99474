/** Byte helpers for reading a frame's head without copies: they run for every message of a flood. */

/** Whether `b[start, end)` holds exactly `bytes` (a loop: for a few bytes, cheaper than a native compare). */
export function sameBytes(bytes: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (bytes.length !== end - start) {
    return false;
  }
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== b[start + i]) {
      return false;
    }
  }
  return true;
}
