/**
 * The request bar: state badge, kind, URL and connection controls, plus an editor for headers,
 * subprotocols (WebSocket) and method/body (SSE) that shows only what applies to the kind.
 */
import type { ConnectionStatus, EditableConfig, HeaderEntry, TransportKind } from '../src/protocol';
import { button, h, icon, select, setText, toggle } from './dom';
import { statusBadge } from './format/labels';

export interface HeaderHost {
  connect(config: EditableConfig): void;
  disconnect(): void;
  reconnectNow(): void;
  setAutoRetry(on: boolean): void;
  saveProfile(config: EditableConfig): void;
  configEdited(config: EditableConfig): void;
}

/** The kind a config connects with: `auto` follows the URL's scheme. */
export function effectiveKind(config: Pick<EditableConfig, 'kind' | 'url'>): TransportKind {
  if (config.kind !== 'auto') {
    return config.kind;
  }
  return /^wss?:/i.test(config.url.trim()) ? 'ws' : 'sse';
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'REPORT', 'QUERY'];

export class RequestBar {
  readonly el: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly badgeIcon: HTMLElement;
  private readonly badgeText: HTMLElement;
  private readonly url: HTMLInputElement;
  private readonly kindSel: HTMLSelectElement;
  private readonly connectBtn: HTMLButtonElement;
  private readonly disconnectBtn: HTMLButtonElement;
  private readonly reconnectBtn: HTMLButtonElement;
  private readonly autoRetry: ReturnType<typeof toggle>;
  private readonly editorToggle: HTMLButtonElement;
  private readonly editor: HTMLElement;
  private readonly headersBody: HTMLElement;
  private readonly headersCount: HTMLElement;
  private readonly wsFields: HTMLElement;
  private readonly sseFields: HTMLElement;
  private readonly protocols: HTMLInputElement;
  private readonly method: HTMLSelectElement;
  private readonly body: HTMLTextAreaElement;
  private readonly profileLabel: HTMLElement;
  private config: EditableConfig = { url: '', kind: 'auto', headers: [], method: 'GET', body: '', protocols: [] };
  private status: ConnectionStatus | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly host: HeaderHost) {
    this.badgeIcon = icon('debug-disconnect');
    this.badgeText = h('span', { class: 'badge-text' }, 'Not connected');
    this.badge = h(
      'div',
      { class: 'state-badge tone-idle', role: 'status', 'aria-live': 'polite', 'aria-label': 'Connection state' },
      this.badgeIcon,
      this.badgeText,
    );

    this.kindSel = select(
      'Connection kind',
      [
        ['auto', 'Auto'],
        ['sse', 'SSE'],
        ['ws', 'WebSocket'],
      ],
      'auto',
      (v) => {
        this.config.kind = v as EditableConfig['kind'];
        this.updateKind();
        this.edited();
      },
    );
    this.kindSel.classList.add('kind-select');
    this.url = h('input', {
      type: 'url',
      class: 'input url-input',
      'aria-label': 'URL',
      placeholder: 'https://example.com/events or wss://example.com/socket',
      spellcheck: 'false',
    });
    this.url.addEventListener('input', () => {
      this.config.url = this.url.value;
      this.updateKind();
      this.edited();
    });
    this.url.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.host.connect(this.getConfig());
      }
    });
    this.connectBtn = button({
      label: 'Connect',
      icon: 'play',
      text: true,
      variant: 'primary',
      title: 'Connect (Enter in the URL box)',
      onClick: () => this.host.connect(this.getConfig()),
    });
    this.disconnectBtn = button({
      label: 'Disconnect',
      icon: 'debug-stop',
      text: true,
      variant: 'secondary',
      onClick: () => this.host.disconnect(),
    });
    this.reconnectBtn = button({ label: 'Reconnect now', icon: 'refresh', onClick: () => this.host.reconnectNow() });
    this.autoRetry = toggle({
      label: 'Auto-retry',
      icon: 'sync',
      text: true,
      pressed: true,
      title: 'Reconnect automatically after errors',
      onClick: () => undefined,
      onToggle: (on) => this.host.setAutoRetry(on),
    });
    this.editorToggle = button({
      label: 'Request options',
      icon: 'chevron-right',
      text: true,
      title: 'Headers, subprotocols, method and body',
      onClick: () => this.toggleEditor(),
    });
    this.editorToggle.setAttribute('aria-expanded', 'false');
    this.editorToggle.setAttribute('aria-controls', 'request-editor');
    this.headersCount = h('span', { class: 'count-badge', hidden: true });
    this.editorToggle.appendChild(this.headersCount);
    this.profileLabel = h('span', { class: 'profile-label', hidden: true });

    // Editor: headers table, WS subprotocols, SSE method + body.
    this.headersBody = h('div', { class: 'headers-rows', role: 'list', 'aria-label': 'Request headers' });
    const addHeader = button({
      label: 'Add header',
      icon: 'add',
      text: true,
      onClick: () => {
        this.config.headers.push({ name: '', value: '', enabled: true });
        this.renderHeaders(true);
        this.edited();
      },
    });
    this.protocols = h('input', {
      type: 'text',
      class: 'input',
      'aria-label': 'Subprotocols, comma-separated',
      placeholder: 'graphql-transport-ws, chat.v2',
      spellcheck: 'false',
    });
    this.protocols.addEventListener('input', () => {
      this.config.protocols = this.protocols.value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      this.edited();
    });
    this.wsFields = h('div', { class: 'editor-row' }, h('label', { class: 'field-label' }, 'Subprotocols'), this.protocols);
    this.method = select(
      'HTTP method',
      METHODS.map((m) => [m, m]),
      'GET',
      (v) => {
        this.config.method = v;
        this.updateKind();
        this.edited();
      },
    );
    this.body = h('textarea', {
      class: 'input body-input',
      rows: 3,
      'aria-label': 'Request body',
      placeholder: 'Request body (sent with POST/PUT/PATCH)',
      spellcheck: 'false',
    });
    this.body.addEventListener('input', () => {
      this.config.body = this.body.value;
      this.edited();
    });
    this.sseFields = h('div', { class: 'editor-row' }, h('label', { class: 'field-label' }, 'Method'), this.method, this.body);
    this.editor = h(
      'div',
      { class: 'request-editor', id: 'request-editor', hidden: true },
      h(
        'div',
        { class: 'editor-row headers-row' },
        h('label', { class: 'field-label' }, 'Headers'),
        h(
          'div',
          { class: 'headers-col' },
          this.headersBody,
          h(
            'div',
            null,
            addHeader,
            h('span', { class: 'muted hint' }, 'Use ${secret:NAME} for secrets; they are resolved by the extension and never shown.'),
          ),
        ),
      ),
      this.wsFields,
      this.sseFields,
    );

    const saveProfile = button({
      label: 'Save as profile',
      icon: 'save',
      title: 'Save this request as a profile',
      onClick: () => this.host.saveProfile(this.getConfig()),
    });
    this.el = h(
      'header',
      { class: 'request-bar' },
      h(
        'div',
        { class: 'request-line' },
        this.badge,
        this.kindSel,
        this.url,
        this.connectBtn,
        this.disconnectBtn,
        this.reconnectBtn,
        h('span', { class: 'sep', role: 'separator' }),
        this.autoRetry,
        this.editorToggle,
        this.profileLabel,
        saveProfile,
      ),
      this.editor,
    );
    this.updateKind();
    this.renderHeaders(false);
  }

  getConfig(): EditableConfig {
    return {
      ...this.config,
      headers: this.config.headers.filter((x) => x.name.trim() || x.value.trim()).map((x) => ({ ...x, name: x.name.trim() })),
      protocols: [...this.config.protocols],
    };
  }

  setConfig(config: EditableConfig): void {
    this.config = {
      url: config.url ?? '',
      kind: config.kind ?? 'auto',
      headers: (config.headers ?? []).map((x) => ({ ...x })),
      method: config.method || 'GET',
      body: config.body ?? '',
      protocols: [...(config.protocols ?? [])],
      profile: config.profile,
    };
    this.url.value = this.config.url;
    this.kindSel.value = this.config.kind;
    this.protocols.value = this.config.protocols.join(', ');
    if (!METHODS.includes(this.config.method)) {
      this.method.appendChild(h('option', { value: this.config.method }, this.config.method));
    }
    this.method.value = this.config.method;
    this.body.value = this.config.body;
    this.profileLabel.hidden = !this.config.profile;
    setText(this.profileLabel, this.config.profile ? `Profile: ${this.config.profile}` : '');
    this.updateKind();
    this.renderHeaders(false);
  }

  setStatus(status: ConnectionStatus): void {
    this.status = status;
    const s = status.state;
    const active = s === 'connecting' || s === 'open' || s === 'reconnecting' || s === 'closing';
    this.connectBtn.hidden = active;
    this.disconnectBtn.hidden = !active;
    this.reconnectBtn.disabled = s === 'closing' || s === 'idle';
    this.autoRetry.setPressed(status.autoRetry);
    this.renderBadge();
    // A countdown is only true if it ticks.
    clearInterval(this.timer);
    this.timer = undefined;
    if (s === 'reconnecting' && status.nextAttemptAt !== undefined) {
      this.timer = setInterval(() => this.renderBadge(), 250);
    }
  }

  private renderBadge(): void {
    if (!this.status) {
      return;
    }
    const b = statusBadge(this.status, Date.now());
    this.badge.className = `state-badge tone-${b.tone}`;
    this.badgeIcon.className = `codicon codicon-${b.icon}${b.icon === 'loading' || b.icon === 'sync' ? ' codicon-modifier-spin' : ''}`;
    setText(this.badgeText, b.text);
    this.badge.title = b.detail ? `${b.text}\n${b.detail}` : b.text;
  }

  private updateKind(): void {
    const kind = effectiveKind(this.config);
    this.wsFields.hidden = kind !== 'ws';
    this.sseFields.hidden = kind !== 'sse';
    this.body.hidden = this.config.method === 'GET';
    this.el?.classList.toggle('kind-ws', kind === 'ws');
    this.el?.classList.toggle('kind-sse', kind === 'sse');
    this.kindSel.title =
      this.config.kind === 'auto' ? `Connection kind (auto: ${kind === 'ws' ? 'WebSocket' : 'SSE'} from the URL)` : 'Connection kind';
    const autoOption = this.kindSel.options[0];
    const autoText = `Auto · ${kind === 'ws' ? 'WS' : 'SSE'}`;
    if (autoOption && autoOption.textContent !== autoText) {
      autoOption.textContent = autoText;
    }
  }

  private renderHeaders(focusLast: boolean): void {
    const rows = this.config.headers.map((entry, i) => this.headerRow(entry, i));
    this.headersBody.replaceChildren(...rows);
    const enabled = this.config.headers.filter((x) => x.enabled && x.name.trim()).length;
    this.headersCount.hidden = enabled === 0;
    setText(this.headersCount, String(enabled));
    if (focusLast && rows.length) {
      (rows[rows.length - 1].querySelector('input[type=text]') as HTMLInputElement | null)?.focus();
    }
  }

  private headerRow(entry: HeaderEntry, i: number): HTMLElement {
    const on = h('input', { type: 'checkbox', 'aria-label': `Send header ${i + 1}`, title: 'Send this header' });
    on.checked = entry.enabled;
    on.addEventListener('change', () => {
      entry.enabled = on.checked;
      this.renderHeaders(false);
      this.edited();
    });
    const name = h('input', {
      type: 'text',
      class: 'input',
      'aria-label': `Header ${i + 1} name`,
      placeholder: 'Name',
      spellcheck: 'false',
      value: entry.name,
    });
    name.addEventListener('input', () => {
      entry.name = name.value;
      this.edited();
    });
    name.addEventListener('change', () => this.renderHeaders(false));
    const value = h('input', {
      type: 'text',
      class: 'input',
      'aria-label': `Header ${i + 1} value`,
      placeholder: 'Value',
      spellcheck: 'false',
      value: entry.value,
    });
    value.addEventListener('input', () => {
      entry.value = value.value;
      this.edited();
    });
    const remove = button({
      label: `Remove header ${i + 1}`,
      icon: 'trash',
      onClick: () => {
        this.config.headers.splice(i, 1);
        this.renderHeaders(false);
        this.edited();
      },
    });
    return h('div', { class: `header-row${entry.enabled ? '' : ' disabled'}`, role: 'listitem' }, on, name, value, remove);
  }

  private toggleEditor(open = this.editor.hidden): void {
    this.editor.hidden = !open;
    this.editorToggle.setAttribute('aria-expanded', String(open));
    this.editorToggle.querySelector('.codicon')!.className = `codicon codicon-${open ? 'chevron-down' : 'chevron-right'}`;
  }

  private edited(): void {
    this.host.configEdited(this.getConfig());
  }
}
