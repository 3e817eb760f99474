/**
 * The detail pane's Message tab: the selected record in full — pretty JSON or raw text, hex, base64 or
 * UTF-8 for binary, the fields of system records — with a preview banner and "Load whole message" for
 * large messages.
 */
import type { ConnRecord } from '../../src/protocol';
import { isDecodedSummary } from '../../src/core/batchFormat';
import { framesText } from '../../src/core/derivedText';
import { base64ToBytes, looksLikeJson } from '../../src/core/payloadText';
import { decodedSection } from './decodedView';
import { derivedRows } from './derivedRows';
import { button, h, icon } from '../dom';
import { formatBytes, hexDump, printableText, utf8View } from '../format/bytes';
import { directionOf, typeLabel } from '../format/labels';
import { escapeControl, escapeControlMultiline } from '../format/text';
import { formatDelay, formatTime } from '../format/time';
import { MAX_SHOWN_CHARS, clipText, headersTable, kv, renderJson, section, tabPanel, type KeyValue } from './parts';

/** Largest JSON pretty-printed as soon as its row is selected. */
const AUTO_PRETTY_CHARS = 256 * 1024;

type BodyView = 'pretty' | 'raw' | 'hex' | 'base64' | 'utf8';

export interface MessageTabHost {
  copy(text: string): void;
  /** Asks the host for the whole record behind a preview: undefined when the store no longer has it. */
  getFull(seq: number): Promise<ConnRecord | undefined>;
  timeMode(): 'time' | 'iso' | 'relative';
  /** The saved message a sent row came from. */
  savedMessage?(seq: number): string | undefined;
  /** Save as Message on a sent row (the host asks the name). */
  saveAsMessage?(seq: number): void;
}

export class MessageTab {
  readonly el = tabPanel('message');
  private record: ConnRecord | undefined;
  /** The whole record when a large one was loaded. */
  private full: ConnRecord | undefined;
  private bodyView: BodyView | undefined;
  /** The hex dump just rendered, to narrow once it is laid out (see {@link fitHexDump}). */
  private dump: { pre: HTMLElement; bytes: Uint8Array } | undefined;

  constructor(private readonly host: MessageTabHost) {
    this.render();
  }

  /** Draws the shown record again if it is `seq` (its origin became known). */
  refreshIf(seq: number): void {
    if (this.record?.seq === seq) {
      this.render();
    }
  }

  /** Shows a record; false when it is the one already shown. */
  show(record: ConnRecord | undefined): boolean {
    if (record && this.record && record.seq === this.record.seq && record === this.record) {
      return false;
    }
    this.record = record;
    this.full = undefined;
    this.bodyView = undefined;
    this.render();
    if (record?.kind === 'message' && record.decoded && isDecodedSummary(record.decoded) && !record.large) {
      // A log row carries what the log shows of its reading: the whole one comes from the host's store.
      const seq = record.seq;
      void this.host.getFull(seq).then((whole) => this.setFull(whole, seq));
    }
    return true;
  }

  /** The host's answer to getFull, shown if the record asked for is still the one shown. */
  private setFull(record: ConnRecord | undefined, seq: number): void {
    if (!this.record || this.record.seq !== seq) {
      return;
    }
    if (!record) {
      this.render('The whole message is no longer in the store.');
      return;
    }
    this.full = record;
    this.bodyView = undefined;
    this.render();
  }

  private render(notice?: string): void {
    const panel = this.el;
    const r = this.full ?? this.record;
    if (!r) {
      panel.replaceChildren(
        h(
          'div',
          { class: 'placeholder' },
          icon('list-selection'),
          h('p', null, 'Select a record to see it in full.'),
          h('p', { class: 'muted' }, 'Up/Down move through the log; Esc clears the selection.'),
        ),
      );
      return;
    }
    const dir = directionOf(r);
    const title = h(
      'div',
      { class: 'detail-title' },
      h('span', { class: `pill dir-${dir}` }, dir),
      h('strong', null, escapeControl(typeLabel(r))),
      h('span', { class: 'muted' }, `#${r.seq}`),
      h('span', { class: 'muted' }, formatTime(r.time, this.host.timeMode() === 'relative' ? 'time' : this.host.timeMode())),
    );
    const children: Node[] = [title];
    if (notice) {
      children.push(h('div', { class: 'banner warn' }, icon('warning'), notice));
    }
    if (r.kind === 'message') {
      children.push(...this.messageBody(r));
    } else {
      children.push(...this.systemBody(r));
    }
    panel.replaceChildren(...children);
    this.fitHexDump();
  }

  /**
   * A 16-byte hex line is 78 characters, more than a narrow pane shows: then the dump is written
   * 8 bytes a line, so no byte sits out of view behind a scrollbar the user may not see.
   */
  private fitHexDump(): void {
    const dump = this.dump;
    this.dump = undefined;
    if (dump && dump.pre.isConnected && dump.pre.scrollWidth > dump.pre.clientWidth) {
      dump.pre.textContent = hexDump(dump.bytes, undefined, 8).text;
    }
  }

  private messageBody(r: Extract<ConnRecord, { kind: 'message' }>): Node[] {
    const out: Node[] = [];
    out.push(
      kv([
        ['Event', r.event],
        ['ID', r.id],
        ['Last-Event-ID', r.lastEventId],
        ['Format', r.format],
        ['Saved message', r.dir === 'out' ? this.host.savedMessage?.(r.seq) : undefined],
        ['Size', `${formatBytes(r.size)}${r.size >= 1024 ? ` (${r.size.toLocaleString()} bytes)` : ''}`],
        ['Frames', framesText(r)],
      ]),
    );
    if (r.decoded) {
      out.push(decodedSection(r.decoded, isDecodedSummary(r.decoded) && !r.large));
    }
    const isPreview = r.large && !this.full;
    if (isPreview) {
      const load = button({
        label: 'Load whole message',
        icon: 'cloud-download',
        text: true,
        variant: 'secondary',
        onClick: () => {
          load.disabled = true;
          void this.host.getFull(r.seq).then((whole) => this.setFull(whole, r.seq));
        },
      });
      out.push(
        h('div', { class: 'banner' }, icon('info'), h('span', null, `Large message (${formatBytes(r.size)}): showing a preview.`), load),
      );
    }
    const pre = h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Message data' });
    const notes: string[] = [];
    let views: BodyView[];
    let copyText = r.data;
    if (r.format === 'binary') {
      views = ['hex', 'base64', 'utf8'];
      const view = this.bodyView && views.includes(this.bodyView) ? this.bodyView : 'hex';
      const bytes = base64ToBytes(r.data);
      if (!bytes) {
        pre.textContent = escapeControlMultiline(clipText(r.data).text);
        notes.push('Not valid base64; shown as received.');
      } else if (view === 'hex') {
        const dump = hexDump(bytes);
        pre.textContent = dump.text;
        this.dump = { pre, bytes };
        if (dump.shown < bytes.length) {
          notes.push(`Showing the first ${formatBytes(dump.shown)} of ${formatBytes(bytes.length)}.`);
        }
        copyText = dump.text;
      } else if (view === 'base64') {
        const c = clipText(r.data);
        pre.textContent = c.text;
        pre.classList.add('wrap');
        if (c.clipped) {
          notes.push(`Showing the first ${formatBytes(MAX_SHOWN_CHARS)}.`);
        }
      } else {
        pre.textContent = utf8View(bytes);
        copyText = new TextDecoder().decode(bytes);
      }
      this.bodyView = view;
    } else {
      const canJson = looksLikeJson(r.data);
      views = canJson ? ['pretty', 'raw'] : ['raw'];
      // Big documents open raw so selecting a row stays instant; pretty-printing is one click away.
      const bigJson = canJson && r.data.length > AUTO_PRETTY_CHARS;
      let view = this.bodyView && views.includes(this.bodyView) ? this.bodyView : bigJson ? 'raw' : views[0];
      if (bigJson && view === 'raw') {
        notes.push(`JSON over ${formatBytes(AUTO_PRETTY_CHARS)}: shown raw; choose JSON to pretty-print it.`);
      }
      if (view === 'pretty') {
        const res = renderJson(pre, r.data);
        if (!res.ok) {
          view = 'raw';
          views = ['raw'];
        }
        if (res.note) {
          notes.push(res.note);
        }
      }
      if (view === 'raw') {
        const c = clipText(r.data);
        pre.textContent = escapeControlMultiline(c.text);
        pre.classList.add('wrap');
        if (c.clipped) {
          notes.push(`Showing the first ${formatBytes(MAX_SHOWN_CHARS)}; Copy copies all.`);
        }
      }
      this.bodyView = view;
    }
    const labels: Record<BodyView, string> = { pretty: 'JSON', raw: 'Raw', hex: 'Hex', base64: 'Base64', utf8: 'UTF-8' };
    const seg = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Data view' });
    if (views.length > 1) {
      for (const v of views) {
        const b = h(
          'button',
          { type: 'button', role: 'radio', 'aria-checked': String(v === this.bodyView), class: v === this.bodyView ? 'on' : '' },
          labels[v],
        );
        b.addEventListener('click', () => {
          this.bodyView = v;
          this.render();
        });
        seg.appendChild(b);
      }
    }
    out.push(
      h(
        'div',
        { class: 'pane-toolbar' },
        seg,
        h('span', { class: 'spacer' }),
        ...(r.dir === 'out' && this.host.saveAsMessage
          ? [button({ label: 'Save as message…', icon: 'bookmark', onClick: () => this.host.saveAsMessage!(r.seq) })]
          : []),
        button({ label: 'Copy data', icon: 'copy', text: true, onClick: () => this.host.copy(copyText) }),
        button({ label: 'Copy as JSON record', icon: 'json', onClick: () => this.host.copy(JSON.stringify(r)) }),
      ),
    );
    for (const n of notes) {
      out.push(h('p', { class: 'muted note' }, n));
    }
    out.push(pre);
    return out;
  }

  private systemBody(r: ConnRecord): Node[] {
    const rows: KeyValue[] = [
      ['Kind', r.kind],
      ['State', r.state],
    ];
    let headers: Record<string, string> | undefined;
    let body: string | undefined;
    let text: string | undefined;
    let dump: Uint8Array | undefined;
    switch (r.kind) {
      case 'connecting':
        rows.push(
          ['URL', r.url],
          ['Method', r.method],
          ['Attempt', r.attempt || undefined],
          ['Last-Event-ID', r.lastEventId],
          ['Subprotocols', r.protocols?.join(', ')],
        );
        headers = r.headers;
        break;
      case 'open':
        rows.push(
          ['URL', r.url],
          ['Status', r.status !== undefined ? `${r.status} ${r.statusText ?? ''}` : undefined],
          ['Subprotocol', r.protocol],
          ['Extensions', r.extensions],
        );
        headers = r.headers;
        break;
      case 'error':
        rows.push(
          ['Code', r.code],
          ['Message', r.message],
          ['Fatal', r.fatal ? 'yes' : 'no'],
          ['HTTP status', r.status !== undefined ? `${r.status} ${r.statusText ?? ''}` : undefined],
          ['Close code', r.closeCode],
        );
        headers = r.headers;
        body = r.body;
        break;
      case 'close':
        rows.push(['Code', r.code], ['Reason', r.reason], ['Clean', r.clean ? 'yes' : 'no'], ['By', r.by]);
        break;
      case 'closing':
        rows.push(['Code', r.code], ['Reason', r.reason]);
        break;
      case 'assertion':
        rows.push(
          ['Profile', r.profile],
          ['Rule', r.rule],
          ['Result', r.ok ? 'passed' : 'failed'],
          ['Detail', r.detail],
          ['At', `${r.atMs} ms after open`],
          ['Decided by', r.decidedBy !== undefined ? `record #${r.decidedBy}` : undefined],
        );
        break;
      case 'summary':
        rows.push(['Profile', r.profile], ['Passed', r.passed], ['Failed', r.failed], ['Duration', `${r.durationMs} ms`]);
        break;
      case 'reconnecting':
        rows.push(
          ['Attempt', r.maxAttempts === null ? `${r.attempt}` : `${r.attempt} of ${r.maxAttempts}`],
          ['Delay', formatDelay(r.delayMs)],
        );
        break;
      case 'retry':
        rows.push(['Retry', `${r.ms} ms`]);
        break;
      case 'continuity':
      case 'silence':
        rows.push(...derivedRows(r));
        break;
      case 'info':
        text = r.message;
        break;
      case 'comment':
        text = r.text;
        break;
      case 'ping':
      case 'pong': {
        const bytes = base64ToBytes(r.data);
        // A payload that is text reads as text; the bytes show as hex either way.
        const asText = bytes && printableText(bytes);
        rows.push(
          ['Direction', r.dir],
          ['Size', formatBytes(r.size)],
          ['Text', asText === undefined ? undefined : asText],
          ['Automatic', r.auto ? 'yes' : undefined],
        );
        if (bytes && bytes.length) {
          dump = bytes;
        }
        break;
      }
      default:
        break;
    }
    const out: Node[] = [kv(rows)];
    if (text !== undefined) {
      out.push(h('pre', { class: 'code wrap', tabindex: 0 }, escapeControlMultiline(clipText(text).text)));
    }
    if (dump) {
      const pre = h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Payload bytes' }, hexDump(dump).text);
      this.dump = { pre, bytes: dump };
      out.push(pre);
    }
    if (headers) {
      out.push(section('Headers', headersTable('Headers', headers)));
    }
    if (body !== undefined) {
      out.push(section(`Response body${r.kind === 'error' && r.bodyTruncated ? ' (truncated)' : ''}`, this.bodyPre(body)));
    }
    out.push(
      h(
        'div',
        { class: 'pane-toolbar' },
        h('span', { class: 'spacer' }),
        button({ label: 'Copy as JSON record', icon: 'copy', text: true, onClick: () => this.host.copy(JSON.stringify(r)) }),
      ),
    );
    return out;
  }

  /** A response body: pretty JSON when it is JSON, else its text; wrapped either way, so a long value is never cut off. */
  private bodyPre(text: string): HTMLElement {
    const pre = h('pre', { class: 'code wrap', tabindex: 0, 'aria-label': 'Response body' });
    if (!looksLikeJson(text) || !renderJson(pre, text).ok) {
      pre.textContent = escapeControlMultiline(clipText(text).text);
    }
    return pre;
  }
}
