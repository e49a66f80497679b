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
