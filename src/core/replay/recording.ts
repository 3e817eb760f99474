/**
 * Opens a recording to replay: an NDJSON log (Export, `--json`) or a HAR file, told apart by its
 * content. The file stays open while the recording is: an NDJSON replay reads its records from it.
 */
import { type FileHandle, open, readFile } from 'node:fs/promises';
import { maskUrlCredentials } from '../credentials';
import type { IDisposable } from '../lifecycle';
import { MASK } from '../redactor';
import { harConnections, HarError } from './har';
import type { RecordedConnection } from './items';
import { FileItems, indexNdjson, type SkippedLines } from './ndjson';
import { fileErrorReason } from '../fileError';

/** A file that cannot be replayed (unreadable, empty, not a recording): `message` says why in words. */
export class RecordingError extends Error {}

export interface Recording extends IDisposable {
  readonly path: string;
  readonly format: 'ndjson' | 'har';
  readonly connections: readonly RecordedConnection[];
  /** NDJSON lines that are not records (broken JSON, a truncated end, a record missing its fields). */
  readonly skipped: SkippedLines;
  /** Records of kinds this version does not know, left out. */
  readonly ignored: number;
}

/** How much of the file's start decides whether it is a HAR document. */
const SNIFF_BYTES = 4096;

export async function openRecording(path: string): Promise<Recording> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new RecordingError(`cannot read ${path}: ${fileErrorReason(err)}`);
  }
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    const start = head.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
    if (start.trim() === '') {
      throw new RecordingError(`${path} is empty: no connection to replay`);
    }
    if (looksLikeHar(start)) {
      await file.close();
      return await openHar(path);
    }
    const index = await indexNdjson(path);
    const connections = index.connections.map((c) => c.build(new FileItems(file, c.items)));
    if (connections.length === 0) {
      throw new RecordingError(
        `${path} holds no connection to replay: it is neither an NDJSON log (one JSON record a line, as Export writes it) nor a HAR file` +
          (index.skipped.count ? ` (${index.skipped.count} line${index.skipped.count === 1 ? '' : 's'} that are not records)` : ''),
      );
    }
    return {
      path,
      format: 'ndjson',
      connections,
      skipped: index.skipped,
      ignored: index.ignored,
      dispose: () => void file.close().catch(() => undefined),
    };
  } catch (err) {
    await file.close().catch(() => undefined);
    if (err instanceof RecordingError) {
      throw err;
    }
    throw new RecordingError(`cannot read ${path}: ${fileErrorReason(err)}`);
  }
}

/** A HAR document begins `{ "log": …`, or with a lone `{` on its first line (pretty-printed). */
function looksLikeHar(start: string): boolean {
  return /^\s*\{\s*"log"\s*:/.test(start) || /^\s*\{\s*(\r?\n|$)/.test(start);
}

async function openHar(path: string): Promise<Recording> {
  let doc: unknown;
  try {
    doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new RecordingError(
      err instanceof SyntaxError
        ? `${path} looks like a HAR file but is not valid JSON: ${err.message}`
        : `cannot read ${path}: ${fileErrorReason(err)}`,
    );
  }
  try {
    return {
      path,
      format: 'har',
      connections: harConnections(doc),
      skipped: { count: 0, lines: [] },
      ignored: 0,
      dispose: () => undefined,
    };
  } catch (err) {
    if (err instanceof HarError) {
      throw new RecordingError(`${path}: ${err.message}`);
    }
    throw err;
  }
}

/** The one warning about skipped lines: "skipped 3 lines that are not records (lines 4, 9, 12)", first few then "and N more". */
export function skippedWarning(skipped: SkippedLines): string | undefined {
  if (skipped.count === 0) {
    return undefined;
  }
  const more = skipped.count - skipped.lines.length;
  const lines = skipped.lines.join(', ') + (more > 0 ? ` and ${more} more` : '');
  return `skipped ${skipped.count} line${skipped.count === 1 ? '' : 's'} that ${skipped.count === 1 ? 'is not a record' : 'are not records'} (line${skipped.count === 1 ? '' : 's'} ${lines})`;
}

/** One line per connection, for choosing one: "1  ws://host/path  (42 records)"; credentials in a URL masked (a HAR keeps them). */
export function describeConnections(connections: readonly RecordedConnection[]): string[] {
  return connections.map(
    (c) =>
      `  ${c.n}  ${c.url ? shownUrl(c.url) : `(${c.kind === 'ws' ? 'WebSocket' : 'SSE'}, no URL)`}  (${c.records} record${c.records === 1 ? '' : 's'})`,
  );
}

/** A recorded URL as output may show it: credentials in it masked. */
export function shownUrl(url: string): string {
  return maskUrlCredentials(url, MASK);
}
