/**
 * The detail pane: the selected record in full (pretty JSON, raw text, or hex/base64/UTF-8 for
 * binary), the connection's request/response details, and the SSE raw stream view. Everything a
 * server sent is put in the DOM through text nodes; JSON colouring uses spans whose content is
 * set with textContent.
 */
import type { ConnRecord, ConnectionStatus, EditableConfig, SseDetails } from '../src/protocol';
import { button, h, icon, setText } from './dom';
import {
  base64ToBytes,
  directionOf,
  escapeControl,
  escapeControlMultiline,
  formatBytes,
  formatDelay,
  formatTime,
  hexDump,
  looksLikeJson,
  prettyJson,
  typeLabel,
  utf8View,
  lineEndSegments,
} from './format';

/** Most JSON tokens coloured one span each; beyond it the pretty text is shown uncoloured. */
const MAX_COLOURED_TOKENS = 40_000;
/**
 * Most chars of text put in the pane at once (the Copy button still copies everything): laying out
 * a wrapped megabyte takes the browser a quarter of a second.
 */
const MAX_SHOWN_CHARS = 256 * 1024;
/** Largest JSON pretty-printed as soon as its row is selected. */
const AUTO_PRETTY_CHARS = 256 * 1024;
/** Most chars of the SSE raw stream kept for the raw view. */
const MAX_RAW_CHARS = 512 * 1024;

export type DetailTab = 'message' | 'connection' | 'raw';

export interface DetailHost {
  copy(text: string): void;
  getFull(seq: number): void;
  setRaw(on: boolean): void;
  timeMode(): 'time' | 'iso' | 'relative';
}

type BodyView = 'pretty' | 'raw' | 'hex' | 'base64' | 'utf8';

function clipText(text: string): { text: string; clipped: boolean } {
  return text.length > MAX_SHOWN_CHARS ? { text: text.slice(0, MAX_SHOWN_CHARS), clipped: true } : { text, clipped: false };
}

/** Builds coloured JSON into `pre`. Returns false when `text` is not JSON (or too big/deep to pretty-print). */
export function renderJson(pre: HTMLElement, text: string): { ok: boolean; note?: string } {
  const r = prettyJson(text);
  if (!r.ok) {
    return { ok: false, note: r.reason === 'limit' ? `Shown as raw text: JSON ${r.message}.` : undefined };
  }
  if (r.tokens.length > MAX_COLOURED_TOKENS) {
    const { text: shown, clipped } = clipText(r.tokens.map((t) => t.t).join(''));
    pre.replaceChildren(document.createTextNode(shown));
    return { ok: true, note: `Too large to colour${clipped ? `; showing the first ${formatBytes(MAX_SHOWN_CHARS)}` : ''}.` };
  }
  const frag = document.createDocumentFragment();
  for (const t of r.tokens) {
    if (t.c === 'p') {
      frag.appendChild(document.createTextNode(t.t));
    } else {
      const span = document.createElement('span');
      span.className = `tok-${t.c}`;
      span.textContent = t.t;
      frag.appendChild(span);
    }
  }
  pre.replaceChildren(frag);
  return { ok: true };
}

function kv(rows: [string, string | number | undefined][]): HTMLElement {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) {
    if (v === undefined || v === '') {
      continue;
    }
    dl.append(h('dt', null, k), h('dd', null, escapeControl(String(v))));
  }
  return dl;
}

function headersTable(label: string, headers: Record<string, string> | undefined): HTMLElement {
  const entries = Object.entries(headers ?? {});
  if (!entries.length) {
    return h('p', { class: 'muted' }, 'No headers');
  }
  const table = h('table', { class: 'headers', 'aria-label': label });
  for (const [k, v] of entries) {
    table.appendChild(h('tr', null, h('th', { scope: 'row' }, escapeControl(k)), h('td', null, escapeControl(String(v)))));
  }
  return table;
}

function section(title: string, ...children: (Node | null | undefined | false)[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', null, title), ...children);
}

export class DetailPane {
  readonly el: HTMLElement;
  private readonly tabs: Record<DetailTab, HTMLButtonElement>;
  private readonly panels: Record<DetailTab, HTMLElement>;
  private tab: DetailTab = 'message';
  private record: ConnRecord | undefined;
  /** The whole record when a large one was loaded. */
  private full: ConnRecord | undefined;
  private bodyView: BodyView | undefined;
  private sseMode = false;
  private raw = '';
  private rawDirty = false;
  /** Text received since the last render of the raw view. */
  private rawPending = '';
  private rawRebuild = true;
  private rawHeldCr = false;
  private rawCrTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly rawPre: HTMLPreElement;
  private readonly rawInfo: HTMLElement;
  private rawFrame = 0;
  private connection: { status?: ConnectionStatus; sse?: SseDetails; config?: EditableConfig; connecting?: ConnRecord; open?: ConnRecord } = {};

  constructor(private readonly host: DetailHost) {
    const mkTab = (id: DetailTab, label: string, iconName: string) => {
      const b = h('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': `panel-${id}`, class: 'tab' }, icon(iconName), h('span', null, label));
      b.addEventListener('click', () => this.setTab(id));
      b.addEventListener('keydown', (e) => this.onTabKey(e));
      return b;
    };
    this.tabs = {
      message: mkTab('message', 'Message', 'symbol-string'),
      connection: mkTab('connection', 'Connection', 'plug'),
      raw: mkTab('raw', 'Raw stream', 'output'),
    };
    const mkPanel = (id: DetailTab) => h('div', { class: 'tab-panel', role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, tabindex: 0 });
    this.panels = { message: mkPanel('message'), connection: mkPanel('connection'), raw: mkPanel('raw') };
    this.rawPre = h('pre', { class: 'code raw-stream', 'aria-label': 'Raw stream as received' });
    this.rawInfo = h('span', { class: 'muted' });
    this.panels.raw.append(
      h(
        'div',
        { class: 'pane-toolbar' },
        h('span', { class: 'muted' }, 'Bytes as received; ␍ = CR, ␊ = LF.'),
        this.rawInfo,
        h('span', { class: 'spacer' }),
        button({ label: 'Copy raw stream', icon: 'copy', onClick: () => this.host.copy(this.raw) }),
        button({
          label: 'Clear raw view',
          icon: 'clear-all',
          onClick: () => this.appendRaw('', true),
        }),
      ),
      this.rawPre,
    );
    this.el = h(
      'aside',
      { class: 'detail', 'aria-label': 'Details' },
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Detail views' }, this.tabs.message, this.tabs.connection, this.tabs.raw),
      this.panels.message,
      this.panels.connection,
      this.panels.raw,
    );
    this.setSseMode(false);
    this.setTab('message');
    this.renderMessage();
  }

  setSseMode(on: boolean): void {
    this.sseMode = on;
    this.tabs.raw.hidden = !on;
    if (!on && this.tab === 'raw') {
      this.setTab('message');
    }
  }

  setTab(tab: DetailTab): void {
    const wasRaw = this.tab === 'raw';
    this.tab = tab;
    for (const id of Object.keys(this.tabs) as DetailTab[]) {
      const on = id === tab;
      this.tabs[id].setAttribute('aria-selected', String(on));
      this.tabs[id].tabIndex = on ? 0 : -1;
      this.tabs[id].classList.toggle('active', on);
      this.panels[id].hidden = !on;
    }
    if (tab === 'raw' && !wasRaw) {
      this.host.setRaw(true);
      this.rawDirty = true;
      this.rawRebuild = true;
      this.scheduleRaw();
    } else if (tab !== 'raw' && wasRaw) {
      this.host.setRaw(false);
    }
    if (tab === 'connection') {
      this.renderConnection();
    }
  }

  /** After an `init` the host has stopped the raw feed: ask again when the raw view is showing. */
  resumeRaw(): void {
    if (this.tab === 'raw') {
      this.host.setRaw(true);
    }
  }


  private onTabKey(e: KeyboardEvent): void {
    const order = (Object.keys(this.tabs) as DetailTab[]).filter((t) => !this.tabs[t].hidden);
    const i = order.indexOf(this.tab);
    let next: DetailTab | undefined;
    if (e.key === 'ArrowRight') {
      next = order[(i + 1) % order.length];
    } else if (e.key === 'ArrowLeft') {
      next = order[(i - 1 + order.length) % order.length];
    }
    if (next) {
      e.preventDefault();
      this.setTab(next);
      this.tabs[next].focus();
    }
  }

  // ---------- message ----------

  /** Shows a record; `reveal` (a user's selection) also brings the Message tab forward. */
  showRecord(record: ConnRecord | undefined, reveal = true): void {
    if (record && this.record && record.seq === this.record.seq && record === this.record) {
      return;
    }
    this.record = record;
    this.full = undefined;
    this.bodyView = undefined;
    if (record && reveal && this.tab !== 'message') {
      this.setTab('message');
    }
    this.renderMessage();
  }

  /** The host's answer to getFull. */
  setFull(record: ConnRecord | undefined, seq: number): void {
    if (!this.record || this.record.seq !== seq) {
      return;
    }
    if (!record) {
      this.renderMessage('The whole message is no longer in the store.');
      return;
    }
    this.full = record;
    this.bodyView = undefined;
    this.renderMessage();
  }

  private renderMessage(notice?: string): void {
    const panel = this.panels.message;
    const r = this.full ?? this.record;
    if (!r) {
      panel.replaceChildren(h('div', { class: 'placeholder' }, icon('list-selection'), h('p', null, 'Select a record to see it in full.'), h('p', { class: 'muted' }, 'Up/Down move through the log; Esc clears the selection.')));
      return;
    }
    const dir = directionOf(r);
    const title = h(
      'div',
      { class: 'detail-title' },
      h('span', { class: `pill dir-${dir}` }, dir),
      h('strong', null, escapeControl(typeLabel(r))),
      h('span', { class: 'muted' }, `#${r.seq}`),
      h('span', { class: 'muted' }, formatTime(r.time, this.host.timeMode() === 'relative' ? 'time' : this.host.timeMode())),
    );
    const children: Node[] = [title];
    if (notice) {
      children.push(h('div', { class: 'banner warn' }, icon('warning'), notice));
    }
    if (r.kind === 'message') {
      children.push(...this.messageBody(r));
    } else {
      children.push(...this.systemBody(r));
    }
    panel.replaceChildren(...children);
  }

  private messageBody(r: Extract<ConnRecord, { kind: 'message' }>): Node[] {
    const out: Node[] = [];
    out.push(
      kv([
        ['Event', r.event],
        ['ID', r.id],
        ['Last-Event-ID', r.lastEventId],
        ['Format', r.format],
        ['Size', `${formatBytes(r.size)}${r.size >= 1024 ? ` (${r.size.toLocaleString()} bytes)` : ''}`],
      ]),
    );
    const isPreview = r.large && !this.full;
    if (isPreview) {
      const load = button({ label: 'Load whole message', icon: 'cloud-download', text: true, variant: 'secondary', onClick: () => {
        load.disabled = true;
        this.host.getFull(r.seq);
      } });
      out.push(h('div', { class: 'banner' }, icon('info'), h('span', null, `Large message (${formatBytes(r.size)}): showing a preview.`), load));
    }
    const pre = h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Message data' });
    const notes: string[] = [];
    let views: BodyView[];
    let copyText = r.data;
    if (r.format === 'binary') {
      views = ['hex', 'base64', 'utf8'];
      const view = this.bodyView && views.includes(this.bodyView) ? this.bodyView : 'hex';
      const bytes = base64ToBytes(r.data);
      if (!bytes) {
        pre.textContent = escapeControlMultiline(clipText(r.data).text);
        notes.push('Not valid base64; shown as received.');
      } else if (view === 'hex') {
        const dump = hexDump(bytes);
        pre.textContent = dump.text;
        if (dump.shown < bytes.length) {
          notes.push(`Showing the first ${formatBytes(dump.shown)} of ${formatBytes(bytes.length)}.`);
        }
        copyText = dump.text;
      } else if (view === 'base64') {
        const c = clipText(r.data);
        pre.textContent = c.text;
        pre.classList.add('wrap');
        if (c.clipped) {
          notes.push(`Showing the first ${formatBytes(MAX_SHOWN_CHARS)}.`);
        }
      } else {
        pre.textContent = utf8View(bytes);
        copyText = new TextDecoder().decode(bytes);
      }
      this.bodyView = view;
    } else {
      const canJson = looksLikeJson(r.data);
      views = canJson ? ['pretty', 'raw'] : ['raw'];
      // Big documents open raw so selecting a row stays instant; pretty-printing is one click away.
      const bigJson = canJson && r.data.length > AUTO_PRETTY_CHARS;
      let view = this.bodyView && views.includes(this.bodyView) ? this.bodyView : bigJson ? 'raw' : views[0];
      if (bigJson && view === 'raw') {
        notes.push(`JSON over ${formatBytes(AUTO_PRETTY_CHARS)}: shown raw; choose JSON to pretty-print it.`);
      }
      if (view === 'pretty') {
        const res = renderJson(pre, r.data);
        if (!res.ok) {
          view = 'raw';
          views = ['raw'];
        }
        if (res.note) {
          notes.push(res.note);
        }
      }
      if (view === 'raw') {
        const c = clipText(r.data);
        pre.textContent = escapeControlMultiline(c.text);
        pre.classList.add('wrap');
        if (c.clipped) {
          notes.push(`Showing the first ${formatBytes(MAX_SHOWN_CHARS)}; Copy copies all.`);
        }
      }
      this.bodyView = view;
    }
    const labels: Record<BodyView, string> = { pretty: 'JSON', raw: 'Raw', hex: 'Hex', base64: 'Base64', utf8: 'UTF-8' };
    const seg = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Data view' });
    if (views.length > 1) {
      for (const v of views) {
        const b = h('button', { type: 'button', role: 'radio', 'aria-checked': String(v === this.bodyView), class: v === this.bodyView ? 'on' : '' }, labels[v]);
        b.addEventListener('click', () => {
          this.bodyView = v;
          this.renderMessage();
        });
        seg.appendChild(b);
      }
    }
    out.push(
      h(
        'div',
        { class: 'pane-toolbar' },
        seg,
        h('span', { class: 'spacer' }),
        button({ label: 'Copy data', icon: 'copy', text: true, onClick: () => this.host.copy(copyText) }),
        button({ label: 'Copy as JSON record', icon: 'json', onClick: () => this.host.copy(JSON.stringify(r)) }),
      ),
    );
    for (const n of notes) {
      out.push(h('p', { class: 'muted note' }, n));
    }
    out.push(pre);
    return out;
  }

  private systemBody(r: ConnRecord): Node[] {
    const rows: [string, string | number | undefined][] = [['Kind', r.kind], ['State', r.state]];
    let headers: Record<string, string> | undefined;
    let body: string | undefined;
    let text: string | undefined;
    switch (r.kind) {
      case 'connecting':
        rows.push(['URL', r.url], ['Method', r.method], ['Attempt', r.attempt || undefined], ['Last-Event-ID', r.lastEventId], ['Subprotocols', r.protocols?.join(', ')]);
        headers = r.headers;
        break;
      case 'open':
        rows.push(['URL', r.url], ['Status', r.status !== undefined ? `${r.status} ${r.statusText ?? ''}` : undefined], ['Subprotocol', r.protocol], ['Extensions', r.extensions]);
        headers = r.headers;
        break;
      case 'error':
        rows.push(['Code', r.code], ['Message', r.message], ['Fatal', r.fatal ? 'yes' : 'no'], ['HTTP status', r.status !== undefined ? `${r.status} ${r.statusText ?? ''}` : undefined], ['Close code', r.closeCode]);
        headers = r.headers;
        body = r.body;
        break;
      case 'close':
        rows.push(['Code', r.code], ['Reason', r.reason], ['Clean', r.clean ? 'yes' : 'no'], ['By', r.by]);
        break;
      case 'closing':
        rows.push(['Code', r.code], ['Reason', r.reason]);
        break;
      case 'reconnecting':
        rows.push(['Attempt', r.maxAttempts === null ? `${r.attempt}` : `${r.attempt} of ${r.maxAttempts}`], ['Delay', formatDelay(r.delayMs)]);
        break;
      case 'retry':
        rows.push(['Retry', `${r.ms} ms`]);
        break;
      case 'info':
        text = r.message;
        break;
      case 'comment':
        text = r.text;
        break;
      case 'ping':
      case 'pong': {
        rows.push(['Direction', r.dir], ['Size', formatBytes(r.size)], ['Automatic', r.auto ? 'yes' : undefined]);
        const bytes = base64ToBytes(r.data);
        if (bytes && bytes.length) {
          text = `${hexDump(bytes).text}\n\n${utf8View(bytes)}`;
        }
        break;
      }
      default:
        break;
    }
    const out: Node[] = [kv(rows)];
    if (text !== undefined) {
      out.push(h('pre', { class: 'code wrap', tabindex: 0 }, escapeControlMultiline(clipText(text).text)));
    }
    if (headers) {
      out.push(section('Headers', headersTable('Headers', headers)));
    }
    if (body !== undefined) {
      out.push(section(`Response body${r.kind === 'error' && r.bodyTruncated ? ' (truncated)' : ''}`, this.bodyPre(body)));
    }
    out.push(h('div', { class: 'pane-toolbar' }, h('span', { class: 'spacer' }), button({ label: 'Copy as JSON record', icon: 'copy', text: true, onClick: () => this.host.copy(JSON.stringify(r)) })));
    return out;
  }

  private bodyPre(text: string): HTMLElement {
    const pre = h('pre', { class: 'code', tabindex: 0 });
    if (!looksLikeJson(text) || !renderJson(pre, text).ok) {
      pre.textContent = escapeControlMultiline(clipText(text).text);
      pre.classList.add('wrap');
    }
    return pre;
  }

  // ---------- connection ----------

  setConnection(c: { status?: ConnectionStatus; sse?: SseDetails; config?: EditableConfig; connecting?: ConnRecord; open?: ConnRecord }): void {
    this.connection = { ...this.connection, ...c };
    if (this.tab === 'connection') {
      this.renderConnection();
    }
  }

  private renderConnection(): void {
    const { status, sse, config, connecting, open } = this.connection;
    const parts: Node[] = [];
    const req = sse?.request ?? (connecting?.kind === 'connecting' ? { method: connecting.method ?? 'GET', url: connecting.url, headers: connecting.headers } : undefined);
    parts.push(
      section(
        'Request',
        req ? kv([['Method', req.method], ['URL', req.url]]) : h('p', { class: 'muted' }, config?.url ? 'Not sent yet.' : 'No request yet.'),
        req && headersTable('Request headers', req.headers),
      ),
    );
    const res =
      sse?.response ??
      (open?.kind === 'open' ? { status: open.status, statusText: open.statusText, headers: open.headers, protocol: open.protocol, extensions: open.extensions } : undefined);
    parts.push(
      section(
        'Response',
        res
          ? kv([
              ['Status', res.status !== undefined ? `${res.status} ${res.statusText ?? ''}` : '101 Switching Protocols'],
              ['Subprotocol', (res as { protocol?: string }).protocol],
              ['Extensions', (res as { extensions?: string }).extensions],
            ])
          : h('p', { class: 'muted' }, 'No response yet.'),
        res && headersTable('Response headers', res.headers),
      ),
    );
    if (this.sseMode) {
      const lastId = sse?.lastEventId;
      const retry = sse?.retryMs ?? status?.reconnectDelayMs;
      parts.push(
        section(
          'Stream',
          kv([
            ['Retry in force', retry !== undefined ? `${retry} ms` : undefined],
            ['Last-Event-ID', lastId === undefined ? '(none)' : lastId === '' ? '(empty)' : lastId],
          ]),
        ),
      );
    }
    if (status) {
      const rows: [string, string | number | undefined][] = [
        ['State', status.state],
        ['Auto-retry', status.autoRetry ? 'on' : 'off'],
        ['Attempt', status.attempt ? (status.maxAttempts === null ? `${status.attempt}` : `${status.attempt} of ${status.maxAttempts}`) : undefined],
        ['Base retry delay', `${status.reconnectDelayMs} ms`],
        ['Last close', status.lastClose ? `${status.lastClose.code ?? ''} ${status.lastClose.reason ?? ''}${status.lastClose.clean ? '' : ' (not clean)'}`.trim() : undefined],
        ['Last error', status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : undefined],
        ['Not reconnected', status.notReconnected],
      ];
      for (const [k, v] of Object.entries(status.details ?? {})) {
        if (v === undefined || v === null || k === 'lastEventId') {
          continue;
        }
        rows.push([k, typeof v === 'object' ? JSON.stringify(v).slice(0, 500) : String(v)]);
      }
      parts.push(section('Connection', kv(rows)));
    }
    this.panels.connection.replaceChildren(...parts);
  }

  // ---------- raw stream ----------

  appendRaw(text: string, reset: boolean): void {
    if (reset) {
      this.raw = text;
      this.rawRebuild = true;
      this.rawPending = '';
    } else {
      this.raw += text;
      this.rawPending += text;
    }
    if (this.raw.length > MAX_RAW_CHARS) {
      this.raw = this.raw.slice(this.raw.length - MAX_RAW_CHARS);
      this.rawRebuild = true;
    }
    if (this.rawRebuild) {
      // The rebuild renders from `raw`; nothing pending needs keeping.
      this.rawPending = '';
    }
    this.rawDirty = true;
    this.scheduleRaw();
  }

  private scheduleRaw(): void {
    if (this.tab !== 'raw' || this.rawFrame) {
      return;
    }
    this.rawFrame = requestAnimationFrame(() => {
      this.rawFrame = 0;
      if (this.rawDirty && this.tab === 'raw') {
        this.renderRaw();
      }
    });
  }

  /**
   * Appends what came since the last frame (a full rebuild only after a reset or a trim). A CR at
   * the very end is held back briefly: the LF of its CRLF may arrive in the next chunk.
   */
  private renderRaw(flushCr = false): void {
    this.rawDirty = false;
    const pre = this.rawPre;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    let chunk: string;
    if (this.rawRebuild) {
      this.rawRebuild = false;
      pre.replaceChildren();
      chunk = this.raw;
    } else {
      chunk = (this.rawHeldCr ? '\r' : '') + this.rawPending;
    }
    this.rawPending = '';
    this.rawHeldCr = false;
    clearTimeout(this.rawCrTimer);
    if (!flushCr && chunk.endsWith('\r')) {
      chunk = chunk.slice(0, -1);
      this.rawHeldCr = true;
      this.rawCrTimer = setTimeout(() => this.renderRaw(true), 300);
    }
    const frag = document.createDocumentFragment();
    for (const seg of lineEndSegments(chunk)) {
      if (seg.eol) {
        const span = document.createElement('span');
        span.className = 'eol';
        span.textContent = seg.text;
        frag.appendChild(span);
      } else {
        frag.appendChild(document.createTextNode(seg.text));
      }
    }
    pre.appendChild(frag);
    setText(this.rawInfo, this.raw ? `${formatBytes(this.raw.length)} shown` : 'Waiting for data…');
    if (atBottom) {
      pre.scrollTop = pre.scrollHeight;
    }
  }

}
