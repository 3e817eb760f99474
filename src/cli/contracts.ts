/**
 * `realtime-inspector run`: checks saved profiles' stream contracts headless, for CI. Everything that
 * can be wrong with the command line, the files or the profiles is found before anything connects
 * (exit 2); then the profiles run one after the other (or `--parallel N` at once), and the exit
 * status says how they went: 0 every rule held, 1 a rule failed, 3 a stream never opened.
 */
import { UndefinedVariableError, applyEnvironment } from '../core/workbench/environments';
import { EnvironmentFileError, loadEnvironment } from '../core/workbench/environmentFile';
import { type FileHandle, open } from 'node:fs/promises';
import * as path from 'node:path';
import { ExpectError, compileExpect, ruleNames } from '../core/contracts/expect';
import type { Connection } from '../core/connection';
import { resolveKind } from '../core/options';
import { type Profile, type ProfileIssue, checkTemplates, validateProfiles } from '../core/profile';
import { ProfileFileError, environmentResolver, loadEnvFile, loadProfileFile, secretEnvName } from '../core/profileFile';
import { CaFileError, profileConnectionOptions } from '../core/profileOptions';
import { sendPayloads, sendProblem } from '../core/profileSend';
import { Redactor } from '../core/redactor';
import { resolveProfile } from '../core/resolve';
import { JsonReporter, ReadableReporter } from './contractOutput';
import { type PreparedProfile, type ProfileOutcome, type ProfileRunHandle, runProfile } from './contractRun';
import { type JunitSuite, junitXml } from './junit';
import { OutputWriter } from './output';
import type { CliIo } from './run';
import type { RunArgs } from './runArgs';

/** Exit statuses of `run`. */
export const RUN_EXIT = { passed: 0, failed: 1, usage: 2, notConnected: 3 } as const;

/** Problems found before running: each a line on stderr, exit 2. */
class RunProblems extends Error {
  constructor(readonly lines: string[]) {
    super(lines[0]);
  }
}

export async function runContracts(args: RunArgs, io: CliIo): Promise<number> {
  // A reader slower than the streams (`--json | slow`) pauses the connections rather than growing memory.
  const live = new Set<Connection>();
  const out = new OutputWriter(io.stdout, (pause) => live.forEach((c) => (pause ? c.pause() : c.resume())));
  const err = new OutputWriter(io.stderr);
  let junit: FileHandle | undefined;
  try {
    const prepared = await prepare(args, io, (line) => err.write(`realtime-inspector: warning: ${line}\n`));
    if (args.junit !== undefined) {
      junit = await openJunit(path.resolve(io.cwd ?? process.cwd(), args.junit), args.junit);
    }
    const code = await runAll(prepared, args, io, out, junit, live);
    return code;
  } catch (e) {
    if (e instanceof RunProblems) {
      for (const line of e.lines) {
        err.write(`realtime-inspector: ${line}\n`);
      }
      return RUN_EXIT.usage;
    }
    throw e;
  } finally {
    await junit?.close().catch(() => undefined);
    await Promise.all([out.flush(), err.flush()]);
  }
}

/** Reads the files, picks and validates the profiles, resolves their references and builds their options. */
async function prepare(args: RunArgs, io: CliIo, warn: (line: string) => void): Promise<PreparedProfile[]> {
  const cwd = io.cwd ?? process.cwd();
  const shown = args.profiles ?? path.join('.vscode', 'settings.json');
  // A dotenv file's variables join the environment; the real environment wins.
  let env: Record<string, string | undefined> = { ...io.env };
  if (args.envFile !== undefined) {
    env = { ...(await orProblem(loadEnvFile(path.resolve(cwd, args.envFile), args.envFile))), ...io.env };
  }
  const file = await orProblem(
    loadProfileFile(path.resolve(cwd, shown), shown),
    args.profiles === undefined ? ' (run it in a workspace folder, or name the file with --profiles FILE)' : '',
  );
  const validation = validateProfiles(file.value);
  const raw = Array.isArray(file.value) ? (file.value as unknown[]) : [];
  const entryName = (e: unknown) => (isObject(e) && typeof e.name === 'string' ? e.name : undefined);
  const names = raw.map(entryName).filter((n): n is string => n !== undefined && n.trim() !== '');

  const problems: string[] = [];
  const missing = args.names.filter((n) => !names.includes(n));
  if (missing.length) {
    const there = names.length ? `; the profiles there: ${names.map((n) => JSON.stringify(n)).join(', ')}` : '; it has no profiles';
    throw new RunProblems([
      `${missing.length === 1 ? 'no profile named' : 'no profiles named'} ${missing.map((n) => JSON.stringify(n)).join(', ')} in ${shown}${there}`,
    ]);
  }
  // A profile error stops the run when the profile would run: named, or (none named) one with an `expect`.
  const wouldRun = (issue: ProfileIssue) => {
    if (args.names.length) {
      return issue.name !== undefined && args.names.includes(issue.name);
    }
    const entry = issue.index >= 0 ? raw[issue.index] : undefined;
    return entry === undefined || !isObject(entry) || 'expect' in entry || issue.name === undefined;
  };
  for (const issue of validation.issues) {
    if (wouldRun(issue)) {
      problems.push(`${shown}: ${issue.message}`);
    } else {
      warn(`${shown}: ${issue.message} (not run)`);
    }
  }
  if (problems.length) {
    throw new RunProblems(problems);
  }

  let selected: Profile[];
  if (args.names.length) {
    selected = args.names.map((n) => validation.profiles.find((p) => p.name === n)!);
    const without = selected.filter((p) => p.expect === undefined);
    if (without.length) {
      throw new RunProblems(
        without.map((p) => `profile ${JSON.stringify(p.name)} has no expect block: nothing to check (add "expect" to it in ${shown})`),
      );
    }
  } else {
    selected = validation.profiles.filter((p) => p.expect !== undefined);
    if (!selected.length) {
      throw new RunProblems([`no profile in ${shown} has an expect block: nothing to check`]);
    }
  }

  const resolver = environmentResolver(env);
  let vars: Record<string, string> | undefined;
  if (args.environment !== undefined) {
    try {
      vars = await loadEnvironment(file.file, args.environment, shown);
    } catch (e) {
      throw e instanceof EnvironmentFileError ? new RunProblems([e.message]) : e;
    }
  }
  const prepared: PreparedProfile[] = [];
  for (const written of selected) {
    const where = `profile ${JSON.stringify(written.name)}`;
    let p: Profile;
    try {
      p = applyEnvironment(written, vars, args.environment);
    } catch (e) {
      if (e instanceof UndefinedVariableError) {
        problems.push(e.message);
        continue;
      }
      throw e;
    }
    const resolved = await resolveProfile(p, resolver);
    if (!resolved.ok) {
      const e = resolved.error;
      problems.push(
        e.code === 'ERR_MISSING_SECRET'
          ? `${where}: \${secret:${e.name}} is not set: set the environment variable ${secretEnvName(e.name)}`
          : `${where}: \${env:${e.name}} is not set: the environment variable ${e.name} is missing`,
      );
      continue;
    }
    const masker = new Redactor(resolved.secrets);
    const r = resolved.value;
    if (r.kind === 'mcp') {
      problems.push(`${where}: an MCP server ("kind": "mcp") has no stream contract: inspect it with realtime-inspector mcp URL`);
      continue;
    }
    let kind: 'sse' | 'ws';
    try {
      // A template may stand for the whole URL: only now is its scheme known.
      kind = resolveKind(r.url, r.kind ?? 'auto');
    } catch (e) {
      problems.push(`${where}: "url": ${masker.text((e as Error).message)}`);
      continue;
    }
    try {
      // The rules and messages again, for the transport the URL resolved to (close codes are for WebSocket…).
      const expect = compileExpect(r.expect, kind);
      const sendBad = r.send !== undefined ? sendProblem(r.send, kind, checkTemplates) : undefined;
      if (sendBad) {
        problems.push(`${where}: ${sendBad}`);
        continue;
      }
      const options = await profileConnectionOptions(r, { secrets: resolved.secrets, baseDir: file.baseDir }, p.tls?.caFile);
      prepared.push({ name: p.name, kind, options, expect, sends: sendPayloads(r.send) });
    } catch (e) {
      if (e instanceof ExpectError || e instanceof CaFileError) {
        problems.push(`${where}: ${masker.text(e.message)}`);
        continue;
      }
      throw e;
    }
  }
  if (problems.length) {
    throw new RunProblems(problems);
  }
  return prepared;
}

/** Opens the JUnit file now, so a file that cannot be written is an error before anything runs. */
async function openJunit(file: string, written: string): Promise<FileHandle> {
  try {
    return await open(file, 'w');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such folder'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (code ?? (e as Error).message);
    throw new RunProblems([`cannot write --junit ${written}: ${why}`]);
  }
}

/** Runs the profiles, at most `args.parallel` at once; Ctrl+C stops the running ones and starts no more. */
async function runAll(
  prepared: PreparedProfile[],
  args: RunArgs,
  io: CliIo,
  out: OutputWriter,
  junit: FileHandle | undefined,
  live: Set<Connection>,
): Promise<number> {
  const style = { color: !args.json && !!io.stdout.isTTY && io.env.NO_COLOR === undefined };
  const parallel = Math.min(args.parallel, prepared.length);
  const readable = args.json ? undefined : new ReadableReporter(out, style, parallel > 1);
  const errors = new OutputWriter(io.stderr);
  const reporter = readable ?? new JsonReporter(out, errors, parallel > 1);
  const startedAt = new Date();
  const outcomes: (ProfileOutcome | undefined)[] = new Array(prepared.length);
  const running = new Set<ProfileRunHandle>();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      return;
    }
    interrupted = true;
    for (const h of running) {
      h.stop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let next = 0;
  const worker = async () => {
    while (!interrupted && next < prepared.length) {
      const i = next++;
      if (readable && parallel === 1 && i > 0) {
        out.write('\n');
      }
      const handle = runProfile(prepared[i], reporter, live);
      running.add(handle);
      outcomes[i] = await handle.done;
      running.delete(handle);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const done = outcomes.filter((o): o is ProfileOutcome => o !== undefined);
  const notRun = prepared.length - done.length;
  readable?.total(done, Date.now() - startedAt.getTime(), notRun);
  if (junit) {
    await junit.writeFile(junitXml(junitSuites(prepared, outcomes)), 'utf8');
  }
  await errors.flush();
  if (done.some((o) => o.notConnected)) {
    return RUN_EXIT.notConnected;
  }
  return done.some((o) => o.summary.failed > 0) || notRun > 0 ? RUN_EXIT.failed : RUN_EXIT.passed;
}

/** The report's suites, in the profiles' order; a profile the run did not reach is listed as skipped. */
function junitSuites(prepared: PreparedProfile[], outcomes: (ProfileOutcome | undefined)[]): JunitSuite[] {
  return prepared.map((p, i) => {
    const o = outcomes[i];
    if (!o) {
      const url = Redactor.forOptions(p.options).url(p.options.url);
      const cases = ruleNames(p.expect).map((name) => ({ name, ok: false, atMs: 0, detail: 'not run' }));
      return { name: p.name, url, startedAt: new Date(), durationMs: 0, notConnected: false, skipped: true, cases };
    }
    return {
      name: o.name,
      url: o.url,
      startedAt: o.startedAt,
      durationMs: o.summary.durationMs,
      notConnected: o.notConnected,
      cases: o.summary.results.map((r) => ({
        name: r.rule,
        ok: r.ok,
        atMs: r.atMs,
        detail: r.detail,
        evidence: r.evidence,
        decidedBy: r.decidedBy,
      })),
    };
  });
}

/** A file error as a problem before running (exit 2). */
async function orProblem<T>(p: Promise<T>, hint = ''): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ProfileFileError) {
      throw new RunProblems([e.message + (/^cannot read/.test(e.message) ? hint : '')]);
    }
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
