/** Display helpers: times, durations, statuses, JSON. */
import type { ExecutionStatus } from './api.js';

export function time(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '–';
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const STATUS_LABEL: Record<string, string> = {
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  TIMED_OUT: 'Timed out',
  ABORTED: 'Aborted',
  PENDING_REDRIVE: 'Pending redrive',
};

export const STATUS_ICON: Record<string, string> = {
  RUNNING: '◔',
  SUCCEEDED: '✓',
  FAILED: '✕',
  TIMED_OUT: '◷',
  ABORTED: '⊘',
  PENDING_REDRIVE: '↻',
};

export function statusClass(s: ExecutionStatus | string): string {
  return `status status-${s.toLowerCase().replace(/_/g, '-')}`;
}

/** Pretty JSON text (or the text as it is, when it is not JSON). */
export function prettyJson(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export { causeSummary } from '../../src/history/timeline.js';

export function arnName(arn: string): string {
  const parts = arn.split(':');
  return parts[parts.length - 1] ?? arn;
}
