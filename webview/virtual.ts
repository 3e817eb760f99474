/**
 * Visible-range math for the virtualised log: fixed-height rows, a window of rows around the
 * viewport, and a scaled scroll space so very long logs stay under the browser's element-height cap.
 * DOM-free.
 */

/** Browsers cap element heights (~33.5M px in Chromium); stay well under it. */
export const MAX_CONTENT_PX = 8_000_000;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  count: number;
  rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan: number;
  maxContent?: number;
}

export interface RowWindow {
  /** First row rendered (inclusive). */
  start: number;
  /** Last row rendered (exclusive). */
  end: number;
  /** Height of the scrollable content. */
  contentHeight: number;
  /** Row i is drawn at `i * rowHeight + offset` (non-zero only when the scroll space is scaled). */
  offset: number;
  /** First row at least partly in the viewport. */
  firstVisible: number;
  /** First row whose top edge is in the viewport (within a pixel). */
  firstWhole: number;
  /** Rows that fit in the viewport. */
  pageRows: number;
}

function geometry(count: number, rowHeight: number, viewportHeight: number, maxContent: number) {
  const virtualHeight = count * rowHeight;
  const contentHeight = Math.min(virtualHeight, maxContent);
  const maxScroll = Math.max(0, contentHeight - viewportHeight);
  const virtualMaxScroll = Math.max(0, virtualHeight - viewportHeight);
  return { contentHeight, maxScroll, virtualMaxScroll };
}

export function computeWindow(input: WindowInput): RowWindow {
  const { viewportHeight, rowHeight, overscan } = input;
  const count = Math.max(0, Math.floor(input.count));
  const g = geometry(count, rowHeight, viewportHeight, input.maxContent ?? MAX_CONTENT_PX);
  const scrollTop = Math.min(Math.max(0, input.scrollTop || 0), g.maxScroll);
  const virtualTop = g.maxScroll > 0 ? (scrollTop / g.maxScroll) * g.virtualMaxScroll : 0;
  const firstVisible = Math.min(count, Math.floor(virtualTop / rowHeight));
  const lastVisible = Math.min(count, Math.ceil((virtualTop + viewportHeight) / rowHeight));
  return {
    start: Math.max(0, firstVisible - overscan),
    end: Math.min(count, lastVisible + overscan),
    contentHeight: g.contentHeight,
    offset: scrollTop - virtualTop,
    firstVisible,
    firstWhole: Math.min(count, Math.max(0, Math.ceil((virtualTop - 1) / rowHeight))),
    pageRows: Math.max(1, Math.floor(viewportHeight / rowHeight)),
  };
}

/** The scrollTop that puts virtual pixel `virtualTop` at the top of the viewport. */
export function scrollTopForVirtual(
  virtualTop: number,
  count: number,
  rowHeight: number,
  viewportHeight: number,
  maxContent = MAX_CONTENT_PX,
): number {
  const g = geometry(count, rowHeight, viewportHeight, maxContent);
  if (g.virtualMaxScroll <= 0) {
    return 0;
  }
  const v = Math.min(Math.max(0, virtualTop), g.virtualMaxScroll);
  if (g.maxScroll === g.virtualMaxScroll) {
    return v;
  }
  return (v / g.virtualMaxScroll) * g.maxScroll;
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement, or `undefined`
 * when it is already fully visible.
 */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  count: number,
  rowHeight: number,
  viewportHeight: number,
  maxContent = MAX_CONTENT_PX,
): number | undefined {
  const g = geometry(count, rowHeight, viewportHeight, maxContent);
  const virtualTop = g.maxScroll > 0 ? (Math.min(Math.max(0, scrollTop), g.maxScroll) / g.maxScroll) * g.virtualMaxScroll : 0;
  const rowTop = index * rowHeight;
  if (rowTop < virtualTop) {
    return scrollTopForVirtual(rowTop, count, rowHeight, viewportHeight, maxContent);
  }
  if (rowTop + rowHeight > virtualTop + viewportHeight) {
    return scrollTopForVirtual(rowTop + rowHeight - viewportHeight, count, rowHeight, viewportHeight, maxContent);
  }
  return undefined;
}

/** True when the viewport shows the end of the content (within `tolerance` px). */
export function isAtBottom(scrollTop: number, viewportHeight: number, contentHeight: number, tolerance = 4): boolean {
  return scrollTop + viewportHeight >= contentHeight - tolerance;
}
