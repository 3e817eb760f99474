import type { Redactor } from '../core/redactor';
import type { ConnRecord } from '../core/records';
import type { MessageStore } from '../core/store';
import { BatchWriter, BINARY, FLAGS_FIELD, ROW_FIELDS, type RecordBatch } from '../core/batchFormat';
import { forWebview } from './forWebview';

/** `MessageStore.pack`'s bytesUpTo that sends every message as an object, to be masked. */
const EVERY_MESSAGE_MASKED = -1;

/**
 * Packs the store's records at positions [from, to) as `forWebview` shows them. A message within the
 * display limit goes from the store's bytes to the batch's as it is, unless a secret may be in what
 * went so; then the range is packed again with every record made into an object and masked.
 */
export function packStored(store: MessageStore, from: number, to: number, redactor: Redactor, displayLimit: number): RecordBatch {
  const view = (r: ConnRecord) => forWebview(r, redactor, displayLimit);
  if (!redactor.hasShortSecrets) {
    const batch = new BatchWriter(view);
    store.pack(from, to, batch, displayLimit);
    const packed = batch.finish();
    if (!redactor.hasSecrets) {
      return packed;
    }
    if (!mayHoldSecret(packed, redactor)) {
      // Rows from bytes name their readings' labels (event names, topics, methods) once each: masked here.
      if (packed.decoded) {
        packed.decoded.labels = packed.decoded.labels.map((label) => redactor.field(label));
      }
      return packed;
    }
  }
  const masked = new BatchWriter(view);
  store.pack(from, to, masked, EVERY_MESSAGE_MASKED);
  return masked.finish();
}

/**
 * Whether a secret may be in a batch packed from stored bytes: its text is searched as a whole, its
 * event names one by one (records that went as objects are masked already). A secret found across
 * two rows is a false alarm that only costs the masked packing. A binary row (base64) and a secret
 * masked only as a whole value (`hasShortSecrets`, not searched here) always take that path.
 */
function mayHoldSecret(batch: RecordBatch, redactor: Redactor): boolean {
  for (let f = FLAGS_FIELD; f < batch.fields.length; f += ROW_FIELDS) {
    if (batch.fields[f] & BINARY) {
      return true;
    }
  }
  const text = Buffer.from(batch.text.buffer, batch.text.byteOffset, batch.text.byteLength);
  return redactor.secretBytes.some((secret) => text.indexOf(secret) !== -1) || batch.events.some((name) => redactor.text(name) !== name);
}
