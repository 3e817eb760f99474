/**
 * The STOMP brokers the adapter's tests run against, each on 127.0.0.1: `stomp-broker-js` (npm, a
 * STOMP 1.1 broker, always there) and Debian's RabbitMQ with `rabbitmq_web_stomp` (STOMP 1.2, the
 * real thing), started for the tests in a folder of its own when `rabbitmq-server` is installed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { AdapterHarness } from './harness';

export interface StompBroker {
  name: string;
  url: string;
  /** What a client's CONNECT needs to be let in. */
  login: { login?: string; passcode?: string };
  /** Credentials it refuses (undefined: it refuses none). */
  badLogin?: { login: string; passcode: string };
  version: '1.1' | '1.2';
  /** Escapes header values as 1.1/1.2 say (stomp-broker-js does not). */
  escapes: boolean;
  /** Writes content-length in bytes (stomp-broker-js counts UTF-16 units, cutting non-ASCII bodies short). */
  byteLengths: boolean;
  /** Answers a SEND's receipt header (stomp-broker-js answers only DISCONNECT's). */
  receipts: boolean;
  /** Sends heart-beats itself (stomp-broker-js only checks the client's). */
  sendsHeartBeats: boolean;
  /** Resolves once the broker has the subscription to `destination` that `client` sent. */
  subscribed(client: AdapterHarness, destination: string): Promise<void>;
  stop(): Promise<void>;
}

export const RABBITMQ = '/usr/sbin/rabbitmq-server';

export async function startStompBrokerJs(): Promise<StompBroker> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const StompServer = require('stomp-broker-js') as new (conf: object) => {
    on(event: 'subscribe', listener: (e: { topic: string }) => void): void;
    addMiddleware(
      command: string,
      handler: (socket: unknown, args: { headers: Record<string, string> }, next: () => boolean) => boolean,
    ): void;
  };
  const server = createHttpServer();
  // Upgraded sockets leave the HTTP server's books: keep them to end them on stop.
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const broker = new StompServer({ server, path: '/stomp', heartbeat: [100, 100] });
  broker.addMiddleware('connect', (_socket, args, next) => (args.headers.login === 'mallory' ? false : next()));
  const topics = new Set<string>();
  const waiting = new Set<() => void>();
  broker.on('subscribe', (e) => {
    topics.add(e.topic);
    waiting.forEach((w) => w());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name: 'stomp-broker-js',
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/stomp`,
    login: {},
    badLogin: { login: 'mallory', passcode: 'x' },
    version: '1.1',
    escapes: false,
    byteLengths: false,
    receipts: false,
    sendsHeartBeats: false,
    subscribed: (_client, destination) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (topics.has(destination)) {
            waiting.delete(check);
            resolve();
          }
        };
        waiting.add(check);
        check();
      }),
    stop: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** RabbitMQ with web-stomp on free ports of 127.0.0.1, its node named for this process; ready when it says so. */
export async function startRabbitMq(): Promise<StompBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'ri-rabbit-'));
  const [amqp, stomp, plainStomp, dist] = [await freePort(), await freePort(), await freePort(), await freePort()];
  mkdirSync(join(dir, 'mnesia'));
  mkdirSync(join(dir, 'log'));
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_web_stomp].\n');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${amqp}`,
      `web_stomp.tcp.port = ${stomp}`,
      'web_stomp.tcp.ip = 127.0.0.1',
      `stomp.listeners.tcp.1 = 127.0.0.1:${plainStomp}`,
      'loopback_users = none',
      '',
    ].join('\n'),
  );
  // Run as root, the server script drops to the rabbitmq user: its folder must be that user's.
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString());
    const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString());
    for (const p of [dir, join(dir, 'mnesia'), join(dir, 'log'), join(dir, 'enabled_plugins'), join(dir, 'rabbitmq.conf')]) {
      chownSync(p, uid, gid);
    }
  }
  const node = `ri${process.pid}x${stomp}@localhost`;
  const child: ChildProcess = spawn(RABBITMQ, [], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: dir,
      RABBITMQ_NODENAME: node,
      RABBITMQ_DIST_PORT: String(dist),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
      RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
      RABBITMQ_PID_FILE: join(dir, 'pid'),
    },
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // Ready when its log says so: the banner on stdout does not always come (it depends on how the
  // server script finds its terminal), the log file always has the line.
  const logFile = join(dir, 'log', `${node}.log`);
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Server startup complete')) {
        clearInterval(poll);
        resolve();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`rabbitmq-server exited (${code}) before it was ready:\n${out.slice(-2000)}`));
    });
  });
  return {
    name: 'RabbitMQ web-stomp',
    url: `ws://127.0.0.1:${stomp}/ws`,
    login: { login: 'guest', passcode: 'guest' },
    badLogin: { login: 'guest', passcode: 'wrong' },
    version: '1.2',
    escapes: true,
    byteLengths: true,
    receipts: true,
    sendsHeartBeats: true,
    // RabbitMQ reads a connection's frames in order: a receipt for a later frame means SUBSCRIBE is in force.
    subscribed: async (client) => {
      const from = client.received.length;
      client.send({ verb: 'send', fields: { destination: '/topic/sync', body: 'x', receipt: true } });
      await client.next((d) => d.type === 'receipt', from);
    },
    stop: async () => {
      // The server script runs the Erlang VM under su, in a process group of its own, and a SIGTERM
      // alone leaves the VM running: end that whole group (the VM and its port programs), found by
      // the VM's pid file, and the scripts above it end with it.
      const exited = new Promise((r) => child.once('exit', r));
      const vm = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
      const group = Number(
        execFileSync('ps', ['-o', 'pgid=', '-p', String(vm)])
          .toString()
          .trim(),
      );
      process.kill(-group, 'SIGKILL');
      await exited;
      // The broker's helpers (epmd) may hold the pipes open: let go of them.
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.unref();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function haveRabbitMq(): boolean {
  return existsSync(RABBITMQ);
}
