import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RealtimeInspectorApi } from '../../../src/extension';
import type { Session } from '../../../src/session/session';
import { cleanUp, getApi, waitFor, waitState } from './helpers';

/**
 * `${env:NAME}` values: a token read from the environment is a secret like any other when it stands
 * where credentials stand (a credential header, the URL's query or user info), or when the profile
 * lists it in `maskEnv`; elsewhere (a host, a path) it is shown.
 */
suite('Environment values masked', () => {
  let api: RealtimeInspectorApi;
  let server: http.Server | undefined;

  suiteSetup(async () => {
    api = await getApi();
  });

  teardown(async () => {
    await cleanUp(api);
    for (const name of ['RI_ENV_TOKEN', 'RI_ENV_QUERY', 'RI_ENV_PATH', 'RI_ENV_LISTED']) {
      delete process.env[name];
    }
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  test('a server echoing env values from the Authorization header, the query and the body: masked in the log, the export and the output; a path is not', async () => {
    process.env.RI_ENV_TOKEN = 'env-token-5d2e81';
    process.env.RI_ENV_QUERY = 'env-query-93ab77';
    process.env.RI_ENV_PATH = 'feedpath';
    process.env.RI_ENV_LISTED = 'env-listed-c0ffee';
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Echo': String(req.headers.authorization) });
        res.write(`data: auth=${req.headers.authorization} url=${req.url} body=${body}\n\n`);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await vscode.workspace.getConfiguration('realtimeInspector').update(
      'profiles',
      [
        {
          name: 'env',
          url: `${base}/\${env:RI_ENV_PATH}?key=\${env:RI_ENV_QUERY}`,
          method: 'POST',
          headers: { Authorization: 'Bearer ${env:RI_ENV_TOKEN}' },
          body: 'listed=${env:RI_ENV_LISTED}',
          maskEnv: ['RI_ENV_LISTED'],
          reconnect: { enabled: false },
        },
      ],
      vscode.ConfigurationTarget.Workspace,
    );
    await waitFor(() => api.services.profiles.get('env'), 'profile read');
    const session = (await vscode.commands.executeCommand<Session>('realtimeInspector.connectProfile', 'env', { panel: false }))!;
    await waitState(session, 'open');
    await waitFor(() => session.store.toArray().some((r) => r.kind === 'message'), 'the echo');
    // What the panel shows of each message, through the session's redactor.
    const shown = session.store
      .toArray()
      .map((r) => (r.kind === 'message' ? session.redactor.text(r.data) : ''))
      .join('\n');
    assert.ok(shown.includes('auth=Bearer ••••') && shown.includes('key=••••') && shown.includes('body=listed=••••'), shown);
    assert.ok(shown.includes('/feedpath?'), 'the env value in the path is shown: it is not a credential');

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ri-env-')), 'log.ndjson');
    await vscode.commands.executeCommand('realtimeInspector.exportLog', session.id, file);
    const exported = fs.readFileSync(file, 'utf8');
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    for (const value of ['env-token-5d2e81', 'env-query-93ab77', 'env-listed-c0ffee']) {
      assert.ok(!exported.includes(value), `the export masks ${value}`);
      assert.ok(!shown.includes(value), `the log masks ${value}`);
      assert.equal(api.services.log.redact(`x ${value} y`), 'x •••• y', `the output channel masks ${value}`);
    }
    assert.ok(exported.includes('auth=Bearer ••••'), 'the echo is exported, masked');
  });
});
