/** Profile files outside the editor: JSONC settings, workspace files, JSON arrays, dotenv files, `${secret:}` names. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProfileFileError, environmentResolver, loadEnvFile, loadProfileFile, secretEnvName } from '../../../src/core/profileFile';

describe('profile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ri-profile-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('reads realtimeInspector.profiles from a settings file with comments and trailing commas; paths start at the workspace folder', async () => {
    const file = write(
      'ws/.vscode/settings.json',
      '{\n  // saved\n  "realtimeInspector.profiles": [{ "name": "a", "url": "ws://x", },],\n}\n',
    );
    const loaded = await loadProfileFile(file);
    assert.deepEqual(loaded.value, [{ name: 'a', url: 'ws://x' }]);
    assert.equal(loaded.baseDir, join(dir, 'ws'));
  });

  it('reads a JSON array of profiles and a .code-workspace file, paths from their own folder', async () => {
    const list = await loadProfileFile(write('ci/contracts.json', '[{"name":"b","url":"http://x"}]'));
    assert.deepEqual(list.value, [{ name: 'b', url: 'http://x' }]);
    assert.equal(list.baseDir, join(dir, 'ci'));
    const ws = await loadProfileFile(write('w/app.code-workspace', '{"folders":[],"settings":{"realtimeInspector.profiles":[]}}'));
    assert.deepEqual(ws.value, []);
    assert.equal(ws.baseDir, join(dir, 'w'));
  });

  it('names the line and column of a syntax error, and a file with no profiles', async () => {
    const bad = write('bad.json', '{\n  "realtimeInspector.profiles": [\n    { "name": 1 \n  ]\n}');
    await assert.rejects(
      loadProfileFile(bad, 'bad.json'),
      (e: Error) => e instanceof ProfileFileError && /^bad\.json:4:3: invalid JSON: /.test(e.message),
    );
    await assert.rejects(loadProfileFile(write('none.json', '{"editor.tabSize": 2}'), 'none.json'), /none\.json holds no profiles/);
    await assert.rejects(loadProfileFile(join(dir, 'absent.json'), 'absent.json'), /cannot read profiles file absent\.json: no such file/);
  });

  it('reads a dotenv file as Node does', async () => {
    const vars = await loadEnvFile(write('ci.env', '# comment\nA=1\nB="two words"\nexport C=3\n'));
    assert.equal(vars.A, '1');
    assert.equal(vars.B, 'two words');
    await assert.rejects(loadEnvFile(join(dir, 'nope.env'), 'nope.env'), /cannot read --env-file nope\.env: no such file/);
  });

  it('reads ${secret:NAME} from RI_SECRET_ and the name upper-cased, other characters as _', async () => {
    assert.equal(secretEnvName('api.token'), 'RI_SECRET_API_TOKEN');
    assert.equal(secretEnvName('deploy-key2'), 'RI_SECRET_DEPLOY_KEY2');
    const r = environmentResolver({ RI_SECRET_API_TOKEN: 't', HOME: '/h' });
    assert.equal(await r.secret('api.token'), 't');
    assert.equal(await r.secret('other'), undefined);
    assert.equal(r.env('HOME'), '/h');
  });
});
