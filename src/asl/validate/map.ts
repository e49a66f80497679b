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
  const distributed = isDistributed(state);
  for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter'] as const) {
    if (!Object.hasOwn(state, field)) continue;
    const loc = at(location, field);
    const v = state[field];
    if (!expectKind(ctx, v, ['OBJECT'], loc)) continue;
    const obj = v as JsonObject;
    // These run only in a Distributed Map: an inline Map would have to ignore them.
    if (!distributed) ctx.error(`The field '${field}' is supported only when the ItemProcessor's ProcessorConfig has Mode DISTRIBUTED`, loc);
    rejectUnknownFields(ctx, obj, SUB_FIELDS[field][lang], loc);
    if (field === 'ItemReader') checkReaderConfig(ctx, obj, loc);
    if (field === 'ResultWriter') checkWriterConfig(ctx, obj, loc);
    if (field === 'ItemReader' || (field === 'ResultWriter' && (Object.hasOwn(obj, 'Resource') || !Object.hasOwn(obj, 'WriterConfig')))) {
      if (requireField(ctx, obj, 'Resource', loc) && expectKind(ctx, obj['Resource'], ['STRING'], at(loc, 'Resource'))) {
        const allowed = field === 'ItemReader' ? READER_RESOURCES : WRITER_RESOURCES;
        const r = (obj['Resource'] as string).replace(/^arn:aws[\w-]*:states:[^:]*:[^:]*:/, 'arn:aws:states:::');
        if (!allowed.includes(r)) ctx.error(`Value should be one of the following: [${allowed.join(', ')}]`, at(loc, 'Resource'));
      }
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

const READER_RESOURCES = ['arn:aws:states:::s3:getObject', 'arn:aws:states:::s3:listObjectsV2'];
const WRITER_RESOURCES = ['arn:aws:states:::s3:putObject'];

const SUB_FIELDS: Record<'ItemReader' | 'ItemBatcher' | 'ResultWriter', Record<QueryLanguage, ReadonlySet<string>>> = {
  ItemReader: { JSONPath: new Set(['Resource', 'ReaderConfig', 'Parameters']), JSONata: new Set(['Resource', 'ReaderConfig', 'Arguments']) },
  ItemBatcher: {
    JSONPath: new Set(['MaxItemsPerBatch', 'MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath', 'BatchInput']),
    JSONata: new Set(['MaxItemsPerBatch', 'MaxInputBytesPerBatch', 'BatchInput']),
  },
  ResultWriter: { JSONPath: new Set(['Resource', 'Parameters', 'WriterConfig']), JSONata: new Set(['Resource', 'Arguments', 'WriterConfig']) },
};

function isDistributed(state: JsonObject): boolean {
  const proc = state['ItemProcessor'];
  if (!proc || typeof proc !== 'object' || Array.isArray(proc)) return false;
  const pc = (proc as JsonObject)['ProcessorConfig'];
  return !!pc && typeof pc === 'object' && !Array.isArray(pc) && (pc as JsonObject)['Mode'] === 'DISTRIBUTED';
}

function checkReaderConfig(ctx: Ctx, reader: JsonObject, location: string): void {
  if (!Object.hasOwn(reader, 'ReaderConfig')) return;
  const loc = at(location, 'ReaderConfig');
  if (!expectKind(ctx, reader['ReaderConfig'], ['OBJECT'], loc)) return;
  const rc = reader['ReaderConfig'] as JsonObject;
  rejectUnknownFields(ctx, rc, new Set(['InputType', 'CSVHeaderLocation', 'CSVHeaders', 'CSVDelimiter', 'ManifestType', 'MaxItems', 'MaxItemsPath', 'ItemsPointer']), loc);
  checkEnum(ctx, rc, 'InputType', ['CSV', 'JSON', 'JSONL', 'MANIFEST', 'PARQUET'], loc);
  checkEnum(ctx, rc, 'CSVHeaderLocation', ['FIRST_ROW', 'GIVEN'], loc);
  checkEnum(ctx, rc, 'CSVDelimiter', ['COMMA', 'PIPE', 'SEMICOLON', 'SPACE', 'TAB'], loc);
  checkEnum(ctx, rc, 'ManifestType', ['ATHENA_DATA', 'S3_INVENTORY'], loc);
  exclusive(ctx, rc, 'MaxItems', 'MaxItemsPath', loc);
  if (rc['CSVHeaderLocation'] === 'GIVEN' && !Object.hasOwn(rc, 'CSVHeaders')) requireField(ctx, rc, 'CSVHeaders', loc);
}

function checkWriterConfig(ctx: Ctx, writer: JsonObject, location: string): void {
  if (!Object.hasOwn(writer, 'WriterConfig')) return;
  const loc = at(location, 'WriterConfig');
  if (!expectKind(ctx, writer['WriterConfig'], ['OBJECT'], loc)) return;
  const wc = writer['WriterConfig'] as JsonObject;
  rejectUnknownFields(ctx, wc, new Set(['Transformation', 'OutputType']), loc);
  checkEnum(ctx, wc, 'Transformation', ['NONE', 'COMPACT', 'FLATTEN'], loc);
  checkEnum(ctx, wc, 'OutputType', ['JSON', 'JSONL'], loc);
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
