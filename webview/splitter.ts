/** The handle between the log and the detail pane: drag it, or Left/Right on it, to set the pane's width. */
import { h } from './dom';

const DEFAULT_WIDTH = 420;
const MIN_WIDTH = 220;
/** The pane leaves at least this much of the panel's width to the log (and is never held under 240 px by it). */
const LOG_MIN_WIDTH = 320;
const KEY_STEP = 24;

export class Splitter {
  readonly el: HTMLElement;
  private widthPx = DEFAULT_WIDTH;

  /** `pane` is the element whose width the splitter sets; `changed` runs when a drag or a key set a new width. */
  constructor(
    private readonly pane: HTMLElement,
    changed: () => void,
  ) {
    this.el = h('div', {
      class: 'splitter',
      role: 'separator',
      tabindex: 0,
      'aria-orientation': 'vertical',
      'aria-label': 'Resize the detail pane',
      'aria-valuemin': 200,
      'aria-valuemax': 1200,
    });
    this.el.addEventListener('pointerdown', (e) => {
      this.el.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startW = this.widthPx;
      const move = (ev: PointerEvent) => this.setWidth(startW - (ev.clientX - startX));
      const up = () => {
        this.el.removeEventListener('pointermove', move);
        this.el.removeEventListener('pointerup', up);
        changed();
      };
      this.el.addEventListener('pointermove', move);
      this.el.addEventListener('pointerup', up);
    });
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        this.setWidth(this.widthPx + (e.key === 'ArrowLeft' ? KEY_STEP : -KEY_STEP));
        changed();
      }
    });
  }

  get width(): number {
    return this.widthPx;
  }

  /** Sets the pane's width, held within what the panel's width allows. */
  setWidth(px: number): void {
    const max = Math.max(240, (document.body.clientWidth || 1000) - LOG_MIN_WIDTH);
    this.widthPx = Math.round(Math.min(max, Math.max(MIN_WIDTH, px)));
    this.pane.style.width = `${this.widthPx}px`;
    this.el.setAttribute('aria-valuenow', String(this.widthPx));
  }
}
