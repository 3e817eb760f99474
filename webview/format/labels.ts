/** What the log and the badge say of a record or a connection state. DOM-free and total. */
import type { ConnRecord, ConnectionStatus } from '../../src/protocol';
import { decodedType, decodedTypeLabel, isInvalidDecoded } from '../../src/core/decodedLabel';
import { continuityText, llmFigures, silenceText } from '../../src/core/derivedText';
import { describeMcpRecord } from '../../src/core/mcp/describe';
import { base64ToBytes } from '../../src/core/payloadText';
import { repeatsOf } from '../retryFold';
import { hexPreview, printableText } from './bytes';
import { PREVIEW_CHARS, clip, escapeControl } from './text';
import { clockTime, formatDelay } from './time';

const numberFormat = new Intl.NumberFormat('en-US');

/**
 * The log's "type" column: a protocol adapter's reading (`event chat`, `response tools/list 12 ms`), the
 * SSE event type, `text`/`binary` for WS messages, else the record kind. A frame its protocol could
 * not read shows as a plain message, with a warning mark.
 */
export function typeLabel(record: ConnRecord): string {
  if (record.kind === 'message') {
    const decoded = decodedTypeLabel(record.decoded);
    if (decoded !== undefined) {
      return decoded;
    }
    if (isInvalidDecoded(record.decoded)) {
      return `${INVALID_MARK} ${plainType(record)}`;
    }
  }
  return plainType(record);
}

/** The mark of a message its protocol could not read. */
export const INVALID_MARK = '⚠';

/** What the types list filters on: the decoded type alone (`event`, `publish`), else the type column. */
export function filterType(record: ConnRecord): string {
  return (record.kind === 'message' && decodedType(record.decoded)) || plainType(record);
}

/** Keep-alive traffic of a protocol (Engine.IO pings, MQTT PINGREQ…): hidden by "Hide keep-alive". */
export function isKeepAlive(record: ConnRecord): boolean {
  return record.kind === 'message' && record.decoded?.keepAlive === true;
}

function plainType(record: ConnRecord): string {
  if (record.kind === 'message') {
    if (record.event !== undefined) {
      return record.event || 'message';
    }
    return record.format === 'binary' ? 'binary' : 'text';
  }
  return record.kind;
}

export function directionOf(record: ConnRecord): 'in' | 'out' | 'system' {
  switch (record.kind) {
    case 'message':
    case 'ping':
    case 'pong':
      return record.dir;
    case 'comment':
    case 'retry':
      return 'in';
    default:
      return 'system';
  }
}

/** Bytes the record stands for, when it carries data. */
export function sizeOf(record: ConnRecord): number | undefined {
  switch (record.kind) {
    case 'message':
    case 'ping':
    case 'pong':
      return record.size;
    case 'comment':
      return record.text.length;
    default:
      return undefined;
  }
}

/** The ID column: the SSE event's id, else the id a protocol reading names (GraphQL operation, JSON-RPC request, ack). */
export function idOf(record: ConnRecord): string {
  if (record.kind !== 'message') {
    return '';
  }
  if (record.id !== undefined) {
    return record.id;
  }
  const id = record.decoded && (record.decoded.id ?? record.decoded.ackId ?? record.decoded.invocationId ?? record.decoded.packetId);
  return typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '';
}

/** Quotes a close/error reason the way the badge shows it. */
export function quoted(text: string | undefined): string {
  return text ? ` "${escapeControl(clip(text, 120))}"` : '';
}

/** Attempt counter: "attempt 2 of 10" or "attempt 2". */
export function attemptText(attempt: number, max: number | null): string {
  return max === null ? `attempt ${attempt}` : `attempt ${attempt} of ${max}`;
}

/**
 * The log's one-line preview: controls, bidi and line ends made visible, clipped to `max` chars. The
 * text filter matches what this returns for every row that is not a message (with a larger `max`), so
 * what a row shows is what a search finds.
 */
export function previewOf(record: ConnRecord, max = PREVIEW_CHARS): string {
  switch (record.kind) {
    case 'message':
      if (record.format === 'binary') {
        return `${hexPreview(record.data)}${record.size > 24 ? ' …' : ''}`;
      }
      return escapeControl(clip(record.data, max));
    case 'comment':
      return escapeControl(clip(`: ${record.text}`, max));
    case 'retry': {
      const repeats = repeatsOf(record);
      return `retry: ${record.ms} ms${repeats > 1 ? ` ×${numberFormat.format(repeats)}` : ''}`;
    }
    case 'ping':
    case 'pong': {
      const auto = `${record.auto ? ' (automatic)' : ''}${record.rttMs !== undefined ? ` · RTT ${record.rttMs} ms` : ''}`;
      if (!record.size) {
        return `no payload${auto}`;
      }
      // Ping payloads are at most 125 bytes: a text one ("hb-1") reads as text, its hex after it.
      const bytes = base64ToBytes(record.data);
      const text = bytes && printableText(bytes);
      return `${text === undefined ? '' : `${escapeControl(clip(JSON.stringify(text)))} · `}${hexPreview(record.data)}${auto}`;
    }
    case 'connecting':
      return escapeControl(
        clip(
          `${record.method ? record.method + ' ' : ''}${record.url}${record.attempt ? ` — ${attemptText(record.attempt, null)}` : ''}`,
          max,
        ),
      );
    case 'open': {
      const parts: string[] = [];
      if (record.status !== undefined) {
        parts.push(`${record.status} ${record.statusText ?? ''}`.trim());
      }
      if (record.protocol) {
        parts.push(`protocol ${record.protocol}`);
      }
      if (record.extensions) {
        parts.push(record.extensions);
      }
      return escapeControl(clip(`Open ${record.url}${parts.length ? ' — ' + parts.join(', ') : ''}`, max));
    }
    case 'reconnecting':
      return `Reconnecting in ${formatDelay(record.delayMs)} — ${attemptText(record.attempt, record.maxAttempts)}`;
    case 'closing':
      return `Closing${record.code !== undefined ? ' ' + record.code : ''}${quoted(record.reason)}`;
    case 'close':
      return `Closed${record.code !== undefined ? ' ' + record.code : ''}${quoted(record.reason)} — by ${record.by}${record.clean ? '' : ', not clean'}`;
    case 'error': {
      const status = record.status !== undefined ? `${record.status} ${record.statusText ?? ''}`.trimEnd() : '';
      // The status once: most messages already say it ("… refused the WebSocket upgrade: HTTP 401 Unauthorized").
      const http = status && !record.message.includes(status) ? ` ${status}` : '';
      return escapeControl(clip(`${record.code}${http}: ${record.message}${record.fatal ? ' (fatal)' : ''}`, max));
    }
    case 'info':
      return escapeControl(clip(record.message, max));
    case 'assertion':
      return escapeControl(clip(`${record.ok ? '✓' : '✗'} ${record.rule} — ${record.detail} (${record.atMs} ms)`, max));
    case 'summary':
      return `${record.profile}: ${record.passed} passed, ${record.failed} failed (${record.durationMs} ms)`;
    case 'llm':
      return escapeControl(clip(`LLM response: ${llmFigures(record)}`, max));
    case 'continuity':
      return escapeControl(clip(continuityText(record), max));
    case 'silence':
      return silenceText(record.ms);
    case 'mcp':
      return escapeControl(clip(`MCP ${describeMcpRecord(record)}`, max));
    default:
      return '';
  }
}

// ---------- the state badge ----------

export type Tone = 'idle' | 'busy' | 'ok' | 'warn' | 'error';

export interface Badge {
  text: string;
  tone: Tone;
  /** A codicon name. */
  icon: string;
  /** More than the text holds, for the tooltip: why the connection was not reconnected. */
  detail?: string;
}

/** The state badge, true to the second: recompute it every second while reconnecting. */
export function statusBadge(status: ConnectionStatus, now: number): Badge {
  switch (status.state) {
    case 'idle':
      return { text: 'Not connected', tone: 'idle', icon: 'debug-disconnect' };
    case 'connecting':
      return {
        text: status.attempt > 0 ? `Connecting — ${attemptText(status.attempt, status.maxAttempts)}` : 'Connecting…',
        tone: 'busy',
        icon: 'loading',
      };
    case 'open':
      return { text: `Open since ${clockTime(status.since)}`, tone: 'ok', icon: 'pass-filled' };
    case 'closing':
      return { text: 'Closing…', tone: 'busy', icon: 'loading' };
    case 'reconnecting': {
      const left = status.nextAttemptAt !== undefined ? Math.max(0, Math.ceil((status.nextAttemptAt - now) / 1000)) : undefined;
      const when = left === undefined ? 'Reconnecting' : left === 0 ? 'Reconnecting now' : `Reconnecting in ${left} s`;
      return { text: `${when} — ${attemptText(status.attempt, status.maxAttempts)}`, tone: 'warn', icon: 'sync' };
    }
    case 'closed': {
      const c = status.lastClose;
      const code = c?.code !== undefined ? ` ${c.code}` : '';
      const why = status.notReconnected;
      return why
        ? {
            text: `Closed, not reconnected${code || c?.reason ? ':' : ''}${code}${quoted(c?.reason)}`,
            tone: 'idle',
            icon: 'circle-slash',
            detail: escapeControl(why),
          }
        : { text: `Closed${code}${quoted(c?.reason)}`, tone: 'idle', icon: 'circle-slash' };
    }
    case 'failed': {
      const e = status.lastError;
      let why = '';
      if (e?.status !== undefined) {
        why = `${e.status} ${e.statusText ?? ''}`.trim();
      } else if (e) {
        why = escapeControl(clip(e.message || e.code, 160));
      }
      const not = status.notReconnected;
      if (not) {
        return {
          text: why ? `Failed, not retried: ${why}` : 'Failed, not retried',
          tone: 'error',
          icon: 'error',
          detail: escapeControl(not),
        };
      }
      return { text: why ? `Failed: ${why}` : 'Failed', tone: 'error', icon: 'error' };
    }
    default:
      return { text: String(status.state), tone: 'idle', icon: 'circle' };
  }
}
