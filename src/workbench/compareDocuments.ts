/**
 * Compare in VS Code's diff editor: two messages of a session's log as read-only virtual documents
 * (scheme `realtime-compare`, a `TextDocumentContentProvider`), their text from `compareText`
 * (JSON pretty-printed, keys sorted; truncated past a few MB with a note). Secrets are masked by the
 * session's redactor before they reach a document.
 */
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { MessageRecord } from '../core/records';
import { compareText, messageType } from '../core/workbench/compareText';
import type { Session } from '../session/session';

export const COMPARE_SCHEME = 'realtime-compare';

/** The documents' texts by URI, kept while the provider lives (a few per comparison, bounded by `MAX_DOCS`). */
const MAX_DOCS = 50;

export class CompareDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private next = 1;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '(this comparison is no longer kept: compare the messages again)';
  }

  /** Opens the diff of `left` → `right` from `session`'s log. */
  async open(session: Session, left: MessageRecord, right: MessageRecord): Promise<void> {
    const masked = (r: MessageRecord) => session.redactor.record(r) as MessageRecord;
    const a = this.add(session, masked(left));
    const b = this.add(session, masked(right));
    await vscode.commands.executeCommand('vscode.diff', a, b, `${session.label}: #${left.seq} ↔ #${right.seq} (${messageType(right)})`, {
      preview: true,
    });
  }

  private add(session: Session, r: MessageRecord): vscode.Uri {
    const ext = r.format === 'text' && isJson(r.data) ? 'json' : 'txt';
    const uri = vscode.Uri.from({
      scheme: COMPARE_SCHEME,
      path: `/${session.label.replace(/[\\/]/g, '_')}/${this.next++}-seq${r.seq}.${ext}`,
    });
    this.texts.set(uri.toString(), compareText(r));
    while (this.texts.size > MAX_DOCS) {
      this.texts.delete(this.texts.keys().next().value as string);
    }
    return uri;
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
