import { once } from 'node:events';
import { type Writable } from 'node:stream';
import { type Redactor } from './redactor';
import { type ConnRecord, serializeRecord } from './records';

/**
 * Writes records as NDJSON (one {@link serializeRecord} line each), each record masked by the
 * connection's redactor ({@link Redactor.record}) before it is serialised,
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
    chunk += serializeRecord(redactor ? redactor.record(record) : record) + '\n';
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
    text += serializeRecord(redactor ? redactor.record(record) : record) + '\n';
  }
  return text;
}
