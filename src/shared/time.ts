/**
 * ISO-8601 / RFC 3339 timestamps as ASL accepts them ("2016-03-14T01:59:00Z", fractions up to
 * nanoseconds, "Z" or a ±hh:mm offset). Parsed into epoch milliseconds plus the sub-millisecond part,
 * so comparisons of nanosecond timestamps stay exact.
 * @module
 */

export interface Timestamp {
  /** Epoch milliseconds (floor). */
  ms: number;
  /** Nanoseconds within the millisecond (0..999999). */
  subMsNanos: number;
}

// YYYY-MM-DDThh:mm[:ss[.fraction]](Z|±hh:mm), T and Z in either case (as AWS accepts them).
const RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(s: string): Timestamp | undefined {
  const m = RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = se === undefined ? 0 : Number(se);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > dim) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone![0] === '-' ? -1 : 1;
    const oh = Number(zone!.slice(1, 3));
    const om = Number(zone!.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  const nanos = frac ? Number(frac.slice(0, 9).padEnd(9, '0')) : 0;
  const base = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMin * 60000;
  return { ms: base + Math.floor(nanos / 1e6), subMsNanos: nanos % 1e6 };
}

export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.subMsNanos - b.subMsNanos;
}

/** ISO text of epoch milliseconds as AWS prints times in the context object ("2024-01-01T00:00:00.123Z"). */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}
