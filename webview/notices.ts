/** The panel's one-line notices from the host (export saved, profile saved, errors): the newest replaces the last. */
import { button, h, icon } from './dom';
import { escapeControl } from './format/text';

/** Info and warnings go away by themselves after this long; errors stay until dismissed. */
const NOTICE_MS = 6000;

export type NoticeLevel = 'info' | 'warning' | 'error';

export class Notices {
  readonly el = h('div', { class: 'notices', 'aria-live': 'polite' });
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(level: NoticeLevel, message: string): void {
    const close = button({ label: 'Dismiss', icon: 'close', onClick: () => this.el.replaceChildren() });
    this.el.replaceChildren(
      h(
        'div',
        { class: `notice ${level}`, role: level === 'error' ? 'alert' : 'status' },
        icon(level === 'info' ? 'info' : level),
        h('span', null, escapeControl(message)),
        close,
      ),
    );
    clearTimeout(this.timer);
    if (level !== 'error') {
      this.timer = setTimeout(() => this.el.replaceChildren(), NOTICE_MS);
    }
  }
}
