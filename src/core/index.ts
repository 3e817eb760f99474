/** The core's public face: everything the extension host, the CLI and the tests use. */
import { Connection } from './connection';
import { type ConnectionOptions } from './options';
import { type TransportKind } from './records';
import { createSseDriver } from './sse';
import { createWsDriver } from './ws';
import type { DriverFactory } from './transport';

export const DRIVERS: Record<TransportKind, DriverFactory> = {
  sse: createSseDriver,
  ws: createWsDriver,
};

/** A connection for `options.url`, SSE or WebSocket by scheme unless `options.kind` says otherwise. */
export function createConnection(options: ConnectionOptions): Connection {
  return new Connection(options, DRIVERS);
}

export * from './connection';
export * from './transport';
export * from './options';
export * from './redactor';
export * from './records';
export * from './receivedText';
export * from './reconnect';
export * from './store';
export * from './batcher';
export * from './lifecycle';
export * from './export';
export * from './credentials';
