/**
 * Retry and Catch: error names (ErrorEquals), States.ALL placement, retrier parameters and catcher
 * fields per query language.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { at, atIndex, expectKind, kindOf, rejectUnknownFields, requireField, type Ctx, type QueryLanguage } from './context.js';
import { checkExpressionsIn, checkJsonataAssign } from './jsonata-check.js';
import { checkJsonPathAssign, checkPathField } from './paths.js';

/** The predefined error names; other names starting with `States.` are reserved (a warning, as AWS accepts them). */
export const PREDEFINED_ERRORS: ReadonlySet<string> = new Set([
  'States.ALL',
  'States.DataLimitExceeded',
  'States.ExceedToleratedFailureThreshold',
  'States.HeartbeatTimeout',
  'States.Http.Socket',
  'States.IntrinsicFailure',
  'States.ItemReaderFailed',
  'States.NoChoiceMatched',
  'States.ParameterPathFailure',
  'States.Permissions',
  'States.ResultPathMatchFailure',
  'States.ResultWriterFailed',
  'States.Runtime',
  'States.TaskFailed',
  'States.Timeout',
  'States.QueryEvaluationError',
  'States.BranchFailed',
]);

const RETRY_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment']);

/** Checks ErrorEquals; returns true when it names States.ALL. */
function checkErrorEquals(ctx: Ctx, holder: JsonObject, location: string): boolean {
  if (!requireField(ctx, holder, 'ErrorEquals', location)) return false;
  const loc = at(location, 'ErrorEquals');
  const v = holder['ErrorEquals'];
  if (!expectKind(ctx, v, ['ARRAY'], loc)) return false;
  const list = v as Json[];
  if (list.length === 0) {
    ctx.error(`The field 'ErrorEquals' must contain at least one error name`, loc);
    return false;
  }
  list.forEach((e, i) => {
    const el = atIndex(loc, i);
    if (!expectKind(ctx, e, ['STRING'], el)) return;
    const name = e as string;
    // AWS accepts other names under `States.` (its own samples catch 'States.TaskFailedId' or
    // 'States.QuorumMet' thrown by Fail states), so this is a warning, not a refusal.
    if (name.startsWith('States.') && !PREDEFINED_ERRORS.has(name)) {
      ctx.warn(`'${name}' is not a predefined error name; names starting with 'States.' are reserved for Step Functions' own errors`, el, 'RESERVED_ERROR_NAME');
    }
  });
  const all = list.includes('States.ALL');
  if (all && list.length > 1) ctx.error(`'States.ALL' must appear alone in ErrorEquals`, loc);
  return all;
}

function checkNumber(ctx: Ctx, obj: JsonObject, field: string, location: string, integer: boolean, min: number, max: number): void {
  if (!Object.hasOwn(obj, field)) return;
  const v = obj[field];
  const loc = at(location, field);
  const k = kindOf(v);
  if (integer ? k !== 'INTEGER' : k !== 'INTEGER' && k !== 'NUMBER') {
    ctx.error(`Expected value of type [${integer ? 'INTEGER' : 'NUMBER'}]`, loc);
    return;
  }
  const n = v as number;
  if (n < min) ctx.error(`The value for the field '${field}' must be greater than or equal to ${min}`, loc);
  else if (n > max) ctx.error(`The value for the field '${field}' must be less than or equal to ${max}`, loc);
}

export function checkRetry(ctx: Ctx, state: JsonObject, location: string): void {
  if (!Object.hasOwn(state, 'Retry')) return;
  const loc = at(location, 'Retry');
  const v = state['Retry'];
  if (!expectKind(ctx, v, ['ARRAY'], loc)) return;
  const list = v as Json[];
  list.forEach((r, i) => {
    const rl = atIndex(loc, i);
    if (!isObject(r)) {
      ctx.error(`Expected value of type [OBJECT]`, rl);
      return;
    }
    rejectUnknownFields(ctx, r, RETRY_FIELDS, rl);
    const all = checkErrorEquals(ctx, r, rl);
    if (all && i !== list.length - 1) ctx.error(`A Retrier with 'States.ALL' must be the last Retrier`, rl);
    checkNumber(ctx, r, 'IntervalSeconds', rl, true, 1, 99999999);
    checkNumber(ctx, r, 'MaxAttempts', rl, true, 0, 99999999);
    checkNumber(ctx, r, 'BackoffRate', rl, false, 1, Number.MAX_VALUE);
    checkNumber(ctx, r, 'MaxDelaySeconds', rl, true, 1, 31622400);
    if (Object.hasOwn(r, 'JitterStrategy')) {
      const j = r['JitterStrategy'];
      const jl = at(rl, 'JitterStrategy');
      if (expectKind(ctx, j, ['STRING'], jl) && j !== 'FULL' && j !== 'NONE') {
        ctx.error(`Value should be one of the following: [FULL, NONE]`, jl);
      }
    }
  });
}

export function checkCatch(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage): void {
  if (!Object.hasOwn(state, 'Catch')) return;
  const loc = at(location, 'Catch');
  const v = state['Catch'];
  if (!expectKind(ctx, v, ['ARRAY'], loc)) return;
  const list = v as Json[];
  const allowed = new Set(['ErrorEquals', 'Next', 'Comment', 'Assign', lang === 'JSONata' ? 'Output' : 'ResultPath']);
  list.forEach((c, i) => {
    const cl = atIndex(loc, i);
    if (!isObject(c)) {
      ctx.error(`Expected value of type [OBJECT]`, cl);
      return;
    }
    rejectUnknownFields(ctx, c, allowed, cl);
    const all = checkErrorEquals(ctx, c, cl);
    if (all && i !== list.length - 1) ctx.error(`A Catcher with 'States.ALL' must be the last Catcher`, cl);
    if (requireField(ctx, c, 'Next', cl)) expectKind(ctx, c['Next'], ['STRING'], at(cl, 'Next'));
    if (lang === 'JSONPath') {
      checkPathField(ctx, c, 'ResultPath', cl, { nullable: true, reference: true, context: false, variables: false });
      checkJsonPathAssign(ctx, c, cl);
    } else {
      if (Object.hasOwn(c, 'Output')) checkExpressionsIn(ctx, c['Output'], at(cl, 'Output'));
      checkJsonataAssign(ctx, c, cl);
    }
  });
}
