/**
 * What an expression can read: the state's input (`$`), the context object (`$$`), the variables in
 * scope (`$name`) and a deterministic random source (States.UUID, States.MathRandom, $uuid, $random),
 * seeded by the step's input so that replaying a history gives the same values.
 * @module
 */
import type { Json } from '../shared/json.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** A random (version 4) UUID. */
  uuid(): string;
}

export type Vars = Readonly<Record<string, Json>>;

export interface EvalScope {
  input: Json;
  context: Json;
  vars: Vars;
  rng: Rng;
}

/** A small, fast, seedable PRNG (mulberry32 over a 32-bit state). */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hex = (n: number) => Math.floor(next() * 2 ** n).toString(16).padStart(n / 4, '0');
  return {
    next,
    uuid() {
      const a = hex(32);
      const b = hex(16);
      const c = (0x4000 | Math.floor(next() * 0x1000)).toString(16);
      const d = (0x8000 | Math.floor(next() * 0x4000)).toString(16);
      const e = hex(24) + hex(24);
      return `${a}-${b}-${c}-${d}-${e}`;
    },
  };
}
