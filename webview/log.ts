/**
 * The virtualised message log: a fixed-height row grid that keeps only the rows in view (plus a small
 * overscan) in the DOM, reuses them while scrolling, follows the tail unless the user scrolled away,
 * and renders at most once per animation frame.
 */
import type { ConnRecord } from '../src/protocol';
import { h, icon, setText } from './dom';
import { formatBytes } from './format/bytes';
import { directionOf, idOf, previewOf, sizeOf, typeLabel } from './format/labels';
import { escapeControl } from './format/text';
import { formatTime } from './format/time';
import type { RecordModel } from './model';
import { computeWindow, isAtBottom, scrollToReveal, scrollTopForVirtual } from './virtual';

export const ROW_HEIGHT = 22;
const numberFormat = new Intl.NumberFormat();
const OVERSCAN = 8;
const FLOOD_ROWS = 50;
const FLOOD_INTERVAL_MS = 30;
/** Hard ceiling on rows in the DOM, whatever the viewport's height. */
export const MAX_DOM_ROWS = 200;

export type TimeMode = 'time' | 'iso' | 'relative';

interface RowSlot {
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
  top: number;
  selected: boolean;
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
    return `row dir-${dir}${r.kind !== 'message' ? ' ctl' : ''}`;
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

const RESIZABLE = ['time', 'type', 'id', 'size'] as const;
/** The widest text of each time format (see `formatTime`); relative times up to a day. */
const TIME_PROBE: Record<TimeMode, string> = {
  time: '88:88:88.888',
  iso: '8888-88-88T88:88:88.888Z',
  relative: '+88888.888 s',
};
export type ResizableColumn = (typeof RESIZABLE)[number];

export interface LogViewOptions {
  model: RecordModel;
  /** A column was resized (double-click on a grip resets it). */
  onColumnsChanged?: (widths: Partial<Record<ResizableColumn, number>>) => void;
  onSelect: (record: ConnRecord | undefined) => void;
  /** Ctrl/Cmd+C on the selected row. */
  onCopy: (record: ConnRecord) => void;
  /** Where the view stands (`topSeq`, `follow`) changed: the user scrolled, paused, or jumped to the tail. */
  onScrolled?: () => void;
}

export class LogView {
  readonly el: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly jump: HTMLButtonElement;
  private readonly empty: HTMLDivElement;
  private readonly timeProbe: HTMLSpanElement;
  private readonly slots: RowSlot[] = [];
  private viewportHeight = 0;
  private scrollTop = 0;
  private contentHeight = 0;
  /** The scrollTop this view set itself, to tell its own scroll events from the user's. */
  private ownScrollTop = -1;
  private frame = 0;
  private frameStamp = 0;
  /** Bumped when every row must be redrawn (time format, clear, init). */
  private gen = 0;
  private timeMode: TimeMode = 'time';
  private timeBase = 0;
  private emptyText = 'No records yet. Connect to start.';
  /** Rows appended since the last render, and whether anything other than appends is waiting. */
  private pendingRows = 0;
  private urgent = false;
  private lastRender = 0;
  /** Rows removed from the top by the model's cap since the last render. */
  private shift = 0;
  /** A row to put at the top at the next render (`showFrom`), once the rows and the viewport are known. */
  private pendingTopSeq: number | undefined;
  /** The first row wholly in view (its top edge in the viewport) at the last render. */
  private firstWhole = 0;

  follow = true;
  paused = false;
  /** Rows appended below the viewport while not following. */
  newRows = 0;
  selectedSeq: number | undefined;
  /** Most rows ever in the DOM at once (for tests and benchmarks). */
  maxDomRows = 0;

  constructor(private readonly o: LogViewOptions) {
    const head = h(
      'div',
      { class: 'log-head', role: 'row', 'aria-rowindex': 1 },
      this.columnHeader('time', 'Time'),
      h('span', { class: 'c-dir', role: 'columnheader', 'aria-label': 'Direction', title: 'Direction' }, ''),
      this.columnHeader('type', 'Type'),
      this.columnHeader('id', 'ID'),
      this.columnHeader('size', 'Size'),
      h('span', { class: 'c-data', role: 'columnheader' }, 'Data'),
    );
    this.spacer = h('div', { class: 'log-spacer', role: 'presentation' });
    this.viewport = h('div', { class: 'log-viewport', role: 'presentation' }, this.spacer);
    this.jump = h('button', { type: 'button', class: 'jump', hidden: true, 'aria-label': 'Jump to the newest record' });
    this.jump.addEventListener('click', () => this.scrollToEnd());
    this.empty = h('div', { class: 'log-empty', role: 'status' });
    this.el = h(
      'div',
      {
        class: 'log',
        role: 'grid',
        tabindex: 0,
        'aria-label': 'Message log',
        'aria-rowcount': 1,
        'aria-colcount': 6,
        'aria-readonly': 'true',
      },
      head,
      this.viewport,
      this.empty,
      this.jump,
    );
    // The time column is as wide as the longest text of the current format, measured in the log's own
    // font; the probe's size changes with that font (loading, editor font size), which refits the column.
    this.timeProbe = h('span', { class: 'time-probe', 'aria-hidden': 'true' });
    this.el.appendChild(this.timeProbe);
    this.fitTimeColumn();
    new ResizeObserver(() => this.fitTimeColumn()).observe(this.timeProbe);
    this.viewport.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.spacer.addEventListener('mousedown', (e) => this.onMouseDown(e));
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    new ResizeObserver((entries) => {
      for (const e of entries) {
        this.viewportHeight = e.contentRect.height;
      }
      this.schedule();
    }).observe(this.viewport);
  }

  /** A header cell with a drag handle on its right edge that sets the column's width. */
  private columnHeader(col: ResizableColumn, label: string): HTMLElement {
    const grip = h('span', { class: 'col-grip', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': `Resize the ${label} column` });
    grip.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      grip.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startW = (grip.parentElement as HTMLElement).getBoundingClientRect().width;
      const move = (ev: PointerEvent) => this.setColumnWidth(col, startW + ev.clientX - startX);
      const up = () => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
        this.o.onColumnsChanged?.(this.columnWidths);
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
    });
    grip.addEventListener('dblclick', () => {
      delete this.widths[col];
      this.el.style.removeProperty(`--col-${col}`);
      this.o.onColumnsChanged?.(this.columnWidths);
    });
    return h('span', { class: `c-${col}`, role: 'columnheader' }, label, grip);
  }

  private widths: Partial<Record<ResizableColumn, number>> = {};

  private setColumnWidth(col: ResizableColumn, px: number): void {
    const w = Math.round(Math.min(600, Math.max(24, px)));
    this.widths[col] = w;
    // CSSOM custom property: the header and every row share the grid template.
    this.el.style.setProperty(`--col-${col}`, `${w}px`);
  }

  /**
   * Sizes the time column's default width (a width the user dragged still wins) from the widest text the
   * current format produces, with every digit an 8 (the widest in proportional fallbacks).
   */
  private fitTimeColumn(): void {
    const probe = TIME_PROBE[this.timeMode];
    if (this.timeProbe.textContent !== probe) {
      this.timeProbe.textContent = probe;
    }
    const width = this.timeProbe.getBoundingClientRect().width;
    if (width > 0) {
      this.el.style.setProperty('--col-time-fit', `${Math.ceil(width) + 2}px`);
    }
  }

  get columnWidths(): Partial<Record<ResizableColumn, number>> {
    return { ...this.widths };
  }

  set columnWidths(widths: Partial<Record<ResizableColumn, number>>) {
    for (const [col, w] of Object.entries(widths ?? {})) {
      if (RESIZABLE.includes(col as ResizableColumn) && typeof w === 'number' && Number.isFinite(w)) {
        this.setColumnWidth(col as ResizableColumn, w);
      }
    }
  }

  setTimeMode(mode: TimeMode): void {
    if (mode !== this.timeMode) {
      this.timeMode = mode;
      this.fitTimeColumn();
      this.invalidate();
    }
  }

  setEmptyText(text: string): void {
    this.emptyText = text;
    this.schedule();
  }

  /** Everything changed (init, clear, filter): redraw all rows. */
  invalidate(): void {
    this.gen++;
    this.shift = 0;
    this.schedule();
  }

  /** Records were appended (and maybe some dropped from the top). */
  appended(visibleAdded: number, visibleRemoved: number): void {
    if (!this.follow || this.paused) {
      this.newRows += visibleAdded;
    }
    if (visibleRemoved) {
      this.shift += visibleRemoved;
      this.gen++;
    }
    this.pendingRows += visibleAdded;
    this.requestFrame();
  }

  setPaused(on: boolean): void {
    this.paused = on;
    if (!on && this.follow) {
      this.newRows = 0;
    }
    this.el.classList.toggle('paused', on);
    this.schedule();
    this.o.onScrolled?.();
  }

  scrollToEnd(): void {
    this.follow = true;
    this.paused = false;
    this.el.classList.remove('paused');
    this.newRows = 0;
    this.schedule();
    this.el.dispatchEvent(new CustomEvent('resumed'));
    // The scroll this makes is the view's own, which the scroll handler does not report.
    this.o.onScrolled?.();
  }

  /**
   * Where the view stands, to restore it: the seq of the first row in view, or undefined while the
   * view follows the tail.
   */
  get topSeq(): number | undefined {
    if (this.pendingTopSeq !== undefined) {
      return this.pendingTopSeq;
    }
    if (this.follow && !this.paused) {
      return undefined;
    }
    return this.o.model.at(this.firstWhole)?.seq;
  }

  /** Stops following and shows the rows from `seq` on (or the tail, when that row is not in the log). */
  showFrom(seq: number): void {
    this.follow = false;
    this.pendingTopSeq = seq;
    this.schedule();
  }

  /** Selects by seq (restores selection after reloads) without scrolling. */
  select(seq: number | undefined): void {
    this.selectedSeq = seq;
    this.schedule();
  }

  schedule(): void {
    this.urgent = true;
    this.requestFrame();
  }

  /** Renders now (from inside an animation frame), instead of on the next one. */
  flush(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.lastRender = performance.now();
    this.urgent = false;
    this.pendingRows = 0;
    this.render();
  }

  private requestFrame(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame((now) => {
        this.frame = 0;
        // A flood of appends while following changes every row on every frame; nobody reads rows
        // at that speed, so such frames run at half rate and leave the other half to input.
        if (!this.urgent && this.pendingRows > FLOOD_ROWS && now - this.lastRender < FLOOD_INTERVAL_MS) {
          this.requestFrame();
          return;
        }
        this.lastRender = now;
        this.urgent = false;
        this.pendingRows = 0;
        this.render();
      });
    }
  }

  private onScroll(): void {
    this.syncScroll();
    this.schedule();
  }

  /**
   * Takes in a scroll the user made. Also called at the start of each render: a scroll can land
   * after this view scheduled its frame but before the browser delivers the scroll event, and
   * following the tail must not undo it.
   */
  private syncScroll(): void {
    const st = this.viewport.scrollTop;
    if (Math.abs(st - this.scrollTop) < 1) {
      return;
    }
    this.scrollTop = st;
    if (Math.abs(st - this.ownScrollTop) < 1) {
      return;
    }
    this.ownScrollTop = -1;
    const atBottom = isAtBottom(st, this.viewportHeight, this.contentHeight);
    if (!this.paused) {
      this.follow = atBottom;
      if (atBottom) {
        this.newRows = 0;
      }
    }
    this.o.onScrolled?.();
  }

  private setScrollTop(top: number): void {
    // No read-back (it would force a second layout): callers pass values already clamped to the
    // content, and the scroll handler tolerates the browser's sub-pixel rounding.
    this.ownScrollTop = top;
    this.scrollTop = top;
    this.viewport.scrollTop = top;
  }

  /** The scrollTop this frame moves to, if any: the tail while following, else where rows dropped above leave the view. */
  private movedTop(firstVisible: number, count: number, maxTop: number): number | undefined {
    if (this.follow && !this.paused) {
      return Math.abs(this.scrollTop - maxTop) >= 1 ? maxTop : undefined;
    }
    if (this.shift) {
      // Rows were dropped above: move up with them so the rows in view stay put.
      return scrollTopForVirtual((firstVisible - this.shift) * ROW_HEIGHT, count, ROW_HEIGHT, this.viewportHeight);
    }
    return this.scrollTop > maxTop ? maxTop : undefined;
  }

  /** The scrollTop that shows the row `showFrom()` asked for at the top; undefined when none was asked for or it is gone (the view follows then). */
  private restoredTop(count: number, maxTop: number, contentHeight: number): number | undefined {
    const seq = this.pendingTopSeq;
    if (seq === undefined) {
      return undefined;
    }
    this.pendingTopSeq = undefined;
    const row = this.o.model.rowOfSeq(seq);
    if (row < 0) {
      this.follow = true;
      return undefined;
    }
    const top = Math.min(maxTop, scrollTopForVirtual(row * ROW_HEIGHT, count, ROW_HEIGHT, this.viewportHeight));
    // At the bottom (the rows fit, or the row is in the tail): that is following.
    this.follow = isAtBottom(top, this.viewportHeight, contentHeight);
    return top;
  }

  private render(): void {
    if (this.follow && !this.paused) {
      // Only following can undo a scroll whose event has not arrived yet; elsewhere the event will
      // bring it, and skipping the read spares a forced layout.
      this.syncScroll();
    }
    const model = this.o.model;
    const count = model.count;
    const first = model.first;
    const base = first ? Date.parse(first.time) : 0;
    if (base !== this.timeBase) {
      this.timeBase = base;
      if (this.timeMode === 'relative') {
        this.gen++;
      }
    }
    this.el.setAttribute('aria-rowcount', String(count + 1));

    // Reads are cached (scroll and resize events) and the target scroll position is computed, not
    // measured: rows are written first and scrollTop last, so the frame costs one layout.
    let w = computeWindow({ scrollTop: this.scrollTop, viewportHeight: this.viewportHeight, count, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });
    this.contentHeight = w.contentHeight;
    const maxTop = Math.max(0, w.contentHeight - this.viewportHeight);
    const targetTop = (this.viewportHeight > 0 ? this.restoredTop(count, maxTop, w.contentHeight) : undefined) ?? this.movedTop(w.firstVisible, count, maxTop);
    this.shift = 0;
    if (targetTop !== undefined) {
      w = computeWindow({ scrollTop: targetTop, viewportHeight: this.viewportHeight, count, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });
    }
    this.firstWhole = w.firstWhole;
    const contentPx = `${w.contentHeight}px`;
    if (this.spacer.style.height !== contentPx) {
      this.spacer.style.height = contentPx;
    }

    let end = w.end;
    if (end - w.start > MAX_DOM_ROWS) {
      end = w.start + MAX_DOM_ROWS;
    }
    const needed = end - w.start;
    while (this.slots.length < needed) {
      this.slots.push(this.createSlot());
    }
    // Row r always lives in slot r % pool: scrolling or following the tail by a few rows refills
    // only the slots of the rows that came into view; the others keep their content and position.
    const pool = this.slots.length;
    const stamp = ++this.frameStamp;
    const selectedRow = this.selectedSeq === undefined ? -1 : model.rowOfSeq(this.selectedSeq);
    for (let row = w.start; row < end; row++) {
      const slot = this.slots[row % pool];
      slot.stamp = stamp;
      this.fillSlot(slot, model.at(row)!, row, row === selectedRow);
      const top = row * ROW_HEIGHT + w.offset;
      if (slot.top !== top) {
        slot.top = top;
        slot.el.style.transform = `translateY(${top}px)`;
      }
      if (slot.el.hidden) {
        slot.el.hidden = false;
      }
    }
    for (const slot of this.slots) {
      if (slot.stamp !== stamp && !slot.el.hidden) {
        // Emptied too, so nothing searches or reads a stale record in a hidden row.
        slot.el.hidden = true;
        slot.seq = -1;
        delete slot.el.dataset.seq;
        slot.time.textContent = slot.type.textContent = slot.id.textContent = slot.size.textContent = slot.data.textContent = '';
      }
    }
    this.maxDomRows = Math.max(this.maxDomRows, needed);
    if (targetTop !== undefined) {
      this.setScrollTop(targetTop);
    }
    if (selectedRow >= 0 && selectedRow >= w.start && selectedRow < end) {
      this.el.setAttribute('aria-activedescendant', 'log-row-selected');
    } else {
      this.el.removeAttribute('aria-activedescendant');
    }

    const emptyVisible = count === 0;
    this.empty.hidden = !emptyVisible;
    if (emptyVisible) {
      setText(this.empty, model.total > 0 ? 'No records match the filter.' : this.emptyText);
    }
    const showJump = this.newRows > 0 && (!this.follow || this.paused);
    this.jump.hidden = !showJump;
    if (showJump) {
      const label = `${numberFormat.format(this.newRows)} new${this.paused ? ' (paused)' : ''}`;
      if (this.jump.textContent !== label) {
        this.jump.replaceChildren(icon('arrow-down'), document.createTextNode(label));
      }
    }
  }

  private createSlot(): RowSlot {
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
      top: -1,
      selected: false,
      cls: '',
      gen: -1,
      stamp: 0,
      icon: '',
    };
    slot.el.append(slot.time, slot.dir, slot.type, slot.id, slot.size, slot.data);
    this.spacer.appendChild(slot.el);
    return slot;
  }

  private fillSlot(slot: RowSlot, r: ConnRecord, row: number, selected: boolean): void {
    if (slot.seq !== r.seq || slot.gen !== this.gen) {
      slot.seq = r.seq;
      slot.gen = this.gen;
      slot.el.dataset.seq = String(r.seq);
      slot.el.setAttribute('aria-rowindex', String(row + 2));
      slot.time.textContent = formatTime(r.time, this.timeMode, this.timeBase);
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
      setText(slot.type, escapeControl(typeLabel(r)));
      setText(slot.id, escapeControl(idOf(r)));
      const size = sizeOf(r);
      slot.size.textContent = size === undefined ? '' : formatBytes(size);
      slot.data.textContent = previewOf(r);
      const cls = rowClass(r);
      if (cls !== slot.cls) {
        slot.cls = cls;
        slot.selected = !selected;
      }
    }
    if (slot.selected !== selected) {
      slot.selected = selected;
      slot.el.className = selected ? `${slot.cls} selected` : slot.cls;
      slot.el.setAttribute('aria-selected', String(selected));
      if (selected) {
        slot.el.id = 'log-row-selected';
      } else if (slot.el.id) {
        slot.el.removeAttribute('id');
      }
    }
  }

  private onMouseDown(e: MouseEvent): void {
    const rowEl = (e.target as HTMLElement).closest('.row') as HTMLElement | null;
    if (!rowEl?.dataset.seq) {
      return;
    }
    const seq = Number(rowEl.dataset.seq);
    this.selectedSeq = seq;
    this.o.onSelect(this.o.model.bySeq(seq));
    this.schedule();
  }

  /** Up/Down/PageUp/PageDown/Home/End move the selection and keep it in view. */
  private onKey(e: KeyboardEvent): void {
    const model = this.o.model;
    const count = model.count;
    if (!count) {
      return;
    }
    const current = this.selectedSeq === undefined ? -1 : model.rowOfSeq(this.selectedSeq);
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && current >= 0) {
      e.preventDefault();
      this.o.onCopy(model.at(current)!);
      return;
    }
    const page = Math.max(1, Math.floor(this.viewportHeight / ROW_HEIGHT) - 1);
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = current < 0 ? computeWindow({ scrollTop: this.scrollTop, viewportHeight: this.viewportHeight, count, rowHeight: ROW_HEIGHT, overscan: 0 }).firstVisible : current + 1;
        break;
      case 'ArrowUp':
        next = current < 0 ? count - 1 : current - 1;
        break;
      case 'PageDown':
        next = current + page;
        break;
      case 'PageUp':
        next = current < 0 ? 0 : current - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Escape':
        this.selectedSeq = undefined;
        this.o.onSelect(undefined);
        this.schedule();
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(count - 1, next));
    const record = model.at(next)!;
    this.selectedSeq = record.seq;
    const reveal = scrollToReveal(next, this.scrollTop, count, ROW_HEIGHT, this.viewportHeight);
    if (reveal !== undefined) {
      this.setScrollTop(reveal);
    }
    this.follow = next === count - 1 && isAtBottom(this.scrollTop, this.viewportHeight, this.contentHeight, ROW_HEIGHT);
    if (this.follow) {
      this.newRows = 0;
    }
    this.o.onSelect(record);
    this.schedule();
  }

  /** Rows currently in the DOM (visible slots). */
  get domRows(): number {
    return this.slots.filter((s) => !s.el.hidden).length;
  }
}
