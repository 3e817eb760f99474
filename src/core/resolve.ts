/**
 * `${env:NAME}` and `${secret:NAME}` resolution. Runs at connect time only: resolved values go to the
 * connection and nowhere else (settings, the panel and exports keep the templates), and every value
 * to mask is returned so the caller can hand it to the core's redactor.
 *
 * Every string field of a profile is resolved the same way: `url`, the header values, `body`,
 * `protocols`, `lastEventId`, `tls.caFile` and the messages of `send` (the strings inside a JSON one). (`name` is shown as written; `method` and header
 * names cannot hold `${…}`: the validation of profiles allows only letters and token characters there.)
 */
import { isCredentialHeader } from './credentials';
import { type Profile, templatedStrings } from './profile';
import type { SendItem } from './profileSend';
import { mapMessage } from './workbench/environments';

export interface ResolveEnv {
  env(name: string): string | undefined;
  secret(name: string): Promise<string | undefined>;
}

export type ResolveError =
  { code: 'ERR_MISSING_SECRET'; name: string; message: string } | { code: 'ERR_MISSING_ENV'; name: string; message: string };

export type Resolved<T> =
  | {
      ok: true;
      value: T;
      /** Values to mask: every secret, and the environment values in credential positions or listed in `maskEnv`. */
      secrets: string[];
      /** The references resolved, as written (`${secret:TOKEN}`, `${env:HOME}`), sorted, each once. */
      refs: string[];
    }
  | { ok: false; error: ResolveError };

const TEMPLATE = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g;

/** Every string of a profile that is resolved: the same list feeds the references and the substitution. */
const resolvedStrings = templatedStrings;

function envNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].filter((m) => m[1] === 'env').map((m) => m[2]);
}

/**
 * Names of the `${env:NAME}` whose values are credentials by where they stand: in the value of a
 * credential header (`Authorization`, `Cookie`, `X-API-Key`, …), or in the URL's user info
 * (`user:pass@`) or query string (`?token=…`). Hosts, paths, bodies and paths of files are not:
 * masking `localhost` or a home folder everywhere would hide what the log is for (`maskEnv` adds any
 * variable by name).
 */
export function credentialEnvNames(p: Partial<Profile>): string[] {
  const names = new Set<string>(p.maskEnv ?? []);
  for (const [header, value] of Object.entries(p.headers ?? {})) {
    if (isCredentialHeader(header)) {
      envNames(value).forEach((n) => names.add(n));
    }
  }
  const url = p.url ?? '';
  const hash = url.indexOf('#');
  const beforeHash = hash >= 0 ? url.slice(0, hash) : url;
  const q = beforeHash.indexOf('?');
  if (q >= 0) {
    envNames(beforeHash.slice(q + 1)).forEach((n) => names.add(n));
  }
  // User info: between "//" and an "@" that comes before the path.
  const authorityStart = url.indexOf('//');
  if (authorityStart >= 0) {
    const rest = url.slice(authorityStart + 2);
    const end = rest.search(/[/?#]/);
    const authority = end >= 0 ? rest.slice(0, end) : rest;
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      envNames(authority.slice(0, at)).forEach((n) => names.add(n));
    }
  }
  return [...names];
}

/** Resolves the templated fields of a profile (url, header values, body, protocols, lastEventId, tls.caFile). */
export async function resolveProfile<P extends Partial<Profile> & { url: string }>(p: P, env: ResolveEnv): Promise<Resolved<P>> {
  const values = new Map<string, string>();
  const secrets: string[] = [];
  // Collect every reference once, then substitute synchronously.
  const refs = new Set<string>();
  for (const s of resolvedStrings(p)) {
    for (const m of s.matchAll(TEMPLATE)) {
      refs.add(`${m[1]}:${m[2]}`);
    }
  }
  const maskedEnv = new Set(credentialEnvNames(p));
  for (const ref of refs) {
    const [kind, name] = splitRef(ref);
    if (kind === 'env') {
      const v = env.env(name);
      if (v === undefined) {
        return { ok: false, error: { code: 'ERR_MISSING_ENV', name, message: `Environment variable ${name} is not set` } };
      }
      values.set(ref, v);
      if (maskedEnv.has(name)) {
        secrets.push(v);
      }
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
  // A variable listed in maskEnv is masked even where the profile does not use it.
  for (const name of maskedEnv) {
    const v = env.env(name);
    if (v !== undefined && !refs.has(`env:${name}`)) {
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
  if (p.tls?.caFile !== undefined) {
    out.tls = { ...p.tls, caFile: sub(p.tls.caFile) };
  }
  if (p.send) {
    out.send = p.send.map((item) => subSend(item, sub));
  }
  if (p.adapter?.options) {
    out.adapter = { ...p.adapter, options: subDeep(p.adapter.options, sub) as Record<string, unknown> };
  }
  if (p.messages) {
    out.messages = p.messages.map((m) => mapMessage(m, sub));
  }
  const written = [...refs].map((ref) => `\${${ref}}`).sort();
  return { ok: true, value: out, secrets, refs: written };
}

/** The `${env:…}`/`${secret:…}` references of a configuration, as written, sorted, each once (nothing resolved). */
export function referencesOf(p: Partial<Profile>): string[] {
  const refs = new Set<string>();
  for (const s of resolvedStrings(p)) {
    for (const m of s.matchAll(TEMPLATE)) {
      refs.add(m[0]);
    }
  }
  return [...refs].sort();
}

function subSend(item: SendItem, sub: (s: string) => string): SendItem {
  if (typeof item === 'string') {
    return sub(item);
  }
  if ('text' in item) {
    return { text: sub(item.text) };
  }
  if ('json' in item) {
    const walk = (v: unknown): unknown =>
      typeof v === 'string'
        ? sub(v)
        : Array.isArray(v)
          ? v.map(walk)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
            : v;
    return { json: walk(item.json) };
  }
  return item;
}

/** Every string in a JSON value resolved, at any depth. */
function subDeep(v: unknown, sub: (s: string) => string): unknown {
  return typeof v === 'string'
    ? sub(v)
    : Array.isArray(v)
      ? v.map((x) => subDeep(x, sub))
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subDeep(x, sub)]))
        : v;
}

function splitRef(ref: string): ['env' | 'secret', string] {
  const i = ref.indexOf(':');
  return [ref.slice(0, i) as 'env' | 'secret', ref.slice(i + 1)];
}
