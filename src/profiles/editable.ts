/** Conversion between a saved profile and the panel's request bar. */
import type { Profile } from '../core/profile';
import type { EditableConfig, HeaderEntry } from '../protocol';

/** The request bar's view of a profile (templates kept as written). */
export function toEditable(p: Partial<Profile> & { url: string }): EditableConfig {
  const headers: HeaderEntry[] = Object.entries(p.headers ?? {}).map(([name, value]) => ({ name, value, enabled: true }));
  return {
    url: p.url,
    kind: p.kind ?? 'auto',
    headers,
    method: p.method ?? 'GET',
    body: p.body ?? '',
    protocols: [...(p.protocols ?? [])],
    profile: p.name,
    ...(p.adapter ? { adapter: p.adapter.name } : {}),
  };
}

/**
 * Applies the request bar's edits to a profile, keeping what the bar cannot edit (TLS, reconnect…).
 * Disabled headers and empty fields are left out, so a saved profile stays minimal.
 */
export function applyEditable(base: Partial<Profile>, config: EditableConfig): Omit<Profile, 'name'> & { name?: string } {
  const out: Omit<Profile, 'name'> & { name?: string } = { ...base, url: config.url.trim() };
  if (config.profile !== undefined) {
    out.name = config.profile;
  }
  if (config.kind && config.kind !== 'auto') {
    out.kind = config.kind;
  } else {
    delete out.kind;
  }
  const headers: Record<string, string> = {};
  for (const h of config.headers) {
    if (h.enabled && h.name.trim()) {
      headers[h.name.trim()] = h.value;
    }
  }
  if (Object.keys(headers).length) {
    out.headers = headers;
  } else {
    delete out.headers;
  }
  const method = (config.method || 'GET').toUpperCase();
  if (method !== 'GET') {
    out.method = method;
  } else {
    delete out.method;
  }
  if (config.body) {
    out.body = config.body;
  } else {
    delete out.body;
  }
  const protocols = config.protocols.map((p) => p.trim()).filter(Boolean);
  if (protocols.length) {
    out.protocols = protocols;
  } else {
    delete out.protocols;
  }
  return out;
}
