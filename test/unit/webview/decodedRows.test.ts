import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnRecord, MessageRecord } from '../../../src/protocol';
import type { Decoded } from '../../../src/core/records';
import { Redactor } from '../../../src/core/redactor';
import { messageLine } from '../../../src/session/outputLine';
import { filterType, typeLabel } from '../../../webview/format/labels';
import { DEFAULT_FILTER, NO_FILTER, RecordModel, type FilterSpec } from '../../../webview/model';

let seq = 0;
const t = '2026-01-02T03:04:05.006Z';
const m = (data: string, decoded?: Decoded, dir: 'in' | 'out' = 'in'): MessageRecord => ({
  kind: 'message',
  seq: ++seq,
  time: t,
  dir,
  format: 'text',
  data,
  size: data.length,
  ...(decoded ? { decoded } : {}),
});
const chat = () => m('42["chat",{"text":"hi"}]', { protocol: 'socket.io', type: 'event', label: 'chat' });
const ping = () => m('2', { protocol: 'socket.io', type: 'ping', keepAlive: true });
const spec = (s: Partial<FilterSpec>): FilterSpec => ({ ...DEFAULT_FILTER, dirs: { ...NO_FILTER.dirs }, ...s });
const rows = (model: RecordModel) => Array.from({ length: model.count }, (_, i) => model.at(i)!.seq);

describe('decoded messages in the log', () => {
  it('the type column reads the decoded type and label, a response its latency; an invalid frame as a plain message with a mark', () => {
    assert.equal(typeLabel(chat()), 'event chat');
    assert.equal(typeLabel(m('x', { protocol: 'mqtt', type: 'publish', label: 'sensors/1' })), 'publish sensors/1');
    assert.equal(
      typeLabel(m('x', { protocol: 'json-rpc', type: 'response', label: 'tools/list', latencyMs: 12.2 })),
      'response tools/list 12 ms',
    );
    assert.equal(typeLabel(ping()), 'ping');
    assert.equal(typeLabel(m('{oops', { protocol: 'json-rpc', type: 'invalid', error: 'not JSON' })), '⚠ text');
    assert.equal(typeLabel(m('plain')), 'text');
    assert.equal(filterType(chat()), 'event');
    assert.equal(filterType(m('{oops', { protocol: 'json-rpc', type: 'invalid' })), 'text');
  });

  it('hides keep-alive messages by default, shows them when the toggle is off, and hides those that come later', () => {
    const model = new RecordModel();
    const a = chat();
    const b = ping();
    const c = chat();
    model.replace([a, b, c]);
    assert.deepEqual(rows(model), [a.seq, c.seq]);
    assert.equal(model.filtering, true);
    model.setFilter(spec({ hideKeepAlive: false }));
    assert.deepEqual(rows(model), [a.seq, b.seq, c.seq]);
    model.setFilter(spec({}));
    const d = ping();
    const e = chat();
    model.append([d, e]);
    assert.deepEqual(rows(model), [a.seq, c.seq, e.seq]);
  });

  it('a log with no keep-alive is not filtered by the default filter, until one arrives', () => {
    const model = new RecordModel();
    model.replace([chat(), chat()]);
    assert.equal(model.filtering, false);
    const k = ping();
    model.append([k, chat()]);
    assert.equal(model.count, 3);
    assert.ok(!rows(model).includes(k.seq));
  });

  it('the text filter matches the label, the event, topic or method; the types list holds decoded types', () => {
    const model = new RecordModel();
    const a = chat();
    const b = m('x', { protocol: 'mqtt', type: 'publish', label: 'sensors/1', topic: 'sensors/1' });
    const c = m('{"jsonrpc":"2.0","method":"x"}', { protocol: 'json-rpc', type: 'request', method: 'tools/call' });
    model.replace([a, b, c, ping()]);
    model.setFilter(spec({ text: 'sensors' }));
    assert.deepEqual(rows(model), [b.seq]);
    model.setFilter(spec({ text: 'tools/call' }));
    assert.deepEqual(rows(model), [c.seq]);
    model.setFilter(spec({ text: 'event chat' }));
    assert.deepEqual(rows(model), [a.seq]);
    assert.deepEqual(model.types().sort(), ['event', 'ping', 'publish', 'request']);
    model.setFilter(spec({ hiddenTypes: ['event'] }));
    assert.deepEqual(rows(model), [b.seq, c.seq]);
  });

  it("the output channel's trace line says the decoded type and label, masked", () => {
    const red = new Redactor(['s3cret']);
    assert.equal(messageLine(chat(), red), 'in socket.io event chat');
    assert.equal(messageLine(m('x', { protocol: 'socket.io', type: 'event', label: 'room-s3cret' }), red), 'in socket.io event room-••••');
    assert.equal(messageLine(m('x', { protocol: 'stomp', type: 'invalid' }), red), 'in invalid stomp text');
    assert.equal(messageLine(m('plain') as ConnRecord as MessageRecord, red), 'in text');
  });
});
