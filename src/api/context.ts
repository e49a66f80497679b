/**
 * What every operation needs: the store, the engine, the account and region, and a compile cache so a
 * definition is compiled once however many executions run it.
 * @module
 */
import type { Machine } from '../asl/model.js';
import type { Clock } from '../runtime/clock.js';
import type { Engine } from '../runtime/engine.js';
import type { Store } from '../store/store.js';
import { invalidPageToken, Validator } from './errors.js';

export interface ApiContext {
  store: Store;
  engine: Engine;
  clock: Clock;
  region: string;
  accountId: string;
  machine(definition: string): Machine;
}

export function createApiContext(opts: { store: Store; engine: Engine; clock: Clock; region: string; accountId: string }): ApiContext {
  return { ...opts, machine: (definition: string): Machine => opts.engine.machines.get(definition) };
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
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

export interface PageOptions {
  /** The longest nextToken the operation's model accepts (PageToken 1024; ListExecutions 3096). */
  tokenMax?: number;
}

/** Checks maxResults (0..1000, 0 = default 100) and nextToken as AWS's model does; returns the page size. */
export function pageParams(p: Params, opts: PageOptions = {}): { size: number; token: { o: number; k?: string } | undefined } {
  const v = new Validator().optionalInt(p, 'maxResults', 0, 1000).optionalString(p, 'nextToken', { min: 1, max: opts.tokenMax ?? 1024 });
  v.check();
  const size = typeof p.maxResults === 'number' && p.maxResults > 0 ? p.maxResults : 100;
  if (p.nextToken === undefined || p.nextToken === null) return { size, token: undefined };
  const token = decodeToken<{ o: number; k?: string }>(p.nextToken);
  if (!token || typeof token.o !== 'number' || !Number.isInteger(token.o) || token.o < 0) throw invalidPageToken();
  return { size, token };
}

/**
 * One page of `items` (already in the order AWS lists them). The token remembers the position and the
 * key of the last item given, so a page stays right when items before it were deleted meanwhile.
 */
export function paginate<T>(items: T[], p: Params, key: (t: T) => string, opts: PageOptions = {}): { page: T[]; nextToken?: string } {
  const { size, token } = pageParams(p, opts);
  let from = 0;
  if (token) {
    from = Math.min(token.o, items.length);
    if (token.k !== undefined && (from === 0 || key(items[from - 1]!) !== token.k)) {
      const at = items.findIndex((t) => key(t) === token.k);
      if (at >= 0) from = at + 1;
    }
  }
  const page = items.slice(from, from + size);
  const out: { page: T[]; nextToken?: string } = { page };
  if (from + size < items.length && page.length) out.nextToken = encodeToken({ o: from + size, k: key(page[page.length - 1]!) });
  return out;
}
