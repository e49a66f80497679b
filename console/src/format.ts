/** Display helpers: times, durations, statuses, JSON. */
import type { ExecutionStatus } from './api.js';

/** Where times are shown in: the browser's time zone, or UTC (a choice kept in localStorage). */
export type TimeZoneMode = 'local' | 'utc';
const TZ_KEY = 'stepwise.timeZone';

function storedMode(): TimeZoneMode {
  try {
    return localStorage.getItem(TZ_KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

let zoneMode: TimeZoneMode = storedMode();

export const timeZoneMode = (): TimeZoneMode => zoneMode;

export function setTimeZoneMode(mode: TimeZoneMode): void {
  zoneMode = mode;
  try {
    localStorage.setItem(TZ_KEY, mode);
  } catch {
    /* private mode: for this page only */
  }
}

/** `UTC`, `UTC+01:00`, `UTC-05:30`: the offset of the browser's zone at a date (it moves with summer time). */
export function utcOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  if (off === 0) return 'UTC';
  const a = Math.abs(off);
  return `UTC${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The browser's zone, named: `Europe/Paris (UTC+01:00)`. */
export function localZoneName(): string {
  let name = '';
  try {
    name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch {
    /* no Intl */
  }
  const off = utcOffset(new Date());
  return name && name !== 'UTC' ? `${name} (${off})` : off;
}

/** A date and time to the millisecond, with its zone: `2026-12-06 22:51:01.651 UTC+01:00` (or `… UTC`). */
export function time(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '–';
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  if (zoneMode === 'utc')
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)} ${utcOffset(d)}`;
}

/** `in 23 h 59 min` / `5 min 2 s ago`, from now. */
export function fromNow(epochMs: number, now = Date.now()): string {
  const ms = epochMs - now;
  return ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`;
}

/** A `datetime-local` field's value ↔ epoch ms, in the zone times are shown in. */
export function toDateTimeField(ms: string | null): string {
  if (!ms) return '';
  const n = Number(ms);
  const shift = zoneMode === 'utc' ? 0 : new Date(n).getTimezoneOffset() * 60000;
  return new Date(n - shift).toISOString().slice(0, 16);
}

export function fromDateTimeField(v: string): string | undefined {
  if (!v) return undefined;
  return String(zoneMode === 'utc' ? Date.parse(`${v}Z`) : new Date(v).getTime());
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
