/**
 * The rulebook for credentials: which headers carry them, and what their value looks like. The
 * redactor, both transports, the CLI and the extension all decide by these functions, never by a
 * copy of them.
 */

/** Headers whose values are credentials, by name (case-insensitive). */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|token|secret|password|api-?key/i;

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
