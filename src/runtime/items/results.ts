/**
 * What a Distributed Map's ResultWriter writes, as pure functions: the child executions' results after the
 * WriterConfig's Transformation, the result files (`SUCCEEDED_<n>.json`, `FAILED_<n>.json`, `PENDING_<n>.json`,
 * as a JSON array or JSON Lines, split once a file would pass the size limit) and `manifest.json`, under
 * `<Prefix>/<map run id>/`.
 *
 * Transformations (AWS's): NONE, each result as recorded (metadata, Input and Output as JSON text); COMPACT, the
 * output of each succeeded execution; FLATTEN, as COMPACT with array outputs spread into the list. A result that
 * did not succeed is always written as recorded (as with NONE).
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';

export class ResultWriterError extends Error {
  override readonly name = 'ResultWriterError';
}

export type Transformation = 'NONE' | 'COMPACT' | 'FLATTEN';
export type OutputType = 'JSON' | 'JSONL';
export type ResultStatus = 'SUCCEEDED' | 'FAILED' | 'PENDING';

/** A child execution's result as the Map run recorded it (the command's `Results` entries). */
export type ChildResult = JsonObject & { Status: string };

export interface ResultWriterRequest {
  /** Where to write; undefined: nothing is written and the transformed results are the state's output. */
  target: { bucket: string; prefix: string } | undefined;
  transformation: Transformation;
  outputType: OutputType;
  mapRunArn: string;
  results: ChildResult[];
}

/** Each result file of an S3 export is at most this large (AWS splits at 5 GB). */
export const MAX_RESULT_FILE_BYTES = 5 * 1024 ** 3;

const TRANSFORMATIONS: readonly string[] = ['NONE', 'COMPACT', 'FLATTEN'];
const OUTPUT_TYPES: readonly string[] = ['JSON', 'JSONL'];

/** The typed request of a result writer command (`{ Parameters?, WriterConfig?, MapRunArn, Results }`). */
export function resultWriterRequest(input: Json): ResultWriterRequest {
  if (!isObject(input)) throw new ResultWriterError('The ResultWriter input must be an object.');
  for (const k of Object.keys(input))
    if (!['Parameters', 'WriterConfig', 'MapRunArn', 'Results'].includes(k)) throw new ResultWriterError(`The ResultWriter field '${k}' is not supported.`);
  const p = input.Parameters;
  let target: ResultWriterRequest['target'];
  if (p !== undefined && p !== null) {
    if (!isObject(p)) throw new ResultWriterError('The ResultWriter Parameters must be an object with Bucket and Prefix.');
    for (const k of Object.keys(p)) if (k !== 'Bucket' && k !== 'Prefix') throw new ResultWriterError(`The ResultWriter Parameters field '${k}' is not supported (only Bucket and Prefix).`);
    if (typeof p.Bucket !== 'string' || !p.Bucket) throw new ResultWriterError('The ResultWriter Parameters need Bucket, a bucket name.');
    if (p.Prefix !== undefined && typeof p.Prefix !== 'string') throw new ResultWriterError('The ResultWriter Prefix must be a string.');
    target = { bucket: p.Bucket, prefix: p.Prefix ?? '' };
  }
  const wc = input.WriterConfig ?? {};
  if (!isObject(wc)) throw new ResultWriterError('The ResultWriter WriterConfig must be an object.');
  for (const k of Object.keys(wc)) if (k !== 'Transformation' && k !== 'OutputType') throw new ResultWriterError(`The WriterConfig field '${k}' is not supported.`);
  if (!target && input.WriterConfig === undefined) throw new ResultWriterError('A ResultWriter needs Parameters (Bucket and Prefix), a WriterConfig, or both.');
  const t = wc.Transformation ?? (target ? 'NONE' : 'COMPACT');
  if (typeof t !== 'string' || !TRANSFORMATIONS.includes(t)) throw new ResultWriterError(`Transformation must be one of ${TRANSFORMATIONS.join(', ')}; got ${JSON.stringify(t)}.`);
  const o = wc.OutputType ?? 'JSON';
  if (typeof o !== 'string' || !OUTPUT_TYPES.includes(o)) throw new ResultWriterError(`OutputType must be one of ${OUTPUT_TYPES.join(', ')}; got ${JSON.stringify(o)}.`);
  if (!target && o === 'JSONL') throw new ResultWriterError('OutputType JSONL formats the files written to Amazon S3: it needs Parameters (Bucket and Prefix).');
  if (typeof input.MapRunArn !== 'string' || !/:mapRun:[^:]+:[^:]+$/.test(input.MapRunArn))
    throw new ResultWriterError(`The ResultWriter needs the Map Run's ARN; got ${JSON.stringify(input.MapRunArn ?? null)}.`);
  if (!Array.isArray(input.Results) || !input.Results.every((r) => isObject(r) && typeof r.Status === 'string'))
    throw new ResultWriterError('The ResultWriter Results must be a list of child execution results, each with a Status.');
  return { target, transformation: t as Transformation, outputType: o as OutputType, mapRunArn: input.MapRunArn, results: input.Results as ChildResult[] };
}

/** The result file a child execution's result goes to. */
export function statusGroup(status: string): ResultStatus {
  switch (status) {
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'FAILED':
    case 'TIMED_OUT':
    case 'ABORTED':
      return 'FAILED';
    default:
      return 'PENDING';
  }
}

function outputOf(r: ChildResult): Json {
  if (typeof r.Output !== 'string') return null;
  try {
    return JSON.parse(r.Output) as Json;
  } catch {
    return r.Output;
  }
}

/** The results after the Transformation, in their order. */
export function transformResults(results: ChildResult[], t: Transformation): Json[] {
  const out: Json[] = [];
  for (const r of results) {
    if (t === 'NONE' || r.Status !== 'SUCCEEDED') out.push(r);
    else {
      const o = outputOf(r);
      if (t === 'FLATTEN' && Array.isArray(o)) out.push(...o);
      else out.push(o);
    }
  }
  return out;
}

/** The id at the end of a Map Run ARN (`…:mapRun:SM/Label:<id>`). */
export const mapRunId = (mapRunArn: string): string => mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);

/** `<Prefix>/<map run id>/` (no leading part for an empty prefix). */
export function resultsFolder(prefix: string, mapRunArn: string): string {
  const p = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${p}${mapRunId(mapRunArn)}/`;
}

export interface ResultFile {
  status: ResultStatus;
  key: string;
  body: string;
  size: number;
}

/**
 * The result files of an export: for each status with results, `<STATUS>_<n>.json` from 0, a new file whenever
 * the next entry would take the current one past `maxBytes`.
 */
export function resultFiles(req: ResultWriterRequest & { target: NonNullable<ResultWriterRequest['target']> }, maxBytes = MAX_RESULT_FILE_BYTES): ResultFile[] {
  const folder = resultsFolder(req.target.prefix, req.mapRunArn);
  const files: ResultFile[] = [];
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const entries = transformResults(
      req.results.filter((r) => statusGroup(r.Status) === status),
      req.transformation,
    ).map((e) => JSON.stringify(e));
    if (entries.length === 0) continue;
    const jsonl = req.outputType === 'JSONL';
    // Bytes of the framing: JSON '[' ']' and ',' between entries; JSONL a '\n' after each.
    let part: string[] = [];
    let bytes = 0;
    const flush = () => {
      const body = jsonl ? part.map((e) => `${e}\n`).join('') : `[${part.join(',')}]`;
      files.push({ status, key: `${folder}${status}_${files.filter((f) => f.status === status).length}.json`, body, size: Buffer.byteLength(body) });
      part = [];
      bytes = 0;
    };
    for (const e of entries) {
      const n = Buffer.byteLength(e) + 1;
      if (part.length > 0 && bytes + n + (jsonl ? 0 : 1) > maxBytes) flush();
      part.push(e);
      bytes += n;
    }
    flush();
  }
  return files;
}

/** `manifest.json` of an export, as AWS writes it. */
export function manifestOf(bucket: string, mapRunArn: string, files: ResultFile[]): JsonObject {
  const of = (s: ResultStatus): Json[] => files.filter((f) => f.status === s).map((f) => ({ Key: f.key, Size: f.size }));
  return { DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: { FAILED: of('FAILED'), PENDING: of('PENDING'), SUCCEEDED: of('SUCCEEDED') } };
}
