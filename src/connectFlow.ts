import * as vscode from 'vscode';
import { resolveKind } from './core/options';
import type { SessionConfig } from './profiles/connectOptions';
import { checkUrl } from './profiles/profile';
import type { ProfileEntry, ProfileStore } from './profiles/profileStore';

export type ConnectChoice = { type: 'profile'; entry: ProfileEntry } | { type: 'adhoc'; config: SessionConfig };

export interface UrlItem extends vscode.QuickPickItem {
  entry?: ProfileEntry;
  url?: string;
}

/** The prompts the flow uses; tests script them, the extension uses the editor's. */
export interface FlowUi {
  pickProfileOrUrl(profiles: ProfileStore, recentUrls: readonly string[]): Promise<{ entry?: ProfileEntry; url?: string } | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
}

// Every step stays open when focus moves away: a panel that takes focus back as it loads or updates
// must not close the flow under the user's hands (Escape still cancels).
const windowUi: FlowUi = {
  pickProfileOrUrl,
  showQuickPick: (items, options) => vscode.window.showQuickPick(items, { ...options, ignoreFocusOut: true }),
  showInputBox: (options) => vscode.window.showInputBox({ ...options, ignoreFocusOut: true }),
};

/**
 * The palette's connect flow: pick a saved profile or type a URL; for a URL, the kind (detected from
 * the scheme, overridable) and the optional headers, subprotocols (WS) or method and body (SSE).
 * Resolves undefined when the user cancels at any step.
 */
export async function connectFlow(
  profiles: ProfileStore,
  recentUrls: readonly string[],
  ui: FlowUi = windowUi,
): Promise<ConnectChoice | undefined> {
  const first = await ui.pickProfileOrUrl(profiles, recentUrls);
  if (!first) {
    return undefined;
  }
  if (first.entry) {
    return { type: 'profile', entry: first.entry };
  }
  const url = first.url!;
  const config: SessionConfig = { url };

  const detected = safeKind(url);
  const kindPick = await ui.showQuickPick(
    [
      {
        label: `Auto: ${detected === 'ws' ? 'WebSocket' : 'Server-Sent Events'}`,
        description: 'detected from the scheme',
        transport: 'auto' as const,
      },
      { label: 'Server-Sent Events', description: 'HTTP request, text/event-stream response', transport: 'sse' as const },
      { label: 'WebSocket', description: 'ws:// or wss://', transport: 'ws' as const },
    ],
    { title: 'Connect: transport', placeHolder: 'How to connect' },
  );
  if (!kindPick) {
    return undefined;
  }
  if (kindPick.transport !== 'auto') {
    config.kind = kindPick.transport;
  }
  const kind = kindPick.transport === 'auto' ? detected : kindPick.transport;

  const headers: Record<string, string> = {};
  for (;;) {
    const line = await ui.showInputBox({
      title: `Connect: headers (${Object.keys(headers).length} so far)`,
      prompt: 'Add a header as "Name: value" — ${secret:NAME} and ${env:NAME} are resolved at connect time. Leave empty to go on.',
      placeHolder: 'Authorization: Bearer ${secret:API_TOKEN}',
      validateInput: (v) => (!v.trim() || /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*:/.test(v) ? undefined : 'Write "Name: value"'),
    });
    if (line === undefined) {
      return undefined;
    }
    if (!line.trim()) {
      break;
    }
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  if (Object.keys(headers).length) {
    config.headers = headers;
  }

  if (kind === 'ws') {
    const protocols = await ui.showInputBox({
      title: 'Connect: subprotocols',
      prompt: 'Subprotocols to offer, comma-separated (optional)',
      placeHolder: 'graphql-transport-ws, json',
    });
    if (protocols === undefined) {
      return undefined;
    }
    const list = protocols
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (list.length) {
      config.protocols = list;
    }
  } else {
    const method = await ui.showQuickPick(
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((label) => ({ label })),
      {
        title: 'Connect: HTTP method',
        placeHolder: 'GET',
      },
    );
    if (method === undefined) {
      return undefined;
    }
    if (method.label !== 'GET') {
      config.method = method.label;
      const body = await ui.showInputBox({
        title: 'Connect: request body',
        prompt: 'Request body (optional)',
        placeHolder: '{"prompt": "hello"}',
      });
      if (body === undefined) {
        return undefined;
      }
      if (body) {
        config.body = body;
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && /^\s*[[{]/.test(body)) {
          config.headers = { ...config.headers, 'Content-Type': 'application/json' };
        }
      }
    }
  }
  return { type: 'adhoc', config };
}

function pickProfileOrUrl(profiles: ProfileStore, recentUrls: readonly string[]): Promise<UrlItem | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<UrlItem>();
    qp.title = 'Connect SSE/WS';
    qp.ignoreFocusOut = true;
    qp.placeholder = 'Pick a saved profile or type a URL (http(s):// for SSE, ws(s):// for WebSocket)';
    qp.matchOnDescription = true;
    const update = () => {
      qp.items = connectPickItems(profiles.entries, recentUrls, qp.value);
    };
    qp.onDidChangeValue(update);
    let picked: UrlItem | undefined;
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      if (item && (item.entry || item.url)) {
        picked = item;
        qp.hide();
      }
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(picked);
    });
    update();
    qp.show();
  });
}

/** The schemes a typed URL may start with, for telling a URL being typed from a profile name. */
const SCHEMES = ['http://', 'https://', 'ws://', 'wss://'];

/**
 * How the typed text relates to a URL: `url` (connectable), `partial` (a prefix of a supported scheme,
 * e.g. "ws" or "https:/"), `bad` (has a scheme or `://` but cannot connect; `problem` says why) or `text`
 * (no scheme at all: a profile name or a search).
 */
export function classifyTyped(typed: string): { type: 'url' | 'partial' | 'text' } | { type: 'bad'; problem: string } {
  const lower = typed.toLowerCase();
  if (SCHEMES.some((s) => s.startsWith(lower))) {
    return { type: 'partial' };
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) || typed.startsWith('${');
  const problem = checkUrl(typed);
  if (!problem && hasScheme) {
    return { type: 'url' };
  }
  if (hasScheme || typed.includes('://')) {
    return { type: 'bad', problem: problem ?? `"${typed}" is not a valid URL` };
  }
  return { type: 'text' };
}

/**
 * The items of the first step for the typed text. Profiles whose name holds the text come first; a
 * "Connect to" item appears only for text that is a URL; while the text is anything else, a problem
 * with it shows only when no profile or recent URL matches it.
 */
export function connectPickItems(entries: readonly ProfileEntry[], recentUrls: readonly string[], value: string): UrlItem[] {
  const typed = value.trim();
  const needle = typed.toLowerCase();
  // Lenient (in-order characters) like the quick pick's own fuzzy filter, so nothing it lists is called a problem.
  const named = (e: ProfileEntry) => !!needle && fuzzyIncludes(e.profile.name, needle);
  const matching = (e: ProfileEntry) => named(e) || (!!needle && fuzzyIncludes(e.profile.url, needle));
  const profileItem = (entry: ProfileEntry): UrlItem => ({
    label: `$(bookmark) ${entry.profile.name}`,
    description: entry.profile.url,
    detail: entry.source === 'workspace' ? 'workspace settings' : undefined,
    entry,
  });
  const namedItems = entries.filter(named).map(profileItem);
  const otherItems = entries.filter((e) => !named(e)).map(profileItem);
  const separator: UrlItem[] = entries.length ? [{ label: 'Saved profiles', kind: vscode.QuickPickItemKind.Separator }] : [];
  // A recent URL the same as the typed one would only repeat the "Connect to" item.
  const recent = recentUrls.filter((url) => url !== typed);
  const recentItems: UrlItem[] = [];
  if (recent.length) {
    recentItems.push({ label: 'Recent', kind: vscode.QuickPickItemKind.Separator });
    recentItems.push(...recent.map((url) => ({ label: `$(history) ${url}`, url })));
  }
  let typedItem: UrlItem | undefined;
  if (typed) {
    const typedAs = classifyTyped(typed);
    if (typedAs.type === 'url') {
      typedItem = {
        label: `$(plug) Connect to ${typed}`,
        description: safeKind(typed) === 'ws' ? 'WebSocket' : 'SSE',
        url: typed,
        alwaysShow: true,
      };
    } else if (typedAs.type !== 'partial' && !entries.some(matching) && !recentUrls.some((u) => fuzzyIncludes(u, needle))) {
      const problem =
        typedAs.type === 'bad' ? typedAs.problem : 'No saved profile matches; type a URL: http(s):// for SSE, ws(s):// for WebSocket';
      typedItem = { label: `$(${typedAs.type === 'bad' ? 'error' : 'info'}) ${typed}`, description: problem, alwaysShow: true };
    }
  }
  if (!typedItem) {
    return [...separator, ...namedItems, ...otherItems, ...recentItems];
  }
  // A URL (or a problem with one) leads unless a profile is named like the text.
  return namedItems.length
    ? [...separator, ...namedItems, typedItem, ...otherItems, ...recentItems]
    : [typedItem, ...separator, ...otherItems, ...recentItems];
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

function safeKind(url: string): 'sse' | 'ws' {
  try {
    return resolveKind(url.replace(/\$\{[^}]*\}/g, 'x'));
  } catch {
    return 'sse';
  }
}
