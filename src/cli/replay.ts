/**
 * `realtime-inspector replay FILE`: serves a recorded session as a local mock until Ctrl+C. Parses
 * (replayArgs.ts), opens the recording and runs a core `ReplayServer`; prints its URL and its clients.
 */
import { ItemType, type RecordedConnection } from '../core/replay/items';
import { describeConnections, openRecording, type Recording, RecordingError, shownUrl, skippedWarning } from '../core/replay/recording';
import { ReplayListenError, ReplayServer } from '../core/replay/server';
import { UsageError } from './args';
import { parseReplayArgs, type ReplayArgs } from './replayArgs';
import type { CliIo } from './run';
import { REPLAY_USAGE } from './usage';

/**
 * Runs `replay` with the arguments after the word `replay`. Resolves with the exit status once
 * `stop` settles (default: SIGINT or SIGTERM): 0 then, 2 for a usage error (the file, the port…).
 */
export async function runReplay(argv: string[], io: CliIo, stop: Promise<unknown> = signalled()): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`realtime-inspector: ${message}\n`);
    return 2;
  };
  let args: ReplayArgs;
  try {
    const parsed = parseReplayArgs(argv);
    if (parsed.command === 'replay-help') {
      io.stdout.write(REPLAY_USAGE + '\n');
      return 0;
    }
    args = parsed;
  } catch (err) {
    if (err instanceof UsageError) {
      return usage(`${err.message} (see replay --help)`);
    }
    throw err;
  }

  let recording: Recording;
  try {
    recording = await openRecording(args.file);
  } catch (err) {
    if (err instanceof RecordingError) {
      return usage(err.message);
    }
    throw err;
  }
  try {
    const warning = skippedWarning(recording.skipped);
    if (warning) {
      io.stderr.write(`realtime-inspector: warning: ${args.file}: ${warning}\n`);
    }
    const conns = recording.connections;
    if (args.connection === undefined && conns.length > 1) {
      return usage(
        `${args.file} holds ${conns.length} connections: choose one with --connection N\n${describeConnections(conns).join('\n')}`,
      );
    }
    if (args.connection !== undefined && args.connection > conns.length) {
      return usage(
        `--connection ${args.connection}: ${args.file} holds ${conns.length} connection${conns.length === 1 ? '' : 's'}\n${describeConnections(conns).join('\n')}`,
      );
    }
    const conn = conns[(args.connection ?? 1) - 1];
    if (args.close && conn.kind !== 'ws') {
      return usage('--close is for WebSocket recordings; this one is an SSE stream (see replay --help)');
    }

    const server = new ReplayServer(conn, {
      port: args.port,
      host: args.host,
      path: args.path,
      speed: args.speed,
      loop: args.loop,
      dropAfter: args.dropAfter,
      close: args.close,
    });
    try {
      await server.start();
    } catch (err) {
      server.dispose();
      if (err instanceof ReplayListenError) {
        return usage(err.message);
      }
      throw err;
    }
    const unit = conn.kind === 'ws' ? 'message' : 'event';
    server.onDidConnect((c) => {
      const resume =
        c.lastEventId === undefined
          ? ''
          : c.resumed
            ? `, resumes after id ${c.lastEventId}`
            : `, from the start (Last-Event-ID ${c.lastEventId} is not in the recording)`;
      io.stdout.write(`client ${c.id} connected from ${c.remote}${resume}\n`);
    });
    server.onDidDisconnect((e) => io.stdout.write(`client ${e.id}: ${e.sent} ${unit}${e.sent === 1 ? '' : 's'}, ${e.why}\n`));
    io.stdout.write(`${server.url}\n`);
    io.stdout.write(`  ${describe(args, conn, conns.length)} (Ctrl+C to stop)\n`);
    await stop;
    await server.close();
    return 0;
  } finally {
    recording.dispose();
  }
}

/** "replaying FILE: WebSocket from ws://…, 12 messages and 3 replies over 4.2 s, at speed 1". */
function describe(args: ReplayArgs, conn: RecordedConnection, of: number): string {
  const t = conn.items;
  let messages = 0;
  let replies = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.type[i] === ItemType.InText || t.type[i] === ItemType.InBinary) {
      if (t.replyTo[i] === -1) {
        messages++;
      } else {
        replies++;
      }
    }
  }
  const what =
    conn.kind === 'ws'
      ? `WebSocket, ${messages} message${messages === 1 ? '' : 's'}${replies ? ` and ${replies} repl${replies === 1 ? 'y' : 'ies'} to client messages` : ''}`
      : `SSE, ${messages} event${messages === 1 ? '' : 's'}`;
  const parts = [
    `replaying ${args.file}${of > 1 ? ` (connection ${conn.n} of ${of})` : ''}: ${what} over ${(conn.endMs / 1000).toFixed(1)} s${conn.url ? `, recorded from ${shownUrl(conn.url)}` : ''}`,
    args.speed === 0 ? 'as fast as possible' : `at speed ${args.speed}`,
  ];
  if (args.loop) {
    parts.push('looping');
  }
  if (args.dropAfter !== undefined) {
    parts.push(
      `dropping each client after ${args.dropAfter} ${conn.kind === 'ws' ? 'message' : 'event'}${args.dropAfter === 1 ? '' : 's'}`,
    );
  }
  return parts.join(', ');
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
