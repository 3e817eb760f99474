/**
 * A server in its own process that sends `count` small messages as fast as TCP takes them — each the
 * decimal index, so loss and order are visible. WebSocket (default): text frames, then a close with
 * 1000. `sse`: one `data:` event each, then the response ends. Its own process, so what the test
 * measures (event loop, memory) is the client's alone. Prints its port.
 *
 *   node firehose-server.js <count> [ws|sse]
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';

const count = Number(process.argv[2]);
const sse = process.argv[3] === 'sse';

/** Frames for messages `from`..`to-1`, built a batch at a time, never all at once. */
function batch(from: number, to: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = from; i < to; i++) {
    const digits = String(i);
    const f = Buffer.allocUnsafe(2 + digits.length);
    f[0] = 0x81; // FIN + text
    f[1] = digits.length;
    f.write(digits, 2, 'latin1');
    parts.push(f);
  }
  return Buffer.concat(parts);
}

const sseServer = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  let next = 0;
  const pump = () => {
    while (next < count && !res.destroyed) {
      const to = Math.min(count, next + 20_000);
      let text = '';
      for (; next < to; next++) {
        text += `data: ${next}\n\n`;
      }
      if (!res.write(text)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});

const wsServer = net.createServer((socket) => {
  socket.on('error', () => undefined);
  let head = '';
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      return;
    }
    socket.removeListener('data', onData);
    socket.resume(); // the client's close frame is read and dropped
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
    const accept = createHash('sha1')
      .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    let next = 0;
    const pump = () => {
      while (next < count && !socket.destroyed) {
        const to = Math.min(count, next + 20_000);
        const ok = socket.write(batch(next, to));
        next = to;
        if (!ok) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.write(Buffer.from([0x88, 2, 0x03, 0xe8])); // close 1000
    };
    pump();
  };
  socket.on('data', onData);
});

const server: net.Server = sse ? sseServer : wsServer;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
});
// The test kills this process when done; a parent that died takes it along.
process.on('disconnect', () => process.exit(0));
