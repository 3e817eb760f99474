import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type ConnectArgs, parseCliArgs, UsageError } from '../../../src/cli/args';
import { buildOptions } from '../../../src/cli/run';
import { escapeText, formatRecord, jsonLine } from '../../../src/cli/format';
import { type ConnRecord } from '../../../src/core/records';

const connect = (argv: string[]) => parseCliArgs(argv) as ConnectArgs;

describe('CLI arguments', () => {
  it('picks the protocol by scheme; --sse / --ws force one', () => {
    assert.equal(connect(['http://h/x']).kind, 'sse');
    assert.equal(connect(['https://h/x']).kind, 'sse');
    assert.equal(connect(['ws://h/x']).kind, 'ws');
    assert.equal(connect(['wss://h/x']).kind, 'ws');
    assert.equal(connect(['--ws', 'https://h/x']).kind, 'ws');
    assert.throws(() => parseCliArgs(['--sse', 'ws://h/x']), UsageError);
  });

  it('repeatable headers, joined when a name repeats', () => {
    const a = connect(['http://h', '-H', 'X-A: 1', '--header', 'x-a: 2', '-H', 'Empty:']);
    assert.deepEqual(a.headers, { 'X-A': '1, 2', Empty: '' });
  });

  it('-d implies POST unless -X says otherwise; @file is read later', () => {
    assert.equal(connect(['http://h', '-d', '{}']).method, 'POST');
    assert.equal(connect(['http://h', '-d', '{}', '-X', 'put']).method, 'PUT');
    assert.deepEqual(connect(['http://h', '-d', '@body.json']).data, { file: 'body.json' });
    assert.equal(connect(['http://h']).method, undefined);
  });

  it('WS sends keep their order across --send and --send-binary', () => {
    const a = connect(['ws://h', '-s', 'one', '--send-binary', 'AAEC', '--send', 'two', '-p', 'chat', '-p', 'json']);
    assert.deepEqual(
      a.sends.map((s) => ('bytes' in s ? [...s.bytes] : s.text)),
      ['one', [0, 1, 2], 'two'],
    );
    assert.deepEqual(a.protocols, ['chat', 'json']);
  });

  it('--ping takes a payload only after "=", and --ping after -- is the URL', () => {
    const a = connect(['--ping', 'ws://h', '--ping=a b', '-s', 'x']);
    assert.equal(a.url, 'ws://h');
    assert.deepEqual(
      a.sends.map((s) => (s.type === 'text' ? `text:${s.text}` : s.type === 'ping' ? `ping:${s.text}` : s.type)),
      ['ping:', 'ping:a b', 'text:x'],
    );
    assert.deepEqual([...(connect(['ws://h', '--ping=é']).sends[0] as { bytes: Buffer }).bytes], [0xc3, 0xa9]);
    assert.throws(() => parseCliArgs(['ws://h', '--', '--ping']), /one URL expected/);
  });

  it('--close CODE[:REASON], -i / --no-interactive and the WS connection options', async () => {
    assert.deepEqual(connect(['ws://h', '--close', '4000:a:b']).close, { code: 4000, reason: 'a:b' });
    assert.deepEqual(connect(['ws://h', '--close', '1000']).close, { code: 1000 });
    assert.deepEqual(connect(['ws://h', '--close', '3000:']).close, { code: 3000, reason: '' });
    assert.equal(connect(['ws://h']).close, undefined);
    assert.equal(connect(['ws://h']).interactive, undefined, 'decided by the runner: on when stdin is a terminal');
    assert.equal(connect(['ws://h', '-i']).interactive, true);
    assert.equal(connect(['ws://h', '--interactive']).interactive, true);
    assert.equal(connect(['ws://h', '--no-interactive']).interactive, false);
    assert.equal(connect(['http://h', '--no-interactive']).interactive, false);

    const o = await buildOptions(
      connect(['ws://h', '--keepalive', '500', '--no-deflate', '--max-payload', '1024', '--connect-timeout', '750']),
    );
    assert.deepEqual(o.keepAlive, { intervalMs: 500, timeoutMs: 10_000 });
    assert.equal(o.perMessageDeflate, false);
    assert.equal(o.maxPayload, 1024);
    assert.equal(o.timeoutMs, 750);
    assert.deepEqual((await buildOptions(connect(['ws://h', '--keepalive', '5', '--keepalive-timeout', '7']))).keepAlive, {
      intervalMs: 5,
      timeoutMs: 7,
    });
    assert.equal((await buildOptions(connect(['ws://h', '--deflate']))).perMessageDeflate, true);
    const defaults = await buildOptions(connect(['ws://h']));
    assert.deepEqual(
      [defaults.keepAlive, defaults.perMessageDeflate, defaults.maxPayload, defaults.timeoutMs],
      [undefined, undefined, undefined, undefined],
    );
    assert.equal((await buildOptions(connect(['http://h', '--connect-timeout', '99']))).timeoutMs, 99);
  });

  it('rejects bad base64, numbers, headers and flags for the other protocol', () => {
    const bad = [
      ['ws://h', '--send-binary', 'not base64!'],
      ['ws://h', '--send-binary', 'AAE'],
      ['http://h', '--max-retries', '-1'],
      ['http://h', '--retry-delay', '1.5'],
      ['http://h', '--timeout', '0'],
      ['http://h', '-H', ': value'],
      ['http://h', '-H', 'Bad Name: x'],
      ['http://h', '-p', 'chat'],
      ['http://h', '--send-binary', 'AA=='],
      ['ws://h', '-X', 'POST'],
      ['ws://h', '--last-event-id', '1'],
      ['http://h', '--raw', '--json'],
      ['http://h', '--insecure', '--cacert', 'x.pem'],
      ['http://a', 'http://b'],
      ['http://h', '-i'],
      ['http://h', '--ping'],
      ['http://h', '--keepalive', '10'],
      ['http://h', '--no-deflate'],
      ['http://h', '--max-payload', '10'],
      ['ws://h', '--close', '1005'],
      ['ws://h', '--close', '4000:' + 'x'.repeat(124)],
      ['ws://h', '--close', ':bye'],
      ['ws://h', '--ping=' + 'x'.repeat(126)],
      ['ws://h', '-i', '--no-interactive'],
      ['ws://h', '--keepalive-timeout', '5'],
      ['ws://h', '--deflate', '--no-deflate'],
      ['ws://h', '--connect-timeout', '0'],
    ];
    for (const argv of bad) {
      assert.throws(() => parseCliArgs(argv), UsageError, JSON.stringify(argv));
    }
  });

  it('builds core options: reconnect policy, proxy from the environment, credentials as secrets', async () => {
    const o = await buildOptions(
      connect(['http://h', '--max-retries', '3', '--retry-delay', '250', '-H', 'Authorization: Bearer tok123', '--last-event-id', '9']),
    );
    assert.deepEqual(o.reconnect, { enabled: true, maxAttempts: 3, initialDelayMs: 250 });
    assert.deepEqual(o.proxy, { fromEnv: true });
    assert.deepEqual(o.secrets, ['tok123']);
    assert.equal(o.lastEventId, '9');
    const off = await buildOptions(connect(['http://h', '--no-reconnect', '--insecure']));
    assert.equal(off.reconnect?.enabled, false);
    assert.deepEqual(off.tls, { insecure: true });
    await assert.rejects(buildOptions(connect(['http://h', '--cacert', '/nonexistent.pem'])), UsageError);
  });

  it('demo takes --port and --host', () => {
    assert.deepEqual(parseCliArgs(['demo', '--port', '8080']), { command: 'demo', port: 8080, host: '127.0.0.1' });
    assert.throws(() => parseCliArgs(['demo', '--port', '70000']), UsageError);
    assert.throws(() => parseCliArgs(['demo', 'extra']), UsageError);
  });
});

describe('CLI output', () => {
  const base = { seq: 1, time: '2024-05-06T07:08:09.010Z' };

  it('escapes controls, ANSI, bidi, zero-width and lone surrogates; leaves other text alone', () => {
    assert.equal(escapeText('plain ✓ 日本 😀'), 'plain ✓ 日本 😀');
    assert.equal(escapeText('\x1b[31m\x07\u0000\r\n\t\x7f\x85'), '\\e[31m\\x07\\0\\r\\n\\t\\x7f\\x85');
    assert.equal(escapeText('\u202eabc\u2066\u200b\ufeff\u2028'), '\\u202eabc\\u2066\\u200b\\ufeff\\u2028');
    assert.equal(escapeText('a\ud800b\udc00'), 'a\\ud800b\\udc00');
    assert.equal(escapeText('tag\udb40\udc41'), 'tag\\u{e0041}');
  });

  it('readable lines never contain a raw control character, coloured or not', () => {
    const hostile: ConnRecord = {
      ...base,
      kind: 'message',
      dir: 'in',
      format: 'text',
      event: 'e\x1b]0;title\x07',
      data: '\x1b[2J\u202e',
      id: '\x9b',
      size: 1,
    };
    for (const color of [false, true]) {
      const line = formatRecord(hostile, { color });
      // Only our own SGR colour sequences may carry ESC.
      const stripped = line.replace(/\x1b\[\d+m/g, ''); // eslint-disable-line no-control-regex
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u202a-\u202e]/.test(stripped), JSON.stringify(line)); // eslint-disable-line no-control-regex
    }
  });

  it('error records show status, headers and body on indented lines', () => {
    const text = formatRecord(
      {
        ...base,
        kind: 'error',
        code: 'ERR_HTTP_STATUS',
        message: 'HTTP 401 Unauthorized',
        fatal: true,
        status: 401,
        headers: { 'www-authenticate': 'Bearer' },
        body: 'no\ntoken',
      },
      { color: false },
    );
    assert.deepEqual(text.split('\n'), [
      '07:08:09.010 ✖ error ERR_HTTP_STATUS: HTTP 401 Unauthorized',
      '    www-authenticate: Bearer',
      '    body: no\\ntoken',
    ]);
  });

  it('--json lines parse back to the record', () => {
    const r: ConnRecord = { ...base, kind: 'comment', text: 'a\u202eb\u2029' };
    const line = jsonLine(r);
    assert.ok(!/[\u202e\u2029]/.test(line));
    assert.deepEqual(JSON.parse(line), r);
  });
});
