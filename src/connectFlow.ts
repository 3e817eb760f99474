import * as vscode from 'vscode';
import { adapters, suggestedAdapters } from './core/adapters/registry';
import { isCredentialHeader } from './core/credentials';
import { connectPickItems, type ConnectItem, type ConnectSources, safeKind, transportName, typedTarget } from './connectItems';
import type { SessionConfig } from './profiles/connectOptions';
import { looksLikeCommand, parseCommand } from './core/workbench/pasteCommand';
import { pastedConfig } from './workbench/pastedConfig';
import type { ProfileEntry } from './profiles/profileStore';

export { connectPickItems, typedTarget, type ConnectItem, type ConnectSources } from './connectItems';

export type ConnectChoice = { type: 'profile'; entry: ProfileEntry } | { type: 'adhoc'; config: SessionConfig; pasted?: true };

/** What the connect box gave: a profile, or a configuration to connect with now or after its options. */
export type FirstPick = { entry: ProfileEntry } | { config: SessionConfig; options?: boolean; pasted?: true };

/** An item of an options step. */
export interface StepItem extends vscode.QuickPickItem {
  step?: OptionStep;
  header?: string;
}

type OptionStep = 'connect' | 'transport' | 'method' | 'body' | 'protocols' | 'adapter' | 'addHeader' | 'removeHeader';

/**
 * The prompts the flow uses; tests script them, the extension uses the editor's. Every prompt stays
 * open when focus moves away (a panel that takes focus back must not close it); in the options steps
 * Escape and the Back button resolve undefined, which goes one step back.
 */
export interface FlowUi {
  /** The connect box, starting with `value` typed; undefined when the user cancels it. */
  pickFirst(sources: ConnectSources, value: string): Promise<FirstPick | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeholder?: string }): Promise<T | undefined>;
  input(options: {
    title: string;
    prompt: string;
    placeholder?: string;
    value?: string;
    validate?: (value: string) => string | undefined;
  }): Promise<string | undefined>;
}

/** A header line as "Name: value". */
const HEADER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*:/;

/**
 * The palette's connect flow. One step for the common case: type or paste a URL and press Enter (the
 * scheme decides the transport), or pick a profile, a demo endpoint or a recent URL. "Options…" (an item
 * and a button) opens the request's options (transport, method, headers, body; subprotocols for
 * WebSocket) in the same flow; Escape there goes back to the connect box with the URL still typed.
 * Resolves undefined when the user cancels the connect box.
 */
export async function connectFlow(sources: ConnectSources, ui: FlowUi = windowUi): Promise<ConnectChoice | undefined> {
  let value = '';
  let draft: SessionConfig | undefined;
  for (;;) {
    const first = await ui.pickFirst(sources, value);
    if (!first) {
      return undefined;
    }
    if ('entry' in first) {
      return { type: 'profile', entry: first.entry };
    }
    if (!first.options) {
      return { type: 'adhoc', config: first.config, ...(first.pasted ? { pasted: true as const } : {}) };
    }
    // Back from the options and into them again for the same URL: what was set is still there.
    const start = draft?.url === first.config.url ? draft : first.config;
    const result = await requestOptions(start, ui);
    if ('connect' in result) {
      return { type: 'adhoc', config: result.connect };
    }
    draft = result.back;
    value = first.config.url;
  }
}

/** The options steps: a menu of the request's parts, each opening its own prompt. `back`: the draft when the user went back. */
async function requestOptions(start: SessionConfig, ui: FlowUi): Promise<{ connect: SessionConfig } | { back: SessionConfig }> {
  const draft: SessionConfig = { ...start, headers: { ...start.headers } };
  const title = `Connect: options for ${start.url}`;
  for (;;) {
    const kind = draft.adapter ? 'ws' : draft.kind === 'sse' || draft.kind === 'ws' ? draft.kind : safeKind(draft.url);
    const headers = draft.headers ?? {};
    const items: StepItem[] = [
      { label: '$(plug) Connect', description: summary(draft, kind), step: 'connect' },
      {
        label: `Transport: ${draft.kind === 'sse' || draft.kind === 'ws' ? (kind === 'ws' ? 'WebSocket' : 'SSE') : `Auto (${transportName(draft.url)})`}`,
        step: 'transport',
      },
    ];
    if (kind === 'sse') {
      items.push({ label: `Method: ${draft.method ?? 'GET'}`, step: 'method' });
      if ((draft.method ?? 'GET') !== 'GET') {
        items.push({ label: `Body: ${draft.body ? `${Buffer.byteLength(draft.body)} bytes` : 'none'}`, step: 'body' });
      }
    } else {
      items.push({ label: `Subprotocols: ${draft.protocols?.join(', ') || 'none'}`, step: 'protocols' });
    }
    // An adapter speaks over a WebSocket, also for an http:// URL (Socket.IO): offered for either.
    const suggested = suggestedAdapters({ url: draft.url, protocol: draft.protocols?.[0] });
    items.push({
      label: `Adapter: ${draft.adapter?.name ?? 'none'}`,
      description: !draft.adapter && suggested.length ? `suggested: ${suggested.map((a) => a.name).join(', ')}` : undefined,
      step: 'adapter',
    });
    items.push({ label: '$(add) Add header…', description: '"Name: value"', step: 'addHeader' });
    for (const [name, headerValue] of Object.entries(headers)) {
      items.push({
        label: `$(trash) ${name}: ${isCredentialHeader(name) && !headerValue.includes('${') ? '••••' : headerValue}`,
        description: 'Enter removes this header',
        step: 'removeHeader',
        header: name,
      });
    }
    const picked = await ui.pick(items, { title, placeholder: 'Enter connects; pick a part to change it; Escape goes back' });
    if (!picked) {
      return { back: draft };
    }
    switch (picked.step) {
      case 'connect':
        return { connect: finish(draft, kind) };
      case 'transport': {
        const choice = await ui.pick(
          [
            { label: `Auto: ${transportName(draft.url)}`, description: 'from the scheme', transport: undefined },
            { label: 'Server-Sent Events', description: 'HTTP request, text/event-stream response', transport: 'sse' as const },
            { label: 'WebSocket', description: 'ws:// or wss://', transport: 'ws' as const },
          ],
          { title: 'Connect: transport' },
        );
        if (choice) {
          draft.kind = choice.transport;
        }
        break;
      }
      case 'method': {
        const method = await ui.pick(
          ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((label) => ({ label })),
          { title: 'Connect: HTTP method' },
        );
        if (method) {
          draft.method = method.label === 'GET' ? undefined : method.label;
        }
        break;
      }
      case 'body': {
        const body = await ui.input({
          title: 'Connect: request body',
          prompt: 'Request body',
          placeholder: '{"prompt": "hello"}',
          value: draft.body,
        });
        if (body !== undefined) {
          draft.body = body || undefined;
        }
        break;
      }
      case 'protocols': {
        const protocols = await ui.input({
          title: 'Connect: subprotocols',
          prompt: 'Subprotocols to offer, comma-separated',
          placeholder: 'graphql-transport-ws, json',
          value: draft.protocols?.join(', '),
        });
        if (protocols !== undefined) {
          const list = protocols
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
          draft.protocols = list.length ? list : undefined;
        }
        break;
      }
      case 'adapter': {
        const suggestedNames = new Set(suggestedAdapters({ url: draft.url, protocol: draft.protocols?.[0] }).map((a) => a.name));
        const list = [...adapters()].sort((a, b) => Number(suggestedNames.has(b.name)) - Number(suggestedNames.has(a.name)));
        const choice = await ui.pick(
          [
            { label: 'None', description: 'plain WebSocket frames', adapter: undefined },
            ...list.map((a) => ({
              label: a.name,
              description: suggestedNames.has(a.name) ? 'suggested by the URL' : undefined,
              adapter: a.name,
            })),
          ],
          { title: 'Connect: protocol adapter (speaks and decodes the protocol)' },
        );
        if (choice) {
          draft.adapter = choice.adapter ? { name: choice.adapter } : undefined;
        }
        break;
      }
      case 'addHeader': {
        const line = await ui.input({
          title: 'Connect: add a header',
          prompt: 'A header as "Name: value"; ${secret:NAME} and ${env:NAME} are resolved at connect time',
          placeholder: 'Authorization: Bearer ${secret:API_TOKEN}',
          validate: (v) => (HEADER_LINE.test(v) ? undefined : 'Write "Name: value"'),
        });
        if (line !== undefined && HEADER_LINE.test(line)) {
          const colon = line.indexOf(':');
          draft.headers = { ...headers, [line.slice(0, colon).trim()]: line.slice(colon + 1).trim() };
        }
        break;
      }
      case 'removeHeader': {
        const { [picked.header!]: _removed, ...kept } = headers;
        draft.headers = kept;
        break;
      }
    }
  }
}

/** The configuration to connect with: empty parts left out, a JSON body sent as JSON unless told otherwise. */
function finish(draft: SessionConfig, kind: 'sse' | 'ws'): SessionConfig {
  const config: SessionConfig = { url: draft.url };
  if (draft.kind) {
    config.kind = draft.kind;
  }
  const headers = { ...draft.headers };
  if (kind === 'sse' && draft.method) {
    config.method = draft.method;
    if (draft.body) {
      config.body = draft.body;
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && /^\s*[[{]/.test(draft.body)) {
        headers['Content-Type'] = 'application/json';
      }
    }
  }
  if (kind === 'ws' && draft.protocols?.length) {
    config.protocols = draft.protocols;
  }
  if (draft.adapter) {
    config.adapter = draft.adapter;
  }
  if (Object.keys(headers).length) {
    config.headers = headers;
  }
  return config;
}

/** "POST · 2 headers · 17-byte body", for the Connect item. */
function summary(draft: SessionConfig, kind: 'sse' | 'ws'): string {
  const count = Object.keys(draft.headers ?? {}).length;
  const parts = [kind === 'ws' ? 'WebSocket' : `SSE ${draft.method ?? 'GET'}`];
  parts.push(`${count} header${count === 1 ? '' : 's'}`);
  if (kind === 'sse' && draft.method && draft.body) {
    parts.push(`${Buffer.byteLength(draft.body)}-byte body`);
  }
  if (kind === 'ws' && draft.protocols?.length) {
    parts.push(draft.protocols.join(', '));
  }
  return parts.join(' · ');
}

/** The "Options…" button of the connect box. */
const OPTIONS_BUTTON: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('settings-gear'),
  tooltip: 'Options… (method, headers, body)',
};

/** The connect box: a quick pick whose items follow the typed text (see {@link connectPickItems}). */
function pickFirst(sources: ConnectSources, value: string): Promise<FirstPick | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<ConnectItem>();
    qp.title = 'Connect SSE/WS';
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = true;
    qp.placeholder = 'Type or paste a URL and press Enter (http(s):// SSE, ws(s):// WebSocket), or pick a profile or recent URL';
    qp.buttons = [OPTIONS_BUTTON];
    qp.value = value;
    const update = () => {
      qp.items = connectPickItems(sources, qp.value);
    };
    qp.onDidChangeValue(update);
    let picked: FirstPick | undefined;
    const done = (pick: FirstPick) => {
      picked = pick;
      qp.hide();
    };
    /** The typed text as a URL, read now: the list may not have caught up with the last keystroke. */
    const typedConfig = (): SessionConfig | undefined => {
      const target = typedTarget(qp.value);
      return target.type === 'url' ? { url: target.url } : undefined;
    };
    qp.onDidAccept(() => {
      // A pasted curl / wscat / websocat command fills the request (an error names the word at fault).
      if (looksLikeCommand(qp.value)) {
        try {
          done({ config: pastedConfig(parseCommand(qp.value)), pasted: true });
        } catch (err) {
          // The box stays open with the command in it, to fix the word named.
          void vscode.window.showErrorMessage(`Cannot read the pasted command: ${(err as Error).message}`);
        }
        return;
      }
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      const typed = typedConfig();
      if (!item || item.action) {
        if (typed) {
          done({ config: typed, options: item?.action === 'options' });
        }
      } else if (item.entry) {
        done({ entry: item.entry });
      } else if (item.config) {
        // A whole URL typed with its scheme wins over another URL the list put first: the quick pick
        // sorts by label, so a recent URL that starts with the typed text leads a list that has not yet
        // followed the last keystroke (Enter at once, a loaded machine), and Enter accepts it by position.
        const typedUrl = typedTarget(qp.value);
        const whole = typedUrl.type === 'url' && !typedUrl.assumedHttp && typedUrl.url !== item.config.url;
        done({ config: whole && typed ? typed : item.config });
      }
    });
    qp.onDidTriggerButton(() => {
      const active = qp.activeItems[0];
      const config = active && !active.action && active.config ? active.config : typedConfig();
      // A profile's options are edited in its settings, not here.
      if (config) {
        done({ config, options: true });
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

/** An options step's pick: Escape and Back resolve undefined. */
function pick<T extends vscode.QuickPickItem>(items: T[], options: { title: string; placeholder?: string }): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<T>();
    Object.assign(qp, { title: options.title, placeholder: options.placeholder, items, ignoreFocusOut: true, sortByLabel: false });
    qp.buttons = [vscode.QuickInputButtons.Back];
    let picked: T | undefined;
    qp.onDidTriggerButton(() => qp.hide());
    qp.onDidAccept(() => {
      picked = qp.selectedItems[0] ?? qp.activeItems[0];
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve(picked);
    });
    qp.show();
  });
}

/** An options step's input box: Escape and Back resolve undefined; Enter is refused while the text is invalid. */
function input(options: Parameters<FlowUi['input']>[0]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    Object.assign(box, { title: options.title, prompt: options.prompt, placeholder: options.placeholder, value: options.value ?? '' });
    box.ignoreFocusOut = true;
    box.buttons = [vscode.QuickInputButtons.Back];
    let result: string | undefined;
    box.onDidChangeValue((v) => {
      box.validationMessage = v && options.validate ? options.validate(v) : undefined;
    });
    box.onDidTriggerButton(() => box.hide());
    box.onDidAccept(() => {
      const problem = options.validate?.(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      result = box.value;
      box.hide();
    });
    box.onDidHide(() => {
      box.dispose();
      resolve(result);
    });
    box.show();
  });
}

const windowUi: FlowUi = { pickFirst, pick, input };
