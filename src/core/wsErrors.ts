/**
 * What WebSocket failures mean: `ws`'s error codes, its private close-code marker and its handshake
 * messages, mapped to our error codes, messages and whether a retry may help; and what a close frame
 * the user sends may carry. `ws` has no public API for the first; test/unit/core/ws-contract.test.ts pins
 * each one against the real `ws`, so an upgrade that changes them fails a test, not the mapping.
 */
import type * as http from 'node:http';
import { describeNetworkError, headersOf, proxyNetworkError } from './net';
import type { Redactor } from './redactor';
import type { ErrorCode } from './records';
import type { EndInfo, TransportError } from './transport';

/** `ws` receiver error codes → our codes and the close code `ws` sent for them. */
export const FRAME_ERRORS: Readonly<Record<string, { code: ErrorCode; closeCode: number }>> = {
  WS_ERR_INVALID_UTF8: { code: 'ERR_INVALID_UTF8', closeCode: 1007 },
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1009 },
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1009 },
  WS_ERR_TOO_MANY_BUFFERED_PARTS: { code: 'ERR_PAYLOAD_TOO_BIG', closeCode: 1008 },
  WS_ERR_EXPECTED_FIN: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_EXPECTED_MASK: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_MASK: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_CLOSE_CODE: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_INVALID_OPCODE: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_RSV_1: { code: 'ERR_PROTOCOL', closeCode: 1002 },
  WS_ERR_UNEXPECTED_RSV_2_3: { code: 'ERR_PROTOCOL', closeCode: 1002 },
};

/** The description of the symbol under which `ws` keeps, on a receiver error, the close code it sent. */
export const WS_STATUS_CODE_SYMBOL = 'status-code';
/** `ws`'s message when its own handshake timeout (`handshakeTimeout`) fires. */
export const WS_HANDSHAKE_TIMEOUT = 'Opening handshake has timed out';
/** `ws`'s messages for a 101 it cannot accept (bad Upgrade or Sec-WebSocket-* headers, unasked-for choices). */
export const WS_INVALID_HANDSHAKE = /^(Invalid (Upgrade|Sec-WebSocket)|Server (sent|indicated))/;
/** `ws`'s message for a 101 that chose none of the offered subprotocols. */
export const WS_NO_SUBPROTOCOL = 'Server sent no subprotocol';

/** The close code `ws` attached to a frame error, when the code is not in the table above. */
export function statusCodeOf(err: Error): number | undefined {
  const sym = Object.getOwnPropertySymbols(err).find((s) => s.description === WS_STATUS_CODE_SYMBOL);
  const value = sym ? (err as unknown as Record<symbol, unknown>)[sym] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * An error on an open WebSocket that is a bad frame from the server (`ws` closed the connection over
 * it): the close `ws` sent and the error to report; undefined for any other error (a network one).
 */
export function frameFailure(err: Error): { close: { code: number; reason: string }; error: TransportError } | undefined {
  const errCode = (err as NodeJS.ErrnoException).code ?? '';
  const frame =
    FRAME_ERRORS[errCode] ??
    (errCode.startsWith('WS_ERR_') ? { code: 'ERR_PROTOCOL' as const, closeCode: statusCodeOf(err) ?? 1002 } : undefined);
  if (!frame) {
    return undefined;
  }
  return {
    close: { code: frame.closeCode, reason: err.message },
    error: { code: frame.code, message: frameMessage(frame.code, frame.closeCode, err.message), closeCode: frame.closeCode },
  };
}

/** What a failed handshake's message is read against. */
export interface HandshakeContext {
  /** The 101 response, when one arrived. */
  upgradeRes: http.IncomingMessage | undefined;
  offeredProtocols: readonly string[];
  proxyUrl: string | undefined;
  target: URL | undefined;
  redactor: Redactor;
  /** The error for a handshake that took too long. */
  timeoutError(): TransportError;
}

/** A handshake that failed before any HTTP response (or with a 101 that cannot be accepted): what to show and whether to try again. */
export function handshakeFailure(err: Error, context: HandshakeContext): EndInfo {
  const msg = err.message ?? String(err);
  if (msg === WS_HANDSHAKE_TIMEOUT) {
    return { error: context.timeoutError(), retry: true };
  }
  const { redactor, proxyUrl } = context;
  if (WS_INVALID_HANDSHAKE.test(msg)) {
    // The 101 arrived but cannot be accepted: its headers are what the user needs to see.
    const res = context.upgradeRes;
    const message =
      msg === WS_NO_SUBPROTOCOL
        ? `The server accepted the upgrade without choosing one of the offered subprotocols (${context.offeredProtocols.join(', ')}); browsers fail this handshake too`
        : `The server's handshake response is not valid: ${msg}`;
    return {
      error: {
        code: 'ERR_PROTOCOL',
        message,
        ...(res ? { status: res.statusCode, statusText: res.statusMessage, headers: redactor.headers(headersOf(res.headers)) } : {}),
      },
      retry: false,
    };
  }
  const viaProxy = proxyUrl ? proxyNetworkError(err, proxyUrl, redactor.url(proxyUrl)) : undefined;
  if (viaProxy) {
    return { error: viaProxy, retry: true };
  }
  const described = describeNetworkError(err, context.target);
  return { error: described, retry: described.code !== 'ERR_TLS' };
}

/** The message for an upgrade answered with something other than 101 (and not a redirect we follow). */
export function refusalMessage(status: number, statusText: string): string {
  const line = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (status >= 300 && status < 400) {
    return `The server answered the upgrade with ${line}, which is not a redirect with a Location to follow`;
  }
  if (status >= 200 && status < 300) {
    return `The server answered ${line} instead of switching protocols: is this a WebSocket endpoint?`;
  }
  return `The server refused the WebSocket upgrade: ${line}`;
}

function frameMessage(code: ErrorCode, closeCode: number, detail: string): string {
  switch (code) {
    case 'ERR_INVALID_UTF8':
      return `The server sent a text message that is not valid UTF-8 (${detail}); closed with 1007`;
    case 'ERR_PAYLOAD_TOO_BIG':
      return closeCode === 1009
        ? `The server sent a message over the size limit (${detail}); closed with 1009 without reading it`
        : `The server sent a message in more pieces than the client buffers (${detail}); closed with ${closeCode}`;
    default:
      return `The server broke the WebSocket protocol (${detail}); closed with ${closeCode}`;
  }
}

/** Largest close reason a close frame can carry, in UTF-8 bytes (125 minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Why `code` / `reason` cannot go into a close frame the user sends, or undefined when they can.
 * Only 1000 and the application range 3000–4999 are the user's to send; the rest are reserved for
 * the protocol or for what a close means (1001 going away, 1011 server error…).
 */
export function closeProblem(code?: number, reason?: string): string | undefined {
  if (code !== undefined && !(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    return `Close code ${code} cannot be sent: use 1000 or 3000–4999`;
  }
  const bytes = reason ? Buffer.byteLength(reason) : 0;
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return `The close reason is ${bytes} bytes; a close frame holds at most ${MAX_CLOSE_REASON_BYTES}`;
  }
  return undefined;
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) {
    return text;
  }
  let end = maxBytes;
  // Step back over continuation bytes so no character is cut in half.
  while (end > 0 && (buf[end] & 0xc0) === 0x80) {
    end--;
  }
  return buf.subarray(0, end).toString('utf8');
}
