/**
 * How a message's `decoded` reads in one line: its type, then its label (event, target, method, topic
 * or destination), then a JSON-RPC response's latency: `event chat`, `publish sensors/1`,
 * `response tools/list 12 ms`. The panel's type column and the output channel say the same. No Node or
 * DOM API: the webview imports it.
 */
import type { Decoded } from './records';

/** The type column's text for `decoded`; undefined for a frame that did not parse (`type: 'invalid'`), which reads as a plain message. */
export function decodedTypeLabel(decoded: Decoded | undefined): string | undefined {
  if (decoded === undefined || decoded.type === 'invalid') {
    return undefined;
  }
  const label = decoded.label;
  const latency = decoded.latencyMs;
  let text = decoded.type;
  if (typeof label === 'string' && label !== '') {
    text += ` ${label}`;
  }
  if (typeof latency === 'number') {
    text += ` ${Math.round(latency)} ms`;
  }
  return text;
}

/** The value the types list filters on: the decoded type, or undefined as for {@link decodedTypeLabel}. */
export function decodedType(decoded: Decoded | undefined): string | undefined {
  return decoded === undefined || decoded.type === 'invalid' ? undefined : decoded.type;
}

/** A frame that did not parse as its protocol: kept as a plain message with the reason. */
export function isInvalidDecoded(decoded: Decoded | undefined): boolean {
  return decoded !== undefined && decoded.type === 'invalid';
}
