/** The one rule for redirects (credentials.ts, net.ts), as a table: both transports decide by it. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { redirectRule, withoutCredentials } from '../../../src/core/credentials';
import { proxyNetworkError, redirectTarget } from '../../../src/core/net';

describe('redirectRule: downgrade and credentials', () => {
  const table: [from: string, to: string, downgrade: boolean, dropCredentials: boolean][] = [
    ['https://h/a', 'https://h/b', false, false],
    ['https://h/a', 'http://h/a', true, true],
    ['wss://h/a', 'ws://h/a', true, true],
    ['wss://h/a', 'http://h/a', true, true],
    ['https://h/a', 'ws://h/a', true, true],
    // kind ws with an https:// URL: https counts as secure, and wss/https are one origin.
    ['https://h/ws', 'wss://h/ws', false, false],
    ['wss://h:443/ws', 'https://h/ws', false, false],
    ['ws://h/a', 'http://h:80/b', false, false],
    ['http://h/a', 'https://h/a', false, true],
    ['http://h/a', 'http://h:8080/a', false, true],
    ['http://h/a', 'http://other/a', false, true],
    ['http://H/a', 'http://h/b', false, false],
  ];
  for (const [from, to, downgrade, dropCredentials] of table) {
    it(`${from} → ${to}`, () => {
      const rule = redirectRule(new URL(from), new URL(to));
      assert.deepEqual([rule.downgrade, rule.dropCredentials, rule.refused !== undefined], [downgrade, dropCredentials, downgrade]);
      const allowed = redirectRule(new URL(from), new URL(to), true);
      assert.deepEqual([allowed.downgrade, allowed.dropCredentials, allowed.refused], [downgrade, dropCredentials, undefined]);
    });
  }

  it('withoutCredentials drops every credential header, keeps the rest', () => {
    const { headers, dropped } = withoutCredentials({
      Authorization: 'Bearer x',
      cookie: 'a=b',
      'X-API-Key': 'k',
      'Set-Cookie': 's',
      'X-Auth-Token': 't',
      'X-Trace': '1',
      Accept: 'text/event-stream',
    });
    assert.deepEqual(headers, { 'X-Trace': '1', Accept: 'text/event-stream' });
    assert.deepEqual(dropped, ['Authorization', 'cookie', 'X-API-Key', 'Set-Cookie', 'X-Auth-Token']);
  });
});

describe('redirectTarget: schemes', () => {
  const from = new URL('ws://h/a');
  const table: [location: string, kind: 'sse' | 'ws', ok: boolean][] = [
    ['wss://h/b', 'ws', true],
    ['http://h/b', 'ws', true],
    ['https://h/b', 'ws', true],
    ['ws+unix:/var/run/docker.sock:/containers/x/attach/ws', 'ws', false],
    ['file:///etc/passwd', 'ws', false],
    ['ws://h/b', 'sse', false],
    ['https://h/b', 'sse', true],
    ['data:text/plain,x', 'sse', false],
  ];
  for (const [location, kind, ok] of table) {
    it(`${kind}: ${location} ${ok ? 'followed' : 'refused'}`, () => {
      const got = redirectTarget(from, location, kind);
      assert.equal(typeof got !== 'string', ok, String(got));
    });
  }
  it('a fragment in the Location is dropped', () => {
    assert.equal((redirectTarget(from, '/b#frag', 'ws') as URL).href, 'ws://h/b');
  });
});

describe('proxyNetworkError: one mapping for both transports', () => {
  const proxy = 'http://127.0.0.1:3128';
  const err = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });
  it('refused at the proxy port: ERR_PROXY naming the proxy', () => {
    assert.deepEqual(proxyNetworkError(err('ECONNREFUSED', { port: 3128, address: '127.0.0.1' }), proxy, proxy), {
      code: 'ERR_PROXY',
      message: 'Cannot reach proxy http://127.0.0.1:3128: Connection refused by 127.0.0.1:3128 (is the server running?)',
    });
  });
  it("another port or host: not the proxy's", () => {
    assert.equal(proxyNetworkError(err('ECONNREFUSED', { port: 9 }), proxy, proxy), undefined);
    assert.equal(proxyNetworkError(err('ENOTFOUND', { hostname: 'elsewhere' }), proxy, proxy), undefined);
  });
  it('a TLS error is not a proxy error', () => {
    assert.equal(proxyNetworkError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), proxy, proxy), undefined);
  });
});

describe('WebSocket URLs', () => {
  it('kind ws with a ws+unix: URL is refused before anything is opened', async () => {
    const { createConnection } = await import('../../../src/core/index');
    const conn = createConnection({
      url: 'ws+unix:/var/run/docker.sock:/containers/x/attach/ws',
      kind: 'ws',
      reconnect: { enabled: false },
    });
    const errors: string[] = [];
    conn.onRecord((r) => {
      if (r.kind === 'error') {
        errors.push(`${r.code}: ${r.message}`);
      }
    });
    conn.connect();
    assert.equal(conn.state, 'failed');
    assert.deepEqual(errors, ['ERR_INVALID_URL: A WebSocket needs a ws://, wss://, http:// or https:// URL, not ws+unix:']);
    conn.dispose();
  });
});
