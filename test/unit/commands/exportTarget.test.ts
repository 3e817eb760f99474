import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { exportDefaultPath } from '../../../src/commands/exportTarget';

describe('Export Log: the suggested file', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  it('goes to the folder used last, else the workspace, else home', () => {
    const home = path.join(path.sep, 'home', 'u');
    const ws = path.join(path.sep, 'work', 'project');
    const last = path.join(path.sep, 'tmp', 'exports');
    assert.equal(path.dirname(exportDefaultPath('x', { remembered: last, workspace: ws, home }, now)), last);
    assert.equal(path.dirname(exportDefaultPath('x', { workspace: ws, home }, now)), ws);
    assert.equal(path.dirname(exportDefaultPath('x', { home }, now)), home);
  });

  it('is named after the connection and the time, with nothing a file system refuses', () => {
    const home = path.join(path.sep, 'home', 'u');
    assert.equal(
      path.basename(exportDefaultPath('127.0.0.1:8080/sse?t=1', { home }, now)),
      '127.0.0.1_8080_sse_t_1-2026-01-02T03-04-05.ndjson',
    );
    assert.equal(path.basename(exportDefaultPath('../..', { home }, now)), 'log-2026-01-02T03-04-05.ndjson');
    assert.equal(path.basename(exportDefaultPath('a'.repeat(200), { home }, now)).length, 80 + '-2026-01-02T03-04-05.ndjson'.length);
  });
});
