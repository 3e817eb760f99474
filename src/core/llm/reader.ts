/** What one provider's reader is: it knows its events and joins them into an {@link LlmResponse}. */
import type { LlmResponse } from './response';
import type { LlmProvider } from './types';

/** One stream event as the lens hands it to a reader. */
export interface LlmEvent {
  seq: number;
  /** ms since epoch (the record's time). */
  at: number;
  /** The SSE event type ("message" when unset), undefined for a WebSocket message. */
  event: string | undefined;
  data: string;
  /** The data parsed as JSON (an object), or undefined when it is not a JSON object. */
  json: Record<string, unknown> | undefined;
}

export interface LlmReader {
  readonly provider: LlmProvider;
  /** True when `ev` is plainly this format's (used to tell which format a stream is). */
  recognises(ev: LlmEvent): boolean;
  /** True when `ev` begins a new response while none is open (or the open one is over). */
  starts(ev: LlmEvent, open: LlmResponse | undefined): boolean;
  /** Joins `ev` into `r`; returns true when it was the response's final event. */
  apply(r: LlmResponse, ev: LlmEvent): boolean;
  /** What a response that stopped here misses (the final event it never got). */
  readonly finalEvent: string;
}

/** `v` as an object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Drops the keys whose value is undefined. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) {
    if (o[k] === undefined) {
      delete o[k];
    }
  }
  return o;
}
