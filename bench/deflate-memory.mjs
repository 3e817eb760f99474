// Peak memory for one large permessage-deflate message: a ~100 KB frame that inflates to 99 MiB of
// text, received by a bare `ws` client and by the CLI (readable output and --json, into /dev/null).
// Each client is its own process; its peak RSS is what /usr/bin/time reports (max resident set).
// Prints one JSON line: { bareKb, cliKb, cliJsonKb, ratio, ratioJson }.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocketServer } from 'ws';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const dist = process.env.BENCH_DIST ?? join(root, 'dist');
const SIZE = 99 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_DEFLATE_RUNS ?? 3);

const payload = Buffer.alloc(SIZE, 'a');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 }, maxPayload: 200 * 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.send(payload, { binary: false, compress: true });
});
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${wss.address().port}/`;

const bare = `
const WebSocket = require(${JSON.stringify(join(root, 'node_modules/ws'))});
const ws = new WebSocket(${JSON.stringify(url)});
ws.on("message", (data, isBinary) => { if (!isBinary) { process.stdout.write(data.toString() + "\\n"); ws.close(1000); } });
ws.on('close', () => process.exit(0));`;

async function peakKb(args) {
  const { stderr } = await run('/usr/bin/time', ['-f', 'peak=%M', 'sh', '-c', `exec "$@" > /dev/null`, 'sh', ...args], {
    cwd: root,
    maxBuffer: 1 << 20,
    timeout: 120_000,
  });
  return Number(/peak=(\d+)/.exec(stderr)[1]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const bareKb = [];
const cliKb = [];
const cliJsonKb = [];
for (let i = 0; i < RUNS; i++) {
  bareKb.push(await peakKb([process.execPath, '-e', bare]));
  cliKb.push(await peakKb([process.execPath, join(dist, 'cli.js'), url, '--count', '1', '--no-interactive', '--no-reconnect']));
  cliJsonKb.push(
    await peakKb([process.execPath, join(dist, 'cli.js'), url, '--json', '--count', '1', '--no-interactive', '--no-reconnect']),
  );
}
wss.close();
const b = median(bareKb);
const result = {
  bareKb: b,
  cliKb: median(cliKb),
  cliJsonKb: median(cliJsonKb),
  ratio: median(cliKb) / b,
  ratioJson: median(cliJsonKb) / b,
  trials: { bareKb, cliKb, cliJsonKb },
};
process.stdout.write(JSON.stringify(result) + '\n');
