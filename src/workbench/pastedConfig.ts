/** A pasted curl / wscat / websocat command as a session's configuration (the connect box and Paste as Connection). */
import type { PastedRequest } from '../core/workbench/pasteCommand';
import type { SessionConfig } from '../profiles/connectOptions';

/** A pasted command as a session's configuration. */
export function pastedConfig(pasted: PastedRequest): SessionConfig {
  const s = pasted.spec;
  return {
    url: s.url,
    kind: s.kind,
    ...(Object.keys(s.headers).length ? { headers: s.headers } : {}),
    ...(s.method !== undefined ? { method: s.method } : {}),
    ...(s.body !== undefined ? { body: s.body } : {}),
    ...(s.protocols?.length ? { protocols: s.protocols } : {}),
    ...(s.insecure ? { tls: { insecure: true } } : {}),
  };
}
