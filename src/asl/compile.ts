/**
 * Compiles a validated definition into the model the interpreter runs: state names resolved, every path,
 * template, intrinsic call, Choice rule and JSONata expression parsed once.
 * @module
 */
import { hasOwn, isObject, type Json, type JsonObject } from '../shared/json.js';
import { compileChoiceRule } from '../expr/choice.js';
import { compileJsonataExpression, compileJsonataValue, isJsonataTemplate, type CompiledJsonata } from '../expr/jsonata.js';
import { compilePath, type CompiledPath } from '../expr/jsonpath.js';
import { compileDynamicValue, compileTemplate, type CompiledTemplate } from '../expr/template.js';
import type {
  Assigner,
  Catcher,
  ChoiceRule,
  Dyn,
  ItemBatcherSpec,
  ItemReaderSpec,
  ResultWriterSpec,
  JsonataIO,
  Machine,
  MapState,
  PathIO,
  Program,
  QueryLanguage,
  Retrier,
  State,
  StateType,
} from './model.js';
import { parseResource } from './resources.js';

export class CompileError extends Error {}

export function compileMachine(definition: Json): Machine {
  if (!isObject(definition)) throw new CompileError('Definition must be a JSON object');
  const ql: QueryLanguage = definition.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath';
  const ctx = { usesJsonata: ql === 'JSONata' };
  const program = compileProgram(definition, ql, ctx);
  return {
    ...program,
    queryLanguage: ql,
    timeoutSeconds: typeof definition.TimeoutSeconds === 'number' ? definition.TimeoutSeconds : undefined,
    comment: typeof definition.Comment === 'string' ? definition.Comment : undefined,
    definition,
    usesJsonata: ctx.usesJsonata,
  };
}

interface Ctx {
  usesJsonata: boolean;
}

function compileProgram(raw: JsonObject, ql: QueryLanguage, ctx: Ctx): Program {
  const states = new Map<string, State>();
  const rawStates = isObject(raw.States) ? raw.States : {};
  for (const name of Object.keys(rawStates)) {
    const st = rawStates[name];
    if (!isObject(st)) throw new CompileError(`State ${name} is not an object`);
    states.set(name, compileState(name, st, ql, ctx));
  }
  return { startAt: String(raw.StartAt), states };
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function optPath(raw: JsonObject, key: string): CompiledPath | null | undefined {
  if (!hasOwn(raw, key)) return undefined;
  const v = raw[key];
  if (v === null) return null;
  return compilePath(String(v));
}

function refPath(raw: JsonObject, key: string): PathIO['resultPath'] {
  if (!hasOwn(raw, key)) return undefined;
  const v = raw[key];
  if (v === null) return null;
  const p = compilePath(String(v));
  if (!p.keys) throw new CompileError(`${key} must be a reference path: ${String(v)}`);
  return { keys: p.keys, source: p.source };
}

function dyn<T extends Json>(raw: JsonObject, key: string, ql: QueryLanguage, ctx: Ctx, evalPaths = false): Dyn<T> | undefined {
  if (hasOwn(raw, key)) {
    const v = raw[key]!;
    if (typeof v === 'string' && isJsonataTemplate(v)) {
      ctx.usesJsonata = true;
      return { k: 'jsonata', expr: compileJsonataExpression(v, key), field: key };
    }
    return { k: 'const', v: v as T };
  }
  const pk = `${key}Path`;
  if (hasOwn(raw, pk) && ql === 'JSONPath') {
    if (evalPaths) return { k: 'eval', ev: compileDynamicValue(String(raw[pk]), pk), field: pk };
    return { k: 'path', path: compilePath(String(raw[pk])), field: pk };
  }
  return undefined;
}

function assigner(v: Json | undefined, ql: QueryLanguage, ctx: Ctx): Assigner | undefined {
  if (v === undefined) return undefined;
  if (ql === 'JSONata') {
    ctx.usesJsonata = true;
    return { ql, value: compileJsonataValue(v, 'Assign'), raw: v };
  }
  return { ql, template: compileTemplate(v), raw: v };
}

function jsonataField(raw: JsonObject, key: string, ql: QueryLanguage, ctx: Ctx): CompiledJsonata | undefined {
  if (ql !== 'JSONata' || !hasOwn(raw, key)) return undefined;
  ctx.usesJsonata = true;
  return compileJsonataValue(raw[key]!, key);
}

function retriers(raw: Json | undefined): Retrier[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((r) => ({
    errorEquals: Array.isArray(r.ErrorEquals) ? r.ErrorEquals.map(String) : [],
    intervalSeconds: typeof r.IntervalSeconds === 'number' ? r.IntervalSeconds : 1,
    maxAttempts: typeof r.MaxAttempts === 'number' ? r.MaxAttempts : 3,
    backoffRate: typeof r.BackoffRate === 'number' ? r.BackoffRate : 2,
    maxDelaySeconds: typeof r.MaxDelaySeconds === 'number' ? r.MaxDelaySeconds : undefined,
    jitter: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
  }));
}

function catchers(raw: Json | undefined, ql: QueryLanguage, ctx: Ctx): Catcher[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((c) => ({
    errorEquals: Array.isArray(c.ErrorEquals) ? c.ErrorEquals.map(String) : [],
    next: String(c.Next),
    resultPath: ql === 'JSONPath' ? refPath(c, 'ResultPath') : undefined,
    output: jsonataField(c, 'Output', ql, ctx),
    assign: assigner(c.Assign, ql, ctx),
  }));
}

function compileState(name: string, raw: JsonObject, parentQl: QueryLanguage, ctx: Ctx): State {
  const type = raw.Type as StateType;
  const ql: QueryLanguage = raw.QueryLanguage === 'JSONata' ? 'JSONata' : raw.QueryLanguage === 'JSONPath' ? 'JSONPath' : parentQl;
  if (ql === 'JSONata') ctx.usesJsonata = true;
  const isPath = ql === 'JSONPath';
  const io: PathIO = {
    inputPath: isPath ? optPath(raw, 'InputPath') : undefined,
    outputPath: isPath ? optPath(raw, 'OutputPath') : undefined,
    resultPath: isPath ? refPath(raw, 'ResultPath') : undefined,
    parameters: isPath && hasOwn(raw, 'Parameters') && type !== 'Map' ? compileTemplate(raw.Parameters!) : undefined,
    resultSelector: isPath && hasOwn(raw, 'ResultSelector') ? compileTemplate(raw.ResultSelector!) : undefined,
  };
  const jio: JsonataIO = {
    arguments: jsonataField(raw, 'Arguments', ql, ctx),
    output: jsonataField(raw, 'Output', ql, ctx),
  };
  const base = {
    name,
    ql,
    next: str(raw.Next),
    end: raw.End === true,
    comment: str(raw.Comment),
    assign: assigner(raw.Assign, ql, ctx),
    io,
    jio,
    raw,
  };
  switch (type) {
    case 'Pass':
      return { ...base, type, result: raw.Result };
    case 'Succeed':
      return { ...base, type };
    case 'Fail':
      return { ...base, type, error: dyn<string>(raw, 'Error', ql, ctx, true), cause: dyn<string>(raw, 'Cause', ql, ctx, true) };
    case 'Wait':
      return { ...base, type, seconds: dyn<number>(raw, 'Seconds', ql, ctx), timestamp: dyn<string>(raw, 'Timestamp', ql, ctx) };
    case 'Choice': {
      const choices: ChoiceRule[] = (Array.isArray(raw.Choices) ? raw.Choices : []).filter(isObject).map((r) => {
        const test = compileChoiceRule(r);
        if (test.k === 'jsonata') ctx.usesJsonata = true;
        return { test, next: String(r.Next), assign: assigner(r.Assign, ql, ctx), output: jsonataField(r, 'Output', ql, ctx) };
      });
      return { ...base, type, choices, default: str(raw.Default), defaultAssign: undefined };
    }
    case 'Task': {
      const resource = raw.Resource;
      const rdyn: Dyn<string> =
        typeof resource === 'string' && isJsonataTemplate(resource)
          ? { k: 'jsonata', expr: compileJsonataExpression(resource, 'Resource'), field: 'Resource' }
          : { k: 'const', v: String(resource) };
      let credentials: CompiledTemplate | CompiledJsonata | undefined;
      if (isObject(raw.Credentials)) credentials = isPath ? compileTemplate(raw.Credentials) : compileJsonataValue(raw.Credentials, 'Credentials');
      return {
        ...base,
        type,
        resource: rdyn,
        parsedResource: rdyn.k === 'const' ? parseResource(rdyn.v) : undefined,
        timeoutSeconds: dyn<number>(raw, 'TimeoutSeconds', ql, ctx),
        heartbeatSeconds: dyn<number>(raw, 'HeartbeatSeconds', ql, ctx),
        credentials,
        retry: retriers(raw.Retry),
        catch: catchers(raw.Catch, ql, ctx),
      };
    }
    case 'Parallel':
      return {
        ...base,
        type,
        branches: (Array.isArray(raw.Branches) ? raw.Branches : []).filter(isObject).map((b) => compileProgram(b, ql, ctx)),
        retry: retriers(raw.Retry),
        catch: catchers(raw.Catch, ql, ctx),
      };
    case 'Map':
      return compileMap(base, raw, ql, ctx);
    default:
      throw new CompileError(`Unknown state type ${String(type)}`);
  }
}

function compileMap(base: Omit<MapState, 'type' | 'processor' | 'mode' | 'executionType' | 'label' | 'itemsPath' | 'items' | 'itemSelector' | 'maxConcurrency' | 'toleratedFailureCount' | 'toleratedFailurePercentage' | 'itemReader' | 'itemBatcher' | 'resultWriter' | 'retry' | 'catch'>, raw: JsonObject, ql: QueryLanguage, ctx: Ctx): MapState {
  const proc: JsonObject = isObject(raw.ItemProcessor) ? raw.ItemProcessor : isObject(raw.Iterator) ? raw.Iterator : { StartAt: '', States: {} };
  const pc = isObject(proc.ProcessorConfig) ? proc.ProcessorConfig : {};
  const selectorRaw = hasOwn(raw, 'ItemSelector') ? raw.ItemSelector : hasOwn(raw, 'Parameters') ? raw.Parameters : undefined;
  let itemSelector: MapState['itemSelector'];
  if (selectorRaw !== undefined) {
    if (ql === 'JSONata') {
      ctx.usesJsonata = true;
      itemSelector = compileJsonataValue(selectorRaw, 'ItemSelector');
    } else itemSelector = compileTemplate(selectorRaw);
  }
  return {
    ...base,
    type: 'Map',
    processor: compileProgram(proc, ql, ctx),
    mode: pc.Mode === 'DISTRIBUTED' ? 'DISTRIBUTED' : 'INLINE',
    executionType: pc.ExecutionType === 'EXPRESS' ? 'EXPRESS' : pc.ExecutionType === 'STANDARD' ? 'STANDARD' : undefined,
    label: str(raw.Label),
    itemsPath: ql === 'JSONPath' && hasOwn(raw, 'ItemsPath') ? compilePath(String(raw.ItemsPath)) : undefined,
    items: ql === 'JSONata' && hasOwn(raw, 'Items') ? (typeof raw.Items === 'string' && isJsonataTemplate(raw.Items) ? compileJsonataExpression(raw.Items, 'Items') : compileJsonataValue(raw.Items!, 'Items')) : undefined,
    itemSelector,
    maxConcurrency: dyn<number>(raw, 'MaxConcurrency', ql, ctx),
    toleratedFailureCount: dyn<number>(raw, 'ToleratedFailureCount', ql, ctx),
    toleratedFailurePercentage: dyn<number>(raw, 'ToleratedFailurePercentage', ql, ctx),
    itemReader: isObject(raw.ItemReader) ? itemReader(raw.ItemReader, ql, ctx) : undefined,
    itemBatcher: isObject(raw.ItemBatcher) ? itemBatcher(raw.ItemBatcher, ql, ctx) : undefined,
    resultWriter: isObject(raw.ResultWriter) ? resultWriter(raw.ResultWriter, ql, ctx) : undefined,
    retry: retriers(raw.Retry),
    catch: catchers(raw.Catch, ql, ctx),
  };
}

/** A template field of a Distributed Map's sub-object: Parameters (JSONPath) or Arguments (JSONata). */
function templateOf(v: Json | undefined, ql: QueryLanguage, ctx: Ctx, field: string): CompiledTemplate | CompiledJsonata | undefined {
  if (v === undefined) return undefined;
  if (ql === 'JSONata') {
    ctx.usesJsonata = true;
    return compileJsonataValue(v, field);
  }
  return compileTemplate(v);
}

function without(o: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(o)) if (!keys.includes(k)) out[k] = o[k]!;
  return out;
}

function itemReader(raw: JsonObject, ql: QueryLanguage, ctx: Ctx): ItemReaderSpec {
  const resource = str(raw.Resource) ?? '';
  const rc = isObject(raw.ReaderConfig) ? raw.ReaderConfig : undefined;
  return {
    resource,
    parsedResource: parseResource(resource),
    params: templateOf(ql === 'JSONata' ? raw.Arguments : raw.Parameters, ql, ctx, ql === 'JSONata' ? 'ItemReader.Arguments' : 'ItemReader.Parameters'),
    readerConfig: rc ? (ql === 'JSONata' ? templateOf(without(rc, ['MaxItems']), ql, ctx, 'ItemReader.ReaderConfig') : compileTemplate(without(rc, ['MaxItems', 'MaxItemsPath']))) : undefined,
    maxItems: rc ? dyn<number>(rc, 'MaxItems', ql, ctx) : undefined,
  };
}

function itemBatcher(raw: JsonObject, ql: QueryLanguage, ctx: Ctx): ItemBatcherSpec {
  return {
    maxItemsPerBatch: dyn<number>(raw, 'MaxItemsPerBatch', ql, ctx),
    maxInputBytesPerBatch: dyn<number>(raw, 'MaxInputBytesPerBatch', ql, ctx),
    batchInput: templateOf(raw.BatchInput, ql, ctx, 'ItemBatcher.BatchInput'),
  };
}

function resultWriter(raw: JsonObject, ql: QueryLanguage, ctx: Ctx): ResultWriterSpec {
  const resource = str(raw.Resource);
  return {
    resource,
    parsedResource: resource === undefined ? undefined : parseResource(resource),
    params: templateOf(ql === 'JSONata' ? raw.Arguments : raw.Parameters, ql, ctx, ql === 'JSONata' ? 'ResultWriter.Arguments' : 'ResultWriter.Parameters'),
    writerConfig: templateOf(raw.WriterConfig, ql, ctx, 'ResultWriter.WriterConfig'),
  };
}
