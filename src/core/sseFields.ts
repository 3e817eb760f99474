/**
 * The event stream's fields, interpreted as the WHATWG HTML "Server-sent events" section says
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html): `eventsource-parser` splits the
 * lines and fields, this turns them into records (events, comments, `retry:`, notes on ignored
 * fields) and keeps the last event ID and the reconnection time on the driver.
 */
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import type { RecordInit } from './records';
import { StreamText } from './sseBody';
import { IdOnlyBlocks } from './sseIdOnly';
import type { EndInfo, TransportSink } from './transport';

/** The shortest reconnection time a server's `retry:` can set. */
export const MIN_RECONNECT_MS = 100;
/**
 * The longest reconnection time a server's `retry:` can set: 2^31-1 ms (about 24.8 days), the
 * longest delay one timer holds. A longer value (up to `retry:` with hundreds of digits, which
 * parses to Infinity) is recorded as this, marked `clamped`.
 */
export const MAX_RECONNECT_MS = 2_147_483_647;

/** What persists across attempts, as the spec keeps it on the EventSource (the driver holds it). */
export interface EventStreamState {
  /** "the last event ID string": persists across events and reconnects; '' means none. */
  lastEventId: string;
  /** The server's `retry:` in force, if it sent one. */
  retryMs: number | undefined;
}

/** One response's event stream: its text in, records out through the attempt's sink. */
export class EventStreamReader {
  private readonly text = new StreamText();
  private readonly parser: EventSourceParser;
  private readonly idBlocks = new IdOnlyBlocks();
  /** The attempt is over: nothing more is reported. */
  private stopped = false;
  private sawEvent = false;
  private unknownFields: Set<string> | undefined;
  private flooredRetry = false;
  private clampedRetry = false;
  /** Events the parser has dispatched on this connection. */
  private events = 0;
  /** Records this reader has reported, of every kind: what the attempt's per-turn budget counts. */
  reported = 0;

  constructor(
    private readonly sink: TransportSink,
    private readonly state: EventStreamState,
    private readonly maxEventSize: number,
    /** Ends the attempt (a line or event over `maxEventSize`). */
    private readonly fail: (info: EndInfo) => void,
  ) {
    this.parser = createParser({
      onEvent: (e) => this.onEvent(e),
      onRetry: (ms) => this.onRetry(ms),
      onComment: (text) => this.onComment(text),
      onError: (err) => this.onParseError(err),
      maxBufferSize: maxEventSize,
    });
    // The parser strips a BOM it sees as the three Latin-1 chars U+00EF U+00BB U+00BF at the very start
    // (for callers that decode as Latin-1). Our text is already decoded, so such chars are content:
    // an empty first feed turns that heuristic off.
    this.parser.feed('');
  }

  private report(record: RecordInit): void {
    this.reported++;
    this.sink.record(record);
  }

  /** The attempt ended: what the parser still dispatches is dropped. */
  stop(): void {
    this.stopped = true;
  }

  /** Bytes of the event stream itself (after any Content-Encoding). */
  feed(chunk: Buffer): void {
    if (this.stopped) {
      return;
    }
    const text = this.text.decode(chunk);
    if (text === undefined) {
      return;
    }
    this.idBlocks.scan(text);
    try {
      this.parser.feed(text);
      if (this.idBlocks.pending && !this.stopped) {
        this.applyIdBlocks();
      }
    } catch (err) {
      // Only after the parser terminated on its buffer limit, which already ended the attempt.
      if (!this.stopped) {
        this.fail({ error: { code: 'ERR_INTERNAL', message: (err as Error).message }, retry: false });
      }
    }
  }

  private onEvent(e: EventSourceMessage): void {
    if (this.stopped) {
      return;
    }
    const state = this.state;
    if (this.idBlocks.pending) {
      this.applyIdBlocks();
    }
    this.events++;
    // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field
    // value. Otherwise, ignore the field." (the parser drops such ids) — and the buffer "does not get
    // reset", so an event without an id keeps the previous one; an empty id resets it.
    const id = e.id;
    if (id !== undefined) {
      state.lastEventId = id;
    }
    const data = e.data;
    // "Initialize event's type attribute to "message"…  If the event type buffer has a value other
    // than the empty string, change the type of the newly created event to equal the value".
    const event = e.event || 'message';
    // `seq` and `time` are stamped by the connection; declared here, every event's record keeps one
    // object shape with in-object fields (no property store grown per event, cheaper to serialise).
    if (id === undefined) {
      this.report({
        kind: 'message',
        dir: 'in',
        format: 'text',
        event,
        data,
        lastEventId: state.lastEventId,
        size: this.text.allAscii ? data.length : utf8Length(data),
        seq: 0,
        time: '',
      } as RecordInit);
    } else {
      this.report({
        kind: 'message',
        dir: 'in',
        format: 'text',
        event,
        data,
        id,
        lastEventId: state.lastEventId,
        size: this.text.allAscii ? data.length : utf8Length(data),
        seq: 0,
        time: '',
      } as RecordInit);
    }
    if (!this.sawEvent) {
      this.sawEvent = true;
      this.sink.healthy();
    }
  }

  /** Id-only blocks that came before the next event (or the end of the chunk) set the last event ID now. */
  private applyIdBlocks(): void {
    const id = this.idBlocks.take(this.events);
    if (id !== undefined) {
      this.state.lastEventId = id;
    }
  }

  private onRetry(ms: number): void {
    if (this.stopped) {
      return;
    }
    // "If the field value consists of only ASCII digits, then interpret the field value as an integer
    // in base ten, and set the event stream's reconnection time to that integer."
    if (!(ms <= MAX_RECONNECT_MS)) {
      this.state.retryMs = MAX_RECONNECT_MS;
      this.report({ kind: 'retry', ms: MAX_RECONNECT_MS, clamped: true });
      if (!this.clampedRetry) {
        this.clampedRetry = true;
        this.report({
          kind: 'info',
          message: `retry: ${ms < 1e21 ? ms : 'a value of more than 21 digits'} is above the ${MAX_RECONNECT_MS} ms maximum (about 24.8 days): reconnecting after ${MAX_RECONNECT_MS} ms`,
        });
      }
      this.sink.setReconnectDelay(MAX_RECONNECT_MS);
      return;
    }
    this.state.retryMs = ms;
    this.report({ kind: 'retry', ms });
    // "Optionally, wait some more": a floor keeps `retry: 0` from a server that closes at once from
    // turning into a reconnect loop at full speed. The reconnection time is the least every reconnect
    // waits (the policy's backoff and jitter only add to it).
    if (ms < MIN_RECONNECT_MS && !this.flooredRetry) {
      this.flooredRetry = true;
      this.report({
        kind: 'info',
        message: `retry: ${ms} is below ${MIN_RECONNECT_MS} ms: reconnecting no sooner than ${MIN_RECONNECT_MS} ms`,
      });
    }
    this.sink.setReconnectDelay(Math.max(ms, MIN_RECONNECT_MS));
  }

  private onComment(text: string): void {
    if (!this.stopped) {
      // "If the line starts with a U+003A COLON character (:) — Ignore the line." The browser does;
      // an inspector shows it: heartbeats are what keeps proxies from closing the stream.
      this.report({ kind: 'comment', text });
    }
  }

  private onParseError(err: ParseError): void {
    if (this.stopped) {
      return;
    }
    switch (err.type) {
      case 'max-buffer-size-exceeded': {
        const max = this.maxEventSize;
        this.fail({
          error: {
            code: 'ERR_BUFFER_LIMIT',
            message: `A line or event grew past ${max} characters without ending (maxEventSize): the connection was closed to keep memory bounded`,
          },
          retry: false,
        });
        return;
      }
      case 'invalid-retry':
        // "Otherwise, ignore the field." Said once per value, so the user knows why it had no effect.
        this.report({
          kind: 'info',
          message: `Ignored retry: "${clip(err.value ?? '')}" (only ASCII digits are a reconnection time)`,
        });
        return;
      case 'unknown-field': {
        // "Otherwise — The field is ignored." Named once per field and connection.
        const field = err.field ?? '';
        this.unknownFields ??= new Set();
        if (this.unknownFields.size < 16 && !this.unknownFields.has(field)) {
          this.unknownFields.add(field);
          this.report({ kind: 'info', message: `Ignored unknown field "${clip(field)}"` });
        }
        return;
      }
    }
  }
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
