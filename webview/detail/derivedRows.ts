/** The details of the records a connection derives from its own (continuity findings, silences), as key/value rows. */
import type { ConnRecord } from '../../src/protocol';
import { continuityText, silenceText } from '../../src/core/derivedText';
import { escapeControl } from '../format/text';
import type { KeyValue } from './parts';

/** A finding in words, the ids it compares and what it rests on; a silence's length. Other kinds: none. */
export function derivedRows(r: ConnRecord): KeyValue[] {
  switch (r.kind) {
    case 'continuity':
      // The event ids are the server's: shown as text, control characters escaped.
      return [
        ['Finding', escapeControl(continuityText(r))],
        ['Status', r.status],
        ['Id before', escapeControl(r.lastEventId)],
        ['Event id', escapeControl(r.id)],
        ['Missing', r.status === 'gap' ? r.missing : undefined],
        ['Duplicates', r.duplicates || undefined],
        ['Based on', escapeControl(r.basis)],
      ];
    case 'silence':
      return [['Silence', silenceText(r.ms)]];
    default:
      return [];
  }
}
