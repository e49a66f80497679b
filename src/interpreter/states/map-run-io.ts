/**
 * What a Distributed Map asks of the runtime, and the pure parts of its Map Run: the ItemReader request
 * (evaluated here, read by the runtime), ItemBatcher's batches, and the ResultWriter request with the
 * child executions' records (written by the runtime), or, with a WriterConfig alone, the transformed
 * results as the state's result.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { AslFailure } from '../../expr/failure.js';
import type { CompiledJsonata, JsonataScope } from '../../expr/jsonata.js';
import type { EvalScope } from '../../expr/scope.js';
import type { CompiledTemplate } from '../../expr/template.js';
import type { Dyn, ItemBatcherSpec, ItemReaderSpec, MapState, ResultWriterSpec } from '../../asl/model.js';
import { parseResource, type TaskResource } from '../../asl/resources.js';
import type { Command } from '../commands.js';
import type { MapLimits } from '../exec-state.js';
import type { EngineInput } from '../inputs.js';
import type { Runner } from '../runner.js';
import { evalDynJsonata, evalDynPath } from './dyn.js';

/** The S3 actions a reader and a writer may name, as AWS documents them. */
const READER_ACTIONS = new Set(['getObject', 'listObjectsV2']);
const WRITER_ACTIONS = new Set(['putObject']);

export interface ReaderRequest {
  resource: TaskResource;
  /** The S3 request (Parameters / Arguments), evaluated. */
  params: Json;
  /** ReaderConfig, evaluated, with MaxItems resolved from MaxItems / MaxItemsPath. */
  config: JsonObject;
}

function s3Resource(arn: string, actions: Set<string>, field: 'ItemReader' | 'ResultWriter'): TaskResource {
  const res = parseResource(arn);
  if (!res || res.kind !== 'service' || res.service !== 's3' || !actions.has(res.api) || res.pattern !== 'request-response') {
    throw new AslFailure('States.Runtime', `The resource '${arn}' is not supported by ${field}: it takes ${[...actions].map((a) => `arn:aws:states:::s3:${a}`).join(' or ')}.`);
  }
  return res;
}

/** A numeric string read through a `…Path` counts as its number (as AWS reads it). */
export const numeric = (v: Json | undefined): Json | undefined => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

function readerRequest(spec: ItemReaderSpec, params: Json | undefined, config: Json | undefined, maxItems: Json | undefined): ReaderRequest {
  const resource = s3Resource(spec.resource, READER_ACTIONS, 'ItemReader');
  const cfg: JsonObject = isObject(config) ? { ...config } : {};
  if (maxItems !== undefined) cfg.MaxItems = maxItems;
  return { resource, params: params ?? {}, config: cfg };
}

export function readerRequestPath(spec: ItemReaderSpec, scope: EvalScope): ReaderRequest {
  const params = (spec.params as CompiledTemplate | undefined)?.evaluate(scope);
  const config = (spec.readerConfig as CompiledTemplate | undefined)?.evaluate(scope);
  return readerRequest(spec, params, config, spec.maxItems ? numeric(evalDynPath(spec.maxItems, scope)) : undefined);
}

export async function readerRequestJsonata(spec: ItemReaderSpec, js: JsonataScope): Promise<ReaderRequest> {
  const params = await (spec.params as CompiledJsonata | undefined)?.evaluate(js);
  const config = await (spec.readerConfig as CompiledJsonata | undefined)?.evaluate(js);
  return readerRequest(spec, params, config, spec.maxItems ? await evalDynJsonata(spec.maxItems, js) : undefined);
}

export function readerCommand(seq: number, st: MapState, req: ReaderRequest): Command {
  return {
    k: 'invokeTask',
    seq,
    stateName: st.name,
    resource: req.resource,
    input: { Parameters: req.params, ReaderConfig: req.config },
    timeoutSeconds: undefined,
    heartbeatSeconds: undefined,
    token: undefined,
    attempt: 0,
    credentials: undefined,
    purpose: 'itemReader',
  };
}

// -------------------------------------------------------------------------------------------------
// ItemBatcher
// -------------------------------------------------------------------------------------------------

/** The largest batch AWS passes to a child execution: 256 KiB. */
export const MAX_BATCH_BYTES = 256 * 1024;

function batchLimit(d: Dyn<number> | undefined, name: string, v: Json | undefined): number {
  if (!d) return 0;
  v = numeric(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    const field = d.k === 'path' ? `${name}Path` : name;
    throw new AslFailure('States.Runtime', `The ${field} field must be a positive integer, but was: ${typeof v === 'string' ? v : JSON.stringify(v ?? null)}`);
  }
  if (v < 0) throw new AslFailure('States.Runtime', `${name} cannot be negative.`);
  return v;
}

function batchLimits(spec: ItemBatcherSpec, maxItems: Json | undefined, maxBytes: Json | undefined, input: Json | undefined): NonNullable<MapLimits['batch']> {
  const b: NonNullable<MapLimits['batch']> = {
    maxItems: batchLimit(spec.maxItemsPerBatch, 'MaxItemsPerBatch', maxItems),
    maxBytes: Math.min(batchLimit(spec.maxInputBytesPerBatch, 'MaxInputBytesPerBatch', maxBytes) || MAX_BATCH_BYTES, MAX_BATCH_BYTES),
  };
  if (input !== undefined) b.input = input;
  return b;
}

export function batchLimitsPath(spec: ItemBatcherSpec, scope: EvalScope): NonNullable<MapLimits['batch']> {
  const get = (d: Dyn<number> | undefined) => (d ? evalDynPath(d, scope) : undefined);
  return batchLimits(spec, get(spec.maxItemsPerBatch), get(spec.maxInputBytesPerBatch), (spec.batchInput as CompiledTemplate | undefined)?.evaluate(scope));
}

export async function batchLimitsJsonata(spec: ItemBatcherSpec, js: JsonataScope): Promise<NonNullable<MapLimits['batch']>> {
  const get = async (d: Dyn<number> | undefined) => (d ? evalDynJsonata(d, js) : undefined);
  return batchLimits(spec, await get(spec.maxItemsPerBatch), await get(spec.maxInputBytesPerBatch), await (spec.batchInput as CompiledJsonata | undefined)?.evaluate(js));
}

const utf8Length = (v: Json): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * Groups the items, in order, into batches `{ BatchInput?, Items }` of at most `maxItems` items (0: any
 * number) whose JSON text is at most `maxBytes` bytes. An item too large for any batch fails the run.
 */
export function batchItems(items: readonly Json[], b: NonNullable<MapLimits['batch']>): Json[] {
  const head = b.input === undefined ? 0 : utf8Length({ BatchInput: b.input, Items: [] });
  const base = b.input === undefined ? utf8Length({ Items: [] }) : head;
  const batches: Json[] = [];
  let cur: Json[] = [];
  let bytes = base;
  const flush = () => {
    if (cur.length === 0) return;
    batches.push(b.input === undefined ? { Items: cur } : { BatchInput: b.input, Items: cur });
    cur = [];
    bytes = base;
  };
  for (const item of items) {
    const size = utf8Length(item) + (cur.length > 0 ? 1 : 0);
    if (base + utf8Length(item) > b.maxBytes) {
      throw new AslFailure('States.Runtime', `An item of ${utf8Length(item)} bytes does not fit in a batch of at most ${b.maxBytes} bytes (MaxInputBytesPerBatch).`);
    }
    if (cur.length > 0 && ((b.maxItems > 0 && cur.length >= b.maxItems) || bytes + size > b.maxBytes)) flush();
    bytes += utf8Length(item) + (cur.length > 0 ? 1 : 0);
    cur.push(item);
  }
  flush();
  return batches;
}

// -------------------------------------------------------------------------------------------------
// ResultWriter
// -------------------------------------------------------------------------------------------------

const TRANSFORMATIONS = ['NONE', 'COMPACT', 'FLATTEN'];
const OUTPUT_TYPES = ['JSON', 'JSONL'];

function writerRequest(spec: ResultWriterSpec, params: Json | undefined, config: Json | undefined): NonNullable<MapLimits['writer']> {
  const w: NonNullable<MapLimits['writer']> = {};
  if (spec.resource !== undefined) {
    s3Resource(spec.resource, WRITER_ACTIONS, 'ResultWriter');
    w.params = params ?? {};
  }
  if (config !== undefined) {
    if (!isObject(config)) throw new AslFailure('States.Runtime', 'The WriterConfig field must be an object.');
    const t = config.Transformation;
    if (t !== undefined && !TRANSFORMATIONS.includes(t as string)) throw new AslFailure('States.Runtime', `WriterConfig.Transformation must be one of ${TRANSFORMATIONS.join(', ')}, but was: ${JSON.stringify(t)}`);
    const o = config.OutputType;
    if (o !== undefined && !OUTPUT_TYPES.includes(o as string)) throw new AslFailure('States.Runtime', `WriterConfig.OutputType must be one of ${OUTPUT_TYPES.join(', ')}, but was: ${JSON.stringify(o)}`);
    w.config = config;
  }
  return w;
}

export function writerRequestPath(spec: ResultWriterSpec, scope: EvalScope): NonNullable<MapLimits['writer']> {
  return writerRequest(spec, (spec.params as CompiledTemplate | undefined)?.evaluate(scope), (spec.writerConfig as CompiledTemplate | undefined)?.evaluate(scope));
}

export async function writerRequestJsonata(spec: ResultWriterSpec, js: JsonataScope): Promise<NonNullable<MapLimits['writer']>> {
  return writerRequest(spec, await (spec.params as CompiledJsonata | undefined)?.evaluate(js), await (spec.writerConfig as CompiledJsonata | undefined)?.evaluate(js));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A child execution's record as a ResultWriter gets it, when it starts (completed by `endRecord`). */
export function childRecord(r: Runner, st: MapState, input: Json): JsonObject {
  const smArn = r.s.info.stateMachineArn;
  const [, partition, , region, account] = smArn.split(':');
  const name = r.rng.uuid();
  const label = st.label ?? st.name;
  return {
    ExecutionArn: `arn:${partition}:states:${region}:${account}:execution:${r.s.info.stateMachineName}/${label}:${name}`,
    Input: JSON.stringify(input),
    InputDetails: { Included: true },
    Name: name,
    StartDate: iso(r.now),
    StateMachineArn: `arn:${partition}:states:${region}:${account}:stateMachine:${r.s.info.stateMachineName}/${label}`,
  };
}

export function endRecord(r: Runner, rec: Json | null | undefined, status: 'SUCCEEDED' | 'FAILED', o: { k: 'succeeded'; output: Json } | { k: 'failed'; error: string; cause?: string }): JsonObject {
  const out: JsonObject = isObject(rec) ? { ...rec } : {};
  out.Status = status;
  out.StopDate = iso(r.now);
  out.RedriveCount = 0;
  out.RedriveStatus = 'NOT_REDRIVABLE';
  if (o.k === 'succeeded') {
    out.Output = JSON.stringify(o.output);
    out.OutputDetails = { Included: true };
  } else {
    out.Error = o.error;
    if (o.cause !== undefined) out.Cause = o.cause;
  }
  return out;
}

/**
 * The results as WriterConfig's Transformation shapes them: NONE the records, COMPACT the outputs,
 * FLATTEN the outputs with arrays spread (a failed child's record stays as it is in both).
 */
export function transformResults(records: readonly Json[], transformation: string): Json[] {
  if (transformation === 'NONE') return records as Json[];
  const out: Json[] = [];
  for (const rec of records) {
    if (!isObject(rec) || rec.Status !== 'SUCCEEDED' || typeof rec.Output !== 'string') {
      out.push(rec);
      continue;
    }
    const v = JSON.parse(rec.Output) as Json;
    if (transformation === 'FLATTEN' && Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

/** The write request for the runtime (a ResultWriter with a Resource). */
export function writerCommand(seq: number, st: MapState, runArn: string, writer: NonNullable<MapLimits['writer']>, records: readonly Json[]): Command {
  const input: JsonObject = { Parameters: writer.params ?? {}, MapRunArn: runArn, Results: records as Json[] };
  if (writer.config !== undefined) input.WriterConfig = writer.config;
  return {
    k: 'invokeTask',
    seq,
    stateName: st.name,
    resource: parseResource(st.resultWriter!.resource!)!,
    input,
    timeoutSeconds: undefined,
    heartbeatSeconds: undefined,
    token: undefined,
    attempt: 0,
    credentials: undefined,
    purpose: 'resultWriter',
  };
}

/** How a read or write that did not succeed fails the Map Run. */
export function ioFailure(input: EngineInput, error: 'States.ItemReaderFailed' | 'States.ResultWriterFailed'): { error: string; cause: string | undefined } | undefined {
  switch (input.k) {
    case 'taskFailed':
      return { error, cause: input.cause ?? input.error };
    case 'taskTimedOut':
      return { error, cause: input.cause ?? 'The request timed out.' };
    case 'taskScheduleFailed':
      return { error, cause: input.cause };
    default:
      return undefined;
  }
}
