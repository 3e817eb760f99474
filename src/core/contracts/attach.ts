/**
 * Runs a {@link ContractCheck} on a {@link Connection}: every record goes to the check, every rule that
 * settles becomes an `assertion` record in the connection's log (and the end a `summary`), and the
 * check finishes when the connection ends for good. The CLI's `run` and the panel's Checks share it.
 */
import type { Connection } from '../connection';
import type { IDisposable } from '../lifecycle';
import type { CheckSummary, ContractCheck } from './check';

export interface AttachedCheck extends IDisposable {
  /** Resolves once the check finished and its summary record is in the log. */
  readonly done: Promise<CheckSummary>;
}

/**
 * Ties `check` to `connection` for the profile named `profile`. Call before `connection.connect()`
 * (the check's clock starts here). A result is logged after the record that decided it (in a
 * microtask, so every listener has seen that record first). Disposing detaches without finishing.
 */
export function attachCheck(connection: Connection, check: ContractCheck, profile: string): AttachedCheck {
  let resolveDone!: (s: CheckSummary) => void;
  const done = new Promise<CheckSummary>((resolve) => (resolveDone = resolve));
  let attached = true;
  const later = (fn: () => void) =>
    queueMicrotask(() => {
      if (attached) {
        fn();
      }
    });
  const subs: IDisposable[] = [
    connection.onRecord((r) => {
      if (r.kind !== 'assertion' && r.kind !== 'summary') {
        check.observe(r);
      }
    }),
    connection.onDidChangeState((status) => {
      if (status.state === 'failed') {
        check.finish({
          reason: 'failed',
          message: status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : 'the connection failed',
        });
      } else if (status.state === 'closed') {
        // A close may be followed at once by a reconnect: decide once the transition has settled.
        setImmediate(() => {
          if (attached && connection.state === 'closed') {
            check.finish({ reason: 'ended' });
          }
        });
      }
    }),
    check.onDidSettle((result) =>
      later(() => {
        connection.annotate({
          kind: 'assertion',
          profile,
          rule: result.rule,
          ok: result.ok,
          detail: result.detail,
          atMs: result.atMs,
          ...(result.decidedBy !== undefined ? { decidedBy: result.decidedBy } : {}),
        });
      }),
    ),
    check.onDidFinish((summary) =>
      later(() => {
        connection.annotate({ kind: 'summary', profile, passed: summary.passed, failed: summary.failed, durationMs: summary.durationMs });
        resolveDone(summary);
      }),
    ),
  ];
  check.start();
  return {
    done,
    dispose() {
      attached = false;
      subs.forEach((s) => s.dispose());
    },
  };
}
