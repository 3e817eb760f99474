/**
 * `run --junit FILE`: the results as JUnit XML in the shape the common CI viewers read (Jenkins'
 * JUnit plugin, Maven Surefire's report schema, the GitHub test-report actions): a `testsuites` root
 * with totals, one `testsuite` per profile, one `testcase` per rule, a `failure` for each rule that
 * did not hold. Everything is escaped; characters XML 1.0 cannot carry at all are dropped.
 */
import { hostname } from 'node:os';

export interface JunitCase {
  /** The rule's name. */
  name: string;
  ok: boolean;
  /** When it settled, ms after the stream opened. */
  atMs: number;
  detail: string;
  /** The start of the message that broke it. */
  evidence?: string;
  /** The seq of the record that decided it. */
  decidedBy?: number;
}

export interface JunitSuite {
  /** The profile's name. */
  name: string;
  /** The endpoint, credentials masked. */
  url: string;
  /** When the profile started. */
  startedAt: Date;
  durationMs: number;
  /** The stream never opened: every failure is about the connection. */
  notConnected: boolean;
  /** Not run (the run was interrupted first): every rule is listed as skipped. */
  skipped?: boolean;
  cases: JunitCase[];
}

/**
 * The document for `suites` (every text already masked by the caller). The root carries only the
 * totals Jenkins' junit-10 schema allows there (name, tests, failures, errors, time); skipped
 * counts and timestamps are on each testsuite.
 */
export function junitXml(suites: readonly JunitSuite[]): string {
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + (s.skipped ? 0 : s.cases.filter((c) => !c.ok).length), 0);
  const durationMs = suites.reduce((n, s) => n + s.durationMs, 0);
  const host = hostname() || 'localhost';
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name: 'realtime-inspector run', tests, failures, errors: 0, time: seconds(durationMs) })}>`);
  suites.forEach((s, id) => {
    const failed = s.skipped ? 0 : s.cases.filter((c) => !c.ok).length;
    out.push(
      `  <testsuite${attrs({
        name: s.name,
        tests: s.cases.length,
        failures: failed,
        errors: 0,
        skipped: s.skipped ? s.cases.length : 0,
        time: seconds(s.durationMs),
        timestamp: timestamp(s.startedAt),
        hostname: host,
        id,
        package: 'realtime-inspector',
      })}>`,
    );
    out.push('    <properties>');
    out.push(`      <property${attrs({ name: 'url', value: s.url })}/>`);
    out.push('    </properties>');
    for (const c of s.cases) {
      const head = `    <testcase${attrs({ name: c.name, classname: s.name, time: seconds(c.atMs) })}`;
      if (s.skipped) {
        out.push(`${head}>`, `      <skipped${attrs({ message: 'not run: the run was interrupted first' })}/>`, '    </testcase>');
        continue;
      }
      if (c.ok) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      const type = s.notConnected ? 'ConnectionError' : 'ContractFailure';
      out.push(`      <failure${attrs({ message: c.detail, type })}>${text(failureText(c, s.notConnected))}</failure>`);
      out.push('    </testcase>');
    }
    out.push('    <system-out/>');
    out.push('    <system-err/>');
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** The failure's body: the detail, the message that broke the rule, and where. */
function failureText(c: JunitCase, notConnected: boolean): string {
  const lines = [c.detail];
  if (c.evidence !== undefined) {
    lines.push(`message: ${c.evidence}`);
  }
  lines.push(
    `at ${c.atMs} ms after ${notConnected ? 'the start' : 'open'}${c.decidedBy !== undefined ? `, record seq ${c.decidedBy}` : ''}`,
  );
  return lines.join('\n');
}

/**
 * Characters XML 1.0 does not allow anywhere, not even escaped (C0 controls other than tab, LF and
 * CR; lone surrogates; U+FFFE and U+FFFF).
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlChars(s: string): string {
  return s.replace(NOT_XML, '');
}

/** Element content. `]]>` needs no care outside CDATA once `>` is escaped. */
function text(s: string): string {
  return xmlChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value: quotes escaped, and tabs and line breaks as references so parsers keep them. */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
}

/** Seconds with milliseconds, as the schemas want them (`1.234`). */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** ISO 8601 without a zone, in UTC, as Surefire's and Jenkins' schemas type it. */
function timestamp(d: Date): string {
  return d.toISOString().slice(0, 19);
}
