/**
 * Values between a state's JSON and the AWS SDK: a response without the SDK's `$metadata`, streams read as text,
 * binary as base64, dates as ISO-8601; the optimized integrations' `SdkHttpMetadata` / `SdkResponseMetadata`.
 * @module
 */
import type { Json, JsonObject } from '../../../../shared/json.js';
import { RAW_RESPONSE, type RawResponse } from './clients.js';

interface Streamish {
  transformToString(encoding?: string): Promise<string>;
}
const isStream = (v: unknown): v is Streamish => !!v && typeof (v as Streamish).transformToString === 'function';

/** A value from the SDK as JSON: streams are read (as UTF-8 text), so this is async. */
export async function toJson(v: unknown): Promise<Json | undefined> {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (isStream(v)) return v.transformToString('utf8');
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      const j = await toJson(x);
      out.push(j === undefined ? null : j);
    }
    return out;
  }
  if (v instanceof Set) return toJson([...v]);
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '$metadata') continue;
      const j = await toJson(x);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }
  return undefined;
}

/** The wire response the client saw for this output (see AwsClients). */
export const rawResponseOf = (output: object): RawResponse | undefined => (output as { [RAW_RESPONSE]?: RawResponse })[RAW_RESPONSE];

/** HTTP header names as AWS's recordings spell them (Node gives them in lower case). */
const CANONICAL: Record<string, string> = {
  'content-length': 'Content-Length',
  'content-type': 'Content-Type',
  date: 'Date',
  server: 'Server',
  connection: 'Connection',
  'x-amzn-requestid': 'x-amzn-RequestId',
  'x-amz-crc32': 'x-amz-crc32',
};

/** `SdkHttpMetadata` and `SdkResponseMetadata` of an optimized integration's output (AWS SDK for Java v1's shape). */
export function sdkHttpMetadata(raw: RawResponse | undefined, requestId: string | undefined): JsonObject {
  const all: JsonObject = {};
  const single: JsonObject = {};
  for (const [k, v] of Object.entries(raw?.headers ?? {})) {
    const name = CANONICAL[k.toLowerCase()] ?? k;
    all[name] = [String(v)];
    single[name] = String(v);
  }
  return {
    SdkHttpMetadata: { AllHttpHeaders: all, HttpHeaders: single, HttpStatusCode: raw?.statusCode ?? 200 },
    SdkResponseMetadata: { RequestId: requestId ?? raw?.headers?.['x-amzn-requestid'] ?? '' },
  };
}

/** The part of @smithy/core/schema's NormalizedSchema the input conversion reads. */
interface SchemaView {
  isTimestampSchema(): boolean;
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  structIterator(): Iterable<[string, SchemaView]>;
  getValueSchema(): SchemaView;
}
export type SchemaOf = (schema: unknown) => SchemaView;

/**
 * Timestamps in a command's input as the SDK needs them (Date): a state gives them as ISO-8601 text or epoch
 * seconds. Walks the command's input schema (schema-based clients); anything else is left as given.
 */
export function withTypedTimestamps(schemaOf: SchemaOf, inputSchema: unknown, input: Record<string, unknown>): Record<string, unknown> {
  const walk = (ns: SchemaView, v: unknown): unknown => {
    if (v === null || v === undefined) return v;
    if (ns.isTimestampSchema()) {
      if (typeof v === 'string' || typeof v === 'number') {
        const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
        return Number.isNaN(d.getTime()) ? v : d;
      }
      return v;
    }
    if (ns.isStructSchema() && typeof v === 'object' && !Array.isArray(v)) {
      const o = { ...(v as Record<string, unknown>) };
      for (const [k, m] of ns.structIterator()) if (o[k] !== undefined) o[k] = walk(m, o[k]);
      return o;
    }
    if (ns.isListSchema() && Array.isArray(v)) return v.map((x) => walk(ns.getValueSchema(), x));
    if (ns.isMapSchema() && typeof v === 'object' && !Array.isArray(v)) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = walk(ns.getValueSchema(), x);
      return o;
    }
    return v;
  };
  try {
    return walk(schemaOf(inputSchema), input) as Record<string, unknown>;
  } catch {
    return input;
  }
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A state's parameters with the SDK's member names: Step Functions takes them in PascalCase even where the
 * service's API is camelCase (ECS, Batch, Step Functions …: `Cluster` is ECS's `cluster`). Walks the command's
 * input schema; a name that is already the SDK's, a map key, or a name the schema does not have stays as given.
 */
export function withSdkMemberNames(schemaOf: SchemaOf, inputSchema: unknown, input: Record<string, unknown>): Record<string, unknown> {
  const walk = (ns: SchemaView, v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return ns.isListSchema() ? v.map((x) => walk(ns.getValueSchema(), x)) : v;
    const o = v as Record<string, unknown>;
    if (ns.isMapSchema()) return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(ns.getValueSchema(), x)]));
    if (!ns.isStructSchema()) return v;
    const members = new Map<string, SchemaView>();
    for (const [k, m] of ns.structIterator()) members.set(k, m);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const name = members.has(k) ? k : members.has(lowerFirst(k)) && !Object.hasOwn(o, lowerFirst(k)) ? lowerFirst(k) : k;
      const m = members.get(name);
      out[name] = m ? walk(m, x) : x;
    }
    return out;
  };
  try {
    return walk(schemaOf(inputSchema), input) as Record<string, unknown>;
  } catch {
    return input;
  }
}

/** A response with member names as Step Functions gives them (first letter upper case), walking the output schema; map keys stay. */
export function withStepFunctionsNames(schemaOf: SchemaOf, outputSchema: unknown, value: Json): Json {
  const walk = (ns: SchemaView, v: Json): Json => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return ns.isListSchema() ? v.map((x) => walk(ns.getValueSchema(), x)) : v;
    if (ns.isMapSchema()) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(ns.getValueSchema(), x)]));
    if (!ns.isStructSchema()) return v;
    const members = new Map<string, SchemaView>();
    for (const [k, m] of ns.structIterator()) members.set(k, m);
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      const m = members.get(k);
      out[m ? upperFirst(k) : k] = m ? walk(m, x) : x;
    }
    return out;
  };
  try {
    return walk(schemaOf(outputSchema), value);
  } catch {
    return value;
  }
}
