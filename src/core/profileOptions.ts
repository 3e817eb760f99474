/**
 * A resolved profile as the core's connection options, for the extension (`src/profiles/connectOptions.ts`:
 * VS Code's proxy, the default reconnect policy, the workspace folder) and the CLI's `run` (the proxy
 * from the environment, no reconnect unless the profile asks, the profile file's folder).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ConnectionOptions, ProxyOptions } from './options';
import type { Profile } from './profile';
import type { ReconnectOptions } from './reconnect';

export interface ProfileOptionsContext {
  /** Values to mask (from `resolveProfile`). */
  secrets: string[];
  /** Where a relative `tls.caFile` starts from. */
  baseDir: string;
  /** Default: the environment's `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY`. */
  proxy?: ProxyOptions;
  /**
   * The reconnect policy under the profile's own `reconnect`. Default: off unless the profile says
   * `reconnect.enabled: true`, so a run ends when the stream does.
   */
  reconnect?: Partial<ReconnectOptions>;
}

/** A CA file that cannot be read: the path tried and, when a template made it, the path as written. */
export class CaFileError extends Error {}

/**
 * The options for `p` (templates already resolved). Throws {@link CaFileError} when `tls.caFile`
 * cannot be read.
 */
export async function profileConnectionOptions(p: Profile, ctx: ProfileOptionsContext, writtenCaFile?: string): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    url: p.url,
    // An MCP profile makes an McpSession (src/core/mcp/), never a connection: its URL is HTTP.
    kind: p.kind === 'mcp' ? 'auto' : (p.kind ?? 'auto'),
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
    proxy: ctx.proxy ?? { fromEnv: true },
    reconnect: ctx.reconnect
      ? { ...ctx.reconnect, ...p.reconnect }
      : p.reconnect?.enabled === true
        ? { ...p.reconnect }
        : { ...p.reconnect, enabled: false },
    secrets: ctx.secrets,
  };
  if (p.adapter) {
    options.adapter = { name: p.adapter.name, options: p.adapter.options ?? {} };
  }
  if (p.tls) {
    options.tls = { insecure: p.tls.insecure };
    if (p.tls.caFile) {
      const file = path.resolve(ctx.baseDir, p.tls.caFile);
      try {
        options.tls.ca = await readFile(file);
      } catch (err) {
        const written = writtenCaFile !== undefined && writtenCaFile !== p.tls.caFile ? ` (from "${writtenCaFile}")` : '';
        throw new CaFileError(
          `cannot read tls.caFile "${file}"${written}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
    }
  }
  return options;
}
