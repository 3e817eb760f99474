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
