import * as vscode from 'vscode';
import type { ConnectionOptions } from '../core/options';
import { CaFileError, profileConnectionOptions } from '../core/profileOptions';
import { defaultReconnect, silenceGapMs, proxyOptions } from '../settings';
import type { Profile } from '../core/profile';
import { type SendPayload, sendPayloads } from '../core/profileSend';
import { type ResolveEnv, type Resolved, resolveProfile } from '../core/resolve';

/** A session's configuration: a profile whose name is optional (ad-hoc connections have none). */
export type SessionConfig = Omit<Profile, 'name'> & { name?: string };

/** Connection options resolved from a configuration, and its `send` messages (resolved too) to send after every open. */
export type BuiltConnect =
  Exclude<Resolved<ConnectionOptions>, { ok: true }> | (Extract<Resolved<ConnectionOptions>, { ok: true }> & { send: SendPayload[] });

/**
 * Turns a configuration with templates into the core's options (`profileConnectionOptions`, as the CLI's
 * `run` does): `${env:…}`/`${secret:…}` resolved in every string field (the CA file's path too), secrets
 * listed for masking, CA file read, VS Code's proxy and the default reconnect policy applied.
 */
export async function buildConnectionOptions(config: SessionConfig, env: ResolveEnv): Promise<BuiltConnect> {
  const resolved = await resolveProfile(config, env);
  if (!resolved.ok) {
    return resolved;
  }
  const p = resolved.value;
  const folder = vscode.workspace.workspaceFolders?.[0];
  let options: ConnectionOptions;
  try {
    options = await profileConnectionOptions(
      { ...p, name: p.name ?? '' },
      {
        secrets: resolved.secrets,
        // A relative CA path is relative to the first workspace folder (where the settings that name it live).
        baseDir: folder ? folder.uri.fsPath : process.cwd(),
        proxy: proxyOptions(),
        reconnect: defaultReconnect(),
      },
      config.tls?.caFile,
    );
  } catch (err) {
    throw err instanceof CaFileError ? new Error(err.message.replace(/^cannot/, 'Cannot'), { cause: err }) : err;
  }
  const silenceMs = silenceGapMs();
  if (silenceMs > 0) {
    options.silenceMs = silenceMs;
  }
  return { ok: true, value: options, secrets: resolved.secrets, refs: resolved.refs, send: sendPayloads(p.send) };
}
