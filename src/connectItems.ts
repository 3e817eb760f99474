import * as vscode from 'vscode';
import { resolveKind } from './core/options';
import type { DemoServer } from './demo/server';
import type { SessionConfig } from './profiles/connectOptions';
import { checkUrl } from './core/profile';
import type { ProfileEntry } from './profiles/profileStore';

/** One endpoint of the running demo server. */
export type DemoEndpoint = DemoServer['endpoints'][number];

/** What the connect box lists besides the typed text. */
export interface ConnectSources {
  readonly entries: readonly ProfileEntry[];
  readonly recentUrls: readonly string[];
  /** The running demo server's endpoints (empty when it is not running). */
  readonly demoEndpoints: readonly DemoEndpoint[];
}

/**
 * An item of the connect box. `action: 'typed'` stands for the typed text and `action: 'options'` for
 * "Options…" on it: both read the box's value when accepted, not a URL stored in the item, so an Enter
 * that arrives before the list caught up with the typing still connects to exactly what was typed.
 */
export interface ConnectItem extends vscode.QuickPickItem {
  action?: 'typed' | 'options';
  entry?: ProfileEntry;
  /** A recent URL or a demo endpoint: the configuration it connects with. */
  config?: SessionConfig;
}

/** The schemes a typed URL may start with, for telling a URL being typed from a profile name. */
const SCHEMES = ['http://', 'https://', 'ws://', 'wss://'];

/**
 * A host without a scheme: `localhost`, an IPv4 or bracketed IPv6 address, or a dotted name ending in
 * letters; then an optional port and path. Such text is taken as an http:// URL (SSE).
 */
const SCHEMELESS_HOST =
  /^(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})(:\d{1,5})?([/?#]\S*)?$/i;

/** What the typed text is: see {@link typedTarget}. */
export type TypedTarget =
  { type: 'url'; url: string; assumedHttp: boolean } | { type: 'partial' } | { type: 'text' } | { type: 'bad'; problem: string };

/**
 * How the typed text relates to a URL: `url` (connectable; a host without a scheme, such as
 * `localhost:3000/events`, gets `http://` and `assumedHttp`), `partial` (a prefix of a supported scheme,
 * e.g. "ws" or "https:/"), `bad` (has a scheme or `://` but cannot connect; `problem` says why) or
 * `text` (no scheme at all: a profile name or a search).
 */
export function typedTarget(value: string): TypedTarget {
  const typed = value.trim();
  const lower = typed.toLowerCase();
  if (!typed || SCHEMES.some((s) => s.startsWith(lower))) {
    return { type: 'partial' };
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) || typed.startsWith('${');
  if (!hasScheme && !typed.includes('://') && SCHEMELESS_HOST.test(typed)) {
    const url = `http://${typed}`;
    return checkUrl(url) ? { type: 'text' } : { type: 'url', url, assumedHttp: true };
  }
  const problem = checkUrl(typed);
  if (!problem && hasScheme) {
    return { type: 'url', url: typed, assumedHttp: false };
  }
  if (hasScheme || typed.includes('://')) {
    return { type: 'bad', problem: problem ?? `"${typed}" is not a valid URL` };
  }
  return { type: 'text' };
}

/** The configuration a demo endpoint connects with (its POST endpoint streams tokens for a JSON prompt). */
export function demoEndpointConfig(e: DemoEndpoint): SessionConfig {
  const config: SessionConfig = { url: e.url, kind: e.kind, ...(e.adapter ? { adapter: e.adapter } : {}) };
  if (e.method) {
    config.method = e.method;
    config.headers = { 'Content-Type': 'application/json' };
    config.body = JSON.stringify({ prompt: 'Tell me about Server-Sent Events' });
  }
  return config;
}

/** "WebSocket" or "SSE", as the scheme selects. */
export function transportName(url: string): string {
  return safeKind(url) === 'ws' ? 'WebSocket' : 'SSE';
}

/**
 * The items of the connect box for the typed text, always in the same layout: the item for the typed
 * text, "Options…" for it, then profiles, the demo server's endpoints and recent URLs (reachable with
 * the arrow keys). Only the first two change with the text: the quick pick names the item accepted by
 * its index in the list it was shown, which may be the list from before the last keystroke.
 *
 * The quick pick sorts the items whose label matches the text by that match (a label starting with the
 * text first, then the shorter), so the typed URL is the first item's label: it comes before a longer
 * recent URL that starts the same way, and a profile named like the text comes before both.
 */
export function connectPickItems(sources: ConnectSources, value: string): ConnectItem[] {
  const { entries, recentUrls, demoEndpoints } = sources;
  const typed = value.trim();
  const needle = typed.toLowerCase();
  // Lenient (in-order characters) like the quick pick's own fuzzy filter, so nothing it lists is called a problem.
  const matches = (text: string) => !!needle && fuzzyIncludes(text, needle);
  const target = typedTarget(typed);
  let typedItem: ConnectItem;
  if (target.type === 'url') {
    const kind = target.assumedHttp ? 'SSE (no scheme typed: http:// assumed; type ws:// for WebSocket)' : transportName(target.url);
    typedItem = { label: `$(plug) ${target.url}`, description: `Enter connects · ${kind}` };
  } else if (
    target.type === 'partial' ||
    entries.some((e) => matches(e.profile.name) || matches(e.profile.url)) ||
    recentUrls.some(matches) ||
    demoEndpoints.some((e) => matches(e.name) || matches(e.url))
  ) {
    typedItem = { label: '$(link) Type or paste a URL', description: 'http(s):// for SSE, ws(s):// for WebSocket' };
  } else {
    const problem =
      target.type === 'bad' ? target.problem : 'No saved profile matches; type a URL: http(s):// for SSE, ws(s):// for WebSocket';
    typedItem = { label: `$(${target.type === 'bad' ? 'error' : 'info'}) ${typed}`, description: problem };
  }
  const items: ConnectItem[] = [
    { ...typedItem, action: 'typed', alwaysShow: true },
    {
      label: '$(settings-gear) Options…',
      description: target.type === 'url' ? 'method, headers, body, transport' : 'type a URL first',
      action: 'options',
      alwaysShow: target.type === 'url',
    },
  ];
  if (entries.length) {
    items.push(separator('Saved profiles'));
    items.push(
      ...entries.map((entry) => ({
        label: `$(bookmark) ${entry.profile.name}`,
        description: entry.profile.url,
        detail: entry.source === 'workspace' ? 'workspace settings' : undefined,
        entry,
      })),
    );
  }
  if (demoEndpoints.length) {
    items.push(separator('Demo server'));
    items.push(
      ...demoEndpoints.map((e) => ({
        label: `${e.kind === 'ws' ? '$(plug)' : e.kind === 'mcp' ? '$(server-process)' : '$(broadcast)'} ${e.name}`,
        description: e.method ? `${e.method} ${e.url}` : e.url,
        detail: e.description,
        config: demoEndpointConfig(e),
      })),
    );
  }
  if (recentUrls.length) {
    items.push(separator('Recent'));
    items.push(...recentUrls.map((url) => ({ label: `$(history) ${url}`, description: transportName(url), config: { url } })));
  }
  return items;
}

function separator(label: string): ConnectItem {
  return { label, kind: vscode.QuickPickItemKind.Separator };
}

/** Whether the characters of `needle` (lower case) appear in `text` in order, spaces ignored. */
function fuzzyIncludes(text: string, needle: string): boolean {
  const hay = text.toLowerCase();
  let at = 0;
  for (const ch of needle) {
    if (ch === ' ') {
      continue;
    }
    at = hay.indexOf(ch, at);
    if (at < 0) {
      return false;
    }
    at++;
  }
  return true;
}

/** SSE or WS as the URL's scheme selects (templates stand for any text). */
export function safeKind(url: string): 'sse' | 'ws' {
  try {
    return resolveKind(url.replace(/\$\{[^}]*\}/g, 'x'));
  } catch {
    return 'sse';
  }
}
