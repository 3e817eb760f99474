/**
 * The header's line about a periodic send: what repeats, how often, how many went (of how many), and
 * Stop while it runs; once it has stopped, why, with a button to dismiss the line.
 */
import type { RepeatView } from '../src/protocol';
import { button, h, icon, setText } from './dom';

const numberFormat = new Intl.NumberFormat();

export class RepeatStatus {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private readonly stopBtn: HTMLButtonElement;
  private readonly dismissBtn: HTMLButtonElement;
  private readonly mark: HTMLElement;

  constructor(stop: () => void) {
    this.text = h('span', { class: 'repeat-text' });
    this.mark = icon('sync');
    this.stopBtn = button({ label: 'Stop repeat', icon: 'debug-stop', text: true, onClick: stop });
    this.dismissBtn = button({ label: 'Dismiss', icon: 'close', onClick: () => this.show(undefined) });
    this.el = h(
      'div',
      { class: 'repeat-status', role: 'status', 'aria-live': 'polite', hidden: true },
      this.mark,
      this.text,
      this.stopBtn,
      this.dismissBtn,
    );
  }

  show(view: RepeatView | undefined): void {
    this.el.hidden = !view;
    if (!view) {
      return;
    }
    const active = view.running || view.waiting;
    this.el.classList.toggle('running', active);
    this.mark.className = `codicon codicon-${active ? 'sync' : 'check'}`;
    this.stopBtn.hidden = !active;
    this.dismissBtn.hidden = active;
    const count = `${numberFormat.format(view.sent)}${view.times === undefined ? '' : ` of ${numberFormat.format(view.times)}`} sent`;
    const every = `every ${numberFormat.format(view.everyMs)} ms`;
    setText(
      this.text,
      view.stopped !== undefined
        ? `Repeat of ${view.what} stopped (${view.stopped}): ${count}`
        : view.waiting
          ? `Repeat of ${view.what} waits for the connection to open again: ${count}`
          : `Repeating ${view.what} ${every}${view.times === undefined ? ' until stopped' : ''}: ${count}`,
    );
  }
}
