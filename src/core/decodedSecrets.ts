/**
 * Secrets a protocol adapter's reading may copy from a frame the client sent: a STOMP CONNECT's
 * `passcode` header, an MQTT CONNECT's `password`, a Socket.IO CONNECT's `auth`. They are masked by
 * the field's name wherever it sits in a `decoded` object, whether or not the connection knows the
 * value as a secret (a profile may give a password in clear). No Node or DOM API.
 */
import type { Decoded } from './records';

/** Field names whose values are credentials, at any depth of a `decoded` (compared in lower case). */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['passcode', 'password', 'auth']);

/**
 * `decoded` as plain data: a reading that parses its frame only when asked (a class with getters and
 * `toJSON`) gives its fields; a plain object is returned as it is.
 */
export function plainDecoded(decoded: Decoded): Decoded {
  const toJSON = (decoded as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON.call(decoded) as Decoded) : decoded;
}

/** Whether `value` holds, at any depth, a field of {@link SECRET_FIELDS} with something in it. */
export function holdsSecretField(value: unknown): boolean {
  return secretFieldValues(plainOf(value)).length > 0;
}

/** The text under secret fields (the values themselves, each string leaf; numbers as their text). */
export function secretFieldValues(value: unknown): string[] {
  const out: string[] = [];
  walk(value, false, (leaf) => {
    if (typeof leaf === 'string' && leaf.length > 0) {
      out.push(leaf);
    } else if (typeof leaf === 'number') {
      out.push(String(leaf));
    }
  });
  return out;
}

/**
 * `value` with every string or number under a secret field replaced by `mask` (an empty string stays
 * empty: there is nothing to hide, and it may be why a server refused). The same value when nothing changes.
 */
export function maskSecretFields<T>(value: T, mask: string): T {
  return maskIn(value, false, mask) as T;
}

function plainOf(value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) ? plainDecoded(value as Decoded) : value;
}

function walk(value: unknown, secret: boolean, leaf: (v: unknown) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v) => walk(v, secret, leaf));
  } else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) {
      walk(v, secret || SECRET_FIELDS.has(k.toLowerCase()), leaf);
    }
  } else if (secret) {
    leaf(value);
  }
}

function maskIn(value: unknown, secret: boolean, mask: string): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const m = maskIn(v, secret, mask);
      if (m !== v) {
        (out ??= [...value])[i] = m;
      }
    });
    return out ?? value;
  }
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const m = maskIn(v, secret || SECRET_FIELDS.has(k.toLowerCase()), mask);
      if (m !== v) {
        (out ??= { ...(value as Record<string, unknown>) })[k] = m;
      }
    }
    return out ?? value;
  }
  if (secret && ((typeof value === 'string' && value.length > 0) || typeof value === 'number')) {
    return mask;
  }
  return value;
}
