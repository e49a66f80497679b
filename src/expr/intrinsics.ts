/**
 * The 18 intrinsic functions of ASL (States.Format, States.StringToJson, …), parsed once into an AST
 * (intrinsic-parser.ts) and compiled into a tree of closures.
 *
 * Failures at run time are what AWS reports, as far as recorded AWS behaviour shows:
 * - error `States.Runtime` (AWS does not use States.IntrinsicFailure for these);
 * - cause `The function '<the whole field value, as written>' had the following error: <detail>`, where the
 *   detail is `Invalid arguments in States.X` for a wrong argument (type, count, range), or
 *   `The JsonPath argument for the field '<path>' could not be found in the input '<state input>'` for a
 *   path that selects nothing. AWS puts "An error occurred while executing the state 'S' (entered at the
 *   event id #N). " in front; the interpreter adds that prefix, these causes do not carry it.
 *
 * AWS runs intrinsics on Java values, and it shows: numbers given as fractions are truncated where a
 * function wants an int (ArrayRange, ArrayPartition, ArrayGetItem, MathRandom) but rounded half up by
 * States.MathAdd; States.Format prints objects and arrays the way Java's Map/List print (`{a=1, b=[1, 2]}`);
 * States.ArrayContains compares those printed forms; States.StringSplit is a java.util.StringTokenizer;
 * States.Base64Decode ignores characters outside the alphabet; States.JsonMerge returns its keys in
 * java.util.HashMap order.
 * @module
 */
import { createHash } from 'node:crypto';
import { hasOwn, isObject, toJsonText, tryParseJson, type Json, type JsonObject } from '../shared/json.js';
import { AslFailure } from './failure.js';
import {
  INTRINSIC_ARITY,
  IntrinsicSyntaxError,
  parseIntrinsic,
  type IntrinsicCall,
  type IntrinsicNode,
} from './intrinsic-parser.js';
import { evaluatePath, rootValue, type CompiledPath } from './jsonpath.js';
import type { EvalScope } from './scope.js';

export { IntrinsicSyntaxError, parseIntrinsic, INTRINSIC_ARITY, MAX_INTRINSIC_CALLS } from './intrinsic-parser.js';
export type { IntrinsicCall, IntrinsicNode } from './intrinsic-parser.js';

/** True when the text looks like an intrinsic call (`States.Name(...)`), valid or not. */
export function isIntrinsicCall(text: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(text);
}

/** Parses and compiles an intrinsic call; throws IntrinsicSyntaxError when it is malformed. At run time the
 * evaluator throws AslFailure('States.Runtime', cause) as AWS does (see the module comment). */
export function compileIntrinsic(text: string): (scope: EvalScope) => Json {
  if (!isIntrinsicCall(text)) throw new IntrinsicSyntaxError(`Not an intrinsic function call: ${text}`);
  const ev = compileNode(parseIntrinsic(text));
  return (scope) => {
    try {
      return ev(scope);
    } catch (e) {
      if (e instanceof IntrinsicError) {
        throw new AslFailure('States.Runtime', `The function '${text}' had the following error: ${e.message}`);
      }
      throw e;
    }
  };
}

// ------------------------------------------------------------------------------------------------
// Compilation
// ------------------------------------------------------------------------------------------------

/** Thrown inside the evaluator; compileIntrinsic turns it into the AslFailure AWS reports. */
class IntrinsicError extends Error {}

type Ev = (scope: EvalScope) => Json;

const invalid = (name: string): never => {
  throw new IntrinsicError(`Invalid arguments in ${name}`);
};

function compileNode(n: IntrinsicNode): Ev {
  switch (n.k) {
    case 'str':
    case 'num':
    case 'bool': {
      const v = n.value;
      return () => v;
    }
    case 'null':
      return () => null;
    case 'path':
      return compileArgPath(n.path);
    case 'call':
      return compileCall(n);
  }
}

function compileCall(call: IntrinsicCall): Ev {
  const name = call.name;
  const args = call.args.map(compileNode);
  if (name === 'States.Format') return compileFormat(call, args);
  const n = args.length;
  const [min, max] = INTRINSIC_ARITY[name]!;
  const impl = IMPLS[name]!;
  if (n < min || n > max) {
    // AWS accepts the definition and fails when the state runs (after resolving the arguments).
    return (scope) => {
      for (const a of args) a(scope);
      return invalid(name);
    };
  }
  if (n === 0) return (scope) => impl([], scope);
  if (n === 1) {
    const a = args[0]!;
    return (scope) => impl([a(scope)], scope);
  }
  if (n === 2) {
    const a = args[0]!;
    const b = args[1]!;
    return (scope) => impl([a(scope), b(scope)], scope);
  }
  return (scope) => impl(args.map((a) => a(scope)), scope);
}

// ---- paths --------------------------------------------------------------------------------------

function notFound(field: string, scope: EvalScope): IntrinsicError {
  return new IntrinsicError(`The JsonPath argument for the field '${field}' could not be found in the input '${toJsonText(scope.input)}'`);
}

/**
 * A path argument. A path that selects nothing fails (also an index past the end of an array, which a
 * plain `"x.$": "$.a[5]"` would not). Indexing something that is not an array fails with the message of
 * AWS's JSONPath library (Jayway), as AWS writes it. A `$$.` path is reported as `$.…` (the context path
 * rewritten), and against the state input, as AWS does.
 */
function compileArgPath(p: CompiledPath): Ev {
  const field = p.root === 'context' ? p.source.trim().slice(1) : p.source.trim();
  const keys = p.keys;
  if (!keys) {
    return (scope) => {
      const r = evaluatePath(p, scope);
      if (!r.ok) throw notFound(field, scope);
      return r.value;
    };
  }
  const root = p.root;
  return (scope) => {
    let v: Json | undefined = root === 'input' ? scope.input : rootValue(p, scope);
    for (let i = 0; i < keys.length && v !== undefined; i++) {
      const k = keys[i]!;
      if (typeof k === 'string') {
        v = isObject(v) && hasOwn(v, k) ? v[k] : undefined;
      } else if (Array.isArray(v)) {
        const idx = k < 0 ? v.length + k : k;
        v = idx >= 0 && idx < v.length ? v[idx] : undefined;
      } else {
        throw new IntrinsicError(`Filter: [${k}] can only be applied to arrays. Current context is: ${JSON.stringify(v)}`);
      }
    }
    if (v === undefined) throw notFound(field, scope);
    return v;
  };
}

// ---- argument helpers -----------------------------------------------------------------------------

const isNum = (v: Json): v is number => typeof v === 'number' && Number.isFinite(v);

/** Java's (int)/(long) conversion of a double: truncation toward zero. */
const trunc = (v: number): number => Math.trunc(v) + 0;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const isInt32 = (v: number): boolean => v >= INT_MIN && v <= INT_MAX;

// ------------------------------------------------------------------------------------------------
// Printing values as AWS does (Java's toString of the decoded JSON)
// ------------------------------------------------------------------------------------------------

/** Java's Double.toString for a finite double (shortest digits, as JDK 19+ prints them). */
export function javaDoubleText(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  const sign = d < 0 ? '-' : '';
  const [mant, expText] = abs.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      return `${sign}${intPart}.${frac || '0'}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exp}`;
}

/** A number as AWS prints it: integers in full, other values as Java doubles. */
export function javaNumberText(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
  if (Number.isInteger(v)) return Math.abs(v) < 1e21 ? String(v + 0) : BigInt(v).toString();
  return javaDoubleText(v);
}

/** A JSON value printed the way Java prints the decoded value (String, Integer, Map, List…). */
export function javaText(v: Json): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return javaNumberText(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ', ' : '') + javaText(v[i]!);
    return out + ']';
  }
  let out = '{';
  let first = true;
  for (const k in v) {
    if (!hasOwn(v, k)) continue;
    out += (first ? '' : ', ') + k + '=' + javaText(v[k]!);
    first = false;
  }
  return out + '}';
}

// ------------------------------------------------------------------------------------------------
// States.Format
// ------------------------------------------------------------------------------------------------

type Template = { parts: string[]; holes: number } | { error: string };

/**
 * Splits a Format template at its `{}` placeholders. Backslash escapes \' \{ \} \\ give the character;
 * a `{` not followed by `}`, or a lone `}`, makes the template invalid.
 */
function parseTemplate(t: string): Template {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\' && i + 1 < t.length) {
      const n = t[i + 1]!;
      if (n === "'" || n === '{' || n === '}' || n === '\\') {
        cur += n;
        i++;
        continue;
      }
      cur += c;
      continue;
    }
    if (c === '{') {
      if (t[i + 1] !== '}') return { error: "Invalid template in States.Format: matching '}' not found for '{'." };
      parts.push(cur);
      cur = '';
      i++;
      continue;
    }
    if (c === '}') return { error: "Invalid template in States.Format: matching '{' not found for '}'." };
    cur += c;
  }
  parts.push(cur);
  return { parts, holes: parts.length - 1 };
}

function formatWith(tpl: Template, values: readonly string[]): string {
  if ('error' in tpl) throw new IntrinsicError(tpl.error);
  if (tpl.holes !== values.length) {
    throw new IntrinsicError('Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.');
  }
  const parts = tpl.parts;
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) out += values[i]! + parts[i + 1]!;
  return out;
}

function compileFormat(call: IntrinsicCall, args: Ev[]): Ev {
  if (args.length === 0) return () => invalid('States.Format');
  const [tplNode, ...rest] = call.args;
  const valueEvs = args.slice(1);
  // Float literals keep their Java text (`1.0`); everything else is printed when it is known.
  const printers: ((scope: EvalScope) => string)[] = rest.map((node, i) => {
    if (node.k === 'num' && node.float) {
      const text = javaDoubleText(node.value);
      return () => text;
    }
    const ev = valueEvs[i]!;
    return (scope) => javaText(ev(scope));
  });
  const tplEv = args[0]!;
  if (tplNode!.k === 'str') {
    const tpl = parseTemplate(tplNode.raw);
    return (scope) => formatWith(tpl, printers.map((p) => p(scope)));
  }
  return (scope) => {
    const t = tplEv(scope);
    const values = printers.map((p) => p(scope));
    if (typeof t !== 'string') return invalid('States.Format');
    return formatWith(parseTemplate(t), values);
  };
}

// ------------------------------------------------------------------------------------------------
// The other 17 functions: (arguments, scope) => result. Arity is checked before they are called.
// ------------------------------------------------------------------------------------------------

type Impl = (a: Json[], scope: EvalScope) => Json;

const MAX_TEXT = 10000;
const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const IMPLS: Readonly<Record<string, Impl>> = {
  'States.Format': () => invalid('States.Format'), // compiled by compileFormat

  'States.StringToJson'([s]) {
    if (typeof s !== 'string') return invalid('States.StringToJson');
    if (/^[ \t\n\r]*$/.test(s)) return null;
    const parsed = tryParseJson(s);
    return parsed.ok ? parsed.value : invalid('States.StringToJson');
  },

  'States.JsonToString'([v]) {
    return JSON.stringify(v);
  },

  'States.Array'(a) {
    return a;
  },

  'States.ArrayPartition'([arr, size]) {
    if (!Array.isArray(arr) || !isNum(size)) return invalid('States.ArrayPartition');
    const n = trunc(size);
    if (n <= 0) return invalid('States.ArrayPartition');
    const out: Json[] = [];
    for (let i = 0; i < arr.length; i += n) out.push(arr.slice(i, i + n));
    return out;
  },

  'States.ArrayContains'([arr, value]) {
    if (!Array.isArray(arr)) return invalid('States.ArrayContains');
    const want = javaText(value!);
    for (const x of arr) if (javaText(x) === want) return true;
    return false;
  },

  'States.ArrayRange'([a, b, c]) {
    if (!isNum(a) || !isNum(b) || !isNum(c)) return invalid('States.ArrayRange');
    const start = trunc(a);
    const end = trunc(b);
    const step = trunc(c);
    if (step === 0) return invalid('States.ArrayRange');
    const count = (step > 0 ? end >= start : end <= start) ? Math.floor((end - start) / step) + 1 : 0;
    if (count > 1000) return invalid('States.ArrayRange');
    const out: number[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = start + i * step;
    return out;
  },

  'States.ArrayGetItem'([arr, index]) {
    if (!Array.isArray(arr) || !isNum(index)) return invalid('States.ArrayGetItem');
    if (arr.length === 0) return null; // AWS answers null for any index into an empty array
    const i = trunc(index);
    if (i < 0 || i >= arr.length) return invalid('States.ArrayGetItem');
    return arr[i]!;
  },

  'States.ArrayLength'([arr]) {
    if (!Array.isArray(arr)) return invalid('States.ArrayLength');
    return arr.length;
  },

  'States.ArrayUnique'([arr]) {
    if (!Array.isArray(arr)) return invalid('States.ArrayUnique');
    const seen = new Set<string>();
    const out: Json[] = [];
    for (const x of arr) {
      const key = canonicalKey(x);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(x);
    }
    return out;
  },

  'States.Base64Encode'([s]) {
    if (typeof s !== 'string' || s.length > MAX_TEXT) return invalid('States.Base64Encode');
    return javaUtf8(s).toString('base64');
  },

  'States.Base64Decode'([s]) {
    if (typeof s !== 'string' || s.length > MAX_TEXT) return invalid('States.Base64Decode');
    return lenientBase64Decode(s).toString('utf8');
  },

  'States.Hash'([data, algorithm]) {
    if (data === null || data === undefined || typeof algorithm !== 'string') return invalid('States.Hash');
    const alg = HASH_ALGORITHMS[algorithm];
    if (!alg || !hasOwn(HASH_ALGORITHMS, algorithm)) return invalid('States.Hash');
    const text = javaText(data);
    if (text.length > MAX_TEXT) return invalid('States.Hash');
    return createHash(alg).update(javaUtf8(text)).digest('hex');
  },

  'States.JsonMerge'([a, b, deep]) {
    if (!isObject(a) || !isObject(b) || deep === true) return invalid('States.JsonMerge');
    return hashMapMerge(a, b);
  },

  'States.MathRandom'([a, b, seed], scope) {
    if (!isNum(a) || !isNum(b)) return invalid('States.MathRandom');
    const start = trunc(a);
    const end = trunc(b);
    if (start >= end) return invalid('States.MathRandom');
    const bound = end - start;
    if (seed === undefined) return start + Math.floor(scope.rng.next() * bound);
    if (!isNum(seed)) return invalid('States.MathRandom');
    return start + javaRandomInt(trunc(seed), bound);
  },

  'States.MathAdd'([a, b]) {
    if (!isNum(a) || !isNum(b)) return invalid('States.MathAdd');
    // Java's Math.round (half up), then int arithmetic that must not overflow.
    const x = Math.round(a) + 0;
    const y = Math.round(b) + 0;
    const sum = x + y;
    if (!isInt32(x) || !isInt32(y) || !isInt32(sum)) return invalid('States.MathAdd');
    return sum;
  },

  'States.StringSplit'([s, delims]) {
    if (typeof s !== 'string' || typeof delims !== 'string') return invalid('States.StringSplit');
    // java.util.StringTokenizer: every character of the second argument is a delimiter; no empty tokens.
    const out: string[] = [];
    let start = -1;
    for (let i = 0; i < s.length; i++) {
      if (delims.includes(s[i]!)) {
        if (start >= 0) out.push(s.slice(start, i));
        start = -1;
      } else if (start < 0) start = i;
    }
    if (start >= 0) out.push(s.slice(start));
    return out;
  },

  'States.UUID'(_a, scope) {
    return scope.rng.uuid();
  },
};

// ---- helpers -------------------------------------------------------------------------------------

/** UTF-8 bytes as Java's String.getBytes(UTF_8) makes them (a lone surrogate becomes '?'). */
function javaUtf8(s: string): Buffer {
  return Buffer.from(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?'), 'utf8');
}

const B64 = (() => {
  const t = new Int8Array(128).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) t[abc.charCodeAt(i)] = i;
  t['-'.charCodeAt(0)] = 62;
  t['_'.charCodeAt(0)] = 63;
  return t;
})();

/**
 * Base64 decoding as Apache Commons Codec does it: both alphabets, characters outside them ignored,
 * decoding stops at the first '=', and a final group of 2 or 3 characters gives 1 or 2 bytes.
 */
function lenientBase64Decode(s: string): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil((s.length * 3) / 4));
  let n = 0;
  let acc = 0;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) break; // '='
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    if (++count === 4) {
      out[n++] = (acc >> 16) & 0xff;
      out[n++] = (acc >> 8) & 0xff;
      out[n++] = acc & 0xff;
      acc = 0;
      count = 0;
    }
  }
  if (count === 2) out[n++] = (acc >> 4) & 0xff;
  else if (count === 3) {
    out[n++] = (acc >> 10) & 0xff;
    out[n++] = (acc >> 2) & 0xff;
  }
  return out.subarray(0, n);
}

/** A key equal for values that Java's equals() finds equal (objects compare without regard to key order). */
function canonicalKey(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalKey).join(',') + ']';
  const keys = Object.keys(v).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalKey(v[k]!)).join(',') + '}';
}

/** Java's String.hashCode. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function tableSizeFor(c: number): number {
  let n = 1;
  while (n < c) n *= 2;
  return n;
}

/**
 * `m = new HashMap<>(a); m.putAll(b)`: b's values win, and the keys come out in HashMap iteration order
 * (by bucket of the final table, then insertion order), which is the order AWS returns them in.
 */
function hashMapMerge(a: JsonObject, b: JsonObject): JsonObject {
  let cap = 0;
  let threshold = 0;
  let size = 0;
  const order = new Map<string, number>();
  const resize = () => {
    if (cap > 0) {
      const old = cap;
      cap *= 2;
      threshold = old >= 16 ? threshold * 2 : Math.floor(cap * 0.75);
    } else if (threshold > 0) {
      cap = threshold;
      threshold = Math.floor(cap * 0.75);
    } else {
      cap = 16;
      threshold = 12;
    }
  };
  const putAll = (m: JsonObject) => {
    const keys = Object.keys(m);
    if (keys.length === 0) return;
    if (cap === 0) {
      const t = Math.floor(keys.length / 0.75 + 1);
      if (t > threshold) threshold = tableSizeFor(t);
    } else if (keys.length > threshold) resize();
    for (const k of keys) {
      if (cap === 0) resize();
      if (order.has(k)) continue;
      order.set(k, order.size);
      if (++size > threshold) resize();
    }
  };
  putAll(a);
  putAll(b);
  const bucket = (k: string) => {
    const h = javaHash(k);
    return (h ^ (h >>> 16)) & (cap - 1);
  };
  const keys = [...order.keys()];
  const buckets = keys.map(bucket);
  const idx = keys.map((_, i) => i).sort((x, y) => buckets[x]! - buckets[y]! || x - y);
  const out: JsonObject = {};
  for (const i of idx) {
    const k = keys[i]!;
    out[k] = hasOwn(b, k) ? b[k]! : a[k]!;
  }
  return out;
}

/** `new java.util.Random(seed).nextInt(bound)`; for a bound beyond int range, a scaled nextDouble(). */
function javaRandomInt(seed: number, bound: number): number {
  const MASK = (1n << 48n) - 1n;
  let s = (BigInt(seed) ^ 0x5deece66dn) & MASK;
  const next = (bits: number): number => {
    s = (s * 0x5deece66dn + 0xbn) & MASK;
    return Number(BigInt.asIntN(32, s >> BigInt(48 - bits)));
  };
  if (bound > INT_MAX) {
    const d = (next(26) * 2 ** 27 + next(27)) * 2 ** -53;
    return Math.floor(d * bound);
  }
  let r = next(31);
  const m = bound - 1;
  if ((bound & m) === 0) return Number((BigInt(bound) * BigInt(r)) >> 31n);
  for (let u = r; ((u - (r = u % bound) + m) | 0) < 0; u = next(31));
  return r;
}
