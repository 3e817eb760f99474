/**
 * A request as a command line sees it: what "Copy as" writes out and "Paste as connection" reads in.
 * No Node or DOM.
 */
import { isCredentialHeader, replaceUrlCredentials } from '../credentials';

export interface RequestSpec {
  url: string;
  kind: 'sse' | 'ws';
  headers: Record<string, string>;
  /** SSE: the HTTP method (GET when unset). */
  method?: string;
  /** SSE: the request body. */
  body?: string;
  /** WS: subprotocols offered. */
  protocols?: string[];
  /** TLS: accept any certificate. */
  insecure?: boolean;
}

/**
 * `spec` with every credential as a placeholder: a credential header's value (its auth scheme kept)
 * and a URL's password or token parameter. `written` is the same request as the profile writes it
 * (before `${secret:…}` was resolved): a value that was a reference shows as `<secret:NAME>` /
 * `<env:NAME>`, one typed in clear as `<Header-Name>`.
 */
export function withPlaceholders(spec: RequestSpec, written?: Partial<RequestSpec>): RequestSpec {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers)) {
    if (!isCredentialHeader(name)) {
      headers[name] = value;
      continue;
    }
    const original = written?.headers?.[name];
    if (original !== undefined && /\$\{(env|secret):[^}]+\}/.test(original)) {
      headers[name] = original.replace(/\$\{((?:env|secret):[^}]+)\}/g, '<$1>');
    } else {
      const scheme = /^(Bearer|Basic|Digest|Token|Bot)\s+/i.exec(value)?.[0] ?? '';
      headers[name] = `${scheme}<${name}>`;
    }
  }
  const url = replaceUrlCredentials(spec.url, (c) =>
    c.where === 'param' ? `<${c.name}>` : c.where === 'password' ? '<password>' : '<token>',
  );
  return { ...spec, url, headers };
}
