import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import { generate } from 'mqtt-packet';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { AdapterOptionError } from '../../../../src/core/adapters/adapter';
import { mqttAdapter } from '../../../../src/core/adapters/mqtt';
import { AdapterHarness } from './harness';

/** The aedes broker on 127.0.0.1, each WebSocket handed to it as a stream (as aedes' own docs do). */
describe('MQTT adapter against aedes', () => {
  let broker: Aedes;
  let wss: WebSocketServer;
  let url: string;

  before(async () => {
    broker = await Aedes.createBroker();
    broker.authenticate = (_client, username, password, done) => {
      if (username === 'mallory') {
        const err = Object.assign(new Error('bad user'), { returnCode: 4 });
        done(err as never, false);
        return;
      }
      done(null, username === undefined || String(password) === 'secret');
    };
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (socket) => broker.handle(createWebSocketStream(socket) as never));
    await new Promise((r) => wss.once('listening', r));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/mqtt`;
  });

  after(async () => {
    wss.close();
    await new Promise((r) => broker.close(r as () => void));
  });

  it('connects, subscribes from its options and runs the QoS 0, 1 and 2 flows both ways', async () => {
    const h = await AdapterHarness.open(
      mqttAdapter,
      { clientId: 'ri-test-1', username: 'ada', password: 'secret', subscribe: ['t/#:2'] },
      url,
    );
    assert.equal(h.sent.length, 0);
    const connack = await h.next((d) => d.type === 'connack');
    assert.equal(connack.reasonCode, 0);
    assert.equal(h.protocol, 'mqtt');
    assert.equal(h.isReady, true);
    assert.equal(h.sent[0]!.decoded.type, 'connect');
    assert.equal(h.sent[0]!.decoded.password, '***');
    const suback = await h.next((d) => d.type === 'suback');
    assert.deepEqual(suback.granted, [2]);
    assert.equal(suback.packetId, h.sent[1]!.decoded.packetId);

    h.send({ verb: 'publish', fields: { topic: 't/a', payload: 'zero' } });
    const m0 = await h.next((d) => d.type === 'publish' && d.payload === 'zero');
    assert.deepEqual([m0.topic, m0.qos, m0.retain, m0.label], ['t/a', 0, false, 't/a']);

    h.send({ verb: 'publish', fields: { topic: 't/b', payload: 'one', qos: '1' } });
    const puback = await h.next((d) => d.type === 'puback');
    assert.equal(puback.packetId, h.sent.at(-1)!.decoded.packetId);
    const m1 = await h.next((d) => d.type === 'publish' && d.payload === 'one');
    assert.equal(m1.qos, 1);
    await h.waitFor(() => h.sent.find((s) => s.decoded.type === 'puback' && s.decoded.packetId === m1.packetId));

    h.send({ verb: 'publish', fields: { topic: 't/c', payload: 'two', qos: 2 } });
    const id = h.sent.at(-1)!.decoded.packetId;
    await h.next((d) => d.type === 'pubrec' && d.packetId === id);
    assert.ok(h.sent.some((s) => s.decoded.type === 'pubrel' && s.decoded.packetId === id));
    await h.next((d) => d.type === 'pubcomp' && d.packetId === id);
    const m2 = await h.next((d) => d.type === 'publish' && d.payload === 'two');
    assert.equal(m2.qos, 2);
    await h.waitFor(() => h.sent.find((s) => s.decoded.type === 'pubrec' && s.decoded.packetId === m2.packetId));
    await h.next((d) => d.type === 'pubrel' && d.packetId === m2.packetId);
    await h.waitFor(() => h.sent.find((s) => s.decoded.type === 'pubcomp' && s.decoded.packetId === m2.packetId));

    broker.publish(
      { cmd: 'publish', topic: 't/bin', payload: Buffer.from([0xff, 0x00, 0xfe]), qos: 0, retain: false, dup: false },
      () => {},
    );
    const bin = await h.next((d) => d.topic === 't/bin');
    assert.deepEqual([bin.payload, bin.payloadEncoding], ['/wD+', 'base64']);

    h.send({ verb: 'unsubscribe', fields: { topic: 't/#' } });
    await h.next((d) => d.type === 'unsuback');
    await h.close();
    assert.equal(h.sent.at(-1)!.decoded.type, 'disconnect');
    assert.equal(h.failure, undefined);
  });

  it('answers its keep-alive: PINGREQ out, PINGRESP in, both keep-alive traffic', async () => {
    const h = await AdapterHarness.open(mqttAdapter, { keepAlive: 1 }, url);
    const resp = await h.next((d) => d.type === 'pingresp');
    assert.equal(resp.keepAlive, true);
    assert.equal(h.sent.find((s) => s.decoded.type === 'pingreq')!.decoded.keepAlive, true);
    h.dispose();
  });

  it('ends the attempt in words when CONNACK refuses', async () => {
    const bad = await AdapterHarness.open(mqttAdapter, { username: 'ada', password: 'wrong' }, url);
    await bad.waitFor(() => bad.failure);
    assert.equal(bad.failure!.message, 'the broker refused the connection: not authorized (return code 5)');
    assert.equal(bad.failure!.retry, false);
    const mallory = await AdapterHarness.open(mqttAdapter, { username: 'mallory', password: 'x' }, url);
    await mallory.waitFor(() => mallory.failure);
    assert.match(mallory.failure!.message, /bad user name or password \(return code 4\)/);
    const v5 = await AdapterHarness.open(mqttAdapter, { mqttVersion: '5' }, url);
    await v5.waitFor(() => v5.failure);
    assert.match(v5.failure!.message, /unacceptable protocol version \(return code 1\): the broker does not speak MQTT 5/);
    assert.equal(v5.isReady, false);
  });

  it('reads several packets in one frame, a packet split over frames, and goes on after garbage', async () => {
    const h = await AdapterHarness.open(mqttAdapter, {}, url);
    await h.waitFor(() => h.isReady);
    const a = generate({ cmd: 'publish', topic: 'x', payload: Buffer.from('1'), qos: 0, retain: false, dup: false });
    const b = generate({ cmd: 'publish', topic: 'y', payload: Buffer.from('22'), qos: 0, retain: true, dup: false });
    const two = h.decode({ format: 'binary', bytes: Buffer.concat([a, b]) });
    assert.deepEqual(
      two.map((d) => [d.topic, d.payload, d.retain, d.part]),
      [
        ['x', '1', false, { index: 0, count: 2 }],
        ['y', '22', true, { index: 1, count: 2 }],
      ],
    );
    const first = h.decode({ format: 'binary', bytes: b.subarray(0, 3) });
    assert.equal(first[0]!.type, 'fragment');
    const rest = h.decode({ format: 'binary', bytes: b.subarray(3) });
    assert.deepEqual(
      rest.map((d) => [d.type, d.topic, d.payload]),
      [['publish', 'y', '22']],
    );
    const junk = h.decode({ format: 'binary', bytes: Buffer.from([0x00, 0x00]) });
    assert.equal(junk[0]!.type, 'invalid');
    assert.match(String(junk[0]!.error), /^not an MQTT packet: /);
    h.send({ verb: 'subscribe', fields: { topic: 'after/junk' } });
    await h.next((d) => d.type === 'suback');
    h.dispose();
  });

  it('refuses sends it cannot make, in words', async () => {
    const h = await AdapterHarness.open(mqttAdapter, {}, url);
    assert.throws(() => h.send({ verb: 'publish', fields: { topic: 'a' } }), /not connected to the broker yet/);
    await h.waitFor(() => h.isReady);
    assert.throws(() => h.send({ verb: 'publish', fields: { topic: '' } }), /publish needs a topic/);
    assert.throws(() => h.send({ verb: 'publish', fields: { topic: 'a', qos: '3' } }), /QoS must be 0, 1 or 2/);
    assert.throws(() => h.send({ verb: 'emit', fields: { topic: 'a' } }), /MQTT has no "emit"/);
    h.dispose();
  });

  it('checks its options, naming the option', () => {
    const o = mqttAdapter.options({ subscribe: ['a/b', 'c/+:1', { topic: 'd', qos: 2 }], keepAlive: '30', mqttVersion: 5 });
    assert.deepEqual(o.subscribe, [
      { topic: 'a/b', qos: 0 },
      { topic: 'c/+', qos: 1 },
      { topic: 'd', qos: 2 },
    ]);
    assert.equal(o.keepAlive, 30);
    assert.equal(o.version, 5);
    assert.match(o.clientId, /^realtime-inspector-/);
    const option = (raw: Record<string, unknown>): string => {
      try {
        mqttAdapter.options(raw);
      } catch (err) {
        assert.ok(err instanceof AdapterOptionError);
        return err.option;
      }
      return '';
    };
    assert.equal(option({ keepAlive: -1 }), 'keepAlive');
    assert.equal(option({ mqttVersion: '4' }), 'mqttVersion');
    assert.equal(option({ subscribe: [{ topic: 'a', qos: 5 }] }), 'subscribe');
    assert.equal(option({ username: 1 }), 'username');
  });
});
