import { hasUrlCredentials, replaceUrlCredentials } from './core/credentials';

/**
 * What the extension keeps of URLs that carry credentials (`?token=…`, `user:pass@`): the recent-URL
 * list (global state, in clear on disk) keeps none of them, and Save as Profile can move each to
 * secret storage, leaving `${secret:NAME}` in the profile's URL.
 */

/** Most URLs the recent list keeps. */
export const MAX_RECENT = 10;

/**
 * The recent URLs to offer: none that carries a credential (one kept by an older version is dropped).
 * Masked, such a URL could not connect again; Save as Profile keeps it with the credential in secret
 * storage instead.
 */
export function recentUrls(stored: unknown): string[] {
  return Array.isArray(stored) ? stored.filter((u): u is string => typeof u === 'string' && !hasUrlCredentials(u)) : [];
}

/** The recent list after connecting to `url`: first when it carries no credential, not kept at all when it does. */
export function rememberUrl(stored: unknown, url: string): string[] {
  const kept = recentUrls(stored).filter((u) => u !== url);
  return (hasUrlCredentials(url) ? kept : [url, ...kept]).slice(0, MAX_RECENT);
}

/** A secret name for settings: `PROFILE_PART` in capitals, letters, digits and `_`. */
export function secretNameFor(profileName: string, part: string): string {
  return `${profileName}_${part}`.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
}

/**
 * `url` with each credential typed in clear replaced by `${secret:NAME}`, and the values to store
 * under those names. A value is stored as written in the URL (percent-encoded), so the template
 * resolves to the very URL. Credentials that are templates already are left as they are.
 */
export function moveUrlCredentials(url: string, profileName: string): { url: string; secrets: [name: string, value: string][] } {
  const secrets: [string, string][] = [];
  const out = replaceUrlCredentials(url, (c) => {
    if (c.value.includes('${')) {
      return c.value;
    }
    let name = secretNameFor(profileName, `URL_${c.where === 'param' ? c.name! : c.where}`);
    for (let n = 2; secrets.some(([taken]) => taken === name); n++) {
      name = secretNameFor(profileName, `URL_${c.where === 'param' ? c.name! : c.where}_${n}`);
    }
    secrets.push([name, c.value]);
    return `\${secret:${name}}`;
  });
  return { url: out, secrets };
}
