/** A large WebSocket text message is written by the CLI as its own bytes: the line is the same as formatted in full. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { formatRecord, jsonLine, messageLinePieces } from '../../../src/cli/format';
import { ReceivedText } from '../../../src/core/receivedText';

function received(text: string): ReceivedText {
  const r = new ReceivedText(Buffer.from(text));
  r.seq = 7;
  r.time = '2026-12-02T00:00:00.000Z';
  return r;
}

describe('CLI: a large message written as bytes', () => {
  const big = 'a'.repeat(100_000) + ' {x} ' + 'b'.repeat(100_000);
  for (const json of [true, false]) {
    for (const color of [false, true]) {
      it(`${json ? '--json' : 'readable'}${color ? ', coloured' : ''}: the same line as formatted in full`, () => {
        const pieces = messageLinePieces(received(big), json, { color });
        assert.ok(pieces);
        const full = json ? jsonLine(received(big)) : formatRecord(received(big), { color });
        assert.equal(Buffer.concat([Buffer.from(pieces[0]), pieces[1], Buffer.from(pieces[2])]).toString(), full);
      });
    }
  }
  it('bytes that need escaping, small messages and other records take the usual path', () => {
    for (const text of [
      'x'.repeat(100_000) + '"',
      'x'.repeat(100_000) + '\\',
      'x'.repeat(100_000) + '\x1b[31m',
      'x'.repeat(100_000) + 'é',
      'x'.repeat(100_000) + '\x7f',
      'small',
    ]) {
      assert.equal(messageLinePieces(received(text), true, { color: false }), undefined);
    }
    const read = received(big);
    void read.data;
    assert.equal(messageLinePieces(read, true, { color: false }), undefined, 'once decoded, the text is used');
  });
});
