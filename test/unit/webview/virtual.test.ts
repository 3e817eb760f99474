import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeWindow, isAtBottom, scrollToReveal, scrollTopForVirtual } from '../../../webview/virtual';

describe('webview virtual list', () => {
  it('renders only the visible rows plus overscan', () => {
    const w = computeWindow({ scrollTop: 2200, viewportHeight: 440, count: 100_000, rowHeight: 22, overscan: 8 });
    assert.equal(w.firstVisible, 100);
    assert.equal(w.start, 92);
    assert.equal(w.end, 128);
    assert.equal(w.contentHeight, 2_200_000);
    assert.equal(w.offset, 0);
    assert.equal(w.pageRows, 20);
  });
  it('names the first row wholly in view: the one a restored view puts at the top', () => {
    const at = (scrollTop: number) => computeWindow({ scrollTop, viewportHeight: 440, count: 1000, rowHeight: 22, overscan: 8 });
    assert.deepEqual([at(0).firstVisible, at(0).firstWhole], [0, 0]);
    assert.deepEqual([at(10).firstVisible, at(10).firstWhole], [0, 1], 'row 0 is cut: row 1 is the first whole one');
    assert.deepEqual([at(21.5).firstVisible, at(21.5).firstWhole], [0, 1], 'within a pixel of row 1: row 1');
    assert.deepEqual([at(22 * 300).firstVisible, at(22 * 300).firstWhole], [300, 300]);
  });
  it('clamps at both ends and for empty logs', () => {
    assert.deepEqual(
      [
        computeWindow({ scrollTop: -50, viewportHeight: 100, count: 3, rowHeight: 20, overscan: 5 }).start,
        computeWindow({ scrollTop: -50, viewportHeight: 100, count: 3, rowHeight: 20, overscan: 5 }).end,
      ],
      [0, 3],
    );
    const e = computeWindow({ scrollTop: 0, viewportHeight: 100, count: 0, rowHeight: 20, overscan: 5 });
    assert.equal(e.end - e.start, 0);
    const last = computeWindow({ scrollTop: 1e9, viewportHeight: 100, count: 1000, rowHeight: 20, overscan: 2 });
    assert.equal(last.end, 1000);
    assert.equal(last.firstVisible, 995);
  });
  it('keeps the row window size independent of the log length', () => {
    for (const count of [1_000, 100_000, 10_000_000]) {
      const w = computeWindow({ scrollTop: 123_456, viewportHeight: 800, count, rowHeight: 22, overscan: 10 });
      assert.ok(w.end - w.start <= Math.ceil(800 / 22) + 1 + 20, `count ${count}`);
    }
  });
  it('scales the scroll space past the element-height cap and still reaches the last row', () => {
    const count = 10_000_000;
    const w = computeWindow({ scrollTop: 1e12, viewportHeight: 440, count, rowHeight: 22, overscan: 0, maxContent: 8_000_000 });
    assert.equal(w.contentHeight, 8_000_000);
    assert.equal(w.end, count);
    // The last row is drawn inside the content box, at its bottom.
    const y = (count - 1) * 22 + w.offset;
    assert.ok(Math.abs(y + 22 - 8_000_000) < 1);
    const mid = computeWindow({
      scrollTop: 4_000_000 - 220,
      viewportHeight: 440,
      count,
      rowHeight: 22,
      overscan: 0,
      maxContent: 8_000_000,
    });
    assert.ok(Math.abs(mid.firstVisible - count / 2) < 30);
  });
  it('reveals a row with the least scroll, and not at all when visible', () => {
    assert.equal(scrollToReveal(10, 0, 1000, 20, 200), 20);
    assert.equal(scrollToReveal(5, 200, 1000, 20, 200), 100);
    assert.equal(scrollToReveal(12, 200, 1000, 20, 200), undefined);
    assert.equal(scrollTopForVirtual(500, 1000, 20, 200), 500);
  });
  it('tells when the viewport is at the bottom', () => {
    assert.equal(isAtBottom(800, 200, 1000), true);
    assert.equal(isAtBottom(700, 200, 1000), false);
  });
});
