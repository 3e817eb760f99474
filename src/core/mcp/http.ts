/**
 * One HTTP exchange of an MCP session: a POST of a JSON-RPC message, the GET of a stream, the DELETE
 * of the session. Node's `http`/`https` with the core's TLS and proxy rules (`net.ts`), so an MCP
 * server is reached exactly as an SSE endpoint is. Redirects are not followed: the spec gives the
 * session one endpoint, and a redirect is shown as the answer it is.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { agentFor, describeNetworkError, headersOf, tlsOptionsFor } from '../net';
import type { ConnectionOptions } from '../options';
import type { ErrorCode, Headers } from '../records';

export interface ExchangeRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers: Headers;
  body?: string;
  /** Until the response's headers arrive. */
  timeoutMs: number;
}

/** The network failed (or timed out) before an answer: the server could not be reached. */
export class ExchangeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export interface Exchange {
  response: Promise<http.IncomingMessage>;
  /** Ends the request and its response now (a stream the session is done with). */
  abort(): void;
}

/** Sends `req`; the promise rejects with an {@link ExchangeError} in words. */
export function exchange(req: ExchangeRequest, options: Pick<ConnectionOptions, 'tls' | 'proxy' | 'url'>): Exchange {
  const lib = req.url.protocol === 'https:' ? https : http;
  const headers: Headers = { ...req.headers };
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  if (body) {
    headers['Content-Length'] = String(body.length);
  }
  let request: http.ClientRequest | undefined;
  let aborted = false;
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    try {
      request = lib.request(req.url, {
        method: req.method,
        headers,
        agent: agentFor(req.url, options),
        ...(req.url.protocol === 'https:' ? tlsOptionsFor(options.tls) : {}),
      });
    } catch (err) {
      reject(new ExchangeError('ERR_INTERNAL', (err as Error).message));
      return;
    }
    const timer = setTimeout(() => {
      request?.destroy();
      reject(new ExchangeError('ERR_TIMEOUT', `No answer from ${req.url.host} within ${req.timeoutMs} ms`));
    }, req.timeoutMs);
    request.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      if (!aborted) {
        const d = describeNetworkError(err, req.url);
        reject(new ExchangeError(d.code, d.message));
      }
    });
    request.end(body);
  });
  return {
    response,
    abort() {
      aborted = true;
      request?.destroy();
    },
  };
}

export { headersOf };
