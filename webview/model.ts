// Over 400 lines: the records and their filtered view share one index (view, folds, type and keep-alive counts) that every append, trim and filter change keeps in step.
/**
 * The webview's own copy of the log and the filtered view of it. DOM-free.
 *
 * Filtering must stay well under 100 ms over 100,000 records. Plain text is matched without building
 * any per-record string: needles without letters with `includes`, others with a case-insensitive
 * regex run over the record's fields in place (no lowercase copies, no allocation per record).
 * Appends are filtered incrementally. Rows that are not messages are matched on the text their row
 * shows (`previewOf`). Repeated unchanged `retry:` records are folded (`retryFold.ts`): kept here, no
 * row of their own.
 */
import type { ConnRecord } from '../src/protocol';
import { directionOf, filterType, isKeepAlive, previewOf, typeLabel } from './format/labels';
import { RetryFolds } from './retryFold';

export type Dir = 'in' | 'out' | 'system';

export interface FilterSpec {
  /** Plain text (case-insensitive), or `/regex/flags`. */
  text: string;
  /** Directions shown. */
  dirs: Record<Dir, boolean>;
  /** Type column values hidden (unticked in the type list); a type not seen yet is shown. */
  hiddenTypes: string[];
  /** Hides the control frames: {@link CONTROL_KINDS}. */
  hideControl: boolean;
  /** Hides a protocol's keep-alive messages (`decoded.keepAlive`: Engine.IO pings, MQTT PINGREQ, STOMP heart-beats…). */
  hideKeepAlive: boolean;
  /** Shows only continuity findings ({@link FINDING_KINDS}: resumed, gap, duplicate, restarted), as far as the rest lets them through. */
  findingsOnly: boolean;
}

export const NO_FILTER: Readonly<FilterSpec> = Object.freeze({
  text: '',
  dirs: { in: true, out: true, system: true },
  hiddenTypes: [],
  hideControl: false,
  hideKeepAlive: false,
  findingsOnly: false,
});

/** The filter of a new panel: everything shown but a protocol's keep-alive traffic. */
export const DEFAULT_FILTER: Readonly<FilterSpec> = Object.freeze({ ...NO_FILTER, hideKeepAlive: true });

/** The record kinds "Hide control frames" hides: WebSocket ping and pong, SSE `retry:` and comment (keep-alive) lines. */
export const CONTROL_KINDS: ReadonlySet<ConnRecord['kind']> = new Set(['ping', 'pong', 'retry', 'comment']);

/** The record kinds "Only continuity findings" shows: every `continuity` record, a resume that went well included. */
export const FINDING_KINDS: ReadonlySet<ConnRecord['kind']> = new Set(['continuity']);

/** A copy of `spec` that shares nothing with it. */
export function copySpec(spec: FilterSpec): FilterSpec {
  return {
    text: spec.text,
    dirs: { ...spec.dirs },
    hiddenTypes: [...spec.hiddenTypes],
    hideControl: spec.hideControl,
    hideKeepAlive: spec.hideKeepAlive === true,
    findingsOnly: spec.findingsOnly === true,
  };
}

export type TextMatcher =
  | { kind: 'none' }
  /** `re` is the escaped needle with `i`; `plain` is set when case cannot matter (no letters). */
  | { kind: 'text'; re: RegExp; plain?: string }
  | { kind: 'regex'; re: RegExp };

/** Parses the filter box: `/re/flags` is a regex, anything else plain text. Never throws. */
export function compileText(text: string): { ok: true; matcher: TextMatcher } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (!trimmed) {
    return { ok: true, matcher: { kind: 'none' } };
  }
  const m = /^\/(.+)\/([a-z]*)$/s.exec(trimmed);
  if (m) {
    // `g` and `y` would make test() stateful across records.
    const flags = m[2].replace(/[gy]/g, '');
    try {
      return { ok: true, matcher: { kind: 'regex', re: new RegExp(m[1], flags) } };
    } catch (e) {
      const message = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : 'invalid regular expression';
      return { ok: false, error: message };
    }
  }
  const re = new RegExp(trimmed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'i');
  const caseless = trimmed.toLowerCase() === trimmed.toUpperCase();
  return { ok: true, matcher: { kind: 'text', re, plain: caseless ? trimmed : undefined } };
}

/** Chars of a record's data searched; the rest of a huge message is not (keeps filtering bounded). */
export const SEARCH_CHARS = 64 * 1024;

/** A decoded message's fields the text filter matches besides its label (which the type column shows). */
const DECODED_NAMES = ['event', 'topic', 'method', 'target', 'destination'] as const;

/** The searchable text of a record: its type column and what its row shows (a message: its data). */
export function searchText(r: ConnRecord): string {
  if (r.kind === 'message') {
    return `${typeLabel(r)}\u0001${r.id ?? ''}\u0001${capped(r.data)}`;
  }
  return `${r.kind}\u0001\u0001${previewOf(r, SEARCH_CHARS)}`;
}

function capped(data: string): string {
  return data.length > SEARCH_CHARS ? data.slice(0, SEARCH_CHARS) : data;
}

function matches(m: Exclude<TextMatcher, { kind: 'none' }>, text: string): boolean {
  return m.kind === 'text' && m.plain !== undefined ? text.includes(m.plain) : m.re.test(text);
}

/** True when `next` can only hide rows `prev` shows: same directions and types, plain text extended. */
function narrows(prevSpec: FilterSpec, prev: TextMatcher, nextSpec: FilterSpec, next: TextMatcher): boolean {
  const a = prevSpec.dirs;
  const b = nextSpec.dirs;
  if (
    a.in !== b.in ||
    a.out !== b.out ||
    a.system !== b.system ||
    prevSpec.hideControl !== nextSpec.hideControl ||
    prevSpec.hideKeepAlive !== nextSpec.hideKeepAlive ||
    prevSpec.findingsOnly !== nextSpec.findingsOnly
  ) {
    return false;
  }
  const hidden = new Set(prevSpec.hiddenTypes);
  if (hidden.size !== nextSpec.hiddenTypes.length || !nextSpec.hiddenTypes.every((t) => hidden.has(t))) {
    return false;
  }
  if (next.kind !== 'text' || (prev.kind !== 'text' && prev.kind !== 'none')) {
    return false;
  }
  return prev.kind === 'none' || nextSpec.text.trim().toLowerCase().includes(prevSpec.text.trim().toLowerCase());
}

/** What one record contributes to the counters. */
export interface ModelChange {
  /** Records appended that pass the filter. */
  visibleAdded: number;
  /** Records removed from the front (cap), visible ones among them. */
  removed: number;
  visibleRemoved: number;
}

export class RecordModel {
  /** All records kept, oldest first. */
  private records: ConnRecord[] = [];
  /** Indices into `records` that have a row (pass the filter, not folded), or undefined when all do. */
  private view: number[] | undefined;
  private spec: FilterSpec = copySpec(DEFAULT_FILTER);
  private matcher: TextMatcher = { kind: 'none' };
  private hiddenTypes: ReadonlySet<string> = new Set();
  private readonly folds = new RetryFolds();
  private readonly typeCounts = new Map<string, number>();
  /** Keep-alive records held: while there are none, "Hide keep-alive" hides nothing (and the view needs no index). */
  private keepAlives = 0;
  /** Records this view removed itself to stay under `maxRecords`. */
  viewDropped = 0;

  /** @param maxRecords most records the webview keeps; older ones go in chunks. */
  constructor(private readonly maxRecords = 200_000) {}

  get total(): number {
    return this.records.length;
  }

  /** Rows the log shows. */
  get count(): number {
    return this.view ? this.view.length : this.records.length;
  }

  /** True when the user's filter hides anything (folded retries alone are not filtering). */
  get filtering(): boolean {
    return !this.showsAll;
  }

  /** The oldest record kept, filtered or not (the base of relative times). */
  get first(): ConnRecord | undefined {
    return this.records[0];
  }

  /** The record behind visible row `row`. */
  at(row: number): ConnRecord | undefined {
    return this.records[this.view ? this.view[row] : row];
  }

  /** Visible row of the record with `seq`, or -1. Binary search: records are in seq order. */
  rowOfSeq(seq: number): number {
    const idx = this.indexOfSeq(seq);
    if (idx < 0) {
      return -1;
    }
    if (!this.view) {
      return idx;
    }
    let lo = 0;
    let hi = this.view.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.view[mid];
      if (v === idx) {
        return mid;
      }
      if (v < idx) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  bySeq(seq: number): ConnRecord | undefined {
    const i = this.indexOfSeq(seq);
    return i < 0 ? undefined : this.records[i];
  }

  private indexOfSeq(seq: number): number {
    let lo = 0;
    let hi = this.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.records[mid].seq;
      if (s === seq) {
        return mid;
      }
      if (s < seq) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  /** How many distinct type column values there are (cheap; `types()` sorts). */
  get typeCount(): number {
    return this.typeCounts.size;
  }

  /** Type column values seen, most frequent first (for the type filter). */
  types(): string[] {
    return [...this.typeCounts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map((e) => e[0]);
  }

  get filter(): FilterSpec {
    return this.spec;
  }

  /** Applies a filter. An invalid regex returns its error and filters by the other criteria only. */
  setFilter(spec: FilterSpec): { error?: string } {
    const prev = { spec: this.spec, matcher: this.matcher };
    this.spec = copySpec(spec);
    this.hiddenTypes = new Set(spec.hiddenTypes);
    const compiled = compileText(spec.text);
    this.matcher = compiled.ok ? compiled.matcher : { kind: 'none' };
    if (this.view && narrows(prev.spec, prev.matcher, this.spec, this.matcher)) {
      // Typing on: every record the new text matches, the old text matched too, so only the rows
      // shown now need testing.
      const view = this.view;
      let k = 0;
      for (let j = 0; j < view.length; j++) {
        if (this.passes(view[j])) {
          view[k++] = view[j];
        }
      }
      view.length = k;
    } else {
      this.rebuildView();
    }
    return compiled.ok ? {} : { error: compiled.error };
  }

  /** The filter lets every record through. */
  private get showsAll(): boolean {
    const d = this.spec.dirs;
    return (
      this.matcher.kind === 'none' &&
      d.in &&
      d.out &&
      d.system &&
      this.hiddenTypes.size === 0 &&
      !this.spec.hideControl &&
      !this.spec.findingsOnly &&
      !(this.spec.hideKeepAlive && this.keepAlives > 0)
    );
  }

  private rebuildView(): void {
    if (this.showsAll && this.folds.hidden === 0) {
      this.view = undefined;
      return;
    }
    const view: number[] = [];
    const n = this.records.length;
    for (let i = 0; i < n; i++) {
      if (this.passes(i)) {
        view.push(i);
      }
    }
    this.view = view;
  }

  private passes(i: number): boolean {
    const r = this.records[i];
    const { dirs, hideControl } = this.spec;
    if (!dirs[directionOf(r)] || this.folds.isFolded(r)) {
      return false;
    }
    if (
      (this.spec.findingsOnly && !FINDING_KINDS.has(r.kind)) ||
      (hideControl && CONTROL_KINDS.has(r.kind)) ||
      (this.spec.hideKeepAlive && isKeepAlive(r)) ||
      (this.hiddenTypes.size > 0 && this.hiddenTypes.has(filterType(r)))
    ) {
      return false;
    }
    const m = this.matcher;
    if (m.kind === 'none') {
      return true;
    }
    if (r.kind === 'message') {
      // Fields in place: no concatenation, no copies.
      return (
        matches(m, capped(r.data)) ||
        matches(m, typeLabel(r)) ||
        (r.id !== undefined && matches(m, r.id)) ||
        (r.decoded !== undefined && DECODED_NAMES.some((k) => typeof r.decoded![k] === 'string' && matches(m, r.decoded![k] as string)))
      );
    }
    return matches(m, searchText(r));
  }

  /** Replaces everything (an `init`). */
  replace(records: ConnRecord[]): void {
    this.records = records.slice();
    this.typeCounts.clear();
    this.keepAlives = 0;
    this.folds.clear();
    this.viewDropped = 0;
    for (const r of this.records) {
      this.countType(r);
      this.folds.add(r);
    }
    this.trim();
    this.rebuildView();
  }

  clear(): void {
    this.records = [];
    this.typeCounts.clear();
    this.keepAlives = 0;
    this.folds.clear();
    this.viewDropped = 0;
    this.rebuildView();
  }

  private countType(r: ConnRecord): void {
    if (isKeepAlive(r)) {
      this.keepAlives++;
    }
    const t = filterType(r);
    this.typeCounts.set(t, (this.typeCounts.get(t) ?? 0) + 1);
  }

  /** Appends a batch (seq order); records already held (seq not newer) are ignored. */
  append(batch: readonly ConnRecord[]): ModelChange {
    const lastSeq = this.records.length ? this.records[this.records.length - 1].seq : -Infinity;
    const before = this.count;
    for (const r of batch) {
      if (r.seq <= lastSeq) {
        continue;
      }
      const i = this.records.push(r) - 1;
      this.countType(r);
      const folded = this.folds.add(r);
      if (!this.view && (folded || (this.spec.hideKeepAlive && isKeepAlive(r)))) {
        // The first folded (or hidden keep-alive) record: from now on not every record has a row.
        this.rebuildView();
      } else if (this.view && this.passes(i)) {
        this.view.push(i);
      }
    }
    const added = this.count - before;
    const { removed, visibleRemoved } = this.trim();
    return { visibleAdded: added, removed, visibleRemoved };
  }

  /**
   * Keeps at most `maxRecords`, dropping the oldest in chunks (a tenth of the cap at once) so the
   * O(n) re-index runs rarely.
   */
  private trim(): { removed: number; visibleRemoved: number } {
    if (this.records.length <= this.maxRecords) {
      return { removed: 0, visibleRemoved: 0 };
    }
    const removed = this.records.length - this.maxRecords + Math.floor(this.maxRecords / 10);
    for (let i = 0; i < removed; i++) {
      if (isKeepAlive(this.records[i])) {
        this.keepAlives--;
      }
      const t = filterType(this.records[i]);
      const c = (this.typeCounts.get(t) ?? 1) - 1;
      if (c > 0) {
        this.typeCounts.set(t, c);
      } else {
        this.typeCounts.delete(t);
      }
    }
    const gone = this.records.splice(0, removed);
    const promoted = this.folds.trimmed(gone, this.records);
    this.viewDropped += removed;
    let visibleRemoved = removed;
    if (this.view) {
      let k = 0;
      while (k < this.view.length && this.view[k] < removed) {
        k++;
      }
      visibleRemoved = k;
      const next = new Array<number>(this.view.length - k);
      for (let j = k; j < this.view.length; j++) {
        next[j - k] = this.view[j] - removed;
      }
      this.view = next;
      if (promoted) {
        // A folded run lost its head: its oldest record left has the row now.
        this.rebuildView();
      }
    }
    return { removed, visibleRemoved };
  }
}
