/**
 * The Message tab's "Decoded" section: a protocol adapter's reading of the frame, beside the raw frame
 * (`data`) the tab shows as before. Its fields as a table (protocol, type, label, id; a JSON-RPC
 * response's method and latency), a frame that did not parse with why in words, then the whole
 * reading as JSON. All of it server data: text nodes only (`renderJson` colours with spans of text).
 */
import type { Decoded } from '../../src/protocol';
import { h, icon } from '../dom';
import { kv, renderJson, section, type KeyValue } from './parts';

/** The section for `decoded`; `loading` while the whole reading is on its way from the host (a log row carries a summary). */
export function decodedSection(decoded: Decoded, loading: boolean): HTMLElement {
  const rows: KeyValue[] = [
    ['Protocol', decoded.protocol],
    ['Type', decoded.type],
    ['Label', text(decoded.label)],
    ['ID', text(decoded.id ?? decoded.ackId ?? decoded.invocationId ?? decoded.packetId)],
  ];
  if (typeof decoded.latencyMs === 'number') {
    // A JSON-RPC response: the request it answers, and how long that took.
    rows.push(['Request method', text(decoded.method)], ['Latency', `${Math.round(decoded.latencyMs)} ms`]);
  }
  if (decoded.keepAlive) {
    rows.push(['Keep-alive', 'yes']);
  }
  if (decoded.part) {
    rows.push(['Part', `${decoded.part.index + 1} of ${decoded.part.count} in this frame`]);
  }
  const children: Node[] = [];
  if (decoded.type === 'invalid') {
    children.push(
      h(
        'div',
        { class: 'banner warn', role: 'note' },
        icon('warning'),
        h(
          'span',
          null,
          `Not a valid ${decoded.protocol} frame${decoded.error !== undefined ? `: ${describe(decoded.error)}` : ''}. Kept as it arrived.`,
        ),
      ),
    );
  } else if (decoded.error !== undefined) {
    children.push(h('div', { class: 'banner warn', role: 'note' }, icon('error'), h('span', null, `Error: ${describe(decoded.error)}`)));
  }
  children.push(kv(rows));
  if (loading) {
    children.push(h('p', { class: 'muted note' }, 'Loading the whole reading…'));
  } else {
    const pre = h('pre', { class: 'code decoded-json', tabindex: 0, 'aria-label': 'Decoded' });
    renderJson(pre, JSON.stringify(decoded));
    children.push(pre);
  }
  return section('Decoded', ...children);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** An error in words: a string as it is, an error object by its message (and code), anything else as JSON. */
function describe(error: unknown): string {
  if (typeof error === 'string') {
    return error;
  }
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; code?: unknown };
    if (typeof e.message === 'string') {
      return typeof e.code === 'number' || typeof e.code === 'string' ? `${e.code} ${e.message}` : e.message;
    }
  }
  return JSON.stringify(error);
}
