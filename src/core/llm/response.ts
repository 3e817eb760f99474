/**
 * One model response as it is being joined from a stream's events: its text and reasoning (with the
 * record each piece came from, so a position leads back to its event), its tool calls, finish reason,
 * usage and errors. The readers (`openaiChat.ts`, `openaiResponses.ts`, `anthropic.ts`, `gemini.ts`)
 * fill it; {@link LlmResponse.toRecord} makes the `llm` record. No Node or DOM: the webview's Response
 * tab joins the same way.
 */
import type { LlmProvider, LlmRecordInit, LlmToolCall, LlmUsage } from './types';

/** A piece of joined text: where it starts in the text and the seq of the record that brought it. */
export interface TextSpan {
  start: number;
  seq: number;
}

/** A tool call while its arguments arrive. */
export interface ToolCallParts {
  key: string;
  id: string;
  name: string;
  /** The argument text joined so far; undefined when the call came whole as an object (Gemini). */
  argumentsText: string;
  /** Already an object (Gemini sends whole arguments). */
  argumentsValue?: unknown;
  seq: number;
}

/** Most problems kept per response (the first ones say what went wrong; the count says how many). */
const MAX_PROBLEMS = 20;

export class JoinedText {
  private parts: string[] = [];
  private _length = 0;
  readonly spans: TextSpan[] = [];

  append(text: string, seq: number): void {
    if (text === '') {
      return;
    }
    const last = this.spans[this.spans.length - 1];
    if (!last || last.seq !== seq) {
      this.spans.push({ start: this._length, seq });
    }
    this.parts.push(text);
    this._length += text.length;
    // Keeps the parts few, so a response of many small deltas joins in one go.
    if (this.parts.length > 256) {
      this.parts = [this.parts.join('')];
    }
  }

  get length(): number {
    return this._length;
  }

  get text(): string {
    if (this.parts.length > 1) {
      this.parts = [this.parts.join('')];
    }
    return this.parts[0] ?? '';
  }

  /** The seq of the record that brought the character at `offset`, or undefined. */
  seqAt(offset: number): number | undefined {
    let lo = 0;
    let hi = this.spans.length - 1;
    let found: number | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.spans[mid].start <= offset) {
        found = this.spans[mid].seq;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

export class LlmResponse {
  readonly text = new JoinedText();
  readonly reasoning = new JoinedText();
  readonly toolCalls: ToolCallParts[] = [];
  finishReason: string | undefined;
  usage: LlmUsage | undefined;
  model: string | undefined;
  responseId: string | undefined;
  readonly errors: { type: string; message: string; seq: number }[] = [];
  readonly problems: string[] = [];
  private problemCount = 0;
  /** Content deltas counted (text, reasoning, tool arguments): the estimate of output tokens without usage. */
  deltas = 0;
  events = 0;
  firstSeq: number | undefined;
  lastSeq: number | undefined;
  /** ms since epoch: the first content delta, and the last event. */
  firstContentAt: number | undefined;
  lastAt: number | undefined;
  /** Set when the format's final event arrived (or, for Gemini, a finish reason). */
  ended = false;
  /** Why the response is not whole, when it is not. */
  incomplete: string | undefined;

  constructor(
    readonly provider: LlmProvider,
    /** ms since epoch of the request that asked for it (the `connecting` record, or the last message sent). */
    readonly requestAt: number | undefined,
  ) {}

  /** Counts one event of this response, at `at` ms since epoch. */
  event(seq: number, at: number): void {
    this.events++;
    this.firstSeq ??= seq;
    this.lastSeq = seq;
    this.lastAt = at;
  }

  /** A content delta arrived at `at` (text, reasoning or tool arguments). */
  content(at: number): void {
    this.deltas++;
    this.firstContentAt ??= at;
  }

  problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push(text);
    }
  }

  error(type: string, message: string, seq: number): void {
    this.errors.push({ type, message, seq });
  }

  /** The tool call with `key`, made when it is new. */
  toolCall(key: string, seq: number): ToolCallParts {
    let call = this.toolCalls.find((c) => c.key === key);
    if (!call) {
      call = { key, id: '', name: '', argumentsText: '', seq };
      this.toolCalls.push(call);
    }
    return call;
  }

  mergeUsage(u: LlmUsage): void {
    this.usage = { ...this.usage, ...u };
  }

  /** The `llm` record for the response as joined so far; `why` says what is missing when it is not whole. */
  toRecord(): LlmRecordInit {
    const complete = this.ended && this.incomplete === undefined && this.errors.length === 0;
    const outputTokens = this.usage?.outputTokens;
    const estimated = outputTokens === undefined;
    const tokens = outputTokens ?? this.deltas;
    const spanMs = this.firstContentAt !== undefined && this.lastAt !== undefined ? this.lastAt - this.firstContentAt : undefined;
    const record: LlmRecordInit = {
      kind: 'llm',
      provider: this.provider,
      text: this.text.text,
      toolCalls: this.toolCalls.map(toolCallOf),
      finishReason: this.finishReason ?? null,
      usage: this.usage ?? {},
      ttftMs: this.requestAt !== undefined && this.firstContentAt !== undefined ? Math.max(0, this.firstContentAt - this.requestAt) : null,
      outputTokensPerSec: spanMs !== undefined && spanMs > 0 && tokens > 0 ? round1((tokens * 1000) / spanMs) : null,
      estimated,
      complete,
      events: this.events,
      firstSeq: this.firstSeq ?? 0,
      lastSeq: this.lastSeq ?? 0,
    };
    if (this.reasoning.length > 0) {
      record.reasoning = this.reasoning.text;
    }
    if (!complete) {
      record.incomplete =
        this.incomplete ??
        (this.errors.length ? `the server sent an error: ${this.errors[0].type}: ${this.errors[0].message}` : 'the stream ended early');
    }
    if (this.errors.length) {
      record.errors = this.errors.map(({ type, message, seq }) => ({ type, message, seq }));
    }
    if (this.problemCount) {
      record.problems =
        this.problemCount > this.problems.length
          ? [...this.problems, `… and ${this.problemCount - this.problems.length} more`]
          : [...this.problems];
    }
    if (this.model !== undefined) {
      record.model = this.model;
    }
    if (this.responseId !== undefined) {
      record.responseId = this.responseId;
    }
    return record;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function toolCallOf(c: ToolCallParts): LlmToolCall {
  if (c.argumentsValue !== undefined) {
    return { id: c.id, name: c.name, arguments: c.argumentsValue };
  }
  const call: LlmToolCall = { id: c.id, name: c.name, arguments: c.argumentsText };
  if (c.argumentsText.trim() === '') {
    call.arguments = {};
    return call;
  }
  try {
    call.arguments = JSON.parse(c.argumentsText) as unknown;
  } catch (err) {
    // Shown as the text that arrived, with why it is not JSON.
    call.argumentsError = `not JSON: ${(err as Error).message}`;
  }
  return call;
}
