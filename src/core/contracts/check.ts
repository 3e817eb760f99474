// Over 400 lines: one class, because every rule kind settles through the same few steps (observe, hold, settle, finish) and reads best beside the others.
/**
 * One run of a profile's `expect` rules over a connection's records. The owner (the CLI's runner or a
 * panel's session) hands it every record in order, and tells it when the connection ended for good;
 * the check keeps each rule's state (pending, holding, passed, failed), settles each rule once, and
 * finishes at `timeoutMs`, when the connection ended, or as soon as no rule can change any more.
 *
 * Times: `atMs` is ms after the stream opened (after the start when it never opened), read from the
 * records' own times, so a late timer under load cannot change a result.
 */
import { Disposable, Emitter, MutableDisposable, disposableTimeout } from '../lifecycle';
import type { ConnRecord, MessageRecord } from '../records';
import { continuityText } from '../derivedText';
import type { CompiledExpect } from './expect';
import { RecordMatcher } from './match';
import type { RuleState, RuleStatus } from './ruleState';

export type { RuleState, RuleStatus } from './ruleState';

/** A rule, settled. */
export interface RuleResult {
  rule: string;
  ok: boolean;
  detail: string;
  atMs: number;
  decidedBy?: number;
  evidence?: string;
}

export type RunEnd =
  | { reason: 'timeout' }
  | { reason: 'ended' }
  | { reason: 'stopped' }
  | { reason: 'failed'; message: string }
  /** Every rule settled before the timeout. */
  | { reason: 'settled' };

export interface CheckSummary {
  passed: number;
  failed: number;
  durationMs: number;
  /** The stream opened at least once. */
  opened: boolean;
  end: RunEnd;
  results: RuleResult[];
}

/** How much of a message's data a failure quotes. */
const EVIDENCE_CHARS = 500;

interface RuleSlot {
  state: RuleState;
  /** Settled: it cannot change any more. */
  final: boolean;
}

interface MessageSlot extends RuleSlot {
  matched: number;
  firstSeq?: number;
}

export class ContractCheck extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<readonly RuleState[]>());
  /** Some rule's state changed (the live view). */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidSettle = this._register(new Emitter<RuleResult>());
  /** A rule settled (once per rule, in the order they settle). */
  readonly onDidSettle = this._onDidSettle.event;
  private readonly _onDidFinish = this._register(new Emitter<CheckSummary>());
  /** The run is over (once). */
  readonly onDidFinish = this._onDidFinish.event;

  private readonly slots: RuleSlot[] = [];
  private readonly countSlot?: RuleSlot & { n: number };
  private readonly messageSlots: MessageSlot[];
  private readonly neverSlots: RuleSlot[];
  private readonly closeSlot?: RuleSlot;
  private readonly errorsSlot?: RuleSlot;
  private readonly continuitySlot?: RuleSlot;
  private readonly orderSlot?: RuleSlot;
  private readonly timeout = this._register(new MutableDisposable());
  private readonly withinTimers = this._register(new MutableDisposable());
  private startedAt = 0;
  /** When the stream first opened, by the open record's time. */
  private openedAt?: number;
  private lastError?: string;
  private summary?: CheckSummary;
  private started = false;
  private readonly matcher = new RecordMatcher();
  /** A state changed since the live view was last told. */
  private dirty = false;

  constructor(
    readonly expect: CompiledExpect,
    private readonly now: () => number = Date.now,
  ) {
    super();
    const slot = <T extends object>(name: string, status: RuleStatus, detail: string, extra: T): RuleSlot & T => {
      const s = { state: { name, status, detail }, final: false, ...extra };
      this.slots.push(s);
      return s;
    };
    if (expect.count) {
      const holding = (expect.count.min ?? 0) === 0;
      this.countSlot = slot(expect.count.name, holding ? 'holding' : 'pending', countDetail(0, expect.count), { n: 0 });
    }
    this.messageSlots = expect.messages.map((r) =>
      slot(r.name, r.min === 0 ? 'holding' : 'pending', r.min === 0 ? 'none matched yet' : 'waiting for a match', { matched: 0 }),
    );
    this.neverSlots = expect.never.map((r) => slot(r.name, 'holding', 'none matched so far', {}));
    if (expect.close) {
      const holding = expect.close.ended === false;
      this.closeSlot = slot(expect.close.name, holding ? 'holding' : 'pending', holding ? 'still open' : 'waiting for the close', {});
    }
    if (expect.noErrors) {
      this.errorsSlot = slot(expect.noErrors.name, 'holding', 'no error so far', {});
    }
    if (expect.continuity) {
      this.continuitySlot = slot(expect.continuity.name, 'holding', 'no gap or duplicate so far', {});
    }
    if (expect.order) {
      this.orderSlot = slot(expect.order.name, 'holding', 'in order so far', {});
    }
  }

  /** Every rule's current state, in the order of {@link ruleNames}. */
  get states(): RuleState[] {
    return this.slots.map((s) => ({ ...s.state }));
  }

  get isFinished(): boolean {
    return this.summary !== undefined;
  }

  get result(): CheckSummary | undefined {
    return this.summary;
  }

  /** Starts the clock: `timeoutMs` counts from here. */
  start(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    this.startedAt = this.now();
    this.timeout.value = disposableTimeout(() => this.finish({ reason: 'timeout' }), this.expect.timeoutMs);
  }

  /** One record of the connection, in order. */
  observe(r: ConnRecord): void {
    if (this.summary) {
      return;
    }
    switch (r.kind) {
      case 'open':
        if (this.openedAt === undefined) {
          this.openedAt = Date.parse(r.time);
          this.armWithin();
        }
        return;
      case 'message':
        this.onMessage(r);
        break;
      case 'error':
        this.lastError = `${r.code}: ${r.message}`;
        if (this.errorsSlot && !this.errorsSlot.final) {
          this.settle(this.errorsSlot, false, `error ${r.code}: ${r.message}`, r);
        }
        break;
      case 'close':
        this.onClose(r);
        break;
      case 'continuity':
        if (this.continuitySlot && !this.continuitySlot.final && r.status !== 'resumed') {
          this.settle(this.continuitySlot, false, continuityText(r), r);
        }
        break;
      default:
        return;
    }
    this.changed();
    if (this.slots.every((s) => s.final)) {
      this.finish({ reason: 'settled' });
    }
  }

  /**
   * Ends the run: every rule not settled settles now. Rules waiting for something fail; rules that
   * held so far pass; when the stream never opened, every one fails with the connection's error.
   */
  finish(end: RunEnd): CheckSummary {
    if (this.summary) {
      return this.summary;
    }
    this.timeout.clear();
    this.withinTimers.clear();
    const atMs = this.elapsed(this.now());
    if (this.openedAt === undefined && end.reason !== 'settled') {
      const why =
        end.reason === 'failed'
          ? end.message
          : end.reason === 'timeout'
            ? `the stream did not open within ${this.expect.timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`
            : `the stream never opened${this.lastError ? ` (${this.lastError})` : ''}`;
      for (const s of this.slots) {
        if (!s.final) {
          this.settleAt(s, false, `not connected: ${why}`, atMs);
        }
      }
    } else {
      const ending = end.reason === 'timeout' ? `in ${this.expect.timeoutMs} ms` : 'before the end';
      if (this.countSlot && !this.countSlot.final) {
        const c = this.expect.count!;
        const n = this.countSlot.n;
        const ok = (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
        this.settleAt(this.countSlot, ok, countDetail(n, c), atMs);
      }
      this.messageSlots.forEach((s, i) => {
        if (s.final) {
          return;
        }
        const rule = this.expect.messages[i];
        const ok = s.matched >= rule.min;
        this.settleAt(s, ok, ok ? matchedDetail(s.matched, rule.min, rule.max) : missingDetail(s.matched, rule.min, ending), atMs);
      });
      for (const s of this.neverSlots) {
        if (!s.final) {
          this.settleAt(s, true, 'none matched', atMs);
        }
      }
      if (this.closeSlot && !this.closeSlot.final) {
        const ok = this.expect.close!.ended === false;
        this.settleAt(this.closeSlot, ok, ok ? 'the stream stayed open' : `no close ${ending}`, atMs);
      }
      if (this.errorsSlot && !this.errorsSlot.final) {
        this.settleAt(this.errorsSlot, true, 'no error', atMs);
      }
      if (this.continuitySlot && !this.continuitySlot.final) {
        this.settleAt(this.continuitySlot, true, 'no gap, duplicate or restart', atMs);
      }
      if (this.orderSlot && !this.orderSlot.final) {
        this.settleAt(this.orderSlot, true, 'in order', atMs);
      }
    }
    const results = this.slots.map((s) => toResult(s.state));
    this.summary = {
      passed: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      durationMs: Math.max(0, this.now() - this.startedAt),
      opened: this.openedAt !== undefined,
      end,
      results,
    };
    this.changed();
    this._onDidFinish.fire(this.summary);
    return this.summary;
  }

  private onMessage(r: MessageRecord): void {
    const atMs = this.elapsed(Date.parse(r.time));
    if (r.dir === 'in' && this.countSlot && !this.countSlot.final) {
      const c = this.expect.count!;
      const n = ++this.countSlot.n;
      if (c.max !== undefined && n > c.max) {
        this.settle(this.countSlot, false, countDetail(n, c), r);
      } else if (c.min === undefined || n >= c.min) {
        if (c.max === undefined) {
          this.settle(this.countSlot, true, countDetail(n, c), r);
        } else {
          this.hold(this.countSlot, countDetail(n, c), atMs, r.seq);
        }
      } else {
        this.countSlot.state.detail = countDetail(n, c);
        this.dirty = true;
      }
    }
    this.messageSlots.forEach((s, i) => {
      const rule = this.expect.messages[i];
      if (s.final || !this.matcher.matches(rule.matcher, r)) {
        return;
      }
      s.matched++;
      if (s.firstSeq === undefined) {
        s.firstSeq = r.seq;
        this.checkOrder(i, r, atMs);
        if (rule.withinMs !== undefined && atMs > rule.withinMs) {
          this.settle(s, false, `first match at ${atMs} ms, later than ${rule.withinMs} ms`, r);
          return;
        }
      }
      if (rule.max !== undefined && s.matched > rule.max) {
        this.settle(s, false, `${s.matched} matched, more than max ${rule.max}`, r);
      } else if (s.matched >= rule.min) {
        if (rule.max === undefined) {
          this.settle(s, true, matchedDetail(s.matched, rule.min), r);
        } else {
          this.hold(s, matchedDetail(s.matched, rule.min, rule.max), atMs, r.seq);
        }
      } else {
        s.state.detail = `${s.matched} of min ${rule.min}`;
        this.dirty = true;
      }
    });
    this.neverSlots.forEach((s, i) => {
      if (!s.final && this.matcher.matches(this.expect.never[i].matcher, r)) {
        this.settle(s, false, `matched ${r.dir === 'out' ? 'a sent' : 'a received'} message (seq ${r.seq})`, r);
      }
    });
  }

  private checkOrder(i: number, r: MessageRecord, atMs: number): void {
    const slot = this.orderSlot;
    if (!slot || slot.final) {
      return;
    }
    const earlier = this.messageSlots.findIndex((s, j) => j < i && s.firstSeq === undefined);
    if (earlier !== -1) {
      this.settle(
        slot,
        false,
        `"${this.expect.messages[i].name}" matched at ${atMs} ms, before "${this.expect.messages[earlier].name}"`,
        r,
      );
    } else if (this.messageSlots.every((s) => s.firstSeq !== undefined)) {
      // Every rule has first matched, each in its turn: nothing can break the order now.
      this.settle(slot, true, 'in order', r);
    }
  }

  private onClose(r: Extract<ConnRecord, { kind: 'close' }>): void {
    const slot = this.closeSlot;
    if (!slot || slot.final || r.by === 'client') {
      return;
    }
    const rule = this.expect.close!;
    if (rule.ended !== undefined) {
      const ended = r.by === 'server' && r.clean;
      const how = ended ? 'the server ended the stream' : `the stream broke (${r.by}${r.reason ? `: ${r.reason}` : ''})`;
      this.settle(slot, ended === rule.ended, how, r);
      return;
    }
    const codes = rule.codes ?? [];
    const code = r.code ?? 1006;
    const ok = codes.includes(code);
    const said = `closed with ${code}${r.reason ? ` "${r.reason}"` : ''}${r.clean ? '' : ' (not clean)'}`;
    this.settle(slot, ok, ok ? said : `${said}, expected ${codes.join(' or ')}`, r);
  }

  /** The `withinMs` deadlines, from the open: a rule still without a match then fails. */
  private armWithin(): void {
    const deadlines = this.expect.messages
      .map((rule, i) => ({ rule, slot: this.messageSlots[i] }))
      .filter((x) => x.rule.withinMs !== undefined);
    if (!deadlines.length) {
      return;
    }
    const openedAt = this.openedAt!;
    const next = () => {
      const at = this.now() - openedAt;
      let soonest = Infinity;
      for (const { rule, slot } of deadlines) {
        if (slot.final || slot.firstSeq !== undefined) {
          continue;
        }
        if (at >= rule.withinMs!) {
          this.settleAt(slot, false, `no match within ${rule.withinMs} ms`, rule.withinMs!);
        } else {
          soonest = Math.min(soonest, rule.withinMs! - at);
        }
      }
      this.changed();
      if (this.slots.every((s) => s.final)) {
        this.finish({ reason: 'settled' });
      } else if (soonest !== Infinity) {
        this.withinTimers.value = disposableTimeout(next, soonest);
      }
    };
    this.withinTimers.value = disposableTimeout(next, Math.min(...deadlines.map((d) => d.rule.withinMs!)));
  }

  private elapsed(at: number): number {
    return Math.max(0, at - (this.openedAt ?? this.startedAt));
  }

  private hold(s: RuleSlot, detail: string, atMs: number, seq: number): void {
    s.state = { ...s.state, status: 'holding', detail, atMs, decidedBy: seq };
    this.dirty = true;
  }

  private settle(s: RuleSlot, ok: boolean, detail: string, r: ConnRecord): void {
    const state: RuleState = {
      name: s.state.name,
      status: ok ? 'passed' : 'failed',
      detail,
      atMs: this.elapsed(Date.parse(r.time)),
      decidedBy: r.seq,
    };
    if (!ok && r.kind === 'message') {
      state.evidence = r.data.length > EVIDENCE_CHARS ? r.data.slice(0, EVIDENCE_CHARS) + '…' : r.data;
    }
    this.commit(s, state);
  }

  private settleAt(s: RuleSlot, ok: boolean, detail: string, atMs: number): void {
    const state: RuleState = { name: s.state.name, status: ok ? 'passed' : 'failed', detail, atMs };
    if (ok && s.state.decidedBy !== undefined) {
      state.decidedBy = s.state.decidedBy;
    }
    this.commit(s, state);
  }

  private commit(s: RuleSlot, state: RuleState): void {
    s.state = state;
    s.final = true;
    this.dirty = true;
    this._onDidSettle.fire(toResult(state));
  }

  /** Tells the live view, once per observed record at most, and only when a state changed. */
  private changed(): void {
    if (this.dirty && this._onDidChange.hasListeners) {
      this.dirty = false;
      this._onDidChange.fire(this.states);
    }
  }
}

function toResult(s: RuleState): RuleResult {
  const out: RuleResult = { rule: s.name, ok: s.status === 'passed', detail: s.detail, atMs: s.atMs ?? 0 };
  if (s.decidedBy !== undefined) {
    out.decidedBy = s.decidedBy;
  }
  if (s.evidence !== undefined) {
    out.evidence = s.evidence;
  }
  return out;
}

function countDetail(n: number, c: { min?: number; max?: number }): string {
  if (c.max !== undefined && n > c.max) {
    return `${n} of max ${c.max}`;
  }
  if (c.min !== undefined && n < c.min) {
    return `${n} of min ${c.min}`;
  }
  const range =
    c.min !== undefined && c.max !== undefined ? `min ${c.min}, max ${c.max}` : c.min !== undefined ? `min ${c.min}` : `max ${c.max}`;
  return `${n} (${range})`;
}

function matchedDetail(n: number, min: number, max?: number): string {
  if (min <= 1 && max === undefined) {
    return n === 1 ? 'matched' : `${n} matched`;
  }
  return `${n} matched (${max === undefined ? `min ${min}` : `min ${min}, max ${max}`})`;
}

function missingDetail(n: number, min: number, ending: string): string {
  return n === 0 && min === 1 ? `no matching message ${ending}` : `${n} of min ${min} ${ending}`;
}
