/**
 * MQTT's numeric answers in words: the 3.1.1 CONNACK return codes and the MQTT 5 reason codes (one
 * table for CONNACK, SUBACK, PUBACK, DISCONNECT…, as the 5.0 spec lists them), so a refusal reads as
 * the broker meant it.
 */

const CONNACK_V3: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

const REASON_V5: Record<number, string> = {
  0x00: 'success',
  0x01: 'granted QoS 1',
  0x02: 'granted QoS 2',
  0x04: 'disconnect with will message',
  0x10: 'no matching subscribers',
  0x11: 'no subscription existed',
  0x18: 'continue authentication',
  0x19: 're-authenticate',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8b: 'server shutting down',
  0x8c: 'bad authentication method',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x92: 'packet identifier not found',
  0x93: 'receive maximum exceeded',
  0x94: 'topic alias invalid',
  0x95: 'packet too large',
  0x96: 'message rate too high',
  0x97: 'quota exceeded',
  0x98: 'administrative action',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa0: 'maximum connect time',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};

function hex(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}

/** A CONNACK's refusal in words: "bad user name or password (return code 4)". */
export function connackReason(code: number, version: 4 | 5): string {
  if (version === 5 && code >= 0x80) {
    return `${REASON_V5[code] ?? 'unknown reason'} (reason code ${hex(code)})`;
  }
  // A 3.1.1 broker answers an MQTT 5 CONNECT with its own return code 1.
  const v3 = `${CONNACK_V3[code] ?? 'unknown refusal'} (return code ${code})`;
  return version === 5 && code === 1 ? `${v3}: the broker does not speak MQTT 5, try 3.1.1` : v3;
}

/** An MQTT 5 reason code in words: "not authorized (0x87)". */
export function reasonText(code: number): string {
  return `${REASON_V5[code] ?? 'unknown reason'} (${hex(code)})`;
}

/** Whether a refused connection may succeed later (the broker is busy or away, not refusing us). */
export function connackRetryable(code: number, version: 4 | 5): boolean {
  return version === 5 ? code === 0x88 || code === 0x89 || code === 0x9f : code === 3;
}
