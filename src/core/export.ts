import { once } from 'node:events';
import { Writable } from 'node:stream';
import { Redactor } from './options';
import { ConnRecord, serializeRecord } from './records';

/**
 * Writes records as NDJSON (one {@link serializeRecord} line each), masking the connection's secrets,
 * honouring back-pressure. Resolves with the number of records written.
 */
export async function writeNdjson(records: Iterable<ConnRecord>, out: Writable, redactor?: Redactor): Promise<number> {
  let n = 0;
  let chunk = '';
  const flush = async () => {
    if (chunk && !out.write(chunk)) {
      await once(out, 'drain');
    }
    chunk = '';
  };
  for (const record of records) {
    const line = serializeRecord(record);
    chunk += (redactor?.hasSecrets ? redactor.text(line) : line) + '\n';
    n++;
    if (chunk.length > 64 * 1024) {
      await flush();
    }
  }
  await flush();
  return n;
}

/** The NDJSON text of `records` in one string (small logs, clipboard). */
export function toNdjson(records: Iterable<ConnRecord>, redactor?: Redactor): string {
  let text = '';
  for (const record of records) {
    const line = serializeRecord(record);
    text += (redactor?.hasSecrets ? redactor.text(line) : line) + '\n';
  }
  return text;
}
