// Over 400 lines: the host side of one panel answers every message of the protocol in one switch; packing (batch.ts) and record shaping (forWebview.ts) are split out.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { Batcher } from '../core/batcher';
import { Disposable, Emitter, MutableDisposable, disposableTimeout } from '../core/lifecycle';
import type { Log } from '../log';
import type {
  ChecksView,
  EditableConfig,
  FromWebviewMessage,
  McpAskMessage,
  HostReply,
  ReplyBody,
  SavedMessageView,
  ToWebviewMessage,
  WebviewRequest,
} from '../protocol';
import { messageText } from '../core/workbench/savedMessages';
import type { McpAsk } from '../session/mcpRun';
import type { ConnectResult, Session } from '../session/session';
import { viewSettings } from '../settings';
import { packStored } from './batch';
import { forWebview } from './forWebview';
import { panelHtml, webviewOptions } from './html';
import { repeatProblem } from '../core/workbench/periodic';
import { writtenOf } from '../session/sentMessages';
import type { SendHistory } from '../workbench/sendHistory';

export const VIEW_TYPE = 'realtimeInspector.panel';

/**
 * Least time between two record posts: at most 60 posts a second per panel whatever the network rate
 * (a post costs the webview a message event and a render). The batcher's clock has whole
 * milliseconds, so an interval can come out up to 1 ms short: 18 keeps the worst case at 59 a second.
 */
const BATCH_INTERVAL_MS = 18;
/**
 * Under a flood (records arriving faster than FLOOD_RECORDS_PER_S) posts go at most every
 * FLOOD_BATCH_INTERVAL_MS, each carrying more records: every post is a message through the workbench
 * (which shares its renderer with the webview) and a render in the webview, and nobody reads rows at
 * that speed. Below that rate, posts go every BATCH_INTERVAL_MS again.
 */
const FLOOD_RECORDS_PER_S = 2000;
const FLOOD_BATCH_INTERVAL_MS = 100;
/** Records per message when the host replays its store: keeps each post a bounded size. */
const INIT_CHUNK = 5000;
/** Characters the raw view may accumulate before the host replaces it with the kept tail. */
const RAW_VIEW_LIMIT = 256 * 1024;
/** The raw feed is text for people to read: a few updates a second are plenty. */
const RAW_INTERVAL_MS = 100;

/** What the panel asks of the rest of the extension (the same flows as the palette commands). */
export interface PanelActions {
  /** Asks where to save and writes the log as NDJSON; resolves with the file written. */
  exportLog(session: Session): Promise<vscode.Uri | undefined>;
  /** Saves the configuration as a profile; resolves with its name. */
  saveProfile(session: Session, config: EditableConfig): Promise<string | undefined>;
  /** Connects and reports a failure to the user (offering to set a missing secret). */
  connect(session: Session): Promise<ConnectResult>;
  /** Runs the profile's checks afresh (its `expect` as saved now) on a fresh connection, reporting a failure to connect. */
  runChecks(session: Session): Promise<ConnectResult>;
  /** The send box's history per profile, across sessions. */
  readonly sendHistory: SendHistory;
}

/** One post of records as the host paced it. */
export interface RecordsPost {
  /** The host's clock (Date.now()) when the batch was cut, before it was packed. */
  readonly at: number;
  /** Records in the post. */
  readonly count: number;
  /** Whether the host took the rate for a flood, so the next post waits FLOOD_BATCH_INTERVAL_MS. */
  readonly flood: boolean;
}

/** Least time between two posts of the Checks strip's states: a rule's state can change with every record. */
const CHECKS_INTERVAL_MS = 50;
/** Least time between two posts of a running repeat's count (a start or a stop goes at once). */
const REPEAT_INTERVAL_MS = 100;

/**
 * The host side of one inspector panel: feeds it the session's records (batched, at most one post per
 * 18 ms whatever the network rate, every 100 ms under a flood), rebuilds it from the store whenever its webview (re)loads, and
 * carries out what it asks. Closing the panel disposes this object; the session lives on.
 */
export class InspectorPanel extends Disposable {
  private ready = false;
  /**
   * Paces the posts. It only counts: the records themselves are read back from the store when
   * the batch goes, so none is held as an object in between (under a flood, thousands of records kept
   * alive for a batch interval cost the garbage collector more than all the rest of the pipeline).
   */
  private readonly batcher = this._register(new Batcher(BATCH_INTERVAL_MS));
  /** The store's `added` mark when the webview was last sent records: the next batch is what came after. */
  private postedMark = 0;
  /** When the last batch of records went (Date.now()), to tell a flood from a stream. */
  private lastBatchAt = 0;
  /** Posts made, for tests and diagnostics. */
  posts = 0;
  private readonly _onDidPostRecords = this._register(new Emitter<RecordsPost>());
  /** Fires at each post of records, with the host's own clock and pacing (for tests and diagnostics). */
  readonly onDidPostRecords = this._onDidPostRecords.event;
  private displayLimit = viewSettings().displayLimit;
  private rawOn = false;
  private rawPending = '';
  private rawSent = 0;
  /** The next raw post, while text waits for it. */
  private readonly rawTimer = this._register(new MutableDisposable());
  /** The next post of the checks' states, while a change waits for it. */
  private readonly checksTimer = this._register(new MutableDisposable());
  /** The next post of the repeat's count, while a send waits for it. */
  private readonly repeatTimer = this._register(new MutableDisposable());

  private readonly _onDidDispose = this._register(new Emitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly session: Session,
    extensionUri: vscode.Uri,
    private readonly actions: PanelActions,
    private readonly log: Log,
  ) {
    super();
    panel.webview.options = webviewOptions(extensionUri);
    panel.title = session.label;
    panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'activity-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'activity.svg'),
    };
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(
      panel.onDidChangeViewState(() => {
        // A hidden webview without retained context is torn down; it says `ready` again when shown.
        if (!panel.visible) {
          this.ready = false;
          this.batcher.discard();
          this.stopRaw();
        }
      }),
    );
    this._register(panel.webview.onDidReceiveMessage((m: FromWebviewMessage) => void this.handle(m)));
    this._register(this.batcher.onFlush(() => this.postRecords()));
    this._register(
      session.onDidRecord(() => {
        if (this.ready) {
          this.batcher.push();
        }
      }),
    );
    this._register(
      session.onDidChangeStatus((status) => {
        // Records that led to this state go first, so the log and the badge agree.
        this.batcher.flush();
        this.postIfReady({ type: 'status', status, sse: session.sseDetails(), adapter: session.adapterView() });
      }),
    );
    this._register(
      session.onDidChangeConfig((config) => {
        panel.title = session.label;
        this.postIfReady({ type: 'config', config, savedMessages: savedMessageViews(session) });
      }),
    );
    this._register(
      session.onDidRaw((text) => {
        if (this.rawOn && this.ready) {
          this.rawPending += text;
          if (!this.rawTimer.value) {
            this.rawTimer.value = disposableTimeout(() => this.flushRaw(), RAW_INTERVAL_MS);
          }
        }
      }),
    );
    this._register({ dispose: () => this.stopRaw() });
    this._register(
      session.checks.onDidChange(() => {
        if (this.ready && !this.checksTimer.value) {
          // Never more often than the records go (under a flood, every 100 ms): the post flushes them first.
          this.checksTimer.value = disposableTimeout(() => this.postChecks(), Math.max(CHECKS_INTERVAL_MS, this.batcher.intervalMs));
        }
      }),
    );
    this._register(session.sent.onDidTag((entry) => this.postIfReady({ type: 'origins', entries: [entry] })));
    this._register(session.onDidMcpAsk((ask) => this.postIfReady(this.askMessage(ask))));
    this._register(session.onDidMcpSettle((id) => this.postIfReady({ type: 'mcpAsk', id, method: '', settled: true })));
    this._register(
      session.onDidChangeRepeat((view) => {
        if (!view?.running || view.sent <= 1) {
          this.postRepeat();
        } else if (!this.repeatTimer.value) {
          this.repeatTimer.value = disposableTimeout(() => this.postRepeat(), REPEAT_INTERVAL_MS);
        }
      }),
    );
    this._register(
      session.onDidClear(() => {
        this.batcher.discard();
        this.postIfReady({ type: 'cleared' });
      }),
    );
    panel.webview.html = panelHtml(panel.webview, extensionUri);
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Rebuilds a loaded webview (display settings changed); one that is not loaded gets it on `ready`. */
  refresh(): void {
    if (this.ready) {
      this.sendInit();
    }
  }

  /** Sends the whole state again, as after `ready`. */
  sendInit(): void {
    const s = this.session;
    const settings = viewSettings();
    this.displayLimit = settings.displayLimit;
    this.batcher.discard();
    // A (re)loaded webview asks for the raw feed again if it shows it.
    this.stopRaw();
    const store = s.store;
    const size = store.size;
    this.postedMark = store.added;
    this.post({
      type: 'init',
      connectionId: s.id,
      config: s.editableConfig,
      status: s.status,
      stats: { ...s.stats },
      settings,
      records: packStored(store, 0, INIT_CHUNK, s.redactor, settings.displayLimit),
      dropped: store.dropped,
      sse: s.sseDetails(),
      view: s.viewState,
      recording: s.recording ? path.basename(s.recording.file) : undefined,
      adapter: s.adapterView(),
      origins: s.sent.savedEntries(),
      repeat: s.repeatView,
      history: s.config.name ? this.actions.sendHistory.get(s.config.name) : undefined,
      savedMessages: savedMessageViews(s),
    });
    for (let i = INIT_CHUNK; i < size; i += INIT_CHUNK) {
      this.post({
        type: 'records',
        records: packStored(store, i, i + INIT_CHUNK, s.redactor, settings.displayLimit),
        stats: { ...s.stats },
        dropped: store.dropped,
      });
    }
    this.ready = true;
    if (s.checks.view) {
      this.postChecks();
    }
  }

  /** The checks' states as they are now, after the records that decided them (the strip selects those rows). */
  private postChecks(): void {
    this.checksTimer.clear();
    if (!this.ready) {
      return;
    }
    this.batcher.flush();
    this.post({ type: 'checks', checks: maskedChecks(this.session.checks.view, this.session.redactor) });
  }

  /** A server's request as the panel shows it: its parameters masked as the records are. */
  private askMessage(ask: McpAsk): McpAskMessage {
    return { type: 'mcpAsk', id: ask.id, method: ask.method, params: this.session.redactor.value(ask.params) };
  }

  private postRepeat(): void {
    this.repeatTimer.clear();
    this.postIfReady({ type: 'repeat', repeat: this.session.repeatView });
  }

  private postRecords(): void {
    if (!this.ready || !this.panel.visible) {
      return;
    }
    // Records evicted by the store's caps before the batch went are not sent: the webview would drop them too.
    const store = this.session.store;
    const from = store.positionAfter(this.postedMark);
    this.postedMark = store.added;
    if (from >= store.size) {
      return;
    }
    const now = Date.now();
    const perSecond = ((store.size - from) * 1000) / Math.max(BATCH_INTERVAL_MS, now - this.lastBatchAt);
    this.lastBatchAt = now;
    const flood = perSecond >= FLOOD_RECORDS_PER_S;
    this.batcher.intervalMs = flood ? FLOOD_BATCH_INTERVAL_MS : BATCH_INTERVAL_MS;
    const count = store.size - from;
    this.post({
      type: 'records',
      records: packStored(store, from, store.size, this.session.redactor, this.displayLimit),
      stats: { ...this.session.stats },
      dropped: store.dropped,
    });
    this._onDidPostRecords.fire({ at: now, count, flood });
  }

  private post(message: ToWebviewMessage): void {
    if (this.isDisposed) {
      return;
    }
    this.posts++;
    void this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  /** State changes before `ready` are left out: the coming `init` carries them. */
  private postIfReady(message: ToWebviewMessage): void {
    if (this.ready) {
      this.post(message);
    }
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.post({ type: 'notice', level, message });
  }

  /** Carries out one webview message. Exported for tests through the panel manager. */
  async handle(m: FromWebviewMessage): Promise<void> {
    const s = this.session;
    try {
      switch (m.type) {
        case 'ready':
          this.sendInit();
          for (const ask of s.mcp?.pendingAsks ?? []) {
            this.post(this.askMessage(ask));
          }
          return;
        case 'connect':
          if (m.config) {
            s.applyEditable(m.config);
          }
          await this.actions.connect(s);
          return;
        case 'disconnect':
          s.disconnect();
          return;
        case 'reconnectNow':
          await s.reconnect();
          return;
        case 'setAutoRetry':
          s.setAutoRetry(m.on);
          return;
        case 'clear':
          s.clear();
          return;
        case 'export': {
          const uri = await this.actions.exportLog(s);
          if (uri) {
            this.notice('info', `Log exported to ${uri.fsPath}`);
          }
          return;
        }
        case 'serveAsMock':
          // The command's flow and its errors (shown by the command wrapper), for this panel's session.
          await vscode.commands.executeCommand('realtimeInspector.serveAsMock', s.id);
          return;
        case 'saveProfile': {
          const name = await this.actions.saveProfile(s, m.config);
          if (name) {
            this.notice('info', `Saved as profile "${name}"`);
          }
          return;
        }
        case 'send':
          if (this.reply(m, () => s.sendWritten(writtenOf(m), savedName(s, m.saved)))) {
            this.remember(m.data);
          }
          return;
        case 'repeat': {
          const started = this.reply(m, () => {
            const options = { everyMs: m.everyMs, times: m.times, resumeAfterReconnect: m.resumeAfterReconnect === true };
            const problem = repeatProblem(options);
            if (problem) {
              throw new Error(problem);
            }
            const written = writtenOf(m);
            s.requireConnection();
            const saved = savedName(s, m.saved);
            const sender = s.startRepeat(
              () => s.sendWritten(written, saved),
              options,
              saved === undefined ? "the send box's message" : `saved message "${saved}"`,
            );
            if (sender.status.stopped?.startsWith('cannot send')) {
              throw new Error(sender.status.stopped);
            }
          });
          if (started) {
            this.remember(m.data);
          }
          return;
        }
        case 'stopRepeat':
          s.stopRepeat();
          return;
        case 'compare':
          await vscode.commands.executeCommand('realtimeInspector.compare', s.id, m.seqs[0], m.seqs[1]);
          return;
        case 'saveMessage': {
          const name = await vscode.commands.executeCommand<string | undefined>('realtimeInspector.saveAsMessage', {
            connectionId: s.id,
            seq: m.seq,
            message: m.message,
          });
          if (name) {
            this.notice('info', `Saved as message "${name}" in profile "${s.config.name ?? ''}"`);
          }
          return;
        }
        case 'adapterSend':
          this.reply(m, () => s.sendAdapter({ verb: m.verb, fields: m.fields }));
          return;
        case 'sendFile': {
          const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Send as binary frame' });
          if (!picked?.[0]) {
            this.answer(m, { type: 'sendResult', ok: false, error: 'No file chosen' });
            return;
          }
          const bytes = await readFile(picked[0].fsPath);
          this.reply(m, () => s.requireConnection().sendBinary(bytes));
          return;
        }
        case 'ping':
          this.reply(m, () => s.requireConnection().ping(m.data ? Buffer.from(m.data, 'utf8') : undefined));
          return;
        case 'close':
          this.reply(m, () => {
            s.requireConnection();
            s.disconnect(m.code, m.reason);
          });
          return;
        case 'getFull': {
          const record = s.store.bySeq(m.seq);
          this.answer(m, { type: 'fullRecord', record: record && forWebview(record, s.redactor, Infinity, false) });
          return;
        }
        case 'setRaw':
          this.stopRaw();
          if (m.on) {
            this.rawOn = true;
            const text = s.rawText();
            this.rawSent = text.length;
            this.post({ type: 'raw', text, reset: true });
          }
          return;
        case 'copy':
          await vscode.env.clipboard.writeText(s.redactor.text(m.text));
          return;
        case 'runChecks':
          await this.actions.runChecks(s);
          return;
        case 'mcpCall': {
          const mcp = s.mcp;
          if (!mcp?.isActive) {
            this.answer(m, { type: 'mcpResult', ok: false, error: 'Not connected: connect to the MCP server first' });
            return;
          }
          try {
            const result = await mcp.call(m.method, String(m.name), isPlainObject(m.args) ? m.args : {});
            this.answer(m, { type: 'mcpResult', ok: true, result: s.redactor.value(result) });
          } catch (err) {
            this.answer(m, { type: 'mcpResult', ok: false, error: s.redactor.text((err as Error).message) });
          }
          return;
        }
        case 'mcpAnswer':
          if (
            !s.mcp?.answer(m.id, m.error ? { error: { code: m.error.code, message: String(m.error.message) } } : { result: m.result ?? {} })
          ) {
            this.notice('warning', 'That request of the server is no longer waiting for an answer');
          }
          return;
        case 'viewState':
          if (m.state && typeof m.state === 'object' && m.state.connectionId === s.id) {
            s.viewState = m.state;
          }
          return;
        default: {
          const never: never = m;
          this.log.warn(`Unknown message from the panel: ${JSON.stringify(never)}`);
        }
      }
    } catch (err) {
      this.log.error(err as Error);
      this.notice('error', (err as Error).message);
    }
  }

  private flushRaw(): void {
    this.rawTimer.clear();
    if (!this.rawOn || !this.rawPending) {
      return;
    }
    const redactor = this.session.redactor;
    if (this.rawSent + this.rawPending.length > RAW_VIEW_LIMIT) {
      const text = this.session.rawText();
      this.rawSent = text.length;
      this.post({ type: 'raw', text, reset: true });
    } else {
      // Masked as a whole, then the start of a secret that may finish in the next piece stays back:
      // the view appends pieces, so a secret split across two would show in clear.
      const masked = redactor.text(this.rawPending);
      const text = masked.slice(0, masked.length - redactor.unfinishedAtEnd(masked));
      this.rawPending = masked.slice(text.length);
      this.rawSent += text.length;
      if (text) {
        this.post({ type: 'raw', text, reset: false });
      }
      return;
    }
    this.rawPending = '';
  }

  private stopRaw(): void {
    this.rawOn = false;
    this.rawPending = '';
    this.rawTimer.clear();
  }

  /** A message the send box sent, into its profile's history (kept across sessions, secrets masked). */
  private remember(text: string): void {
    const profile = this.session.config.name;
    if (profile && text) {
      this.actions.sendHistory.add(profile, text, this.session.redactor).then(undefined, (err: Error) => this.log.error(err));
    }
  }

  /** Answers a webview request: the reply goes with the request's id. */
  private answer<R extends WebviewRequest>(request: R, reply: ReplyBody<R['type']>): void {
    // The reply type follows from the request's (RepliesTo), which TypeScript does not see through a spread.
    this.post({ ...reply, requestId: request.requestId } as unknown as HostReply);
  }

  /** Runs a send/ping/close and answers it with its outcome. */
  private reply(
    request: Extract<WebviewRequest, { type: 'send' | 'adapterSend' | 'sendFile' | 'ping' | 'close' | 'repeat' }>,
    fn: () => void,
  ): boolean {
    try {
      fn();
      this.answer(request, { type: 'sendResult', ok: true });
      return true;
    } catch (err) {
      this.answer(request, { type: 'sendResult', ok: false, error: (err as Error).message });
      return false;
    }
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }
}

/** The profile's saved messages the send box lists; a verb's only when the connection speaks through an adapter. */
function savedMessageViews(session: Session): SavedMessageView[] {
  const adapter = session.config.adapter !== undefined;
  return (session.config.messages ?? [])
    .filter((m) => m.verb === undefined || adapter)
    .map((m) =>
      m.verb !== undefined
        ? { name: m.name, mode: 'text' as const, text: messageText(m), verb: m.verb, fields: formFields(m.fields ?? {}) }
        : {
            name: m.name,
            mode: m.format ?? 'text',
            ...(m.format === 'binary' ? { encoding: 'base64' as const } : {}),
            text: messageText(m),
          },
    );
}

/** A verb message's fields as the send box's form holds them: text as it is, booleans as booleans, the rest as JSON text. */
function formFields(fields: Record<string, unknown>): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' || typeof v === 'boolean' ? v : JSON.stringify(v)]),
  );
}

/** `name` when the session's profile has a saved message of that name (the panel's word is only a label). */
function savedName(session: Session, name: string | undefined): string | undefined {
  return name !== undefined && session.config.messages?.some((m) => m.name === name) ? name : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Details and evidence quote what the server sent: masked as the records are. */
function maskedChecks(view: ChecksView | undefined, redactor: Session['redactor']): ChecksView | undefined {
  if (!view) {
    return undefined;
  }
  return {
    ...view,
    rules: view.rules.map((r) => ({
      ...r,
      detail: redactor.text(r.detail),
      ...(r.evidence !== undefined ? { evidence: redactor.text(r.evidence) } : {}),
    })),
    ...(view.problem !== undefined ? { problem: redactor.text(view.problem) } : {}),
  };
}
