/**
 * What a 401 asks for, in words. MCP's authorization (spec 2025-06-18 "Authorization") has the server
 * answer `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728): the protected resource metadata,
 * whose `authorization_servers` name where a token comes from. Without the parameter a client looks
 * at `/.well-known/oauth-protected-resource` on the server's origin.
 */

/** A WWW-Authenticate challenge: its scheme and its auth-params (lower-case names). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** The challenges of a `WWW-Authenticate` value (RFC 9110 §11.6.1), quoted strings unescaped. */
export function parseWwwAuthenticate(value: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /\s*([!#$%&'*+\-.^_`|~\w]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?\s*,?/gy;
  let current: Challenge | undefined;
  let m: RegExpExecArray | null;
  while (re.lastIndex < value.length && (m = re.exec(value)) !== null) {
    if (m[0] === '') {
      break;
    }
    const [, name, raw] = m;
    if (raw === undefined) {
      // A bare token starts a new challenge: its scheme.
      current = { scheme: name, params: {} };
      out.push(current);
      continue;
    }
    const v = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    if (current) {
      current.params[name.toLowerCase()] = v;
    }
  }
  return out;
}

/** The protected resource metadata URL a client should read for `endpoint` (RFC 9728 §3.1). */
export function defaultResourceMetadataUrl(endpoint: URL): string {
  const path = endpoint.pathname === '/' ? '' : endpoint.pathname;
  return `${endpoint.origin}/.well-known/oauth-protected-resource${path}`;
}

/** A 401's explanation: what scheme, where the metadata is, and what to do. */
export function describeUnauthorized(endpoint: URL, wwwAuthenticate: string | undefined, authorizationServers?: string[]): string {
  const challenges = wwwAuthenticate ? parseWwwAuthenticate(wwwAuthenticate) : [];
  const bearer = challenges.find((c) => c.scheme.toLowerCase() === 'bearer') ?? challenges[0];
  const parts: string[] = [`The server at ${endpoint.origin} requires authorization (HTTP 401)`];
  if (bearer) {
    parts[0] += ` with the ${bearer.scheme} scheme`;
    const metadata = bearer.params.resource_metadata;
    parts.push(
      metadata
        ? `its OAuth protected resource metadata is at ${metadata}`
        : `it names no resource_metadata; OAuth discovery would look at ${defaultResourceMetadataUrl(endpoint)}`,
    );
    if (bearer.params.scope) {
      parts.push(`scope asked: ${bearer.params.scope}`);
    }
    if (bearer.params.error) {
      parts.push(`error: ${bearer.params.error}${bearer.params.error_description ? ` (${bearer.params.error_description})` : ''}`);
    }
  } else {
    parts.push(`it sent no WWW-Authenticate challenge; OAuth discovery would look at ${defaultResourceMetadataUrl(endpoint)}`);
  }
  if (authorizationServers?.length) {
    parts.push(`authorization server: ${authorizationServers.join(', ')}`);
  }
  return `${parts.join('; ')}. Send a token with a header (-H "Authorization: Bearer \${secret:NAME}" or a profile's headers).`;
}

/** The metadata URL a 401 points at (the challenge's `resource_metadata`, else the well-known one). */
export function resourceMetadataUrl(endpoint: URL, wwwAuthenticate: string | undefined): string {
  const challenges = wwwAuthenticate ? parseWwwAuthenticate(wwwAuthenticate) : [];
  for (const c of challenges) {
    if (c.params.resource_metadata) {
      return c.params.resource_metadata;
    }
  }
  return defaultResourceMetadataUrl(endpoint);
}
