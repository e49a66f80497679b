/**
 * Schema checks of workflows (the definition, Parallel branches, Map processors) and of their states:
 * required and allowed fields per state type and query language, field types and ranges, resources,
 * paths, payload templates, JSONata expressions, Retry/Catch, Map and Wait rules.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import {
  at,
  atIndex,
  expectKind,
  jsonataBody,
  rejectUnknownFields,
  requireField,
  requireFields,
  type Ctx,
  type QueryLanguage,
} from './context.js';
import { checkIntegerField, checkStringOrExpression, exclusive, MAX_SECONDS } from './fields.js';
import { checkMap } from './map.js';
import { checkChoiceRule } from './choice.js';
import { checkExpression, checkExpressionsIn, checkJsonataAssign } from './jsonata-check.js';
import { checkJsonPathAssign, checkPathField, checkTemplateField } from './paths.js';
import { recognizedResource, unrecognizedResourceMessage } from '../resources.js';
import { isRfc3339 } from './rfc3339.js';
import { checkRetry, checkCatch } from './errors.js';

export const STATE_TYPES = ['Task', 'Wait', 'Pass', 'Succeed', 'Fail', 'Choice', 'Parallel', 'Map'] as const;
export type StateType = (typeof STATE_TYPES)[number];

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const IO = ['InputPath', 'OutputPath', 'Output'];
const FLOW = ['Next', 'End'];
const RESULT = ['Parameters', 'ResultPath', 'ResultSelector', 'Retry', 'Catch', 'Assign', 'Arguments'];

const FIELDS: Record<StateType, ReadonlySet<string>> = {
  Pass: new Set([...COMMON, ...IO, ...FLOW, 'Parameters', 'ResultPath', 'Result', 'Assign']),
  Task: new Set([
    ...COMMON,
    ...IO,
    ...FLOW,
    ...RESULT,
    'Resource',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
  ]),
  Choice: new Set([...COMMON, ...IO, 'Choices', 'Default', 'Assign']),
  Wait: new Set([...COMMON, ...IO, ...FLOW, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath', 'Assign']),
  Succeed: new Set([...COMMON, ...IO]),
  Fail: new Set([...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath']),
  Parallel: new Set([...COMMON, ...IO, ...FLOW, ...RESULT, 'Branches']),
  Map: new Set([
    ...COMMON,
    ...IO,
    ...FLOW,
    ...RESULT.filter((f) => f !== 'Arguments'),
    'ItemProcessor',
    'Iterator',
    'ItemsPath',
    'Items',
    'ItemSelector',
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'Label',
  ]),
};

export const JSONPATH_ONLY: ReadonlySet<string> = new Set([
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultPath',
  'ResultSelector',
  'Result',
  'ItemsPath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'SecondsPath',
  'TimestampPath',
  'ErrorPath',
  'CausePath',
]);
export const JSONATA_ONLY: ReadonlySet<string> = new Set(['Output', 'Arguments', 'Items']);

/** Fields of a JSONata state whose strings are not JSONata expressions (or are checked elsewhere). */
const NOT_EXPRESSIONS = new Set([
  'Type',
  'Comment',
  'QueryLanguage',
  'Next',
  'End',
  'Default',
  'Resource',
  'ItemProcessor',
  'Iterator',
  'Branches',
  'Retry',
  'Catch',
  'Choices',
  'Label',
]);

export function qlMessage(lang: QueryLanguage, field: string): string {
  const other = lang === 'JSONata' ? 'JSONPath' : 'JSONata';
  return `The QueryLanguage is set to '${lang}', but field '${field}' is only supported for the '${other}' QueryLanguage`;
}

/** Reads a QueryLanguage field: reports bad values, returns the resulting language. */
export function readQueryLanguage(ctx: Ctx, obj: JsonObject, location: string, inherited: QueryLanguage): QueryLanguage {
  if (!Object.hasOwn(obj, 'QueryLanguage')) return inherited;
  const v = obj['QueryLanguage'];
  const loc = at(location, 'QueryLanguage');
  if (typeof v !== 'string') {
    ctx.error(`Expected value of type [STRING]`, loc);
    return 'JSONata';
  }
  if (v !== 'JSONPath' && v !== 'JSONata') ctx.error(`Value should be one of the following: [JSONPath, JSONata]`, loc);
  return v === 'JSONPath' ? 'JSONPath' : 'JSONata';
}

/** Validates a workflow: the definition itself, a Parallel branch, a Map ItemProcessor/Iterator. */
export function checkWorkflow(ctx: Ctx, wf: JsonObject, location: string, kind: 'root' | 'branch' | 'processor' | 'iterator'): void {
  const allowed = new Set(['StartAt', 'States', 'Comment']);
  if (kind === 'root') ['Version', 'TimeoutSeconds', 'QueryLanguage'].forEach((f) => allowed.add(f));
  if (kind === 'processor' || kind === 'iterator') allowed.add('ProcessorConfig');
  rejectUnknownFields(ctx, wf, allowed, location);
  const hasRequired = requireFields(ctx, wf, ['StartAt', 'States'], location);
  if (Object.hasOwn(wf, 'StartAt')) expectKind(ctx, wf['StartAt'], ['STRING'], at(location, 'StartAt'));
  if (Object.hasOwn(wf, 'Comment')) expectKind(ctx, wf['Comment'], ['STRING'], at(location, 'Comment'));
  if (kind === 'root') {
    if (Object.hasOwn(wf, 'Version') && expectKind(ctx, wf['Version'], ['STRING'], at(location, 'Version')) && wf['Version'] !== '1.0') {
      ctx.error(`Value should be one of the following: [1.0]`, at(location, 'Version'));
    }
    checkIntegerField(ctx, wf, 'TimeoutSeconds', location, 'JSONPath', 1, MAX_SECONDS);
  }
  if (!hasRequired && !Object.hasOwn(wf, 'States')) return;
  const states = wf['States'];
  const statesLoc = at(location, 'States');
  if (!expectKind(ctx, states, ['OBJECT'], statesLoc)) return;
  const obj = states as JsonObject;
  if (Object.keys(obj).length === 0) ctx.error(`The field 'States' must contain at least one state`, statesLoc);
  for (const name of Object.keys(obj)) checkState(ctx, obj[name]!, at(statesLoc, name));
}

function checkState(ctx: Ctx, value: Json, location: string): void {
  if (!isObject(value)) {
    ctx.error(`Expected value of type [OBJECT]`, location);
    return;
  }
  const state = value;
  if (!requireFields(ctx, state, ['Type'], location)) return;
  const type = state['Type'];
  if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
    ctx.error(`The field 'Type' should have one of these values: [${STATE_TYPES.join(', ')}]`, at(location, 'Type'));
    return;
  }
  const t = type as StateType;
  const lang = readQueryLanguage(ctx, state, location, ctx.machineLanguage);
  const downgrade = ctx.machineLanguage === 'JSONata' && state['QueryLanguage'] === 'JSONPath';
  if (downgrade) ctx.error(`'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine`, location);
  for (const k of Object.keys(state)) {
    if (!FIELDS[t].has(k)) ctx.error(`Field '${k}' is not supported`, location);
    else if (!downgrade && lang === 'JSONata' && JSONPATH_ONLY.has(k)) ctx.error(qlMessage(lang, k), location);
    else if (!downgrade && lang === 'JSONPath' && JSONATA_ONLY.has(k)) ctx.error(qlMessage(lang, k), location);
  }
  if (Object.hasOwn(state, 'Comment')) expectKind(ctx, state['Comment'], ['STRING'], at(location, 'Comment'));
  if (FIELDS[t].has('Next')) checkTransition(ctx, state, location);

  if (lang === 'JSONPath') {
    checkPathField(ctx, state, 'InputPath', location, { nullable: true });
    checkPathField(ctx, state, 'OutputPath', location, { nullable: true });
    if (t !== 'Fail' && t !== 'Succeed' && t !== 'Choice' && t !== 'Wait') {
      checkPathField(ctx, state, 'ResultPath', location, { nullable: true, reference: true, context: false, variables: false });
      if (t !== 'Map') checkTemplateField(ctx, state, 'Parameters', location);
      checkTemplateField(ctx, state, 'ResultSelector', location);
    }
    if (t !== 'Fail' && t !== 'Succeed') checkJsonPathAssign(ctx, state, location);
  } else {
    for (const k of Object.keys(state)) {
      if (NOT_EXPRESSIONS.has(k) || !FIELDS[t].has(k)) continue;
      if (['TimeoutSeconds', 'HeartbeatSeconds', 'Seconds', 'Timestamp', 'MaxConcurrency', 'ToleratedFailureCount', 'ToleratedFailurePercentage', 'Error', 'Cause'].includes(k)) continue;
      if (k === 'Credentials' || k === 'ItemReader' || k === 'ItemBatcher' || k === 'ResultWriter' || k === 'Items') continue;
      if (k === 'Assign') checkJsonataAssign(ctx, state, location);
      else checkExpressionsIn(ctx, state[k], at(location, k));
    }
  }

  switch (t) {
    case 'Task':
      return checkTask(ctx, state, location, lang);
    case 'Choice':
      return checkChoice(ctx, state, location, lang);
    case 'Wait':
      return checkWait(ctx, state, location, lang);
    case 'Fail':
      return checkFail(ctx, state, location, lang);
    case 'Parallel':
      checkRetry(ctx, state, location);
      checkCatch(ctx, state, location, lang);
      return checkParallel(ctx, state, location);
    case 'Map':
      checkRetry(ctx, state, location);
      checkCatch(ctx, state, location, lang);
      return checkMap(ctx, state, location, lang, checkWorkflow);
    default:
      return;
  }
}

function checkTransition(ctx: Ctx, state: JsonObject, location: string): void {
  const hasNext = Object.hasOwn(state, 'Next');
  const hasEnd = Object.hasOwn(state, 'End');
  if (hasNext) expectKind(ctx, state['Next'], ['STRING'], at(location, 'Next'));
  if (hasEnd) expectKind(ctx, state['End'], ['BOOLEAN'], at(location, 'End'));
  const end = state['End'] === true;
  if (hasNext && end) ctx.error(`The fields 'Next' and 'End' are mutually exclusive`, location);
  else if (!hasNext && !end) ctx.error(`One of the fields [Next, End] is required`, location);
}

function checkTask(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage): void {
  if (requireFields(ctx, state, ['Resource'], location)) {
    const r = state['Resource'];
    const loc = at(location, 'Resource');
    if (expectKind(ctx, r, ['STRING'], loc)) {
      const parsed = recognizedResource(r as string);
      if (!parsed) ctx.error(unrecognizedResourceMessage(r as string), loc);
      else if (ctx.type === 'EXPRESS') {
        if (parsed.kind === 'activity') ctx.error(`Express state machine does not support Activity ARN`, loc);
        else if (parsed.kind === 'service' && (parsed.pattern === 'sync' || parsed.pattern === 'sync2')) {
          ctx.error(`Express state machine does not support '.sync' service integration`, loc);
        } else if (parsed.kind === 'service' && parsed.pattern === 'callback') {
          ctx.error(`Express state machine does not support '.waitForTaskToken' service integration `, loc);
        }
      }
    }
  }
  const timeout = checkIntegerField(ctx, state, 'TimeoutSeconds', location, lang, 1, MAX_SECONDS, 'TimeoutSecondsPath');
  const heartbeat = checkIntegerField(ctx, state, 'HeartbeatSeconds', location, lang, 1, MAX_SECONDS, 'HeartbeatSecondsPath');
  if (timeout !== undefined && heartbeat !== undefined && heartbeat >= timeout) {
    ctx.error(`The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'`, at(location, 'HeartbeatSeconds'));
  }
  if (Object.hasOwn(state, 'Credentials')) checkCredentials(ctx, state['Credentials'], at(location, 'Credentials'), lang);
  checkRetry(ctx, state, location);
  checkCatch(ctx, state, location, lang);
}

function checkCredentials(ctx: Ctx, value: Json | undefined, location: string, lang: QueryLanguage): void {
  if (!expectKind(ctx, value, ['OBJECT'], location)) return;
  const c = value as JsonObject;
  const dynamic = lang === 'JSONPath' && Object.hasOwn(c, 'RoleArn.$');
  if (!dynamic && !requireField(ctx, c, 'RoleArn', location)) return;
  rejectUnknownFields(ctx, c, new Set(lang === 'JSONPath' ? ['RoleArn', 'RoleArn.$'] : ['RoleArn']), location);
  if (Object.hasOwn(c, 'RoleArn')) {
    const v = c['RoleArn'];
    if (expectKind(ctx, v, ['STRING'], at(location, 'RoleArn')) && lang === 'JSONata') checkExpression(ctx, v as string, at(location, 'RoleArn'));
  }
  if (dynamic) checkTemplateField(ctx, { Credentials: c }, 'Credentials', location.slice(0, location.lastIndexOf('/')));
}

function checkChoice(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage): void {
  if (Object.hasOwn(state, 'Default')) expectKind(ctx, state['Default'], ['STRING'], at(location, 'Default'));
  if (!requireFields(ctx, state, ['Choices'], location)) return;
  const loc = at(location, 'Choices');
  const choices = state['Choices'];
  if (!expectKind(ctx, choices, ['ARRAY'], loc)) return;
  const list = choices as Json[];
  if (list.length === 0) ctx.error(`The field 'Choices' must contain at least one Choice Rule`, loc);
  list.forEach((rule, i) => checkChoiceRule(ctx, rule, atIndex(loc, i), lang, true));
}

function checkWait(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage): void {
  const present = ['Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath'].filter((f) => Object.hasOwn(state, f));
  if (present.length !== 1) {
    ctx.error(
      present.length === 0
        ? `One of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] is required`
        : `Only one of the fields [${present.join(', ')}] is allowed`,
      location,
    );
  }
  checkIntegerField(ctx, state, 'Seconds', location, lang, 0, Number.MAX_SAFE_INTEGER);
  if (lang === 'JSONPath') {
    checkPathField(ctx, state, 'SecondsPath', location, { reference: true });
    checkPathField(ctx, state, 'TimestampPath', location, { reference: true });
  }
  if (Object.hasOwn(state, 'Timestamp')) {
    const v = state['Timestamp'];
    const loc = at(location, 'Timestamp');
    if (lang === 'JSONata' && typeof v === 'string' && jsonataBody(v) !== undefined) checkExpression(ctx, v, loc);
    else if (typeof v !== 'string') ctx.error(`Expected value of type [STRING]`, loc);
    else if (!isRfc3339(v)) ctx.error('String does not match RFC3339 timestamp', loc);
  }
}

function checkFail(ctx: Ctx, state: JsonObject, location: string, lang: QueryLanguage): void {
  exclusive(ctx, state, 'Error', 'ErrorPath', location);
  exclusive(ctx, state, 'Cause', 'CausePath', location);
  checkStringOrExpression(ctx, state, 'Error', location, lang);
  checkStringOrExpression(ctx, state, 'Cause', location, lang);
  if (lang === 'JSONPath') {
    checkPathField(ctx, state, 'ErrorPath', location, { reference: true, intrinsic: true });
    checkPathField(ctx, state, 'CausePath', location, { reference: true, intrinsic: true });
  }
}

function checkParallel(ctx: Ctx, state: JsonObject, location: string): void {
  if (!requireFields(ctx, state, ['Branches'], location)) return;
  const loc = at(location, 'Branches');
  const branches = state['Branches'];
  if (!expectKind(ctx, branches, ['ARRAY'], loc)) return;
  const list = branches as Json[];
  if (list.length === 0) ctx.error(`The field 'Branches' must contain at least one branch`, loc);
  list.forEach((b, i) => {
    const bl = atIndex(loc, i);
    if (expectKind(ctx, b, ['OBJECT'], bl)) checkWorkflow(ctx, b as JsonObject, bl, 'branch');
  });
}

