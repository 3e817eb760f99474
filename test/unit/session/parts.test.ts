import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redactor';
import type { ConnRecord } from '../../../src/core/records';
import { outputLine } from '../../../src/session/outputLine';
import { MessageRate } from '../../../src/session/rate';
import { RawView } from '../../../src/session/rawView';
import { addStats, restoredStats } from '../../../src/session/stats';

const time = '2026-01-01T00:00:00.000Z';

test('a restored log counts its messages in and out, their sizes, and its records with the note', () => {
  const records: ConnRecord[] = [
    { kind: 'connecting', seq: 1, time, url: 'http://127.0.0.1/x', headers: {}, attempt: 0 },
    { kind: 'message', seq: 2, time, dir: 'in', format: 'text', data: 'abc', size: 3 },
    { kind: 'message', seq: 3, time, dir: 'in', format: 'text', data: 'hello', size: 5 },
    { kind: 'message', seq: 4, time, dir: 'out', format: 'text', data: 'hi', size: 2 },
  ];
  const stats = restoredStats(records);
  assert.deepEqual(stats, { messagesIn: 2, messagesOut: 1, bytesIn: 8, bytesOut: 2, records: 5 });
  const live = { messagesIn: 1, messagesOut: 0, bytesIn: 10, bytesOut: 0, records: 3 };
  assert.deepEqual(addStats(stats, live), { messagesIn: 3, messagesOut: 1, bytesIn: 18, bytesOut: 2, records: 8 });
  assert.equal(addStats(undefined, live), live);
});

test("the message rate is taken over at least half a second, counted from the connection's start", () => {
  const rate = new MessageRate();
  rate.restart(100, 1000);
  assert.equal(rate.sample(150, 1200), 0, 'too soon: the last rate stands');
  assert.equal(rate.sample(200, 1500), 200);
  assert.equal(rate.value, 200);
});

test('the message rate is smoothed over five seconds: a steady stream read in bursts reads steady, a stop reads 0 after the window', () => {
  const rate = new MessageRate();
  rate.restart(0, 0);
  // 5,000/s, but the count moves in bursts: 1,000 one second, 9,000 the next.
  let count = 0;
  const readings: number[] = [];
  for (let s = 1; s <= 20; s++) {
    count += s % 2 ? 1000 : 9000;
    readings.push(rate.sample(count, s * 1000));
  }
  for (const r of readings.slice(5)) {
    assert.ok(r >= 4000 && r <= 6000, `steady reading: ${readings.map(Math.round).join(', ')}`);
  }
  for (let s = 21; s <= 25; s++) {
    rate.sample(count, s * 1000);
  }
  assert.equal(rate.sample(count, 26_000), 0, 'no message for a whole window');
});

test('the output channel has one line per state record, errors and warnings at their level, messages left out', () => {
  assert.deepEqual(outputLine('[x]', { kind: 'connecting', seq: 1, time, url: 'ws://127.0.0.1/', headers: {}, attempt: 2 }, 'ws'), {
    level: 'info',
    text: '[x] connecting WS ws://127.0.0.1/ (attempt 2)',
  });
  assert.deepEqual(
    outputLine('[x]', { kind: 'reconnecting', seq: 2, time, delayMs: 500, attempt: 1, maxAttempts: null } as ConnRecord, 'sse'),
    {
      level: 'info',
      text: '[x] reconnecting in 500 ms (attempt 1)',
    },
  );
  assert.equal(
    outputLine('[x]', { kind: 'error', seq: 3, time, code: 'ERR_NETWORK', message: 'bad', fatal: true } as ConnRecord, 'sse')?.level,
    'error',
  );
  assert.equal(
    outputLine('[x]', { kind: 'error', seq: 3, time, code: 'ERR_NETWORK', message: 'bad', fatal: false } as ConnRecord, 'sse')?.level,
    'warn',
  );
  assert.equal(outputLine('[x]', { kind: 'message', seq: 4, time, dir: 'in', format: 'text', data: 'a', size: 1 }, 'sse'), undefined);
});

test('the raw view keeps the tail masked and gives listeners the text, a character cut across chunks whole', () => {
  const raw = new RawView();
  const all = Buffer.from('data: Grüße tok-123456789\n\n', 'utf8');
  const heard: string[] = [];
  const sub = raw.onDidRaw((text) => heard.push(text));
  // Cut inside 'ü' (bytes 8 and 9).
  raw.onRawChunk(all.subarray(0, 9));
  raw.onRawChunk(all.subarray(9));
  sub.dispose();
  raw.onRawChunk(Buffer.from('data: later\n\n', 'utf8'));
  assert.equal(heard.join(''), 'data: Grüße tok-123456789\n\n', 'nothing after the listener left');
  assert.equal(raw.text(new Redactor(['tok-123456789'])), 'data: Grüße ••••\n\ndata: later\n\n');
  raw.dispose();
});
