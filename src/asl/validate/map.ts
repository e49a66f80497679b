/**
 * Map state checks, and the Label rules AWS applies to (Distributed) Map states.
 * @module
 */
import type { JsonObject } from '../../shared/json.js';
import { at, expectKind, jsonataBody, rejectUnknownFields, requireField, requireFields, type Ctx, type QueryLanguage } from './context.js';
import { checkEnum, checkIntegerField, exclusive } from './fields.js';
import { checkExpression, checkExpressionsIn } from './jsonata-check.js';
import { checkPathField, checkTemplateField } from './paths.js';
import { pyRepr } from './pyrepr.js';

export type WorkflowChecker = (ctx: Ctx, wf: JsonObject, location: string, kind: 'processor' | 'iterator') => void;

/** Map: processor (ItemProcessor or legacy Iterator), items, selectors, concurrency, tolerated failures, reader/batcher/writer, Label. */
export function checkMap(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage, checkWorkflow: WorkflowChecker): void {
  const hasProcessor = Object.hasOwn(state, 'ItemProcessor');
  const hasIterator = Object.hasOwn(state, 'Iterator');
  if (hasProcessor && hasIterator) ctx.error(`The fields 'ItemProcessor' and 'Iterator' are mutually exclusive`, location);
  else if (!hasProcessor && !hasIterator) requireFields(ctx, state, ['ItemProcessor'], location);
  for (const field of ['ItemProcessor', 'Iterator']) {
    if (!Object.hasOwn(state, field)) continue;
    const loc = at(location, field);
    const wf = state[field];
    if (!expectKind(ctx, wf, ['OBJECT'], loc)) continue;
    const obj = wf as JsonObject;
    if (Object.hasOwn(obj, 'ProcessorConfig')) {
      const pcLoc = at(loc, 'ProcessorConfig');
      const pc = obj['ProcessorConfig'];
      if (expectKind(ctx, pc, ['OBJECT'], pcLoc)) {
        const cfg = pc as JsonObject;
        rejectUnknownFields(ctx, cfg, new Set(['Mode', 'ExecutionType']), pcLoc);
        checkEnum(ctx, cfg, 'Mode', ['INLINE', 'DISTRIBUTED'], pcLoc);
        checkEnum(ctx, cfg, 'ExecutionType', ['STANDARD', 'EXPRESS'], pcLoc);
      }
    }
    checkWorkflow(ctx, obj, loc, field === 'ItemProcessor' ? 'processor' : 'iterator');
  }
  exclusive(ctx, state, 'ItemSelector', 'Parameters', location);
  if (lang === 'JSONPath') {
    checkPathField(ctx, state, 'ItemsPath', location, { reference: true });
    checkTemplateField(ctx, state, 'ItemSelector', location);
    checkTemplateField(ctx, state, 'Parameters', location);
  } else if (Object.hasOwn(state, 'Items')) {
    const v = state['Items'];
    const loc = at(location, 'Items');
    if (typeof v === 'string' && jsonataBody(v) !== undefined) checkExpression(ctx, v, loc);
    else if (!Array.isArray(v)) ctx.error(`Expected value of type [ARRAY, JSONATA_EXPRESSION]`, loc);
    else checkExpressionsIn(ctx, v, loc);
  }
  checkIntegerField(ctx, state, 'MaxConcurrency', location, lang, 0, Number.MAX_SAFE_INTEGER, 'MaxConcurrencyPath');
  checkIntegerField(ctx, state, 'ToleratedFailureCount', location, lang, 0, Number.MAX_SAFE_INTEGER, 'ToleratedFailureCountPath');
  exclusive(ctx, state, 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath', location);
  if (lang === 'JSONPath') checkPathField(ctx, state, 'ToleratedFailurePercentagePath', location, { reference: true });
  if (Object.hasOwn(state, 'ToleratedFailurePercentage')) {
    const v = state['ToleratedFailurePercentage'];
    const loc = at(location, 'ToleratedFailurePercentage');
    if (lang === 'JSONata' && typeof v === 'string' && jsonataBody(v) !== undefined) checkExpression(ctx, v, loc);
    else if (typeof v !== 'number') ctx.error(`Expected value of type [NUMBER]`, loc);
    else if (v < 0 || v > 100) ctx.error(`The value for the field 'ToleratedFailurePercentage' must be between 0 and 100`, loc);
  }
  for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
    if (!Object.hasOwn(state, field)) continue;
    const loc = at(location, field);
    const v = state[field];
    if (!expectKind(ctx, v, ['OBJECT'], loc)) continue;
    const obj = v as JsonObject;
    if (field !== 'ItemBatcher') {
      if (requireField(ctx, obj, 'Resource', loc)) expectKind(ctx, obj['Resource'], ['STRING'], at(loc, 'Resource'));
    }
    if (lang === 'JSONPath') {
      checkTemplateField(ctx, obj, field === 'ItemBatcher' ? 'BatchInput' : 'Parameters', loc);
    } else {
      for (const k of Object.keys(obj)) if (k !== 'Resource') checkExpressionsIn(ctx, obj[k], at(loc, k));
    }
  }
  if (Object.hasOwn(state, 'Label')) {
    const loc = at(location, 'Label');
    if (expectKind(ctx, state['Label'], ['STRING'], loc)) checkLabel(ctx, state['Label'] as string, loc);
  }
}

/** Characters AWS refuses in a Map Label. */
const LABEL_INVALID = /[ ?*<>{}[\]:;,\\|^~$#%&`"\u0000-\u001f\u007f-\u009f]/u;

function checkLabel(ctx: Ctx, label: string, location: string): void {
  const chars = [...label];
  let message: string | undefined;
  if (chars.length === 0) message = 'Label cannot be empty';
  else if (chars.length > 40) message = 'Label cannot exceed 40 characters';
  else {
    const bad = chars.find((c) => LABEL_INVALID.test(c));
    if (bad !== undefined) message = `Label contains invalid character: ${pyRepr(bad)}`;
  }
  if (message !== undefined) ctx.label.push({ severity: 'ERROR', code: 'INVALID_LABEL_NAME', message, location });
}
