// Over 400 lines: scrolling, following the tail and the frame's render share one state; split, it would be passed around every frame.
/**
 * The virtualised message log: a row grid (rows as tall as the font needs, see `LogColumns`) that keeps only
 * the rows in view (plus a small overscan) in the DOM, reuses them while scrolling, follows the tail unless the
 * user scrolled away, holds still while paused, and renders at most once per animation frame.
 */
import type { ConnRecord } from '../src/protocol';
import { h, icon, setText } from './dom';
import { LogColumns, type ColumnWidths, type WidestText } from './logColumns';
import { clearRowSlot, createRowSlot, fillRowSlot, type RowLook, type RowSlot, type TimeMode } from './logRow';
import type { RecordModel } from './model';
import { computeWindow, isAtBottom, scrollToReveal, scrollTopForVirtual } from './virtual';

const numberFormat = new Intl.NumberFormat();
const OVERSCAN = 8;
const FLOOD_ROWS = 50;
const FLOOD_INTERVAL_MS = 30;
/** Hard ceiling on rows in the DOM, whatever the viewport's height. */
export const MAX_DOM_ROWS = 200;

export interface LogViewOptions {
  model: RecordModel;
  /** A column was resized (double-click on a grip resets it). */
  onColumnsChanged?: (widths: ColumnWidths) => void;
  onSelect: (record: ConnRecord | undefined) => void;
  /** Ctrl/Cmd+C on the selected row. */
  onCopy: (record: ConnRecord) => void;
  /** The second row of a Compare (Ctrl/Cmd+click, or Space on the selected row) changed. */
  onMarked?: () => void;
  /** Where the view stands (`topSeq`, `follow`) changed: the user scrolled, paused, or jumped to the tail. */
  onScrolled?: () => void;
}

export class LogView {
  readonly el: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly jump: HTMLButtonElement;
  private readonly empty: HTMLDivElement;
  private readonly columns: LogColumns;
  private readonly slots: RowSlot[] = [];
  private viewportHeight = 0;
  private scrollTop = 0;
  private contentHeight = 0;
  /** The scrollTop this view set itself, to tell its own scroll events from the user's. */
  private ownScrollTop = -1;
  private frame = 0;
  private frameStamp = 0;
  /** How rows look; `gen` is bumped when every row must be redrawn (time format, clear, init). */
  private readonly look: RowLook = { gen: 0, timeMode: 'time', timeBase: 0 };
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
  /** While paused: the rows shown (the log's rows when it paused; rows that came since are only counted). */
  private frozenCount = 0;
  /** The longest type, id and size the rows have shown since the rows were replaced, to fit those columns. */
  private widest: WidestText = { type: 0, id: 0, size: 0 };

  follow = true;
  paused = false;
  /** Rows appended below the viewport while not following. */
  newRows = 0;
  selectedSeq: number | undefined;
  /** The second row selected (Ctrl/Cmd+click, Space): Compare takes it with the selected one. */
  markedSeq: number | undefined;
  /** Most rows ever in the DOM at once (for tests and benchmarks). */
  maxDomRows = 0;
  /** A row's height in px, from the font's line box (see `LogColumns`). */
  rowHeight: number;

  constructor(private readonly options: LogViewOptions) {
    this.columns = new LogColumns(
      () => this.options.onColumnsChanged?.(this.columnWidths),
      (px) => this.setRowHeight(px),
    );
    this.rowHeight = this.columns.rowHeight;
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
        'aria-multiselectable': 'true',
      },
      this.columns.head,
      this.viewport,
      this.empty,
      this.jump,
    );
    // The time column is as wide as the longest text of the current format.
    this.columns.attach(this.el);
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

  get columnWidths(): ColumnWidths {
    return this.columns.columnWidths;
  }

  set columnWidths(widths: ColumnWidths) {
    this.columns.columnWidths = widths;
  }

  setTimeMode(mode: TimeMode): void {
    if (mode !== this.look.timeMode) {
      this.look.timeMode = mode;
      this.columns.setTimeMode(mode);
      this.redrawRows();
    }
  }

  /** Rows take the font's new height; the row at the top stays at the top unless the view follows the tail. */
  private setRowHeight(px: number): void {
    const top = this.pendingTopSeq ?? (this.follow && !this.paused ? undefined : this.options.model.at(this.firstWhole)?.seq);
    this.rowHeight = px;
    this.el.style.setProperty('--row-h', `${px}px`);
    if (top !== undefined) {
      this.pendingTopSeq = top;
    }
    this.redrawRows();
  }

  private redrawRows(): void {
    this.look.gen++;
    this.schedule();
  }

  setEmptyText(text: string): void {
    this.emptyText = text;
    this.schedule();
  }

  /**
   * The rows were replaced (init, clear, filter): redraw them all; a view that follows the tail goes on
   * following it, a paused view shows the rows there are now and counts the ones that come.
   */
  invalidate(): void {
    this.look.gen++;
    this.shift = 0;
    this.widest = { type: 0, id: 0, size: 0 };
    if (this.paused) {
      this.frozenCount = this.options.model.count;
      this.newRows = 0;
    }
    this.schedule();
  }

  /** Records were appended (and maybe some dropped from the top). */
  appended(visibleAdded: number, visibleRemoved: number): void {
    if (!this.follow || this.paused) {
      this.newRows += visibleAdded;
    }
    if (visibleRemoved) {
      this.shift += visibleRemoved;
      this.frozenCount = Math.max(0, this.frozenCount - visibleRemoved);
      this.look.gen++;
    }
    this.pendingRows += visibleAdded;
    this.requestFrame();
  }

  /**
   * Pause on: the view shows the rows it has and holds still (rows that come are counted). Pause off: a view
   * that followed the tail before goes back to it; one the user had scrolled away keeps its place.
   */
  setPaused(on: boolean): void {
    if (on && !this.paused) {
      this.frozenCount = this.options.model.count;
    }
    this.paused = on;
    if (!on && this.follow) {
      this.newRows = 0;
    }
    this.el.classList.toggle('paused', on);
    this.schedule();
    this.options.onScrolled?.();
  }

  scrollToEnd(): void {
    this.follow = true;
    this.paused = false;
    this.el.classList.remove('paused');
    this.newRows = 0;
    this.schedule();
    this.el.dispatchEvent(new CustomEvent('resumed'));
    // The scroll this makes is the view's own, which the scroll handler does not report.
    this.options.onScrolled?.();
  }

  /**
   * Where the view stands, to restore it: the seq of the first row in view, or undefined while the
   * view follows the tail (paused or not: a panel rebuilt from it follows the tail again).
   */
  get topSeq(): number | undefined {
    if (this.pendingTopSeq !== undefined) {
      return this.pendingTopSeq;
    }
    if (this.follow) {
      return undefined;
    }
    return this.options.model.at(this.firstWhole)?.seq;
  }

  /** Stops following and shows the rows from `seq` on (or the tail, when that row is not in the log). */
  showFrom(seq: number): void {
    this.follow = false;
    this.pendingTopSeq = seq;
    this.schedule();
  }

  /**
   * Selects the record `seq`, scrolls its row into view and shows it in the detail pane (as a click
   * would). Returns why not when it cannot: `evicted` (no longer in the log), `filtered` (the filter
   * or Pause hides it).
   */
  reveal(seq: number): 'ok' | 'evicted' | 'filtered' {
    const model = this.options.model;
    const record = model.bySeq(seq);
    if (!record) {
      return 'evicted';
    }
    const row = model.rowOfSeq(seq);
    const count = this.shownCount;
    if (row < 0 || row >= count) {
      return 'filtered';
    }
    this.selectedSeq = seq;
    this.pendingTopSeq = undefined;
    const top = scrollToReveal(row, this.scrollTop, count, this.rowHeight, this.viewportHeight);
    if (top !== undefined) {
      this.setScrollTop(top);
    }
    // Following the tail would scroll the row away with the next record.
    this.follow = row === count - 1 && isAtBottom(this.scrollTop, this.viewportHeight, this.contentHeight, this.rowHeight);
    if (this.follow) {
      this.newRows = 0;
    }
    this.options.onSelect(record);
    this.schedule();
    this.options.onScrolled?.();
    return 'ok';
  }

  /** Selects by seq (restores selection after reloads) without scrolling; the second row of a Compare is let go. */
  select(seq: number | undefined): void {
    this.selectedSeq = seq;
    this.mark(undefined);
    this.schedule();
  }

  /** The two rows selected for Compare, in log order, when there are two. */
  get comparePair(): [number, number] | undefined {
    const a = this.selectedSeq;
    const b = this.markedSeq;
    if (a === undefined || b === undefined || a === b) {
      return undefined;
    }
    return a < b ? [a, b] : [b, a];
  }

  /** Sets the second row of a Compare (undefined: none). */
  mark(seq: number | undefined): void {
    if (seq === this.markedSeq) {
      return;
    }
    this.markedSeq = seq;
    this.schedule();
    this.options.onMarked?.();
  }

  /** Origins of sent rows changed (a row came from a saved message): rows redraw. */
  setOrigins(origins: ReadonlyMap<number, string>): void {
    this.look.origins = origins;
    this.redrawRows();
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
    this.options.onScrolled?.();
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
      return scrollTopForVirtual((firstVisible - this.shift) * this.rowHeight, count, this.rowHeight, this.viewportHeight);
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
    const row = this.options.model.rowOfSeq(seq);
    if (row < 0) {
      this.follow = true;
      return undefined;
    }
    const top = Math.min(maxTop, scrollTopForVirtual(row * this.rowHeight, count, this.rowHeight, this.viewportHeight));
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
    const model = this.options.model;
    const count = this.shownCount;
    const first = model.first;
    const base = first ? Date.parse(first.time) : 0;
    if (base !== this.look.timeBase) {
      this.look.timeBase = base;
      if (this.look.timeMode === 'relative') {
        this.look.gen++;
      }
    }
    this.el.setAttribute('aria-rowcount', String(model.count + 1));

    // Reads are cached (scroll and resize events) and the target scroll position is computed, not
    // measured: rows are written first and scrollTop last, so the frame costs one layout.
    let w = computeWindow({
      scrollTop: this.scrollTop,
      viewportHeight: this.viewportHeight,
      count,
      rowHeight: this.rowHeight,
      overscan: OVERSCAN,
    });
    this.contentHeight = w.contentHeight;
    const maxTop = Math.max(0, w.contentHeight - this.viewportHeight);
    const targetTop =
      (this.viewportHeight > 0 ? this.restoredTop(count, maxTop, w.contentHeight) : undefined) ??
      this.movedTop(w.firstVisible, count, maxTop);
    this.shift = 0;
    if (targetTop !== undefined) {
      w = computeWindow({
        scrollTop: targetTop,
        viewportHeight: this.viewportHeight,
        count,
        rowHeight: this.rowHeight,
        overscan: OVERSCAN,
      });
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
      this.slots.push(createRowSlot(this.spacer));
    }
    // Row r always lives in slot r % pool: scrolling or following the tail by a few rows refills
    // only the slots of the rows that came into view; the others keep their content and position.
    const pool = this.slots.length;
    const stamp = ++this.frameStamp;
    const selectedRow = this.selectedSeq === undefined ? -1 : model.rowOfSeq(this.selectedSeq);
    const markedRow = this.markedSeq === undefined ? -1 : model.rowOfSeq(this.markedSeq);
    for (let row = w.start; row < end; row++) {
      const slot = this.slots[row % pool];
      slot.stamp = stamp;
      const sel = row === selectedRow ? 'selected' : row === markedRow ? 'marked' : 'none';
      fillRowSlot(slot, model.at(row)!, row, sel, this.look, this.widest);
      const top = row * this.rowHeight + w.offset;
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
        clearRowSlot(slot);
      }
    }
    this.maxDomRows = Math.max(this.maxDomRows, needed);
    this.columns.fit(this.widest);
    if (targetTop !== undefined) {
      this.setScrollTop(targetTop);
    }
    if (selectedRow >= 0 && selectedRow >= w.start && selectedRow < end) {
      this.el.setAttribute('aria-activedescendant', 'log-row-selected');
    } else {
      this.el.removeAttribute('aria-activedescendant');
    }

    const emptyVisible = model.count === 0;
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

  private onMouseDown(e: MouseEvent): void {
    const rowEl = (e.target as HTMLElement).closest('.row') as HTMLElement | null;
    if (!rowEl?.dataset.seq) {
      return;
    }
    const seq = Number(rowEl.dataset.seq);
    if ((e.ctrlKey || e.metaKey) && this.selectedSeq !== undefined) {
      // A second row for Compare; Ctrl/Cmd+click on it again lets it go.
      e.preventDefault();
      if (seq !== this.selectedSeq) {
        this.mark(this.markedSeq === seq ? undefined : seq);
      }
      return;
    }
    this.selectedSeq = seq;
    this.mark(undefined);
    this.options.onSelect(this.options.model.bySeq(seq));
    this.schedule();
  }

  /** Up/Down/PageUp/PageDown/Home/End move the selection and keep it in view. */
  private onKey(e: KeyboardEvent): void {
    const model = this.options.model;
    const count = this.shownCount;
    if (!count) {
      return;
    }
    const current = this.selectedSeq === undefined ? -1 : model.rowOfSeq(this.selectedSeq);
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && current >= 0) {
      e.preventDefault();
      this.options.onCopy(model.at(current)!);
      return;
    }
    const page = Math.max(1, Math.floor(this.viewportHeight / this.rowHeight) - 1);
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next =
          current < 0
            ? computeWindow({
                scrollTop: this.scrollTop,
                viewportHeight: this.viewportHeight,
                count,
                rowHeight: this.rowHeight,
                overscan: 0,
              }).firstVisible
            : current + 1;
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
        this.mark(undefined);
        this.options.onSelect(undefined);
        this.schedule();
        return;
      case ' ':
        // Space: the selected row becomes the second row of a Compare; move on and Compare takes both.
        if (current >= 0) {
          e.preventDefault();
          this.mark(this.markedSeq === this.selectedSeq ? undefined : this.selectedSeq);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    next = Math.max(0, Math.min(count - 1, next));
    const record = model.at(next)!;
    this.selectedSeq = record.seq;
    const reveal = scrollToReveal(next, this.scrollTop, count, this.rowHeight, this.viewportHeight);
    if (reveal !== undefined) {
      this.setScrollTop(reveal);
    }
    this.follow = next === count - 1 && isAtBottom(this.scrollTop, this.viewportHeight, this.contentHeight, this.rowHeight);
    if (this.follow) {
      this.newRows = 0;
    }
    this.options.onSelect(record);
    this.schedule();
  }

  /** Rows the view shows: all of the model's, or while paused those it had when it paused. */
  private get shownCount(): number {
    const count = this.options.model.count;
    return this.paused ? Math.min(count, this.frozenCount) : count;
  }

  /** Rows currently in the DOM (visible slots). */
  get domRows(): number {
    return this.slots.filter((s) => !s.el.hidden).length;
  }
}
