/**
 * Retry and Catch: which retrier or catcher handles an error, and the back-off of a retry. Pure; the
 * jitter comes from the step's seeded random source.
 * @module
 */
import type { Catcher, Retrier } from '../asl/model.js';
import type { Rng } from '../expr/scope.js';

/** Errors no retrier or catcher can handle: they fail the execution at once. */
export const FATAL_ERRORS: ReadonlySet<string> = new Set(['States.Runtime']);

export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  for (const e of errorEquals) {
    if (e === error) return true;
    // AWS's docs call States.DataLimitExceeded terminal, but recorded executions show States.ALL catching
    // it when a task result is too large; only States.Runtime escapes every retrier and catcher.
    if (e === 'States.ALL') return !FATAL_ERRORS.has(error);
    if (e === 'States.TaskFailed' && error !== 'States.Timeout' && !FATAL_ERRORS.has(error) && error !== 'States.HeartbeatTimeout') {
      return true;
    }
  }
  return false;
}

/** Index of the first retrier whose ErrorEquals matches, or -1. */
export function findRetrier(retriers: readonly Retrier[], error: string): number {
  for (let i = 0; i < retriers.length; i++) if (errorMatches(retriers[i]!.errorEquals, error)) return i;
  return -1;
}

export function findCatcher(catchers: readonly Catcher[], error: string): Catcher | undefined {
  for (const c of catchers) if (errorMatches(c.errorEquals, error)) return c;
  return undefined;
}

/** Back-off before retry number `attempt` (0 = first retry), in ms. */
export function retryDelayMs(r: Retrier, attempt: number, rng: Rng): number {
  let seconds = r.intervalSeconds * Math.pow(r.backoffRate, attempt);
  if (r.maxDelaySeconds !== undefined) seconds = Math.min(seconds, r.maxDelaySeconds);
  if (r.jitter === 'FULL') seconds = rng.next() * seconds;
  return Math.round(seconds * 1000);
}
