import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { AdapterOptionError } from '../../../../src/core/adapters/adapter';
import { signalrAdapter } from '../../../../src/core/adapters/signalr';
import { AdapterHarness } from './harness';
import { startSignalrFixture, type SignalrFixture } from './signalrFixture';

describe('SignalR hub fixture, checked with @microsoft/signalr', () => {
  let hub: SignalrFixture;
  before(async () => {
    hub = await startSignalrFixture();
  });
  after(() => hub.close());

  it('negotiates, shakes hands, invokes, streams and pushes as a real hub does', async () => {
    const conn = new HubConnectionBuilder()
      .withUrl(hub.url, { transport: HttpTransportType.WebSockets })
      .configureLogging(LogLevel.None)
      .build();
    const pushed = new Promise<unknown[]>((r) => conn.on('ReceiveMessage', (...args: unknown[]) => r(args)));
    await conn.start();
    assert.equal(await conn.invoke('Add', 2, 3), 5);
    await assert.rejects(conn.invoke('Nope'), /Failed to invoke 'Nope'/);
    const items: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      conn.stream('Counter', 3).subscribe({ next: (i) => items.push(i), complete: resolve, error: reject }),
    );
    assert.deepEqual(items, [0, 1, 2]);
    await conn.invoke('Broadcast', 'hi');
    assert.deepEqual(await pushed, ['hi']);
    await conn.stop();
  });
});

describe('SignalR adapter against the hub fixture', () => {
  let hub: SignalrFixture;
  before(async () => {
    hub = await startSignalrFixture({ pingMs: 20 });
  });
  after(() => hub.close());

  it('negotiates, shakes hands and pairs completions with their invocations', async () => {
    const h = await AdapterHarness.open(signalrAdapter, {}, hub.url);
    await h.waitFor(() => h.isReady);
    assert.equal(h.sent[0]!.text, '{"protocol":"json","version":1}\u001e');
    assert.equal(h.received[0]!.type, 'handshake');
    h.send({ verb: 'invoke', fields: { target: 'Add', arguments: '[20, 22]' } });
    const done = await h.next((d) => d.type === 'completion');
    assert.deepEqual([done.result, done.target, done.invocationId], [42, 'Add', '1']);
    assert.equal(typeof done.latencyMs, 'number');

    h.send({ verb: 'invoke', fields: { target: 'Nope' } });
    const err = await h.next((d) => d.type === 'completion' && d.target === 'Nope');
    assert.match(String(err.error), /does not exist/);

    h.send({ verb: 'stream', fields: { target: 'Counter', arguments: [2] } });
    assert.equal(h.sent.at(-1)!.decoded.type, 'streaminvocation');
    const end = await h.next((d) => d.type === 'completion' && d.target === 'Counter');
    const items = h.received.filter((d) => d.type === 'streamitem').map((d) => [d.item, d.target]);
    assert.deepEqual(items, [
      [0, 'Counter'],
      [1, 'Counter'],
    ]);
    assert.equal(end.invocationId, '3');

    h.send({ verb: 'send', fields: { target: 'Broadcast', arguments: ['yo'] } });
    const push = await h.next((d) => d.type === 'invocation');
    assert.deepEqual([push.target, push.arguments, push.label], ['ReceiveMessage', ['yo'], 'ReceiveMessage']);

    const ping = await h.next((d) => d.type === 'ping');
    assert.equal(ping.keepAlive, true);
    h.dispose();
  });

  it('reads several records in one frame and a record cut over frames, and goes on after a bad one', async () => {
    const h = await AdapterHarness.open(signalrAdapter, {}, hub.url);
    await h.waitFor(() => h.isReady);
    const two = h.decode({ format: 'text', bytes: Buffer.from('{"type":1,"target":"A","arguments":[]}\u001e{"type":6}\u001e') });
    assert.deepEqual(
      two.map((d) => [d.type, d.part]),
      [
        ['invocation', { index: 0, count: 2 }],
        ['ping', { index: 1, count: 2 }],
      ],
    );
    assert.equal(h.decode({ format: 'text', bytes: Buffer.from('{"type":1,"tar') })[0]!.type, 'fragment');
    const rest = h.decode({ format: 'text', bytes: Buffer.from('get":"B","arguments":[1]}\u001e') });
    assert.deepEqual([rest[0]!.type, rest[0]!.target], ['invocation', 'B']);
    const bad = h.decode({ format: 'text', bytes: Buffer.from('{"type":99}\u001enope\u001e') });
    assert.deepEqual(
      bad.map((d) => d.type),
      ['invalid', 'invalid'],
    );
    assert.match(String(bad[1]!.error), /^not JSON/);
    assert.throws(() => h.send({ verb: 'invoke', fields: { target: 'Add', arguments: '{}' } }), /must be a JSON array/);
    assert.throws(() => h.send({ verb: 'cancel', fields: { invocationId: '9' } }), /no stream 9 is running/);
    h.send({ verb: 'invoke', fields: { target: 'Echo', arguments: ['still here'] } });
    const ok = await h.next((d) => d.type === 'completion');
    assert.equal(ok.result, 'still here');
    h.dispose();
  });

  it('answers a server invocation it has no handler for, as the official client does', async () => {
    const h = await AdapterHarness.open(signalrAdapter, {}, hub.url);
    await h.waitFor(() => h.isReady);
    h.send({ verb: 'invoke', fields: { target: 'AskClient' } });
    await h.next((d) => d.type === 'invocation' && d.target === 'GetName');
    const answer = await h.waitFor(() => h.sent.find((s) => s.decoded.invocationId === 'server-1'));
    assert.equal(answer.decoded.type, 'completion');
    assert.match(String(answer.decoded.error), /did not provide a result/);
    h.dispose();
  });

  it("ends the attempt with the server's close error in words", async () => {
    const h = await AdapterHarness.open(signalrAdapter, {}, hub.url);
    await h.waitFor(() => h.isReady);
    h.send({ verb: 'send', fields: { target: 'CloseMe' } });
    await h.waitFor(() => h.failure);
    assert.equal(h.failure!.message, 'the server closed the connection with an error: Connection closed with an error. bye');
    assert.equal(h.failure!.retry, false);
  });

  it('follows a negotiate redirect and carries its access token', async () => {
    const h = await AdapterHarness.open(signalrAdapter, {}, hub.redirectUrl);
    await h.waitFor(() => h.isReady);
    assert.ok(hub.tokens.includes('Bearer secret-token'));
    assert.ok(hub.tokens.includes('query secret-token'));
    h.dispose();
  });

  it('says in words why negotiate failed', async () => {
    await assert.rejects(
      AdapterHarness.open(signalrAdapter, {}, hub.url.replace('/hub', '/nothing')),
      /SignalR negotiate failed: the negotiate request was answered 404/,
    );
    assert.throws(
      () => signalrAdapter.options({ skipNegotiation: 'yes' }),
      (e: unknown) => e instanceof AdapterOptionError && e.option === 'skipNegotiation',
    );
  });
});
