/**
 * What every operation needs: the store, the engine, the account and region, and a compile cache so a
 * definition is compiled once however many executions run it.
 * @module
 */
import { compileMachine } from '../asl/compile.js';
import type { Machine } from '../asl/model.js';
import type { Json } from '../shared/json.js';
import type { Clock } from '../runtime/clock.js';
import type { Engine } from '../runtime/engine.js';
import type { Store } from '../store/store.js';

export interface ApiContext {
  store: Store;
  engine: Engine;
  clock: Clock;
  region: string;
  accountId: string;
  machine(definition: string): Machine;
}

export function createApiContext(opts: { store: Store; engine: Engine; clock: Clock; region: string; accountId: string }): ApiContext {
  const cache = new Map<string, Machine>();
  return {
    ...opts,
    machine(definition: string): Machine {
      let m = cache.get(definition);
      if (!m) {
        m = compileMachine(JSON.parse(definition) as Json);
        if (cache.size >= 1000) cache.delete(cache.keys().next().value as string);
        cache.set(definition, m);
      }
      return m;
    },
  };
}

/** Epoch ms → the epoch seconds (with fraction) AWS's JSON protocol uses. */
export const epoch = (ms: number): number => ms / 1000;

export type Params = Record<string, unknown>;
export type Operation = (ctx: ApiContext, params: Params) => Promise<unknown>;

/** Opaque pagination tokens. */
export function encodeToken(v: object): string {
  return Buffer.from(JSON.stringify(v)).toString('base64');
}

export function decodeToken<T>(token: unknown): T | undefined {
  if (typeof token !== 'string' || !token) return undefined;
  try {
    return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
