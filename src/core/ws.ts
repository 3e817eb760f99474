/**
 * The WebSocket transport, on `ws`. Every frame the connection sends or receives becomes a record:
 * messages both ways, pings and pongs both ways (including the pong `ws` answers a server ping
 * with), the upgrade's response headers, and the close with its code and whether it was clean.
 *
 * Rules this transport applies (the reconnect policy decides the timing):
 * - Before open, a failure ends the attempt with an error; the connection makes it fatal when no
 *   retry follows. Network errors, handshake timeouts, 5xx and 429 may retry; a refused upgrade
 *   (other 4xx: bad credentials, wrong path, wrong protocol) and TLS or handshake-protocol
 *   failures will not get better by themselves and do not.
 * - After open, an error (invalid UTF-8, over-size message, protocol error, reset, dead peer) ends
 *   the attempt with both the close (code, reason, clean) and the error (with the close code `ws`
 *   sent); the connection shows the close, then the error, fatal when no reconnect follows (so the
 *   CLI exits 1), and everything received before stays in the log.
 * - A server close with 1000 ("normal closure") is the server saying it is done: no reconnect.
 *   Any other close code, a close without a close frame (1006) and our own protocol-error closes
 *   reconnect under the policy. A close the user asked for never reconnects (the connection sees to it).
 */
import type { Adapter } from './adapters/adapter';
import { type ResolvedAdapter, resolveAdapter } from './adapters/registry';
import type { ConnectionOptions } from './options';
import type { Redactor } from './redactor';
import type { Headers, WsDetails } from './records';
import type { DriverFactory, TransportAttempt, TransportSink, WsTransportDriver } from './transport';
import { type Handshaken, WsAttempt, type WsAttemptOwner } from './wsAttempt';

export { closeProblem, MAX_CLOSE_REASON_BYTES } from './wsErrors';

class WsDriver implements WsTransportDriver, WsAttemptOwner {
  readonly kind = 'ws' as const;
  /** The attempt in progress, if any: one at a time. */
  private current: WsAttempt | undefined;
  /** What the last successful handshake negotiated, for `details()`. */
  private negotiated: Handshaken | undefined;
  /** The headers the last upgrade request carried (masked), refused or not. */
  private sentHeaders: Headers | undefined;
  /** The options each attempt dials with: a protocol adapter's URL and subprotocols in. */
  readonly options: ConnectionOptions;
  /** The protocol adapter with its options checked, when the options chose one. */
  readonly resolved: ResolvedAdapter | undefined;

  /** Throws `AdapterOptionError` (in words, naming the option) when the adapter's options are wrong. */
  constructor(
    options: ConnectionOptions,
    readonly redactor: Redactor,
  ) {
    this.resolved = options.adapter ? resolveAdapter(options.adapter) : undefined;
    this.options = this.resolved ? dialOptions(options, this.resolved) : options;
  }

  get adapter(): Adapter | undefined {
    return this.resolved?.adapter;
  }

  describe() {
    const protocols = this.options.protocols;
    return {
      url: this.options.url,
      headers: { ...this.options.headers },
      ...(protocols && protocols.length ? { protocols: [...protocols] } : {}),
    };
  }

  start(sink: TransportSink, _attempt: number): TransportAttempt {
    this.current?.abort();
    const attempt = new WsAttempt(this, sink);
    this.current = attempt;
    attempt.begin();
    return attempt;
  }

  /** `attempt` is over: it is no longer the current one. */
  attemptOver(attempt: WsAttempt): void {
    if (this.current === attempt) {
      this.current = undefined;
    }
  }

  handshaken(result: Handshaken): void {
    this.negotiated = result;
  }

  requestSent(headers: Headers): void {
    this.sentHeaders = headers;
  }

  details(): WsDetails {
    const last = this.negotiated;
    return {
      protocol: last?.protocol ?? '',
      extensions: last?.extensions ?? '',
      offeredProtocols: [...(this.options.protocols ?? [])],
      url: this.redactor.url(last?.url ?? this.options.url),
      requestHeaders: this.sentHeaders ?? this.redactor.headers(this.options.headers),
      responseHeaders: this.redactor.headers(last?.responseHeaders ?? {}),
    };
  }

  dispose(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

/**
 * The URL and subprotocols an adapter dials: its own subprotocols first, then the user's. When the
 * user names one of the adapter's subprotocols, the user's list is offered as it is (a server that
 * takes the first offered and speaks only the legacy GraphQL protocol is reached with `graphql-ws`).
 */
function dialOptions(options: ConnectionOptions, { adapter, options: adapterOptions }: ResolvedAdapter): ConnectionOptions {
  const url = adapter.target ? adapter.target(options.url, adapterOptions as never) : options.url;
  const user = options.protocols ?? [];
  if (user.some((p) => adapter.subprotocols.includes(p))) {
    return { ...options, url, protocols: [...user] };
  }
  const protocols = [...adapter.subprotocols];
  for (const p of options.protocols ?? []) {
    if (!protocols.includes(p)) {
      protocols.push(p);
    }
  }
  return { ...options, url, protocols };
}

/** The WebSocket transport for a {@link Connection}. */
export const createWsDriver: DriverFactory = (options, redactor) => new WsDriver(options, redactor);
