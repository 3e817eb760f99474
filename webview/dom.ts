/**
 * Tiny element builder. Text goes in as text nodes only; there is no way to pass markup, inline
 * styles or inline handlers through it (the CSP forbids the last two anyway).
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === false) {
        continue;
      }
      if (name === 'style' || name.startsWith('on')) {
        throw new Error(`h(): ${name} is not allowed`);
      }
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** A codicon, hidden from assistive technology (the control around it carries the label). */
export function icon(name: string, extra = ''): HTMLElement {
  return h('i', { class: `codicon codicon-${name}${extra ? ' ' + extra : ''}`, 'aria-hidden': 'true' });
}

export interface ButtonOptions {
  label: string;
  icon?: string;
  /** Show the label as text next to the icon (otherwise it is the tooltip and aria-label only). */
  text?: boolean;
  title?: string;
  variant?: 'primary' | 'secondary' | 'icon';
  onClick: (ev: MouseEvent) => void;
}

export function button(options: ButtonOptions): HTMLButtonElement {
  const variant = options.variant ?? (options.text ? 'secondary' : 'icon');
  const b = h('button', {
    type: 'button',
    class: `btn btn-${variant}`,
    'aria-label': options.label,
    title: options.title ?? options.label,
  });
  if (options.icon) {
    b.appendChild(icon(options.icon));
  }
  if (options.text) {
    b.appendChild(h('span', { class: 'btn-label' }, options.label));
  }
  b.addEventListener('click', options.onClick);
  return b;
}

/** A two-state button (aria-pressed). */
export function toggle(
  options: ButtonOptions & { pressed: boolean; onToggle: (on: boolean) => void },
): HTMLButtonElement & { setPressed(on: boolean): void } {
  const b = button({
    ...options,
    onClick: () => {
      const on = b.getAttribute('aria-pressed') !== 'true';
      b.setPressed(on);
      options.onToggle(on);
    },
  }) as HTMLButtonElement & { setPressed(on: boolean): void };
  b.classList.add('toggle');
  b.setPressed = (on: boolean) => {
    b.setAttribute('aria-pressed', String(on));
    b.classList.toggle('on', on);
  };
  b.setPressed(options.pressed);
  return b;
}

export function select(label: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLSelectElement {
  const s = h('select', { 'aria-label': label, title: label, class: 'select' });
  setOptions(s, options, value);
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

export function setOptions(s: HTMLSelectElement, options: [string, string][], value: string): void {
  s.replaceChildren(...options.map(([v, text]) => h('option', { value: v }, text)));
  s.value = value;
}

/** Sets text only when it changed (saves style recalcs on hot paths). */
export function setText(el: Node, text: string): void {
  if (el.textContent !== text) {
    el.textContent = text;
  }
}

/** Sets an input's value only when it differs: writing the same value would move the caret of the one being typed in. */
export function setValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (input.value !== value) {
    input.value = value;
  }
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}
