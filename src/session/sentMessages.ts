/**
 * Where a session's sent rows came from: the saved message each was sent from (shown in the panel's row
 * and detail), and the message as it was written before `{{…}}` and `${secret:}` were resolved (what
 * Save as Message on a sent row writes, so no resolved secret reaches the settings). Kept by seq, for the
 * latest `MAX_KEPT` sends.
 */
import type { ConnRecord } from '../core/records';
import { Disposable, Emitter } from '../core/lifecycle';
import { parseBase64, parseHex } from '../core/payloadText';
import type { SavedMessageFormat } from '../core/workbench/savedMessages';
import type { SendBoxMessage } from '../protocol';

/** A message as written: its format and body (binary as base64). */
export interface WrittenMessage {
  format: SavedMessageFormat;
  body: string;
}

export interface SentOrigin {
  /** The saved message it was sent from. */
  saved?: string;
  written?: WrittenMessage;
}

const MAX_KEPT = 10_000;

export class SentMessages extends Disposable {
  private readonly bySeq = new Map<number, SentOrigin>();
  private pending: SentOrigin | undefined;
  private readonly _onDidTag = this._register(new Emitter<[number, string]>());
  /** A sent row was found to come from a saved message: `[seq, name]`. */
  readonly onDidTag = this._onDidTag.event;

  /** Runs `send`; the outgoing message records it adds (synchronously) are remembered with `origin`. */
  run<T>(origin: SentOrigin, send: () => T): T {
    const outer = this.pending;
    this.pending = origin;
    try {
      return send();
    } finally {
      this.pending = outer;
    }
  }

  /** Each record of the connection, before anyone else hears of it. */
  recorded(r: ConnRecord): void {
    if (this.pending && r.kind === 'message' && r.dir === 'out') {
      this.set(r.seq, { ...this.pending });
    }
  }

  /** Marks sent row `seq` as coming from saved message `name` (Save as Message on a row). */
  tag(seq: number, name: string): void {
    this.set(seq, { ...this.bySeq.get(seq), saved: name });
  }

  get(seq: number): SentOrigin | undefined {
    return this.bySeq.get(seq);
  }

  /** Every sent row from a saved message: `[seq, name]`, oldest first. */
  savedEntries(): [number, string][] {
    const out: [number, string][] = [];
    for (const [seq, o] of this.bySeq) {
      if (o.saved !== undefined) {
        out.push([seq, o.saved]);
      }
    }
    return out;
  }

  clear(): void {
    this.bySeq.clear();
  }

  private set(seq: number, origin: SentOrigin): void {
    this.bySeq.delete(seq);
    this.bySeq.set(seq, origin);
    while (this.bySeq.size > MAX_KEPT) {
      this.bySeq.delete(this.bySeq.keys().next().value as number);
    }
    if (origin.saved !== undefined) {
      this._onDidTag.fire([seq, origin.saved]);
    }
  }
}

/** The send box's message as a saved message's format and body (binary as base64). Throws in words on bad bytes. */
export function writtenOf(m: SendBoxMessage): WrittenMessage {
  if (m.mode !== 'binary') {
    return { format: m.mode, body: m.data };
  }
  const parsed = m.encoding === 'base64' ? parseBase64(m.data) : parseHex(m.data);
  if (!parsed.ok) {
    throw new Error(m.encoding === 'base64' ? parsed.error : 'Not valid hex: use pairs of 0-9 a-f, spaces allowed');
  }
  return { format: 'binary', body: Buffer.from(parsed.bytes).toString('base64') };
}
