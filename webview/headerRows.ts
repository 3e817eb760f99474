/**
 * The request editor's header rows. Rows are built once and then updated in place: a redraw writes
 * only the values that differ from what an input shows, so the input being typed in keeps its focus,
 * caret and text whatever the host sends meanwhile.
 */
import type { HeaderEntry } from '../src/protocol';
import { button, h, setText } from './dom';

interface HeaderRowView {
  el: HTMLElement;
  enabled: HTMLInputElement;
  name: HTMLInputElement;
  value: HTMLInputElement;
  warning: HTMLElement;
  remove: HTMLButtonElement;
}

/** A header the user named and left without a value: sent as an empty header, which servers read as no credential. */
function emptyValueWarning(entry: HeaderEntry): string {
  return entry.enabled && entry.name.trim() && !entry.value.trim() ? `${entry.name.trim()} has no value: it is sent empty.` : '';
}

export class HeaderRows {
  readonly el = h('div', { class: 'headers-rows', role: 'list', 'aria-label': 'Request headers' });
  private entries: HeaderEntry[] = [];
  private readonly rows: HeaderRowView[] = [];

  /** `edited` runs after every change the user makes to a row. */
  constructor(private readonly edited: () => void) {}

  /** The rows' entries as they are now (the editor's own objects: copy before keeping). */
  get current(): readonly HeaderEntry[] {
    return this.entries;
  }

  /** Headers that will be sent: enabled and named. */
  get enabledCount(): number {
    return this.entries.filter((x) => x.enabled && x.name.trim()).length;
  }

  /** Shows `entries` (copied), reusing the rows there are. */
  set(entries: readonly HeaderEntry[]): void {
    this.entries = entries.map((x) => ({ ...x }));
    while (this.rows.length > this.entries.length) {
      this.rows.pop()!.el.remove();
    }
    while (this.rows.length < this.entries.length) {
      const row = this.buildRow();
      this.rows.push(row);
      this.el.appendChild(row.el);
    }
    this.entries.forEach((entry, i) => this.fill(this.rows[i], entry, i));
  }

  /** Adds an empty row and puts the caret in its name. */
  add(): void {
    this.set([...this.entries, { name: '', value: '', enabled: true }]);
    this.rows[this.rows.length - 1].name.focus();
    this.edited();
  }

  private remove(row: HeaderRowView): void {
    const i = this.rows.indexOf(row);
    if (i < 0) {
      return;
    }
    const next = this.entries.filter((_, j) => j !== i);
    this.rows.splice(i, 1);
    row.el.remove();
    this.set(next);
    // The caret goes to the row that took this one's place, else to the one before, else nowhere it could be lost.
    const focusRow = this.rows[i] ?? this.rows[i - 1];
    (focusRow ? focusRow.name : (this.el.parentElement?.querySelector<HTMLButtonElement>('.add-header') ?? undefined))?.focus();
    this.edited();
  }

  private buildRow(): HeaderRowView {
    const enabled = h('input', { type: 'checkbox', title: 'Send this header' });
    const name = h('input', { type: 'text', class: 'input header-name', placeholder: 'Name', spellcheck: 'false' });
    const value = h('input', { type: 'text', class: 'input header-value', placeholder: 'Value', spellcheck: 'false' });
    const warning = h('div', { class: 'header-warning', role: 'status', hidden: true });
    const row: HeaderRowView = {
      el: h('div', { class: 'header-row', role: 'listitem' }),
      enabled,
      name,
      value,
      warning,
      remove: button({ label: 'Remove header', icon: 'trash', onClick: () => this.remove(row) }),
    };
    const entryOf = () => this.entries[this.rows.indexOf(row)];
    const changed = (apply: (entry: HeaderEntry) => void) => {
      const entry = entryOf();
      if (entry) {
        apply(entry);
        this.fill(row, entry, this.rows.indexOf(row));
        this.edited();
      }
    };
    enabled.addEventListener('change', () => changed((entry) => (entry.enabled = enabled.checked)));
    name.addEventListener('input', () => changed((entry) => (entry.name = name.value)));
    value.addEventListener('input', () => changed((entry) => (entry.value = value.value)));
    row.el.append(enabled, name, value, row.remove, warning);
    return row;
  }

  /** Writes `entry` into `row`, touching only what differs (an input's value, when it is not already what it shows). */
  private fill(row: HeaderRowView, entry: HeaderEntry, i: number): void {
    const n = i + 1;
    row.enabled.setAttribute('aria-label', `Send header ${n}`);
    row.name.setAttribute('aria-label', `Header ${n} name`);
    row.value.setAttribute('aria-label', `Header ${n} value`);
    row.remove.setAttribute('aria-label', `Remove header ${n}`);
    row.enabled.checked = entry.enabled;
    if (row.name.value !== entry.name) {
      row.name.value = entry.name;
    }
    if (row.value.value !== entry.value) {
      row.value.value = entry.value;
    }
    row.el.classList.toggle('disabled', !entry.enabled);
    const warning = emptyValueWarning(entry);
    row.warning.hidden = !warning;
    setText(row.warning, warning);
    row.value.classList.toggle('warn', !!warning);
    row.value.setAttribute('aria-invalid', String(!!warning));
  }
}
