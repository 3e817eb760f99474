/**
 * The interop tier's servers: the FastAPI app of `servers/app.py` (an sse-starlette `/stream` and a
 * WebSocket echo `/ws`), run unchanged by uvicorn in the cached virtual environment that
 * `scripts/ensure-python-env.sh` creates, behind `servers/observed.py`, which reports every request, the
 * end of every response and every WebSocket close as a JSON line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '../harness/codeServer';

export const serversDir = join(repoRoot, 'test', 'interop', 'servers');

/** What reached the server, as `servers/observed.py` reports it. `at` is ms since the epoch. */
export type Observation =
  | { at: number; what: 'request'; kind: 'http' | 'websocket'; path: string; last_event_id: string | null }
  | { at: number; what: 'end'; path: string }
  | { at: number; what: 'disconnect'; path: string; code: number | null };

export type PythonEnv = { venv: string; skip?: undefined } | { venv?: undefined; skip: string };

let cached: PythonEnv | undefined;

/**
 * The virtual environment (`RI_PYTHON_ENV` when `npm test` already made it), or why there is none: the
 * line the setup script prints instead when Python or its venv module is missing. Any other failure throws.
 */
export function pythonEnv(): PythonEnv {
  if (cached) {
    return cached;
  }
  if (process.env.RI_PYTHON_ENV) {
    return (cached = { venv: process.env.RI_PYTHON_ENV });
  }
  const result = spawnSync('bash', [join(repoRoot, 'scripts', 'ensure-python-env.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 15 * 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status === 3) {
    return (cached = { skip: result.stdout.trim() || 'Python 3 with its venv module is missing' });
  }
  if (result.status !== 0) {
    throw new Error(`scripts/ensure-python-env.sh failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  return (cached = { venv: result.stdout.trim() });
}

export interface FastApiServer {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  observations: Observation[];
  /** Resolves with the observations once `accept` holds for them (checked on every new one). */
  waitFor(accept: (seen: Observation[]) => boolean, what: string, timeoutMs: number): Promise<Observation[]>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    killGroup(child, 'SIGKILL');
  }
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** `uvicorn observed:app --host 127.0.0.1 --port 0` in its own process group; resolves once it listens. */
export async function startFastApi(venv: string, timeoutMs = 60_000): Promise<FastApiServer> {
  const child = spawn(
    join(venv, 'bin', 'python'),
    ['-m', 'uvicorn', 'observed:app', '--host', '127.0.0.1', '--port', '0', '--no-access-log'],
    {
      cwd: serversDir,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const observations: Observation[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) {
      observations.push(JSON.parse(line) as Observation);
      for (const check of [...waiters]) {
        check();
      }
    }
  });

  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`uvicorn did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`uvicorn exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    killGroup(child, 'SIGKILL');
    await exited;
    throw error;
  });

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    observations,
    waitFor: (accept, what, waitMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (accept(observations)) {
            done();
            resolve(observations);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${what}: not seen at the server within ${waitMs} ms; seen: ${JSON.stringify(observations)}`));
        }, waitMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
