import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { OutputWriter } from '../../../src/cli/output';

/** A pipe whose reader takes `delayMs` per chunk. */
function slowSink(delayMs: number, highWaterMark = 1024) {
  const received: Buffer[] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      received.push(Buffer.from(chunk));
      setTimeout(cb, delayMs);
    },
  });
  return { stream, received };
}

describe('CLI output writer', () => {
  it('asks to pause intake while the reader is behind and to resume once it drained, losing nothing', async () => {
    const { stream, received } = slowSink(5);
    const pressure: boolean[] = [];
    const out = new OutputWriter(stream, (p) => pressure.push(p), 4096);
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const line = `{"n":${i}}\n`;
      lines.push(line);
      out.write(line);
      if (i % 100 === 0) {
        await new Promise((r) => setImmediate(r));
      }
    }
    assert.equal(pressure[0], true, 'a slow reader pauses intake');
    await out.flush();
    assert.equal(pressure.at(-1), false, 'intake resumes after the drain');
    assert.equal(Buffer.concat(received).toString(), lines.join(''), 'everything, in order');
  });

  it('batches records into one write per turn of the event loop', async () => {
    const { stream, received } = slowSink(0, 1 << 20);
    const out = new OutputWriter(stream);
    for (let i = 0; i < 500; i++) {
      out.write('x\n');
    }
    await out.flush();
    const writes = received.filter((c) => c.length > 0); // flush() ends with an empty write to wait on
    assert.equal(writes.length, 1);
    assert.equal(writes[0].length, 1000);
  });

  it('mixes text and bytes in order', async () => {
    const { stream, received } = slowSink(0);
    const out = new OutputWriter(stream);
    out.write('a');
    out.write(Buffer.from([0x62]));
    out.write('c');
    await out.flush();
    assert.equal(Buffer.concat(received).toString(), 'abc');
  });

  it('a broken pipe stops writing, releases intake and reports once', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const pressure: boolean[] = [];
    let broken = 0;
    const out = new OutputWriter(
      stream,
      (p) => pressure.push(p),
      1,
      () => broken++,
    );
    out.write('first');
    await out.flush();
    out.write('more');
    await out.flush();
    assert.equal(out.isBroken, true);
    assert.equal(broken, 1);
    assert.notEqual(pressure.at(-1), true, 'intake is not left paused');
  });
});
