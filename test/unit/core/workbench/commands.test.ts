/**
 * Copy as curl / wscat / websocat / JavaScript and Paste as connection: what is pasted reads back as
 * the request it was, quoting survives a real shell, secrets are placeholders, errors name the word.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { copyAs, shellWord } from '../../../../src/core/workbench/copyAs';
import { PasteError, looksLikeCommand, parseCommand } from '../../../../src/core/workbench/pasteCommand';
import { type RequestSpec, withPlaceholders } from '../../../../src/core/workbench/request';

const sse: RequestSpec = {
  url: 'https://api.example.test/stream?topic=a&b=c d',
  kind: 'sse',
  headers: { Authorization: 'Bearer s3cret', 'X-Note': 'it\'s "quoted" $HOME' },
  method: 'POST',
  body: '{"q":"it\'s"}',
  insecure: true,
};

describe('copy as / paste as connection', () => {
  test('curl round-trips through paste, and a shell reads each word as written', () => {
    const line = copyAs('curl', sse);
    const back = parseCommand(line);
    assert.equal(back.tool, 'curl');
    assert.deepEqual(back.spec, { ...sse, headers: { Accept: 'text/event-stream', ...sse.headers } });
    // The words a POSIX shell hands the program: printf prints each on its own line.
    const words = ['it\'s "quoted" $HOME `x`', 'https://a/b?x=1&y=2', 'plain', 'a b'];
    const printed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${words.map(shellWord).join(' ')}`], { encoding: 'utf8' });
    assert.deepEqual(printed.split('\n').slice(0, -1), words);
  });

  test('wscat and websocat round-trip, with subprotocols and --insecure', () => {
    const ws: RequestSpec = {
      url: 'wss://h.test/ws',
      kind: 'ws',
      headers: { 'X-Api-Key': 'k' },
      protocols: ['graphql-ws'],
      insecure: true,
    };
    assert.deepEqual(parseCommand(copyAs('wscat', ws)).spec, ws);
    assert.deepEqual(parseCommand(copyAs('websocat', ws)).spec, ws);
    assert.throws(() => copyAs('curl', ws), /curl is for SSE/);
  });

  test('secrets are placeholders unless asked: the reference name when there was one', () => {
    const spec: RequestSpec = {
      url: 'wss://u:pw@h.test/ws?token=abc',
      kind: 'ws',
      headers: { Authorization: 'Bearer real', Cookie: 'sid=1', Accept: 'x' },
    };
    const masked = withPlaceholders(spec, { headers: { Authorization: 'Bearer ${secret:apiToken}' } });
    assert.deepEqual(masked.headers, { Authorization: 'Bearer <secret:apiToken>', Cookie: '<Cookie>', Accept: 'x' });
    assert.equal(masked.url, 'wss://u:<password>@h.test/ws?token=<token>');
    const js = copyAs('websocket', masked);
    assert.ok(!js.includes('real') && !js.includes('abc') && !js.includes('pw@'), js);
    assert.match(copyAs('websocket', spec), /Bearer real/, 'the real values when asked');
    assert.match(
      copyAs('eventsource', { url: 'http://h/s', kind: 'sse', headers: {} }),
      /^const source = new EventSource\("http:\/\/h\/s"\);/,
    );
  });

  test('curl flags: -H, -X, -d, --data-raw, -N, -u, --insecure, line continuations', () => {
    const r = parseCommand(
      `curl -N -s \\\n  -u 'ann:p w' -X PUT -H 'Accept: text/event-stream' \\\n  -d a=1 --data-raw b=2 --insecure https://h.test/s`,
    );
    assert.deepEqual(r.spec, {
      url: 'https://h.test/s',
      kind: 'sse',
      headers: { Authorization: `Basic ${Buffer.from('ann:p w').toString('base64')}`, Accept: 'text/event-stream' },
      method: 'PUT',
      body: 'a=1&b=2',
      insecure: true,
    });
    assert.deepEqual(r.ignored, ['-s']);
    assert.ok(looksLikeCommand('  curl https://x'));
    assert.ok(!looksLikeCommand('https://x'));
  });

  test('errors say what is wrong and at which word', () => {
    const cases: [string, RegExp][] = [
      ['curl -H', /-H needs a value \(word 2 is the last one\)/],
      ['curl --frobnicate https://h', /"--frobnicate" \(word 2\) is not an option/],
      ['curl -H nocolon https://h', /-H "nocolon" \(word 2\) is not a header/],
      ['curl https://h | jq', /"\|" after "https:\/\/h": only one command/],
      ['curl ws://h', /scheme ws:, expected http:\/\/ or https:\/\//],
      ['curl -d @body.json https://h', /reads a file/],
      ['wscat -c', /-c needs a value/],
      ['wscat -x ws://h', /"-x" \(word 2\) is not an option/],
      ['websocat ws://a ws://b', /a second address "ws:\/\/b" \(word 3\)/],
      ['httpie GET x', /"httpie" is not a command this reads/],
      ['curl -u nopass https://h', /needs user:password/],
    ];
    for (const [line, expected] of cases) {
      assert.throws(
        () => parseCommand(line),
        (e: Error) => e instanceof PasteError && expected.test(e.message),
        line,
      );
    }
  });
});
