// Over 400 lines: the badge, the kind, the URL and the request editor read and write one configuration and its unapplied edits.
/**
 * The request bar: state badge, kind, URL and connection controls, plus an editor for headers,
 * subprotocols (WebSocket) and method/body (SSE) that shows only what applies to the kind.
 */
import type { ConnectionStatus, EditableConfig, TransportKind } from '../src/protocol';
import { button, h, icon, select, setText, setValue, toggle } from './dom';
import { statusBadge } from './format/labels';
import { normalised, sameConfig, UnappliedNotice } from './requestEdits';
import { HeaderRows } from './headerRows';

export interface HeaderHost {
  connect(config: EditableConfig): void;
  disconnect(): void;
  reconnectNow(): void;
  setAutoRetry(on: boolean): void;
  saveProfile(config: EditableConfig): void;
  configEdited(config: EditableConfig): void;
}

/** The kind a config connects with: `auto` follows the URL's scheme; `mcp` is an MCP session; a protocol adapter speaks over a WebSocket. */
export function effectiveKind(config: Pick<EditableConfig, 'kind' | 'url' | 'adapter'>): TransportKind | 'mcp' {
  if (config.adapter) {
    return 'ws';
  }
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
  private readonly headerRows: HeaderRows;
  private readonly unapplied: UnappliedNotice;
  private readonly headersCount: HTMLElement;
  private readonly wsFields: HTMLElement;
  private readonly sseFields: HTMLElement;
  private readonly protocols: HTMLInputElement;
  private readonly method: HTMLSelectElement;
  private readonly body: HTMLTextAreaElement;
  private readonly profileLabel: HTMLElement;
  private readonly recordingLabel: HTMLElement = h('span', { class: 'recording-label', hidden: true });
  /** What the editor shows: the host's configuration, or the user's edits of it. Its headers live in `headerRows`. */
  private config: EditableConfig = { url: '', kind: 'auto', headers: [], method: 'GET', body: '', protocols: [] };
  /** The configuration the host last sent: what Discard goes back to. */
  private applied: EditableConfig = this.config;
  /**
   * The user changed something the host has not applied yet. While true, what the host sends (a
   * reconnect, a reload, another window's edit) updates `applied` only: the edits stay on screen.
   */
  private edits = false;
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
        ['mcp', 'MCP'],
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
        this.connect();
      }
    });
    this.connectBtn = button({
      label: 'Connect',
      icon: 'play',
      text: true,
      variant: 'primary',
      title: 'Connect (Enter in the URL box)',
      onClick: () => this.connect(),
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
    this.headerRows = new HeaderRows(() => this.edited());
    const addHeader = button({ label: 'Add header', icon: 'add', text: true, onClick: () => this.headerRows.add() });
    addHeader.classList.add('add-header');
    this.unapplied = new UnappliedNotice(
      () => this.connect(),
      () => this.discard(),
    );
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
      this.unapplied.el,
      h(
        'div',
        { class: 'editor-row headers-row' },
        h('label', { class: 'field-label' }, 'Headers'),
        h(
          'div',
          { class: 'headers-col' },
          this.headerRows.el,
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
        this.recordingLabel,
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
    this.showConfig();
  }

  /** A recording shown read-only: "Recording: FILE" in place of the URL and the connection controls. */
  setRecording(file: string | undefined): void {
    this.el.classList.toggle('read-only', file !== undefined);
    this.recordingLabel.hidden = file === undefined;
    setText(this.recordingLabel, file === undefined ? '' : `Recording: ${file}`);
    this.recordingLabel.title = file === undefined ? '' : `${file}, shown read-only: it does not connect`;
  }

  getConfig(): EditableConfig {
    return {
      ...this.config,
      headers: this.headerRows.current.filter((x) => x.name.trim() || x.value.trim()).map((x) => ({ ...x, name: x.name.trim() })),
      protocols: [...this.config.protocols],
    };
  }

  /** True while the editor holds edits the host has not applied. */
  get hasEdits(): boolean {
    return this.edits;
  }

  /**
   * The host's configuration. Shown unless the user has edits not applied yet: those stay (the host's
   * becomes what Discard returns to), until Connect / Apply sends them or Discard drops them.
   */
  setConfig(config: EditableConfig): void {
    this.applied = normalised(config);
    if (this.edits && !sameConfig(this.getConfig(), this.applied)) {
      this.renderUnapplied();
      return;
    }
    this.edits = false;
    this.config = normalised(config);
    this.showConfig();
  }

  /** After a reload: the editor as it was saved, with whether it held edits (the host's `init` follows). */
  restore(config: EditableConfig, edits: boolean): void {
    this.config = normalised(config);
    this.applied = normalised(config);
    this.showConfig();
    this.edits = edits;
    this.renderUnapplied();
    if (edits) {
      // Edits not applied are shown where they can be applied or discarded.
      this.toggleEditor(true);
    }
  }

  /** Writes `config` into the inputs; an input already showing its value is not touched (its caret stays). */
  private showConfig(): void {
    const c = this.config;
    setValue(this.url, c.url);
    this.kindSel.value = c.kind;
    setValue(this.protocols, c.protocols.join(', '));
    if (!METHODS.includes(c.method) && ![...this.method.options].some((o) => o.value === c.method)) {
      this.method.appendChild(h('option', { value: c.method }, c.method));
    }
    this.method.value = c.method;
    setValue(this.body, c.body);
    this.profileLabel.hidden = !c.profile;
    setText(this.profileLabel, c.profile ? `Profile: ${c.profile}` : '');
    this.headerRows.set(c.headers);
    this.updateKind();
    this.renderHeaderCount();
    this.renderUnapplied();
  }

  /** Connects with the editor's configuration, which the host applies first: the edits are applied. */
  private connect(): void {
    const config = this.getConfig();
    this.edits = false;
    this.applied = normalised(config);
    this.renderUnapplied();
    this.host.connect(config);
  }

  private discard(): void {
    this.edits = false;
    this.config = normalised(this.applied);
    this.showConfig();
    this.host.configEdited(this.getConfig());
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
    this.renderUnapplied();
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
    const adapter = this.config.adapter;
    this.kindSel.title = adapter
      ? `Connection kind (WebSocket, speaking ${adapter} through its adapter)`
      : this.config.kind === 'auto'
        ? `Connection kind (auto: ${kind === 'ws' ? 'WebSocket' : 'SSE'} from the URL)`
        : 'Connection kind';
    this.kindSel.disabled = adapter !== undefined;
    const autoOption = this.kindSel.options[0];
    const autoText = adapter ? `WS · ${adapter}` : `Auto · ${kind === 'ws' ? 'WS' : 'SSE'}`;
    if (autoOption && autoOption.textContent !== autoText) {
      autoOption.textContent = autoText;
    }
  }

  private renderHeaderCount(): void {
    const enabled = this.headerRows.enabledCount;
    this.headersCount.hidden = enabled === 0;
    setText(this.headersCount, String(enabled));
  }

  private renderUnapplied(): void {
    const s = this.status?.state;
    this.unapplied.render(this.edits, s === 'connecting' || s === 'open' || s === 'reconnecting' || s === 'closing');
    this.editorToggle.classList.toggle('has-edits', this.edits);
  }

  private toggleEditor(open = this.editor.hidden): void {
    this.editor.hidden = !open;
    this.editorToggle.setAttribute('aria-expanded', String(open));
    this.editorToggle.querySelector('.codicon')!.className = `codicon codicon-${open ? 'chevron-down' : 'chevron-right'}`;
  }

  private edited(): void {
    this.edits = true;
    this.renderHeaderCount();
    this.renderUnapplied();
    this.host.configEdited(this.getConfig());
  }
}
