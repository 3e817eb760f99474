/**
 * The Testing view's "Realtime contracts": a test item per profile with an `expect` block and a child
 * per rule (`ruleNames`), kept in step with the profiles setting. Its Run profile runs the chosen
 * profiles' checks through Run Checks (each in its panel's session, so the panel, the log and this view
 * show the same run), one profile after another. Runs started elsewhere (the panel's Run again, a
 * Connect of a profile with `expect`) are reported here too, as runs of their own.
 */
import * as vscode from 'vscode';
import type { RuleResult } from '../core/contracts/check';
import { compileExpect, ruleNames } from '../core/contracts/expect';
import { Disposable, DisposableStore } from '../core/lifecycle';
import { profileTransport } from '../core/profile';
import type { ProfileStore } from '../profiles/profileStore';
import type { CheckRun } from '../session/checks';
import type { SessionRegistry } from '../session/registry';
import type { Session } from '../session/session';

export const CONTROLLER_ID = 'realtimeInspector.contracts';

/** Starts a profile's checks (Run Checks): the run, or why none started. */
export type StartChecks = (profile: string) => Promise<{ run: CheckRun } | { error: string }>;

/** What a finished report said, per item id (for tests: the Test API does not read results back). */
export interface ReportedOutcome {
  profile: string;
  /** `passed` / `failed` / `errored` / `skipped` per rule name, and the profile's own when errored. */
  rules: Record<string, 'passed' | 'failed' | 'errored' | 'skipped'>;
  errored?: string;
}

/** A run the Run profile asked for, waiting for its session's check to start. */
interface Claim {
  run: vscode.TestRun;
  reported?: Promise<void>;
}

export class ContractTests extends Disposable {
  readonly controller: vscode.TestController;
  /** The Run profile (its `runHandler` is what the Testing view's Run calls). */
  readonly runProfile: vscode.TestRunProfile;
  private readonly claims = new Map<string, Claim>();
  private readonly sessionSubs = new Map<string, DisposableStore>();
  /** Every report made, newest last (read by the extension tests). */
  readonly reported: ReportedOutcome[] = [];

  constructor(
    private readonly profiles: ProfileStore,
    sessions: SessionRegistry,
    private readonly startChecks: StartChecks,
  ) {
    super();
    this.controller = this._register(vscode.tests.createTestController(CONTROLLER_ID, 'Realtime contracts'));
    // Items are made when the Testing view first asks (or a run needs them): nothing is read at activation.
    this.controller.resolveHandler = () => this.sync();
    this.controller.refreshHandler = () => this.sync();
    this.runProfile = this._register(
      this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.runHandler(request, token), true),
    );
    this._register(profiles.onDidChange(() => this.sync()));
    for (const s of sessions.all) {
      this.watch(s);
    }
    this._register(sessions.onDidAdd((s) => this.watch(s)));
    this._register(
      sessions.onDidRemove((s) => {
        this.sessionSubs.get(s.id)?.dispose();
        this.sessionSubs.delete(s.id);
      }),
    );
    this._register({ dispose: () => [...this.sessionSubs.values()].forEach((d) => d.dispose()) });
  }

  /** Rebuilds the items from the profiles: one per profile with `expect`, a child per rule. */
  sync(): void {
    const items: vscode.TestItem[] = [];
    for (const { profile } of this.profiles.entries) {
      if (profile.expect === undefined) {
        continue;
      }
      const item = this.controller.createTestItem(profile.name, profile.name);
      item.description = profile.url;
      try {
        const names = ruleNames(compileExpect(profile.expect, profileTransport(profile)));
        item.children.replace(
          names.map((rule, i) => {
            const child = this.controller.createTestItem(ruleId(rule), rule);
            // The contract's order, not the view's alphabetical one.
            child.sortText = String(i).padStart(4, '0');
            return child;
          }),
        );
      } catch (err) {
        item.error = (err as Error).message;
      }
      items.push(item);
    }
    this.controller.items.replace(items);
  }

  private watch(session: Session): void {
    const subs = new DisposableStore();
    subs.add(session.checks.onDidStart((run) => this.onRunStarted(run)));
    this.sessionSubs.set(session.id, subs);
  }

  /** A run the Run profile asked for is reported into its test run; any other into one of its own. */
  private onRunStarted(run: CheckRun): void {
    const claim = this.claims.get(run.profile);
    if (claim && !claim.reported) {
      claim.reported = this.report(claim.run, run);
      return;
    }
    if (!this.controller.items.get(run.profile)) {
      this.sync();
    }
    const item = this.controller.items.get(run.profile);
    if (!item) {
      return;
    }
    const testRun = this.controller.createTestRun(new vscode.TestRunRequest([item]), `${run.profile} (panel)`, true);
    void this.report(testRun, run).finally(() => testRun.end());
  }

  private async runHandler(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (this.controller.items.size === 0) {
      this.sync();
    }
    const run = this.controller.createTestRun(request);
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const chosen = new Set<string>();
    for (const item of request.include ?? [...iterate(this.controller.items)]) {
      const profile = item.parent?.id ?? item.id;
      if (!excluded.has(profile)) {
        chosen.add(profile);
      }
    }
    try {
      for (const profile of chosen) {
        if (token.isCancellationRequested) {
          break;
        }
        const item = this.controller.items.get(profile);
        if (!item || item.error) {
          continue;
        }
        item.children.forEach((child) => run.enqueued(child));
        const claim: Claim = { run };
        this.claims.set(profile, claim);
        try {
          const started = await this.startChecks(profile);
          if ('error' in started) {
            this.errored(run, item, started.error);
            continue;
          }
          if (!claim.reported) {
            // Started before the claim was seen (should not happen): report it here.
            claim.reported = this.report(run, started.run);
          }
          const cancel = token.onCancellationRequested(() => started.run.stop('the test run was cancelled'));
          await claim.reported;
          cancel.dispose();
        } finally {
          this.claims.delete(profile);
        }
      }
    } finally {
      run.end();
    }
  }

  /**
   * Marks the rules started, then reports how each ended (or the profile errored, never connected).
   * Items are looked up when reported: the setting may change during a run (Add Check from Message
   * rebuilds them), and a rule the run has but the setting no longer has is left out.
   */
  private async report(run: vscode.TestRun, checkRun: CheckRun): Promise<void> {
    const first = this.controller.items.get(checkRun.profile);
    if (!first) {
      return;
    }
    const itemNow = () => this.controller.items.get(checkRun.profile) ?? first;
    const each = (fn: (child: vscode.TestItem, rule: string) => void) => {
      for (const rule of checkRun.rules) {
        const child = itemNow().children.get(ruleId(rule));
        if (child) {
          fn(child, rule);
        }
      }
    };
    run.started(first);
    each((child) => run.started(child));
    // Each rule as it settles, once the stream is open (before, a failure may yet be "never connected").
    const live = new Set<string>();
    const settles = checkRun.onDidSettle((r) => {
      const child = itemNow().children.get(ruleId(r.rule));
      if (child && checkRun.opened) {
        live.add(r.rule);
        this.reportRule(run, child, r);
      }
    });
    const outcome = await checkRun.done;
    settles.dispose();
    const item = itemNow();
    const reported: ReportedOutcome = { profile: checkRun.profile, rules: {} };
    if (!outcome.finished) {
      each((child, rule) => {
        run.skipped(child);
        reported.rules[rule] = 'skipped';
      });
      run.skipped(item);
    } else if (!outcome.summary.opened) {
      const why = outcome.summary.results[0]?.detail ?? 'the stream never opened';
      run.errored(item, new vscode.TestMessage(`${checkRun.profile} never connected: ${why}`));
      reported.errored = why;
      each((child, rule) => {
        run.errored(child, new vscode.TestMessage(why));
        reported.rules[rule] = 'errored';
      });
    } else {
      for (const r of outcome.summary.results) {
        const child = item.children.get(ruleId(r.rule));
        if (child && !live.has(r.rule)) {
          this.reportRule(run, child, r);
        }
        reported.rules[r.rule] = r.ok ? 'passed' : 'failed';
      }
      if (outcome.summary.failed) {
        run.failed(
          item,
          new vscode.TestMessage(`${outcome.summary.failed} of ${outcome.summary.results.length} rules failed`),
          outcome.summary.durationMs,
        );
      } else {
        run.passed(item, outcome.summary.durationMs);
      }
    }
    this.reported.push(reported);
  }

  /** A rule's result: the detail (and the data that broke it) as the message, its time as the duration. */
  private reportRule(run: vscode.TestRun, child: vscode.TestItem, r: RuleResult): void {
    if (r.ok) {
      run.passed(child, r.atMs);
    } else {
      const text = r.evidence !== undefined ? `${r.detail}\n\n${r.evidence}` : r.detail;
      run.failed(child, new vscode.TestMessage(text), r.atMs);
    }
  }

  private errored(run: vscode.TestRun, item: vscode.TestItem, message: string): void {
    run.errored(item, new vscode.TestMessage(message));
    const reported: ReportedOutcome = { profile: item.id, rules: {}, errored: message };
    item.children.forEach((child) => {
      run.errored(child, new vscode.TestMessage(message));
      reported.rules[child.label] = 'errored';
    });
    this.reported.push(reported);
  }
}

/** A rule's id: its name, unique among its profile's rules (ids need be unique among siblings only). */
function ruleId(rule: string): string {
  return `rule:${rule}`;
}

function* iterate(items: vscode.TestItemCollection): Iterable<vscode.TestItem> {
  const all: vscode.TestItem[] = [];
  items.forEach((i) => all.push(i));
  yield* all;
}
