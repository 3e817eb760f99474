/** Runs one connection for the CLI: builds the core's options, prints records, decides the exit status. */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { type Connection, createConnection, SendError } from '../core/index';
import type { ConnectionOptions } from '../core/options';
import { credentialOf, isCredentialHeader } from '../core/credentials';
import { countsByDefault } from '../core/adapters/adapter';
import { resolveAdapter } from '../core/adapters/registry';
import { type ConnRecord, isIncomingData } from '../core/records';
import { type ConnectArgs, UsageError } from './args';
import { escapeRaw, formatRecord, jsonLine, messageLinePieces, type Style } from './format';
import { DynamicValues } from '../core/workbench/placeholders';
import { PeriodicSender } from '../core/workbench/periodic';
import { withEnvironment } from './environment';
import { LineInput } from './input';
import { LlmPrinter } from './llmOutput';
import { OutputWriter } from './output';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Read only for `-i` (on by default when it is a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Where relative paths start (`run`'s files). Default: the process's current folder. */
  cwd?: string;
}

/** Lines waiting for the socket to open before stdin is paused (a file piped into `-i`). */
const MAX_PENDING_LINES = 1000;

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
      ...(args.reconnectOnEnd !== undefined ? { onEnd: args.reconnectOnEnd } : {}),
      ...(args.retryMethods !== undefined ? { methods: args.retryMethods } : {}),
    },
    // Credentials given on the command line are masked wherever they would show up again.
    secrets: Object.entries(args.headers)
      .filter(([name]) => isCredentialHeader(name))
      .map(([, value]) => credentialOf(value)),
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
    if (args.keepAlive) {
      options.keepAlive = { ...args.keepAlive };
    }
    if (args.perMessageDeflate !== undefined) {
      options.perMessageDeflate = args.perMessageDeflate;
    }
    if (args.maxPayload !== undefined) {
      options.maxPayload = args.maxPayload;
    }
    if (args.adapter) {
      options.adapter = args.adapter;
    }
  }
  if (args.connectTimeoutMs !== undefined) {
    options.timeoutMs = args.connectTimeoutMs;
  }
  if (args.idleTimeoutMs !== undefined) {
    options.idleTimeoutMs = args.idleTimeoutMs;
  }
  if (args.allowDowngrade) {
    options.allowDowngrade = true;
  }
  if (args.lens !== 'auto') {
    options.lens = args.lens;
  }
  if (args.silenceMs !== undefined) {
    options.silenceMs = args.silenceMs;
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
 * process is interrupted; the last three close the connection cleanly (a WebSocket close frame,
 * the end of an SSE request) and print the close. Resolves with the exit status once stdout is flushed.
 */
export async function runConnect(written: ConnectArgs, io: CliIo): Promise<number> {
  const { args, secrets: environmentSecrets } = await withEnvironment(written, io);
  const options = await buildOptions(args);
  options.secrets = [...(options.secrets ?? []), ...environmentSecrets];
  /** Dynamic values in `--send` (`{{$seq}}` counts this connection's sends), resolved at each send. */
  const dynamic = new DynamicValues();
  let repeat: PeriodicSender | undefined;
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

  // -i: on by default when stdin is a terminal, for a WebSocket.
  const interactive = args.kind === 'ws' && (args.interactive ?? !!io.stdin?.isTTY);
  /** Lines typed (or piped) before the socket is open wait here, in order. */
  const pending: string[] = [];
  let input: LineInput | undefined;
  if (interactive && io.stdin) {
    input = new LineInput(io.stdin, io.stdout, {
      line: (text) => sendLine(text),
      // At the end of input the connection stays open: --count, --timeout, Ctrl+C or the server end it.
      end: () => undefined,
      interrupt: () => onSignal(),
    });
  }

  const out = new OutputWriter(
    input?.output ?? io.stdout,
    (pause) => (pause ? holder.conn?.pause() : holder.conn?.resume()),
    undefined,
    // The reader went away (`| head`): nobody is listening, stop as asked.
    () => stop(0),
  );
  const err = new OutputWriter(io.stderr);

  const connection = createConnection(options);
  if (args.raw) {
    // Bytes as received; on a terminal, decoded and with controls escaped (never raw escapes to a TTY).
    const decoder = io.stdout.isTTY ? new TextDecoder('utf-8') : undefined;
    connection.onRawChunk(
      decoder ? (chunk) => out.write(escapeRaw(decoder.decode(chunk, { stream: true }))) : (chunk) => out.write(Buffer.from(chunk)),
    );
  }
  holder.conn = connection;
  let incoming = 0;
  /** Set once the CLI decided to stop: the connection is closing, only its end is awaited. */
  let stopping: { code: number } | undefined;

  // Like the NDJSON export, output masks the credentials given on the command line, also where the
  // server echoes them back. --raw stays byte-exact.
  const secrets = connection.redactor;
  // Each record is masked field by field before it is formatted or serialised (never the text after).
  /** Readable output shows a retry line only when the value changes (`--json` keeps every record). */
  let shownRetryMs: number | undefined;
  const llm = new LlmPrinter(() => connection.llmLens, style);
  const print = (record: ConnRecord) => {
    const r = secrets.record(record);
    // A large text message goes out as its own bytes between the line's two ends: no decoded,
    // serialised and re-encoded copies of it (only when there is nothing to mask).
    const pieces = !args.raw && !secrets.hasSecrets ? messageLinePieces(r, args.json, style) : undefined;
    if (pieces) {
      out.write(pieces[0]);
      out.write(pieces[1]);
      out.write(pieces[2] + '\n');
      return;
    }
    if (args.json) {
      out.write(jsonLine(r) + '\n');
    } else if (args.raw) {
      // In raw mode stdout carries only the stream; what happens to the connection goes to stderr.
      if (r.kind !== 'message' && r.kind !== 'comment' && r.kind !== 'retry') {
        err.write(formatRecord(r, errStyle) + '\n');
      }
    } else {
      if (r.kind === 'retry') {
        if (r.ms === shownRetryMs) {
          return;
        }
        shownRetryMs = r.ms;
      }
      const text = llm.instead(r);
      if (text !== undefined) {
        if (text) {
          out.write(text);
        }
        return;
      }
      out.write(llm.lineBreak() + formatRecord(r, style) + '\n');
    }
  };

  const cannotSend = (e: unknown) => {
    err.write(`realtime-inspector: cannot send: ${(e as Error).message}\n`);
    stop(1);
  };

  // An adapter's connection: `--count` counts what the protocol calls a message (GraphQL: results),
  // typed lines go through the protocol as --send does.
  const adapter = connection.adapter;
  const adapterOptions = adapter && args.adapter ? resolveAdapter(args.adapter).options : undefined;
  const counted = (r: ConnRecord) =>
    isIncomingData(r) && (r.kind !== 'message' || !r.decoded || (adapter?.counts ? adapter.counts(r.decoded) : countsByDefault(r.decoded)));
  const sendTyped = (text: string) => {
    if (!adapter?.cliSend) {
      connection.sendText(text);
      return;
    }
    try {
      connection.send(adapter.cliSend(text, adapterOptions as never));
    } catch (e) {
      // A line the protocol cannot send is said and skipped: the session goes on.
      if (e instanceof SendError) {
        err.write(`realtime-inspector: cannot send: ${e.message}\n`);
        return;
      }
      throw e;
    }
  };
  if (adapter) {
    connection.onAdapterSignal((signal) => {
      // Every GraphQL operation is over: the run is over, as asked; failed when one ended with an error.
      if (signal.kind === 'done' && !stopping && !finished) {
        stop(signal.failed ? 1 : 0);
      }
    });
  }

  const sendPending = () => {
    while (pending.length > 0 && connection.canSend && !stopping && !finished) {
      sendTyped(pending.shift()!);
    }
    if (pending.length < MAX_PENDING_LINES) {
      input?.resume();
    }
  };
  const sendLine = (text: string) => {
    if (stopping || finished) {
      return;
    }
    pending.push(text);
    if (pending.length >= MAX_PENDING_LINES) {
      input?.pause();
    }
    try {
      sendPending();
    } catch (e) {
      cannotSend(e);
    }
  };

  /**
   * Ends the session cleanly: a WebSocket sends its close frame (`--close`, 1000 by default) and
   * waits for the server's; an SSE request is ended. Exits with `code` once the close is printed.
   */
  const stop = (code: number) => {
    if (finished || stopping) {
      return;
    }
    stopping = { code };
    input?.stop();
    if (timer) {
      clearTimeout(timer);
    }
    if (connection.isActive) {
      connection.disconnect(args.kind === 'ws' ? (args.close?.code ?? 1000) : undefined, args.close?.reason);
    }
    if (!connection.isActive) {
      finish(code);
    }
  };

  connection.onRecord((r) => {
    if (finished) {
      return;
    }
    if (stopping) {
      // Asked to stop: what still arrives is not printed, the closing handshake and its end are.
      if (!isIncomingData(r)) {
        print(r);
      }
      if (r.state === 'closed' || r.state === 'failed') {
        finish(stopping.code);
      }
      return;
    }
    print(r);
    if (r.kind === 'open') {
      try {
        const sendAll = () => {
          for (const s of args.sends) {
            if (s.type === 'text') {
              connection.sendText(dynamic.resolve(s.text));
            } else if (s.type === 'adapter') {
              connection.send(s.input);
            } else if (s.type === 'binary') {
              connection.sendBinary(s.bytes);
            } else {
              connection.ping(s.bytes);
            }
          }
        };
        if (args.repeat && !repeat) {
          // --every: the first round now, then one every MS; a reconnect sends them once, without the repeat.
          repeat = new PeriodicSender(connection, sendAll, args.repeat);
          repeat.onDidChange((st) => {
            if (st.stopped?.startsWith('cannot send')) {
              cannotSend(new Error(st.stopped.slice('cannot send: '.length)));
            }
          });
          repeat.start();
        } else {
          sendAll();
        }
        sendPending();
      } catch (e) {
        cannotSend(e);
        return;
      }
    }
    if (args.count !== undefined && counted(r) && ++incoming >= args.count) {
      stop(0);
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

  const timer = args.timeoutMs !== undefined ? setTimeout(() => stop(0), args.timeoutMs) : undefined;
  // The first Ctrl+C (or SIGTERM) closes cleanly; a second one while the close is under way quits at once.
  let signals = 0;
  const onSignal = () => {
    if (++signals === 1 && !stopping) {
      stop(0);
    } else {
      finish(stopping?.code ?? 0);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  connection.connect();
  const code = await done;

  if (timer) {
    clearTimeout(timer);
  }
  input?.stop();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  repeat?.dispose();
  connection.dispose();
  await Promise.all([out.flush(), err.flush()]);
  return code;
}
