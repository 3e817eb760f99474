import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { ConnRecord, InitMessage, RecordsMessage, ToWebviewMessage } from '../../../src/protocol';
import { unpackBatch } from '../../../src/core/batchFormat';
import type { Session } from '../../../src/session/session';
import { startDemoServer, type DemoServer } from '../../../src/demo/server';

export const EXTENSION_ID = 'realtime-inspector.realtime-inspector';

let prepared = false;

export async function getApi(): Promise<RealtimeInspectorApi> {
  const ext = vscode.extensions.getExtension<RealtimeInspectorApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = ext.isActive ? ext.exports : await ext.activate();
  if (!prepared) {
    // Nobody is there to answer the modal question (a restricted window under runInCodeServer --trust,
    // or a configuration with secrets passed to the connect command, as these tests do): suites other
    // than the trust suite run as a user who confirms.
    api.services.trust.confirm = async () => true;
  }
  prepared = true;
  return api;
}

/** Polls `cond` until it is truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(cond: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = cond();
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(25);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let demo: DemoServer | undefined;

/** One demo server (fast ticks) for the whole run; closed by `closeDemo` in the last suite. */
export async function demoServer(): Promise<DemoServer> {
  demo ??= await startDemoServer({ tickMs: 50 });
  return demo;
}

export async function closeDemo(): Promise<void> {
  await demo?.close();
  demo = undefined;
}

/** Removes every session the tests made and every profile they wrote. */
export async function cleanUp(api: RealtimeInspectorApi): Promise<void> {
  for (const s of api.services.sessions.all) {
    api.services.sessions.remove(s);
  }
  const c = vscode.workspace.getConfiguration('realtimeInspector');
  const i = c.inspect('profiles');
  if (i?.workspaceValue !== undefined) {
    await c.update('profiles', undefined, vscode.ConfigurationTarget.Workspace);
  }
  if (i?.globalValue !== undefined) {
    await c.update('profiles', undefined, vscode.ConfigurationTarget.Global);
  }
}

export async function waitState(session: Session, state: string, timeoutMs = 8000): Promise<void> {
  await waitFor(() => session.status.state === state, `${session.label} to be ${state} (is ${session.status.state})`, timeoutMs);
}

/** Records what the host posts to a panel's webview (the webview's own UI is not needed for this). */
/** A host post as the webview reads it: the packed record batches of `init` and `records` unpacked. */
export type Posted =
  | Exclude<ToWebviewMessage, InitMessage | RecordsMessage>
  | (Omit<InitMessage, 'records'> & { records: ConnRecord[] })
  | (Omit<RecordsMessage, 'records'> & { records: ConnRecord[] });

/**
 * Records what the host posts to this webview: `posted` as sent, `messages` as the webview reads
 * them (record batches unpacked by the webview's own code).
 */
export function tapPosts(webview: vscode.Webview): { messages: Posted[]; posted: ToWebviewMessage[]; times: number[]; restore(): void } {
  const original = webview.postMessage.bind(webview);
  const messages: Posted[] = [];
  const posted: ToWebviewMessage[] = [];
  const times: number[] = [];
  const patched = (m: unknown) => {
    const msg = m as ToWebviewMessage;
    posted.push(msg);
    messages.push(msg.type === 'init' || msg.type === 'records' ? { ...msg, records: unpackBatch(msg.records) } : msg);
    times.push(Date.now());
    return original(m);
  };
  (webview as { postMessage: unknown }).postMessage = patched;
  return {
    messages,
    posted,
    times,
    restore: () => {
      (webview as { postMessage: unknown }).postMessage = original;
    },
  };
}

export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder (runInCodeServer opens test/vscode/fixtures/workspace)');
  return folder.uri;
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
}
