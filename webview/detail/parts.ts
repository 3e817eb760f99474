/**
 * Pieces the detail tabs share: key/value lists, header tables, sections, the coloured JSON view and
 * the cap on text put in the pane. Server text goes in through text nodes only.
 */
import { h } from '../dom';
import { formatBytes } from '../format/bytes';
import { prettyJson } from '../format/json';
import { escapeControl } from '../format/text';

/** Most JSON tokens coloured one span each; beyond it the pretty text is shown uncoloured. */
const MAX_COLOURED_TOKENS = 40_000;
/**
 * Most chars of text put in the pane at once (the Copy button still copies everything): laying out
 * a wrapped megabyte takes the browser a quarter of a second.
 */
export const MAX_SHOWN_CHARS = 256 * 1024;

export type DetailTab = 'message' | 'connection' | 'raw' | 'response';

/** A row of a key/value list; rows whose value is undefined or empty are left out. */
export type KeyValue = [string, string | number | undefined];

/** The element of one tab's panel, labelled by its tab button. */
export function tabPanel(id: DetailTab): HTMLElement {
  return h('div', { class: 'tab-panel', role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, tabindex: 0 });
}

export function clipText(text: string): { text: string; clipped: boolean } {
  return text.length > MAX_SHOWN_CHARS ? { text: text.slice(0, MAX_SHOWN_CHARS), clipped: true } : { text, clipped: false };
}

/** Builds coloured JSON into `pre`. Returns false when `text` is not JSON (or too big/deep to pretty-print). */
export function renderJson(pre: HTMLElement, text: string): { ok: boolean; note?: string } {
  const r = prettyJson(text);
  if (!r.ok) {
    return { ok: false, note: r.reason === 'limit' ? `Shown as raw text: JSON ${r.message}.` : undefined };
  }
  if (r.tokens.length > MAX_COLOURED_TOKENS) {
    const { text: shown, clipped } = clipText(r.tokens.map((t) => t.t).join(''));
    pre.replaceChildren(document.createTextNode(shown));
    return { ok: true, note: `Too large to colour${clipped ? `; showing the first ${formatBytes(MAX_SHOWN_CHARS)}` : ''}.` };
  }
  const frag = document.createDocumentFragment();
  for (const t of r.tokens) {
    if (t.c === 'p') {
      frag.appendChild(document.createTextNode(t.t));
    } else {
      const span = document.createElement('span');
      span.className = `tok-${t.c}`;
      span.textContent = t.t;
      frag.appendChild(span);
    }
  }
  pre.replaceChildren(frag);
  return { ok: true };
}

export function kv(rows: KeyValue[]): HTMLElement {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) {
    if (v === undefined || v === '') {
      continue;
    }
    dl.append(h('dt', null, k), h('dd', null, escapeControl(String(v))));
  }
  return dl;
}

export function headersTable(label: string, headers: Record<string, string> | undefined): HTMLElement {
  const entries = Object.entries(headers ?? {});
  if (!entries.length) {
    return h('p', { class: 'muted' }, 'No headers');
  }
  const table = h('table', { class: 'headers', 'aria-label': label });
  for (const [k, v] of entries) {
    const value = String(v);
    // An empty value (a credential sent empty, say) reads as empty, never as a mask or nothing at all.
    const cell = value ? h('td', null, escapeControl(value)) : h('td', { class: 'empty-value muted' }, '(empty)');
    table.appendChild(h('tr', null, h('th', { scope: 'row' }, escapeControl(k)), cell));
  }
  return table;
}

export function section(title: string, ...children: (Node | null | undefined | false)[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', null, title), ...children);
}
