/**
 * The rulebook for credentials: which headers carry them, and what their value looks like. The
 * redactor, both transports, the CLI and the extension all decide by these functions, never by a
 * copy of them.
 */

/** Headers whose values are credentials, by name (case-insensitive). */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|token|secret|password|api-?key/i;

/** True when a header named `name` carries a credential (its value is masked, not forwarded across origins). */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

const AUTH_SCHEME = /^(Bearer|Basic|Digest|Token|Bot)\s+/i;

/** The secret part of a credential header's value: without its auth scheme (`Bearer abc` → `abc`). */
export function credentialOf(value: string): string {
  return value.replace(AUTH_SCHEME, '');
}

/** The auth scheme a credential value starts with (`Bearer`), or undefined. */
export function authSchemeOf(value: string): string | undefined {
  const m = /^(Bearer|Basic|Digest|Token|Bot)\s+\S/i.exec(value);
  return m ? m[1] : undefined;
}

/** True for a URL whose connection is encrypted: https, and wss (a WebSocket is an HTTP request first). */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'wss:';
}

/** The origin credentials are given to: scheme, host and port, with ws/wss counted as http/https. */
function credentialOrigin(url: URL): string {
  const scheme = url.protocol === 'ws:' ? 'http:' : url.protocol === 'wss:' ? 'https:' : url.protocol;
  const port = url.port || (scheme === 'https:' ? '443' : '80');
  return `${scheme}//${url.hostname.toLowerCase()}:${port}`;
}

/** What a redirect from `from` to `to` may do, the same for SSE and WebSocket. */
export interface RedirectRule {
  /** The redirect leaves TLS (https/wss → http/ws). */
  downgrade: boolean;
  /** Why it is refused, when it is: a downgrade the user did not allow. */
  refused?: string;
  /** Credential headers are not sent to `to` (and to no later hop either). */
  dropCredentials: boolean;
}

/**
 * The one rule for redirects: a downgrade from TLS is refused unless `allowDowngrade`; credentials
 * (every header {@link isCredentialHeader} names) go only to the origin they were given for — as
 * curl (host, port and scheme) and fetch (origin) do — so they never follow a downgrade either.
 */
export function redirectRule(from: URL, to: URL, allowDowngrade = false): RedirectRule {
  const downgrade = isSecureUrl(from) && !isSecureUrl(to);
  const dropCredentials = credentialOrigin(from) !== credentialOrigin(to);
  if (downgrade && !allowDowngrade) {
    return {
      downgrade,
      dropCredentials,
      refused: `Redirect from ${from.protocol}// to ${to.protocol}// refused: it leaves TLS (allow it with allowDowngrade in the profile or --allow-downgrade; credentials are never sent over it)`,
    };
  }
  return { downgrade, dropCredentials };
}

/** `headers` without the credential headers, and the names of the ones removed. */
export function withoutCredentials<H extends Record<string, string>>(headers: H): { headers: H; dropped: string[] } {
  const out = {} as Record<string, string>;
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (isCredentialHeader(name)) {
      dropped.push(name);
    } else {
      out[name] = value;
    }
  }
  return { headers: out as H, dropped };
}

/**
 * Query (and fragment) parameters whose values are credentials, by name (case-insensitive, after
 * percent-decoding): the exact names below, and any name holding `token`, `secret`, `passw`,
 * `api_key`/`apikey`/`api-key` or `signature`. Short generic names (`key`, `sig`, `code`, `auth`)
 * count only when they are the whole name, so `monkey=` or `zipcode=` stay readable.
 */
const CREDENTIAL_PARAM =
  /^(key|sig|code|auth|authorization|pass|pwd|jwt|session|sessionid|session_id|sid|ticket|credential|credentials|x-amz-credential|hash|otp)$|token|secret|passw|api[-_]?key|signature/i;

/** True when a URL parameter named `name` (as written, percent-encoded or not) carries a credential. */
export function isCredentialParam(name: string): boolean {
  return CREDENTIAL_PARAM.test(decodeLoosely(name));
}

/** `decodeURIComponent` (with `+` as a space in a query), leaving text that is not valid percent-encoding as it is. */
function decodeLoosely(s: string, plusIsSpace = true): string {
  const text = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URL's text in parts: `scheme://`, userinfo (without `@`), host and port, path, `?query`, `#fragment`. */
interface UrlParts {
  prefix: string;
  userinfo: string | undefined;
  host: string;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

function splitUrl(url: string): UrlParts | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(url);
  if (!m) {
    return undefined;
  }
  const authority = m[2];
  const at = authority.lastIndexOf('@');
  return {
    prefix: m[1],
    userinfo: at === -1 ? undefined : authority.slice(0, at),
    host: at === -1 ? authority : authority.slice(at + 1),
    path: m[3],
    query: m[4]?.slice(1),
    fragment: m[5]?.slice(1),
  };
}

/** A credential found in a URL's text, as written: its place, and the parameter's name. */
export interface UrlCredential {
  /** `password` of `user:pass@`, `userinfo` without a password (masked whole), a `param` of the query or fragment. */
  where: 'password' | 'userinfo' | 'param';
  /** The parameter's name as written (`param` only). */
  name?: string;
  value: string;
}

/** `a=1&token=xyz` with the values of credential parameters replaced. */
function replaceParams(params: string, replace: (c: UrlCredential) => string): string {
  return params
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1 || eq === part.length - 1) {
        return part;
      }
      const name = part.slice(0, eq);
      return isCredentialParam(name) ? `${name}=${replace({ where: 'param', name, value: part.slice(eq + 1) })}` : part;
    })
    .join('&');
}

/**
 * The URL's text with each credential replaced by what `replace` gives for it: the password of
 * `user:pass@` (a userinfo without a password, often a token as in `https://TOKEN@host`, counts
 * whole), and the values of credential parameters ({@link isCredentialParam}) in the query and in a
 * `#a=b&c=d` fragment. The text is rewritten as written, never re-serialised through `URL`, so what
 * is put in reads as itself, not percent-encoded. Text that is not an absolute URL comes back as it is.
 */
export function replaceUrlCredentials(url: string, replace: (c: UrlCredential) => string): string {
  const p = splitUrl(url);
  if (!p) {
    return url;
  }
  let out = p.prefix;
  if (p.userinfo !== undefined) {
    const colon = p.userinfo.indexOf(':');
    if (p.userinfo === '') {
      out += '@';
    } else if (colon === -1) {
      out += replace({ where: 'userinfo', value: p.userinfo }) + '@';
    } else {
      const password = p.userinfo.slice(colon + 1);
      out += `${p.userinfo.slice(0, colon)}:${password ? replace({ where: 'password', value: password }) : ''}@`;
    }
  }
  out += p.host + p.path;
  if (p.query !== undefined) {
    out += '?' + replaceParams(p.query, replace);
  }
  if (p.fragment !== undefined) {
    out += '#' + (p.fragment.includes('=') ? replaceParams(p.fragment, replace) : p.fragment);
  }
  return out;
}

/** The URL's text with its credentials ({@link replaceUrlCredentials}) replaced by `mask`. */
export function maskUrlCredentials(url: string, mask: string): string {
  return replaceUrlCredentials(url, () => mask);
}

/** The credentials in a URL's text, in order. */
export function urlCredentials(url: string): UrlCredential[] {
  const found: UrlCredential[] = [];
  replaceUrlCredentials(url, (c) => {
    found.push(c);
    return c.value;
  });
  return found;
}

/** True when the URL carries a credential that {@link maskUrlCredentials} masks. */
export function hasUrlCredentials(url: string): boolean {
  return urlCredentials(url).length > 0;
}

/**
 * The secret values a URL carries, to mask wherever they come back (a server echoing them): each
 * credential parameter's value and the password (as written and percent-decoded), a userinfo without
 * a password, and the `Basic` credential the transports derive from `user:pass@` (base64 of
 * `user:password`, decoded as Node and `ws` send it, and as written).
 */
export function urlSecrets(url: string): string[] {
  const p = splitUrl(url);
  if (!p) {
    return [];
  }
  const out: string[] = [];
  const both = (raw: string, plusIsSpace = true) => {
    if (raw) {
      out.push(raw);
      const decoded = decodeLoosely(raw, plusIsSpace);
      if (decoded !== raw) {
        out.push(decoded);
      }
    }
  };
  for (const c of urlCredentials(url)) {
    both(c.value, c.where === 'param');
  }
  const colon = p.userinfo?.indexOf(':') ?? -1;
  if (p.userinfo && colon !== -1) {
    const user = p.userinfo.slice(0, colon);
    const password = p.userinfo.slice(colon + 1);
    const pair = `${decodeLoosely(user, false)}:${decodeLoosely(password, false)}`;
    out.push(Buffer.from(pair, 'utf8').toString('base64'));
    const rawPair = `${user}:${password}`;
    if (rawPair !== pair) {
      out.push(Buffer.from(rawPair, 'utf8').toString('base64'));
    }
  }
  return out;
}
