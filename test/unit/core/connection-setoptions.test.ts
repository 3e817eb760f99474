import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createConnection } from '../../../src/core';
import type { ConnRecord } from '../../../src/core/records';
import { startDemoServer } from '../../../src/demo/server';

test('options set while open take effect on the next attempt even when the kind stays the same', { timeout: 10_000 }, async () => {
  const demo = await startDemoServer({ tickMs: 50 });
  const conn = createConnection({ url: `${demo.url}/sse`, reconnect: { enabled: false } });
  const records: ConnRecord[] = [];
  conn.onRecord((r) => records.push(r));
  const waitOpen = () =>
    new Promise<void>((resolve) => {
      const sub = conn.onDidChangeState((s) => {
        if (s.state === 'open') {
          sub.dispose();
          resolve();
        }
      });
    });
  try {
    const first = waitOpen();
    conn.connect();
    await first;
    conn.setOptions({ url: `${demo.url}/sse/once`, reconnect: { enabled: false } });
    const second = waitOpen();
    conn.reconnectNow();
    await second;
    const urls = records.filter((r) => r.kind === 'connecting').map((r) => (r.kind === 'connecting' ? r.url : ''));
    assert.deepEqual(urls, [`${demo.url}/sse`, `${demo.url}/sse/once`]);
  } finally {
    conn.dispose();
    await demo.close();
  }
});
