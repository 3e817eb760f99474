import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ABSENT, DECODED_FIELDS, LABEL_CHARS, isDecodedSummary, packBatch, unpackBatch } from '../../../src/core/batchFormat';
import { toNdjson } from '../../../src/core/export';
import { DecodedText } from '../../../src/core/receivedText';
import { MASK, Redactor } from '../../../src/core/redactor';
import type { ConnRecord, Decoded, MessageRecord } from '../../../src/core/records';
import { MessageStore } from '../../../src/core/store';
import { packStored } from '../../../src/panel/batch';
import { parseNdjson, tailNdjson } from '../../../src/session/persist';

const T = new Date(0).toISOString();

function msg(seq: number, data: string, decoded?: Decoded, dir: 'in' | 'out' = 'in'): MessageRecord {
  const r: MessageRecord = { kind: 'message', dir, format: 'text', data, size: Buffer.byteLength(data), seq, time: T };
  if (decoded) {
    r.decoded = decoded;
  }
  return r;
}

function event(seq: number, name: string, args: unknown[] = [{ n: seq }]): MessageRecord {
  const data = `42${JSON.stringify([name, ...args])}`;
  return msg(seq, data, { protocol: 'socket.io', type: 'event', namespace: '/', event: name, args, label: name });
}

/** A reading that parses its frame only when asked, with getters and toJSON (as an adapter may make). */
class Lazy implements Decoded {
  [field: string]: unknown;
  readonly protocol = 'stomp' as const;
  readonly type = 'connect';
  parsed = 0;
  constructor(private readonly frame: string) {}
  private get fields(): Record<string, unknown> {
    this.parsed++;
    const headers: Record<string, string> = {};
    for (const line of this.frame.split('\n').slice(1)) {
      const [k, v] = line.split(':');
      if (k) {
        headers[k] = v;
      }
    }
    return { command: 'CONNECT', headers };
  }
  toJSON(): Decoded {
    return { protocol: this.protocol, type: this.type, ...this.fields };
  }
}

describe("a message record's decoded, from store to batch", () => {
  it("the store gives back each message's decoded object, across wrap-around, growth and eviction", () => {
    const store = new MessageStore({ maxRecords: 1500 });
    const added: MessageRecord[] = [];
    for (let s = 1; s <= 4000; s++) {
      const r = s % 3 === 0 ? msg(s, `plain ${s}`) : event(s, s % 2 ? 'chat' : 'news');
      added.push(r);
      store.add(r);
    }
    const kept = store.toArray() as MessageRecord[];
    assert.equal(kept.length, 1500);
    kept.forEach((r, i) => {
      const a = added[2500 + i];
      assert.equal(r.seq, a.seq);
      assert.deepEqual(r.decoded, a.decoded);
      assert.equal('decoded' in r, a.decoded !== undefined, `seq ${r.seq}: decoded only where it was`);
    });
    assert.deepEqual((store.bySeq(4000) as MessageRecord).decoded, added[3999].decoded);
  });

  it('a text message still in its received bytes keeps its decoded', () => {
    const store = new MessageStore();
    const r = new DecodedText(Buffer.from('42["chat","hi"]'), {
      protocol: 'socket.io',
      type: 'event',
      event: 'chat',
      args: ['hi'],
      label: 'chat',
    });
    r.seq = 1;
    r.time = T;
    store.add(r);
    const back = store.at(0) as MessageRecord;
    assert.equal(back.data, '42["chat","hi"]');
    assert.deepEqual(back.decoded, { protocol: 'socket.io', type: 'event', event: 'chat', args: ['hi'], label: 'chat' });
  });

  it("a batch packed from the store carries each row's type, label, latency and keep-alive, not the whole reading", () => {
    const store = new MessageStore();
    store.add(event(1, 'chat'));
    store.add(msg(2, 'bare text'));
    store.add(msg(3, '2', { protocol: 'socket.io', type: 'ping', keepAlive: true }));
    store.add(
      msg(4, '{"jsonrpc":"2.0","id":1,"result":[]}', {
        protocol: 'json-rpc',
        type: 'response',
        id: 1,
        result: [],
        method: 'tools/list',
        latencyMs: 12.4,
        label: 'tools/list',
      }),
    );
    store.add(msg(5, 'x'.repeat(300), { protocol: 'json-rpc', type: 'notification', label: 'y'.repeat(LABEL_CHARS + 50) }));
    store.add(msg(6, 'nope', { protocol: 'json-rpc', type: 'invalid', error: 'not JSON: Unexpected token' }));
    const batch = packStored(store, 0, store.size, new Redactor(), 1 << 20);
    assert.ok(batch.decoded, 'the batch has decoded columns');
    assert.equal(batch.decoded.fields.length, 6 * DECODED_FIELDS);
    assert.equal(batch.decoded.fields[1 * DECODED_FIELDS], ABSENT, 'the bare message has none');
    assert.equal(batch.others.length, 0, 'every message went as a row, from bytes');
    const rows = unpackBatch(batch) as MessageRecord[];
    assert.deepEqual(rows[0].decoded, { protocol: 'socket.io', type: 'event', label: 'chat' });
    assert.ok(isDecodedSummary(rows[0].decoded!));
    assert.equal(rows[1].decoded, undefined);
    assert.deepEqual(rows[2].decoded, { protocol: 'socket.io', type: 'ping', keepAlive: true });
    assert.deepEqual(rows[3].decoded, { protocol: 'json-rpc', type: 'response', label: 'tools/list', latencyMs: 12, id: '1' });
    assert.equal(rows[4].decoded!.label, 'y'.repeat(LABEL_CHARS));
    assert.deepEqual(rows[5].decoded, { protocol: 'json-rpc', type: 'invalid' });
    assert.deepEqual(
      rows.map((r) => r.data),
      ['42["chat",{"n":1}]', 'bare text', '2', '{"jsonrpc":"2.0","id":1,"result":[]}', 'x'.repeat(300), 'nope'],
    );
  });

  it('rows packed from objects carry the same summary; a record that travels whole keeps its whole reading', () => {
    const records: ConnRecord[] = [event(1, 'chat'), { ...event(2, 'news'), state: 'open' } as ConnRecord];
    const back = unpackBatch(packBatch(records)) as MessageRecord[];
    assert.deepEqual(back[0].decoded, { protocol: 'socket.io', type: 'event', label: 'chat' });
    assert.deepEqual(back[1].decoded, (records[1] as MessageRecord).decoded);
    assert.ok(!isDecodedSummary(back[1].decoded!));
  });

  it('a label holding a secret is masked in a batch packed from bytes', () => {
    const store = new MessageStore();
    store.add(event(1, 'room-s3cret-1'));
    const batch = packStored(store, 0, 1, new Redactor(['s3cret']), 1 << 20);
    const [row] = unpackBatch(batch) as MessageRecord[];
    assert.equal(row.decoded!.label, `room-${MASK}-1`);
    assert.ok(!row.data.includes('s3cret'));
  });
});

describe('masking a decoded', () => {
  it('masks a STOMP passcode, an MQTT password and a Socket.IO auth by name, with no secret configured, in decoded and in data', () => {
    const none = new Redactor();
    const stomp = msg(
      1,
      'CONNECT\nlogin:guest\npasscode:hunter22\n\n\0',
      { protocol: 'stomp', type: 'connect', command: 'CONNECT', headers: { login: 'guest', passcode: 'hunter22' } },
      'out',
    );
    const mqtt = msg(2, 'AAEC', { protocol: 'mqtt', type: 'connect', clientId: 'c1', username: 'u', password: 'pw-9876' }, 'out');
    mqtt.format = 'binary';
    mqtt.data = Buffer.from('..pw-9876..').toString('base64');
    const sio = msg(
      3,
      '40{"token":"tok-abc"}',
      { protocol: 'socket.io', type: 'connect', namespace: '/', auth: { token: 'tok-abc', retries: 3, flag: true } },
      'out',
    );
    const s = none.record(stomp);
    assert.equal((s.decoded!.headers as Record<string, string>).passcode, MASK);
    assert.equal((s.decoded!.headers as Record<string, string>).login, 'guest');
    assert.ok(!s.data.includes('hunter22'), s.data);
    assert.ok(s.data.includes('login:guest'));
    const m = none.record(mqtt);
    assert.equal(m.decoded!.password, MASK);
    assert.equal(m.decoded!.username, 'u');
    assert.ok(!Buffer.from(m.data, 'base64').toString().includes('pw-9876'));
    const i = none.record(sio);
    assert.deepEqual(i.decoded!.auth, { token: MASK, retries: MASK, flag: true });
    assert.equal(i.data, `40{"token":"${MASK}"}`);
    // The originals are untouched.
    assert.equal((stomp.decoded!.headers as Record<string, string>).passcode, 'hunter22');
  });

  it("masks the connection's secrets in every text value of a decoded, and leaves a clean one as it is", () => {
    const red = new Redactor(['s3cret']);
    const r = event(1, 'chat', [{ text: 'my s3cret is out', nested: ['s3cret'] }]);
    const out = red.record(r);
    assert.deepEqual(out.decoded!.args, [{ text: `my ${MASK} is out`, nested: [MASK] }]);
    assert.ok(!JSON.stringify(out).includes('s3cret'));
    const clean = event(2, 'chat');
    assert.equal(red.record(clean), clean);
    assert.equal(new Redactor().record(clean), clean);
  });

  it('reads a lazy reading (getters and toJSON) before masking it', () => {
    const lazy = new Lazy('CONNECT\nlogin:guest\npasscode:hunter22');
    const r = msg(1, 'CONNECT\nlogin:guest\npasscode:hunter22\n\n\0', lazy, 'out');
    const out = new Redactor().record(r);
    assert.equal((out.decoded!.headers as Record<string, string>).passcode, MASK);
    assert.ok(!serialised(out).includes('hunter22'));
  });

  it("a sent CONNECT with a passcode is masked in the panel's batch, the export and the persisted tail", () => {
    const store = new MessageStore();
    const connect = msg(
      1,
      'CONNECT\npasscode:hunter22\n\n\0',
      { protocol: 'stomp', type: 'connect', headers: { passcode: 'hunter22' } },
      'out',
    );
    store.add(connect);
    store.add(event(2, 'chat'));
    const batch = packStored(store, 0, store.size, new Redactor(), 1 << 20);
    assert.ok(!serialised(unpackBatch(batch)).includes('hunter22'), 'batch');
    assert.ok(!toNdjson(store, new Redactor()).includes('hunter22'), 'export');
    const tail = tailNdjson(store, undefined);
    assert.ok(!tail.text.includes('hunter22'), 'tail');
    const back = parseNdjson(tail.text) as MessageRecord[];
    assert.equal(back.length, 2);
    assert.deepEqual(back[1].decoded, connect.decoded === undefined ? undefined : event(2, 'chat').decoded);
    assert.deepEqual(back[0].decoded, { protocol: 'stomp', type: 'connect', headers: { passcode: MASK } });
  });
});

function serialised(v: unknown): string {
  return JSON.stringify(v);
}
