/**
 * What `realtime-inspector run` prints. Readable: a line per profile as it starts, a line per rule as
 * it settles, a summary per profile and one in total; the connection's own records only when they
 * are errors (why it failed). `--json`: every record, one a line, as `realtime-inspector <url> --json`
 * prints them, the assertion and summary records included. Names, details and messages are escaped.
 */
import type { RuleResult } from '../core/contracts/check';
import type { ConnRecord } from '../core/records';
import { plainRecord } from '../core/receivedText';
import type { ProfileOutcome, RunReporter } from './contractRun';
import { escapeText, formatRecord, jsonLine, paint, type Style } from './format';
import type { OutputWriter } from './output';

/** `412 ms` below a second, `1.2 s` above. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** How the check words a rule that could not run because the stream never opened. */
const NOT_CONNECTED = 'not connected: ';

/** How much of the message that broke a rule a readable line quotes. */
const EVIDENCE_LINE_CHARS = 200;

export class ReadableReporter implements RunReporter {
  constructor(
    private readonly out: OutputWriter,
    private readonly style: Style,
    /** Several profiles at once: every line starts with its profile's name. */
    private readonly prefixed: boolean,
  ) {}

  private esc(s: string): string {
    return escapeText(s, this.style);
  }

  private line(profile: string, text: string): void {
    this.out.write(`${this.prefixed ? paint(this.style, 'grey', `[${this.esc(profile)}]`) + ' ' : ''}${text}\n`);
  }

  started(profile: string, url: string): void {
    // With the profile's name in front of every line, the start line need not say it again.
    const name = this.prefixed ? '▶' : '▶ ' + this.esc(profile);
    this.line(profile, `${paint(this.style, 'bold', name)}  ${paint(this.style, 'grey', this.esc(url))}`);
  }

  record(profile: string, r: ConnRecord): void {
    if (r.kind === 'error') {
      for (const l of formatRecord(r, this.style).split('\n')) {
        this.line(profile, `  ${l}`);
      }
    }
  }

  rule(profile: string, r: RuleResult): void {
    const name = this.esc(r.rule);
    if (r.ok) {
      this.line(profile, `  ${paint(this.style, 'green', '✓')} ${name} ${paint(this.style, 'grey', `${r.atMs} ms`)}`);
      return;
    }
    // Not connected: the error line above says why, once; each rule says only that it could not run.
    const detail = r.detail.startsWith(NOT_CONNECTED) ? 'not connected' : r.detail;
    this.line(
      profile,
      `  ${paint(this.style, 'red', '✗')} ${name}: ${paint(this.style, 'red', this.esc(detail))} ${paint(this.style, 'grey', `(${r.atMs} ms)`)}`,
    );
    if (r.evidence !== undefined) {
      const quoted = r.evidence.length > EVIDENCE_LINE_CHARS ? r.evidence.slice(0, EVIDENCE_LINE_CHARS) + '…' : r.evidence;
      const seq = r.decidedBy !== undefined ? ` (seq ${r.decidedBy})` : '';
      this.line(profile, `      ${paint(this.style, 'grey', 'message' + seq + ':')} ${this.esc(quoted)}`);
    }
  }

  finished(o: ProfileOutcome): void {
    const s = o.summary;
    const color = s.failed ? 'red' : 'green';
    const tail = o.notConnected ? ' (not connected)' : '';
    this.line(o.name, `  ${paint(this.style, color, `${s.passed} passed, ${s.failed} failed`)} in ${duration(s.durationMs)}${tail}`);
  }

  problem(profile: string, message: string): void {
    this.line(profile, `  ${paint(this.style, 'red', this.esc(message))}`);
  }

  /** The last line: every profile's rules together, and the profiles that failed. */
  total(outcomes: readonly ProfileOutcome[], durationMs: number, notRun: number): void {
    const passed = outcomes.reduce((n, o) => n + o.summary.passed, 0);
    const failed = outcomes.reduce((n, o) => n + o.summary.failed, 0);
    const bad = outcomes.filter((o) => o.summary.failed > 0).map((o) => this.esc(o.name));
    const profiles = `${outcomes.length} profile${outcomes.length === 1 ? '' : 's'}`;
    let text = `${profiles}: ${paint(this.style, failed ? 'red' : 'green', `${passed} passed, ${failed} failed`)} in ${duration(durationMs)}`;
    if (bad.length) {
      text += ` (failed: ${bad.join(', ')})`;
    }
    if (notRun) {
      text += `; interrupted, ${notRun} not run`;
    }
    this.out.write(`${outcomes.length > 0 ? '\n' : ''}${paint(this.style, 'bold', 'Total')} ${text}\n`);
  }
}

export class JsonReporter implements RunReporter {
  constructor(
    private readonly out: OutputWriter,
    private readonly err: OutputWriter,
    /**
     * Several profiles at once: the connection's records carry `profile` too (assertion and summary
     * records always do), so interleaved lines can be told apart.
     */
    private readonly tagged: boolean,
  ) {}

  started(): void {}

  record(profile: string, r: ConnRecord): void {
    const tagged =
      this.tagged && r.kind !== 'assertion' && r.kind !== 'summary' ? ({ profile, ...plainRecord(r) } as unknown as ConnRecord) : r;
    this.out.write(jsonLine(tagged) + '\n');
  }

  rule(): void {}

  finished(): void {}

  problem(profile: string, message: string): void {
    this.err.write(`realtime-inspector: ${escapeText(profile)}: ${escapeText(message)}\n`);
  }
}
