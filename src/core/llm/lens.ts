/**
 * The LLM lens: reads a connection's records and, when its events are a model's streamed answer
 * (OpenAI Chat Completions or Responses, Anthropic Messages, Gemini), joins each response and hands
 * back its `llm` record when the response ends (its final event, an error that ends it, or the stream
 * ending first: `complete: false`). Which format it is comes from the events themselves; the log keeps
 * every event as it arrived whatever the lens makes of it. No Node or DOM: the extension's connection
 * and the webview's Response tab run the same lens.
 */
import type { ConnRecord } from '../records';
import { anthropic } from './anthropic';
import { gemini } from './gemini';
import { openaiChat } from './openaiChat';
import { openaiResponses } from './openaiResponses';
import type { LlmEvent, LlmReader } from './reader';
import { LlmResponse } from './response';
import type { LensMode, LlmRecordInit } from './types';

/** In the order they are tried: the Responses API's `type`s are checked before a chat chunk's shape. */
const READERS: readonly LlmReader[] = [openaiResponses, anthropic, openaiChat, gemini];

/** How much of an event's data is looked at for a format's marks before it is parsed to tell the format. */
const HEAD_CHARS = 4096;
/** Words one of the formats' events has near its start; data with none is not parsed while the format is unknown. */
const MARKS =
  /chat\.completion\.chunk|"choices"|"type" ?: ?"(response\.|message_start|content_block|message_delta|message_stop|error)|"candidates"|"usageMetadata"/;
/** `auto` stops looking after this many events none of which was a model's: the stream is something else. */
const GIVE_UP_AFTER = 50;

/** What most records give: nothing, without a new array for each (the lens reads every message). */
const NONE: readonly LlmRecordInit[] = Object.freeze([]);

export class LlmLens {
  private reader: LlmReader | undefined;
  private open: LlmResponse | undefined;
  private requestAt: number | undefined;
  /** The request time was used by a response: the next one's starts at its own request. */
  private requestUsed = false;
  private _responses = 0;
  private unrecognised = 0;

  constructor(private readonly mode: LensMode = 'auto') {}

  /** The response being joined now (the Response tab shows it as it grows). */
  get current(): LlmResponse | undefined {
    return this.open;
  }

  /** Which format the stream was read as, once known. */
  get provider(): LlmReader['provider'] | undefined {
    return this.reader?.provider;
  }

  /** How many responses ended so far. */
  get responses(): number {
    return this._responses;
  }

  /**
   * Reads one record; returns the `llm` records of the responses it ended (usually none, one at a
   * response's last event or when the stream ends). Never throws on what a server sent.
   */
  observe(r: ConnRecord): readonly LlmRecordInit[] {
    if (this.mode === 'none') {
      return NONE;
    }
    switch (r.kind) {
      case 'connecting': {
        const ended = this.endOpen('the connection was reconnected before the response ended');
        this.requestAt = Date.parse(r.time);
        this.requestUsed = false;
        return ended;
      }
      case 'message':
        if (r.dir === 'out') {
          this.requestAt = Date.parse(r.time);
          this.requestUsed = false;
          return NONE;
        }
        // `auto` reads SSE events only: a WebSocket's text stays undecoded unless `--lens llm` asks.
        if (r.format !== 'text' || (this.mode === 'auto' && r.event === undefined)) {
          return NONE;
        }
        return this.message(r.seq, Date.parse(r.time), r.event, r.data);
      case 'close':
      case 'error':
        // The close (or a failure that ends the connection) ends a response still open.
        return r.kind === 'error' && !r.fatal
          ? []
          : this.endOpen('the stream ended before ' + (this.reader?.finalEvent ?? 'its final event'));
      default:
        return NONE;
    }
  }

  private message(seq: number, at: number, event: string | undefined, data: string): readonly LlmRecordInit[] {
    if (!this.reader) {
      if (this.mode === 'auto' && this.unrecognised >= GIVE_UP_AFTER) {
        return NONE;
      }
      const ev: LlmEvent = { seq, at, event, data, json: MARKS.test(data.slice(0, HEAD_CHARS)) ? parseObject(data) : undefined };
      const found = ev.json && READERS.find((reader) => reader.recognises(ev));
      if (!found) {
        this.unrecognised++;
        return NONE;
      }
      this.reader = found;
      return this.read(found, ev);
    }
    return this.read(this.reader, { seq, at, event, data, json: parseObject(data) });
  }

  private read(reader: LlmReader, ev: LlmEvent): LlmRecordInit[] {
    const { seq, at } = ev;
    const out: LlmRecordInit[] = [];
    if (this.open?.ended && reader.starts(ev, this.open)) {
      out.push(...this.endOpen(undefined));
    }
    if (!this.open) {
      if (!reader.starts(ev, undefined) || (!ev.json && this.mode !== 'llm')) {
        return out;
      }
      this.open = new LlmResponse(reader.provider, this.requestUsed ? undefined : this.requestAt);
      this.requestUsed = true;
    } else if (reader.starts(ev, this.open) && !this.open.ended && this.open.events > 0 && startsAnew(reader, ev)) {
      // A new response began before the last one ended.
      out.push(...this.endOpen(`a new response began before ${reader.finalEvent}`));
      this.open = new LlmResponse(reader.provider, undefined);
    }
    const r = this.open;
    r.event(seq, at);
    let ended = false;
    try {
      ended = reader.apply(r, ev);
    } catch (err) {
      r.problem(`seq ${seq}: ${(err as Error).message}`);
    }
    if (ended) {
      out.push(...this.endOpen(undefined));
    }
    return out;
  }

  /** Ends the open response (`why` when it is cut short; undefined when it ended as its format ends). */
  private endOpen(why: string | undefined): LlmRecordInit[] {
    const r = this.open;
    if (!r) {
      return [];
    }
    this.open = undefined;
    this._responses++;
    if (!r.ended && why !== undefined) {
      r.incomplete ??= why;
    }
    return [r.toRecord()];
  }

  /** The stream is over (the CLI is done, a view closes): the open response's record, cut short. */
  finish(): LlmRecordInit[] {
    return this.endOpen('the stream ended before ' + (this.reader?.finalEvent ?? 'its final event'));
  }
}

/** True for an event that can only be a response's first (Anthropic `message_start`, `response.created`). */
function startsAnew(reader: LlmReader, ev: LlmEvent): boolean {
  const t = ev.json?.type;
  return (reader.provider === 'anthropic' && t === 'message_start') || (reader.provider === 'openai-responses' && t === 'response.created');
}

function parseObject(data: string): Record<string, unknown> | undefined {
  const c = data.charCodeAt(0);
  // Only an object can be an event of these formats; anything else is not parsed at all.
  if (c !== 0x7b && !(c <= 0x20 && data.trimStart().startsWith('{'))) {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
