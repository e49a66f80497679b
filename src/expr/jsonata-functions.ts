/**
 * The functions Step Functions adds to JSONata ($partition, $range, $hash, $random, $uuid, $parse),
 * the ones it replaces so that a replayed execution sees the same values ($now, $millis, $random
 * without a seed, $uuid) and the one it removes ($eval). Errors are thrown the way JSONata throws
 * them ({ code, ... }), so they reach the cause as "<code>: <message>".
 *
 * Integer arguments are truncated towards zero (AWS: "Built-in JSONata functions that require
 * integer values as parameters will automatically round down any non-integer numbers").
 * @module
 */
import { createHash } from 'node:crypto';
import jsonata from 'jsonata';
import type { JsonataScope } from './jsonata.js';

/** The binding under which an evaluation's scope is visible to the functions below (not a legal `$name`). */
export const SCOPE_BINDING = ' stepwise scope';

/** Largest sequence AWS lets an expression build (`[1..873782]` passes, one more fails). */
export const MAX_SEQUENCE = 873_782;

type Fn = (this: jsonata.Focus, ...args: any[]) => unknown;

export interface AwsFunction {
  readonly impl: Fn;
  readonly signature: string;
}

const scopeOf = (focus: jsonata.Focus): JsonataScope => focus.environment.lookup(SCOPE_BINDING) as JsonataScope;

/** JSONata's own implementation of a built-in function (which the functions below may shadow). */
const builtins = new Map<string, Promise<Fn>>();
function builtin(name: string): Promise<Fn> {
  let f = builtins.get(name);
  if (!f) {
    f = jsonata(`$${name}`)
      .evaluate(undefined)
      .then((v: { implementation: Fn }) => v.implementation);
    builtins.set(name, f);
  }
  return f;
}

/** The focus with the step's time as JSONata's evaluation timestamp. */
function atStepTime(focus: jsonata.Focus): jsonata.Focus {
  const environment = Object.create(focus.environment) as { timestamp: Date };
  environment.timestamp = new Date(scopeOf(focus).now);
  return { environment: environment as unknown as jsonata.Environment, input: focus.input };
}

const signatureError = (fn: string, index: number) => ({ code: 'T0410', index, token: fn });
const fail = (message: string) => ({ code: 'D3137', message });

/** A JSONata sequence: a one-element result collapses to its element, an empty one to nothing. */
function sequence(items: unknown[]): unknown[] {
  (items as unknown as { sequence: boolean }).sequence = true;
  return items;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** `new java.util.Random(seed).nextDouble()`: AWS's seeded $random ($random(42) is 0.7275636800328681). */
export function javaRandomDouble(seed: number): number {
  const mult = 0x5deece66dn;
  const mask = (1n << 48n) - 1n;
  let s = (toJavaLong(seed) ^ mult) & mask;
  const next = (bits: number): number => {
    s = (s * mult + 0xbn) & mask;
    return Number(s >> BigInt(48 - bits));
  };
  const hi = next(26);
  const lo = next(27);
  return (hi * 2 ** 27 + lo) / 2 ** 53;
}

/** Java's `(long) d`: truncation, saturating at the long range, NaN to 0. */
function toJavaLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 2 ** 63) return (1n << 63n) - 1n;
  if (d <= -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(d));
}

export const AWS_FUNCTIONS: Readonly<Record<string, AwsFunction>> = {
  partition: {
    signature: '<xn?:a>',
    impl(array: unknown, size: number | undefined) {
      if (array === undefined) return undefined;
      if (!Array.isArray(array)) throw { code: 'T0412', index: 1, token: 'partition' };
      if (array.length === 0) return undefined;
      if (size === undefined) return [array.slice()];
      const n = Math.trunc(size);
      if (n < 0) throw fail('Second argument must be zero or greater');
      if (n === 0) return undefined;
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += n) out.push(array.slice(i, i + n));
      return out;
    },
  },
  range: {
    signature: '<nnn?:a>',
    impl(start: number | undefined, end: number | undefined, step: number | undefined) {
      if (start === undefined) throw signatureError('range', 1);
      if (end === undefined) throw signatureError('range', 2);
      if (step === undefined) return undefined;
      const a = Math.trunc(start);
      const b = Math.trunc(end);
      const d = Math.trunc(step);
      if (d === 0 || (d > 0 && a > b) || (d < 0 && a < b)) return undefined;
      const count = Math.floor((b - a) / d) + 1;
      if (count > MAX_SEQUENCE) throw { code: 'D2015', value: MAX_SEQUENCE };
      const out: number[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = a + i * d;
      return sequence(out);
    },
  },
  hash: {
    signature: '<ss?:s>',
    impl(value: string | undefined, algorithm: string | undefined) {
      if (value === undefined) throw signatureError('hash', 1);
      if (algorithm === undefined) return undefined;
      const alg = HASHES[algorithm];
      if (alg === undefined) throw fail(`Hash algorithm '${algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5`);
      return createHash(alg).update(value, 'utf8').digest('hex');
    },
  },
  random: {
    signature: '<n?:n>',
    impl(this: jsonata.Focus, seed: number | undefined) {
      return seed === undefined ? scopeOf(this).rng.next() : javaRandomDouble(seed);
    },
  },
  uuid: {
    signature: '<:s>',
    impl(this: jsonata.Focus) {
      return scopeOf(this).rng.uuid();
    },
  },
  parse: {
    signature: '<s:j>',
    impl(text: string | undefined) {
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw fail('Invalid JSON');
      }
    },
  },
  // $eval is not available in Step Functions: calling it is calling a non-function.
  eval: {
    signature: '<x*:x>',
    impl() {
      throw { code: 'T1006', token: 'eval' };
    },
  },
  now: {
    signature: '<s?s?:s>',
    async impl(this: jsonata.Focus, picture: string | undefined, timezone: string | undefined) {
      return (await builtin('fromMillis')).call(this, scopeOf(this).now, picture, timezone);
    },
  },
  // A picture without a date takes the missing parts from the evaluation's time: the step's.
  toMillis: {
    signature: '<s-s?:n>',
    async impl(this: jsonata.Focus, timestamp: string | undefined, picture: string | undefined) {
      return (await builtin('toMillis')).call(atStepTime(this), timestamp, picture);
    },
  },
  millis: {
    signature: '<:n>',
    impl(this: jsonata.Focus) {
      return scopeOf(this).now;
    },
  },
};
