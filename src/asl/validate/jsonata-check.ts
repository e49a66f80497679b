/**
 * JSONata-side checks: every `{% ... %}` string of a JSONata state must parse, and may not read the
 * top-level context (there is none in Step Functions: input arrives as `$states.input`).
 * @module
 */
import jsonata from 'jsonata';
import { isObject, type Json } from '../../shared/json.js';
import { at, atIndex, jsonataBody, type Ctx } from './context.js';
import { checkVariableName } from './paths.js';

export const INVALID_JSONATA = 'INVALID_JSONATA_EXPRESSION';
export const UNSUPPORTED_JSONATA = 'UNSUPPORTED_JSONATA_EXPRESSION';

/** AST nodes, typed loosely: the published typings lack some node types (path, bind, apply). */
type Node = { type: string } & Record<string, unknown>;

/** Names read from the (absent) top-level context: `phone` in `phone & "x"`, not `$states.input.phone`. */
function topLevelNames(node: Node | undefined, out: string[]): void {
  if (!node || typeof node !== 'object') return;
  const visit = (n: unknown) => topLevelNames(n as Node, out);
  switch (node.type) {
    case 'name':
      if (typeof node.value === 'string' && !out.includes(node.value)) out.push(node.value);
      return;
    case 'path': {
      const first = (node.steps as Node[] | undefined)?.[0];
      if (first && first.type === 'name') {
        if (typeof first.value === 'string' && !out.includes(first.value)) out.push(first.value);
      } else if (first && first.type !== 'variable') visit(first);
      return;
    }
    case 'binary':
    case 'apply':
      visit(node.lhs);
      visit(node.rhs);
      return;
    case 'bind':
      visit(node.rhs);
      return;
    case 'unary':
      if (node.value === '-') visit(node.expression);
      else if (node.value === '[') (node.expressions as Node[] | undefined)?.forEach(visit);
      else if (node.value === '{') (node.lhs as Node[][] | undefined)?.forEach((pair) => pair.forEach(visit));
      return;
    case 'function':
    case 'partial':
      (node.arguments as Node[] | undefined)?.forEach(visit);
      return;
    case 'block':
      (node.expressions as Node[] | undefined)?.forEach(visit);
      return;
    case 'condition':
      visit(node.condition);
      visit(node.then);
      visit(node.else);
      return;
    default:
      return;
  }
}

/** Checks one `{% %}` string; returns false when it does not parse. */
export function checkExpression(ctx: Ctx, text: string, location: string): boolean {
  const body = jsonataBody(text);
  if (body === undefined) return true;
  let ast: Node;
  try {
    ast = jsonata(body).ast() as unknown as Node;
  } catch (e) {
    const msg = e && typeof e === 'object' && 'message' in e ? String((e as Error).message) : String(e);
    ctx.error(msg, location, INVALID_JSONATA);
    return false;
  }
  const names: string[] = [];
  topLevelNames(ast, names);
  for (const n of names) ctx.error(`Reference to '${n}' at the top level is not supported.`, location, UNSUPPORTED_JSONATA);
  return true;
}

/** Checks every expression string inside a value (payloads are walked to any depth). */
export function checkExpressionsIn(ctx: Ctx, value: Json | undefined, location: string): void {
  if (typeof value === 'string') checkExpression(ctx, value, location);
  else if (Array.isArray(value)) value.forEach((v, i) => checkExpressionsIn(ctx, v, atIndex(location, i)));
  else if (isObject(value)) for (const k of Object.keys(value)) checkExpressionsIn(ctx, value[k], at(location, k));
}

/** Assign in a JSONata state, rule or catcher: variable names, and the expressions of the values. */
export function checkJsonataAssign(ctx: Ctx, holder: { [k: string]: Json }, location: string): void {
  if (!Object.hasOwn(holder, 'Assign')) return;
  const v = holder['Assign'];
  const loc = at(location, 'Assign');
  if (typeof v === 'string' && jsonataBody(v) !== undefined) {
    checkExpression(ctx, v, loc);
    return;
  }
  if (!isObject(v)) {
    ctx.error(`Expected value of type [OBJECT]`, loc);
    return;
  }
  for (const k of Object.keys(v)) {
    checkVariableName(ctx, k, loc);
    checkExpressionsIn(ctx, v[k], at(loc, k));
  }
}
