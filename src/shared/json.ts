/**
 * JSON values as the engine sees them. Values are treated as immutable: nothing in the engine mutates a
 * value it did not just create, so values are shared freely between states, events and executions.
 * @module
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** Sets an own property, `__proto__` included (plain assignment to `__proto__` would set the prototype). */
export function setOwn(o: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON type names as AWS uses them in messages ('object', 'array', 'string', 'number', 'boolean', 'null'). */
export function jsonTypeName(v: unknown): 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!hasOwn(b as object, k)) return false;
    if (!deepEqual((a as JsonObject)[k], (b as JsonObject)[k])) return false;
  }
  return true;
}

/** A deep copy of a JSON value (for handing a value to code that may mutate it). */
export function cloneJson<T extends Json>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneJson(v[i] as Json);
    return out as T;
  }
  const out: JsonObject = {};
  for (const k in v) if (hasOwn(v, k)) setOwn(out, k, cloneJson((v as JsonObject)[k]!));
  return out as T;
}

/**
 * True when `v` is already a plain JSON value (plain objects and arrays, finite numbers, no undefined
 * members), so it can be taken as it is instead of being serialised and parsed again.
 */
export function isPlainJson(v: unknown, depth = 0): v is Json {
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object': {
      if (depth > 64) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (!isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Compact JSON text, as AWS writes payloads into history events and API responses. */
export function toJsonText(v: Json | undefined): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

/**
 * The deepest nesting of arrays and objects AWS reads: it parses JSON with Jackson, whose
 * StreamReadConstraints allow 1000 levels by default. Every walk over JSON in the engine may rely on
 * values from outside being at most this deep (deeper text is refused where it is parsed).
 */
export const MAX_JSON_DEPTH = 1000;

/** Jackson's message for text nested deeper than `max` (StreamConstraintsException). */
export function nestingDepthMessage(max = MAX_JSON_DEPTH): string {
  return `Document nesting depth (${max + 1}) exceeds the maximum allowed (${max}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`;
}

/**
 * Where JSON text first opens an array or object deeper than `max` levels (an offset into the text), or
 * -1. Reads brackets outside strings only; it does not check the syntax (the parser does).
 */
export function textNestingOver(text: string, max = MAX_JSON_DEPTH): number {
  if (text.length <= max) return -1;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote not escaped.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/**
 * Levels of arrays and objects each value nests (0 for a scalar), cached per object: values are immutable,
 * so a new root over a large shared subtree (a ResultPath, an Assign) costs only its new nodes.
 */
const heightCache = new WeakMap<object, number>();

/** The levels `v` nests, or Infinity once that is more than `budget` (then nothing below is cached). */
function height(v: unknown, budget: number): number {
  if (v === null || typeof v !== 'object') return 0;
  const cached = heightCache.get(v);
  if (cached !== undefined) return cached <= budget ? cached : Infinity;
  if (budget <= 0) return Infinity;
  let h = 0;
  let entries = 0;
  if (Array.isArray(v)) {
    entries = v.length;
    for (let i = 0; i < v.length; i++) {
      const c = height(v[i], budget - 1);
      if (c > h) {
        if (c === Infinity) return Infinity;
        h = c;
      }
    }
  } else {
    for (const k in v) {
      entries++;
      const c = height((v as Record<string, unknown>)[k], budget - 1);
      if (c > h) {
        if (c === Infinity) return Infinity;
        h = c;
      }
    }
  }
  // Small nodes are cheaper to walk again than to remember.
  if (entries >= CACHE_MIN_ENTRIES) heightCache.set(v, h + 1);
  return h + 1;
}

/** Whether a value nests arrays and objects deeper than `max` levels (recursion at most `max` deep). */
export function nestedDeeperThan(v: unknown, max = MAX_JSON_DEPTH): boolean {
  return height(v, max) > max;
}

/**
 * Parses JSON text as AWS reads it: not JSON, or nested deeper than MAX_JSON_DEPTH, is an error (with
 * Jackson's message for the nesting; the parser's own message otherwise).
 */
export function tryParseJson(text: string): { ok: true; value: Json } | { ok: false; message: string } {
  if (textNestingOver(text) >= 0) return { ok: false, message: nestingDepthMessage() };
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

// ------------------------------------------------------------------------------------------------
// Size of the UTF-8 JSON text of a value, without serialising it. Objects and arrays cache their size,
// so a ResultPath that builds a new root over a large shared subtree costs only the new path.
// ------------------------------------------------------------------------------------------------

const sizeCache = new WeakMap<object, number>();

// Characters JSON.stringify escapes (quote, backslash, controls) or writes as \uXXXX (lone surrogates).
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function stringSize(s: string): number {
  if (!NEEDS_CARE.test(s)) return (s.length < 32 ? utf8Length(s) : Buffer.byteLength(s, 'utf8')) + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) n += 2;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6; // lone surrogate is escaped by JSON.stringify
    } else if (c >= 0xd800 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/** UTF-8 length of a short string without surrogate halves (cheaper than a native call for short strings). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 ? 1 : 2;
  }
  return n;
}

/**
 * True when the JSON text of `v` is at most `limit` bytes. Checks a cheap upper bound first (string
 * lengths only, no character scan), so small values cost a walk over their nodes and nothing more.
 */
export function jsonFitsIn(v: Json | undefined, limit: number): boolean {
  return jsonBoundWithin(v, limit) !== undefined;
}

/**
 * A number of bytes the JSON text of `v` does not exceed, when that is at most `limit` (the cheap upper
 * bound, or else the exact size); undefined when the value is larger than `limit`.
 */
export function jsonBoundWithin(v: Json | undefined, limit: number): number | undefined {
  const bound = upperBound(v, limit);
  if (bound <= limit) return bound;
  const exact = jsonByteSize(v);
  return exact <= limit ? exact : undefined;
}

/** The cheap upper bound of the JSON size of `v` (walks it; strings counted by length). */
export function jsonUpperBound(v: Json | undefined): number {
  return upperBound(v, Infinity);
}

/** Upper bound of the UTF-8 JSON size (each UTF-16 unit is at most 6 bytes as an escape). Stops early past `cap`. */
function upperBound(v: Json | undefined, cap: number): number {
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case 'boolean':
      return 5;
    case 'number':
      return 24;
    case 'string':
      return v.length < 256 ? v.length * 6 + 2 : stringSize(v);
    default:
      break;
  }
  if (Array.isArray(v)) {
    if (v.length >= CACHE_MIN_ENTRIES) {
      const cached = sizeCache.get(v);
      if (cached !== undefined) return cached;
    }
    let n = 2;
    for (let i = 0; i < v.length && n <= cap; i++) n += 1 + upperBound(v[i] as Json, cap);
    return n;
  }
  // An upper bound tolerates over-counting, so inherited keys need no own-property check here.
  let n = 2;
  let count = 0;
  for (const k in v as JsonObject) {
    n += k.length * 6 + 4 + upperBound((v as JsonObject)[k], cap);
    if (n > cap) return n;
    count++;
  }
  if (count >= CACHE_MIN_ENTRIES) {
    const cached = sizeCache.get(v as object);
    if (cached !== undefined && cached < n) return cached;
  }
  return n;
}

export function jsonByteSize(v: Json | undefined): number {
  if (v === null || v === undefined) return 4;
  switch (typeof v) {
    case 'boolean':
      return v ? 4 : 5;
    case 'number':
      return Number.isFinite(v) ? String(v).length : 4;
    case 'string':
      return stringSize(v);
    default:
      return containerSize(v as object);
  }
}

/** Containers with many entries cache their size (they are what large payloads are made of). */
const CACHE_MIN_ENTRIES = 16;

function containerSize(v: object): number {
  if (Array.isArray(v)) {
    const big = v.length >= CACHE_MIN_ENTRIES;
    if (big) {
      const c = sizeCache.get(v);
      if (c !== undefined) return c;
    }
    let n = 2 + Math.max(0, v.length - 1);
    for (let i = 0; i < v.length; i++) n += jsonByteSize(v[i] as Json);
    if (big) sizeCache.set(v, n);
    return n;
  }
  const keys = Object.keys(v);
  const big = keys.length >= CACHE_MIN_ENTRIES;
  if (big) {
    const c = sizeCache.get(v);
    if (c !== undefined) return c;
  }
  let n = 2;
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = (v as JsonObject)[k];
    if (x === undefined) continue;
    n += (first ? 0 : 1) + stringSize(k) + 1 + jsonByteSize(x);
    first = false;
  }
  if (big) sizeCache.set(v, n);
  return n;
}
