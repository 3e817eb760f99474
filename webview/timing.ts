/**
 * Timing figures beside the counters: the continuity findings so far (gaps, duplicates, restarts),
 * the last round-trip time of a pong that answered our ping, and a sparkline of the RTTs of the last
 * minute, drawn as SVG in the theme's colours (no chart library). Built from the log's records.
 */
import type { ConnRecord } from '../src/protocol';
import { h } from './dom';

const WINDOW_MS = 60_000;
const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 60;
const HEIGHT = 14;

export class TimingFigures {
  readonly el: HTMLElement;
  private readonly findings = h('span', {
    class: 'counter warn timing-findings',
    hidden: true,
    title: 'Continuity findings: events lost, repeated or started over across reconnects',
  });
  private readonly rtt = h('span', {
    class: 'counter timing-rtt',
    hidden: true,
    title: 'Round-trip time of the last pong that answered our ping',
  });
  private readonly spark = document.createElementNS(SVG, 'svg');
  private readonly line = document.createElementNS(SVG, 'polyline');
  private problems = 0;
  private samples: { at: number; ms: number }[] = [];

  constructor() {
    this.spark.setAttribute('class', 'timing-spark');
    this.spark.setAttribute('width', String(WIDTH));
    this.spark.setAttribute('height', String(HEIGHT));
    this.spark.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    this.spark.setAttribute('aria-hidden', 'true');
    this.line.setAttribute('fill', 'none');
    this.spark.append(this.line);
    this.rtt.append(this.spark);
    this.el = h('span', { class: 'timing' }, this.findings, this.rtt);
  }

  append(records: readonly ConnRecord[]): void {
    let changed = false;
    for (const r of records) {
      if (r.kind === 'continuity' && r.status !== 'resumed') {
        this.problems++;
        changed = true;
      } else if (r.kind === 'pong' && r.rttMs !== undefined) {
        this.samples.push({ at: Date.parse(r.time), ms: r.rttMs });
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
    this.samples = this.samples.filter((s) => last.at - s.at <= WINDOW_MS);
    const label = this.rtt.firstChild !== this.spark ? this.rtt.firstChild : undefined;
    const text = `RTT ${last.ms} ms `;
    if (label) {
      label.textContent = text;
    } else {
      this.rtt.prepend(document.createTextNode(text));
    }
    const max = Math.max(...this.samples.map((s) => s.ms), 0.1);
    const points = this.samples.map(
      (s) =>
        `${(((s.at - (last.at - WINDOW_MS)) / WINDOW_MS) * WIDTH).toFixed(1)},${(HEIGHT - 1 - (s.ms / max) * (HEIGHT - 2)).toFixed(1)}`,
    );
    this.line.setAttribute('points', points.length === 1 ? `${points[0]} ${WIDTH},${points[0].split(',')[1]}` : points.join(' '));
  }
}
