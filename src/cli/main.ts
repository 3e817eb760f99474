/**
 * `realtime-inspector`: the headless CLI. A thin front end — parse the command line, call the core,
 * print — with one {@link fatal} that turns any error into a message and an exit status.
 */
import { version } from '../../package.json';
import { startDemoServer } from '../demo/server';
import { type CliArgs, type DemoArgs, parseCliArgs, UsageError } from './args';
import { runContracts } from './contracts';
import { DEMO_USAGE, RUN_USAGE, USAGE } from './usage';
import { type CliIo, runConnect } from './run';
import { runReplay } from './replay';
import { runMcp } from './mcp';

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'replay') {
    return runReplay(argv.slice(1), io).catch((err: unknown) => fatal(err, io));
  }
  if (argv[0] === 'mcp') {
    return runMcp(argv.slice(1), io).catch((err: unknown) => fatal(err, io));
  }
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    return fatal(err, io);
  }
  try {
    switch (args.command) {
      case 'help':
        io.stdout.write(USAGE + '\n');
        return 0;
      case 'demo-help':
        io.stdout.write(DEMO_USAGE + '\n');
        return 0;
      case 'run-help':
        io.stdout.write(RUN_USAGE + '\n');
        return 0;
      case 'version':
        io.stdout.write(version + '\n');
        return 0;
      case 'demo':
        return await runDemo(args, io);
      case 'connect':
        return await runConnect(args, io);
      case 'run':
        return await runContracts(args, io);
    }
  } catch (err) {
    return fatal(err, io);
  }
}

/** One line on stderr; 2 for a usage error, 1 for anything else. */
function fatal(err: unknown, io: CliIo): number {
  const usage = err instanceof UsageError;
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  io.stderr.write(`realtime-inspector: ${message}${usage ? ' (see --help)' : ''}\n`);
  return usage ? 2 : 1;
}

async function runDemo(args: DemoArgs, io: CliIo): Promise<number> {
  const server = await startDemoServer({ port: args.port, host: args.host });
  const lines = [`Realtime Inspector demo server on ${server.url} (Ctrl+C to stop)`];
  for (const e of server.endpoints) {
    lines.push(`  ${e.kind.toUpperCase().padEnd(3)} ${(e.method ?? '').padEnd(4)} ${e.url}  ${e.description}`);
  }
  lines.push('', `Try: realtime-inspector ${server.url}/sse`);
  io.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

if (require.main === module) {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    // Made on first use: only `-i` (or a WebSocket with stdin on a terminal) reads it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  // Exit once stdout and stderr are flushed, without waiting for stray handles.
  const exit = (code: number) => {
    let left = 2;
    const one = () => --left === 0 && process.exit(code);
    process.stdout.write('', one);
    process.stderr.write('', one);
  };
  main(process.argv.slice(2), io).then(exit, (err) => exit(fatal(err, io)));
}
