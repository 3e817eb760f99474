/**
 * A session's runs of its profile's `expect` rules: each connect the user asks for (Connect, Reconnect,
 * Run checks, Run again) starts a fresh {@link ContractCheck} on the session's connection through
 * {@link attachCheck}, which logs every settled rule and the summary as records; reconnects the
 * connection makes by itself stay in the same run. The connection stays open when a run ends: the
 * user is inspecting it. The live states go to the panel (`view`) and the Testing view (`onDidStart`).
 */
import type { Connection } from '../core/connection';
import { attachCheck, type AttachedCheck } from '../core/contracts/attach';
import { type CheckSummary, ContractCheck, type RuleResult, type RunEnd } from '../core/contracts/check';
import { type Expect, compileExpect, ruleNames } from '../core/contracts/expect';
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import type { ChecksView } from '../protocol';

/** How a run ended: finished (its summary), or stopped before the end (a new run replaced it, the session went). */
export type CheckRunOutcome = { finished: true; summary: CheckSummary } | { finished: false; reason: string };

/** One run, as the Testing view follows it. */
export interface CheckRun {
  readonly id: number;
  readonly profile: string;
  /** Every rule's name, in result order. */
  readonly rules: readonly string[];
  readonly done: Promise<CheckRunOutcome>;
  /** A rule settled (once per rule, as it happens). */
  readonly onDidSettle: Event<RuleResult>;
  /** The stream has opened since the run started (until then a settled rule may yet turn out "never connected"). */
  readonly opened: boolean;
  /** Ends the run before its end, logging nothing as failed (a cancelled test run, a new run). */
  stop(reason: string): void;
}

interface LiveRun extends CheckRun {
  readonly check: ContractCheck;
  readonly attached: AttachedCheck;
  readonly connection: Connection;
  readonly startedAt: number;
  readonly timeoutMs: number;
}

let nextRun = 1;

export class SessionChecks extends Disposable {
  private run: LiveRun | undefined;
  /** The profile and problem of an `expect` block that does not compile (shown instead of rules). */
  private problem: { profile: string; message: string } | undefined;

  private readonly _onDidChange = this._register(new Emitter<void>());
  /** The view changed: a rule's state, the run's start or end, the problem. */
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidStart = this._register(new Emitter<CheckRun>());
  /** A run started (its `done` says how it ended). */
  readonly onDidStart = this._onDidStart.event;

  constructor() {
    super();
    this._register({ dispose: () => this.run?.stop('the connection was removed') });
  }

  /** The run in progress or last finished, undefined when the session's profile has no `expect`. */
  get current(): CheckRun | undefined {
    return this.run;
  }

  /** The strip's view of the run, or undefined (no `expect`: no strip). */
  get view(): ChecksView | undefined {
    if (this.problem) {
      return { profile: this.problem.profile, rules: [], running: false, elapsedMs: 0, timeoutMs: 0, problem: this.problem.message };
    }
    const run = this.run;
    if (!run) {
      return undefined;
    }
    const summary = run.check.result;
    return {
      profile: run.profile,
      rules: run.check.states,
      running: !summary,
      elapsedMs: summary ? summary.durationMs : Math.max(0, Date.now() - run.startedAt),
      timeoutMs: run.timeoutMs,
      ...(summary
        ? { summary: { passed: summary.passed, failed: summary.failed, durationMs: summary.durationMs, end: endInWords(summary.end) } }
        : {}),
    };
  }

  /**
   * Starts a fresh run of `expect` on `connection` (before it connects or reconnects), replacing the
   * current one. An `expect` that does not compile runs nothing: the problem is shown in the strip
   * and the log. Returns the run, or undefined.
   */
  start(connection: Connection, expect: Expect, profile: string): CheckRun | undefined {
    this.run?.stop('a new run started');
    this.run = undefined;
    this.problem = undefined;
    let compiled;
    try {
      compiled = compileExpect(expect, connection.kind);
    } catch (err) {
      this.problem = { profile, message: (err as Error).message };
      connection.note(`Checks of "${profile}" not run: ${(err as Error).message}`);
      this._onDidChange.fire();
      return undefined;
    }
    const check = new ContractCheck(compiled);
    let settle!: (o: CheckRunOutcome) => void;
    const done = new Promise<CheckRunOutcome>((resolve) => (settle = resolve));
    const changes = check.onDidChange(() => this._onDidChange.fire());
    let opened = false;
    const opens = connection.onRecord((r) => {
      if (r.kind === 'open') {
        opened = true;
        opens.dispose();
      }
    });
    const settled = new Emitter<RuleResult>();
    const settles = check.onDidSettle((r) => settled.fire(r));
    const release = () => {
      changes.dispose();
      opens.dispose();
      settles.dispose();
      settled.dispose();
      attached.dispose();
      check.dispose();
    };
    const attached = attachCheck(connection, check, profile);
    const run: LiveRun = {
      id: nextRun++,
      profile,
      rules: ruleNames(compiled),
      done,
      onDidSettle: settled.event,
      get opened() {
        return opened;
      },
      check,
      attached,
      connection,
      startedAt: Date.now(),
      timeoutMs: compiled.timeoutMs,
      stop: (reason) => {
        if (check.isFinished) {
          return;
        }
        // Detached without finishing: rules left open are not logged as failures of a run nobody finished.
        release();
        connection.note(`Checks of "${profile}" stopped: ${reason}`);
        settle({ finished: false, reason });
      },
    };
    void attached.done.then((summary) => {
      release();
      settle({ finished: true, summary });
      if (this.run === run) {
        this._onDidChange.fire();
      }
    });
    this.run = run;
    this._onDidStart.fire(run);
    this._onDidChange.fire();
    return run;
  }

  /** The profile has no `expect` any more: the strip goes. */
  clear(): void {
    if (!this.run && !this.problem) {
      return;
    }
    this.run?.stop('the profile has no expect block any more');
    this.run = undefined;
    this.problem = undefined;
    this._onDidChange.fire();
  }
}

/** Why a run ended, for the strip's summary. */
export function endInWords(end: RunEnd): string {
  switch (end.reason) {
    case 'settled':
      return 'every rule settled';
    case 'timeout':
      return 'the timeout ran out';
    case 'ended':
      return 'the connection ended';
    case 'stopped':
      return 'stopped';
    case 'failed':
      return `the connection failed: ${end.message}`;
  }
}
