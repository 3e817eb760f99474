// Over 400 lines: the editor, its modes, validation and history share the one state the view saves (SendBoxState).
/**
 * The WebSocket send box: a multi-line editor with Text / JSON / Binary modes, live JSON validation
 * and formatting, Ctrl/Cmd+Enter to send, Up/Down history, and ping/close controls. When the connection
 * speaks through a protocol adapter, its verbs come first in the mode list, each a form (`verbForm.ts`).
 */
import type { AdapterVerb, AdapterView, SavedMessageView, SendBoxMessage, SendMode, SendResultMessage } from '../src/protocol';
import { button, h, icon, select, setOptions } from './dom';
import { parseBase64, parseHex } from '../src/core/payloadText';
import { formatJsonText, validateJson } from './format/json';
import { escapeControl } from './format/text';
import type { HostRequests } from './requests';
import { VerbForm, type VerbDrafts } from './verbForm';

const HISTORY_MAX = 100;

export interface SendBoxState {
  mode: SendMode;
  encoding: 'hex' | 'base64';
  history: string[];
  draft: string;
  /** The protocol verb chosen (its name), '' for a raw frame mode; unset: the adapter's first verb. */
  verb?: string;
  /** What was typed in each verb's form. */
  verbDrafts?: VerbDrafts;
}

/** The mode list's value for a protocol verb. */
const VERB = 'verb:';

const RAW_MODES: [string, string][] = [
  ['text', 'Text'],
  ['json', 'JSON'],
  ['binary', 'Binary'],
];

export interface SendBoxHost {
  request: HostRequests['request'];
  saveState(): void;
  /** Save as Message: the host asks a name and writes it into the profile. */
  saveMessage(message: SendBoxMessage): void;
}

export class SendBox {
  readonly el: HTMLElement;
  private readonly editor: HTMLTextAreaElement;
  private readonly modeSel: HTMLSelectElement;
  private readonly encSel: HTMLSelectElement;
  private readonly formatBtn: HTMLButtonElement;
  private readonly validity: HTMLElement;
  private readonly result: HTMLElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly pingRow: HTMLElement;
  private readonly closeRow: HTMLElement;
  private readonly pingInput: HTMLInputElement;
  private readonly closeCode: HTMLInputElement;
  private readonly closeReason: HTMLInputElement;
  private readonly repeatRow: HTMLElement;
  private readonly savedSel: HTMLSelectElement;
  private saved: readonly SavedMessageView[] = [];
  /** The saved message last put in the editor: a send of it unchanged names it. */
  private picked: { name: string; mode: SendMode; text: string } | undefined;
  private readonly repeatEvery: HTMLInputElement;
  private readonly repeatTimes: HTMLInputElement;
  private readonly repeatResume: HTMLInputElement;
  private state: SendBoxState = { mode: 'text', encoding: 'hex', history: [], draft: '', verbDrafts: {} };
  private adapter: AdapterView | undefined;
  private readonly verbForm: VerbForm;
  /** Position in history while browsing it (history.length = the draft). */
  private historyPos = 0;
  private validateTimer: ReturnType<typeof setTimeout> | undefined;
  private open = false;

  constructor(private readonly host: SendBoxHost) {
    this.verbForm = new VerbForm(
      this.state.verbDrafts!,
      () => this.host.saveState(),
      () => this.send(),
    );
    this.modeSel = select('Message format', RAW_MODES, 'text', (v) => {
      if (v.startsWith(VERB)) {
        this.state.verb = v.slice(VERB.length);
      } else {
        this.state.verb = this.adapter ? '' : this.state.verb;
        this.state.mode = v as SendMode;
      }
      this.updateMode();
      this.host.saveState();
    });
    this.savedSel = select('Saved messages', [], '', (v) => this.pick(v));
    this.savedSel.hidden = true;
    this.encSel = select(
      'Binary encoding',
      [
        ['hex', 'Hex'],
        ['base64', 'Base64'],
      ],
      'hex',
      (v) => {
        this.state.encoding = v as 'hex' | 'base64';
        this.validateSoon(0);
        this.host.saveState();
      },
    );
    this.formatBtn = button({
      label: 'Format JSON',
      icon: 'json',
      text: true,
      title: 'Format JSON (Shift+Alt+F)',
      onClick: () => this.format(),
    });
    this.validity = h('span', { class: 'validity', role: 'status', 'aria-live': 'polite' });
    this.result = h('div', { class: 'send-result', role: 'alert', hidden: true });
    this.sendBtn = button({
      label: 'Send',
      icon: 'send',
      text: true,
      variant: 'primary',
      title: 'Send (Ctrl+Enter)',
      onClick: () => this.send(),
    });
    this.editor = h('textarea', {
      class: 'editor',
      rows: 3,
      spellcheck: 'false',
      'aria-label': 'Message to send',
      placeholder: 'Message to send — Ctrl+Enter sends, Up/Down browse history',
    });
    this.editor.addEventListener('keydown', (e) => this.onKey(e));
    this.editor.addEventListener('input', () => {
      this.historyPos = this.state.history.length;
      this.state.draft = this.editor.value;
      this.validateSoon();
    });
    this.editor.addEventListener('change', () => this.host.saveState());

    this.pingInput = h('input', {
      type: 'text',
      class: 'input',
      'aria-label': 'Ping payload',
      placeholder: 'payload (optional, ≤ 125 bytes)',
      maxlength: 125,
    });
    this.pingRow = h(
      'div',
      { class: 'send-extra', hidden: true },
      h('label', { class: 'field-label' }, 'Ping'),
      this.pingInput,
      button({ label: 'Send ping', icon: 'pulse', text: true, onClick: () => this.ping() }),
    );
    this.pingInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        this.ping();
      }
    });
    this.closeCode = h('input', {
      type: 'number',
      class: 'input code-input',
      'aria-label': 'Close code',
      min: 1000,
      max: 4999,
      value: 1000,
    });
    this.closeReason = h('input', {
      type: 'text',
      class: 'input',
      'aria-label': 'Close reason',
      placeholder: 'reason (optional)',
      maxlength: 123,
    });
    this.closeRow = h(
      'div',
      { class: 'send-extra', hidden: true },
      h('label', { class: 'field-label' }, 'Close'),
      this.closeCode,
      this.closeReason,
      button({ label: 'Send close frame', icon: 'debug-stop', text: true, onClick: () => this.close() }),
    );

    this.repeatEvery = h('input', {
      type: 'number',
      class: 'input code-input',
      'aria-label': 'Repeat every (ms)',
      min: 1,
      value: 1000,
    });
    this.repeatTimes = h('input', {
      type: 'number',
      class: 'input code-input',
      'aria-label': 'Repeat how many times',
      min: 1,
      placeholder: 'until stopped',
    });
    this.repeatResume = h('input', { type: 'checkbox', 'aria-label': 'Go on after a reconnect' });
    this.repeatRow = h(
      'div',
      { class: 'send-extra', hidden: true },
      h('label', { class: 'field-label' }, 'Repeat every'),
      this.repeatEvery,
      h('span', { class: 'field-label' }, 'ms, times'),
      this.repeatTimes,
      h('label', { class: 'check-label' }, this.repeatResume, h('span', null, 'go on after a reconnect')),
      button({ label: 'Start repeat', icon: 'sync', text: true, onClick: () => this.repeat() }),
    );
    const repeatToggle = button({
      label: 'Repeat…',
      icon: 'sync',
      title: 'Send this message every N ms, K times or until stopped',
      onClick: () => this.toggleRow(this.repeatRow, this.repeatEvery),
    });
    const saveBtn = button({
      label: 'Save as message…',
      icon: 'bookmark',
      title: "Save this message in the profile's saved messages",
      onClick: () => this.saveMessage(),
    });
    const pingToggle = button({
      label: 'Ping…',
      icon: 'pulse',
      title: 'Send a ping frame',
      onClick: () => this.toggleRow(this.pingRow, this.pingInput),
    });
    const closeToggle = button({
      label: 'Close…',
      icon: 'debug-stop',
      title: 'Close with a code and reason',
      onClick: () => this.toggleRow(this.closeRow, this.closeCode),
    });
    const fileBtn = button({
      label: 'Send file…',
      icon: 'file-binary',
      title: 'Send a file as a binary frame',
      onClick: () => this.sendFile(),
    });

    this.el = h(
      'section',
      { class: 'sendbox', 'aria-label': 'Send a message' },
      h(
        'div',
        { class: 'sendbox-toolbar' },
        icon('edit'),
        h('span', { class: 'section-title' }, 'Send'),
        this.savedSel,
        this.modeSel,
        this.encSel,
        this.formatBtn,
        this.validity,
        h('span', { class: 'spacer' }),
        saveBtn,
        repeatToggle,
        fileBtn,
        pingToggle,
        closeToggle,
      ),
      h('div', { class: 'sendbox-main' }, this.verbForm.el, this.editor, this.sendBtn),
      this.repeatRow,
      this.pingRow,
      this.closeRow,
      this.result,
    );
    this.updateMode();
  }

  persistedState(): SendBoxState {
    return { ...this.state, draft: this.editor.value };
  }

  /** The connection's protocol adapter (undefined: none): its verbs join the mode list, the first chosen unless the user chose a raw mode. */
  setAdapter(adapter: AdapterView | undefined): void {
    const same = adapter?.name === this.adapter?.name && adapter?.verbs.length === this.adapter?.verbs.length;
    this.adapter = adapter;
    if (!same) {
      this.updateMode();
    }
  }

  /** The protocol verb the box sends with now, if any. */
  private activeVerb(): AdapterVerb | undefined {
    const verbs = this.adapter?.verbs ?? [];
    if (!verbs.length || this.state.verb === '') {
      return undefined;
    }
    return verbs.find((v) => v.name === this.state.verb) ?? verbs[0];
  }

  restoreState(s: Partial<SendBoxState> | undefined): void {
    if (!s) {
      return;
    }
    this.state = {
      mode: s.mode === 'json' || s.mode === 'binary' ? s.mode : 'text',
      encoding: s.encoding === 'base64' ? 'base64' : 'hex',
      history: Array.isArray(s.history) ? s.history.filter((x) => typeof x === 'string').slice(-HISTORY_MAX) : [],
      draft: typeof s.draft === 'string' ? s.draft : '',
      verb: typeof s.verb === 'string' ? s.verb : undefined,
      verbDrafts: s.verbDrafts && typeof s.verbDrafts === 'object' ? s.verbDrafts : {},
    };
    this.verbForm.setDrafts(this.state.verbDrafts!);
    this.modeSel.value = this.state.mode;
    this.encSel.value = this.state.encoding;
    this.editor.value = this.state.draft;
    this.historyPos = this.state.history.length;
    this.updateMode();
  }

  /** The profile's saved messages, for the picker (hidden when there are none). */
  setSavedMessages(list: readonly SavedMessageView[]): void {
    this.saved = list;
    setOptions(this.savedSel, [['', 'Saved messages…'], ...list.map((m, i): [string, string] => [String(i), escapeControl(m.name)])], '');
    this.savedSel.hidden = list.length === 0;
  }

  /** Puts saved message `index` in the editor, in its mode. */
  private pick(index: string): void {
    const m = this.saved[Number(index)];
    this.savedSel.value = '';
    if (!index || !m) {
      return;
    }
    if (m.verb !== undefined && this.adapter?.verbs.some((v) => v.name === m.verb)) {
      // A verb's message fills its form; the box sends it through the adapter as the form reads it.
      this.state.verb = m.verb;
      this.state.verbDrafts![`${this.adapter.name}/${m.verb}`] = { ...m.fields };
      this.picked = undefined;
      this.updateMode();
      this.host.saveState();
      this.verbForm.focus();
      return;
    }
    if (this.adapter) {
      this.state.verb = '';
    }
    this.state.mode = m.mode;
    if (m.encoding) {
      this.state.encoding = m.encoding;
      this.encSel.value = m.encoding;
    }
    this.editor.value = m.text;
    this.state.draft = m.text;
    this.historyPos = this.state.history.length;
    this.picked = { name: m.name, mode: m.mode, text: m.text };
    this.updateMode();
    this.host.saveState();
    this.editor.focus();
  }

  /** The saved message the editor holds unchanged, if it holds one. */
  private pickedName(): string | undefined {
    const p = this.picked;
    return p && p.mode === this.state.mode && p.text === this.editor.value ? p.name : undefined;
  }

  /**
   * The profile's history across sessions (the host keeps it, secrets masked): replaces this panel's,
   * its newest entries kept after it.
   */
  setHistory(history: readonly string[]): void {
    const merged = [...history];
    for (const text of this.state.history) {
      if (!merged.includes(text)) {
        merged.push(text);
      }
    }
    this.state.history = merged.slice(-HISTORY_MAX);
    this.historyPos = this.state.history.length;
  }

  /** Enables sending only while the connection is open. */
  setOpen(open: boolean): void {
    this.open = open;
    this.sendBtn.disabled = !open;
    this.sendBtn.title = open ? 'Send (Ctrl+Enter)' : 'Connect to send';
  }

  private updateMode(): void {
    const m = this.state.mode;
    const verb = this.activeVerb();
    const adapter = this.adapter;
    setOptions(
      this.modeSel,
      [
        ...(adapter?.verbs ?? []).map((v): [string, string] => [VERB + v.name, `${v.label} (${adapter!.name})`]),
        ...RAW_MODES.map(([v, l]): [string, string] => [v, adapter ? `Raw ${l.toLowerCase()}` : l]),
      ],
      verb ? VERB + verb.name : m,
    );
    this.verbForm.el.hidden = !verb;
    this.editor.hidden = !!verb;
    if (verb && adapter) {
      this.verbForm.show(adapter, verb);
    }
    this.encSel.hidden = m !== 'binary' || !!verb;
    this.formatBtn.hidden = m !== 'json' || !!verb;
    this.editor.placeholder =
      m === 'json'
        ? '{"type": "subscribe"} — Ctrl+Enter sends'
        : m === 'binary'
          ? this.state.encoding === 'hex'
            ? 'de ad be ef — hex bytes; Ctrl+Enter sends'
            : 'base64 bytes — Ctrl+Enter sends'
          : 'Message to send — Ctrl+Enter sends, Up/Down browse history';
    this.validateSoon(0);
  }

  private validateSoon(delay = 150): void {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), delay);
  }

  /** Returns the error for the current content, and shows it. */
  private validate(): string | undefined {
    const text = this.editor.value;
    let error: string | undefined;
    if (this.state.mode === 'json') {
      error = text.trim() ? validateJson(text) : undefined;
    } else if (this.state.mode === 'binary' && text.trim()) {
      const parsed = this.state.encoding === 'hex' ? parseHex(text) : parseBase64(text);
      error = parsed.ok ? undefined : parsed.error;
    }
    const valid = this.state.mode !== 'text' && text.trim() !== '' && !error;
    this.validity.className = `validity${error ? ' bad' : valid ? ' good' : ''}`;
    if (error) {
      this.validity.replaceChildren(icon('error'), document.createTextNode(error));
    } else if (valid) {
      this.validity.replaceChildren(icon('check'), document.createTextNode(this.state.mode === 'json' ? 'Valid JSON' : 'Valid'));
    } else {
      this.validity.replaceChildren();
    }
    this.editor.setAttribute('aria-invalid', String(!!error));
    return error;
  }

  private format(): void {
    const r = formatJsonText(this.editor.value);
    if (r.ok) {
      this.editor.value = r.text;
      this.state.draft = r.text;
      this.validate();
    } else {
      this.showResult(r.error, true);
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.send();
      return;
    }
    if (e.key === 'F' && e.shiftKey && e.altKey && this.state.mode === 'json') {
      e.preventDefault();
      this.format();
      return;
    }
    const ta = this.editor;
    const hist = this.state.history;
    if (e.key === 'ArrowUp' && ta.selectionStart === 0 && ta.selectionEnd === 0 && this.historyPos > 0) {
      e.preventDefault();
      if (this.historyPos === hist.length) {
        this.state.draft = ta.value;
      }
      this.historyPos--;
      ta.value = hist[this.historyPos];
      ta.setSelectionRange(0, 0);
      this.validateSoon(0);
    } else if (
      e.key === 'ArrowDown' &&
      ta.selectionStart === ta.value.length &&
      ta.selectionEnd === ta.value.length &&
      this.historyPos < hist.length
    ) {
      e.preventDefault();
      this.historyPos++;
      ta.value = this.historyPos === hist.length ? this.state.draft : hist[this.historyPos];
      ta.setSelectionRange(ta.value.length, ta.value.length);
      this.validateSoon(0);
    }
  }

  private send(): void {
    const text = this.editor.value;
    const mode = this.state.mode;
    if (!this.open) {
      this.showResult('Not sent: not connected', true);
      return;
    }
    const verb = this.activeVerb();
    if (verb) {
      const read = this.verbForm.read();
      if (!read.ok) {
        this.showResult(`Not sent: ${read.error}`, true);
        return;
      }
      void this.host.request('adapterSend', { verb: verb.name, fields: read.fields }).then((reply) => this.onResult(reply, verb.label));
      this.showResult('Sending…', false, true);
      return;
    }
    if (!text && mode !== 'text') {
      this.showResult('Nothing to send', true);
      return;
    }
    const error = this.validate();
    if (error) {
      this.showResult(`Not sent: ${error}`, true);
      return;
    }
    let sent: Promise<SendResultMessage>;
    if (mode === 'binary') {
      // The editor accepts 0x prefixes, commas and colons; the host gets plain byte pairs.
      const parsed = this.state.encoding === 'hex' ? parseHex(text) : undefined;
      const data = parsed?.ok ? Array.from(parsed.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') : text.trim();
      sent = this.host.request('send', { mode, encoding: this.state.encoding, data, saved: this.pickedName() });
    } else {
      sent = this.host.request('send', { mode, data: text, saved: this.pickedName() });
    }
    void sent.then((reply) => this.onResult(reply, 'Message', text));
    this.showResult('Sending…', false, true);
  }

  /** The editor's message as the host takes it, or an error in words (nothing to send, invalid). */
  private message(): SendBoxMessage | string {
    const text = this.editor.value;
    const mode = this.state.mode;
    if (this.activeVerb()) {
      return 'a protocol verb form is not a message to save or repeat: choose a raw mode';
    }
    if (!text.trim()) {
      return 'nothing to send';
    }
    const error = this.validate();
    if (error) {
      return error;
    }
    const saved = this.pickedName();
    return mode === 'binary' ? { mode, encoding: this.state.encoding, data: text.trim(), saved } : { mode, data: text, saved };
  }

  private saveMessage(): void {
    const m = this.message();
    if (typeof m === 'string') {
      this.showResult(`Not saved: ${m}`, true);
      return;
    }
    this.host.saveMessage(m);
  }

  private repeat(): void {
    const m = this.message();
    if (typeof m === 'string') {
      this.showResult(`Not repeated: ${m}`, true);
      return;
    }
    if (!this.open) {
      this.showResult('Not repeated: not connected', true);
      return;
    }
    const everyMs = Number(this.repeatEvery.value);
    const times = this.repeatTimes.value.trim() ? Number(this.repeatTimes.value) : undefined;
    if (!Number.isSafeInteger(everyMs) || everyMs < 1) {
      this.showResult('Not repeated: the interval is a whole number of milliseconds, at least 1', true);
      return;
    }
    if (times !== undefined && (!Number.isSafeInteger(times) || times < 1)) {
      this.showResult('Not repeated: the count is a whole number, at least 1 (empty: until stopped)', true);
      return;
    }
    void this.host
      .request('repeat', { ...m, everyMs, times, resumeAfterReconnect: this.repeatResume.checked })
      .then((reply) => this.onResult(reply, 'Repeat', m.data));
  }

  private ping(): void {
    const data = this.pingInput.value;
    if (new TextEncoder().encode(data).length > 125) {
      this.showResult('A ping payload is at most 125 bytes', true);
      return;
    }
    void this.host.request('ping', { data: data || undefined }).then((reply) => this.onResult(reply, 'Ping'));
  }

  private close(): void {
    const code = Number(this.closeCode.value);
    // The codes an endpoint may send (RFC 6455 §7.4): 1005, 1006 and 1015 are never on the wire.
    const valid =
      Number.isInteger(code) &&
      ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999));
    if (!valid) {
      this.showResult('Close code must be 1000–1003, 1007–1014 or 3000–4999', true);
      return;
    }
    if (new TextEncoder().encode(this.closeReason.value).length > 123) {
      this.showResult('A close reason is at most 123 bytes', true);
      return;
    }
    void this.host.request('close', { code, reason: this.closeReason.value }).then((reply) => this.onResult(reply, 'Close'));
  }

  private sendFile(): void {
    void this.host.request('sendFile', {}).then((reply) => this.onResult(reply, 'File'));
  }

  /** The host's answer to a send/ping/close/sendFile; a sent message's `text` goes into the history. */
  private onResult(reply: SendResultMessage, what: string, text?: string): void {
    if (!reply.ok) {
      this.showResult(`${what} not sent: ${escapeControl(reply.error ?? 'unknown error')}`, true);
      return;
    }
    if (text !== undefined) {
      const hist = this.state.history;
      if (hist[hist.length - 1] !== text) {
        hist.push(text);
        if (hist.length > HISTORY_MAX) {
          hist.splice(0, hist.length - HISTORY_MAX);
        }
      }
      this.historyPos = hist.length;
      this.state.draft = '';
      this.host.saveState();
    }
    this.showResult(what === 'Repeat' ? 'Repeat started' : `${what} sent`, false);
  }

  private resultTimer: ReturnType<typeof setTimeout> | undefined;

  private showResult(text: string, isError: boolean, sticky = false): void {
    clearTimeout(this.resultTimer);
    this.result.hidden = false;
    this.result.className = `send-result${isError ? ' bad' : ''}`;
    this.result.replaceChildren(icon(isError ? 'error' : 'check'), document.createTextNode(text));
    if (!isError && !sticky) {
      this.resultTimer = setTimeout(() => {
        this.result.hidden = true;
      }, 2500);
    }
  }

  private toggleRow(row: HTMLElement, focus: HTMLElement): void {
    row.hidden = !row.hidden;
    if (!row.hidden) {
      focus.focus();
    }
  }
}
