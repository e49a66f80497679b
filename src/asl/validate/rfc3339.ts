/**
 * RFC 3339 timestamps as AWS checks them in Wait `Timestamp` fields and Choice `Timestamp*` rules: the
 * same rule the engine applies at run time (`shared/time.ts`).
 * @module
 */
import { parseTimestamp } from '../../shared/time.js';

export function isRfc3339(s: string): boolean {
  return parseTimestamp(s) !== undefined;
}
