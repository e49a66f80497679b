/**
 * JSONPath as ASL uses it (AWS evaluates paths with Jayway JsonPath): reference paths for
 * InputPath/OutputPath/ResultPath/ItemsPath/…Path fields, and the full syntax (wildcards, slices,
 * unions, deep scan, filters, `length()`) in `.$` payload fields. A path is parsed once into a
 * `CompiledPath`; simple paths (`$.a.b[0]`) get a fast, allocation-free getter.
 *
 * Roots: `$` (the state's input), `$$` (the context object) and `$name` (a variable).
 * @module
 */
import { hasOwn, isObject, setOwn, type Json, type JsonObject } from '../shared/json.js';
import type { EvalScope } from './scope.js';

export type Segment =
  | { k: 'name'; name: string }
  | { k: 'index'; index: number }
  | { k: 'wild' }
  | { k: 'slice'; start?: number; end?: number; step?: number }
  | { k: 'union'; items: (string | number)[] }
  | { k: 'deep'; then: Segment }
  | { k: 'filter'; pred: Filter; source: string }
  | { k: 'fn'; name: string };

export type Filter =
  | { k: 'and' | 'or'; a: Filter; b: Filter }
  | { k: 'not'; a: Filter }
  | { k: 'cmp'; op: string; a: Operand; b: Operand }
  | { k: 'exists'; a: Operand };

export type Operand =
  | { k: 'lit'; v: Json }
  | { k: 'regex'; re: RegExp }
  | { k: 'path'; root: '@' | '$'; segs: Segment[] };

export type PathRoot = 'input' | 'context' | 'var';

export interface CompiledPath {
  readonly source: string;
  readonly root: PathRoot;
  /** The variable name when root is 'var'. */
  readonly varName: string;
  readonly segments: readonly Segment[];
  /** True when the path selects at most one value (only names and single indexes). */
  readonly definite: boolean;
  /** For definite paths: the keys to follow. */
  readonly keys: readonly (string | number)[] | undefined;
  /** Unquoted words compared with in filters (`[?(@.lang==es)]`), each read as that string. */
  readonly bareWords: readonly string[];
}

export class JsonPathSyntaxError extends Error {}

// ------------------------------------------------------------------------------------------------
// Parsing
// ------------------------------------------------------------------------------------------------

const cache = new Map<string, CompiledPath>();

/** Parses a path; throws JsonPathSyntaxError when it is not a valid JSONPath. Results are cached. */
export function compilePath(source: string): CompiledPath {
  let p = cache.get(source);
  if (!p) {
    p = parsePath(source);
    if (cache.size > 10000) cache.clear();
    cache.set(source, p);
  }
  return p;
}

export function isValidPath(source: string): boolean {
  try {
    compilePath(source);
    return true;
  } catch {
    return false;
  }
}

function parsePath(src: string): CompiledPath {
  const s = src.trim();
  if (!s.startsWith('$')) throw new JsonPathSyntaxError(`Path must start with '$': ${src}`);
  let root: PathRoot = 'input';
  let varName = '';
  let i = 1;
  if (s[1] === '$') {
    root = 'context';
    i = 2;
  } else if (i < s.length && /[A-Za-z_]/.test(s[i]!)) {
    root = 'var';
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(1))!;
    varName = m[0];
    i = 1 + varName.length;
  }
  const r = new SegParser(s, i);
  const segments = r.segments();
  const definite = segments.every((g) => g.k === 'name' || g.k === 'index');
  const keys = definite ? segments.map((g) => (g.k === 'name' ? g.name : (g as { index: number }).index)) : undefined;
  return { source: src, root, varName, segments, definite, keys, bareWords: r.bareWords };
}

class SegParser {
  readonly bareWords: string[] = [];
  constructor(
    private readonly s: string,
    public i: number,
  ) {}

  private err(msg: string): never {
    throw new JsonPathSyntaxError(`${msg} at position ${this.i} in path ${this.s}`);
  }

  segments(stopAt?: (c: string) => boolean): Segment[] {
    const out: Segment[] = [];
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (stopAt && stopAt(c)) break;
      if (c === '.') {
        if (s[this.i + 1] === '[') {
          // `$.[…]` is accepted as `$[…]`, as Jayway does.
          this.i++;
          continue;
        }
        if (s[this.i + 1] === '.') {
          this.i += 2;
          let then: Segment;
          if (s[this.i] === '[') then = this.bracket();
          else if (s[this.i] === '*') {
            this.i++;
            then = { k: 'wild' };
          } else then = { k: 'name', name: this.dotName() };
          out.push({ k: 'deep', then });
          continue;
        }
        this.i++;
        if (s[this.i] === '*') {
          this.i++;
          out.push({ k: 'wild' });
          continue;
        }
        const name = this.dotName();
        if (s[this.i] === '(' && s[this.i + 1] === ')') {
          this.i += 2;
          out.push({ k: 'fn', name });
          continue;
        }
        out.push({ k: 'name', name });
        continue;
      }
      if (c === '[') {
        out.push(this.bracket());
        continue;
      }
      if (c === ' ' && !stopAt) {
        // trailing spaces are tolerated
        if (s.slice(this.i).trim() === '') break;
      }
      this.err(`Unexpected character '${c}'`);
    }
    return out;
  }

  private dotName(): string {
    const s = this.s;
    const start = this.i;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '.' || c === '[' || c === '(' || c === ')' || c === ' ' || c === '=' || c === '!' || c === '<' || c === '>' || c === '&' || c === '|' || c === ']' || c === ',') break;
      this.i++;
    }
    if (this.i === start) this.err('Expected a property name');
    return s.slice(start, this.i);
  }

  private ws(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  private quoted(): string {
    const s = this.s;
    const q = s[this.i]!;
    this.i++;
    let out = '';
    while (this.i < s.length && s[this.i] !== q) {
      // Like Jayway, a backslash only escapes the closing quote; otherwise it is a literal character.
      if (s[this.i] === '\\' && s[this.i + 1] === q) {
        out += q;
        this.i += 2;
        continue;
      }
      out += s[this.i];
      this.i++;
    }
    if (s[this.i] !== q) this.err('Unterminated string');
    this.i++;
    return out;
  }

  private int(): number | undefined {
    const m = /^-?\d+/.exec(this.s.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return Number(m[0]);
  }

  private bracket(): Segment {
    const s = this.s;
    this.i++; // [
    this.ws();
    const c = s[this.i];
    let seg: Segment;
    if (c === '*') {
      this.i++;
      seg = { k: 'wild' };
    } else if (c === '?') {
      this.i++;
      this.ws();
      if (s[this.i] !== '(') this.err("Expected '(' after '?'");
      const start = this.i;
      this.i++;
      const pred = this.filterOr();
      this.ws();
      if (s[this.i] !== ')') this.err("Expected ')'");
      this.i++;
      seg = { k: 'filter', pred, source: s.slice(start, this.i) };
    } else if (c === "'" || c === '"') {
      const items: string[] = [this.quoted()];
      this.ws();
      while (s[this.i] === ',') {
        this.i++;
        this.ws();
        if (s[this.i] !== "'" && s[this.i] !== '"') this.err('Expected a quoted name');
        items.push(this.quoted());
        this.ws();
      }
      seg = items.length === 1 ? { k: 'name', name: items[0]! } : { k: 'union', items };
    } else {
      const a = this.int();
      this.ws();
      if (s[this.i] === ':') {
        this.i++;
        this.ws();
        const b = this.int();
        this.ws();
        let step: number | undefined;
        if (s[this.i] === ':') {
          this.i++;
          this.ws();
          step = this.int();
        }
        seg = { k: 'slice', start: a, end: b, step };
      } else {
        if (a === undefined) this.err('Expected an index');
        const items: number[] = [a];
        while (s[this.i] === ',') {
          this.i++;
          this.ws();
          const n = this.int();
          if (n === undefined) this.err('Expected an index');
          items.push(n);
          this.ws();
        }
        seg = items.length === 1 ? { k: 'index', index: a } : { k: 'union', items };
      }
    }
    this.ws();
    if (s[this.i] !== ']') this.err("Expected ']'");
    this.i++;
    return seg;
  }

  // ---- filter expressions: ?( a && b || !c ), comparisons, existence -----------------------------
  private filterOr(): Filter {
    let a = this.filterAnd();
    for (;;) {
      this.ws();
      if (this.s.startsWith('||', this.i)) {
        this.i += 2;
        a = { k: 'or', a, b: this.filterAnd() };
      } else return a;
    }
  }

  private filterAnd(): Filter {
    let a = this.filterUnary();
    for (;;) {
      this.ws();
      if (this.s.startsWith('&&', this.i)) {
        this.i += 2;
        a = { k: 'and', a, b: this.filterUnary() };
      } else return a;
    }
  }

  private filterUnary(): Filter {
    this.ws();
    if (this.s[this.i] === '!' && this.s[this.i + 1] !== '=') {
      this.i++;
      return { k: 'not', a: this.filterUnary() };
    }
    if (this.s[this.i] === '(') {
      this.i++;
      const f = this.filterOr();
      this.ws();
      if (this.s[this.i] !== ')') this.err("Expected ')'");
      this.i++;
      return f;
    }
    const a = this.operand();
    this.ws();
    const opm = /^(==|!=|<=|>=|<|>|=~|in\b|nin\b|subsetof\b|anyof\b|noneof\b|size\b|empty\b)/.exec(this.s.slice(this.i));
    if (!opm) return { k: 'exists', a };
    const op = opm[1]!;
    this.i += op.length;
    this.ws();
    const b = this.operand();
    return { k: 'cmp', op, a, b };
  }

  private operand(): Operand {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === '@' || c === '$') {
      this.i++;
      const segs = this.segments((ch) => ch === ' ' || ch === ')' || ch === '=' || ch === '!' || ch === '<' || ch === '>' || ch === '&' || ch === '|' || ch === ',' || ch === ']');
      return { k: 'path', root: c, segs };
    }
    if (c === "'" || c === '"') return { k: 'lit', v: this.quoted() };
    if (c === '/') {
      const end = s.indexOf('/', this.i + 1);
      if (end < 0) this.err('Unterminated regex');
      const body = s.slice(this.i + 1, end);
      this.i = end + 1;
      const fm = /^[a-z]*/.exec(s.slice(this.i))!;
      this.i += fm[0].length;
      return { k: 'regex', re: new RegExp(body, fm[0].replace(/[^imsu]/g, '')) };
    }
    if (c === '[') {
      // array literal
      const end = s.indexOf(']', this.i);
      if (end < 0) this.err('Unterminated array');
      const text = s.slice(this.i, end + 1).replace(/'/g, '"');
      this.i = end + 1;
      try {
        return { k: 'lit', v: JSON.parse(text) as Json };
      } catch {
        this.err('Invalid array literal');
      }
    }
    // An unquoted word (`@.lang==es`, `@.Name==Receipt`) is that string, as AWS's JsonPath reads a
    // literal that is neither quoted, a number, a boolean, null, a regex nor JSON. AWS's own
    // samples compare with such words.
    const w = /^[A-Za-z_][^\s()&|\]'"=!<>~,]*/.exec(s.slice(this.i));
    if (w) {
      this.i += w[0].length;
      if (w[0] === 'true' || w[0] === 'false' || w[0] === 'null') return { k: 'lit', v: JSON.parse(w[0]) as Json };
      this.bareWords.push(w[0]);
      return { k: 'lit', v: w[0] };
    }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(this.i));
    if (!m) this.err('Expected a value');
    this.i += m[0].length;
    return { k: 'lit', v: JSON.parse(m[0]) as Json };
  }
}

// ------------------------------------------------------------------------------------------------
// Evaluation
// ------------------------------------------------------------------------------------------------

export function rootValue(p: CompiledPath, scope: EvalScope): Json | undefined {
  switch (p.root) {
    case 'input':
      return scope.input;
    case 'context':
      return scope.context;
    case 'var':
      return hasOwn(scope.vars, p.varName) ? scope.vars[p.varName] : undefined;
  }
}

/**
 * An own property's value, or undefined. JSON values are never functions or Object.prototype, so a
 * value that is neither can only be the object's own: the own-property check is needed for the rest.
 */
function ownValue(o: JsonObject, k: string): Json | undefined {
  const x = o[k];
  if (x === undefined) return undefined;
  if (typeof x === 'function' || x === (Object.prototype as unknown)) return hasOwn(o, k) ? x : undefined;
  return x;
}

/** Follows the keys of a definite path; undefined when something along it is missing. */
export function getKeys(v: Json | undefined, keys: readonly (string | number)[]): Json | undefined {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (typeof k === 'string') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
      v = ownValue(v, k);
      if (v === undefined) return undefined;
    } else {
      if (!Array.isArray(v)) return undefined;
      const idx = k < 0 ? v.length + k : k;
      if (idx < 0 || idx >= v.length) return undefined;
      v = v[idx];
    }
  }
  return v;
}

export type PathResult = { ok: true; value: Json } | { ok: false; message: string };

/**
 * Evaluates a path against the scope. A definite path yields its value, or an error when it selects
 * nothing (with Jayway's wording); an indefinite path yields the array of what it selects.
 */
export function evaluatePath(p: CompiledPath, scope: EvalScope): PathResult {
  const root = rootValue(p, scope);
  if (p.root === 'var' && root === undefined) return { ok: false, message: `No variable named ${p.varName}` };
  if (p.keys) {
    const v = getKeys(root, p.keys);
    if (v !== undefined) return { ok: true, value: v };
    return { ok: false, message: missingMessage(root, p.keys) };
  }
  return { ok: true, value: selectAll(root as Json, p.segments, root as Json) };
}

/** Jayway's messages for a definite path that selects nothing. */
export function missingMessage(root: Json | undefined, keys: readonly (string | number)[]): string {
  let v = root;
  let norm = '$';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    norm += typeof k === 'string' ? `['${k}']` : `[${k}]`;
    const last = i === keys.length - 1;
    if (typeof k === 'string') {
      if (!isObject(v)) {
        return last ? `No results for path: ${norm}` : `Missing property in path ${norm}`;
      }
      if (!hasOwn(v, k)) return last ? `No results for path: ${norm}` : `Missing property in path ${norm}`;
      v = v[k];
    } else {
      if (!Array.isArray(v)) return `Filter: [${k}] can only be applied to arrays. Current context is: ${JSON.stringify(v ?? null)}`;
      const idx = k < 0 ? v.length + k : k;
      if (idx < 0 || idx >= v.length) return `Index out of bounds when evaluating path ${norm}`;
      v = v[idx];
    }
  }
  return `No results for path: ${norm}`;
}

/** Normalised path text as Jayway prints it: $['a']['b'][0]. */
export function normalizedPath(p: CompiledPath): string {
  let out = p.root === 'context' ? '$$' : p.root === 'var' ? `$${p.varName}` : '$';
  for (const g of p.segments) {
    if (g.k === 'name') out += `['${g.name}']`;
    else if (g.k === 'index') out += `[${g.index}]`;
    else if (g.k === 'wild') out += '[*]';
    else out += '[...]';
  }
  return out;
}

function selectAll(v: Json, segs: readonly Segment[], root: Json): Json[] {
  let cur: Json[] = [v];
  for (let si = 0; si < segs.length; si++) {
    const g = segs[si]!;
    if (g.k === 'fn') {
      return [applyFn(g.name, cur.length === 1 && si > 0 && isDefinitePrefix(segs, si) ? cur[0]! : cur)] as Json[];
    }
    const next: Json[] = [];
    for (const x of cur) step(x, g, next, root);
    cur = next;
  }
  return cur;
}

function isDefinitePrefix(segs: readonly Segment[], upto: number): boolean {
  for (let i = 0; i < upto; i++) if (segs[i]!.k !== 'name' && segs[i]!.k !== 'index') return false;
  return true;
}

function applyFn(name: string, v: Json): Json {
  switch (name) {
    case 'length':
    case 'size':
      if (Array.isArray(v)) return v.length;
      if (typeof v === 'string') return v.length;
      if (isObject(v)) return Object.keys(v).length;
      return null;
    case 'keys':
      return isObject(v) ? Object.keys(v) : null;
    case 'min':
    case 'max':
    case 'sum':
    case 'avg': {
      const nums = Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
      if (!nums.length) return null;
      if (name === 'min') return Math.min(...nums);
      if (name === 'max') return Math.max(...nums);
      const sum = nums.reduce((a, b) => a + b, 0);
      return name === 'sum' ? sum : sum / nums.length;
    }
    case 'first':
      return Array.isArray(v) && v.length ? v[0]! : null;
    case 'last':
      return Array.isArray(v) && v.length ? v[v.length - 1]! : null;
    default:
      return null;
  }
}

function step(x: Json, g: Segment, out: Json[], root: Json): void {
  switch (g.k) {
    case 'name':
      if (isObject(x) && hasOwn(x, g.name)) out.push(x[g.name]!);
      return;
    case 'index':
      if (Array.isArray(x)) {
        const i = g.index < 0 ? x.length + g.index : g.index;
        if (i >= 0 && i < x.length) out.push(x[i]!);
      }
      return;
    case 'wild':
      if (Array.isArray(x)) out.push(...x);
      else if (isObject(x)) for (const k of Object.keys(x)) out.push(x[k]!);
      return;
    case 'slice': {
      if (!Array.isArray(x)) return;
      const n = x.length;
      const stp = g.step ?? 1;
      if (stp <= 0) return;
      let a = g.start ?? 0;
      let b = g.end ?? n;
      if (a < 0) a = Math.max(0, n + a);
      if (b < 0) b = Math.max(0, n + b);
      b = Math.min(b, n);
      for (let i = a; i < b; i += stp) out.push(x[i]!);
      return;
    }
    case 'union':
      for (const it of g.items) {
        if (typeof it === 'string') {
          if (isObject(x) && hasOwn(x, it)) out.push(x[it]!);
        } else if (Array.isArray(x)) {
          const i = it < 0 ? x.length + it : it;
          if (i >= 0 && i < x.length) out.push(x[i]!);
        }
      }
      return;
    case 'deep':
      deepScan(x, g.then, out, root);
      return;
    case 'filter':
      if (Array.isArray(x)) {
        for (const el of x) if (testFilter(g.pred, el, root)) out.push(el);
      } else if (isObject(x)) {
        if (testFilter(g.pred, x, root)) out.push(x);
      }
      return;
    case 'fn':
      out.push(applyFn(g.name, x));
      return;
  }
}

function deepScan(x: Json, then: Segment, out: Json[], root: Json): void {
  step(x, then, out, root);
  if (Array.isArray(x)) for (const el of x) if (el !== null && typeof el === 'object') deepScan(el, then, out, root);
  if (isObject(x)) for (const k of Object.keys(x)) {
    const el = x[k]!;
    if (el !== null && typeof el === 'object') deepScan(el, then, out, root);
  }
}

const MISSING = Symbol('missing');
type Val = Json | typeof MISSING | RegExp;

function operandValue(o: Operand, current: Json, root: Json): Val {
  switch (o.k) {
    case 'lit':
      return o.v;
    case 'regex':
      return o.re;
    case 'path': {
      const base = o.root === '@' ? current : root;
      if (o.segs.every((g) => g.k === 'name' || g.k === 'index' || g.k === 'fn')) {
        let v: Json | undefined = base;
        for (const g of o.segs) {
          if (g.k === 'fn') v = applyFn(g.name, v ?? null);
          else v = getKeys(v, [g.k === 'name' ? g.name : (g as { index: number }).index]);
          if (v === undefined) return MISSING;
        }
        return v;
      }
      return selectAll(base, o.segs, root);
    }
  }
}

function testFilter(f: Filter, current: Json, root: Json): boolean {
  switch (f.k) {
    case 'and':
      return testFilter(f.a, current, root) && testFilter(f.b, current, root);
    case 'or':
      return testFilter(f.a, current, root) || testFilter(f.b, current, root);
    case 'not':
      return !testFilter(f.a, current, root);
    case 'exists': {
      const v = operandValue(f.a, current, root);
      if (v === MISSING) return false;
      if (f.a.k === 'lit') return v !== false && v !== null;
      return true;
    }
    case 'cmp': {
      const a = operandValue(f.a, current, root);
      const b = operandValue(f.b, current, root);
      return compare(f.op, a, b);
    }
  }
}

function compare(op: string, a: Val, b: Val): boolean {
  if (op === '=~') return typeof a === 'string' && b instanceof RegExp && b.test(a);
  if (a === MISSING || b === MISSING) return op === '!=' ? a !== b : false;
  if (a instanceof RegExp || b instanceof RegExp) return false;
  switch (op) {
    case '==':
      return looseEq(a, b);
    case '!=':
      return !looseEq(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof a === 'number' && typeof b === 'number') return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      if (typeof a === 'string' && typeof b === 'string') return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      return false;
    }
    case 'in':
      return Array.isArray(b) && b.some((x) => looseEq(a, x));
    case 'nin':
      return Array.isArray(b) && !b.some((x) => looseEq(a, x));
    case 'subsetof':
      return Array.isArray(a) && Array.isArray(b) && a.every((x) => b.some((y) => looseEq(x, y)));
    case 'anyof':
      return Array.isArray(a) && Array.isArray(b) && a.some((x) => b.some((y) => looseEq(x, y)));
    case 'noneof':
      return Array.isArray(a) && Array.isArray(b) && !a.some((x) => b.some((y) => looseEq(x, y)));
    case 'size':
      return (Array.isArray(a) || typeof a === 'string') && typeof b === 'number' && a.length === b;
    case 'empty':
      return (Array.isArray(a) || typeof a === 'string') && (a.length === 0) === (b === true);
    default:
      return false;
  }
}

function looseEq(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

// ------------------------------------------------------------------------------------------------
// Writing (ResultPath): a new root that shares everything off the path with the old one.
// ------------------------------------------------------------------------------------------------

export type SetResult = { ok: true; value: Json } | { ok: false; message: string };

/** Returns `target` with `value` placed at the definite path `keys`; objects are created as needed. */
export function setAtPath(target: Json, keys: readonly (string | number)[], value: Json, source: string): SetResult {
  if (keys.length === 0) return { ok: true, value };
  const res = setRec(target, keys, 0, value);
  if (res === undefined) {
    return { ok: false, message: `Invalid path '${source}' : Missing property in path ${normKeys(keys)}` };
  }
  return { ok: true, value: res };
}

function normKeys(keys: readonly (string | number)[]): string {
  return '$' + keys.map((k) => (typeof k === 'string' ? `['${k}']` : `[${k}]`)).join('');
}

function setRec(cur: Json | undefined, keys: readonly (string | number)[], i: number, value: Json): Json | undefined {
  const k = keys[i]!;
  const last = i === keys.length - 1;
  if (typeof k === 'string') {
    let base: JsonObject;
    if (cur === undefined) base = {};
    else if (isObject(cur)) base = cur;
    else return undefined;
    const child = last ? value : setRec(hasOwn(base, k) ? base[k] : undefined, keys, i + 1, value);
    if (child === undefined) return undefined;
    // A shallow copy: everything off the path stays shared.
    const copy: JsonObject = { ...base };
    setOwn(copy, k, child);
    return copy;
  }
  if (!Array.isArray(cur)) return undefined;
  const idx = k < 0 ? cur.length + k : k;
  if (idx < 0 || idx >= cur.length) return undefined;
  const child = last ? value : setRec(cur[idx], keys, i + 1, value);
  if (child === undefined) return undefined;
  const copy = cur.slice();
  copy[idx] = child;
  return copy;
}
