/**
 * Records a connection derives from its own records: the LLM lens's `llm` records (`llm/lens.ts`),
 * SSE continuity findings (`continuity.ts`) and the silence marks (no message for longer than
 * `silenceMs`). The connection asks {@link DerivedRecords.before} before stamping a record and
 * {@link DerivedRecords.after} once every listener has seen it, so a derived record sits in the log
 * right before (silence) or after (the rest) the record it comes from.
 */
import { ContinuityTracker } from './continuity';
import { LlmLens } from './llm/lens';
import type { LensMode } from './llm/types';
import type { ConnRecord, RecordInit } from './records';

const DERIVED = new Set<string>(['llm', 'continuity', 'silence']);

const NONE: readonly RecordInit[] = Object.freeze([]);

export interface DerivedOptions {
  lens?: LensMode;
  /** Mark a silence of more than this many ms between messages; off when undefined or 0. */
  silenceMs?: number;
}

export class DerivedRecords {
  private lens: LlmLens;
  private readonly continuity = new ContinuityTracker();
  private lastMessageAt: number | undefined;

  constructor(private options: DerivedOptions) {
    this.lens = new LlmLens(options.lens ?? 'auto');
  }

  /** New options: the lens mode and silence take effect now. */
  setOptions(options: DerivedOptions): void {
    if ((options.lens ?? 'auto') !== (this.options.lens ?? 'auto')) {
      this.lens = new LlmLens(options.lens ?? 'auto');
    }
    this.options = options;
  }

  /** The response the lens is joining now, if any. */
  get llm(): LlmLens {
    return this.lens;
  }

  /** A record about to be stamped at `now`: the silence mark to log before it, if any. */
  before(init: RecordInit, now: number): RecordInit | undefined {
    if (init.kind === 'open') {
      this.lastMessageAt = now;
      return undefined;
    }
    if (init.kind !== 'message') {
      return undefined;
    }
    const last = this.lastMessageAt;
    this.lastMessageAt = now;
    const limit = this.options.silenceMs;
    if (limit && limit > 0 && last !== undefined && now - last > limit) {
      return { kind: 'silence', ms: now - last };
    }
    return undefined;
  }

  /** A record every listener has seen: the records derived from it (a shared empty list when none, the usual case). */
  after(r: ConnRecord): readonly RecordInit[] {
    if (DERIVED.has(r.kind)) {
      return NONE;
    }
    let finding: RecordInit | undefined;
    if (r.kind === 'connecting') {
      this.lastMessageAt = undefined;
      this.continuity.begin(r.lastEventId);
    } else if (r.kind === 'close') {
      this.lastMessageAt = undefined;
    } else if (r.kind === 'message' && r.dir === 'in' && r.event !== undefined) {
      finding = this.continuity.observe(r.id);
    }
    const ended =
      r.kind === 'message' || r.kind === 'connecting' || r.kind === 'close' || (r.kind === 'error' && r.fatal)
        ? this.lens.observe(r)
        : NONE;
    return finding ? [finding, ...ended] : ended;
  }
}
