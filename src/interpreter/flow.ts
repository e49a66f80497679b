/**
 * What running a state yields (Flow) and what running a thread yields (Outcome). Values or promises:
 * states that need no JSONata evaluation run synchronously, and the loops only await real promises.
 * @module
 */
import type { Json } from '../shared/json.js';

export type Flow =
  | { k: 'next'; next: string; output: Json; bound?: number }
  | { k: 'end'; output: Json; bound?: number }
  | { k: 'blocked' }
  | { k: 'fail'; error: string; cause: string | undefined; fatal: boolean };

export type Outcome =
  | { k: 'blocked' }
  | { k: 'succeeded'; output: Json; bound?: number }
  | { k: 'failed'; error: string; cause: string | undefined; fatal: boolean };

export type Maybe<T> = T | Promise<T>;

export const BLOCKED: { k: 'blocked' } = { k: 'blocked' };

/** Applies `f` to a value or, once resolved, to a promise's value. */
export function then<T, U>(x: Maybe<T>, f: (v: T) => Maybe<U>): Maybe<U> {
  return x instanceof Promise ? x.then(f) : f(x);
}
