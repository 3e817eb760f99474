import * as vscode from 'vscode';
import type { ProxyOptions } from './core/options';
import type { ReconnectOptions } from './core/reconnect';
import { validateReconnect } from './core/reconnect';
import type { StoreOptions } from './core/store';
import { DEFAULT_STORE } from './core/store';
import type { ViewSettings } from './protocol';

export const SECTION = 'realtimeInspector';

/** Whether the workspace is trusted; one switch for the trust gate and the restricted settings (tests flip it). */
export const workspaceTrust = { isTrusted: (): boolean => vscode.workspace.isTrusted };

/**
 * The settings a workspace must not set in Restricted Mode (marked `restricted` in package.json and
 * listed in `capabilities.untrustedWorkspaces.restrictedConfigurations`): the memory caps, which a
 * workspace could raise until the editor runs out of memory, and the reconnect policy, which could
 * make the extension hammer a host or send a POST again and again.
 */
export const RESTRICTED_SETTINGS = ['store.maxRecords', 'store.maxBytes', 'displayLimit', 'reconnect'] as const;

/**
 * A `realtimeInspector.*` setting; for a restricted one in an untrusted workspace, the user's value
 * (or the default) only. VS Code does the same for settings marked `restricted`; reading them here
 * too keeps it so in editors that do not.
 */
export function setting<T>(key: string): T | undefined {
  const config = vscode.workspace.getConfiguration(SECTION);
  if (!(RESTRICTED_SETTINGS as readonly string[]).includes(key) || workspaceTrust.isTrusted()) {
    return config.get<T>(key);
  }
  const values = config.inspect<T>(key);
  return values?.globalValue ?? values?.defaultValue;
}

/** The `realtimeInspector.*` settings other than profiles, read fresh each time (they are cheap). */
export function storeOptions(): StoreOptions {
  return {
    maxRecords: positive(setting<number>('store.maxRecords'), DEFAULT_STORE.maxRecords),
    maxBytes: positive(setting<number>('store.maxBytes'), DEFAULT_STORE.maxBytes),
    displayLimit: positive(setting<number>('displayLimit'), DEFAULT_STORE.displayLimit),
  };
}

export function viewSettings(): ViewSettings {
  const format = setting<string>('timestampFormat');
  return {
    displayLimit: positive(setting<number>('displayLimit'), DEFAULT_STORE.displayLimit),
    timestampFormat: format === 'iso' || format === 'relative' ? format : 'time',
  };
}

/** The default reconnect policy (`realtimeInspector.reconnect`); an invalid value falls back to the core's defaults. */
export function defaultReconnect(): Partial<ReconnectOptions> {
  const value = setting<unknown>('reconnect');
  if (value === undefined || value === null || validateReconnect(value)) {
    return {};
  }
  return value as Partial<ReconnectOptions>;
}

/** `realtimeInspector.silenceGapSeconds` in ms: a silence between messages longer than this is marked in the log; 0 is off. */
export function silenceGapMs(): number {
  const s = setting<number>('silenceGapSeconds');
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : 0;
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
