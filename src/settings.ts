import * as vscode from 'vscode';
import type { ProxyOptions } from './core/options';
import type { ReconnectOptions } from './core/reconnect';
import type { StoreOptions } from './core/store';
import { DEFAULT_STORE } from './core/store';
import type { ViewSettings } from './protocol';
import { validateReconnect } from './profiles/profile';

export const SECTION = 'realtimeInspector';

/** The `realtimeInspector.*` settings other than profiles, read fresh each time (they are cheap). */
export function storeOptions(): StoreOptions {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    maxRecords: positive(c.get<number>('store.maxRecords'), DEFAULT_STORE.maxRecords),
    maxBytes: positive(c.get<number>('store.maxBytes'), DEFAULT_STORE.maxBytes),
    displayLimit: positive(c.get<number>('displayLimit'), DEFAULT_STORE.displayLimit),
  };
}

export function viewSettings(): ViewSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const format = c.get<string>('timestampFormat');
  return {
    displayLimit: positive(c.get<number>('displayLimit'), DEFAULT_STORE.displayLimit),
    timestampFormat: format === 'iso' || format === 'relative' ? format : 'time',
  };
}

/** The default reconnect policy (`realtimeInspector.reconnect`); an invalid value falls back to the core's defaults. */
export function defaultReconnect(): Partial<ReconnectOptions> {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>('reconnect');
  if (value === undefined || value === null || validateReconnect(value)) {
    return {};
  }
  return value as Partial<ReconnectOptions>;
}

/**
 * VS Code's proxy settings (`http.proxy`, `http.noProxy`, `http.proxyStrictSSL`); without `http.proxy`
 * the environment's `HTTPS_PROXY`/`NO_PROXY` apply, as they do for VS Code itself.
 */
export function proxyOptions(): ProxyOptions {
  const http = vscode.workspace.getConfiguration('http');
  const url = http.get<string>('proxy')?.trim();
  const noProxy = http.get<string[]>('noProxy');
  return {
    url: url || undefined,
    noProxy: Array.isArray(noProxy) && noProxy.length ? noProxy : undefined,
    fromEnv: !url,
    strictSSL: http.get<boolean>('proxyStrictSSL', true),
  };
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}
