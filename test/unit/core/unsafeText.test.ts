/**
 * One table for the unsafe-character rule (src/core/unsafeText.ts), checked through every surface
 * that draws server text: the rule itself, the CLI's readable, raw and --json output, and the
 * panel's preview, detail, raw view and JSON view.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasUnsafe, replaceUnsafe, safeLabel } from '../../../src/core/unsafeText';
import { escapeRaw, escapeText, jsonLine } from '../../../src/cli/format';
import type { ConnRecord } from '../../../src/core/records';
import { prettyJson } from '../../../webview/format/json';
import { escapeControl, escapeControlMultiline, lineEndSegments, visibleLineEnds } from '../../../webview/format/text';

/** [what, text, unsafe]. Each unsafe entry must come out of every surface without its raw character. */
const TABLE: ReadonlyArray<[string, string, boolean]> = [
  ['NUL', '\u0000', true],
  ['BEL', '\u0007', true],
  ['ESC (ANSI)', '\u001b', true],
  ['CR', '\r', true],
  ['DEL', '\u007f', true],
  ['C1 CSI', '\u009b', true],
  ['C1 NEL', '\u0085', true],
  ['soft hyphen U+00AD', '\u00ad', true],
  ['Arabic letter mark U+061C', '\u061c', true],
  ['Mongolian vowel separator U+180E', '\u180e', true],
  ['zero-width space U+200B', '\u200b', true],
  ['zero-width joiner U+200D', '\u200d', true],
  ['RTL mark U+200F', '\u200f', true],
  ['line separator U+2028', '\u2028', true],
  ['paragraph separator U+2029', '\u2029', true],
  ['LTR embedding U+202A', '\u202a', true],
  ['RTL override U+202E', '\u202e', true],
  ['word joiner U+2060', '\u2060', true],
  ['function application U+2061', '\u2061', true],
  ['invisible times U+2062', '\u2062', true],
  ['invisible separator U+2063', '\u2063', true],
  ['invisible plus U+2064', '\u2064', true],
  ['U+2065', '\u2065', true],
  ['LRI U+2066', '\u2066', true],
  ['PDI U+2069', '\u2069', true],
  ['deprecated format U+206F', '\u206f', true],
  ['BOM U+FEFF', '\ufeff', true],
  ['interlinear annotation U+FFF9', '\ufff9', true],
  ['interlinear terminator U+FFFB', '\ufffb', true],
  ['tag space U+E0020', '\u{e0020}', true],
  ['tag A U+E0041', '\u{e0041}', true],
  ['cancel tag U+E007F', '\u{e007f}', true],
  ['lone high surrogate', '\ud800', true],
  ['lone low surrogate', '\udc00', true],
  ['plain ASCII', 'abc', false],
  ['accented letters', 'café', false],
  ['CJK', '漢字', false],
  ['emoji (a surrogate pair)', '😀', false],
  ['black flag U+1F3F4 (where tag sequences start)', '\u{1f3f4}', false],
  ['no-break space', '\u00a0', false],
  ['U+E0080 (past the tag block)', '\u{e0080}', false],
];

/** The raw unsafe character is gone from `out` (the rest of the text may stay as it was). */
function assertGone(out: string, ch: string, where: string, what: string): void {
  assert.ok(!out.includes(ch), `${where}: ${what} reached the screen raw: ${JSON.stringify(out)}`);
}

describe('unsafe characters: one table, every surface', () => {
  for (const [what, ch, unsafe] of TABLE) {
    it(`${what}: ${unsafe ? 'escaped everywhere' : 'left as it is'}`, () => {
      const text = `a${ch}b`;
      assert.equal(hasUnsafe(text), unsafe, 'the rule');
      const record: ConnRecord = {
        kind: 'message',
        seq: 1,
        time: '2026-01-01T00:00:00.000Z',
        dir: 'in',
        format: 'text',
        data: text,
        size: text.length,
      };
      const surfaces: Array<[string, string]> = [
        ['CLI readable', escapeText(text)],
        // Without the dimming the CLI itself writes around each escape.
        ['CLI coloured', escapeText(text, { color: true }).replaceAll('\x1b[2m', '').replaceAll('\x1b[22m', '')],
        ['CLI --json', jsonLine(record)],
        ['panel preview', escapeControl(text)],
        ['panel detail', escapeControlMultiline(text)],
        ['panel raw view', visibleLineEnds(text)],
        [
          'panel raw segments',
          lineEndSegments(text)
            .map((s) => s.text)
            .join(''),
        ],
      ];
      const pretty = prettyJson(
        JSON.stringify({ [text]: text }).replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      );
      if (pretty.ok) {
        surfaces.push(['panel JSON view', pretty.tokens.map((t) => t.t).join('')]);
      }
      for (const [where, out] of surfaces) {
        if (unsafe) {
          assertGone(out, ch, where, what);
        } else {
          assert.ok(out.includes(ch), `${where}: ${what} must stay as it is: ${JSON.stringify(out)}`);
        }
      }
      // --json keeps the same value.
      assert.equal((JSON.parse(jsonLine(record)) as { data: string }).data, text);
    });
  }

  it('multi-line views keep LF and TAB, one-line views show them', () => {
    assert.equal(hasUnsafe('a\nb\tc', { keepLineBreaks: true }), false);
    assert.equal(hasUnsafe('a\nb\tc'), true);
    assert.equal(escapeControlMultiline('a\nb\tc\rd'), 'a\nb\tc\u240dd');
    assert.equal(escapeRaw('a\nb\tc\rd'), 'a\nb\tc\\rd');
    assert.equal(escapeControl('a\nb\tc'), 'a\u21b5b\u2192c');
  });

  it('how each surface draws them', () => {
    assert.equal(escapeText('x\u00ad\u2060\u{e0041}\ud800y'), 'x\\xad\\u2060\\u{e0041}\\ud800y');
    assert.equal(escapeControl('x\u00ad\u2060\u{e0041}\ud800y'), 'x\\u00ad\\u2060\\u{e0041}\\ud800y');
    assert.equal(
      replaceUnsafe('\u{e0041}', (ch) => `[${ch.length}]`),
      '[2]',
      'a tag character is handed over whole',
    );
  });

  it('safeLabel: a name someone else chose, on one line, escaped and clipped', () => {
    assert.equal(safeLabel('Prod\u202e\u2066 feed\n\nok'), 'Prod\\u202e\\u2066 feed ok');
    assert.equal(safeLabel('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
    assert.equal(safeLabel(`${'😀'.repeat(20)}`, 5), '😀😀😀😀…', 'never cuts a character in half');
  });
});
