/**
 * Definition-time syntax check of intrinsic function calls (`States.Format('{}', $.x)`): the call
 * structure, the function names, and the escapes allowed in string literals (only `\'`, `\{`, `\}` and
 * `\\`; AWS rejects e.g. `\"`). Paths inside calls are checked with the JSONPath parser. The intrinsics
 * compiler (`compileIntrinsic`) is consulted too; this check exists so that validation does not depend on
 * how strict that compiler is.
 * @module
 */
import { compileIntrinsic, IntrinsicSyntaxError } from '../../expr/intrinsics.js';
import { tryPath } from './paths.js';

export const INTRINSIC_FUNCTIONS: ReadonlySet<string> = new Set([
  'Format',
  'StringToJson',
  'JsonToString',
  'Array',
  'ArrayPartition',
  'ArrayContains',
  'ArrayRange',
  'ArrayGetItem',
  'ArrayLength',
  'ArrayUnique',
  'Base64Encode',
  'Base64Decode',
  'Hash',
  'JsonMerge',
  'MathRandom',
  'MathAdd',
  'StringSplit',
  'UUID',
]);

class Bad extends Error {}

class P {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  call(): void {
    const m = /^States\.([A-Za-z0-9]+)\s*\(/.exec(this.s.slice(this.i));
    if (!m || !INTRINSIC_FUNCTIONS.has(m[1]!)) throw new Bad();
    this.i += m[0].length;
    this.ws();
    if (this.s[this.i] === ')') {
      this.i++;
      return;
    }
    for (;;) {
      this.arg();
      this.ws();
      const c = this.s[this.i];
      if (c === ')') {
        this.i++;
        return;
      }
      if (c !== ',') throw new Bad();
      this.i++;
    }
  }

  arg(): void {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) throw new Bad();
    if (c === "'") return this.string();
    if (c === '$') return this.path();
    if (s.startsWith('States.', this.i)) return this.call();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_])/.exec(s.slice(this.i));
    if (!m) throw new Bad();
    this.i += m[0].length;
  }

  string(): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "'") {
        this.i++;
        return;
      }
      if (c === '\\') {
        const e = s[this.i + 1];
        if (e !== "'" && e !== '{' && e !== '}' && e !== '\\') throw new Bad();
        this.i += 2;
        continue;
      }
      this.i++;
    }
    throw new Bad();
  }

  /** A path argument runs to the next top-level ',' or ')' (brackets, parentheses and quotes nest). */
  path(): void {
    const s = this.s;
    const start = this.i;
    let depth = 0;
    let quote: string | undefined;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (quote) {
        if (c === '\\') this.i++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) break;
      this.i++;
    }
    if (!tryPath(s.slice(start, this.i).trim())) throw new Bad();
  }
}

/** True when the text is a syntactically valid intrinsic function call. */
export function isValidIntrinsic(text: string): boolean {
  const p = new P(text);
  try {
    p.ws();
    p.call();
    p.ws();
    if (p.i !== text.length) return false;
  } catch (e) {
    if (e instanceof Bad) return false;
    throw e;
  }
  try {
    compileIntrinsic(text);
  } catch (e) {
    if (e instanceof IntrinsicSyntaxError) return false;
  }
  return true;
}
