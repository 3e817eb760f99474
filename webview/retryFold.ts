/**
 * Folding of repeated `retry:` fields. sse-starlette (and others) send the same `retry:` before every
 * event, which fills half the log with one line. The view folds each run of an unchanged retry into
 * its first record: the later ones stay in the model (and in the store, the export and the CLI) but
 * get no row, and the first one's row counts them ("retry: 1000 ms ×37"). A different value, or a new
 * connection attempt, starts a new run. DOM-free.
 */
import type { ConnRecord } from '../src/protocol';

type RetryRecord = Extract<ConnRecord, { kind: 'retry' }>;

/** A run of retry records with one value: the record that has the row, and how many the run holds. */
interface Fold {
  head: RetryRecord;
  count: number;
}

/** Where a head keeps its run's length for the row renderer: a symbol, so no JSON or export sees it. */
const REPEATS = Symbol('repeats');
type Counted = RetryRecord & { [REPEATS]?: number };

/** How many records the row of `r` stands for (1 unless `r` heads a folded run). */
export function repeatsOf(r: ConnRecord): number {
  return r.kind === 'retry' ? ((r as Counted)[REPEATS] ?? 1) : 1;
}

export class RetryFolds {
  /** Each folded record's run (heads included). */
  private readonly runs = new WeakMap<ConnRecord, Fold>();
  /** The run a next retry of the same value joins. */
  private open: Fold | undefined;
  /** Records in the model that are folded away (have no row). */
  hidden = 0;

  /** True when `r` has no row of its own. */
  isFolded(r: ConnRecord): boolean {
    if (r.kind !== 'retry') {
      return false;
    }
    const run = this.runs.get(r);
    return run !== undefined && run.head !== r;
  }

  /** Takes in the next record; true when it folds into the run before it (it gets no row). */
  add(r: ConnRecord): boolean {
    if (r.kind === 'connecting') {
      this.open = undefined;
      return false;
    }
    if (r.kind !== 'retry') {
      return false;
    }
    const run = this.open;
    if (run && run.head.ms === r.ms) {
      run.count++;
      (run.head as Counted)[REPEATS] = run.count;
      this.runs.set(r, run);
      this.hidden++;
      return true;
    }
    this.open = { head: r, count: 1 };
    this.runs.set(r, this.open);
    return false;
  }

  /**
   * The oldest records went (`removed`, oldest first; `rest` what stays): a run whose head went is
   * headed by its oldest record left. Returns that record when one got its row back.
   */
  trimmed(removed: readonly ConnRecord[], rest: readonly ConnRecord[]): ConnRecord | undefined {
    const cut = new Map<Fold, number>();
    for (const r of removed) {
      const run = r.kind === 'retry' ? this.runs.get(r) : undefined;
      if (run) {
        cut.set(run, (cut.get(run) ?? 0) + 1);
        if (run.head !== r) {
          this.hidden--;
        }
      }
    }
    let promoted: ConnRecord | undefined;
    for (const [run, gone] of cut) {
      run.count -= gone;
      if (run.count <= 0) {
        if (this.open === run) {
          this.open = undefined;
        }
        continue;
      }
      // The run lives on in `rest`: its oldest record there becomes its head.
      const head = rest.find((r): r is RetryRecord => r.kind === 'retry' && this.runs.get(r) === run);
      if (head) {
        run.head = head;
        (head as Counted)[REPEATS] = run.count;
        this.hidden--;
        promoted = head;
      }
    }
    return promoted;
  }

  clear(): void {
    this.open = undefined;
    this.hidden = 0;
  }
}
