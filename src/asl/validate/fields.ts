/**
 * Field checks shared by the state validators: integers with their `...Path` twins or JSONata
 * expressions, strings-or-expressions, mutually exclusive fields and enumerations.
 * @module
 */
import type { JsonObject } from '../../shared/json.js';
import { at, expectKind, jsonataBody, kindOf, type Ctx, type QueryLanguage } from './context.js';
import { checkExpression } from './jsonata-check.js';
import { checkPathField } from './paths.js';

export const MAX_SECONDS = 99999999;

/** An integer field (with its optional `...Path` twin in JSONPath, or a JSONata expression in JSONata). */
export function checkIntegerField(
  ctx: Ctx,
  state: JsonObject,
  field: string,
  location: string,
  lang: QueryLanguage,
  min: number,
  max: number,
  pathField?: string,
): number | undefined {
  if (pathField && Object.hasOwn(state, field) && Object.hasOwn(state, pathField)) {
    ctx.error(`The fields '${field}' and '${pathField}' are mutually exclusive`, location);
  }
  if (pathField && lang === 'JSONPath') checkPathField(ctx, state, pathField, location, { reference: true });
  if (!Object.hasOwn(state, field)) return undefined;
  const v = state[field];
  const loc = at(location, field);
  if (lang === 'JSONata' && typeof v === 'string' && jsonataBody(v) !== undefined) {
    checkExpression(ctx, v, loc);
    return undefined;
  }
  if (kindOf(v) !== 'INTEGER') {
    ctx.error(lang === 'JSONata' ? `Expected value of type [INTEGER, JSONATA_EXPRESSION]` : `Expected value of type [INTEGER]`, loc);
    return undefined;
  }
  const n = v as number;
  if (n < min) ctx.error(`The value for the field '${field}' must be greater than or equal to ${min}`, loc);
  else if (n > max) ctx.error(`The value for the field '${field}' must be less than or equal to ${max}`, loc);
  return n;
}

export function checkStringOrExpression(ctx: Ctx, state: JsonObject, field: string, location: string, lang: QueryLanguage): void {
  if (!Object.hasOwn(state, field)) return;
  const v = state[field];
  const loc = at(location, field);
  if (typeof v !== 'string') ctx.error(`Expected value of type [STRING]`, loc);
  else if (lang === 'JSONata') checkExpression(ctx, v, loc);
}

export function exclusive(ctx: Ctx, state: JsonObject, a: string, b: string, location: string): void {
  if (Object.hasOwn(state, a) && Object.hasOwn(state, b)) ctx.error(`The fields '${a}' and '${b}' are mutually exclusive`, location);
}

export function checkEnum(ctx: Ctx, obj: JsonObject, field: string, values: readonly string[], location: string): string | undefined {
  if (!Object.hasOwn(obj, field)) return undefined;
  const v = obj[field];
  const loc = at(location, field);
  if (!expectKind(ctx, v, ['STRING'], loc)) return undefined;
  if (!values.includes(v as string)) {
    ctx.error(`Value should be one of the following: [${values.join(', ')}]`, loc);
    return undefined;
  }
  return v as string;
}
