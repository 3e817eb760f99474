/**
 * An MCP answer or stream read as SSE by the core's own event stream reader (`sseFields.ts` over
 * `eventsource-parser`, the body decoded by `sseBody.ts`): the same events, ids, comments and
 * `retry:` records an SSE connection shows, handed to the session to decode as JSON-RPC.
 */
import type * as http from 'node:http';
import { codingsOf, unsupportedCoding } from '../decode';
import type { ErrorCode, MessageRecord, RecordInit } from '../records';
import { readBody } from '../sseBody';
import { type EventStreamState, EventStreamReader } from '../sseFields';
import type { TransportSink } from '../transport';

export interface EventStreamHandlers {
  /** An event (a message record, `dir: 'in'`, with `event`, `id`, `lastEventId`). */
  event(record: Omit<MessageRecord, 'seq' | 'time'>): void;
  /** Any other record the reader makes: comment, retry, info. */
  record(record: RecordInit): void;
  /** The stream ended: cleanly (`error` undefined) or not. Called once. */
  ended(error?: { code: ErrorCode; message: string }): void;
}

/** Reads `res` (a `text/event-stream` response) until it ends or `stop()` is called. */
export function readEventStream(
  res: http.IncomingMessage,
  state: EventStreamState,
  maxEventSize: number,
  handlers: EventStreamHandlers,
): { stop(): void } {
  let over = false;
  const finish = (error?: Parameters<EventStreamHandlers['ended']>[0]) => {
    if (!over) {
      over = true;
      reader.stop();
      handlers.ended(error);
    }
  };
  const sink: TransportSink = {
    opened() {},
    record(init) {
      if (over) {
        return;
      }
      if (init.kind === 'message') {
        handlers.event(init);
      } else {
        handlers.record(init);
      }
    },
    ended(info) {
      res.destroy();
      finish(info.error ? { code: info.error.code, message: info.error.message } : undefined);
    },
    bytesIn() {},
    rawChunk() {},
    setReconnectDelay() {},
    healthy() {},
  };
  const reader = new EventStreamReader(sink, state, maxEventSize, (info) => sink.ended(info));
  const codings = codingsOf(res.headers['content-encoding']);
  const unsupported = unsupportedCoding(codings);
  if (unsupported) {
    res.destroy();
    finish({ code: 'ERR_PROTOCOL', message: `The answer is compressed with "${unsupported}", which cannot be read` });
    return { stop: () => finish() };
  }
  const decoder = readBody(res, codings, {
    received() {},
    decoded: (chunk) => reader.feed(chunk),
    ended: () => finish(),
    undecodable: (coding, err) => {
      res.destroy();
      finish({ code: 'ERR_PROTOCOL', message: `The answer's ${coding} data is corrupt: ${err.message}` });
    },
    isOver: () => over,
  });
  res.on('error', (err) => finish({ code: 'ERR_NETWORK', message: `The stream broke: ${err.message}` }));
  res.on('close', () => {
    if (!res.complete) {
      finish({ code: 'ERR_NETWORK', message: 'The stream was cut before it ended' });
    }
  });
  return {
    stop() {
      over = true;
      reader.stop();
      decoder?.destroy();
      res.destroy();
    },
  };
}
