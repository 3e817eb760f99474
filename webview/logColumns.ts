/**
 * The log's column header: resizable Time, Type, ID and Size columns (drag a grip; double-click resets
 * it), and the Time column fitted to the widest text of the current time format. Widths are CSS custom
 * properties on the log element, which the header and every row share as their grid template.
 */
import { h } from './dom';
import type { TimeMode } from './logRow';

const RESIZABLE = ['time', 'type', 'id', 'size'] as const;
export type ResizableColumn = (typeof RESIZABLE)[number];
export type ColumnWidths = Partial<Record<ResizableColumn, number>>;

const MIN_COLUMN_PX = 24;
const MAX_COLUMN_PX = 600;

/** The widest text of each time format (see `formatTime`); relative times up to a day. */
const TIME_PROBE: Record<TimeMode, string> = {
  time: '88:88:88.888',
  iso: '8888-88-88T88:88:88.888Z',
  relative: '+88888.888 s',
};

export class LogColumns {
  /** The header row. */
  readonly head: HTMLElement;
  private readonly timeProbe: HTMLSpanElement;
  private widths: ColumnWidths = {};
  private timeMode: TimeMode = 'time';
  /** The log element, whose custom properties set the widths (see `attach`). */
  private log!: HTMLElement;

  /** `changed` runs when the user resized a column or reset one. */
  constructor(private readonly changed: () => void) {
    this.head = h(
      'div',
      { class: 'log-head', role: 'row', 'aria-rowindex': 1 },
      this.columnHeader('time', 'Time'),
      h('span', { class: 'c-dir', role: 'columnheader', 'aria-label': 'Direction', title: 'Direction' }, ''),
      this.columnHeader('type', 'Type'),
      this.columnHeader('id', 'ID'),
      this.columnHeader('size', 'Size'),
      h('span', { class: 'c-data', role: 'columnheader' }, 'Data'),
    );
    this.timeProbe = h('span', { class: 'time-probe', 'aria-hidden': 'true' });
  }

  /**
   * Takes the log element (built around the header) and puts the time probe in it: the probe is measured
   * in the log's own font, and its size changes with that font (loading, editor font size), which refits
   * the column.
   */
  attach(log: HTMLElement): void {
    this.log = log;
    log.appendChild(this.timeProbe);
    this.fitTimeColumn();
    new ResizeObserver(() => this.fitTimeColumn()).observe(this.timeProbe);
  }

  /** A header cell with a drag handle on its right edge that sets the column's width. */
  private columnHeader(col: ResizableColumn, label: string): HTMLElement {
    const grip = h('span', {
      class: 'col-grip',
      role: 'separator',
      'aria-orientation': 'vertical',
      'aria-label': `Resize the ${label} column`,
    });
    grip.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      grip.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startW = (grip.parentElement as HTMLElement).getBoundingClientRect().width;
      const move = (ev: PointerEvent) => this.setColumnWidth(col, startW + ev.clientX - startX);
      const up = () => {
        grip.removeEventListener('pointermove', move);
        grip.removeEventListener('pointerup', up);
        this.changed();
      };
      grip.addEventListener('pointermove', move);
      grip.addEventListener('pointerup', up);
    });
    grip.addEventListener('dblclick', () => {
      delete this.widths[col];
      this.log.style.removeProperty(`--col-${col}`);
      this.changed();
    });
    return h('span', { class: `c-${col}`, role: 'columnheader' }, label, grip);
  }

  private setColumnWidth(col: ResizableColumn, px: number): void {
    const w = Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, px)));
    this.widths[col] = w;
    // CSSOM custom property: the header and every row share the grid template.
    this.log.style.setProperty(`--col-${col}`, `${w}px`);
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
      this.log.style.setProperty('--col-time-fit', `${Math.ceil(width) + 2}px`);
    }
  }

  get columnWidths(): ColumnWidths {
    return { ...this.widths };
  }

  /** Takes up saved widths; anything that is not a known column with a finite width is left out. */
  set columnWidths(widths: ColumnWidths) {
    for (const [col, w] of Object.entries(widths ?? {})) {
      if (RESIZABLE.includes(col as ResizableColumn) && typeof w === 'number' && Number.isFinite(w)) {
        this.setColumnWidth(col as ResizableColumn, w);
      }
    }
  }

  setTimeMode(mode: TimeMode): void {
    this.timeMode = mode;
    this.fitTimeColumn();
  }
}
