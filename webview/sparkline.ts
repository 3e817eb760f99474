/**
 * A small SVG sparkline of the last minute, one polyline per series, stroked in the theme's chart
 * colours by the stylesheet (no chart library). The header's RTT and messages/s lines both use it.
 */

const SVG = 'http://www.w3.org/2000/svg';

/** The span of time a sparkline shows. */
export const SPARK_WINDOW_MS = 60_000;
export const SPARK_WIDTH = 60;
export const SPARK_HEIGHT = 14;

/** One value at one time (ms, any clock the series share). */
export interface SparkPoint {
  at: number;
  value: number;
}

export class Sparkline {
  readonly el: SVGSVGElement;
  private readonly lines: SVGPolylineElement[];

  /** `series` names each line's class (`spark-<name>`), drawn in that order. */
  constructor(className: string, series: readonly string[]) {
    this.el = document.createElementNS(SVG, 'svg');
    this.el.setAttribute('class', `spark ${className}`);
    this.el.setAttribute('width', String(SPARK_WIDTH));
    this.el.setAttribute('height', String(SPARK_HEIGHT));
    this.el.setAttribute('viewBox', `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`);
    this.el.setAttribute('aria-hidden', 'true');
    this.lines = series.map((name) => {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', `spark-${name}`);
      line.setAttribute('fill', 'none');
      this.el.append(line);
      return line;
    });
  }

  /**
   * Draws each series (in the constructor's order) over the minute that ends at `end`, all on one
   * scale from 0 to the largest value shown. Points older than the minute are left out; a single point
   * is drawn as a level line to the right edge, so it shows.
   */
  draw(series: readonly (readonly SparkPoint[])[], end: number): void {
    const start = end - SPARK_WINDOW_MS;
    let max = 0;
    for (const points of series) {
      for (const p of points) {
        if (p.at >= start && p.value > max) {
          max = p.value;
        }
      }
    }
    const scale = max > 0 ? max : 1;
    series.forEach((points, i) => {
      const line = this.lines[i];
      if (!line) {
        return;
      }
      const coords: string[] = [];
      for (const p of points) {
        if (p.at < start) {
          continue;
        }
        const x = ((p.at - start) / SPARK_WINDOW_MS) * SPARK_WIDTH;
        const y = SPARK_HEIGHT - 1 - (p.value / scale) * (SPARK_HEIGHT - 2);
        coords.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      }
      if (coords.length === 1) {
        coords.push(`${SPARK_WIDTH},${coords[0].split(',')[1]}`);
      }
      const text = coords.join(' ');
      if (line.getAttribute('points') !== text) {
        line.setAttribute('points', text);
      }
    });
  }
}
