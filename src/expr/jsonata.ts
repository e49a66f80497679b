/**
 * JSONata expressions (`{% … %}`). PLACEHOLDER with the agreed contract; the full module (AWS functions,
 * restrictions, AWS's error texts) is being written separately.
 * @module
 */
import jsonata from 'jsonata';
import { isObject, type Json } from '../shared/json.js';
import { AslFailure } from './failure.js';
import type { Rng, Vars } from './scope.js';

export interface JsonataScope {
  input: Json;
  context: Json;
  result?: Json;
  errorOutput?: Json;
  vars: Vars;
  rng: Rng;
  now: number;
}

export interface CompiledJsonata {
  readonly constant: boolean;
  evaluate(scope: JsonataScope): Promise<Json>;
}

export function isJsonataTemplate(s: string): boolean {
  return s.startsWith('{%') && s.endsWith('%}');
}

function bindings(scope: JsonataScope): Record<string, unknown> {
  const states: Record<string, unknown> = { input: scope.input, context: scope.context };
  if (scope.result !== undefined) states.result = scope.result;
  if (scope.errorOutput !== undefined) states.errorOutput = scope.errorOutput;
  return { ...scope.vars, states };
}

export function compileJsonataExpression(text: string, field: string): CompiledJsonata {
  const src = isJsonataTemplate(text) ? text.slice(2, -2) : text;
  const expr = jsonata(src);
  return {
    constant: false,
    async evaluate(scope) {
      let v: unknown;
      try {
        v = await expr.evaluate(scope.input, bindings(scope));
      } catch (e) {
        throw new AslFailure('States.QueryEvaluationError', (e as Error).message);
      }
      if (v === undefined) {
        throw new AslFailure('States.QueryEvaluationError', `The JSONata expression '${src.trim()}' specified for the field '${field}' returned nothing (undefined).`);
      }
      return v as Json;
    },
  };
}

export function compileJsonataValue(value: Json, field: string): CompiledJsonata {
  if (typeof value === 'string') {
    return isJsonataTemplate(value) ? compileJsonataExpression(value, field) : { constant: true, evaluate: async () => value };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileJsonataValue(v, `${field}[${i}]`));
    if (items.every((x) => x.constant)) return { constant: true, evaluate: async () => value };
    return { constant: false, evaluate: async (s) => Promise.all(items.map((x) => x.evaluate(s))) };
  }
  if (isObject(value)) {
    const entries = Object.keys(value).map((k) => [k, compileJsonataValue(value[k]!, `${field}/${k}`)] as const);
    if (entries.every(([, x]) => x.constant)) return { constant: true, evaluate: async () => value };
    return {
      constant: false,
      async evaluate(s) {
        const out: Record<string, Json> = {};
        for (const [k, x] of entries) out[k] = await x.evaluate(s);
        return out;
      },
    };
  }
  return { constant: true, evaluate: async () => value };
}
