/**
 * One row of the log: its element and cells (a slot the virtual list reuses), and how a record fills it.
 * Hot code: a slot remembers what it shows, so a frame writes only the cells that change.
 */
import type { ConnRecord } from '../src/protocol';
import { h, icon, setText } from './dom';
import { formatBytes } from './format/bytes';
import { directionOf, idOf, previewOf, sizeOf, typeLabel } from './format/labels';
import { escapeControl } from './format/text';
import { formatTime } from './format/time';
import type { WidestText } from './logColumns';
import { repeatsOf } from './retryFold';

export type TimeMode = 'time' | 'iso' | 'relative';

/** How rows look now, the same for every row of a frame. */
export interface RowLook {
  /** Bumped when every row must be redrawn (time format, clear, init, filter). */
  gen: number;
  timeMode: TimeMode;
  /** The first record's time, for relative times. */
  timeBase: number;
  /** Sent rows that came from a saved message: its name by seq. */
  origins?: ReadonlyMap<number, string>;
}

/** How a row is selected: the selection, the second row of a Compare (Ctrl/Cmd+click), or neither. */
export type RowSelection = 'none' | 'selected' | 'marked';

export interface RowSlot {
  el: HTMLDivElement;
  time: HTMLSpanElement;
  dirIcon: HTMLElement;
  dir: HTMLSpanElement;
  type: HTMLSpanElement;
  id: HTMLSpanElement;
  size: HTMLSpanElement;
  data: HTMLSpanElement;
  /** What the slot shows now, to skip work when nothing changed. */
  seq: number;
  /** How many records the row stands for (a folded retry counts its repeats). */
  repeats: number;
  top: number;
  selected: RowSelection;
  cls: string;
  gen: number;
  /** The render that last used this slot. */
  stamp: number;
  icon: string;
}

const DIR_ICON: Record<string, string> = { in: 'arrow-down', out: 'arrow-up', system: 'info' };

function rowClass(r: ConnRecord): string {
  const dir = directionOf(r);
  if (dir !== 'system') {
    // A frame its protocol could not read: a plain message with a warning mark (the type column's ⚠).
    return `row dir-${dir}${r.kind !== 'message' ? ' ctl' : r.decoded?.type === 'invalid' ? ' invalid' : ''}`;
  }
  switch (r.kind) {
    case 'error':
      return 'row sys sev-error';
    case 'reconnecting':
    case 'closing':
    case 'close':
      return 'row sys sev-warn';
    case 'open':
      return 'row sys sev-ok';
    case 'continuity':
      // "resumed after id 41" is good news; a gap, duplicates or a restart are not.
      return r.status === 'resumed' ? 'row sys sev-ok finding' : 'row sys sev-warn finding';
    case 'llm':
      return r.complete ? 'row sys sev-ok' : 'row sys sev-warn';
    default:
      return 'row sys';
  }
}

function systemIcon(r: ConnRecord): string {
  switch (r.kind) {
    case 'error':
      return 'error';
    case 'open':
      return 'plug';
    case 'connecting':
      return 'debug-start';
    case 'reconnecting':
      return 'sync';
    case 'close':
    case 'closing':
      return 'debug-disconnect';
    default:
      return 'info';
  }
}

/** A new row element with its cells, appended to `parent` (the log's spacer). */
export function createRowSlot(parent: HTMLElement): RowSlot {
  const dirIcon = icon('info');
  const slot: RowSlot = {
    el: h('div', { class: 'row', role: 'row' }),
    time: h('span', { class: 'c-time', role: 'gridcell' }),
    dirIcon,
    dir: h('span', { class: 'c-dir', role: 'gridcell' }, dirIcon),
    type: h('span', { class: 'c-type', role: 'gridcell' }),
    id: h('span', { class: 'c-id', role: 'gridcell' }),
    size: h('span', { class: 'c-size', role: 'gridcell' }),
    data: h('span', { class: 'c-data', role: 'gridcell' }),
    seq: -1,
    repeats: 0,
    top: -1,
    selected: 'none',
    cls: '',
    gen: -1,
    stamp: 0,
    icon: '',
  };
  slot.el.append(slot.time, slot.dir, slot.type, slot.id, slot.size, slot.data);
  parent.appendChild(slot.el);
  return slot;
}

/**
 * Shows record `r` (at `row` of the filtered log) in `slot`: cells are written only when the slot shows another
 * record, the look changed (`look.gen`) or a folded retry counts more repeats, and the selection's class and id
 * only when it changed. `widest` takes the length of the longest type, id and size written, to fit those columns.
 */
export function fillRowSlot(slot: RowSlot, r: ConnRecord, row: number, selected: RowSelection, look: RowLook, widest: WidestText): void {
  const repeats = repeatsOf(r);
  if (slot.seq !== r.seq || slot.gen !== look.gen || slot.repeats !== repeats) {
    slot.seq = r.seq;
    slot.gen = look.gen;
    slot.repeats = repeats;
    slot.el.dataset.seq = String(r.seq);
    // The row's context menu (package.json `webview/context`): Add Check from Message on messages.
    // Save as Message on sent rows.
    slot.el.dataset.vscodeContext =
      r.kind === 'message'
        ? `{"webviewSection":"message","seq":${r.seq}${r.dir === 'out' ? ',"sent":true' : ''}}`
        : '{"webviewSection":"record"}';
    slot.el.setAttribute('aria-rowindex', String(row + 2));
    slot.time.textContent = formatTime(r.time, look.timeMode, look.timeBase);
    // Consecutive rows are mostly alike (same direction, same type): write only what differs.
    const dir = directionOf(r);
    const iconName = dir === 'system' ? systemIcon(r) : DIR_ICON[dir];
    if (slot.icon !== iconName) {
      slot.icon = iconName;
      slot.dirIcon.className = `codicon codicon-${iconName}`;
      slot.dir.setAttribute('aria-label', dir);
      slot.dir.title = dir === 'system' ? r.kind : dir === 'in' ? 'received' : 'sent';
    }
    // Event types and ids come from the server too: controls and bidi made visible.
    const saved = r.kind === 'message' ? look.origins?.get(r.seq) : undefined;
    const label = typeLabel(r);
    // A sent row from a saved message names it in the type column.
    const type = escapeControl(saved === undefined ? label : label ? `${label} · ${saved}` : saved);
    const id = escapeControl(idOf(r));
    const size = sizeOf(r);
    const sizeText = size === undefined ? '' : formatBytes(size);
    setText(slot.type, type);
    setText(slot.id, id);
    slot.size.textContent = sizeText;
    widest.type = Math.max(widest.type, type.length);
    widest.id = Math.max(widest.id, id.length);
    widest.size = Math.max(widest.size, sizeText.length);
    slot.data.textContent = previewOf(r);
    slot.type.title = saved === undefined ? '' : `Sent from the saved message "${saved}"`;
    const cls = saved === undefined ? rowClass(r) : `${rowClass(r)} from-saved`;
    if (cls !== slot.cls) {
      slot.cls = cls;
      // Forces the class to be written below.
      slot.selected = selected === 'none' ? 'selected' : 'none';
    }
  }
  if (slot.selected !== selected) {
    slot.selected = selected;
    slot.el.className = selected === 'none' ? slot.cls : selected === 'selected' ? `${slot.cls} selected` : `${slot.cls} selected marked`;
    slot.el.setAttribute('aria-selected', String(selected !== 'none'));
    if (selected === 'selected') {
      slot.el.id = 'log-row-selected';
    } else if (slot.el.id) {
      slot.el.removeAttribute('id');
    }
  }
}

/** Hides a slot no row of this frame uses, emptied too, so nothing searches or reads a stale record in it. */
export function clearRowSlot(slot: RowSlot): void {
  slot.el.hidden = true;
  slot.seq = -1;
  delete slot.el.dataset.seq;
  delete slot.el.dataset.vscodeContext;
  slot.time.textContent = slot.type.textContent = slot.id.textContent = slot.size.textContent = slot.data.textContent = '';
}
