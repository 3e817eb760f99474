import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_RECENT, moveUrlCredentials, recentUrls, rememberUrl } from '../../src/savedCredentials';

test('the recent-URL list never keeps a URL that carries a credential, and drops one kept before', () => {
  const stored = ['https://a/x', 'https://h/?token=old-secret', 'wss://u:pw@h/ws', 'https://b/y', 42];
  assert.deepEqual(recentUrls(stored), ['https://a/x', 'https://b/y']);
  assert.deepEqual(rememberUrl(stored, 'https://h/s?access_token=new-secret'), ['https://a/x', 'https://b/y']);
  assert.deepEqual(rememberUrl(stored, 'https://c/?page=2'), ['https://c/?page=2', 'https://a/x', 'https://b/y']);
  assert.deepEqual(rememberUrl(stored, 'https://b/y'), ['https://b/y', 'https://a/x']);
  assert.equal(
    rememberUrl(
      Array.from({ length: 20 }, (_, i) => `https://h/${i}`),
      'https://n/',
    ).length,
    MAX_RECENT,
  );
  assert.deepEqual(recentUrls(undefined), []);
  for (const url of rememberUrl(stored, 'https://h/?sig=abc')) {
    assert.ok(!/secret|pw|abc/.test(url), url);
  }
});

test('Save as profile: each URL credential becomes ${secret:NAME}, the value stored as written', () => {
  const { url, secrets } = moveUrlCredentials('https://alice:p%40ss@h/s?token=t%2B1&page=2&api_key=k9#access_token=f', 'My api');
  assert.equal(
    url,
    'https://alice:${secret:MY_API_URL_PASSWORD}@h/s?token=${secret:MY_API_URL_TOKEN}&page=2&api_key=${secret:MY_API_URL_API_KEY}#access_token=${secret:MY_API_URL_ACCESS_TOKEN}',
  );
  assert.deepEqual(secrets, [
    ['MY_API_URL_PASSWORD', 'p%40ss'],
    ['MY_API_URL_TOKEN', 't%2B1'],
    ['MY_API_URL_API_KEY', 'k9'],
    ['MY_API_URL_ACCESS_TOKEN', 'f'],
  ]);
  // Substituting the values back gives the very URL.
  const back = url.replace(/\$\{secret:([A-Z0-9_]+)\}/g, (_m, name: string) => secrets.find(([n]) => n === name)![1]);
  assert.equal(back, 'https://alice:p%40ss@h/s?token=t%2B1&page=2&api_key=k9#access_token=f');
});

test('Save as profile: templates stay, repeated names get a number, a URL without credentials is unchanged', () => {
  assert.deepEqual(moveUrlCredentials('https://h/?token=${secret:T}', 'p'), { url: 'https://h/?token=${secret:T}', secrets: [] });
  assert.deepEqual(moveUrlCredentials('https://h/?a=1', 'p'), { url: 'https://h/?a=1', secrets: [] });
  const twice = moveUrlCredentials('https://h/?token=a&token=b', 'p');
  assert.equal(twice.url, 'https://h/?token=${secret:P_URL_TOKEN}&token=${secret:P_URL_TOKEN_2}');
  assert.equal(moveUrlCredentials('https://ghp_abc@h/', 'p').url, 'https://${secret:P_URL_USERINFO}@h/');
});
