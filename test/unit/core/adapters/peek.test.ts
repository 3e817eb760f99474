/**
 * The adapters read a message's label (and GraphQL's id) from the frame's head so the log needs no
 * parse under a flood: what they read must be what a whole parse reads, or nothing (then it parses).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { peekId } from '../../../../src/core/adapters/graphqlWsPeek';
import { peekSioAckId, peekSioLabel } from '../../../../src/core/adapters/socketio';
import { parseSioPacket } from '../../../../src/core/adapters/socketioPacket';

/** The label a whole parse gives an event or ack frame (Engine.IO `4` first). */
function parsedLabel(frame: string): string {
  const p = parseSioPacket(frame, 1);
  return p.type === 3 ? `#${p.ackId}` : String((p.data as unknown[])[0]);
}

describe('reading labels from the frame head', () => {
  it('Socket.IO: events and acks in any namespace read as a parse reads them', () => {
    for (const frame of [
      '42["tick",{"n":1}]',
      '42/chat,["chat","hi"]',
      '42/chat,17["chat","hi"]',
      '4217["écho ✓",1]',
      '43/chat,17[{"ok":true}]',
      '4312["done"]',
    ]) {
      assert.equal(peekSioLabel(Buffer.from(frame)), parsedLabel(frame), frame);
      assert.equal(peekSioAckId(Buffer.from(frame)), parseSioPacket(frame, 1).ackId ?? null, frame);
    }
  });

  it('Socket.IO: what is not plain at the head is left to the parse', () => {
    for (const frame of ['42["with \\"quotes\\"",1]', '42[1,2]', '42[]', '42/chat["x"]', '43["no id"]', '4']) {
      assert.equal(peekSioLabel(Buffer.from(frame)), undefined, frame);
    }
    assert.equal(peekSioAckId(Buffer.from('42/chat["x"]')), undefined);
  });

  it('GraphQL: the id at the head, after the type or first, as the JSON has it', () => {
    for (const frame of [
      '{"id":"1","type":"next","payload":{"data":{"id":"x"}}}',
      '{"type":"data","id":"op-7","payload":{}}',
      '{"id":"ünï","type":"next","payload":null}',
    ]) {
      assert.equal(peekId(Buffer.from(frame)), (JSON.parse(frame) as { id: string }).id, frame);
    }
    for (const frame of [
      '{"type":"next","payload":{"id":"not this"},"id":"1"}',
      '{"id":1,"type":"next"}',
      '{"id":"a\\"b","type":"next"}',
    ]) {
      assert.equal(peekId(Buffer.from(frame)), undefined, frame);
    }
  });

  it('a frame where the store keeps it, among other bytes: read within its bounds only', () => {
    // The store's chunk holds messages back to back; a peek reads b[from, to) and nothing past it.
    const place = (frame: string, after: string) => {
      const before = Buffer.from('42["before",1]');
      const b = Buffer.concat([before, Buffer.from(frame), Buffer.from(after)]);
      return { b, from: before.length, to: before.length + Buffer.byteLength(frame) };
    };
    for (const frame of ['42["tick",{"n":1}]', '42/chat,17["chat","hi"]', '4312["done"]', '42["écho ✓",1]']) {
      const { b, from, to } = place(frame, '42["after"]');
      assert.equal(peekSioLabel(b, from, to), parsedLabel(frame), frame);
      assert.equal(peekSioAckId(b, from, to), parseSioPacket(frame, 1).ackId ?? null, frame);
    }
    // Cut where the name or the head would only go on in the next message's bytes.
    for (const [frame, after] of [
      ['42["ti', 'ck"]'],
      ['42/chat', ',["x"]'],
      ['4217', '["x"]'],
    ]) {
      const { b, from, to } = place(frame, after);
      assert.equal(peekSioLabel(b, from, to), undefined, frame);
    }
    const gql = '{"id":"7","type":"next","payload":{}}';
    const g = place(gql, '{"id":"8"}');
    assert.equal(peekId(g.b, g.from, g.to), '7');
    const cut = place('{"id":"7', '","type":"next"}');
    assert.equal(peekId(cut.b, cut.from, cut.to), undefined);
  });
});
