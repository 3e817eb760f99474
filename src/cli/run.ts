/** Runs one connection for the CLI: builds the core's options, prints records, decides the exit status. */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { Connection, createConnection } from '../core/index';
import type { ConnectionOptions } from '../core/options';
import { ConnRecord, isIncomingData } from '../core/records';
import { ConnectArgs, UsageError } from './args';
import { escapeRaw, formatRecord, jsonLine, Style } from './format';
import { OutputWriter } from './output';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|password|api-?key/i;

/** The core's options for `args`, reading the files it names (an unreadable file is a usage error). */
export async function buildOptions(args: ConnectArgs): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    url: args.url,
    kind: args.kind,
    headers: args.headers,
    proxy: { fromEnv: true },
    reconnect: {
      enabled: args.reconnect,
      ...(args.maxRetries !== undefined ? { maxAttempts: args.maxRetries } : {}),
      ...(args.retryDelayMs !== undefined ? { initialDelayMs: args.retryDelayMs } : {}),
    },
    // Credentials given on the command line are masked wherever they would show up again.
    secrets: Object.entries(args.headers)
      .filter(([name]) => CREDENTIAL_HEADER.test(name))
      .map(([, value]) => value.replace(/^(Bearer|Basic|Token|Bot)\s+/i, '')),
  };
  if (args.kind === 'sse') {
    options.method = args.method;
    options.lastEventId = args.lastEventId;
    if (args.data) {
      if ('text' in args.data) {
        options.body = args.data.text;
      } else {
        try {
          options.body = await readFile(args.data.file);
        } catch (err) {
          throw new UsageError(`cannot read -d @${args.data.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
    }
  } else {
    options.protocols = args.protocols.length ? args.protocols : undefined;
  }
  if (args.insecure) {
    options.tls = { insecure: true };
  } else if (args.cacert !== undefined) {
    try {
      options.tls = { ca: await readFile(args.cacert) };
    } catch (err) {
      throw new UsageError(`cannot read --cacert ${args.cacert}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return options;
}

/**
 * Connects and prints until the connection ends, `--count` is reached, `--timeout` passes or the
 * process is interrupted. Resolves with the exit status once stdout is flushed.
 */
export async function runConnect(args: ConnectArgs, io: CliIo): Promise<number> {
  const options = await buildOptions(args);
  const color = !!io.stdout.isTTY && io.env.NO_COLOR === undefined;
  const style: Style = { color };
  const errStyle: Style = { color: !!io.stderr.isTTY && io.env.NO_COLOR === undefined };

  let finished = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));

  const finish = (code: number) => {
    if (finished) {
      return;
    }
    finished = true;
    resolveDone(code);
  };

  // The writer is made before the connection (the raw feed needs it), so it reaches it through a holder.
  const holder: { conn?: Connection } = {};
  const out = new OutputWriter(
    io.stdout,
    (pause) => (pause ? holder.conn?.pause() : holder.conn?.resume()),
    undefined,
    // The reader went away (`| head`): nobody is listening, stop as asked.
    () => finish(0),
  );
  const err = new OutputWriter(io.stderr);

  if (args.raw) {
    // Bytes as received; on a terminal, decoded and with controls escaped (never raw escapes to a TTY).
    const decoder = io.stdout.isTTY ? new TextDecoder('utf-8') : undefined;
    options.onRaw = decoder
      ? (chunk) => out.write(escapeRaw(decoder.decode(chunk, { stream: true })))
      : (chunk) => out.write(Buffer.from(chunk));
  }

  const connection = createConnection(options);
  holder.conn = connection;
  let incoming = 0;

  // Like the NDJSON export, output masks the credentials given on the command line, also where the
  // server echoes them back. --raw stays byte-exact.
  const secrets = connection.secrets;
  const mask = (line: string) => (secrets.hasSecrets ? secrets.text(line) : line);
  const print = (r: ConnRecord) => {
    if (args.json) {
      out.write(mask(jsonLine(r)) + '\n');
    } else if (args.raw) {
      // In raw mode stdout carries only the stream; what happens to the connection goes to stderr.
      if (r.kind !== 'message' && r.kind !== 'comment' && r.kind !== 'retry') {
        err.write(mask(formatRecord(r, errStyle)) + '\n');
      }
    } else {
      out.write(mask(formatRecord(r, style)) + '\n');
    }
  };

  connection.onRecord((r) => {
    if (finished) {
      return;
    }
    print(r);
    if (r.kind === 'open' && args.sends.length > 0) {
      try {
        for (const s of args.sends) {
          if (s.type === 'text') {
            connection.sendText(s.text);
          } else {
            connection.sendBinary(s.bytes);
          }
        }
      } catch (e) {
        err.write(`realtime-inspector: cannot send: ${(e as Error).message}\n`);
        finish(1);
        return;
      }
    }
    if (args.count !== undefined && isIncomingData(r) && ++incoming >= args.count) {
      finish(0);
      return;
    }
    if (r.state === 'failed') {
      finish(1);
    } else if (r.state === 'closed') {
      // A close may be followed at once by a reconnect: decide when the transition has settled.
      setImmediate(() => {
        if (connection.state === 'closed') {
          finish(0);
        }
      });
    }
  });

  const timer = args.timeoutMs !== undefined ? setTimeout(() => finish(0), args.timeoutMs) : undefined;
  const onSignal = () => finish(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  connection.connect();
  const code = await done;
  await closeOpenWebSocket(connection);

  if (timer) {
    clearTimeout(timer);
  }
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  connection.dispose();
  await Promise.all([out.flush(), err.flush()]);
  return code;
}

/**
 * A WebSocket still open when the CLI stops (--count, --timeout, Ctrl+C) is closed as a client should:
 * with a close frame, 1000, and the server's answer. The connection's own close timeout bounds the wait.
 * The records of the close are not printed: the output ended with what was asked for.
 */
async function closeOpenWebSocket(connection: Connection): Promise<void> {
  if (connection.kind !== 'ws' || connection.state !== 'open') {
    return;
  }
  await new Promise<void>((resolve) => {
    const listener = connection.onRecord(() => {
      if (connection.state === 'closed' || connection.state === 'failed') {
        listener.dispose();
        resolve();
      }
    });
    connection.disconnect(1000);
  });
}
