import { Redactor } from '../core/redactor';
import { type BuiltConnect, buildConnectionOptions, type SessionConfig } from '../profiles/connectOptions';
import { originOf } from '../trust';
import type { ConnectResult, SessionDeps, SessionSource } from './session';

/** Connection options resolved from a session's configuration, with what they reveal. */
export type ResolvedConnect = Extract<BuiltConnect, { ok: true }>;

/**
 * Resolves a session's configuration (templates, secrets) into connection options, then asks the trust
 * gate about what will really be sent: the resolved URL's origin and the references resolved. So a
 * profile the workspace pointed elsewhere, or gave one more secret, asks again on any reconnect.
 */
export async function resolveForConnect(
  config: SessionConfig,
  source: SessionSource,
  label: string,
  deps: Pick<SessionDeps, 'env' | 'trust' | 'log'>,
): Promise<{ ok: true; built: ResolvedConnect } | Exclude<ConnectResult, { ok: true }>> {
  let built;
  try {
    built = await buildConnectionOptions(config, deps.env);
  } catch (err) {
    return { ok: false, code: 'ERR_INVALID_CONFIG', message: (err as Error).message };
  }
  if (!built.ok) {
    return { ok: false, code: built.error.code, message: built.error.message, secretName: built.error.name };
  }
  const masked = new Redactor(built.secrets);
  const { origin, host } = originOf(built.value.url);
  const allowed = await deps.trust.allows({
    source,
    name: config.name,
    url: masked.url(built.value.url),
    origin,
    host: masked.text(host),
    headers: Object.keys(built.value.headers ?? {}),
    refs: built.refs,
    insecureTls: built.value.tls?.insecure === true,
  });
  if (!allowed) {
    deps.log.warn(
      `[${label}] not connected to ${masked.text(origin)}: not confirmed (configuration from ${source === 'workspace' ? 'an untrusted workspace' : `a source the user did not write (${source})`})`,
    );
    return { ok: false, code: 'ERR_UNTRUSTED', message: `Not connected: ${masked.text(host)} was not confirmed.` };
  }
  return { ok: true, built };
}
