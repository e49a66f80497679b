/**
 * Reading `Dyn` fields (a constant, a `…Path` or a JSONata expression) in a state.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { JsonataScope } from '../../expr/jsonata.js';
import { evaluatePath } from '../../expr/jsonpath.js';
import type { EvalScope } from '../../expr/scope.js';
import type { Dyn } from '../../asl/model.js';

/** JSONPath states: the value, or undefined when a `…Path` selects nothing. */
export function evalDynPath<T extends Json>(d: Dyn<T>, scope: EvalScope): Json | undefined {
  switch (d.k) {
    case 'const':
      return d.v;
    case 'eval':
      return d.ev(scope);
    case 'path': {
      const r = evaluatePath(d.path, scope);
      return r.ok ? r.value : undefined;
    }
    case 'jsonata':
      return undefined;
  }
}

export async function evalDynJsonata<T extends Json>(d: Dyn<T>, js: JsonataScope): Promise<Json | undefined> {
  switch (d.k) {
    case 'const':
      return d.v;
    case 'jsonata':
      return d.expr.evaluate(js);
    default:
      return undefined;
  }
}
