import { Redactor } from '../core/redactor';
import { type BuiltConnect, buildConnectionOptions, type SessionConfig } from '../profiles/connectOptions';
import { originOf } from '../trust';
import { applyEnvironment } from '../core/workbench/environments';
import { DynamicValues } from '../core/workbench/placeholders';
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
  deps: Pick<SessionDeps, 'env' | 'trust' | 'log' | 'environment'>,
): Promise<{ ok: true; built: ResolvedConnect } | Exclude<ConnectResult, { ok: true }>> {
  let built;
  try {
    // `{{name}}` from the active environment, dynamic values in the request once: an undefined one stops here.
    const env = deps.environment?.() ?? {};
    const filled = requestDynamics(
      applyEnvironment(config, env.vars, env.name, config.name ? `Profile "${config.name}"` : 'The connection'),
    );
    built = await buildConnectionOptions(filled, deps.env);
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

/** Dynamic values in the request (URL, header values, body): one value for this connect; `send` and `messages` wait for send time. */
function requestDynamics(config: SessionConfig): SessionConfig {
  const once = new DynamicValues();
  const r = (text: string) => (text.includes('{{') ? once.resolve(text) : text);
  return {
    ...config,
    url: r(config.url),
    ...(config.headers ? { headers: Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k, r(v)])) } : {}),
    ...(config.body !== undefined ? { body: r(config.body) } : {}),
  };
}
