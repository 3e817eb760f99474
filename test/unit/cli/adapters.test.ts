/**
 * The CLI with protocol adapters, as scripts use it (`node dist/cli.js … --adapter …`), against the
 * real socket.io, graphql-ws and subscriptions-transport-ws servers on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Server } from 'socket.io';
import { type GraphqlServers, startGraphqlServers } from '../core/adapters/graphqlServers';

const CLI = resolve(__dirname, '../../../../dist/cli.js');
const T = { timeout: 60_000 };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown>[];
}

function cli(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args, '--no-interactive'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      done({
        code,
        stdout,
        stderr: Buffer.concat(err).toString(),
        json: args.includes('--json')
          ? stdout
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Record<string, unknown>)
          : [],
      });
    });
  });
}

let httpServer: http.Server;
let io: Server;
let sioUrl: string;
let gql: GraphqlServers;

before(async () => {
  httpServer = http.createServer();
  // Pings every 20 ms: a run of a few records sees several, which --count must not count.
  io = new Server(httpServer, { pingInterval: 20, pingTimeout: 500 });
  io.on('connection', (socket) => {
    socket.on('chat', (msg: unknown, ack?: (r: unknown) => void) => (ack ? ack({ got: msg }) : socket.emit('echo', msg)));
    socket.on('more', () => {
      // Events after several pings: the count of 2 is reached only by events.
      let n = 0;
      const t = setInterval(() => {
        socket.emit('n', ++n);
        if (n === 2) {
          clearInterval(t);
        }
      }, 60);
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  sioUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  gql = await startGraphqlServers();
});

after(async () => {
  await io.close();
  await gql.close();
});

type Msg = { kind: string; dir?: string; data?: string; decoded?: Record<string, unknown> };

describe('CLI --adapter socket.io', () => {
  test('--send emits through the protocol, --ack gets the ack, records carry decoded', T, async () => {
    const r = await cli([sioUrl, '--adapter', 'socket.io', '--send', '["chat", {"text": "hi"}]', '--ack', '--count', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const msgs = r.json as Msg[];
    const out = msgs.find((m) => m.kind === 'message' && m.dir === 'out' && m.decoded?.type === 'event')!;
    assert.equal(out.data, '420["chat",{"text":"hi"}]');
    const ack = msgs.find((m) => m.kind === 'message' && m.dir === 'in' && m.decoded?.type === 'ack')!;
    assert.deepEqual(ack.decoded, {
      protocol: 'socket.io',
      type: 'ack',
      namespace: '/',
      args: [{ got: { text: 'hi' } }],
      label: '#0',
      ackId: 0,
    });
  });

  test('keep-alive is printed but not counted; readable lines show the type and event', T, async () => {
    const r = await cli([sioUrl, '--adapter', 'socket.io', '--send', '["more"]', '--count', '2']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.filter((l) => l.includes('← [event n]')).length, 2);
    assert.ok(
      lines.some((l) => /← \[ping\] 2$/.test(l)),
      'pings are shown',
    );
    assert.ok(
      lines.some((l) => /→ \[pong\] 3$/.test(l)),
      'and answered',
    );
  });

  test('a bad flag value is a usage error naming the flag', T, async () => {
    const bad = await cli([sioUrl, '--adapter', 'socket.io', '--auth', '{nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--auth needs JSON/);
    const without = await cli([sioUrl, '--namespace', '/x']);
    assert.equal(without.code, 2);
    assert.match(without.stderr, /--namespace is for --adapter socket\.io/);
    const send = await cli([sioUrl, '--adapter', 'socket.io', '--send', '{"not":"an array"}']);
    assert.equal(send.code, 2);
    assert.match(send.stderr, /--send: Socket\.IO --send must be a JSON array/);
  });
});

for (const flavour of ['modern', 'legacy'] as const) {
  describe(`CLI --adapter graphql-ws (${flavour})`, () => {
    test('exit 0 once every operation completed; --count counts results', T, async () => {
      const r = await cli([
        gql[flavour],
        '--adapter',
        'graphql-ws',
        '--query',
        'subscription ($to: Int!) { count(to: $to) }',
        '--variables',
        '{"to": 3}',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const results = (r.json as Msg[]).filter(
        (m) => m.kind === 'message' && m.dir === 'in' && (m.decoded?.type === 'next' || m.decoded?.type === 'data'),
      );
      assert.deepEqual(
        results.map((m) => (m.decoded!.payload as { data: { count: number } }).data.count),
        [1, 2, 3],
      );
      assert.ok(
        (r.json as { kind: string; message?: string }[]).some((m) => m.kind === 'info' && m.message === 'GraphQL: the operation completed'),
      );

      const two = await cli([gql[flavour], '--adapter', 'graphql-ws', '--query', 'subscription { forever }', '--count', '2']);
      assert.equal(two.code, 0, two.stderr);
      assert.equal(two.stdout.split('\n').filter((l) => /← \[(next|data) #1\]/.test(l)).length, 2);
    });
  });
}

describe('CLI --adapter graphql-ws refusals', () => {
  test('a query the server rejects exits 1 with its error', T, async () => {
    const r = await cli([gql.modern, '--adapter', 'graphql-ws', '--query', 'subscription { nope }']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /GraphQL: the operation failed: .*Cannot query field "nope"/);
  });

  test('a refused connection_init exits 1 with the reason', T, async () => {
    const r = await cli([gql.modern, '--adapter', 'graphql-ws', '--init', '{"token": "bad"}', '--query', 'subscription { forever }']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /error ERR_PROTOCOL: GraphQL server closed the connection with 4403 \(forbidden\)/);
  });
});
