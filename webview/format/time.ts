/** Times and delays as the panel shows them. DOM-free. */
import { escapeControl } from './text';

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** hh:mm:ss in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A record's time as the log shows it: `time` (hh:mm:ss.mmm local), `iso`, or `relative` to `baseMs`. */
export function formatTime(iso: string, mode: 'time' | 'iso' | 'relative', baseMs = 0): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return escapeControl(String(iso).slice(0, 30));
  }
  if (mode === 'iso') {
    return iso;
  }
  if (mode === 'relative') {
    const delta = (ms - baseMs) / 1000;
    return `${delta < 0 ? '-' : '+'}${Math.abs(delta).toFixed(3)} s`;
  }
  return `${clockTime(ms)}.${pad3(new Date(ms).getMilliseconds())}`;
}

export function formatDelay(ms: number): string {
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))} ms`;
  }
  const s = ms / 1000;
  return `${s < 10 && !Number.isInteger(s) ? s.toFixed(1) : Math.round(s)} s`;
}
