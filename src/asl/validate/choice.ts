/**
 * Choice rules: JSONPath rules (Variable + exactly one comparison operator, or And/Or/Not) and JSONata
 * rules (Condition). Next is required on top-level rules and not allowed in nested ones.
 * @module
 */
import { isObject, type JsonObject } from '../../shared/json.js';
import { at, atIndex, jsonataBody, kindOf, requireFields, type Ctx, type QueryLanguage } from './context.js';
import { checkExpression, checkExpressionsIn, checkJsonataAssign } from './jsonata-check.js';
import { checkJsonPathAssign, tryPath } from './paths.js';

type Operand = 'string' | 'number' | 'boolean' | 'timestamp' | 'path';

const OPERATORS = new Map<string, Operand>();
for (const op of ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals']) {
  OPERATORS.set(`String${op}`, 'string');
  OPERATORS.set(`Numeric${op}`, 'number');
  OPERATORS.set(`Timestamp${op}`, 'timestamp');
  OPERATORS.set(`String${op}Path`, 'path');
  OPERATORS.set(`Numeric${op}Path`, 'path');
  OPERATORS.set(`Timestamp${op}Path`, 'path');
}
OPERATORS.set('StringMatches', 'string');
OPERATORS.set('BooleanEquals', 'boolean');
OPERATORS.set('BooleanEqualsPath', 'path');
for (const op of ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp']) OPERATORS.set(op, 'boolean');

const COMPOUND = ['And', 'Or', 'Not'];
const JSONPATH_RULE_FIELDS = new Set(['Variable', ...OPERATORS.keys(), ...COMPOUND]);
const JSONATA_RULE_FIELDS = new Set(['Condition', 'Output']);

function qlMessage(lang: QueryLanguage, field: string): string {
  const other = lang === 'JSONata' ? 'JSONPath' : 'JSONata';
  return `The QueryLanguage is set to '${lang}', but field '${field}' is only supported for the '${other}' QueryLanguage`;
}

function checkOperand(ctx: Ctx, rule: JsonObject, op: string, kind: Operand, location: string): void {
  const v = rule[op];
  const loc = at(location, op);
  const k = kindOf(v);
  switch (kind) {
    case 'string':
      if (k !== 'STRING') ctx.error(`Expected value of type [STRING]`, loc);
      return;
    case 'number':
      if (k !== 'INTEGER' && k !== 'NUMBER') ctx.error(`Expected value of type [NUMBER]`, loc);
      return;
    case 'boolean':
      if (k !== 'BOOLEAN') ctx.error(`Expected value of type [BOOLEAN]`, loc);
      return;
    case 'timestamp':
      // Only the type is checked: whether AWS refuses a non-RFC 3339 literal here is not established.
      if (k !== 'STRING') ctx.error(`Expected value of type [STRING]`, loc);
      return;
    case 'path':
      if (k !== 'STRING') ctx.error(`Expected value of type [STRING]`, loc);
      else if (!validPath(v as string)) ctx.error(`The value for the field '${op}' must be a valid JSONPath`, loc);
      return;
  }
}

function validPath(text: string): boolean {
  return tryPath(text) !== undefined;
}

/** Checks one Choice rule. `top` rules carry Next (and Assign/Output); nested ones may not. */
export function checkChoiceRule(ctx: Ctx, rule: unknown, location: string, lang: QueryLanguage, top: boolean): void {
  if (!isObject(rule)) {
    ctx.error(`Expected value of type [OBJECT]`, location);
    return;
  }
  const own = lang === 'JSONata' ? JSONATA_RULE_FIELDS : JSONPATH_RULE_FIELDS;
  const other = lang === 'JSONata' ? JSONPATH_RULE_FIELDS : JSONATA_RULE_FIELDS;
  for (const k of Object.keys(rule)) {
    if (k === 'Comment') continue;
    if (k === 'Next' || k === 'Assign') {
      if (!top) ctx.error(`Field '${k}' is not supported`, location);
      continue;
    }
    if (own.has(k)) {
      if (k === 'Output' && !top) ctx.error(`Field '${k}' is not supported`, location);
      continue;
    }
    if (other.has(k)) ctx.error(qlMessage(lang, k), location);
    else ctx.error(`Field '${k}' is not supported`, location);
  }
  if (top) {
    requireFields(ctx, rule, ['Next'], location);
    if (Object.hasOwn(rule, 'Next') && typeof rule['Next'] !== 'string') ctx.error(`Expected value of type [STRING]`, at(location, 'Next'));
    if (lang === 'JSONPath') checkJsonPathAssign(ctx, rule, location);
    else {
      checkJsonataAssign(ctx, rule, location);
      if (Object.hasOwn(rule, 'Output')) checkExpressionsIn(ctx, rule['Output'], at(location, 'Output'));
    }
  }
  if (lang === 'JSONata') {
    if (!requireFields(ctx, rule, ['Condition'], location)) return;
    const c = rule['Condition'];
    const loc = at(location, 'Condition');
    if (typeof c === 'boolean') return;
    if (typeof c !== 'string' || jsonataBody(c) === undefined) {
      ctx.error(`The value for the field 'Condition' must be a valid JSONata expression`, loc);
      return;
    }
    checkExpression(ctx, c, loc);
    return;
  }
  const ops = Object.keys(rule).filter((k) => OPERATORS.has(k) || COMPOUND.includes(k));
  if (ops.length !== 1) {
    ctx.error(
      ops.length === 0
        ? 'A Choice Rule must contain exactly one comparison operator or And/Or/Not'
        : `A Choice Rule must contain exactly one comparison operator or And/Or/Not, found: [${ops.join(', ')}]`,
      location,
    );
    return;
  }
  const op = ops[0]!;
  if (op === 'And' || op === 'Or') {
    if (Object.hasOwn(rule, 'Variable')) ctx.error(`Field 'Variable' is not supported`, location);
    const list = rule[op];
    const loc = at(location, op);
    if (!Array.isArray(list)) ctx.error(`Expected value of type [ARRAY]`, loc);
    else if (list.length === 0) ctx.error(`The field '${op}' must contain at least one Choice Rule`, loc);
    else list.forEach((r, i) => checkChoiceRule(ctx, r, atIndex(loc, i), lang, false));
    return;
  }
  if (op === 'Not') {
    if (Object.hasOwn(rule, 'Variable')) ctx.error(`Field 'Variable' is not supported`, location);
    checkChoiceRule(ctx, rule['Not'], at(location, 'Not'), lang, false);
    return;
  }
  if (!requireFields(ctx, rule, ['Variable'], location)) return;
  const variable = rule['Variable'];
  if (typeof variable !== 'string') ctx.error(`Expected value of type [STRING]`, at(location, 'Variable'));
  else if (!validPath(variable)) ctx.error(`The value for the field 'Variable' must be a valid JSONPath`, at(location, 'Variable'));
  checkOperand(ctx, rule, op, OPERATORS.get(op)!, location);
}
