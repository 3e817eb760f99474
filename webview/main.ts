/**
 * The inspector panel's webview.
 *
 * DOM contract with the extension host: the host's HTML is only
 *
 *   <head>
 *     <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource};
 *           font-src ${cspSource}; script-src 'nonce-…'">
 *     <link rel="stylesheet" href="dist/codicons/codicon.css">
 *     <link rel="stylesheet" href="dist/webview.css">
 *   </head>
 *   <body><div id="app"></div><script nonce="…" src="dist/webview.js"></script></body>
 *
 * (URLs through `asWebviewUri`). This script builds all of the DOM itself inside #app, needs nothing
 * else in the page and no 'unsafe-inline' for scripts or styles: styles come from webview.css and
 * the CSSOM only. On load it posts `ready`; the host answers with `init` (again after reloads, which
 * rebuild everything). Messages follow `src/protocol.ts`.
 *
 * `window.__inspector` exposes read-only counters (rows in the DOM, most ever, records held and
 * shown) for the browser tests and the benchmark.
 */
import type {
  ConnRecord,
  ConnectionStats,
  FromWebviewMessage,
  InitMessage,
  SseDetails,
  ToWebviewMessage,
  ViewSettings,
  WebviewPersistedState,
} from '../src/protocol';
import './styles.css';
import { unpackBatch } from './batch';
import { DetailPane } from './detail/pane';
import { button, h, icon, setOptions, setText, toggle } from './dom';
import { formatBytes } from './format/bytes';
import { escapeControl } from './format/text';
import { RequestBar, effectiveKind } from './header';
import { LogView, ROW_HEIGHT } from './log';
import { NO_FILTER, RecordModel, type FilterSpec } from './model';
import { SendBox, type SendBoxState } from './sendbox';

interface VsCodeApi {
  postMessage(msg: FromWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the webview persists: the protocol's fields plus view preferences the host ignores. */
interface PersistedState extends WebviewPersistedState {
  filterDirs?: FilterSpec['dirs'];
  filterType?: string;
  send?: SendBoxState;
  /** The selected record's seq. */
  selected?: number;
  /** The seq of the first row in view when the log does not follow the tail. */
  topSeq?: number;
  detailWidth?: number;
  columns?: LogView['columnWidths'];
}

const vscode = acquireVsCodeApi();
const post = (msg: FromWebviewMessage) => vscode.postMessage(msg);
let requestCounter = 0;
const nextRequestId = () => ++requestCounter;

// ---------- state ----------

const model = new RecordModel();
let connectionId = '';
let settings: ViewSettings = { displayLimit: 256 * 1024, timestampFormat: 'time' };
let stats: ConnectionStats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, records: 0 };
let hostDropped = 0;
let sse: SseDetails | undefined;
let lastConnecting: ConnRecord | undefined;
let lastOpen: ConnRecord | undefined;
let typeCount = -1;
const fullRequests = new Map<number, number>();
let filterError: string | undefined;

const restored = (vscode.getState() ?? undefined) as PersistedState | undefined;
/** Where the log stood before the panel was restored, until the first init shows it again. */
let restoredTop: number | undefined;

// ---------- components ----------

const log = new LogView({
  model,
  onSelect: (record) => {
    detail.showRecord(record);
    saveState();
  },
  onCopy: (record) => post({ type: 'copy', text: record.kind === 'message' && record.format === 'text' ? record.data : JSON.stringify(record) }),
  onColumnsChanged: () => saveState(),
  onScrolled: () => saveState(),
});

const detail = new DetailPane({
  copy: (text) => post({ type: 'copy', text }),
  getFull: (seq) => {
    const requestId = nextRequestId();
    fullRequests.set(requestId, seq);
    post({ type: 'getFull', requestId, seq });
  },
  setRaw: (on) => post({ type: 'setRaw', on }),
  timeMode: () => settings.timestampFormat,
});

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const spec = model.filter;
    const state: PersistedState = {
      connectionId,
      config: bar.getConfig(),
      filter: spec.text,
      filterDirs: spec.dirs,
      filterType: spec.type,
      send: sendBox.getState(),
      detailWidth: detailWidth,
      columns: log.columnWidths,
      selected: log.selectedSeq,
      topSeq: log.topSeq,
    };
    vscode.setState(state);
    if (connectionId) {
      // The host keeps it too: a panel closed and opened again starts from it.
      post({ type: 'viewState', state });
    }
  }, 200);
}

const bar = new RequestBar({
  connect: (config) => post({ type: 'connect', config }),
  disconnect: () => post({ type: 'disconnect' }),
  reconnectNow: () => post({ type: 'reconnectNow' }),
  setAutoRetry: (on) => post({ type: 'setAutoRetry', on }),
  saveProfile: (config) => post({ type: 'saveProfile', config }),
  configEdited: () => {
    applyKind();
    saveState();
  },
});

const sendBox = new SendBox({ post, nextRequestId, saveState });

// ---------- filter bar ----------

const filterInput = h('input', {
  type: 'text',
  class: 'input filter-input',
  'aria-label': 'Filter records: text, or /regex/flags',
  placeholder: 'Filter (text or /regex/i)',
  spellcheck: 'false',
});
const filterErrorEl = h('span', { class: 'filter-error', role: 'alert', hidden: true });
const filterBox = h('div', { class: 'filter-box' }, icon('filter'), filterInput, filterErrorEl);
const dirToggles = (['in', 'out', 'system'] as const).map((dir) =>
  toggle({
    label: dir === 'in' ? 'Received' : dir === 'out' ? 'Sent' : 'System',
    icon: dir === 'in' ? 'arrow-down' : dir === 'out' ? 'arrow-up' : 'info',
    title: `Show ${dir === 'in' ? 'received' : dir === 'out' ? 'sent' : 'system'} records`,
    pressed: true,
    onClick: () => undefined,
    onToggle: (on) => {
      applyFilter({ ...model.filter, dirs: { ...model.filter.dirs, [dir]: on } });
    },
  }),
);
const dirGroup = h('div', { class: 'button-group', role: 'group', 'aria-label': 'Directions shown' }, ...dirToggles);
const typeSelect = h('select', { class: 'select type-select', 'aria-label': 'Event type shown', title: 'Event type shown' });
typeSelect.addEventListener('change', () => applyFilter({ ...model.filter, type: typeSelect.value }));

const counterIn = h('span', { class: 'counter', title: 'Messages received' });
const counterOut = h('span', { class: 'counter', title: 'Messages sent' });
const counterBytes = h('span', { class: 'counter', title: 'Bytes received / sent' });
const counterRate = h('span', { class: 'counter', title: 'Messages per second' });
const counterDropped = h('span', { class: 'counter warn', title: 'Records dropped by the store caps', hidden: true });
const counterShown = h('span', { class: 'counter muted', hidden: true });
const counters = h('div', { class: 'counters', role: 'status', 'aria-label': 'Counters' }, counterShown, counterIn, counterOut, counterBytes, counterRate, counterDropped);

const pauseBtn = toggle({
  label: 'Pause view',
  icon: 'debug-pause',
  title: 'Pause view (keeps receiving, stops scrolling)',
  pressed: false,
  onClick: () => undefined,
  onToggle: (on) => log.setPaused(on),
});
log.el.addEventListener('resumed', () => pauseBtn.setPressed(false));
const clearBtn = button({
  label: 'Clear',
  icon: 'clear-all',
  title: 'Clear the log',
  onClick: () => {
    post({ type: 'clear' });
    onCleared();
  },
});
const exportBtn = button({ label: 'Export', icon: 'export', title: 'Export the log as NDJSON', onClick: () => post({ type: 'export' }) });

const filterBar = h(
  'div',
  { class: 'filter-bar', role: 'toolbar', 'aria-label': 'Log filters and actions' },
  filterBox,
  dirGroup,
  typeSelect,
  counters,
  h('span', { class: 'spacer' }),
  pauseBtn,
  clearBtn,
  exportBtn,
);

// Keystrokes are coalesced per animation frame: one filter pass per frame however fast the typing,
// and the rows it yields are drawn in that same frame.
let filterFrame = 0;
filterInput.addEventListener('input', () => {
  if (!filterFrame) {
    filterFrame = requestAnimationFrame(() => {
      filterFrame = 0;
      applyFilter({ ...model.filter, text: filterInput.value });
      log.flush();
    });
  }
});
filterInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    cancelAnimationFrame(filterFrame);
    filterFrame = 0;
    applyFilter({ ...model.filter, text: filterInput.value });
  } else if (e.key === 'Escape' && filterInput.value) {
    filterInput.value = '';
    applyFilter({ ...model.filter, text: '' });
  } else if (e.key === 'ArrowDown') {
    e.preventDefault();
    log.el.focus();
  }
});

function applyFilter(spec: FilterSpec): void {
  const r = model.setFilter(spec);
  filterError = r.error;
  filterErrorEl.hidden = !filterError;
  setText(filterErrorEl, filterError ? `Invalid regex: ${filterError}` : '');
  filterInput.setAttribute('aria-invalid', String(!!filterError));
  filterBox.classList.toggle('invalid', !!filterError);
  log.invalidate();
  scheduleChrome(true);
  saveState();
}

function setFilterControls(spec: FilterSpec): void {
  filterInput.value = spec.text;
  (['in', 'out', 'system'] as const).forEach((d, i) => dirToggles[i].setPressed(spec.dirs[d]));
  updateTypeOptions(true, spec.type);
}

function updateTypeOptions(force = false, value = model.filter.type): void {
  if (!force && model.typeCount === typeCount) {
    return;
  }
  const types = model.types();
  typeCount = types.length;
  if (value && !types.includes(value)) {
    types.push(value);
  }
  setOptions(typeSelect, [['', 'All types'], ...types.sort().map((t): [string, string] => [t, escapeControl(t)])], value);
}

// ---------- layout ----------

const splitter = h('div', {
  class: 'splitter',
  role: 'separator',
  tabindex: 0,
  'aria-orientation': 'vertical',
  'aria-label': 'Resize the detail pane',
  'aria-valuemin': 200,
  'aria-valuemax': 1200,
});
let detailWidth = 420;
function setDetailWidth(px: number): void {
  const max = Math.max(240, (document.body.clientWidth || 1000) - 320);
  detailWidth = Math.round(Math.min(max, Math.max(220, px)));
  detail.el.style.width = `${detailWidth}px`;
  splitter.setAttribute('aria-valuenow', String(detailWidth));
}
splitter.addEventListener('pointerdown', (e) => {
  splitter.setPointerCapture(e.pointerId);
  const startX = e.clientX;
  const startW = detailWidth;
  const move = (ev: PointerEvent) => setDetailWidth(startW - (ev.clientX - startX));
  const up = () => {
    splitter.removeEventListener('pointermove', move);
    splitter.removeEventListener('pointerup', up);
    saveState();
  };
  splitter.addEventListener('pointermove', move);
  splitter.addEventListener('pointerup', up);
});
splitter.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    e.preventDefault();
    setDetailWidth(detailWidth + (e.key === 'ArrowLeft' ? 24 : -24));
    saveState();
  }
});

const notices = h('div', { class: 'notices', 'aria-live': 'polite' });
const logPane = h('div', { class: 'log-pane' }, log.el, sendBox.el);
const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
app.classList.add('app');
app.replaceChildren(bar.el, filterBar, h('div', { class: 'main' }, logPane, splitter, detail.el), notices);
setDetailWidth(detailWidth);

function applyKind(): void {
  const kind = effectiveKind(bar.getConfig());
  sendBox.el.hidden = kind !== 'ws';
  detail.setSseMode(kind === 'sse');
  app.classList.toggle('kind-ws', kind === 'ws');
  app.classList.toggle('kind-sse', kind === 'sse');
}

// ---------- chrome (counters) at most once per frame ----------

// Counters change with every batch; redrawing them more than a few times a second only costs
// layout, so they are throttled (a user action still updates them on the next frame).
let chromeFrame = 0;
let chromeTimer: ReturnType<typeof setTimeout> | undefined;
let lastChrome = 0;
const CHROME_INTERVAL_MS = 200;
function scheduleChrome(urgent = false): void {
  if (chromeFrame || (chromeTimer && !urgent)) {
    return;
  }
  const wait = urgent ? 0 : CHROME_INTERVAL_MS - (performance.now() - lastChrome);
  if (wait <= 0) {
    clearTimeout(chromeTimer);
    chromeTimer = undefined;
    chromeFrame = requestAnimationFrame(renderChrome);
  } else {
    chromeTimer = setTimeout(() => {
      chromeTimer = undefined;
      chromeFrame = requestAnimationFrame(renderChrome);
    }, wait);
  }
}

let rate = 0;
let rateBase = { at: performance.now(), total: 0 };
setInterval(() => {
  const now = performance.now();
  const total = stats.messagesIn + stats.messagesOut;
  rate = Math.max(0, ((total - rateBase.total) * 1000) / Math.max(1, now - rateBase.at));
  rateBase = { at: now, total };
  scheduleChrome();
}, 1000);

// One formatter: Number#toLocaleString builds a new one on every call.
const numberFormat = new Intl.NumberFormat();
const fmt = (n: number) => numberFormat.format(n);

function renderChrome(): void {
  chromeFrame = 0;
  lastChrome = performance.now();
  setText(counterIn, `↓ ${fmt(stats.messagesIn)} in`);
  setText(counterOut, `↑ ${fmt(stats.messagesOut)} out`);
  setText(counterBytes, `${formatBytes(stats.bytesIn)} ↓ ${formatBytes(stats.bytesOut)} ↑`);
  setText(counterRate, `${rate >= 10 ? fmt(Math.round(rate)) : rate.toFixed(1)} msg/s`);
  const dropped = hostDropped + model.viewDropped;
  counterDropped.hidden = dropped === 0;
  setText(counterDropped, `${fmt(dropped)} dropped`);
  counterShown.hidden = !model.filtering;
  setText(counterShown, `${fmt(model.count)} of ${fmt(model.total)} shown`);
  updateTypeOptions();
}

// ---------- messages from the host ----------

function trackConnectionRecords(records: readonly ConnRecord[]): void {
  for (let i = records.length - 1; i >= 0 && (!lastConnecting || !lastOpen); i--) {
    const r = records[i];
    if (r.kind === 'connecting' && !lastConnecting) {
      lastConnecting = r;
    } else if (r.kind === 'open' && !lastOpen) {
      lastOpen = r;
    }
  }
}

function onInit(msg: InitMessage): void {
  // A new panel of a connection shown before (closed, then opened again) starts as that one was.
  const reopened = !restored && !connectionId && msg.view?.connectionId === msg.connectionId;
  if (reopened) {
    takeUp(msg.view as PersistedState);
  }
  const sameConnection = reopened || msg.connectionId === connectionId || (!connectionId && restored?.connectionId === msg.connectionId);
  connectionId = msg.connectionId;
  settings = msg.settings;
  stats = msg.stats;
  rateBase = { at: performance.now(), total: stats.messagesIn + stats.messagesOut };
  hostDropped = msg.dropped;
  sse = msg.sse;
  const records = unpackBatch(msg.records);
  model.replace(records);
  lastConnecting = lastOpen = undefined;
  trackConnectionRecords(records);
  bar.setConfig(msg.config);
  bar.setStatus(msg.status);
  applyKind();
  log.setTimeMode(settings.timestampFormat);
  const kept = sameConnection && log.selectedSeq !== undefined ? model.bySeq(log.selectedSeq) : undefined;
  log.select(kept?.seq);
  detail.showRecord(kept, false);
  log.follow = true;
  log.newRows = 0;
  if (restoredTop !== undefined && sameConnection) {
    // The panel came back (a reload, or the panel reopened): it shows what it showed.
    log.showFrom(restoredTop);
  }
  restoredTop = undefined;
  typeCount = -1;
  updateTypeOptions(true);
  log.invalidate();
  detail.setConnection({ status: msg.status, sse: msg.sse, config: msg.config, connecting: lastConnecting, open: lastOpen });
  detail.resumeRaw();
  sendBox.setOpen(msg.status.state === 'open');
  log.setEmptyText(emptyText(msg.status.state));
  scheduleChrome(true);
  saveState();
}

function emptyText(state: string): string {
  switch (state) {
    case 'open':
      return 'Connected. Waiting for messages…';
    case 'connecting':
    case 'reconnecting':
      return 'Connecting…';
    default:
      return 'No records yet. Connect to start.';
  }
}

function onCleared(): void {
  model.clear();
  log.select(undefined);
  log.newRows = 0;
  log.follow = true;
  detail.showRecord(undefined, false);
  log.invalidate();
  scheduleChrome(true);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function showNotice(level: 'info' | 'warning' | 'error', message: string): void {
  const close = button({ label: 'Dismiss', icon: 'close', onClick: () => notices.replaceChildren() });
  notices.replaceChildren(
    h('div', { class: `notice ${level}`, role: level === 'error' ? 'alert' : 'status' }, icon(level === 'info' ? 'info' : level), h('span', null, escapeControl(message)), close),
  );
  clearTimeout(noticeTimer);
  if (level !== 'error') {
    noticeTimer = setTimeout(() => notices.replaceChildren(), 6000);
  }
}

function handle(msg: ToWebviewMessage): void {
  switch (msg.type) {
    case 'init':
      onInit(msg);
      break;
    case 'records': {
      const records = unpackBatch(msg.records);
      const change = model.append(records);
      stats = msg.stats;
      hostDropped = msg.dropped;
      trackNewest(records);
      log.appended(change.visibleAdded, change.visibleRemoved);
      scheduleChrome();
      break;
    }
    case 'status':
          if (msg.sse) {
        sse = msg.sse;
      }
      bar.setStatus(msg.status);
      sendBox.setOpen(msg.status.state === 'open');
      log.setEmptyText(emptyText(msg.status.state));
      detail.setConnection({ status: msg.status, sse });
      break;
    case 'config':
      bar.setConfig(msg.config);
      applyKind();
      detail.setConnection({ config: msg.config });
      saveState();
      break;
    case 'cleared':
      onCleared();
      break;
    case 'fullRecord': {
      const seq = fullRequests.get(msg.requestId);
      fullRequests.delete(msg.requestId);
      if (seq !== undefined) {
        detail.setFull(msg.record, seq);
      }
      break;
    }
    case 'raw':
      detail.appendRaw(msg.text, msg.reset);
      break;
    case 'sendResult':
      sendBox.onResult(msg.requestId, msg.ok, msg.error);
      break;
    case 'notice':
      showNotice(msg.level, msg.message);
      break;
    default: {
      const never: never = msg;
      void never;
    }
  }
}

function trackNewest(records: readonly ConnRecord[]): void {
  let changed = false;
  for (const r of records) {
    if (r.kind === 'connecting') {
      lastConnecting = r;
      lastOpen = undefined;
      changed = true;
    } else if (r.kind === 'open') {
      lastOpen = r;
      changed = true;
    }
  }
  if (changed) {
    detail.setConnection({ connecting: lastConnecting, open: lastOpen });
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = event.data as ToWebviewMessage | undefined;
  if (msg && typeof msg === 'object' && typeof msg.type === 'string') {
    try {
      handle(msg);
    } catch (e) {
      // One bad message must not take the panel down.
      console.error('realtime-inspector webview:', e);
    }
  }
});

// ---------- restore and start ----------

/** Shows the view as a saved state describes it; the selection and the rows in view are taken up by the next init. */
function takeUp(state: PersistedState): void {
  sendBox.setState(state.send);
  log.columnWidths = state.columns ?? {};
  if (state.detailWidth !== undefined) {
    setDetailWidth(state.detailWidth);
  }
  log.selectedSeq = state.selected;
  restoredTop = state.topSeq;
  const spec: FilterSpec = {
    text: state.filter ?? '',
    dirs: { ...NO_FILTER.dirs, ...(state.filterDirs ?? {}) },
    type: state.filterType ?? '',
  };
  setFilterControls(spec);
  applyFilter(spec);
}

if (restored) {
  connectionId = restored.connectionId ?? '';
  if (restored.config) {
    bar.setConfig(restored.config);
  }
  takeUp(restored);
}
applyKind();
sendBox.setOpen(false);
scheduleChrome();

/** Read-only hooks for the browser tests and the benchmark. */
(window as unknown as { __inspector: unknown }).__inspector = {
  rowHeight: ROW_HEIGHT,
  domRows: () => log.domRows,
  maxDomRows: () => log.maxDomRows,
  total: () => model.total,
  shown: () => model.count,
};

post({ type: 'ready' });
