/**
 * `${env:NAME}` and `${secret:NAME}` resolution. Runs at connect time only: resolved values go to the
 * connection and nowhere else (settings, the panel and exports keep the templates), and every secret
 * value resolved is returned so the caller can hand it to the core's redactor.
 */
import type { Profile } from './profile';

export interface ResolveEnv {
  env(name: string): string | undefined;
  secret(name: string): Promise<string | undefined>;
}

export type ResolveError =
  | { code: 'ERR_MISSING_SECRET'; name: string; message: string }
  | { code: 'ERR_MISSING_ENV'; name: string; message: string };

export type Resolved<T> = { ok: true; value: T; secrets: string[] } | { ok: false; error: ResolveError };

const TEMPLATE = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g;

/** Resolves the templated fields of a profile (url, header values, body, protocols, lastEventId). */
export async function resolveProfile<P extends Partial<Profile> & { url: string }>(p: P, env: ResolveEnv): Promise<Resolved<P>> {
  const values = new Map<string, string>();
  const secrets: string[] = [];
  // Collect every reference once, then substitute synchronously.
  const refs = new Set<string>();
  const strings = [p.url, ...Object.values(p.headers ?? {}), p.body ?? '', ...(p.protocols ?? []), p.lastEventId ?? ''];
  for (const s of strings) {
    for (const m of s.matchAll(TEMPLATE)) {
      refs.add(`${m[1]}:${m[2]}`);
    }
  }
  for (const ref of refs) {
    const [kind, name] = splitRef(ref);
    if (kind === 'env') {
      const v = env.env(name);
      if (v === undefined) {
        return { ok: false, error: { code: 'ERR_MISSING_ENV', name, message: `Environment variable ${name} is not set` } };
      }
      values.set(ref, v);
    } else {
      const v = await env.secret(name);
      if (v === undefined) {
        return {
          ok: false,
          error: { code: 'ERR_MISSING_SECRET', name, message: `Secret "${name}" is not set (run "Realtime: Set Secret")` },
        };
      }
      values.set(ref, v);
      secrets.push(v);
    }
  }
  const sub = (s: string) => s.replace(TEMPLATE, (_m, kind: string, name: string) => values.get(`${kind}:${name}`) ?? '');
  const out: P = { ...p, url: sub(p.url) };
  if (p.headers) {
    out.headers = Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k, sub(v)]));
  }
  if (p.body !== undefined) {
    out.body = sub(p.body);
  }
  if (p.protocols) {
    out.protocols = p.protocols.map(sub);
  }
  if (p.lastEventId !== undefined) {
    out.lastEventId = sub(p.lastEventId);
  }
  return { ok: true, value: out, secrets };
}

function splitRef(ref: string): ['env' | 'secret', string] {
  const i = ref.indexOf(':');
  return [ref.slice(0, i) as 'env' | 'secret', ref.slice(i + 1)];
}
