/**
 * What SSE and WebSocket share on the way to a server: TLS settings, proxies, redirects, error
 * bodies and turning Node's network errors into messages a user can act on.
 */
import * as http from 'node:http';
import * as tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { type ConnectionOptions, type ProxyOptions, type TlsOptions } from './options';
import { type ErrorCode, type Headers, type TransportKind } from './records';

/** TLS options for `https.request` / `ws`: verify by default; extra CAs are added to Node's, not instead. */
export function tlsOptionsFor(t: TlsOptions | undefined): { rejectUnauthorized: boolean; ca?: (string | Buffer)[] } {
  const out: { rejectUnauthorized: boolean; ca?: (string | Buffer)[] } = { rejectUnauthorized: !t?.insecure };
  if (t?.ca) {
    out.ca = [...tls.rootCertificates, t.ca];
  }
  return out;
}

/** The proxy URL to use for `target`, or undefined to connect directly. */
export function proxyFor(target: URL, proxy: ProxyOptions | undefined): string | undefined {
  if (!proxy) {
    return undefined;
  }
  if (proxy.url) {
    return bypassed(target.hostname, proxy.noProxy) ? undefined : proxy.url;
  }
  if (proxy.fromEnv) {
    // proxy-from-env looks up `<scheme>_proxy`; WebSocket rides on HTTP(S), so ws/wss use http/https's.
    const asHttp = new URL(target.href);
    if (asHttp.protocol === 'ws:' || asHttp.protocol === 'wss:') {
      asHttp.protocol = asHttp.protocol === 'ws:' ? 'http:' : 'https:';
    }
    return getProxyForUrl(asHttp.href) || undefined;
  }
  return undefined;
}

function bypassed(hostname: string, noProxy: string[] | undefined): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (noProxy ?? []).some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) {
      return false;
    }
    if (entry === '*') {
      return true;
    }
    const bare = entry.replace(/^\*?\./, '');
    return host === bare || host.endsWith('.' + bare);
  });
}

/**
 * The agent for a request to `target`: a proxy agent when a proxy applies (CONNECT tunnel for TLS and
 * WebSocket targets, absolute-URI forwarding for plain HTTP), else undefined for Node's default.
 */
export function agentFor(target: URL, options: ConnectionOptions): http.Agent | undefined {
  const proxyUrl = proxyFor(target, options.proxy);
  if (!proxyUrl) {
    return undefined;
  }
  const tlsOpts = tlsOptionsFor(options.tls);
  const proxyTls = { rejectUnauthorized: options.proxy?.strictSSL !== false };
  if (target.protocol === 'http:') {
    return new HttpProxyAgent(proxyUrl, { ...proxyTls });
  }
  // https, ws and wss all need a tunnel; the TLS options apply to the target's certificate.
  return new HttpsProxyAgent(proxyUrl, { ...proxyTls, ...tlsOpts });
}

/** Response headers as an object with lower-case names; repeated headers joined with ", ". */
export function headersOf(raw: http.IncomingHttpHeaders): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  return out;
}

/** Reads at most `limit` bytes of a body as UTF-8, then stops reading. */
export function readBodyCapped(res: http.IncomingMessage, limit: number, timeoutMs = 5000): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let done = false;
    const finish = () => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      res.removeListener('data', onData);
      resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
      res.destroy();
    };
    const onData = (chunk: Buffer) => {
      const room = limit - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size = limit;
        truncated = chunk.length > room || truncated;
        finish();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    const timer = setTimeout(() => {
      truncated = true;
      finish();
    }, timeoutMs);
    res.on('data', onData);
    res.on('end', finish);
    res.on('error', finish);
    res.on('close', finish);
  });
}

/** The URL schemes each transport opens, first or after a redirect: a WebSocket what a browser opens, never `ws+unix:`. */
export const SCHEMES: Readonly<Record<TransportKind, readonly string[]>> = {
  sse: ['http:', 'https:'],
  ws: ['ws:', 'wss:', 'http:', 'https:'],
};

/** Statuses that are redirects with a Location to follow (fetch's "redirect status", the same for SSE and WebSocket). */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Where a redirect leads, or an error message when it leads nowhere usable. SSE follows only to
 * http/https; a WebSocket to ws/wss/http/https, as browsers do — never `ws+unix:` or any other scheme
 * (`ws` would open a local socket for it).
 */
export function redirectTarget(from: URL, location: string | undefined, kind: TransportKind): URL | string {
  if (!location) {
    return 'Redirect without a Location header';
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return `Redirect to an invalid URL: ${location}`;
  }
  if (!SCHEMES[kind].includes(next.protocol)) {
    return `Redirect to an unsupported scheme: ${next.protocol} (${kind === 'ws' ? 'ws, wss, http and https' : 'http and https'} only)`;
  }
  if (next.hash) {
    // Not sent anyway; `ws` refuses a URL with a fragment.
    next.hash = '';
  }
  return next;
}

const PROXY_UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/**
 * A network error before any response, when a proxy is in use: through a proxy the only TCP
 * connection made is the one to the proxy, so failing to reach it is `ERR_PROXY` naming the proxy
 * (its URL as `shownProxy`, already masked). Undefined when the error is not the proxy's.
 */
export function proxyNetworkError(err: unknown, proxyUrl: string, shownProxy: string): { code: ErrorCode; message: string } | undefined {
  const e = err as NodeJS.ErrnoException & { port?: number; hostname?: string };
  if (!e?.code || !PROXY_UNREACHABLE.has(e.code)) {
    return undefined;
  }
  let proxy: URL;
  try {
    proxy = new URL(proxyUrl);
  } catch {
    return undefined;
  }
  const proxyPort = proxy.port || (proxy.protocol === 'https:' ? '443' : '80');
  if (e.port !== undefined && String(e.port) !== proxyPort) {
    return undefined;
  }
  if (e.hostname !== undefined && e.hostname !== proxy.hostname.replace(/^\[|\]$/g, '')) {
    return undefined;
  }
  return { code: 'ERR_PROXY', message: `Cannot reach proxy ${shownProxy}: ${describeNetworkError(err, proxy).message}` };
}

/** A proxy that answered CONNECT with something other than 200: its status, said to be the proxy's. */
export function proxyRefusalMessage(targetHost: string, status: number, statusText: string): string {
  const line = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return `The proxy refused the tunnel to ${targetHost}: ${line}${status === 407 ? ' (the proxy requires authentication)' : ''}`;
}

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'a self-signed certificate is in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate chain cannot be verified',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate issuer is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not match the host name',
};

/** A network error as a stable code and a message that says what happened and what to do. */
export function describeNetworkError(err: unknown, target?: URL): { code: ErrorCode; message: string } {
  const e = err as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  const where = target ? target.host : (e.hostname ?? e.address ?? 'the server');
  const code = e?.code ?? '';
  if (code in TLS_CODES) {
    return {
      code: 'ERR_TLS',
      message: `TLS: ${TLS_CODES[code]} (${code}). Trust its CA (caFile / --cacert) or, for a development server, allow insecure certificates for this profile (tls.insecure / --insecure).`,
    };
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || (/ssl|tls/i.test(e?.message ?? '') && code === 'EPROTO')) {
    return { code: 'ERR_TLS', message: `TLS handshake with ${where} failed: ${e.message}` };
  }
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser refused the answer: not a network fault, and "Parse Error" alone says little.
    const what =
      code === 'HPE_HEADER_OVERFLOW'
        ? `its headers are larger than the ${Math.round(http.maxHeaderSize / 1024)} KB accepted`
        : code === 'HPE_INVALID_CONSTANT'
          ? 'it does not start like an HTTP response (is this the right port?)'
          : ((e as { reason?: string }).reason ?? e.message);
    return { code: 'ERR_PROTOCOL', message: `The answer from ${where} is not valid HTTP: ${what} (${code})` };
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { code: 'ERR_DNS', message: `Cannot resolve host ${e.hostname ?? where} (${code})` };
    case 'ECONNREFUSED':
      return { code: 'ERR_NETWORK', message: `Connection refused by ${where} (is the server running?)` };
    case 'ECONNRESET':
      return { code: 'ERR_NETWORK', message: `Connection reset by ${where}` };
    case 'EPIPE':
      return { code: 'ERR_NETWORK', message: `Connection to ${where} closed while writing` };
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return { code: 'ERR_TIMEOUT', message: `Timed out connecting to ${where}` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'ERR_NETWORK', message: `No route to ${where} (${code})` };
    default:
      return { code: 'ERR_NETWORK', message: e?.message ? `${e.message}${code ? ` (${code})` : ''}` : String(err) };
  }
}
