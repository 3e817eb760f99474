/**
 * The detail pane's Raw stream tab (SSE): the bytes as received, line ends drawn as CR and LF marks, appended
 * at most once per frame while the tab shows, the last 512 KB kept.
 */
import { button, h, setText } from '../dom';
import { formatBytes } from '../format/bytes';
import { lineEndSegments } from '../format/text';
import { tabPanel } from './parts';

/** Most chars of the SSE raw stream kept for the raw view. */
const MAX_RAW_CHARS = 512 * 1024;
/** How long a CR at the very end waits for the LF of its CRLF before it is drawn alone. */
const HELD_CR_MS = 300;
/** Within this many px of the bottom, the view stays at the bottom as text comes. */
const STICK_TO_BOTTOM_PX = 8;

export interface RawTabHost {
  copy(text: string): void;
}

export class RawTab {
  readonly el = tabPanel('raw');
  private showing = false;
  private raw = '';
  private dirty = false;
  /** Text received since the last render. */
  private pending = '';
  private rebuild = true;
  private heldCr = false;
  private crTimer: ReturnType<typeof setTimeout> | undefined;
  private frame = 0;
  private readonly pre: HTMLPreElement;
  private readonly info: HTMLElement;

  constructor(private readonly host: RawTabHost) {
    this.pre = h('pre', { class: 'code raw-stream', 'aria-label': 'Raw stream as received' });
    this.info = h('span', { class: 'muted' });
    this.el.append(
      h(
        'div',
        { class: 'pane-toolbar' },
        h('span', { class: 'muted' }, 'Bytes as received, line ends marked CR and LF.'),
        this.info,
        h('span', { class: 'spacer' }),
        button({ label: 'Copy raw stream', icon: 'copy', onClick: () => this.host.copy(this.raw) }),
        button({
          label: 'Clear raw view',
          icon: 'clear-all',
          onClick: () => this.append('', true),
        }),
      ),
      this.pre,
    );
  }

  /** The tab came forward: everything kept is drawn again on the next frame. */
  show(): void {
    this.showing = true;
    this.dirty = true;
    this.rebuild = true;
    this.schedule();
  }

  hide(): void {
    this.showing = false;
  }

  /** Text from the host's raw feed; `reset` replaces what the view has. */
  append(text: string, reset: boolean): void {
    if (reset) {
      this.raw = text;
      this.rebuild = true;
      this.pending = '';
    } else {
      this.raw += text;
      this.pending += text;
    }
    if (this.raw.length > MAX_RAW_CHARS) {
      this.raw = this.raw.slice(this.raw.length - MAX_RAW_CHARS);
      this.rebuild = true;
    }
    if (this.rebuild) {
      // The rebuild renders from `raw`; nothing pending needs keeping.
      this.pending = '';
    }
    this.dirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.showing || this.frame) {
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.dirty && this.showing) {
        this.render();
      }
    });
  }

  /**
   * Appends what came since the last frame (a full rebuild only after a reset or a trim). A CR at
   * the very end is held back briefly: the LF of its CRLF may arrive in the next chunk.
   */
  private render(flushCr = false): void {
    this.dirty = false;
    const pre = this.pre;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - STICK_TO_BOTTOM_PX;
    let chunk: string;
    if (this.rebuild) {
      this.rebuild = false;
      pre.replaceChildren();
      chunk = this.raw;
    } else {
      chunk = (this.heldCr ? '\r' : '') + this.pending;
    }
    this.pending = '';
    this.heldCr = false;
    clearTimeout(this.crTimer);
    if (!flushCr && chunk.endsWith('\r')) {
      chunk = chunk.slice(0, -1);
      this.heldCr = true;
      this.crTimer = setTimeout(() => this.render(true), HELD_CR_MS);
    }
    const frag = document.createDocumentFragment();
    for (const seg of lineEndSegments(chunk)) {
      if (seg.eol) {
        // One mark per character: the control picture stays in the text (copy, screen readers), the CSS draws it.
        for (const picture of seg.text) {
          const span = document.createElement('span');
          span.className = picture === '\u240d' ? 'eol eol-cr' : 'eol eol-lf';
          span.textContent = picture;
          frag.appendChild(span);
        }
      } else {
        frag.appendChild(document.createTextNode(seg.text));
      }
    }
    pre.appendChild(frag);
    setText(this.info, this.raw ? `${formatBytes(this.raw.length)} shown` : 'Waiting for data…');
    if (atBottom) {
      pre.scrollTop = pre.scrollHeight;
    }
  }
}
