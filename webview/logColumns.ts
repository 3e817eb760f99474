/**
 * The log's column header and its layout: Time fitted to the widest text of the current time format;
 * Type, ID and Size fitted to the widest text the log has shown, up to a cap; Data takes the rest. A
 * narrow log shrinks ID and Type, then drops Size, ID and Type, before Data falls under its share. A
 * column the user dragged (double-click resets it) keeps its width. The layout is one grid template,
 * a custom property on the log element that the header and every row share. The font's line box, measured
 * here too, sets the rows' height.
 */
import { h } from './dom';
import type { TimeMode } from './logRow';

const RESIZABLE = ['time', 'type', 'id', 'size'] as const;
export type ResizableColumn = (typeof RESIZABLE)[number];
export type ColumnWidths = Partial<Record<ResizableColumn, number>>;
/** The columns fitted to the log's content, and the longest text (in characters) each has shown. */
export type FittedColumn = 'type' | 'id' | 'size';
export type WidestText = Record<FittedColumn, number>;

const MIN_COLUMN_PX = 24;
const MAX_COLUMN_PX = 600;
/** The direction icon's column. */
const DIR_PX = 22;
/** The grid's column gap and the row's horizontal padding (see styles.css). */
const GAP_PX = 8;
const ROW_PADDING_PX = 16;
/** A fitted column's width, in characters: at most the cap, at least the header's label. */
const FIT_CAP_CH: WidestText = { type: 24, id: 24, size: 10 };
const LABEL_CH: WidestText = { type: 4, id: 2, size: 4 };
/** How far a narrow log shrinks ID and Type before it drops columns. */
const SHRUNK_CH = 8;
/** Data keeps this share of the row (and at least DATA_MIN_CH) before other columns shrink or drop. */
const DATA_SHARE = 0.4;
const DATA_MIN_CH = 16;
/** Rows are at least this tall, and give the font's line box this much room: descenders (`_`) stay inside. */
const MIN_ROW_PX = 22;
const ROW_LEADING_PX = 6;

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
  /** The log element, whose custom properties set the layout (see `attach`). */
  private log!: HTMLElement;
  private logWidth = 0;
  private timeFitPx = 0;
  private charPx = 0;
  private widest: WidestText = { type: 0, id: 0, size: 0 };
  /** The rows' height, from the font's line box. */
  rowHeight = MIN_ROW_PX;

  /**
   * `changed` runs when the user resized a column or reset one; `rowHeightChanged` when the font's
   * metrics give the rows another height.
   */
  constructor(
    private readonly changed: () => void,
    private readonly rowHeightChanged: (px: number) => void,
  ) {
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
   * in the log's own font, and its size changes with that font (loading, editor font and size), which
   * refits the columns and the rows' height. The log's width lays the columns out again.
   */
  attach(log: HTMLElement): void {
    this.log = log;
    log.appendChild(this.timeProbe);
    this.measureFont();
    new ResizeObserver(() => this.measureFont()).observe(this.timeProbe);
    new ResizeObserver((entries) => {
      for (const e of entries) {
        this.logWidth = e.contentRect.width;
      }
      this.layout();
    }).observe(log);
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
      this.layout();
      this.changed();
    });
    return h('span', { class: `c-${col}`, role: 'columnheader' }, label, grip);
  }

  private setColumnWidth(col: ResizableColumn, px: number): void {
    this.widths[col] = Math.round(Math.min(MAX_COLUMN_PX, Math.max(MIN_COLUMN_PX, px)));
    this.layout();
  }

  /**
   * Measures the log's font: the time column's width from the widest text the current format produces
   * (every digit an 8, the widest in proportional fallbacks), a character's width, and the line box,
   * which sets the rows' height.
   */
  private measureFont(): void {
    const probe = TIME_PROBE[this.timeMode];
    if (this.timeProbe.textContent !== probe) {
      this.timeProbe.textContent = probe;
    }
    const box = this.timeProbe.getBoundingClientRect();
    if (box.width <= 0) {
      return;
    }
    this.timeFitPx = Math.ceil(box.width) + 2;
    this.charPx = box.width / probe.length;
    const rowHeight = Math.max(MIN_ROW_PX, Math.ceil(box.height) + ROW_LEADING_PX);
    if (rowHeight !== this.rowHeight) {
      this.rowHeight = rowHeight;
      this.rowHeightChanged(rowHeight);
    }
    this.layout();
  }

  /** The log showed text this long in a fitted column: widens it (up to its cap) when it is the longest yet. */
  fit(widest: WidestText): void {
    if (widest.type !== this.widest.type || widest.id !== this.widest.id || widest.size !== this.widest.size) {
      this.widest = { ...widest };
      this.layout();
    }
  }

  /** Writes the grid template: each column's width, the columns a narrow log drops left out. */
  private layout(): void {
    if (!this.log || this.charPx <= 0) {
      return;
    }
    const ch = this.charPx;
    const fitted = (col: FittedColumn) =>
      this.widths[col] ?? (this.widest[col] ? Math.ceil(Math.max(LABEL_CH[col], Math.min(FIT_CAP_CH[col], this.widest[col])) * ch) + 2 : 0);
    const width = { time: this.widths.time ?? this.timeFitPx, type: fitted('type'), id: fitted('id'), size: fitted('size') };
    const inner = this.logWidth - ROW_PADDING_PX;
    const budget = inner - Math.max(DATA_MIN_CH * ch, inner * DATA_SHARE);
    const used = () =>
      width.time +
      DIR_PX +
      (['type', 'id', 'size'] as const).reduce((sum, col) => sum + (width[col] ? width[col] + GAP_PX : 0), 0) +
      2 * GAP_PX;
    // A narrow log: shrink ID, then Type; then drop Size, ID, Type, until Data has its share.
    for (const col of ['id', 'type'] as const) {
      if (used() > budget && width[col] > SHRUNK_CH * ch) {
        width[col] = Math.max(SHRUNK_CH * ch, width[col] - (used() - budget));
      }
    }
    for (const col of ['size', 'id', 'type'] as const) {
      if (used() > budget) {
        width[col] = 0;
      }
    }
    const px = (n: number) => `${Math.round(n)}px`;
    const template = [
      px(width.time),
      px(DIR_PX),
      ...(['type', 'id', 'size'] as const).filter((c) => width[c]).map((c) => px(width[c])),
      'minmax(0, 1fr)',
    ];
    this.log.style.setProperty('--log-columns', template.join(' '));
    for (const col of ['type', 'id', 'size'] as const) {
      this.log.classList.toggle(`drop-${col}`, !width[col]);
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
    this.measureFont();
  }
}
