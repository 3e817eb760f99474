/**
 * The type filter: a button that opens a list of the log's types, each with a checkbox (ticked: shown).
 * Several types can be hidden at once (ping and pong, a chatty event). Below them, "Only continuity
 * findings" shows the continuity rows alone (resumed, gap, duplicate, restarted). Keyboard: Enter or Space or
 * Down on the button opens the list, Up/Down move between the boxes, Space ticks, Escape (or Tab out)
 * closes it and gives the focus back to the button.
 */
import { h, icon, setText } from './dom';
import { escapeControl } from './format/text';

export class TypeFilter {
  readonly el: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly label = h('span', { class: 'btn-label' });
  private readonly menu: HTMLElement;
  private readonly list: HTMLElement;
  private readonly showAll: HTMLButtonElement;
  /** Types in the list, in its order. */
  private types: string[] = [];
  private hidden = new Set<string>();
  private readonly findingsBox = h('input', { type: 'checkbox', class: 'type-filter-findings' });
  private findingsOnly = false;

  /** `changed` gets the types now hidden; `findingsChanged` whether only continuity findings are shown. */
  constructor(
    private readonly changed: (hidden: string[]) => void,
    private readonly findingsChanged: (on: boolean) => void,
  ) {
    this.button = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-secondary type-filter-button',
        'aria-haspopup': 'true',
        'aria-expanded': 'false',
        'aria-controls': 'type-filter-menu',
        title: 'Types shown: untick a type to hide its rows',
      },
      this.label,
      icon('chevron-down'),
    );
    this.showAll = h('button', { type: 'button', class: 'btn btn-secondary type-filter-all' }, 'Show all types');
    this.list = h('div', { class: 'type-filter-list' });
    this.menu = h(
      'div',
      { id: 'type-filter-menu', class: 'type-filter-menu', role: 'group', 'aria-label': 'Types shown', hidden: true },
      this.list,
      h(
        'label',
        {
          class: 'type-filter-option',
          title: 'Show only the continuity findings: resumed, gap, duplicate and restarted rows',
        },
        this.findingsBox,
        h('span', null, 'Only continuity findings'),
      ),
      this.showAll,
    );
    this.el = h('div', { class: 'type-filter' }, this.button, this.menu);
    this.button.addEventListener('click', () => this.setOpen(this.menu.hidden));
    this.button.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && this.types.length) {
        e.preventDefault();
        this.setOpen(true);
      }
    });
    this.showAll.addEventListener('click', () => {
      this.hidden.clear();
      this.renderList();
      this.changed([]);
      if (this.findingsOnly) {
        this.setFindingsOnly(false);
        this.findingsChanged(false);
      }
    });
    this.findingsBox.addEventListener('change', () => {
      this.setFindingsOnly(this.findingsBox.checked);
      this.findingsChanged(this.findingsOnly);
    });
    this.list.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      const type = this.types[Number(box.dataset.index)];
      if (type === undefined) {
        return;
      }
      if (box.checked) {
        this.hidden.delete(type);
      } else {
        this.hidden.add(type);
      }
      this.renderLabel();
      this.changed([...this.hidden]);
    });
    this.menu.addEventListener('keydown', (e) => this.onMenuKey(e));
    this.el.addEventListener('focusout', (e) => {
      if (!this.el.contains(e.relatedTarget as Node | null)) {
        this.setOpen(false, false);
      }
    });
    document.addEventListener('mousedown', (e) => {
      if (!this.menu.hidden && !this.el.contains(e.target as Node)) {
        this.setOpen(false, false);
      }
    });
    this.renderLabel();
  }

  /** Shows `types` in the list (the model's, plus any hidden one it no longer has) and which are hidden. */
  show(types: readonly string[], hidden: readonly string[]): void {
    this.hidden = new Set(hidden);
    const all = new Set(types);
    for (const t of hidden) {
      all.add(t);
    }
    this.types = [...all].sort();
    this.renderList();
  }

  /** Shows whether only findings are shown (the box and the button's label). */
  setFindingsOnly(on: boolean): void {
    this.findingsOnly = on;
    this.findingsBox.checked = on;
    this.renderLabel();
  }

  private setOpen(open: boolean, moveFocus = true): void {
    this.menu.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (moveFocus) {
      (open ? this.boxes()[0] : this.button)?.focus();
    }
  }

  private boxes(): HTMLInputElement[] {
    return Array.from(this.menu.querySelectorAll<HTMLInputElement>('input[type="checkbox"], .type-filter-all'));
  }

  private onMenuKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.setOpen(false);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const boxes = this.boxes();
      const at = boxes.indexOf(document.activeElement as HTMLInputElement);
      const next = (at + (e.key === 'ArrowDown' ? 1 : boxes.length - 1)) % boxes.length;
      boxes[next]?.focus();
    }
  }

  private renderList(): void {
    // The focus stays on the same type's box when the list is rebuilt while open.
    const focused = this.list.contains(document.activeElement) ? (document.activeElement as HTMLInputElement).dataset.type : undefined;
    this.list.replaceChildren(
      ...this.types.map((type, index) => {
        const box = h('input', { type: 'checkbox', 'data-index': index, 'data-type': type });
        box.checked = !this.hidden.has(type);
        return h('label', { class: 'type-filter-item' }, box, h('span', null, escapeControl(type)));
      }),
    );
    if (!this.types.length) {
      this.list.append(h('span', { class: 'type-filter-empty' }, 'No records yet'));
    }
    if (focused !== undefined) {
      this.list.querySelector<HTMLInputElement>(`input[data-index="${this.types.indexOf(focused)}"]`)?.focus();
    }
    this.renderLabel();
  }

  private renderLabel(): void {
    const hiddenShown = this.types.filter((t) => this.hidden.has(t)).length;
    const types = hiddenShown === 0 ? 'All types' : `Types: ${this.types.length - hiddenShown} of ${this.types.length}`;
    const text = this.findingsOnly ? (hiddenShown === 0 ? 'Findings only' : `Findings only, ${types.toLowerCase()}`) : types;
    setText(this.label, text);
    this.button.setAttribute('aria-label', `Types shown: ${text}`);
    this.button.classList.toggle('on', hiddenShown > 0 || this.findingsOnly);
  }
}
