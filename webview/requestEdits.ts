/**
 * Edits in the request editor the host has not applied: when two configurations send the same request,
 * and the notice that says edits are pending, with Apply / Discard.
 */
import type { EditableConfig } from '../src/protocol';
import { button, h, icon, setText } from './dom';

/** Says the editor holds edits the host has not applied. While connected, Apply sends them (a reconnect); otherwise Connect does. */
export class UnappliedNotice {
  readonly el: HTMLElement;
  private readonly text = h('span', { class: 'unapplied-text' });
  private readonly applyBtn: HTMLButtonElement;

  constructor(apply: () => void, discard: () => void) {
    this.applyBtn = button({ label: 'Apply and reconnect', icon: 'check', text: true, variant: 'primary', onClick: apply });
    const discardBtn = button({ label: 'Discard changes', icon: 'discard', text: true, onClick: discard });
    this.el = h('div', { class: 'unapplied', role: 'status', hidden: true }, icon('circle-filled'), this.text, this.applyBtn, discardBtn);
  }

  render(edits: boolean, connected: boolean): void {
    this.el.hidden = !edits;
    this.applyBtn.hidden = !connected;
    setText(
      this.text,
      connected ? 'Changes not applied: the connection uses the previous request.' : 'Changes not applied yet: Connect sends them.',
    );
  }
}

/** A copy with every field present (the host's and a saved state's may lack some). */
export function normalised(config: EditableConfig): EditableConfig {
  return {
    url: config.url ?? '',
    kind: config.kind ?? 'auto',
    headers: (config.headers ?? []).map((x) => ({ ...x })),
    method: config.method || 'GET',
    body: config.body ?? '',
    protocols: [...(config.protocols ?? [])],
    profile: config.profile,
    ...(config.adapter ? { adapter: config.adapter } : {}),
  };
}

/** Whether two configurations send the same request (the host drops disabled and unnamed headers when it applies one). */
export function sameConfig(a: EditableConfig, b: EditableConfig): boolean {
  const sent = (c: EditableConfig) =>
    JSON.stringify([
      c.url.trim(),
      c.kind,
      c.headers.filter((x) => x.enabled && x.name.trim()).map((x) => [x.name.trim(), x.value]),
      (c.method || 'GET').toUpperCase(),
      c.body,
      c.protocols,
    ]);
  return sent(a) === sent(b);
}
