/** The detail pane's Connection tab: the request sent, the response, the SSE stream's state and the connection's status. */
import type { ConnRecord, ConnectionStatus, EditableConfig, SseDetails } from '../../src/protocol';
import { button, h } from '../dom';
import { headersTable, kv, section, tabPanel, type KeyValue } from './parts';

/** What the Connection tab shows, gathered from the host's messages and the newest records. */
export interface ConnectionView {
  status?: ConnectionStatus;
  sse?: SseDetails;
  config?: EditableConfig;
  /** The newest `connecting` record, and the `open` that followed it. */
  connecting?: ConnRecord;
  open?: ConnRecord;
}

/** The request, the response and the SSE stream's state, as the tab shows them. */
export interface ExchangeDetails {
  request?: { method: string; url: string; headers: Record<string, string> };
  response?: { status?: number; statusText?: string; headers: Record<string, string>; protocol?: string; extensions?: string };
  retryMs?: number;
  lastEventId?: string;
}

/** Headers in a status's details (the WebSocket driver's `requestHeaders`), when they are there. */
function detailHeaders(status: ConnectionStatus | undefined): Record<string, string> | undefined {
  const headers = status?.details?.requestHeaders;
  return headers && typeof headers === 'object' && !Array.isArray(headers) ? (headers as Record<string, string>) : undefined;
}

/**
 * Derives the exchange from the host's SSE details where it sent them, else from the newest
 * `connecting` and `open` records (WebSocket) and the status. A WebSocket request's headers are
 * those the handshake really sent (the open record's, else the last handshake's, refused ones too),
 * else the ones it was asked to send.
 */
export function exchangeDetails({ status, sse, connecting, open }: ConnectionView): ExchangeDetails {
  const sent = (open?.kind === 'open' ? open.requestHeaders : undefined) ?? detailHeaders(status);
  const request =
    sse?.request ??
    (connecting?.kind === 'connecting'
      ? { method: connecting.method ?? 'GET', url: connecting.url, headers: sent ?? connecting.headers }
      : undefined);
  const response =
    sse?.response ??
    (open?.kind === 'open'
      ? { status: open.status, statusText: open.statusText, headers: open.headers, protocol: open.protocol, extensions: open.extensions }
      : undefined);
  const lastEventId = sse?.lastEventId;
  const retryMs = sse?.retryMs ?? status?.reconnectDelayMs;
  return { request, response, retryMs, lastEventId };
}

export class ConnectionTab {
  readonly el = tabPanel('connection');
  private view: ConnectionView = {};

  /** `copy` puts text on the clipboard (through the host). */
  constructor(private readonly copy: (text: string) => void) {}

  /** Takes in what changed; `render` draws it when the tab is showing. */
  update(change: ConnectionView): void {
    this.view = { ...this.view, ...change };
  }

  render(sseMode: boolean): void {
    const { status, config } = this.view;
    const { request: req, response: res, retryMs: retry, lastEventId: lastId } = exchangeDetails(this.view);
    const parts: Node[] = [];
    parts.push(
      section(
        'Request',
        req
          ? kv([
              ['Method', req.method],
              ['URL', req.url],
              [
                'Subprotocols offered',
                this.view.connecting?.kind === 'connecting' ? this.view.connecting.protocols?.join(', ') : undefined,
              ],
            ])
          : h('p', { class: 'muted' }, config?.url ? 'Not sent yet.' : 'No request yet.'),
        req && headersTable('Request headers', req.headers),
      ),
    );
    parts.push(
      section(
        'Response',
        res
          ? kv([
              ['Status', res.status !== undefined ? `${res.status} ${res.statusText ?? ''}` : '101 Switching Protocols'],
              ['Subprotocol', res.protocol],
              ['Extensions', res.extensions],
            ])
          : h('p', { class: 'muted' }, 'No response yet.'),
        res && headersTable('Response headers', res.headers),
      ),
    );
    if (sseMode) {
      parts.push(
        section(
          'Stream',
          kv([
            ['Retry in force', retry !== undefined ? `${retry} ms` : undefined],
            ['Last-Event-ID', lastId === undefined ? '(none)' : lastId === '' ? '(empty)' : lastId],
          ]),
        ),
      );
    }
    if (status) {
      const rows: KeyValue[] = [
        ['State', status.state],
        ['Auto-retry', status.autoRetry ? 'on' : 'off'],
        [
          'Attempt',
          status.attempt ? (status.maxAttempts === null ? `${status.attempt}` : `${status.attempt} of ${status.maxAttempts}`) : undefined,
        ],
        ['Base retry delay', `${status.reconnectDelayMs} ms`],
        [
          'Last close',
          status.lastClose
            ? `${status.lastClose.code ?? ''} ${status.lastClose.reason ?? ''}${status.lastClose.clean ? '' : ' (not clean)'}`.trim()
            : undefined,
        ],
        ['Last error', status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : undefined],
        ['Not reconnected', status.notReconnected],
      ];
      // The transport's details are the request and response above, each shown once; as JSON only on Copy.
      parts.push(section('Connection', kv(rows)));
    }
    const exchange = { request: req, response: res, retryMs: retry, lastEventId: lastId, status };
    parts.push(
      h(
        'div',
        { class: 'pane-toolbar' },
        h('span', { class: 'spacer' }),
        button({
          label: 'Copy as JSON',
          icon: 'copy',
          text: true,
          title: 'Copy the request, response and state as JSON',
          onClick: () => this.copy(JSON.stringify(exchange, null, 2)),
        }),
      ),
    );
    this.el.replaceChildren(...parts);
  }
}
