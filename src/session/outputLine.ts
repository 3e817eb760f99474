import { decodedTypeLabel } from '../core/decodedLabel';
import { describeMcpRecord } from '../core/mcp/describe';
import type { Redactor } from '../core/redactor';
import type { ConnRecord, TransportKind } from '../core/records';
import type { Log } from '../log';
import { continuityText, llmFigures, silenceText } from '../core/derivedText';

/** `vscode.LogLevel.Trace`: per-message lines are written only at this level. */
const TRACE_LEVEL = 1;

/** What a log line says of its session; read only when a line is written. */
export interface LoggedSession {
  readonly label: string;
  readonly kind: TransportKind | undefined;
  readonly redactor: Redactor;
}

export type OutputLevel = 'info' | 'warn' | 'error';

/**
 * The output channel's line for a record other than a message (masked already), after `tag`; undefined
 * for kinds the channel leaves out.
 */
export function outputLine(tag: string, r: ConnRecord, kind: TransportKind | undefined): { level: OutputLevel; text: string } | undefined {
  switch (r.kind) {
    case 'connecting':
      return {
        level: 'info',
        text: `${tag} connecting ${r.method ?? (kind === 'ws' ? 'WS' : 'GET')} ${r.url}${r.attempt ? ` (attempt ${r.attempt})` : ''}`,
      };
    case 'open':
      return {
        level: 'info',
        text: `${tag} open${r.status ? ` ${r.status} ${r.statusText ?? ''}` : ''}${r.protocol ? ` protocol=${r.protocol}` : ''}`,
      };
    case 'reconnecting':
      return {
        level: 'info',
        text: `${tag} reconnecting in ${r.delayMs} ms (attempt ${r.attempt}${r.maxAttempts === null ? '' : ` of ${r.maxAttempts}`})`,
      };
    case 'closing':
      return { level: 'info', text: `${tag} closing${r.code ? ` ${r.code}` : ''}${r.reason ? ` "${r.reason}"` : ''}` };
    case 'close':
      return {
        level: 'info',
        text: `${tag} closed by ${r.by}${r.code ? ` ${r.code}` : ''}${r.reason ? ` "${r.reason}"` : ''}${r.clean ? '' : ' (not clean)'}`,
      };
    case 'error':
      return { level: r.fatal ? 'error' : 'warn', text: `${tag} ${r.code}: ${r.message}` };
    case 'info':
      return { level: 'info', text: `${tag} ${r.message}` };
    case 'assertion':
      return { level: r.ok ? 'info' : 'warn', text: `${tag} ${r.ok ? 'passed' : 'failed'}: ${r.rule}${r.ok ? '' : ` (${r.detail})`}` };
    case 'summary':
      return { level: r.failed ? 'warn' : 'info', text: `${tag} checks of ${r.profile}: ${r.passed} passed, ${r.failed} failed` };
    case 'llm':
      return { level: r.complete ? 'info' : 'warn', text: `${tag} LLM response: ${llmFigures(r)}` };
    case 'continuity':
      return { level: r.status === 'resumed' ? 'info' : 'warn', text: `${tag} ${continuityText(r)}` };
    case 'silence':
      return { level: 'info', text: `${tag} ${silenceText(r.ms)}` };
    case 'mcp':
      return { level: r.isError || r.event === 'expired' ? 'warn' : 'info', text: `${tag} MCP ${describeMcpRecord(r)}` };
    default:
      return undefined;
  }
}

/**
 * Writes what a session's record says to the output channel: a message as one short trace line (built
 * only when the channel is at trace level, this is the per-message path), anything else masked field
 * by field before it becomes a line of text, like every other output.
 */
export function logRecord(log: Log, record: ConnRecord, session: LoggedSession): void {
  if (record.kind === 'message') {
    if (log.output.logLevel <= TRACE_LEVEL) {
      log.trace(`[${session.label}] ${messageLine(record, session.redactor)} ${record.size} B`);
    }
    return;
  }
  const line = outputLine(`[${session.label}]`, session.redactor.record(record), session.kind);
  if (line) {
    log[line.level](line.text);
  }
}

/**
 * What the trace line says a message is: a protocol adapter's reading as the log's type column shows
 * it (`event chat`, `publish sensors/1`; its label masked), else the SSE event type or the format.
 */
export function messageLine(record: Extract<ConnRecord, { kind: 'message' }>, redactor: Redactor): string {
  const decoded = decodedTypeLabel(record.decoded);
  if (decoded !== undefined) {
    return `${record.dir} ${record.decoded!.protocol} ${redactor.text(decoded)}`;
  }
  return `${record.dir} ${record.decoded?.type === 'invalid' ? `invalid ${record.decoded.protocol} ` : ''}${record.event ?? record.format}`;
}
