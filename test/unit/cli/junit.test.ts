/**
 * The JUnit report of `run`: well-formed whatever the rule names, details and messages hold, with
 * the counts CI viewers read, parsed back with a real XML parser.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type JunitSuite, junitXml, xmlChars } from '../../../src/cli/junit';

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    // Numeric character references (&#10;) decoded, as every XML parser does.
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name),
  }).parse(xml) as {
    testsuites: Record<string, string> & {
      testsuite: (Record<string, string> & { testcase: (Record<string, string> & { failure?: Record<string, string>[] })[] })[];
    };
  };

const hostile = 'a <b> & "c" \'d\' ]]> \x00\x01\x1b[31m \uD800 lone \uFFFF end\ttab\nline';

function suite(overrides: Partial<JunitSuite> = {}): JunitSuite {
  return {
    name: 'profile',
    url: 'wss://example.test/socket?token=••••',
    startedAt: new Date('2026-01-02T03:04:05.678Z'),
    durationMs: 1234,
    notConnected: false,
    cases: [
      { name: 'first tick', ok: true, atMs: 412, detail: 'matched', decidedBy: 3 },
      { name: 'count', ok: false, atMs: 10_000, detail: '7 of min 10 in 10000 ms' },
      {
        name: 'never error',
        ok: false,
        atMs: 950,
        detail: 'matched a received message (seq 9)',
        evidence: '{"error":"boom"}',
        decidedBy: 9,
      },
    ],
    ...overrides,
  };
}

describe('the JUnit report', () => {
  it('has a testsuites root with totals, a testsuite per profile and a testcase per rule', () => {
    const xml = junitXml([suite(), suite({ name: 'other', cases: [{ name: 'close', ok: true, atMs: 5, detail: 'closed with 1000' }] })]);
    assert.equal(XMLValidator.validate(xml), true);
    const root = parse(xml).testsuites;
    assert.equal(root.tests, '4');
    assert.equal(root.failures, '2');
    assert.equal(root.errors, '0');
    assert.deepEqual(
      Object.keys(root)
        .filter((k) => k !== 'testsuite' && k !== '#text')
        .sort(),
      ['errors', 'failures', 'name', 'tests', 'time'],
      'only the attributes the junit-10 schema allows on the root',
    );
    const [first, second] = root.testsuite;
    assert.equal(first.name, 'profile');
    assert.equal(first.tests, '3');
    assert.equal(first.failures, '2');
    assert.equal(first.time, '1.234');
    assert.equal(first.timestamp, '2026-01-02T03:04:05');
    assert.deepEqual(
      first.testcase.map((c) => [c.name, c.classname, c.time]),
      [
        ['first tick', 'profile', '0.412'],
        ['count', 'profile', '10.000'],
        ['never error', 'profile', '0.950'],
      ],
    );
    assert.equal(first.testcase[0].failure, undefined, 'a rule that held has no failure');
    const never = first.testcase[2].failure![0];
    assert.equal(never.message, 'matched a received message (seq 9)');
    assert.equal(never['#text'], 'matched a received message (seq 9)\nmessage: {"error":"boom"}\nat 950 ms after open, record seq 9');
    assert.equal(second.tests, '1');
    assert.equal(second.failures, '0');
  });

  it('escapes markup and drops what XML 1.0 cannot carry, in names, attributes and text', () => {
    const xml = junitXml([suite({ name: hostile, cases: [{ name: hostile, ok: false, atMs: 1, detail: hostile, evidence: hostile }] })]);
    assert.equal(XMLValidator.validate(xml), true, xml);
    const s = parse(xml).testsuites.testsuite[0];
    const kept = xmlChars(hostile);
    assert.equal(kept, 'a <b> & "c" \'d\' ]]> [31m  lone  end\ttab\nline');
    assert.equal(s.name, kept, 'the suite name, tab and line break kept');
    assert.equal(s.testcase[0].name, kept);
    assert.equal(s.testcase[0].failure![0].message, kept);
    assert.match(s.testcase[0].failure![0]['#text'], /^a <b> & "c" 'd' \]\]> \[31m {2}lone {2}end\ttab\nline\nmessage: a <b>/);
  });

  it('says the connection error for a profile that never connected', () => {
    const why = 'not connected: ERR_NETWORK: Connection refused by 127.0.0.1:1 (is the server running?)';
    const xml = junitXml([
      suite({
        notConnected: true,
        cases: [
          { name: 'count', ok: false, atMs: 3, detail: why },
          { name: 'close', ok: false, atMs: 3, detail: why },
        ],
      }),
    ]);
    const s = parse(xml).testsuites.testsuite[0];
    assert.equal(s.failures, '2');
    for (const c of s.testcase) {
      assert.equal(c.failure![0].message, why);
      assert.equal(c.failure![0].type, 'ConnectionError');
      assert.match(c.failure![0]['#text'], /at 3 ms after the start$/);
    }
  });
});
