/**
 * The Checks strip above the log: the session's contract run, rule by rule (passed, failed, pending,
 * or holding: satisfied so far but still able to break), why, and when; a summary with the run's
 * time against its timeout; Run again; collapsible. A rule that a record decided is a button that
 * selects that record in the log. Rule names and details are text (a workspace writes the names, the
 * server's data is quoted in details).
 */
import type { ChecksView, RuleState, RuleStatus } from '../src/protocol';
import { button, h, icon, setText } from './dom';

export interface ChecksHost {
  runAgain(): void;
  /** Show the record `seq` in the log and the detail pane; says why not when it cannot. */
  reveal(seq: number, rule: string): void;
  /** The strip was collapsed or expanded (kept with the view's state). */
  collapsedChanged(): void;
}

const ICONS: Record<RuleStatus, string> = {
  passed: 'pass-filled',
  failed: 'error',
  pending: 'circle-large-outline',
  holding: 'pass',
};

const WORDS: Record<RuleStatus, string> = { passed: 'passed', failed: 'failed', pending: 'pending', holding: 'holding so far' };

/** While a run is on, the elapsed time is redrawn this often. */
const TICK_MS = 250;

interface RuleEl {
  li: HTMLLIElement;
  row: HTMLButtonElement | HTMLDivElement;
  icon: HTMLElement;
  name: HTMLSpanElement;
  status: HTMLSpanElement;
  detail: HTMLSpanElement;
  at: HTMLSpanElement;
}

/** `842 ms`, `3.2 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export class ChecksStrip {
  readonly el: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly title: HTMLSpanElement;
  private readonly summary: HTMLSpanElement;
  private readonly time: HTMLSpanElement;
  private readonly list: HTMLUListElement;
  private readonly problem: HTMLDivElement;
  private rules: RuleEl[] = [];
  private view: ChecksView | undefined;
  /** When the view arrived (this page's clock): the run's time counts on from its `elapsedMs`. */
  private receivedAt = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private _collapsed = false;

  constructor(private readonly host: ChecksHost) {
    this.title = h('span', { class: 'checks-title' });
    this.toggle = h(
      'button',
      { type: 'button', class: 'checks-toggle', 'aria-expanded': 'true', title: 'Collapse the checks' },
      icon('chevron-down', 'checks-chevron'),
      this.title,
    );
    this.toggle.addEventListener('click', () => {
      this.collapsed = !this._collapsed;
      this.host.collapsedChanged();
    });
    this.summary = h('span', { class: 'checks-summary', role: 'status', 'aria-live': 'polite' });
    this.time = h('span', { class: 'checks-time' });
    const again = button({
      label: 'Run again',
      icon: 'debug-rerun',
      text: true,
      title: 'Run the checks again on a fresh connection',
      onClick: () => this.host.runAgain(),
    });
    again.classList.add('checks-again');
    this.list = h('ul', { class: 'checks-list', 'aria-label': 'Rules' });
    this.problem = h('div', { class: 'checks-problem', role: 'alert', hidden: true });
    this.el = h(
      'section',
      { class: 'checks', 'aria-label': 'Checks', hidden: true },
      h('div', { class: 'checks-head' }, this.toggle, this.summary, this.time, again),
      this.problem,
      this.list,
    );
  }

  get collapsed(): boolean {
    return this._collapsed;
  }

  set collapsed(on: boolean) {
    this._collapsed = on;
    this.el.classList.toggle('collapsed', on);
    this.toggle.setAttribute('aria-expanded', String(!on));
    this.toggle.title = `${on ? 'Expand' : 'Collapse'} the checks${this.view ? ` of profile "${this.view.profile}"` : ''}`;
    const chevron = this.toggle.firstElementChild as HTMLElement;
    chevron.className = `codicon codicon-${on ? 'chevron-right' : 'chevron-down'} checks-chevron`;
    this.list.hidden = on;
  }

  /** Shows a run's state; undefined hides the strip (the session's profile has no `expect`). */
  update(view: ChecksView | undefined): void {
    this.view = view;
    this.receivedAt = Date.now();
    this.el.hidden = !view;
    if (!view) {
      this.stopTicker();
      return;
    }
    // The profile's name is in the request bar already; here it is the tooltip (a narrow log keeps the summary).
    setText(this.title, 'Checks');
    this.toggle.title = `${this._collapsed ? 'Expand' : 'Collapse'} the checks of profile "${view.profile}"`;
    this.problem.hidden = view.problem === undefined;
    if (view.problem !== undefined) {
      this.problem.replaceChildren(icon('error'), document.createTextNode(` The expect block is not valid: ${view.problem}`));
    }
    this.renderRules(view.rules);
    this.renderSummary();
    if (view.running && !this.ticker) {
      this.ticker = setInterval(() => this.renderTime(), TICK_MS);
    } else if (!view.running) {
      this.stopTicker();
    }
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private renderSummary(): void {
    const view = this.view!;
    const n = (s: RuleStatus) => view.rules.filter((r) => r.status === s).length;
    const parts: string[] = [];
    if (view.problem !== undefined) {
      parts.push('not run');
    } else {
      const passed = n('passed');
      const failed = n('failed');
      const holding = n('holding');
      const pending = n('pending');
      parts.push(`${passed} passed`, `${failed} failed`);
      if (holding) {
        parts.push(`${holding} holding`);
      }
      if (pending) {
        parts.push(`${pending} pending`);
      }
    }
    const summary = view.summary;
    this.el.classList.toggle('has-failed', (summary?.failed ?? n('failed')) > 0);
    this.el.classList.toggle('running', view.running);
    // While running, the time ticking beside it says so.
    setText(this.summary, parts.join(' · ') + (summary ? ` — ${summary.end}` : ''));
    this.summary.title = this.summary.textContent ?? '';
    this.renderTime();
  }

  private renderTime(): void {
    const view = this.view;
    if (!view || view.problem !== undefined) {
      setText(this.time, '');
      return;
    }
    const elapsed = view.running ? Math.min(view.timeoutMs, view.elapsedMs + Date.now() - this.receivedAt) : view.elapsedMs;
    setText(this.time, `${formatMs(elapsed)} / ${formatMs(view.timeoutMs)}`);
  }

  /** Rows are updated in place (a focused rule keeps its focus as states change). */
  private renderRules(rules: readonly RuleState[]): void {
    if (
      rules.length !== this.rules.length ||
      rules.some((r, i) => (r.decidedBy !== undefined) !== this.rules[i].row instanceof HTMLButtonElement)
    ) {
      this.rules = rules.map((r) => this.ruleEl(r));
      this.list.replaceChildren(...this.rules.map((e) => e.li));
    }
    rules.forEach((r, i) => this.fillRule(this.rules[i], r));
  }

  private ruleEl(r: RuleState): RuleEl {
    const el: RuleEl = {
      li: h('li', { class: 'check' }),
      row: r.decidedBy !== undefined ? h('button', { type: 'button', class: 'check-row' }) : h('div', { class: 'check-row' }),
      icon: icon('circle-large-outline', 'check-icon'),
      name: h('span', { class: 'check-name' }),
      status: h('span', { class: 'check-status' }),
      detail: h('span', { class: 'check-detail' }),
      at: h('span', { class: 'check-at' }),
    };
    el.row.append(el.icon, el.name, el.status, el.detail, el.at);
    el.li.append(el.row);
    if (el.row instanceof HTMLButtonElement) {
      el.row.addEventListener('click', () => {
        const seq = Number(el.row.dataset.seq);
        if (Number.isFinite(seq)) {
          this.host.reveal(seq, el.name.textContent ?? '');
        }
      });
    }
    return el;
  }

  private fillRule(el: RuleEl, r: RuleState): void {
    el.li.className = `check st-${r.status}`;
    el.icon.className = `codicon codicon-${ICONS[r.status]} check-icon`;
    setText(el.name, r.name);
    setText(el.status, WORDS[r.status]);
    setText(el.detail, r.detail);
    setText(el.at, r.atMs !== undefined ? `at ${formatMs(r.atMs)}` : '');
    const label = `${r.name}: ${WORDS[r.status]}, ${r.detail}${r.atMs !== undefined ? `, at ${formatMs(r.atMs)}` : ''}`;
    if (r.decidedBy !== undefined) {
      el.row.dataset.seq = String(r.decidedBy);
      el.row.setAttribute('aria-label', `${label}. Show the message that decided it`);
      el.row.title = `Show the record that decided it (#${r.decidedBy})${r.evidence !== undefined ? `\n${r.evidence}` : ''}`;
    } else {
      delete el.row.dataset.seq;
      el.row.setAttribute('aria-label', label);
      el.row.title = r.evidence ?? '';
    }
  }
}
