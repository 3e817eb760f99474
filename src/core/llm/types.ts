/** The LLM lens's shapes: the `llm` record (in `records.ts`, with every record kind) and what a reader is. */
import type { LlmRecord } from '../records';

export type { LlmProvider, LlmRecord, LlmToolCall, LlmUsage } from '../records';

/** An `llm` record before the connection stamps `seq` and `time`. */
export type LlmRecordInit = Omit<LlmRecord, 'seq' | 'time'>;

/** `--lens`: `auto` reads a stream as an LLM's when its events say so; `llm` always tries; `none` never. */
export type LensMode = 'auto' | 'llm' | 'none';
