import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConnectionOptions } from '../core/options';
import { defaultReconnect, proxyOptions } from '../settings';
import type { Profile } from '../core/profile';
import { type SendPayload, sendPayloads } from '../core/profileSend';
import { type ResolveEnv, type Resolved, resolveProfile } from '../core/resolve';

/** A session's configuration: a profile whose name is optional (ad-hoc connections have none). */
export type SessionConfig = Omit<Profile, 'name'> & { name?: string };

/** Connection options resolved from a configuration, and its `send` messages (resolved too) to send after every open. */
export type BuiltConnect =
  Exclude<Resolved<ConnectionOptions>, { ok: true }> | (Extract<Resolved<ConnectionOptions>, { ok: true }> & { send: SendPayload[] });

/**
 * Turns a configuration with templates into the core's options: `${env:…}`/`${secret:…}` resolved in
 * every string field (the CA file's path too), secrets listed for masking, CA file read, VS Code's
 * proxy and the default reconnect policy applied.
 */
export async function buildConnectionOptions(config: SessionConfig, env: ResolveEnv): Promise<BuiltConnect> {
  const resolved = await resolveProfile(config, env);
  if (!resolved.ok) {
    return resolved;
  }
  const p = resolved.value;
  const options: ConnectionOptions = {
    url: p.url,
    kind: p.kind ?? 'auto',
    headers: p.headers,
    method: p.method,
    body: p.body,
    lastEventId: p.lastEventId,
    protocols: p.protocols,
    perMessageDeflate: p.perMessageDeflate,
    maxPayload: p.maxPayload,
    keepAlive: p.keepAlive,
    timeoutMs: p.timeoutMs,
    allowDowngrade: p.allowDowngrade,
    idleTimeoutMs: p.idleTimeoutMs,
    proxy: proxyOptions(),
    reconnect: { ...defaultReconnect(), ...p.reconnect },
    secrets: resolved.secrets,
  };
  if (p.tls) {
    options.tls = { insecure: p.tls.insecure };
    if (p.tls.caFile) {
      const file = resolveCaPath(p.tls.caFile);
      try {
        options.tls.ca = await readFile(file);
      } catch (err) {
        const written = config.tls?.caFile !== p.tls.caFile ? ` (from "${config.tls?.caFile}")` : '';
        throw new Error(`Cannot read tls.caFile "${file}"${written}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return { ok: true, value: options, secrets: resolved.secrets, refs: resolved.refs, send: sendPayloads(p.send) };
}

/** A relative CA path is relative to the first workspace folder (where the settings that name it live). */
function resolveCaPath(file: string): string {
  if (path.isAbsolute(file)) {
    return file;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.join(folder.uri.fsPath, file) : path.resolve(file);
}
