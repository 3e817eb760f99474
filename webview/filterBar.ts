/**
 * The bar above the log: the filter (text or /regex/, directions, types or findings only, control frames, keep-alive), the counters
 * (totals, and rates per direction with a sparkline of the last minute's messages/s), and the
 * Pause, Clear and Export buttons. It applies the filter to the model and says when it did; what the
 * buttons do is the host's.
 */
import { button, h, icon, setText, toggle } from './dom';
import { formatBytes } from './format/bytes';
import type { Rates, RatePoint } from './counters';
import type { FilterSpec, RecordModel } from './model';
import { Sparkline } from './sparkline';
import { TypeFilter } from './typeFilter';

export interface FilterBarHost {
  model: RecordModel;
  /** The model's filter changed (also when the new one is invalid): redraw and save. */
  filterApplied(): void;
  /** Draws the log now (inside the animation frame that applied the filter). */
  flushLog(): void;
  focusLog(): void;
  setPaused(on: boolean): void;
  clear(): void;
  export(): void;
  serveAsMock(): void;
  /** Compare the two rows selected (Ctrl/Cmd+click) in VS Code's diff editor. */
  compare(): void;
}

/** What the counters show. */
export interface CounterFigures {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Messages and bytes per second, each direction. */
  rates: Rates;
  /** The last minute's messages/s, one point per measure (times on `now`'s clock). */
  history: readonly RatePoint[];
  now: number;
  dropped: number;
}

const DIRECTIONS = ['in', 'out', 'system'] as const;
const DIRECTION_LABEL = { in: 'Received', out: 'Sent', system: 'System' } as const;
const DIRECTION_ICON = { in: 'arrow-down', out: 'arrow-up', system: 'info' } as const;
/** Says which rows "Hide control frames" hides: the model's CONTROL_KINDS. */
const HIDE_CONTROL_TITLE = 'Hide control frames: WebSocket ping and pong, SSE retry: fields and comment lines (keep-alives)';
/** Says which rows "Hide keep-alive" hides: a protocol adapter's keep-alive messages. */
const HIDE_KEEP_ALIVE_TITLE =
  "Hide keep-alive: a protocol's own keep-alive messages (Engine.IO ping/pong, GraphQL ping/pong, MQTT PINGREQ/PINGRESP, STOMP heart-beats, SignalR pings)";

// One formatter: Number#toLocaleString builds a new one on every call.
const numberFormat = new Intl.NumberFormat();
const fmt = (n: number) => numberFormat.format(n);
/** A rate: whole numbers from 10 up, one decimal below. */
const rate = (n: number) => (n >= 10 ? fmt(Math.round(n)) : n.toFixed(1));

export class FilterBar {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLElement;
  private readonly box: HTMLElement;
  private readonly dirToggles: ReturnType<typeof toggle>[];
  private readonly typeFilter: TypeFilter;
  private readonly hideControlBtn: ReturnType<typeof toggle>;
  private readonly hideKeepAliveBtn: ReturnType<typeof toggle>;
  private readonly pauseBtn: ReturnType<typeof toggle>;
  private readonly compareBtn: HTMLButtonElement;
  private readonly counterIn = h('span', { class: 'counter counter-in', title: 'Received: messages and bytes' });
  private readonly counterOut = h('span', { class: 'counter counter-out', title: 'Sent: messages and bytes' });
  private readonly counterRateIn = h('span', {
    class: 'counter counter-rate-in',
    title: 'Received per second (over the last 5 s): messages and bytes',
  });
  private readonly counterRateOut = h('span', {
    class: 'counter counter-rate-out',
    title: 'Sent per second (over the last 5 s): messages and bytes',
  });
  private readonly rateSpark = new Sparkline('rate-spark', ['in', 'out']);
  private readonly counterSpark = h(
    'span',
    { class: 'counter counter-rate-spark', title: 'Messages per second over the last minute: received (solid), sent (dashed)' },
    this.rateSpark.el,
  );
  private readonly counterDropped = h('span', { class: 'counter warn', title: 'Records dropped by the store caps', hidden: true });
  private readonly counterShown = h('span', { class: 'counter muted', hidden: true });
  /** The model's type count when the type list was last built (-1: build it again). */
  private typeCount = -1;
  private inputFrame = 0;
  private readonly countersEl: HTMLElement;

  constructor(private readonly host: FilterBarHost) {
    this.input = h('input', {
      type: 'text',
      class: 'input filter-input',
      'aria-label': 'Filter records: text, or /regex/flags',
      placeholder: 'Filter (text or /regex/i)',
      spellcheck: 'false',
    });
    this.error = h('span', { class: 'filter-error', role: 'alert', hidden: true });
    this.box = h('div', { class: 'filter-box' }, icon('filter'), this.input, this.error);
    this.dirToggles = DIRECTIONS.map((dir) =>
      toggle({
        label: DIRECTION_LABEL[dir],
        icon: DIRECTION_ICON[dir],
        title: `Show ${DIRECTION_LABEL[dir].toLowerCase()} records`,
        pressed: true,
        onClick: () => undefined,
        onToggle: (on) => this.apply({ ...this.host.model.filter, dirs: { ...this.host.model.filter.dirs, [dir]: on } }),
      }),
    );
    const dirGroup = h('div', { class: 'button-group', role: 'group', 'aria-label': 'Directions shown' }, ...this.dirToggles);
    this.typeFilter = new TypeFilter(
      (hiddenTypes) => this.apply({ ...this.host.model.filter, hiddenTypes }),
      (findingsOnly) => this.apply({ ...this.host.model.filter, findingsOnly }),
    );
    this.hideControlBtn = toggle({
      label: 'Hide control frames',
      icon: 'eye-closed',
      title: HIDE_CONTROL_TITLE,
      pressed: false,
      onClick: () => undefined,
      onToggle: (on) => this.apply({ ...this.host.model.filter, hideControl: on }),
    });
    this.hideKeepAliveBtn = toggle({
      label: 'Hide keep-alive',
      icon: 'heart',
      title: HIDE_KEEP_ALIVE_TITLE,
      pressed: this.host.model.filter.hideKeepAlive,
      onClick: () => undefined,
      onToggle: (on) => this.apply({ ...this.host.model.filter, hideKeepAlive: on }),
    });
    const counters = (this.countersEl = h(
      'div',
      { class: 'counters', role: 'status', 'aria-label': 'Counters' },
      this.counterShown,
      this.counterIn,
      this.counterOut,
      this.counterRateIn,
      this.counterRateOut,
      this.counterSpark,
      this.counterDropped,
    ));
    this.pauseBtn = toggle({
      label: 'Pause view',
      icon: 'debug-pause',
      title: 'Pause view (keeps receiving, stops scrolling)',
      pressed: false,
      onClick: () => undefined,
      onToggle: (on) => this.host.setPaused(on),
    });
    const clearBtn = button({ label: 'Clear', icon: 'clear-all', title: 'Clear the log', onClick: () => this.host.clear() });
    const exportBtn = button({ label: 'Export', icon: 'export', title: 'Export the log as NDJSON', onClick: () => this.host.export() });
    const mockBtn = button({
      label: 'Serve as Mock',
      icon: 'server-process',
      title: 'Serve this log as a local mock server (replayed to every client that connects)',
      onClick: () => this.host.serveAsMock(),
    });
    this.compareBtn = button({
      label: 'Compare',
      icon: 'diff',
      text: true,
      title: 'Compare the two selected messages in the diff editor (Ctrl/Cmd+click, or Space, selects a second row)',
      onClick: () => this.host.compare(),
    });
    this.compareBtn.hidden = true;
    this.el = h(
      'div',
      { class: 'filter-bar', role: 'toolbar', 'aria-label': 'Log filters and actions' },
      this.box,
      dirGroup,
      this.typeFilter.el,
      this.hideControlBtn,
      this.hideKeepAliveBtn,
      counters,
      h('span', { class: 'spacer' }),
      this.compareBtn,
      this.pauseBtn,
      clearBtn,
      exportBtn,
      mockBtn,
    );
    // Keystrokes are coalesced per animation frame: one filter pass per frame however fast the typing,
    // and the rows it yields are drawn in that same frame.
    this.input.addEventListener('input', () => {
      if (!this.inputFrame) {
        this.inputFrame = requestAnimationFrame(() => {
          this.inputFrame = 0;
          this.apply({ ...this.host.model.filter, text: this.input.value });
          this.host.flushLog();
        });
      }
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Shows Compare while two messages are selected. */
  setComparable(on: boolean): void {
    this.compareBtn.hidden = !on;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      cancelAnimationFrame(this.inputFrame);
      this.inputFrame = 0;
      this.apply({ ...this.host.model.filter, text: this.input.value });
    } else if (e.key === 'Escape' && this.input.value) {
      this.input.value = '';
      this.apply({ ...this.host.model.filter, text: '' });
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      this.host.focusLog();
    }
  }

  /** Filters the model by `spec`; an invalid regex is shown next to the input. */
  apply(spec: FilterSpec): void {
    const error = this.host.model.setFilter(spec).error;
    this.error.hidden = !error;
    setText(this.error, error ? `Invalid regex: ${error}` : '');
    this.input.setAttribute('aria-invalid', String(!!error));
    this.box.classList.toggle('invalid', !!error);
    this.host.filterApplied();
  }

  /** Shows `spec` in the controls (a restored view), without applying it. */
  showSpec(spec: FilterSpec): void {
    this.input.value = spec.text;
    DIRECTIONS.forEach((d, i) => this.dirToggles[i].setPressed(spec.dirs[d]));
    this.hideControlBtn.setPressed(spec.hideControl);
    this.hideKeepAliveBtn.setPressed(spec.hideKeepAlive);
    this.updateTypeOptions(true, spec.hiddenTypes);
    this.typeFilter.setFindingsOnly(spec.findingsOnly);
  }

  /** Shows only the findings, or everything the rest of the filter lets through again. */
  toggleFindingsOnly(): void {
    const on = !this.host.model.filter.findingsOnly;
    this.typeFilter.setFindingsOnly(on);
    this.apply({ ...this.host.model.filter, findingsOnly: on });
  }

  /** The log resumed by itself (jump to the newest): the Pause button shows it. */
  showResumed(): void {
    this.pauseBtn.setPressed(false);
  }

  /** Rebuilds the type list when the model saw a new type (or always, with `force`); `hidden` stay unticked. */
  updateTypeOptions(force = false, hidden = this.host.model.filter.hiddenTypes): void {
    const model = this.host.model;
    if (!force && model.typeCount === this.typeCount) {
      return;
    }
    const types = model.types();
    this.typeCount = types.length;
    this.typeFilter.show(types, hidden);
  }

  /** Puts `el` after the counters (the timing figures). */
  addCounter(el: HTMLElement): void {
    this.countersEl.append(el);
  }

  /** Draws the counters (and the type list, if a new type came). */
  renderCounters(c: CounterFigures): void {
    const model = this.host.model;
    setText(this.counterIn, `↓ ${fmt(c.messagesIn)} in ${formatBytes(c.bytesIn)}`);
    setText(this.counterOut, `↑ ${fmt(c.messagesOut)} out ${formatBytes(c.bytesOut)}`);
    setText(this.counterRateIn, `↓ ${rate(c.rates.messagesIn)} msg/s ${formatBytes(Math.round(c.rates.bytesIn))}/s`);
    // Nothing sent yet (an SSE stream, a socket only listened to): no rate to show.
    this.counterRateOut.hidden = c.messagesOut === 0;
    setText(this.counterRateOut, `↑ ${rate(c.rates.messagesOut)} msg/s ${formatBytes(Math.round(c.rates.bytesOut))}/s`);
    this.counterSpark.hidden = c.history.length === 0;
    this.rateSpark.draw(
      [c.history.map((p) => ({ at: p.at, value: p.messagesIn })), c.history.map((p) => ({ at: p.at, value: p.messagesOut }))],
      c.now,
    );
    this.counterDropped.hidden = c.dropped === 0;
    setText(this.counterDropped, `${fmt(c.dropped)} dropped`);
    this.counterShown.hidden = !model.filtering;
    setText(this.counterShown, `${fmt(model.count)} of ${fmt(model.total)} shown`);
    this.updateTypeOptions();
  }
}
