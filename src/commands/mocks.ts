import * as vscode from 'vscode';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { maskUrlCredentials } from '../core/credentials';
import { MASK } from '../core/redactor';
import { recordingRecords } from '../core/replay/logRecords';
import { describeConnections, openRecording, type Recording, RecordingError, skippedWarning } from '../core/replay/recording';
import { type Mock, type MockSettings, type MockSource, type OpenedRecording } from '../mocks/mockServers';
import type { Services } from '../services';
import type { Session } from '../session/session';
import type { ConnectionCommands } from './connection';
import { pickSession, type SessionArg } from './pickers';

/** What a step of the Serve as Mock flow resolves with: an item's label, `BACK`, or undefined (cancelled). */
export const BACK: unique symbol = Symbol.for('realtimeInspector.mockFlow.back');
export type StepAnswer = string | typeof BACK | undefined;

/** The prompts of the Serve as Mock flow (tests answer them). */
export interface MockFlowUi {
  pick(title: string, items: { label: string; description?: string }[], back: boolean): Promise<StepAnswer>;
  input(title: string, prompt: string, validate: (value: string) => string | undefined): Promise<StepAnswer>;
}

/** A mock as a command's argument: its tree node, the mock, or its id. */
export type MockArg = { type: 'mock'; mock: Mock } | Mock | string | undefined;

const SPEEDS: { label: string; description: string; speed: number }[] = [
  { label: '1', description: 'as recorded', speed: 1 },
  { label: '2', description: 'twice as fast', speed: 2 },
  { label: '0', description: 'as fast as possible', speed: 0 },
  { label: '0.5', description: 'half as fast', speed: 0.5 },
];
const NO_DROP = 'None';
const DROP_AFTER = 'After N messages...';

/**
 * Serve as Mock (a session's log, masked as Export writes it, served by a `ReplayServer` on
 * 127.0.0.1) and the Mocks node's Stop, Connect and Copy URL.
 */
export class MockCommands {
  constructor(
    private readonly services: Services,
    private readonly connection: ConnectionCommands,
  ) {}

  /** Overridable for tests: the quick picks and the input box of the flow. */
  ui: MockFlowUi | undefined;

  /**
   * Serves a session's log as a mock: asks Speed, loop and drop-after, writes the log (masked) to the
   * extension's storage and starts a replay server of it. Resolves with the mock (undefined: cancelled).
   */
  async serveAsMockCommand(arg?: SessionArg): Promise<Mock | undefined> {
    const session = await pickSession(arg, 'Serve as Mock', (s) => s.store.size > 0, this.services);
    if (!session) {
      return undefined;
    }
    if (session.store.size === 0) {
      throw new Error(`${session.label}: the log is empty, so there is nothing to replay. Connect and record some messages first.`);
    }
    const settings = await this.askSettings();
    if (!settings) {
      return undefined;
    }
    // A recording opened in a panel is served from its file; a live session's log from a masked copy.
    const recording = session.recording;
    const source = recording ? { file: recording.file, label: session.label, owned: false } : await this.writeCopy(session);
    return this.serve(source, settings, recording?.index);
  }

  /** Opens `source` and serves it (connection `index`, or the one the user picks when it holds several). */
  async serve(source: MockSource, settings: MockSettings, index?: number): Promise<Mock | undefined> {
    const { mocks } = this.services;
    let opened: OpenedRecording;
    try {
      opened = await mocks.open(source);
    } catch (err) {
      if (err instanceof RecordingError) {
        throw new Error(`Serve as Mock: ${source.label}: ${recordingProblem(err.message, source)}`, { cause: err });
      }
      throw err;
    }
    const conns = opened.recording.connections;
    if (!conns.some((c) => c.items.count > 0)) {
      mocks.discard(opened);
      throw new Error(
        `Serve as Mock: ${source.label}: the log has nothing to replay: no message from the server (${conns.length === 1 ? 'its connection' : `none of its ${conns.length} connections`} received any).`,
      );
    }
    if (index === undefined && conns.length > 1) {
      const lines = describeConnections(conns);
      const pick = await this.step().pick(
        `Serve as Mock: ${source.label} holds ${conns.length} connections`,
        lines.map((l) => ({ label: l.trim() })),
        false,
      );
      index = typeof pick === 'string' ? lines.findIndex((l) => l.trim() === pick) : -1;
      if (index < 0) {
        mocks.discard(opened);
        return undefined;
      }
    }
    let mock: Mock;
    try {
      mock = await mocks.start(opened, Math.min(index ?? 0, conns.length - 1), settings);
    } catch (err) {
      throw new Error(`Serve as Mock: ${(err as Error).message}`, { cause: err });
    }
    this.services.log.info(`[mock] serving ${source.label} at ${mock.url} (${mock.describeSettings()})`);
    void this.offerStarted(mock);
    return mock;
  }

  /**
   * Open Recording...: an NDJSON log or a HAR file (asked for without `file`) shown in a panel as a
   * read-only log, without connecting; a file with several connections asks which. Resolves with its session.
   */
  async openRecordingCommand(file?: vscode.Uri | string): Promise<Session | undefined> {
    let fsPath = typeof file === 'string' ? file : file?.fsPath;
    if (!fsPath) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Open Recording',
        openLabel: 'Open Recording',
        canSelectMany: false,
        filters: { 'Recordings (NDJSON, HAR)': ['ndjson', 'jsonl', 'json', 'har'], 'All files': ['*'] },
      });
      fsPath = picked?.[0]?.fsPath;
      if (!fsPath) {
        return undefined;
      }
    }
    const name = path.basename(fsPath);
    let recording: Recording;
    try {
      recording = await openRecording(fsPath);
    } catch (err) {
      if (err instanceof RecordingError) {
        throw new Error(`Open Recording: ${err.message}`, { cause: err });
      }
      throw err;
    }
    let records;
    let index = 0;
    const conns = recording.connections;
    try {
      if (conns.length > 1) {
        const lines = describeConnections(conns);
        const pick = await this.step().pick(
          `Open Recording: ${name} holds ${conns.length} connections`,
          lines.map((l) => ({ label: l.trim() })),
          false,
        );
        index = typeof pick === 'string' ? lines.findIndex((l) => l.trim() === pick) : -1;
        if (index < 0) {
          return undefined;
        }
      }
      records = await recordingRecords(recording, index);
    } finally {
      recording.dispose();
    }
    const conn = conns[index];
    const notes = [
      `Recording ${name}${conns.length > 1 ? ` (connection ${conn.n} of ${conns.length})` : ''}: ${records.length} record${records.length === 1 ? '' : 's'}, shown read-only`,
    ];
    const warning = skippedWarning(recording.skipped);
    if (warning) {
      notes.push(`Warning: ${warning}`);
      void vscode.window.showWarningMessage(`Open Recording: ${name}: ${warning}`);
    }
    const session = this.services.sessions.create({ url: maskUrlCredentials(conn.url, MASK), kind: conn.kind }, 'adhoc');
    session.openRecordingLog(records, { file: fsPath, index }, notes);
    this.services.panels.open(session);
    return session;
  }

  private async offerStarted(mock: Mock): Promise<void> {
    const pick = await vscode.window.showInformationMessage(`Serving ${mock.source.label} as a mock at ${mock.url}`, 'Connect', 'Copy URL');
    if (pick === 'Connect') {
      await this.connectMockCommand(mock);
    } else if (pick === 'Copy URL') {
      await this.copyMockUrlCommand(mock);
    }
  }

  async stopMockCommand(arg?: MockArg): Promise<void> {
    const mock = await this.pickMock(arg, 'Stop Mock');
    if (mock) {
      await mock.stop();
      this.services.log.info(`[mock] stopped ${mock.source.label}`);
    }
  }

  /** Opens a new panel connected to the mock's URL, as the connect command does with a URL. */
  async connectMockCommand(arg?: MockArg): Promise<Session | undefined> {
    const mock = await this.pickMock(arg, 'Connect to Mock');
    return mock ? this.connection.connectCommand(mock.url) : undefined;
  }

  async copyMockUrlCommand(arg?: MockArg): Promise<string | undefined> {
    const mock = await this.pickMock(arg, 'Copy Mock URL');
    if (!mock) {
      return undefined;
    }
    await vscode.env.clipboard.writeText(mock.url);
    void vscode.window.setStatusBarMessage(`Copied ${mock.url}`, 3000);
    return mock.url;
  }

  private async pickMock(arg: MockArg, title: string): Promise<Mock | undefined> {
    const { mocks } = this.services;
    if (typeof arg === 'string') {
      return mocks.get(arg);
    }
    if (arg && 'type' in arg && arg.type === 'mock') {
      return arg.mock;
    }
    if (arg) {
      return arg as Mock;
    }
    const all = mocks.all;
    if (all.length <= 1) {
      if (!all.length) {
        void vscode.window.showInformationMessage('No mock is running. Use "Realtime: Serve as Mock" on a connection first.');
      }
      return all[0];
    }
    const pick = await this.step().pick(
      title,
      all.map((m) => ({ label: m.url, description: m.source.label })),
      false,
    );
    return all.find((m) => m.url === pick);
  }

  /** Speed, loop, drop-after: each step with Back to the one before; undefined when cancelled. */
  private async askSettings(): Promise<MockSettings | undefined> {
    const ui = this.step();
    let speed = 1;
    let loop = false;
    let dropAfter: number | undefined;
    let step = 0;
    const steps = 3;
    while (step < steps) {
      let answer: StepAnswer;
      if (step === 0) {
        answer = await ui.pick('Serve as Mock (1/3): Speed', SPEEDS, false);
        const s = SPEEDS.find((x) => x.label === answer);
        if (s) {
          speed = s.speed;
        }
      } else if (step === 1) {
        answer = await ui.pick(
          'Serve as Mock (2/3): Loop',
          [
            { label: 'No', description: 'each client gets the recording once' },
            { label: 'Yes', description: 'start again from the top at the end' },
          ],
          true,
        );
        loop = answer === 'Yes';
      } else {
        answer = await ui.pick(
          'Serve as Mock (3/3): Drop each client',
          [
            { label: NO_DROP, description: 'never drop a client' },
            { label: DROP_AFTER, description: 'cut each client after N messages, to test its reconnect' },
          ],
          true,
        );
        if (answer === NO_DROP) {
          dropAfter = undefined;
        } else if (answer === DROP_AFTER) {
          const n = await ui.input('Serve as Mock (3/3): Drop each client after', 'How many messages before the drop (1 or more)', (v) =>
            /^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A whole number, 1 or more',
          );
          if (n === BACK) {
            continue;
          }
          if (n === undefined) {
            return undefined;
          }
          dropAfter = Number(n.trim());
        }
      }
      if (answer === undefined) {
        return undefined;
      }
      step = answer === BACK ? Math.max(0, step - 1) : step + 1;
    }
    return { speed, loop, dropAfter };
  }

  /** The session's log as NDJSON in the extension's storage (masked as Export writes it). */
  private async writeCopy(session: Session): Promise<MockSource> {
    const { context } = this.services;
    const storage = context.storageUri ?? context.globalStorageUri;
    const dir = path.join(storage.fsPath, 'mocks');
    await mkdir(dir, { recursive: true });
    const name =
      session.label
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || 'log';
    const file = path.join(dir, `${name}-${Date.now().toString(36)}.ndjson`);
    await this.services.actions.writeLogFile(session, file);
    return { file, label: session.label, owned: true };
  }

  private step(): MockFlowUi {
    return this.ui ?? QUICK_INPUT;
  }
}

/** A recording error in the user's words: a copy of a log names the connection, not the file in the storage. */
function recordingProblem(message: string, source: MockSource): string {
  if (!source.owned) {
    return message;
  }
  if (/holds no connection to replay/.test(message)) {
    return 'the log has nothing to replay: it has no connection that opened (an open record, then messages).';
  }
  return message.split(source.file).join('its log');
}

/** The flow's steps in VS Code's quick input: `ignoreFocusOut`, Back on every step after the first. */
const QUICK_INPUT: MockFlowUi = {
  pick: (title, items, back) =>
    new Promise((resolve) => {
      const qp = vscode.window.createQuickPick();
      Object.assign(qp, { title, items, ignoreFocusOut: true, sortByLabel: false, matchOnDescription: true });
      if (back) {
        qp.buttons = [vscode.QuickInputButtons.Back];
      }
      let answer: StepAnswer;
      qp.onDidTriggerButton(() => {
        answer = BACK;
        qp.hide();
      });
      qp.onDidAccept(() => {
        answer = qp.selectedItems[0]?.label;
        qp.hide();
      });
      qp.onDidHide(() => {
        qp.dispose();
        resolve(answer);
      });
      qp.show();
    }),
  input: (title, prompt, validate) =>
    new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      Object.assign(box, { title, prompt, ignoreFocusOut: true });
      box.buttons = [vscode.QuickInputButtons.Back];
      let answer: StepAnswer;
      box.onDidChangeValue((v) => (box.validationMessage = v ? validate(v) : undefined));
      box.onDidTriggerButton(() => {
        answer = BACK;
        box.hide();
      });
      box.onDidAccept(() => {
        const problem = validate(box.value);
        if (problem) {
          box.validationMessage = problem;
          return;
        }
        answer = box.value;
        box.hide();
      });
      box.onDidHide(() => {
        box.dispose();
        resolve(answer);
      });
      box.show();
    }),
};
