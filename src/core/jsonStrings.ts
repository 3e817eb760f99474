/** The strings inside a JSON value (a protocol verb's fields, a `send` item's JSON), read or replaced in order. */

/** Every string in `v`, depth first, in the order {@link mapJsonStrings} visits them. */
export function jsonStrings(v: unknown, out: string[] = []): string[] {
  mapJsonStrings(v, (s) => {
    out.push(s);
    return s;
  });
  return out;
}

/** `v` with each string replaced by `fn(string)`, depth first (object keys too with `keys`); other values kept. */
export function mapJsonStrings(v: unknown, fn: (s: string) => string, options?: { keys: boolean }): unknown {
  if (typeof v === 'string') {
    return fn(v);
  }
  if (Array.isArray(v)) {
    return v.map((x) => mapJsonStrings(x, fn, options));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [options?.keys ? fn(k) : k, mapJsonStrings(x, fn, options)]));
  }
  return v;
}
