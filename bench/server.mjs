// Local servers for the benchmark, run in their own process so that producing the stream never
// competes with the client on one event loop. They do the least possible work per message: the
// flood payloads are built once and written as large buffers (raw WebSocket frames, SSE text).
//   GET /ws/flood?n=N      WebSocket: N text messages of 100 bytes, as fast as the socket takes them
//   GET /ws/paced?rate=R&n=N  WebSocket: N messages at R/s, each carrying its send time {"t":ms}
//   GET /sse/flood?n=N     SSE: N events (id + ~100-byte data), then the response ends
//   GET /ws/rate?rate=R&secs=S, /sse/rate?rate=R&secs=S   R messages a second (the flood's 100-byte
//                          payloads, or SSE events) for S seconds, written every few ms as what is due
//   GET /ws/socketio-flood?n=N, /ws/graphql-flood?n=N   the Engine.IO/Socket.IO handshake (or GraphQL's
//                          connection_ack), then N ~100-byte Socket.IO events (GraphQL `next` results)
//                          as fast as the socket takes them: the protocol adapters' cost (bench/adapters-run.mjs)
// Tells the parent its port over IPC: {port}.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const BLOCK = 10_000;

function payload(i) {
  const head = `{"seq":${i},"sym":"SYM-${i % 97}","px":${((i % 10_000) * 1.37).toFixed(2)},"pad":"`;
  return head + 'x'.repeat(100 - head.length - 2) + '"}';
}

// 10,000 distinct 100-byte text frames, reused in a loop (server→client frames are unmasked).
const wsBlock = (() => {
  const frames = [];
  for (let i = 0; i < BLOCK; i++) {
    const p = Buffer.from(payload(i));
    frames.push(Buffer.from([0x81, p.length]), p);
  }
  return Buffer.concat(frames);
})();
const WS_FRAME = wsBlock.length / BLOCK;

/** 10,000 distinct ~100-byte text frames of a protocol, reused in a loop; every frame the same size. */
function protocolBlock(wrap) {
  const frames = [];
  for (let i = 0; i < BLOCK; i++) {
    const p = Buffer.from(wrap(payload(i).slice(0, 60) + '"}'));
    frames.push(Buffer.from([0x81, p.length]), p);
  }
  const block = Buffer.concat(frames);
  return { block, frame: block.length / BLOCK };
}
const PROTOCOL_FLOODS = {
  '/ws/socketio-flood': {
    hello: ['0{"sid":"bench","upgrades":[],"pingInterval":600000,"pingTimeout":600000,"maxPayload":1000000}', '40{"sid":"bench-ns"}'],
    ...protocolBlock((json) => `42["tick",${json}]`),
  },
  '/ws/graphql-flood': {
    hello: ['{"type":"connection_ack"}'],
    ...protocolBlock((json) => `{"id":"1","type":"next","payload":{"data":{"tick":${json}}}}`),
  },
};

const sseCache = new Map();
function sseBody(n) {
  let buf = sseCache.get(n);
  if (!buf) {
    const parts = [];
    for (let i = 1; i <= n; i++) {
      parts.push(`id: ${i}\ndata: ${payload(i)}\n\n`);
    }
    buf = Buffer.from(parts.join(''));
    sseCache.set(n, buf);
  }
  return buf;
}

function frame(text) {
  const p = Buffer.from(text);
  if (p.length < 126) {
    return Buffer.concat([Buffer.from([0x81, p.length]), p]);
  }
  const h = Buffer.from([0x81, 126, 0, 0]);
  h.writeUInt16BE(p.length, 2);
  return Buffer.concat([h, p]);
}

/** Every few ms, the messages due since the start at `rate` a second, in one write; stops after `secs`. */
const RATE_TICK_MS = 4;
function paced(sink, rate, secs, encode, done) {
  const start = performance.now();
  const total = Math.round(rate * secs);
  let sent = 0;
  const tick = () => {
    if (sink.destroyed) {
      return;
    }
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
    const parts = [];
    while (sent < due) {
      sent++;
      parts.push(encode(sent));
    }
    if (parts.length) {
      sink.write(Buffer.concat(parts));
    }
    if (sent < total) {
      setTimeout(tick, RATE_TICK_MS);
    } else {
      done();
    }
  };
  tick();
}

/** Writes `total` bytes taken from `source` (repeating) in chunks, honouring backpressure. */
function pump(sink, source, total, done) {
  let sent = 0;
  const CHUNK = 256 * 1024;
  const step = () => {
    while (sent < total) {
      const off = sent % source.length;
      const len = Math.min(CHUNK, total - sent, source.length - off);
      sent += len;
      if (!sink.write(source.subarray(off, off + len))) {
        sink.once('drain', step);
        return;
      }
    }
    done();
  };
  step();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/sse/flood') {
    const n = Number(url.searchParams.get('n') ?? 100_000);
    const body = sseBody(n);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.socket.setNoDelay(true);
    pump(res, body, body.length, () => res.end());
    return;
  }
  if (url.pathname === '/sse/rate') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.socket.setNoDelay(true);
    // retry: a long delay, so the end of the stream is not followed by a reconnect within the scenario.
    res.write('retry: 600000\n\n');
    const encode = (i) => Buffer.from(`id: ${i}\ndata: ${payload(i)}\n\n`);
    paced(res, Number(url.searchParams.get('rate') ?? 5000), Number(url.searchParams.get('secs') ?? 20), encode, () => res.end());
    return;
  }
  res.writeHead(404).end();
});

server.on('upgrade', (req, socket) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  const flood = PROTOCOL_FLOODS[url.pathname];
  // Whatever the client sends (its close frame) ends the exchange; a protocol's client first says
  // hello (Socket.IO CONNECT, GraphQL connection_init, subscribe): only its close frame ends it.
  socket.on('data', (d) => (!flood || (d[0] & 0x0f) === 0x8) && socket.destroy());
  // GraphQL's client offers its subprotocols: the first is taken, as servers do.
  const offered = req.headers['sec-websocket-protocol']?.split(',')[0]?.trim();
  const protocol = offered ? `Sec-WebSocket-Protocol: ${offered}\r\n` : '';
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${protocol}\r\n`,
  );
  const n = Number(url.searchParams.get('n') ?? 100_000);
  if (flood) {
    socket.write(Buffer.concat(flood.hello.map(frame)));
    pump(socket, flood.block, n * flood.frame, () => undefined);
  } else if (url.pathname === '/ws/flood') {
    pump(socket, wsBlock, n * WS_FRAME, () => undefined);
  } else if (url.pathname === '/ws/paced') {
    const rate = Number(url.searchParams.get('rate') ?? 100);
    const start = performance.now();
    let sent = 0;
    const pad = 'p'.repeat(60);
    const tick = () => {
      if (socket.destroyed) {
        return;
      }
      const due = Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) {
        sent++;
        // Wall-clock ms with a fraction: the page compares it with its own clock.
        const t = performance.timeOrigin + performance.now();
        socket.write(frame(`{"i":${sent},"t":${t.toFixed(3)},"pad":"${pad}"}`));
      }
      if (sent < n) {
        const next = start + (sent * 1000) / rate;
        setTimeout(tick, Math.max(0, next - performance.now()));
      }
    };
    tick();
  } else if (url.pathname === '/ws/rate') {
    const encode = (i) => wsBlock.subarray((i % BLOCK) * WS_FRAME, (i % BLOCK) * WS_FRAME + WS_FRAME);
    // The socket stays open after the last message: the scenario ends the connection.
    paced(socket, Number(url.searchParams.get('rate') ?? 5000), Number(url.searchParams.get('secs') ?? 20), encode, () => undefined);
  } else {
    socket.destroy();
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
