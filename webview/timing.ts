/**
 * Timing figures beside the counters: the continuity findings so far (gaps, duplicates, restarts),
 * the last round-trip time of a pong that answered our ping, and a sparkline of the RTTs of the last
 * minute (`sparkline.ts`). Built from the log's records. A click on the findings counter shows only
 * the findings in the log (and a second click shows everything again).
 */
import type { ConnRecord } from '../src/protocol';
import { h } from './dom';
import { SPARK_WINDOW_MS, Sparkline, type SparkPoint } from './sparkline';

export class TimingFigures {
  readonly el: HTMLElement;
  private readonly findings: HTMLButtonElement;
  private readonly rtt = h('span', {
    class: 'counter timing-rtt',
    hidden: true,
    title: 'Round-trip time of the last pong that answered our ping, and the last minute of them',
  });
  private readonly rttLabel = document.createTextNode('');
  private readonly spark = new Sparkline('timing-spark', ['rtt']);
  private problems = 0;
  private samples: SparkPoint[] = [];

  /** `toggleFindingsOnly` runs when the findings counter is clicked. */
  constructor(toggleFindingsOnly: () => void) {
    this.findings = h('button', {
      type: 'button',
      class: 'counter warn timing-findings',
      hidden: true,
      'aria-pressed': 'false',
      title: 'Continuity findings: events lost, repeated or started over across reconnects. Click to show only the findings',
    });
    this.findings.addEventListener('click', toggleFindingsOnly);
    this.rtt.append(this.rttLabel, this.spark.el);
    this.el = h('span', { class: 'timing' }, this.findings, this.rtt);
  }

  /** The log shows only findings (the counter reads as pressed). */
  setFindingsOnly(on: boolean): void {
    this.findings.setAttribute('aria-pressed', String(on));
    this.findings.classList.toggle('on', on);
  }

  append(records: readonly ConnRecord[]): void {
    let changed = false;
    for (const r of records) {
      if (r.kind === 'continuity' && r.status !== 'resumed') {
        this.problems++;
        changed = true;
      } else if (r.kind === 'pong' && r.rttMs !== undefined) {
        this.samples.push({ at: Date.parse(r.time), value: r.rttMs });
        changed = true;
      }
    }
    if (changed) {
      this.draw();
    }
  }

  reset(records: readonly ConnRecord[]): void {
    this.problems = 0;
    this.samples = [];
    this.append(records);
    this.draw();
  }

  private draw(): void {
    this.findings.hidden = this.problems === 0;
    this.findings.textContent = `⚠ ${this.problems} finding${this.problems === 1 ? '' : 's'}`;
    const last = this.samples[this.samples.length - 1];
    this.rtt.hidden = last === undefined;
    if (!last) {
      return;
    }
    this.samples = this.samples.filter((s) => last.at - s.at <= SPARK_WINDOW_MS);
    this.rttLabel.textContent = `RTT ${last.value} ms `;
    this.spark.draw([this.samples], last.at);
  }
}
