import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/redactor';
import { HISTORY_MAX, SendHistory } from '../../../src/workbench/sendHistory';

/** Workspace storage as VS Code keeps it: values stored as JSON copies. */
class MemoryState {
  private readonly values = new Map<string, string>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string): T | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  update(key: string, value: unknown): Thenable<void> {
    this.values.set(key, JSON.stringify(value));
    return Promise.resolve();
  }
}

test('the send history is kept per profile, secrets masked, the same message twice in a row once, the newest HISTORY_MAX', async () => {
  const state = new MemoryState();
  const history = new SendHistory(state as never);
  const redactor = new Redactor(['tok-12345']);
  await history.add('feed', 'subscribe {{room}}', redactor);
  await history.add('feed', 'subscribe {{room}}', redactor);
  await history.add('feed', 'auth tok-12345', redactor);
  await history.add('other', 'hello', redactor);
  assert.deepEqual(history.get('feed'), ['subscribe {{room}}', 'auth ••••']);
  assert.deepEqual(new SendHistory(state as never).get('other'), ['hello'], 'read back from storage');
  assert.deepEqual(history.get('none'), []);
  for (let i = 0; i < HISTORY_MAX + 5; i++) {
    await history.add('feed', `m${i}`, redactor);
  }
  const kept = history.get('feed');
  assert.equal(kept.length, HISTORY_MAX);
  assert.equal(kept[kept.length - 1], `m${HISTORY_MAX + 4}`);
});
