/**
 * JSONPath payload templates: Parameters, ResultSelector, ItemSelector, Arguments-free JSONPath fields and
 * Assign in JSONPath states. Keys ending in `.$` take their value from a path (`$.x`, `$$.x`, `$var.x`)
 * or an intrinsic function call; everything else is copied. Compiled once; constant subtrees are
 * returned as they are (shared, never copied).
 * @module
 */
import { hasOwn, isObject, setOwn, toJsonText, type Json, type JsonObject } from '../shared/json.js';
import { AslFailure } from './failure.js';
import { compileIntrinsic, isIntrinsicCall } from './intrinsics.js';
import { compilePath, evaluatePath, getKeys, rootValue, type CompiledPath } from './jsonpath.js';
import type { EvalScope } from './scope.js';

export type Evaluator = (scope: EvalScope) => Json;

export interface CompiledTemplate {
  readonly constant: boolean;
  readonly evaluate: Evaluator;
}

/** Compiles a payload template. Throws (JsonPathSyntaxError or IntrinsicSyntaxError) when a `.$` value is malformed. */
export function compileTemplate(value: Json): CompiledTemplate {
  const ev = compileNode(value);
  if (ev === null) return { constant: true, evaluate: () => value };
  return { constant: false, evaluate: ev };
}

/** Compiles the value of a `.$` field: a path or an intrinsic function call. */
export function compileDynamicValue(expr: string, field: string): Evaluator {
  if (isIntrinsicCall(expr)) return compileIntrinsic(expr);
  const p = compilePath(expr);
  return pathEvaluator(p, field);
}

/** A path evaluator for a `.$` field; fails with AWS's States.Runtime wording when the path selects nothing. */
export function pathEvaluator(p: CompiledPath, field: string): Evaluator {
  const keys = p.keys;
  if (keys && p.root === 'input') {
    return (scope) => {
      const v = getKeys(scope.input, keys);
      if (v === undefined) throw notFound(p, field, scope);
      return v;
    };
  }
  return (scope) => {
    const r = evaluatePath(p, scope);
    if (!r.ok) {
      if (p.root === 'var' && rootValue(p, scope) === undefined) throw notFound(p, field, scope);
      throw notFound(p, field, scope);
    }
    return r.value;
  };
}

function notFound(p: CompiledPath, field: string, scope: EvalScope): AslFailure {
  return new AslFailure(
    'States.Runtime',
    `The JSONPath '${p.source}' specified for the field '${field}' could not be found in the input '${toJsonText(scope.input)}'`,
  );
}

type Entry = { key: string; ev: Evaluator | null; value: Json };

function compileNode(value: Json): Evaluator | null {
  if (Array.isArray(value)) {
    const items = value.map((v) => compileNode(v));
    if (items.every((x) => x === null)) return null;
    return (scope) => value.map((v, i) => (items[i] ? items[i]!(scope) : v));
  }
  if (!isObject(value)) return null;
  const entries: Entry[] = [];
  let dynamic = false;
  for (const k of Object.keys(value)) {
    const v = value[k]!;
    if (k.endsWith('.$') && k.length > 2) {
      if (typeof v !== 'string') {
        entries.push({ key: k, ev: null, value: v });
        continue;
      }
      entries.push({ key: k.slice(0, -2), ev: compileDynamicValue(v, k), value: null });
      dynamic = true;
    } else {
      const ev = compileNode(v);
      if (ev) dynamic = true;
      entries.push({ key: k, ev, value: v });
    }
  }
  if (!dynamic) return null;
  return literalBuilder(entries) ?? loopBuilder(entries);
}

/**
 * Builds the object with one object literal of the template's keys: every result then has the same
 * shape from birth, which is much cheaper than adding properties one by one. The keys are embedded as
 * JSON string literals; values come from the arrays passed in (nothing of the definition is evaluated
 * as code). Not used for `__proto__` (a literal would set the prototype) or very wide templates.
 */
function literalBuilder(entries: Entry[]): Evaluator | null {
  if (entries.length > 64 || entries.some((e) => e.key === '__proto__')) return null;
  const fields = entries.map((e, i) => `${JSON.stringify(e.key)}: ${e.ev ? `f[${i}](s)` : `v[${i}]`}`);
  const make = new Function('f', 'v', `return function template(s) { return { ${fields.join(', ')} }; };`) as (
    f: (Evaluator | null)[],
    v: Json[],
  ) => Evaluator;
  return make(
    entries.map((e) => e.ev),
    entries.map((e) => e.value),
  );
}

function loopBuilder(entries: Entry[]): Evaluator {
  const n = entries.length;
  return (scope) => {
    const out: JsonObject = {};
    for (let i = 0; i < n; i++) {
      const e = entries[i]!;
      setOwn(out, e.key, e.ev ? e.ev(scope) : e.value);
    }
    return out;
  };
}

/** True when the object has a key ending in `.$` anywhere (used by validation and compile). */
export function hasDynamicKeys(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasDynamicKeys);
  if (!isObject(value)) return false;
  for (const k in value) if (hasOwn(value, k) && (k.endsWith('.$') || hasDynamicKeys(value[k]!))) return true;
  return false;
}
