// Over 400 lines: the one InspectorApp wires every component and carries out every host message; the components themselves are split out.
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
 * shown, the filter applied) for the browser tests and the benchmark.
 */
import type { AdapterView, ConnRecord, FromWebviewMessage, InitMessage, SseDetails, ToWebviewMessage, ViewSettings } from '../src/protocol';
import './styles.css';
import { unpackBatch } from '../src/core/batchFormat';
import { ChecksStrip } from './checks';
import { Counters } from './counters';
import { DetailPane } from './detail/pane';
import { TimingFigures } from './timing';
import { h } from './dom';
import { FilterBar } from './filterBar';
import { RequestBar, effectiveKind } from './header';
import { LogView } from './log';
import { McpView } from './mcp/view';
import { NO_FILTER, RecordModel, type FilterSpec } from './model';
import { Notices } from './notices';
import { HostRequests } from './requests';
import { OperationsList } from './operations';
import { RepeatStatus } from './repeatStatus';
import { SendBox } from './sendbox';
import { Splitter } from './splitter';
import { ViewState, type PersistedState, type StateStore } from './viewState';

/** The performance mark set in the frame after the panel's first log was drawn. */
const FIRST_LOG_MARK = 'realtime-inspector:first-log';

interface VsCodeApi extends StateStore {
  postMessage(msg: FromWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the log says while it has no records, by connection state. */
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

/** The panel: its components, wired to each other and to the host, and what it knows of the connection. */
class InspectorApp {
  private firstLogMarked = false;
  private readonly model = new RecordModel();
  private readonly requests: HostRequests;
  private readonly viewState: ViewState;
  private readonly log: LogView;
  private readonly detail: DetailPane;
  private readonly timing: TimingFigures;
  private readonly bar: RequestBar;
  private readonly sendBox: SendBox;
  private readonly operations: OperationsList;
  /** The panel shows a recording (no connect, no send). */
  private readOnly = false;
  private readonly filterBar: FilterBar;
  private readonly splitter: Splitter;
  private readonly counters: Counters;
  private readonly checks: ChecksStrip;
  /** An MCP session's tools, resources and prompts (shown for `kind: "mcp"` only). */
  private readonly mcp: McpView;
  private readonly notices = new Notices();
  private readonly repeat: RepeatStatus;
  /** Sent rows that came from a saved message: its name by seq. */
  private readonly origins = new Map<number, string>();
  private readonly root: HTMLElement;
  private connectionId = '';
  private settings: ViewSettings = { displayLimit: 256 * 1024, timestampFormat: 'time' };
  private sse: SseDetails | undefined;
  /** The newest `connecting` record, and the `open` that followed it, for the Connection tab. */
  private lastConnecting: ConnRecord | undefined;
  private lastOpen: ConnRecord | undefined;
  /** Where the log stood before the panel was restored, until the first init shows it again. */
  private restoredTop: number | undefined;

  constructor(private readonly vscode: VsCodeApi) {
    const post = (msg: FromWebviewMessage) => vscode.postMessage(msg);
    const saveState = () => this.viewState.saveSoon();
    this.requests = new HostRequests(post);
    this.log = new LogView({
      model: this.model,
      onSelect: (record) => {
        this.detail.showRecord(record);
        this.updateCompare();
        saveState();
      },
      onCopy: (record) =>
        post({ type: 'copy', text: record.kind === 'message' && record.format === 'text' ? record.data : JSON.stringify(record) }),
      onColumnsChanged: saveState,
      onScrolled: saveState,
      onMarked: () => this.updateCompare(),
    });
    this.detail = new DetailPane({
      copy: (text) => post({ type: 'copy', text }),
      getFull: (seq) => this.requests.request('getFull', { seq }).then((reply) => reply.record),
      setRaw: (on) => post({ type: 'setRaw', on }),
      timeMode: () => this.settings.timestampFormat,
      savedMessage: (seq) => this.origins.get(seq),
      saveAsMessage: (seq) => post({ type: 'saveMessage', seq }),
      reveal: (seq) => {
        // Selecting shows the record in the Message tab; the Response tab stays in front.
        if (this.log.reveal(seq) === 'ok') {
          this.detail.setTab('response');
        }
      },
    });
    this.viewState = new ViewState(vscode, post, () => this.persistedState());
    this.bar = new RequestBar({
      connect: (config) => post({ type: 'connect', config }),
      disconnect: () => post({ type: 'disconnect' }),
      reconnectNow: () => post({ type: 'reconnectNow' }),
      setAutoRetry: (on) => post({ type: 'setAutoRetry', on }),
      saveProfile: (config) => post({ type: 'saveProfile', config }),
      configEdited: () => {
        this.applyKind();
        saveState();
      },
    });
    this.sendBox = new SendBox({
      request: (type, body) => this.requests.request(type, body),
      saveState,
      saveMessage: (message) => post({ type: 'saveMessage', message }),
    });
    this.repeat = new RepeatStatus(() => post({ type: 'stopRepeat' }));
    this.bar.el.append(this.repeat.el);
    this.operations = new OperationsList({
      stop: (verb, id) =>
        this.requests
          .request('adapterSend', { verb, fields: { id } })
          .then((reply) => (reply.ok ? undefined : (reply.error ?? 'not sent'))),
    });
    this.filterBar = new FilterBar({
      model: this.model,
      filterApplied: () => {
        this.timing.setFindingsOnly(this.model.filter.findingsOnly);
        this.log.invalidate();
        this.counters.schedule(true);
        saveState();
      },
      flushLog: () => this.log.flush(),
      focusLog: () => this.log.el.focus(),
      setPaused: (on) => this.log.setPaused(on),
      clear: () => {
        post({ type: 'clear' });
        this.onCleared();
      },
      export: () => post({ type: 'export' }),
      serveAsMock: () => post({ type: 'serveAsMock' }),
      compare: () => {
        const pair = this.log.comparePair;
        if (pair) {
          post({ type: 'compare', seqs: pair });
        }
      },
    });
    this.timing = new TimingFigures(() => this.filterBar.toggleFindingsOnly());
    this.filterBar.addCounter(this.timing.el);
    this.log.el.addEventListener('resumed', () => this.filterBar.showResumed());
    this.checks = new ChecksStrip({
      runAgain: () => post({ type: 'runChecks' }),
      reveal: (seq, rule) => {
        const why = this.log.reveal(seq);
        if (why === 'evicted') {
          this.notices.show('warning', `The record that decided "${rule}" (#${seq}) is no longer in the log.`);
        } else if (why === 'filtered') {
          this.notices.show('warning', `The record that decided "${rule}" (#${seq}) is hidden by the filter or Pause.`);
        }
      },
      collapsedChanged: saveState,
    });
    this.mcp = new McpView({
      call: (method, name, args) => this.requests.request('mcpCall', { method, name, args }),
      initialize: () => post({ type: 'connect' }),
      answer: (id, answer) => post({ type: 'mcpAnswer', id, ...answer }),
    });
    this.splitter = new Splitter(this.detail.el, saveState);
    this.counters = new Counters(
      (figures) => this.filterBar.renderCounters(figures),
      () => this.model.viewDropped,
    );

    const logPane = h('div', { class: 'log-pane' }, this.checks.el, this.log.el, this.operations.el, this.sendBox.el);
    this.root = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
    this.root.classList.add('app');
    this.root.replaceChildren(
      this.bar.el,
      this.filterBar.el,
      h('div', { class: 'main' }, this.mcp.el, logPane, this.splitter.el, this.detail.el),
      this.notices.el,
    );
    this.splitter.setWidth(this.splitter.width);
    this.applyKind();
  }

  /** Takes up the state the page was restored with, then asks the host for its `init`. */
  start(): void {
    const restored = this.viewState.restored;
    if (restored) {
      this.connectionId = restored.connectionId ?? '';
      if (restored.config) {
        this.bar.restore(restored.config, restored.configEdited === true);
      }
      this.takeUp(restored);
    }
    this.applyKind();
    this.sendBox.setOpen(false);
    this.counters.schedule();
    this.vscode.postMessage({ type: 'ready' });
  }

  /** Read-only hooks for the browser tests and the benchmark. */
  hooks() {
    return {
      rowHeight: () => this.log.rowHeight,
      domRows: () => this.log.domRows,
      maxDomRows: () => this.log.maxDomRows,
      total: () => this.model.total,
      shown: () => this.model.count,
      filterText: () => this.model.filter.text,
      selectedSeq: () => this.log.selectedSeq,
      markedSeq: () => this.log.markedSeq,
    };
  }

  private persistedState(): PersistedState {
    const spec = this.model.filter;
    return {
      connectionId: this.connectionId,
      // A recording's tab keeps no request: after a window reload there is nothing to connect, so it is not brought back.
      config: this.readOnly ? { ...this.bar.getConfig(), url: '' } : this.bar.getConfig(),
      configEdited: this.bar.hasEdits,
      filter: spec.text,
      filterDirs: spec.dirs,
      filterHiddenTypes: spec.hiddenTypes,
      filterHideControl: spec.hideControl,
      filterHideKeepAlive: spec.hideKeepAlive,
      filterFindingsOnly: spec.findingsOnly,
      send: this.sendBox.persistedState(),
      detailWidth: this.splitter.width,
      columns: this.log.columnWidths,
      selected: this.log.selectedSeq,
      topSeq: this.log.topSeq,
      checksCollapsed: this.checks.collapsed,
    };
  }

  /** Shows the view as a saved state describes it; the selection and the rows in view are taken up by the next init. */
  private takeUp(state: PersistedState): void {
    this.sendBox.restoreState(state.send);
    this.log.columnWidths = state.columns ?? {};
    if (state.detailWidth !== undefined) {
      this.splitter.setWidth(state.detailWidth);
    }
    this.log.selectedSeq = state.selected;
    this.checks.collapsed = state.checksCollapsed === true;
    this.restoredTop = state.topSeq;
    const spec: FilterSpec = {
      text: state.filter ?? '',
      dirs: { ...NO_FILTER.dirs, ...(state.filterDirs ?? {}) },
      hiddenTypes: Array.isArray(state.filterHiddenTypes) ? state.filterHiddenTypes.filter((t) => typeof t === 'string') : [],
      hideControl: state.filterHideControl === true,
      hideKeepAlive: state.filterHideKeepAlive !== false,
      findingsOnly: state.filterFindingsOnly === true,
    };
    this.filterBar.showSpec(spec);
    this.filterBar.apply(spec);
  }

  private applyKind(): void {
    const kind = effectiveKind(this.bar.getConfig());
    this.sendBox.el.hidden = kind !== 'ws' || this.readOnly;
    this.detail.setSseMode(kind === 'sse');
    this.mcp.el.hidden = kind !== 'mcp';
    this.root.classList.toggle('kind-mcp', kind === 'mcp');
    this.root.classList.toggle('kind-ws', kind === 'ws');
    this.root.classList.toggle('kind-sse', kind === 'sse');
  }

  handle(msg: ToWebviewMessage): void {
    switch (msg.type) {
      case 'init':
        this.onInit(msg);
        break;
      case 'records': {
        const records = unpackBatch(msg.records);
        const change = this.model.append(records);
        this.detail.recordsAdded(records, false);
        this.timing.append(records);
        this.counters.update(msg.stats, msg.dropped);
        this.trackNewest(records);
        this.operations.add(records);
        this.mcp.add(records);
        this.log.appended(change.visibleAdded, change.visibleRemoved);
        this.counters.schedule();
        break;
      }
      case 'status':
        if (msg.sse) {
          this.sse = msg.sse;
        }
        this.setAdapter(msg.adapter);
        this.bar.setStatus(msg.status);
        this.sendBox.setOpen(msg.status.state === 'open');
        this.log.setEmptyText(emptyText(msg.status.state));
        this.detail.setConnection({ status: msg.status, sse: this.sse });
        break;
      case 'config':
        if (msg.savedMessages) {
          this.sendBox.setSavedMessages(msg.savedMessages);
        }
        this.bar.setConfig(msg.config);
        this.applyKind();
        this.detail.setConnection({ config: msg.config });
        this.viewState.saveSoon();
        break;
      case 'cleared':
        this.onCleared();
        break;
      case 'fullRecord':
      case 'sendResult':
      case 'mcpResult':
        this.requests.settle(msg);
        break;
      case 'raw':
        this.detail.appendRaw(msg.text, msg.reset);
        break;
      case 'notice':
        this.notices.show(msg.level, msg.message);
        break;
      case 'checks':
        this.checks.update(msg.checks);
        break;
      case 'origins':
        for (const [seq, name] of msg.entries) {
          this.origins.set(seq, name);
          this.detail.originKnown(seq);
        }
        this.log.setOrigins(this.origins);
        break;
      case 'repeat':
        this.repeat.show(msg.repeat);
        break;
      case 'mcpAsk':
        this.mcp.ask(msg);
        break;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  private onInit(msg: InitMessage): void {
    const { log, model, detail } = this;
    if (!this.firstLogMarked) {
      // When the panel first showed its log, in the frame's own clock (read by the end-to-end tests).
      this.firstLogMarked = true;
      requestAnimationFrame(() => performance.mark(FIRST_LOG_MARK));
    }
    const restored = this.viewState.restored;
    // A new panel of a connection shown before (closed, then opened again) starts as that one was.
    const reopened = !restored && !this.connectionId && msg.view?.connectionId === msg.connectionId;
    if (reopened) {
      this.takeUp(msg.view as PersistedState);
    }
    const sameConnection =
      reopened || msg.connectionId === this.connectionId || (!this.connectionId && restored?.connectionId === msg.connectionId);
    this.connectionId = msg.connectionId;
    this.origins.clear();
    for (const [seq, name] of msg.origins ?? []) {
      this.origins.set(seq, name);
    }
    log.setOrigins(this.origins);
    this.repeat.show(msg.repeat);
    if (msg.history) {
      this.sendBox.setHistory(msg.history);
    }
    this.sendBox.setSavedMessages(msg.savedMessages ?? []);
    this.settings = msg.settings;
    this.counters.update(msg.stats, msg.dropped, true);
    this.sse = msg.sse;
    const records = unpackBatch(msg.records);
    model.replace(records);
    detail.recordsAdded(records, true);
    this.timing.reset(records);
    this.operations.replace(records);
    this.mcp.reset(records);
    this.lastConnecting = this.lastOpen = undefined;
    this.trackConnectionRecords(records);
    this.bar.setConfig(msg.config);
    this.bar.setStatus(msg.status);
    this.readOnly = msg.recording !== undefined;
    this.bar.setRecording(msg.recording);
    this.applyKind();
    log.setTimeMode(this.settings.timestampFormat);
    const kept = sameConnection && log.selectedSeq !== undefined ? model.bySeq(log.selectedSeq) : undefined;
    log.select(kept?.seq);
    this.updateCompare();
    detail.showRecord(kept, false);
    log.follow = true;
    log.newRows = 0;
    if (this.restoredTop !== undefined && sameConnection) {
      // The panel came back (a reload, or the panel reopened): it shows what it showed.
      log.showFrom(this.restoredTop);
    }
    this.restoredTop = undefined;
    this.filterBar.updateTypeOptions(true);
    log.invalidate();
    detail.setConnection({ status: msg.status, sse: msg.sse, config: msg.config, connecting: this.lastConnecting, open: this.lastOpen });
    detail.resumeRaw();
    this.sendBox.setOpen(msg.status.state === 'open');
    this.setAdapter(msg.adapter);
    log.setEmptyText(emptyText(msg.status.state));
    this.counters.schedule(true);
    this.viewState.saveSoon();
  }

  /**
   * Compare shows while two messages are selected; the panel's context (merged into every row's: Add
   * Check from Message and Compare know the panel and the pair) says so.
   */
  private updateCompare(): void {
    const pair = this.log.comparePair;
    const both = pair?.every((seq) => this.model.bySeq(seq)?.kind === 'message') ? pair : undefined;
    this.filterBar.setComparable(both !== undefined);
    this.root.dataset.vscodeContext = JSON.stringify({
      connectionId: this.connectionId,
      ...(both ? { comparePair: true, pair: both } : {}),
    });
  }

  /** The connection's protocol adapter: the send box offers its verbs. */
  private setAdapter(adapter: AdapterView | undefined): void {
    this.sendBox.setAdapter(adapter);
    this.operations.setAdapter(adapter);
  }

  private onCleared(): void {
    this.model.clear();
    this.origins.clear();
    this.detail.recordsAdded([], true);
    this.timing.reset([]);
    this.operations.clear();
    this.log.select(undefined);
    this.log.newRows = 0;
    this.log.follow = true;
    this.detail.showRecord(undefined, false);
    this.log.invalidate();
    this.counters.schedule(true);
  }

  /** From an init's records: the newest `connecting` and `open`. */
  private trackConnectionRecords(records: readonly ConnRecord[]): void {
    for (let i = records.length - 1; i >= 0 && (!this.lastConnecting || !this.lastOpen); i--) {
      const r = records[i];
      if (r.kind === 'connecting' && !this.lastConnecting) {
        this.lastConnecting = r;
      } else if (r.kind === 'open' && !this.lastOpen) {
        this.lastOpen = r;
      }
    }
  }

  /** From a batch: a `connecting` starts a new exchange, an `open` answers it. */
  private trackNewest(records: readonly ConnRecord[]): void {
    let changed = false;
    for (const r of records) {
      if (r.kind === 'connecting') {
        this.lastConnecting = r;
        this.lastOpen = undefined;
        changed = true;
      } else if (r.kind === 'open') {
        this.lastOpen = r;
        changed = true;
      }
    }
    if (changed) {
      this.detail.setConnection({ connecting: this.lastConnecting, open: this.lastOpen });
    }
  }
}

const app = new InspectorApp(acquireVsCodeApi());
window.addEventListener('message', (event: MessageEvent) => {
  const msg = event.data as ToWebviewMessage | undefined;
  if (msg && typeof msg === 'object' && typeof msg.type === 'string') {
    try {
      app.handle(msg);
    } catch (e) {
      // One bad message must not take the panel down.
      console.error('realtime-inspector webview:', e);
    }
  }
});
(window as unknown as { __inspector: unknown }).__inspector = app.hooks();
app.start();
