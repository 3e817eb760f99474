/**
 * "Paste as connection": a `curl`, `wscat -c` or `websocat` command line read into a request. The
 * words are split by `shell-quote` (quotes, escapes, line continuations as a shell reads them; `$VAR`
 * kept as written); which flag means what is ours. An error names the word it is about.
 * No Node or DOM.
 */
import { parse } from 'shell-quote';
import type { RequestSpec } from './request';

export class PasteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasteError';
  }
}

export interface PastedRequest {
  spec: RequestSpec;
  /** The tool the line was for. */
  tool: 'curl' | 'wscat' | 'websocat';
  /** Flags read but without effect here (`-s`, `-v`…), for a note. */
  ignored: string[];
}

/** True when `text` looks like a command this reads (the connect box offers to paste it). */
export function looksLikeCommand(text: string): boolean {
  return /^\s*(curl|wscat|websocat)(\.exe)?\s/.test(text);
}

/** Flags of curl that take a value and mean nothing for a stream here. */
const CURL_IGNORED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-w',
  '--write-out',
  '--retry',
]);
const CURL_IGNORED = new Set([
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-v',
  '--verbose',
  '-i',
  '--include',
  '-L',
  '--location',
  '--compressed',
  '-f',
  '--fail',
  '-#',
  '--progress-bar',
  '--http1.1',
  '--http2',
  '--no-progress-meter',
]);

/** Reads one command line. Throws {@link PasteError} saying what is wrong and at which word. */
export function parseCommand(text: string): PastedRequest {
  const words = splitWords(text);
  if (words.length === 0) {
    throw new PasteError('nothing to read: paste a curl, wscat or websocat command');
  }
  const tool = words[0].replace(/\.exe$/i, '').replace(/^.*[/\\]/, '');
  if (tool === 'curl') {
    return readCurl(words);
  }
  if (tool === 'wscat') {
    return readWscat(words);
  }
  if (tool === 'websocat') {
    return readWebsocat(words);
  }
  throw new PasteError(`"${words[0]}" is not a command this reads: paste a curl, wscat or websocat command`);
}

function splitWords(text: string): string[] {
  // A backslash at a line's end continues the command (as in docs' multi-line curl examples).
  const joined = text.replace(/\\\r?\n/g, ' ').trim();
  const entries = parse(joined, (name) => `$${name}`);
  const words: string[] = [];
  for (const e of entries) {
    if (typeof e === 'string') {
      words.push(e);
    } else if ('op' in e && e.op === 'glob') {
      words.push((e as { pattern: string }).pattern);
    } else if ('op' in e) {
      throw new PasteError(
        `"${e.op}" after "${words[words.length - 1] ?? ''}": only one command can be read (no pipes, redirections or command lists)`,
      );
    } else if ('comment' in e) {
      break;
    }
  }
  return words;
}

interface Cursor {
  words: string[];
  i: number;
}

/** The value of the flag at `c.i` (`-H value`, `--header=value`, `-Hvalue`), moving past it. */
function value(c: Cursor, flag: string, inline: string | undefined): string {
  if (inline !== undefined) {
    return inline;
  }
  const v = c.words[c.i + 1];
  if (v === undefined) {
    throw new PasteError(`${flag} needs a value (word ${c.i + 1} is the last one)`);
  }
  c.i++;
  return v;
}

/** Splits `--name=value` and `-Xvalue` into the flag and its inline value. */
function splitFlag(word: string, shortWithValue: string): [string, string | undefined] {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
  }
  if (word.length > 2 && shortWithValue.includes(word[1])) {
    return [word.slice(0, 2), word.slice(2)];
  }
  return [word, undefined];
}

function header(text: string, flag: string, at: number): [string, string] {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new PasteError(`${flag} "${text}" (word ${at}) is not a header: expected "Name: value"`);
  }
  return [name, text.slice(colon + 1).trim()];
}

function addHeader(headers: Record<string, string>, [name, v]: [string, string]): void {
  const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  if (existing) {
    headers[existing] += ', ' + v;
  } else {
    headers[name] = v;
  }
}

function checkUrl(url: string | undefined, tool: string, schemes: string[]): string {
  if (url === undefined) {
    throw new PasteError(`${tool}: no URL in the command`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PasteError(`${tool}: "${url}" is not a URL`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new PasteError(`${tool}: "${url}" has the scheme ${parsed.protocol}, expected ${schemes.map((s) => s + '//').join(' or ')}`);
  }
  return url;
}

function readCurl(words: string[]): PastedRequest {
  const c: Cursor = { words, i: 1 };
  const headers: Record<string, string> = {};
  const ignored: string[] = [];
  let url: string | undefined;
  let method: string | undefined;
  const data: string[] = [];
  let insecure = false;
  for (; c.i < words.length; c.i++) {
    const word = words[c.i];
    const at = c.i + 1;
    if (!word.startsWith('-') || word === '-') {
      if (url !== undefined) {
        throw new PasteError(`curl: a second URL "${word}" (word ${at}); one connection is one URL`);
      }
      url = word;
      continue;
    }
    const [flag, inline] = splitFlag(word, 'HXduAeomw');
    switch (flag) {
      case '-H':
      case '--header':
        addHeader(headers, header(value(c, flag, inline), flag, at));
        break;
      case '-X':
      case '--request':
        method = value(c, flag, inline).toUpperCase();
        if (!/^[A-Z]+$/.test(method)) {
          throw new PasteError(`${flag} "${method}" (word ${at}) is not an HTTP method`);
        }
        break;
      case '-d':
      case '--data':
      case '--data-raw':
      case '--data-binary':
      case '--data-ascii': {
        const v = value(c, flag, inline);
        if (v.startsWith('@') && flag !== '--data-raw') {
          throw new PasteError(`${flag} ${v} (word ${at}) reads a file: paste the body itself (--data-raw '…')`);
        }
        data.push(v);
        break;
      }
      case '-u':
      case '--user': {
        const v = value(c, flag, inline);
        if (!v.includes(':')) {
          throw new PasteError(`${flag} "${v}" (word ${at}) needs user:password`);
        }
        addHeader(headers, ['Authorization', `Basic ${base64(v)}`]);
        break;
      }
      case '-N':
      case '--no-buffer':
        break;
      case '-k':
      case '--insecure':
        insecure = true;
        break;
      case '--url':
        url = value(c, flag, inline);
        break;
      default:
        if (CURL_IGNORED.has(flag)) {
          ignored.push(flag);
        } else if (CURL_IGNORED_WITH_VALUE.has(flag)) {
          value(c, flag, inline);
          ignored.push(flag);
        } else {
          throw new PasteError(
            `curl: "${word}" (word ${at}) is not an option this reads (known: -H, -X, -d, --data-raw, -N, -u, --insecure)`,
          );
        }
    }
  }
  const checked = checkUrl(url, 'curl', ['http:', 'https:']);
  const body = data.length ? data.join('&') : undefined;
  return {
    tool: 'curl',
    ignored,
    spec: {
      url: checked,
      kind: 'sse',
      headers,
      ...(method !== undefined || body !== undefined ? { method: method ?? 'POST' } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(insecure ? { insecure } : {}),
    },
  };
}

function readWscat(words: string[]): PastedRequest {
  const c: Cursor = { words, i: 1 };
  const headers: Record<string, string> = {};
  const protocols: string[] = [];
  const ignored: string[] = [];
  let url: string | undefined;
  let insecure = false;
  for (; c.i < words.length; c.i++) {
    const word = words[c.i];
    const at = c.i + 1;
    const [flag, inline] = splitFlag(word, 'cHsoa');
    switch (flag) {
      case '-c':
      case '--connect':
        url = value(c, flag, inline);
        break;
      case '-H':
      case '--header':
        addHeader(headers, header(value(c, flag, inline), flag, at));
        break;
      case '-s':
      case '--subprotocol':
        protocols.push(value(c, flag, inline));
        break;
      case '-n':
      case '--no-check':
        insecure = true;
        break;
      case '--auth': {
        const v = value(c, flag, inline);
        addHeader(headers, ['Authorization', `Basic ${base64(v)}`]);
        break;
      }
      case '-o':
      case '--origin':
        addHeader(headers, ['Origin', value(c, flag, inline)]);
        break;
      case '-P':
      case '--show-ping-pong':
      case '--no-color':
      case '-L':
      case '--location':
        ignored.push(flag);
        break;
      default:
        throw new PasteError(`wscat: "${word}" (word ${at}) is not an option this reads (known: -c, -H, -s, -n, --auth, -o)`);
    }
  }
  return {
    tool: 'wscat',
    ignored,
    spec: {
      url: checkUrl(url, 'wscat -c', ['ws:', 'wss:']),
      kind: 'ws',
      headers,
      ...(protocols.length ? { protocols } : {}),
      ...(insecure ? { insecure } : {}),
    },
  };
}

function readWebsocat(words: string[]): PastedRequest {
  const c: Cursor = { words, i: 1 };
  const headers: Record<string, string> = {};
  const protocols: string[] = [];
  const ignored: string[] = [];
  let url: string | undefined;
  let insecure = false;
  for (; c.i < words.length; c.i++) {
    const word = words[c.i];
    const at = c.i + 1;
    if (!word.startsWith('-')) {
      if (url !== undefined) {
        throw new PasteError(`websocat: a second address "${word}" (word ${at}); one connection is one URL`);
      }
      url = word;
      continue;
    }
    const [flag, inline] = splitFlag(word, 'H');
    switch (flag) {
      case '-H':
      case '--header':
        addHeader(headers, header(value(c, flag, inline), flag, at));
        break;
      case '--protocol':
        protocols.push(
          ...value(c, flag, inline)
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
        );
        break;
      case '-k':
      case '--insecure':
        insecure = true;
        break;
      case '--origin':
        addHeader(headers, ['Origin', value(c, flag, inline)]);
        break;
      case '-t':
      case '--text':
      case '-b':
      case '--binary':
      case '-n':
      case '--no-close':
      case '-E':
      case '--exit-on-eof':
      case '-v':
      case '-q':
        ignored.push(flag);
        break;
      default:
        throw new PasteError(`websocat: "${word}" (word ${at}) is not an option this reads (known: -H, --protocol, -k)`);
    }
  }
  return {
    tool: 'websocat',
    ignored,
    spec: {
      url: checkUrl(url, 'websocat', ['ws:', 'wss:']),
      kind: 'ws',
      headers,
      ...(protocols.length ? { protocols } : {}),
      ...(insecure ? { insecure } : {}),
    },
  };
}

/** Base64 of UTF-8 text without Node's Buffer (the module stays Node-free). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) {
    bin += String.fromCharCode(b);
  }
  return btoa(bin);
}
