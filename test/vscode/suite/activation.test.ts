import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, getApi } from './helpers';

suite('Activation and manifest', () => {
  test('activates lazily: no "*" activation event, and reports how long activate() took', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = ext.packageJSON as { activationEvents?: string[] };
    assert.ok(!(manifest.activationEvents ?? []).includes('*'), 'never activates on "*"');
    const api = await getApi();
    console.log(`      activate() took ${api.activationMs.toFixed(1)} ms`);
    // The figure is measured against its target by `npm run bench` (activation_ms), not here.
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs >= 0);
  });

  test('every contributed command is registered', async () => {
    await getApi();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = ext.packageJSON.contributes.commands as Array<{ command: string; category: string }>;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 12);
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'Realtime');
    }
  });

  test('declares limited support for untrusted workspaces and runs on the workspace side', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const pkg = ext.packageJSON;
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.extensionKind, ['workspace']);
  });

  test('the profiles setting has a schema that rejects unknown properties', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const schema = ext.packageJSON.contributes.configuration.properties['realtimeInspector.profiles'];
    assert.equal(schema.items.additionalProperties, false);
    assert.deepEqual(schema.items.required, ['name', 'url']);
    for (const key of ['name', 'url', 'kind', 'headers', 'method', 'body', 'protocols', 'reconnect', 'tls', 'keepAlive']) {
      assert.ok(schema.items.properties[key], `schema describes "${key}"`);
    }
  });
});
