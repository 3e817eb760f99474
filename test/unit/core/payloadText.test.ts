import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, looksLikeJson, parseBase64, parseHex } from '../../../src/core/payloadText';
import { decodeBinary } from '../../../src/panel/forWebview';

const bytesOf = (r: ReturnType<typeof parseHex>) => (r.ok ? [...r.bytes] : r.error);

describe('payload text: hex', () => {
  it('reads digit pairs with spaces, commas, colons and 0x prefixes between them', () => {
    assert.deepEqual(bytesOf(parseHex('de ad,0xBE:ef')), [0xde, 0xad, 0xbe, 0xef]);
    assert.deepEqual(bytesOf(parseHex('0x01 0x02\n0x03')), [1, 2, 3]);
    assert.deepEqual(bytesOf(parseHex('')), []);
  });
  it('rejects odd counts and foreign digits with a message', () => {
    assert.equal(bytesOf(parseHex('abc')), 'Hex needs an even number of digits');
    assert.equal(bytesOf(parseHex('zz')), 'Hex may contain only 0-9, a-f, spaces and commas');
  });
});

describe('payload text: base64', () => {
  it('reads what Buffer writes, for every length modulo 3, padded or not', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 73 + n * 11) & 0xff));
      const b64 = bytes.toString('base64');
      assert.deepEqual(bytesOf(parseBase64(b64)), [...bytes], b64);
      assert.deepEqual(bytesOf(parseBase64(b64.replace(/=+$/, ''))), [...bytes], `${b64} unpadded`);
      assert.deepEqual(bytesOf(parseBase64(b64, { canonical: true })), [...bytes], `${b64} canonical`);
    }
  });
  it('ignores whitespace, as atob does', () => {
    assert.deepEqual(bytesOf(parseBase64(' aGVs\nbG8= ')), [...Buffer.from('hello')]);
  });
  it('rejects what atob rejects', () => {
    for (const bad of ['a', 'aGVsb', 'AA=', 'A===', '====', 'a$b', 'aGVs-G8_', 'AA=A', 'é']) {
      assert.equal(parseBase64(bad).ok, false, bad);
      assert.throws(() => atob(bad), bad);
    }
    assert.equal(base64ToBytes('a$b'), undefined);
  });
  it('canonical: padded to a multiple of 4, no whitespace', () => {
    assert.equal(parseBase64('AAE', { canonical: true }).ok, false);
    assert.equal(parseBase64('AAE=', { canonical: true }).ok, true);
    assert.equal(parseBase64('AA AA', { canonical: true }).ok, false);
  });
});

describe('payload text: the host reads the send box by the same rules', () => {
  it('decodes hex and base64 the send box accepts, and refuses what it refuses', () => {
    for (const text of ['de ad,0xBE:ef', '0x01 0x02', 'abc', 'zz', '']) {
      const box = parseHex(text);
      if (box.ok) {
        assert.deepEqual([...decodeBinary(text, 'hex')], [...box.bytes], text);
      } else {
        assert.throws(() => decodeBinary(text, 'hex'), /Not valid hex/, text);
      }
    }
    for (const text of ['aGVsbG8=', 'aGVsbG8', 'AA=', 'a$b']) {
      const box = parseBase64(text);
      if (box.ok) {
        assert.deepEqual([...decodeBinary(text, 'base64')], [...box.bytes], text);
      } else {
        assert.throws(() => decodeBinary(text, 'base64'), /Not valid base64/, text);
      }
    }
  });
});

describe('payload text: looksLikeJson', () => {
  it('is true for text starting with { or [ after whitespace, within 64 chars', () => {
    assert.equal(looksLikeJson(' \n\t{"a":1}'), true);
    assert.equal(looksLikeJson('[1'), true, 'a guess: the rest is not checked');
    assert.equal(looksLikeJson('"s"'), false);
    assert.equal(looksLikeJson(''), false);
    assert.equal(looksLikeJson(' '.repeat(64) + '{}'), false);
  });
});
