/**
 * A call's result as the MCP view shows it: each part of its content as text, as JSON, or as an
 * image (PNG, JPEG, GIF, WebP, BMP from base64, drawn from a data: URL, which the panel's CSP allows
 * for images only). Never HTML: text goes in as text nodes, whatever it holds.
 */
import { contentParts } from '../../src/core/mcp/describe';
import { h } from '../dom';

/** Most characters of one part shown; the whole result is in the log's record. */
const MAX_SHOWN = 256 * 1024;

function clip(text: string): string {
  return text.length > MAX_SHOWN
    ? `${text.slice(0, MAX_SHOWN)}\n… ${text.length - MAX_SHOWN} more characters (the whole result is in the log)`
    : text;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function renderResult(result: unknown): HTMLElement {
  const isError = typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true;
  const el = h('div', { class: `mcp-result${isError ? ' mcp-result-error' : ''}`, role: 'region', 'aria-label': 'Result' });
  if (isError) {
    el.append(h('div', { class: 'mcp-result-head' }, 'The tool reports an error (isError)'));
  }
  for (const part of contentParts(result)) {
    switch (part.kind) {
      case 'text':
        el.append(h('pre', { class: 'mcp-part mcp-text' }, clip(part.text)));
        break;
      case 'json':
        el.append(h('pre', { class: 'mcp-part mcp-json-part' }, clip(json(part.value))));
        break;
      case 'image':
        el.append(
          h('img', { class: 'mcp-part mcp-image', src: `data:${part.mimeType};base64,${part.data}`, alt: `image (${part.mimeType})` }),
        );
        break;
      case 'other':
        el.append(h('div', { class: 'mcp-part-type' }, part.type), h('pre', { class: 'mcp-part mcp-json-part' }, clip(json(part.value))));
        break;
    }
  }
  return el;
}

/** A call that failed, in words. */
export function renderFailure(message: string): HTMLElement {
  return h('div', { class: 'mcp-result mcp-result-error', role: 'alert' }, message);
}
