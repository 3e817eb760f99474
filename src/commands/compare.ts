/**
 * Compare and Compare with Previous of This Type: two messages of a connection's log in VS Code's diff
 * editor (`CompareDocuments`). Each takes a session and record seqs (the panel and scripts pass them);
 * without seqs a pick of the log's latest messages asks.
 */
import * as vscode from 'vscode';
import type { MessageRecord } from '../core/records';
import { messageType, previousOfType } from '../core/workbench/compareText';
import type { Services } from '../services';
import type { Session } from '../session/session';
import { CompareDocuments } from '../workbench/compareDocuments';
import { type SessionArg, pickSession } from './pickers';

/** What a panel row's context menu passes: its panel's connection, the row, and the two rows selected for Compare. */
interface RowContext {
  connectionId: string;
  seq?: number;
  pair?: [number, number];
}

function isRowContext(v: unknown): v is RowContext {
  return typeof v === 'object' && v !== null && typeof (v as RowContext).connectionId === 'string' && 'webviewSection' in v;
}

/** How many of the latest messages a pick offers. */
const PICK_LATEST = 200;

export class CompareCommands implements vscode.Disposable {
  private readonly docs = new CompareDocuments();

  constructor(private readonly services: Services) {}

  dispose(): void {
    this.docs.dispose();
  }

  /** `arg` may be a panel row's context (`connectionId`, and `pair`: the two rows selected). */
  async compareCommand(arg?: SessionArg | RowContext, seqA?: number, seqB?: number): Promise<boolean> {
    if (isRowContext(arg)) {
      [seqA, seqB] = arg.pair ?? [arg.seq, undefined];
      arg = arg.connectionId;
    }
    const session = await pickSession(arg, 'Compare messages of', (s) => s.stats.messagesIn + s.stats.messagesOut > 0, this.services);
    if (!session) {
      return false;
    }
    let pair: MessageRecord[];
    if (seqA !== undefined && seqB !== undefined) {
      pair = [this.message(session, seqA), this.message(session, seqB)];
    } else {
      const picked = await this.pick(session, 'Pick two messages to compare', true);
      if (!picked) {
        return false;
      }
      if (picked.length !== 2) {
        throw new Error(`Compare takes two messages; ${picked.length} were picked`);
      }
      pair = picked;
    }
    pair.sort((a, b) => a.seq - b.seq);
    await this.docs.open(session, pair[0], pair[1]);
    return true;
  }

  async compareWithPreviousCommand(arg?: SessionArg | RowContext, seq?: number): Promise<boolean> {
    if (isRowContext(arg)) {
      seq = arg.seq;
      arg = arg.connectionId;
    }
    const session = await pickSession(arg, 'Compare a message of', (s) => s.stats.messagesIn + s.stats.messagesOut > 0, this.services);
    if (!session) {
      return false;
    }
    let record: MessageRecord;
    if (seq !== undefined) {
      record = this.message(session, seq);
    } else {
      const picked = await this.pick(session, 'Pick a message to compare with the previous one of its type', false);
      if (!picked?.[0]) {
        return false;
      }
      record = picked[0];
    }
    const previous = previousOfType(session.store.toArray(), record);
    if (!previous) {
      throw new Error(`No earlier ${messageType(record)} message than #${record.seq} in the log to compare with`);
    }
    await this.docs.open(session, previous, record);
    return true;
  }

  private message(session: Session, seq: number): MessageRecord {
    const r = session.store.bySeq(seq);
    if (!r || r.kind !== 'message') {
      throw new Error(`Record #${seq} is not a message in the log of ${session.label}`);
    }
    return r;
  }

  private async pick(session: Session, title: string, many: boolean): Promise<MessageRecord[] | undefined> {
    const messages = session.store
      .toArray()
      .filter((r): r is MessageRecord => r.kind === 'message')
      .slice(-PICK_LATEST)
      .reverse();
    const items = messages.map((r) => {
      const shown = session.redactor.record(r) as MessageRecord;
      return { label: `#${r.seq} ${r.dir === 'in' ? '←' : '→'} ${messageType(r)}`, description: shown.data.slice(0, 120), r };
    });
    if (many) {
      const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDescription: true });
      return picked?.map((p) => p.r);
    }
    const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
    return picked ? [picked.r] : undefined;
  }
}
