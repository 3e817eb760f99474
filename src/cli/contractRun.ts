/**
 * One profile's contract run for `realtime-inspector run`: connect, send the profile's messages
 * after every open, let the core's check decide each rule, then close cleanly (WebSocket close 1000,
 * the SSE request ended). Everything reported is masked by the connection's redactor first.
 */
import { DynamicValues } from '../core/workbench/placeholders';
import { type CheckSummary, ContractCheck, type RuleResult } from '../core/contracts/check';
import { attachCheck } from '../core/contracts/attach';
import type { CompiledExpect } from '../core/contracts/expect';
import { type Connection, createConnection } from '../core/index';
import type { ConnectionOptions } from '../core/options';
import type { SendPayload } from '../core/profileSend';
import type { AssertionRecord, ConnRecord } from '../core/records';

/** A profile checked, resolved and ready to connect. */
export interface PreparedProfile {
  name: string;
  kind: 'sse' | 'ws';
  options: ConnectionOptions;
  expect: CompiledExpect;
  sends: SendPayload[];
}

/** Where a run's progress goes (readable lines or `--json` records). Every value is masked. */
export interface RunReporter {
  started(profile: string, url: string): void;
  /** Every record of the connection, the assertion and summary records included. */
  record(profile: string, r: ConnRecord): void;
  /** A rule settled (after the record that decided it). */
  rule(profile: string, result: RuleResult): void;
  finished(outcome: ProfileOutcome): void;
  /** A send after open failed (the socket closed under it). */
  problem(profile: string, message: string): void;
}

export interface ProfileOutcome {
  name: string;
  /** The endpoint, credentials masked. */
  url: string;
  startedAt: Date;
  /** The results masked (details and evidence). */
  summary: CheckSummary;
  /** The stream never opened. */
  notConnected: boolean;
}

export interface ProfileRunHandle {
  readonly done: Promise<ProfileOutcome>;
  /** Ends the run now (Ctrl+C): rules not settled settle as they stand, then the connection closes. */
  stop(): void;
}

/**
 * Starts `p`'s run. `flow`, when given, is told of the connection while it lives, so output
 * back-pressure can pause its intake (as the connect command does) instead of growing memory.
 */
export function runProfile(p: PreparedProfile, reporter: RunReporter, flow?: Set<Connection>): ProfileRunHandle {
  const connection = createConnection(p.options);
  flow?.add(connection);
  const redactor = connection.redactor;
  const url = redactor.url(p.options.url);
  const startedAt = new Date();
  const check = new ContractCheck(p.expect);
  const mask = (r: RuleResult): RuleResult => {
    const out: RuleResult = { ...r, rule: redactor.field(r.rule), detail: redactor.field(r.detail) };
    if (r.evidence !== undefined) {
      out.evidence = redactor.field(r.evidence);
    }
    return out;
  };
  reporter.started(p.name, url);
  // Before connect(): the check's clock starts here, and it sees every record before the listener below.
  const attached = attachCheck(connection, check, p.name);
  const sub = connection.onRecord((record) => {
    reporter.record(p.name, redactor.record(record));
    if (record.kind === 'assertion') {
      reporter.rule(p.name, mask(resultOf(check, record)));
    } else if (record.kind === 'open') {
      sendAll(connection, p, reporter);
    }
  });
  connection.connect();
  const done = (async () => {
    const summary = await attached.done;
    await closeCleanly(connection, p.kind);
    sub.dispose();
    attached.dispose();
    check.dispose();
    flow?.delete(connection);
    connection.dispose();
    const outcome: ProfileOutcome = {
      name: p.name,
      url,
      startedAt,
      summary: { ...summary, results: summary.results.map(mask) },
      notConnected: !summary.opened,
    };
    reporter.finished(outcome);
    return outcome;
  })();
  return { done, stop: () => void check.finish({ reason: 'stopped' }) };
}

/** The rule's result with the evidence the assertion record leaves out (rule names are unique). */
function resultOf(check: ContractCheck, record: AssertionRecord): RuleResult {
  const state = check.states.find((s) => s.name === record.rule);
  const out: RuleResult = { rule: record.rule, ok: record.ok, detail: record.detail, atMs: record.atMs };
  if (record.decidedBy !== undefined) {
    out.decidedBy = record.decidedBy;
  }
  if (state?.evidence !== undefined) {
    out.evidence = state.evidence;
  }
  return out;
}

/** Each connection's dynamic values: `{{$seq}}` counts its sends across reconnects. */
const dynamics = new WeakMap<Connection, DynamicValues>();

/** The profile's `send`, in order, as the panel sends it after every open (dynamic values resolved now). */
function sendAll(connection: Connection, p: PreparedProfile, reporter: RunReporter): void {
  let dynamic = dynamics.get(connection);
  if (!dynamic) {
    dynamic = new DynamicValues();
    dynamics.set(connection, dynamic);
  }
  try {
    for (const s of p.sends) {
      if (!connection.canSend) {
        return;
      }
      if (s.type === 'text') {
        connection.sendText(dynamic.resolve(s.text));
      } else {
        connection.sendBinary(s.bytes);
      }
    }
  } catch (err) {
    reporter.problem(p.name, `cannot send: ${connection.redactor.text((err as Error).message)}`);
  }
}

/** Closes (WebSocket: 1000 and the server's answer, which the core waits for a bounded time) and waits for the end. */
function closeCleanly(connection: Connection, kind: 'sse' | 'ws'): Promise<void> {
  if (!connection.isActive) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const sub = connection.onDidChangeState(() => {
      if (!connection.isActive) {
        sub.dispose();
        resolve();
      }
    });
    connection.disconnect(kind === 'ws' ? 1000 : undefined);
    if (!connection.isActive) {
      sub.dispose();
      resolve();
    }
  });
}
