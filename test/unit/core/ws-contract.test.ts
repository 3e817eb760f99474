/**
 * What our WebSocket error mapping (src/core/wsErrors.ts) reads from `ws` that `ws` does not publish:
 * its receiver error codes, the close code it keeps under a private symbol, and its handshake
 * messages. Each is checked against the real `ws` talking to a raw server that sends exactly the
 * bytes a case needs, so an upgrade of `ws` that changes one fails here.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import { FRAME_ERRORS, statusCodeOf, WS_HANDSHAKE_TIMEOUT, WS_INVALID_HANDSHAKE, WS_NO_SUBPROTOCOL } from '../../../src/core/wsErrors';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What the raw server answers an upgrade request with: the 101's extra header lines and the bytes after it. */
interface Answer {
  /** Send no answer at all (the handshake times out). */
  silent?: boolean;
  accept?: 'right' | 'wrong';
  headers?: string[];
  frames?: Buffer;
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

after(async () => {
  for (const s of sockets) {
    s.destroy();
  }
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

async function rawServer(answer: Answer): Promise<string> {
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n') || answer.silent) {
        return;
      }
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      const accept =
        answer.accept === 'wrong'
          ? 'bm90IHRoZSByaWdodCBrZXk='
          : createHash('sha1')
              .update(key + GUID)
              .digest('base64');
      const lines = [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        ...(answer.headers ?? []),
      ];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
      if (answer.frames) {
        socket.write(answer.frames);
      }
      head = '';
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

/** One unmasked server frame. */
function frame(first: number, payload: Buffer, masked = false): Buffer {
  if (masked) {
    const mask = Buffer.from([1, 2, 3, 4]);
    const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
    return Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, body]);
  }
  return Buffer.concat([Buffer.from([first, payload.length]), payload]);
}

/** The first error the real `ws` client reports for this server's answer. */
async function wsError(
  answer: Answer,
  options: WebSocket.ClientOptions = {},
  protocols: string[] = [],
): Promise<Error & { code?: string }> {
  const url = await rawServer(answer);
  const ws = new WebSocket(url, protocols, options);
  try {
    return await new Promise((resolve) => ws.once('error', resolve));
  } finally {
    ws.terminate();
  }
}

describe('ws contract: frame errors', () => {
  const cases: { name: string; frames: Buffer; options?: WebSocket.ClientOptions; code: string }[] = [
    { name: 'RSV2 set', frames: frame(0x80 | 0x20 | 0x1, Buffer.from('x')), code: 'WS_ERR_UNEXPECTED_RSV_2_3' },
    { name: 'RSV1 without permessage-deflate', frames: frame(0x80 | 0x40 | 0x1, Buffer.from('x')), code: 'WS_ERR_UNEXPECTED_RSV_1' },
    { name: 'an unknown opcode', frames: frame(0x80 | 0x3, Buffer.from('x')), code: 'WS_ERR_INVALID_OPCODE' },
    { name: 'a masked server frame', frames: frame(0x80 | 0x1, Buffer.from('x'), true), code: 'WS_ERR_UNEXPECTED_MASK' },
    { name: 'text that is not UTF-8', frames: frame(0x80 | 0x1, Buffer.from([0xff, 0xfe])), code: 'WS_ERR_INVALID_UTF8' },
    { name: 'a close code that may not be sent', frames: frame(0x80 | 0x8, Buffer.from([0x03, 0xed])), code: 'WS_ERR_INVALID_CLOSE_CODE' },
    { name: 'a ping fragmented', frames: frame(0x9, Buffer.from('x')), code: 'WS_ERR_EXPECTED_FIN' },
    {
      name: 'a message over maxPayload',
      frames: frame(0x80 | 0x2, Buffer.alloc(100)),
      options: { maxPayload: 10 },
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code}, with the close code under the status-code symbol`, async () => {
      const err = await wsError({ frames: c.frames }, c.options);
      assert.equal(err.code, c.code);
      const mapped = FRAME_ERRORS[c.code];
      assert.ok(mapped, `${c.code} is mapped`);
      assert.equal(statusCodeOf(err), mapped.closeCode, 'ws keeps the close code it sent where statusCodeOf reads it');
    });
  }
});

describe('ws contract: handshake messages', () => {
  it('a handshake that takes too long', async () => {
    const err = await wsError({ silent: true }, { handshakeTimeout: 200 });
    assert.equal(err.message, WS_HANDSHAKE_TIMEOUT);
  });

  it('a wrong Sec-WebSocket-Accept', async () => {
    const err = await wsError({ accept: 'wrong' });
    assert.match(err.message, WS_INVALID_HANDSHAKE);
  });

  it('no subprotocol chosen from those offered', async () => {
    const err = await wsError({}, {}, ['v1.chat']);
    assert.equal(err.message, WS_NO_SUBPROTOCOL);
  });

  it('a subprotocol chosen when none was offered', async () => {
    const err = await wsError({ headers: ['Sec-WebSocket-Protocol: v1.chat'] });
    assert.match(err.message, WS_INVALID_HANDSHAKE);
  });

  it('an extension that was not offered', async () => {
    const err = await wsError({ headers: ['Sec-WebSocket-Extensions: x-unknown'] }, { perMessageDeflate: false });
    assert.match(err.message, WS_INVALID_HANDSHAKE);
  });
});
