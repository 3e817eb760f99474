/**
 * How an `mcp` record and a result's content read, in one line or in parts: the CLI, the output
 * channel and the webview share it. No Node or DOM (the webview imports it; the shape test checks).
 */
import type { McpRecord } from '../records';

function named(item: unknown): string {
  const o = item as { name?: unknown; uri?: unknown; title?: unknown } | null;
  return typeof o?.name === 'string' ? o.name : typeof o?.uri === 'string' ? o.uri : '?';
}

/** `tools: echo, add` with at most `max` names, then how many more. */
export function namesOf(items: readonly unknown[], max = 8): string {
  const names = items.slice(0, max).map(named);
  return names.join(', ') + (items.length > max ? `, … ${items.length - max} more` : '');
}

/** The one line an `mcp` record reads as. */
export function describeMcpRecord(r: Omit<McpRecord, 'seq' | 'time'>): string {
  switch (r.event) {
    case 'initialized': {
      const info = r.serverInfo as { name?: unknown; version?: unknown } | undefined;
      const server = [info?.name, info?.version].filter((x) => typeof x === 'string').join(' ') || 'the server';
      const caps = Object.keys(r.capabilities ?? {});
      return `initialized ${server}: protocol ${r.protocolVersion ?? '?'}${r.transport === 'sse' ? ' over HTTP+SSE (2024-11-05 transport)' : ''}${r.sessionId ? `, session ${r.sessionId}` : ', no session id'}${caps.length ? `, capabilities: ${caps.join(', ')}` : ''}`;
    }
    case 'tools':
    case 'resources':
    case 'prompts': {
      const items = r.items ?? [];
      return `${items.length} ${items.length === 1 ? r.event.slice(0, -1) : r.event}${items.length ? ': ' + namesOf(items) : ''}`;
    }
    case 'result':
      return `${r.method ?? 'result'} ${r.name ?? ''}${r.isError ? ' failed (isError)' : ''}: ${contentSummary(r.result)}`;
    case 'expired':
      return `the server forgot session ${r.sessionId ?? ''}: initialize again`;
  }
}

/** One part of a result as a front shows it: text, JSON, an image (data URL) or anything else as JSON. */
export type ContentPart =
  | { kind: 'text'; text: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'image'; mimeType: string; data: string }
  | { kind: 'other'; type: string; value: unknown };

/** Image types drawn from a data URL (never SVG: it can carry script). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

/** The parts of a tool result (`content`, `structuredContent`), a resource read (`contents`) or a prompt (`messages`). */
export function contentParts(result: unknown): ContentPart[] {
  const r = result as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) {
    return [{ kind: 'json', value: result }];
  }
  const out: ContentPart[] = [];
  const add = (c: unknown) => {
    const o = c as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null) {
      out.push({ kind: 'json', value: c });
      return;
    }
    if (typeof o.text === 'string') {
      out.push({ kind: 'text', text: o.text });
    } else if (
      (o.type === 'image' || typeof o.blob === 'string') &&
      typeof o.mimeType === 'string' &&
      IMAGE_TYPES.has(o.mimeType.toLowerCase()) &&
      typeof (o.data ?? o.blob) === 'string' &&
      /^[A-Za-z0-9+/=\s]*$/.test(String(o.data ?? o.blob))
    ) {
      out.push({ kind: 'image', mimeType: o.mimeType.toLowerCase(), data: String(o.data ?? o.blob).replace(/\s/g, '') });
    } else if (o.type === 'resource' && typeof o.resource === 'object') {
      add(o.resource);
    } else {
      out.push({ kind: 'other', type: typeof o.type === 'string' ? o.type : 'content', value: o });
    }
  };
  const lists = [r.content, r.contents, r.messages].filter(Array.isArray) as unknown[][];
  for (const list of lists) {
    for (const c of list) {
      const m = c as { content?: unknown } | null;
      add(m && typeof m === 'object' && 'content' in m && r.messages === list ? m.content : c);
    }
  }
  if (r.structuredContent !== undefined) {
    out.push({ kind: 'json', value: r.structuredContent });
  }
  if (lists.length === 0 && r.structuredContent === undefined) {
    out.push({ kind: 'json', value: result });
  }
  return out;
}

/** A result in one short line: its first text, or what it holds. */
export function contentSummary(result: unknown, max = 200): string {
  const parts = contentParts(result);
  const first = parts[0];
  let s: string;
  if (!first) {
    s = '(empty)';
  } else if (first.kind === 'text') {
    s = first.text;
  } else if (first.kind === 'image') {
    s = `[image ${first.mimeType}, ${Math.floor((first.data.length * 3) / 4)} bytes]`;
  } else {
    s = JSON.stringify(first.kind === 'json' ? first.value : first.value) ?? '';
  }
  if (parts.length > 1) {
    s += ` (+${parts.length - 1} more part${parts.length > 2 ? 's' : ''})`;
  }
  return s.length > max ? s.slice(0, max) + '…' : s;
}
