/**
 * Choice rules compiled into predicates. JSONPath rules (`Variable` + a comparison operator, `And`, `Or`,
 * `Not`) become synchronous functions; JSONata rules (`Condition`) stay expressions the interpreter
 * evaluates and checks for a boolean.
 * @module
 */
import { hasOwn, isObject, type Json, type JsonObject } from '../shared/json.js';
import { compareTimestamps, parseTimestamp } from '../shared/time.js';
import { compileJsonataExpression, compileJsonataValue, isJsonataTemplate, type CompiledJsonata, type CompiledJsonataExpression } from './jsonata.js';
import { compilePath, evaluatePath, type CompiledPath } from './jsonpath.js';
import type { EvalScope } from './scope.js';

export type ChoicePredicate =
  | { k: 'jsonpath'; test: (scope: EvalScope) => boolean }
  | { k: 'jsonata'; condition: CompiledJsonataExpression | CompiledJsonata; source: Json };

type Test = (scope: EvalScope) => boolean;

const COMPARATORS = [
  'StringEquals', 'StringLessThan', 'StringGreaterThan', 'StringLessThanEquals', 'StringGreaterThanEquals', 'StringMatches',
  'NumericEquals', 'NumericLessThan', 'NumericGreaterThan', 'NumericLessThanEquals', 'NumericGreaterThanEquals',
  'BooleanEquals',
  'TimestampEquals', 'TimestampLessThan', 'TimestampGreaterThan', 'TimestampLessThanEquals', 'TimestampGreaterThanEquals',
  'IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp',
] as const;

/** The comparison operator keys a rule may carry (with the `…Path` twins). */
export const CHOICE_OPERATORS: ReadonlySet<string> = new Set([
  ...COMPARATORS,
  ...COMPARATORS.filter((c) => !c.startsWith('Is') && c !== 'StringMatches').map((c) => `${c}Path`),
]);

export function compileChoiceRule(rule: JsonObject): ChoicePredicate {
  if (hasOwn(rule, 'Condition')) {
    const c = rule.Condition!;
    const condition = typeof c === 'string' && isJsonataTemplate(c) ? compileJsonataExpression(c, 'Condition') : compileJsonataValue(c, 'Condition');
    return { k: 'jsonata', condition, source: c };
  }
  return { k: 'jsonpath', test: compileTest(rule) };
}

function compileTest(rule: JsonObject): Test {
  if (Array.isArray(rule.And)) {
    const parts = rule.And.map((r) => compileTest(r as JsonObject));
    return (s) => parts.every((p) => p(s));
  }
  if (Array.isArray(rule.Or)) {
    const parts = rule.Or.map((r) => compileTest(r as JsonObject));
    return (s) => parts.some((p) => p(s));
  }
  if (isObject(rule.Not)) {
    const inner = compileTest(rule.Not);
    return (s) => !inner(s);
  }
  const variable = compilePath(String(rule.Variable));
  const op = Object.keys(rule).find((k) => CHOICE_OPERATORS.has(k));
  if (!op) throw new Error('Choice rule without a comparison operator');
  const operand = rule[op]!;
  if (op.endsWith('Path')) {
    const base = op.slice(0, -4);
    const cmp = comparator(base);
    const other = compilePath(String(operand));
    return (s) => {
      const v = read(variable, s);
      if (v === undefined) return false;
      const o = evaluatePath(other, s);
      return o.ok ? cmp(v, o.value) : false;
    };
  }
  switch (op) {
    case 'IsPresent':
      return (s) => (read(variable, s) !== undefined) === (operand === true);
    case 'IsNull':
      return typeTest(variable, operand, (v) => v === null);
    case 'IsNumeric':
      return typeTest(variable, operand, (v) => typeof v === 'number');
    case 'IsString':
      return typeTest(variable, operand, (v) => typeof v === 'string');
    case 'IsBoolean':
      return typeTest(variable, operand, (v) => typeof v === 'boolean');
    case 'IsTimestamp':
      return typeTest(variable, operand, (v) => typeof v === 'string' && parseTimestamp(v) !== undefined);
    default: {
      // A Variable that selects nothing matches no comparison (only IsPresent: false tells it apart).
      const cmp = comparator(op);
      return (s) => {
        const v = read(variable, s);
        return v === undefined ? false : cmp(v, operand);
      };
    }
  }
}

function typeTest(variable: CompiledPath, expected: Json, pred: (v: Json) => boolean): Test {
  return (s) => {
    const v = read(variable, s);
    if (v === undefined) return expected === false;
    return pred(v) === (expected === true);
  };
}

function read(p: CompiledPath, s: EvalScope): Json | undefined {
  const r = evaluatePath(p, s);
  return r.ok ? r.value : undefined;
}

type Cmp = (v: Json, operand: Json) => boolean;

function comparator(op: string): Cmp {
  switch (op) {
    case 'StringEquals':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && v === o;
    case 'StringLessThan':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && v < o;
    case 'StringGreaterThan':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && v > o;
    case 'StringLessThanEquals':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && v <= o;
    case 'StringGreaterThanEquals':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && v >= o;
    case 'StringMatches':
      return (v, o) => typeof v === 'string' && typeof o === 'string' && wildcardRegex(o).test(v);
    case 'NumericEquals':
      return (v, o) => typeof v === 'number' && typeof o === 'number' && v === o;
    case 'NumericLessThan':
      return (v, o) => typeof v === 'number' && typeof o === 'number' && v < o;
    case 'NumericGreaterThan':
      return (v, o) => typeof v === 'number' && typeof o === 'number' && v > o;
    case 'NumericLessThanEquals':
      return (v, o) => typeof v === 'number' && typeof o === 'number' && v <= o;
    case 'NumericGreaterThanEquals':
      return (v, o) => typeof v === 'number' && typeof o === 'number' && v >= o;
    case 'BooleanEquals':
      return (v, o) => typeof v === 'boolean' && typeof o === 'boolean' && v === o;
    case 'TimestampEquals':
      return timestampCmp((c) => c === 0);
    case 'TimestampLessThan':
      return timestampCmp((c) => c < 0);
    case 'TimestampGreaterThan':
      return timestampCmp((c) => c > 0);
    case 'TimestampLessThanEquals':
      return timestampCmp((c) => c <= 0);
    case 'TimestampGreaterThanEquals':
      return timestampCmp((c) => c >= 0);
    default:
      throw new Error(`Unknown Choice operator ${op}`);
  }
}

function timestampCmp(ok: (c: number) => boolean): Cmp {
  return (v, o) => {
    if (typeof v !== 'string' || typeof o !== 'string') return false;
    const a = parseTimestamp(v);
    const b = parseTimestamp(o);
    if (!a || !b) return false;
    return ok(compareTimestamps(a, b));
  };
}

const wildcardCache = new Map<string, RegExp>();

/** StringMatches patterns: `*` matches anything; `\*` and `\\` are literal. */
export function wildcardRegex(pattern: string): RegExp {
  let re = wildcardCache.get(pattern);
  if (re) return re;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      src += escapeRe(pattern[++i]!);
    } else if (c === '*') src += '[\\s\\S]*';
    else src += escapeRe(c);
  }
  re = new RegExp(`^${src}$`);
  wildcardCache.set(pattern, re);
  return re;
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
