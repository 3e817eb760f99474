import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { Emitter } from '../../../src/core/lifecycle';
import { Redactor } from '../../../src/core/redactor';
import type { ConnRecord, MessageRecord } from '../../../src/core/records';
import { MessageStore } from '../../../src/core/store';
import type { EditableConfig } from '../../../src/protocol';
import {
  LogPersistence,
  ORPHAN_AGE_MS,
  RESTORABLE_FILE,
  fileNameFor,
  parseNdjson,
  tailNdjson,
  type PersistSource,
} from '../../../src/session/persist';

function msg(seq: number, data = `m${seq}`): MessageRecord {
  return { kind: 'message', dir: 'in', format: 'text', data, size: Buffer.byteLength(data), seq, time: new Date(0).toISOString() };
}

/** A session as the persistence sees it, over a real store. */
function source(id: string, secrets: string[] = []) {
  const store = new MessageStore();
  const onRecord = new Emitter<ConnRecord>();
  const onClear = new Emitter<void>();
  const src: PersistSource & { add(r: ConnRecord): void; clear(): void } = {
    id,
    store,
    redactor: new Redactor(secrets),
    onDidRecord: onRecord.event,
    onDidClear: onClear.event,
    add(r) {
      store.add(r);
      onRecord.fire(r);
    },
    clear() {
      store.clear();
      onClear.fire();
    },
  };
  return src;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tmpDirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ri-persist-'));
  tmpDirs.push(dir);
  return dir;
}
after(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('tailNdjson / parseNdjson', () => {
  it('keeps the newest records within the count limit, oldest first', () => {
    const store = new MessageStore();
    for (let i = 1; i <= 10; i++) {
      store.add(msg(i));
    }
    const { text, count } = tailNdjson(store, undefined, { maxRecords: 4, maxBytes: 1e6 });
    assert.equal(count, 4);
    assert.deepEqual(
      parseNdjson(text).map((r) => r.seq),
      [7, 8, 9, 10],
    );
  });

  it('keeps within the byte limit, and a record larger than the limit ends the tail', () => {
    const store = new MessageStore();
    store.add(msg(1, 'a'.repeat(5000)));
    for (let i = 2; i <= 6; i++) {
      store.add(msg(i, 'b'.repeat(100)));
    }
    const { text, count } = tailNdjson(store, undefined, { maxRecords: 100, maxBytes: 1000 });
    assert.ok(Buffer.byteLength(text) <= 1000, `${Buffer.byteLength(text)} bytes`);
    assert.ok(count >= 1 && count < 6);
    assert.deepEqual(
      parseNdjson(text)
        .map((r) => r.seq)
        .at(-1),
      6,
      'the newest is kept',
    );
    assert.ok(!text.includes('aaaa'), 'the oversized record is left out');
  });

  it('masks the secrets in every line written', () => {
    const store = new MessageStore();
    store.add(msg(1, 'token=sk-live-123456'));
    const { text } = tailNdjson(store, new Redactor(['sk-live-123456']));
    assert.ok(!text.includes('sk-live-123456'));
    assert.ok(text.includes('token=••••'));
  });

  it('a session whose secrets changed has the old and the new ones masked', async () => {
    const dir = tmpDir();
    const p = new LogPersistence(dir, undefined, 60_000);
    try {
      const s = source('rotated', ['old-secret-1']);
      p.track(s);
      s.add(msg(1, 'first old-secret-1'));
      p.flushSync();
      (s as { redactor: Redactor }).redactor = new Redactor(['new-secret-2']);
      s.add(msg(2, 'then new-secret-2'));
      p.flushSync();
      const text = fs.readFileSync(path.join(dir, 'rotated.ndjson'), 'utf8');
      assert.ok(!text.includes('old-secret-1') && !text.includes('new-secret-2'), text);
      assert.equal(parseNdjson(text).length, 2);
    } finally {
      p.dispose();
    }
  });

  it('skips lines that do not parse and records whose seq does not increase', () => {
    const lines = [
      JSON.stringify(msg(1)),
      '{"kind":"message","seq":',
      JSON.stringify(msg(3)),
      JSON.stringify(msg(2)),
      'null',
      '[]',
      JSON.stringify({ kind: 'info', seq: 'x' }),
      JSON.stringify(msg(4)),
    ];
    const records = parseNdjson(lines.join('\n') + '\n{"partial');
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 3, 4],
    );
  });

  it('names files only for plain ids (the id comes from webview state)', () => {
    assert.equal(fileNameFor('mabc12-3'), 'mabc12-3.ndjson');
    assert.equal(fileNameFor('../../etc/passwd'), undefined);
    assert.equal(fileNameFor(''), undefined);
    assert.equal(fileNameFor('a/b'), undefined);
  });
});

describe('LogPersistence', () => {
  it('writes a tracked session debounced, masked, and loads it back', async () => {
    const dir = tmpDir();
    const p = new LogPersistence(dir, { maxRecords: 100, maxBytes: 1e6 }, 50);
    try {
      const s = source('s1', ['hunter22']);
      p.track(s);
      for (let i = 1; i <= 20; i++) {
        s.add(msg(i, `pw hunter22 #${i}`));
      }
      assert.equal(fs.existsSync(path.join(dir, 's1.ndjson')), false, 'nothing written on the record path');
      await sleep(120);
      await p.flush();
      const text = fs.readFileSync(path.join(dir, 's1.ndjson'), 'utf8');
      assert.ok(!text.includes('hunter22'));
      const back = await p.load('s1');
      assert.deepEqual(
        back.map((r) => r.seq),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.ok(back[0].kind === 'message' && back[0].data === 'pw •••• #1');
    } finally {
      p.dispose();
    }
  });

  it('flushSync writes what is pending before returning; dispose keeps the files', () => {
    const dir = tmpDir();
    const p = new LogPersistence(dir, undefined, 60_000);
    const s = source('s2');
    p.track(s);
    s.add(msg(1));
    s.add(msg(2));
    p.flushSync();
    assert.equal(parseNdjson(fs.readFileSync(path.join(dir, 's2.ndjson'), 'utf8')).length, 2);
    s.add(msg(3));
    p.dispose();
    p.untrack('s2', true);
    assert.equal(parseNdjson(fs.readFileSync(path.join(dir, 's2.ndjson'), 'utf8')).length, 3, 'written on dispose, not deleted after');
  });

  it('lists the sessions it keeps with their request, credentials in clear left out; a closed panel leaves the list, a shutdown does not', async () => {
    const dir = tmpDir();
    const p = new LogPersistence(dir, undefined, 60_000);
    const config = (url: string, auth: string): EditableConfig => ({
      url,
      kind: 'sse',
      headers: [
        { name: 'Authorization', value: auth, enabled: true },
        { name: 'X-Client', value: 'inspector', enabled: true },
      ],
      method: 'GET',
      body: '',
      protocols: [],
    });
    const a = { ...source('a'), editableConfig: config('https://127.0.0.1/sse?token=hunter2', 'Bearer hunter2') };
    const b = { ...source('b'), editableConfig: config('https://127.0.0.1/ws', 'Bearer ${secret:API}') };
    p.track(a);
    p.track(b);
    await p.flush();
    const text = fs.readFileSync(path.join(dir, RESTORABLE_FILE), 'utf8');
    assert.ok(!text.includes('hunter2'), text);
    const listed = await p.loadRestorable();
    assert.deepEqual(
      listed.map((e) => [e.id, e.config.url, e.config.headers.map((hd) => hd.value)]),
      [
        ['a', 'https://127.0.0.1/sse?token=••••', ['', 'inspector']],
        ['b', 'https://127.0.0.1/ws', ['Bearer ${secret:API}', 'inspector']],
      ],
    );
    assert.deepEqual(
      listed.map((e) => [e.id, e.credentialsLeftOut === true]),
      [
        ['a', true],
        ['b', false],
      ],
      'an entry says when it left credentials out, so it is not connected with them empty',
    );
    p.untrack('a', true);
    await p.flush();
    assert.deepEqual(
      (await p.loadRestorable()).map((e) => e.id),
      ['b'],
    );
    p.dispose();
    p.untrack('b', true);
    assert.deepEqual(
      (await new LogPersistence(dir).loadRestorable()).map((e) => e.id),
      ['b'],
      'the panels closed by the shutdown stay listed',
    );
    fs.writeFileSync(path.join(dir, RESTORABLE_FILE), '{"sessions":[{"id":"../x","config":{}}, 7]}');
    assert.deepEqual(await new LogPersistence(dir).loadRestorable(), [], 'entries that are not sessions are skipped');
  });

  it('untrack with deleteFile removes the file, also when a write was in flight', async () => {
    const dir = tmpDir();
    const p = new LogPersistence(dir, undefined, 10);
    try {
      const s = source('s3');
      p.track(s);
      s.add(msg(1));
      await p.flush();
      assert.ok(fs.existsSync(path.join(dir, 's3.ndjson')));
      s.add(msg(2));
      const pending = p.flush();
      p.untrack('s3', true);
      await pending;
      await p.flush();
      await sleep(50);
      assert.deepEqual(fs.readdirSync(dir), []);
      assert.deepEqual(await p.load('s3'), []);
    } finally {
      p.dispose();
    }
  });

  it('prunes untracked files older than the age limit, leaves tracked and recent ones', async () => {
    const dir = tmpDir();
    const old = path.join(dir, 'old-1.ndjson');
    const recent = path.join(dir, 'recent-1.ndjson');
    fs.writeFileSync(old, JSON.stringify(msg(1)) + '\n');
    fs.writeFileSync(recent, JSON.stringify(msg(1)) + '\n');
    fs.writeFileSync(path.join(dir, 'other.txt'), 'not ours');
    const past = (Date.now() - ORPHAN_AGE_MS - 60_000) / 1000;
    fs.utimesSync(old, past, past);
    const p = new LogPersistence(dir);
    try {
      const s = source('tracked-1');
      fs.writeFileSync(path.join(dir, 'tracked-1.ndjson'), '');
      fs.utimesSync(path.join(dir, 'tracked-1.ndjson'), past, past);
      p.track(s);
      assert.equal(await p.pruneOrphans(), 1);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['other.txt', 'recent-1.ndjson', 'tracked-1.ndjson']);
      assert.equal(await p.pruneOrphans(), 0, 'once per window');
    } finally {
      p.dispose();
    }
  });
});
