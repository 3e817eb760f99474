/**
 * Every protocol adapter by name: the one place the WebSocket driver, the CLI, profiles and the
 * connect flow look an adapter up. One line per adapter.
 */
import type { AdapterChoice } from '../options';
import type { AdapterName } from '../records';
import { type Adapter, AdapterOptionError } from './adapter';
import { graphqlWsAdapter } from './graphqlWs';
import { jsonRpcAdapter } from './jsonRpc';
import { mqttAdapter } from './mqtt';
import { signalrAdapter } from './signalr';
import { socketIoAdapter } from './socketio';
import { stompAdapter } from './stomp';

/** An adapter as the registry holds it: its options are only ever the ones its own `options()` made. */
function entry<O>(adapter: Adapter<O>): Adapter {
  return adapter as unknown as Adapter;
}

const ADAPTERS: Partial<Record<AdapterName, Adapter>> = {
  'socket.io': entry(socketIoAdapter),
  'graphql-ws': entry(graphqlWsAdapter),
  stomp: entry(stompAdapter),
  mqtt: entry(mqttAdapter),
  'json-rpc': entry(jsonRpcAdapter),
  signalr: entry(signalrAdapter),
};

/** The adapters this build has, in the order lists show them. */
export function adapters(): Adapter[] {
  return Object.values(ADAPTERS);
}

/** The names `--adapter` and profiles accept. */
export function adapterNames(): AdapterName[] {
  return Object.keys(ADAPTERS) as AdapterName[];
}

export function findAdapter(name: string): Adapter | undefined {
  return Object.prototype.hasOwnProperty.call(ADAPTERS, name) ? ADAPTERS[name as AdapterName] : undefined;
}

/** An adapter with its options checked, as a connection runs it. */
export interface ResolvedAdapter {
  adapter: Adapter;
  options: unknown;
}

/** Looks the adapter up and checks its options; throws {@link AdapterOptionError} naming what is wrong. */
export function resolveAdapter(choice: AdapterChoice): ResolvedAdapter {
  const adapter = findAdapter(choice.name);
  if (!adapter) {
    throw new AdapterOptionError('adapter', `unknown adapter "${String(choice.name)}" (known: ${adapterNames().join(', ')})`);
  }
  return { adapter, options: adapter.options(choice.options ?? {}) };
}

/** The adapters a URL or subprotocol suggests (the connect flow offers them first). */
export function suggestedAdapters(hint: { url: string; protocol?: string }): Adapter[] {
  return adapters().filter((a) => {
    try {
      return a.suggests?.(hint) ?? false;
    } catch {
      return false;
    }
  });
}
