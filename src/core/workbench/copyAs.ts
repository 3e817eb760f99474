/**
 * "Copy as": a connection's request as a command or code a user can run elsewhere: curl (SSE),
 * wscat and websocat (WebSocket), JavaScript `EventSource` / `new WebSocket`. Shell words are quoted
 * for a POSIX shell (single quotes; `shell-quote` where a word holds one). Secrets are whatever the
 * spec holds: pass it through `withPlaceholders` unless the user asked for the real values.
 * No Node or DOM.
 */
import { quote } from 'shell-quote';
import type { RequestSpec } from './request';

export type CopyFormat = 'curl' | 'wscat' | 'websocat' | 'eventsource' | 'websocket';

export const COPY_FORMATS: readonly { format: CopyFormat; label: string; kinds: readonly ('sse' | 'ws')[] }[] = [
  { format: 'curl', label: 'curl', kinds: ['sse'] },
  { format: 'wscat', label: 'wscat', kinds: ['ws'] },
  { format: 'websocat', label: 'websocat', kinds: ['ws'] },
  { format: 'eventsource', label: 'JavaScript EventSource', kinds: ['sse'] },
  { format: 'websocket', label: 'JavaScript new WebSocket', kinds: ['ws'] },
];

/** One word for a POSIX shell: as it is when nothing in it is special, else quoted. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) {
    return word;
  }
  return word.includes("'") ? quote([word]) : `'${word}'`;
}

function command(words: string[]): string {
  return words.map(shellWord).join(' ');
}

/** The request as `format`. Throws when the format does not fit the transport (curl for a WebSocket). */
export function copyAs(format: CopyFormat, spec: RequestSpec): string {
  const entry = COPY_FORMATS.find((f) => f.format === format);
  if (!entry) {
    throw new Error(`unknown format "${format}"`);
  }
  if (!entry.kinds.includes(spec.kind)) {
    throw new Error(`${entry.label} is for ${entry.kinds[0] === 'sse' ? 'SSE' : 'WebSocket'} connections`);
  }
  const headers = Object.entries(spec.headers);
  switch (format) {
    case 'curl': {
      const words = ['curl', '-N'];
      if (spec.insecure) {
        words.push('--insecure');
      }
      const method = (spec.method ?? (spec.body !== undefined ? 'POST' : 'GET')).toUpperCase();
      if (method !== 'GET' && !(method === 'POST' && spec.body !== undefined)) {
        words.push('-X', method);
      }
      if (!headers.some(([n]) => n.toLowerCase() === 'accept')) {
        words.push('-H', 'Accept: text/event-stream');
      }
      for (const [n, v] of headers) {
        words.push('-H', `${n}: ${v}`);
      }
      if (spec.body !== undefined) {
        words.push('--data-raw', spec.body);
      }
      words.push(spec.url);
      return command(words);
    }
    case 'wscat': {
      const words = ['wscat', '-c', spec.url];
      for (const [n, v] of headers) {
        words.push('-H', `${n}: ${v}`);
      }
      for (const p of spec.protocols ?? []) {
        words.push('-s', p);
      }
      if (spec.insecure) {
        words.push('--no-check');
      }
      return command(words);
    }
    case 'websocat': {
      const words = ['websocat'];
      if (spec.insecure) {
        words.push('--insecure');
      }
      for (const [n, v] of headers) {
        words.push('-H', `${n}: ${v}`);
      }
      if (spec.protocols?.length) {
        words.push('--protocol', spec.protocols.join(', '));
      }
      words.push(spec.url);
      return command(words);
    }
    case 'eventsource': {
      const lines: string[] = [];
      if (headers.length || spec.body !== undefined || (spec.method && spec.method.toUpperCase() !== 'GET')) {
        lines.push('// EventSource sends a GET with no headers or body of your choosing: this request also needs');
        if (spec.method && spec.method.toUpperCase() !== 'GET') {
          lines.push(`//   method ${spec.method.toUpperCase()}`);
        }
        for (const [n, v] of headers) {
          lines.push(`//   ${n}: ${v}`);
        }
        if (spec.body !== undefined) {
          lines.push(`//   body ${JSON.stringify(spec.body)}`);
        }
      }
      lines.push(`const source = new EventSource(${JSON.stringify(spec.url)});`);
      lines.push("source.addEventListener('message', (event) => console.log(event.data));");
      lines.push("source.addEventListener('error', () => console.log('error, state', source.readyState));");
      return lines.join('\n');
    }
    case 'websocket': {
      const lines: string[] = [];
      const protocols = spec.protocols?.length ? JSON.stringify(spec.protocols) : 'undefined';
      if (headers.length) {
        lines.push("// A browser's WebSocket cannot set headers; this runs in Node with the ws package (npm install ws).");
        lines.push("import WebSocket from 'ws';");
        const options: string[] = [`headers: ${JSON.stringify(Object.fromEntries(headers), null, 2).replace(/\n/g, '\n  ')}`];
        if (spec.insecure) {
          options.push('rejectUnauthorized: false');
        }
        lines.push(`const socket = new WebSocket(${JSON.stringify(spec.url)}, ${protocols}, {\n  ${options.join(',\n  ')},\n});`);
      } else {
        lines.push(`const socket = new WebSocket(${JSON.stringify(spec.url)}${spec.protocols?.length ? `, ${protocols}` : ''});`);
      }
      lines.push("socket.addEventListener('open', () => console.log('open'));");
      lines.push("socket.addEventListener('message', (event) => console.log(event.data));");
      lines.push("socket.addEventListener('close', (event) => console.log('closed', event.code, event.reason));");
      return lines.join('\n');
    }
  }
}
