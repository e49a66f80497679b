/**
 * The items of a Distributed Map's ItemReader, read from S3 as they stream in:
 *
 *   for await (const item of readItems(itemReaderRequest(api, input), s3Client, signal)) …
 *
 * `s3Client` is an AWS SDK v3 S3 client (the task runtime's, with its endpoint and credentials). Objects are read
 * from the response body as it arrives and reading stops once MaxItems items are out (the body is then closed);
 * Parquet is read by byte ranges. S3 errors are thrown as the SDK gives them; everything else that cannot be read
 * is an ItemReaderError.
 * @module
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
// The S3 client's commands load with the first read: importing the engine does not load the SDK.
const s3Commands = () => import('@aws-sdk/client-s3');
import { isObject, setOwn, type Json, type JsonObject } from '../../shared/json.js';
import { csvItems, csvRows } from './csv.js';
import { jsonItems } from './json-array.js';
import { jsonlItems } from './jsonl.js';
import { parquetItems, type AsyncBuffer } from './parquet.js';
import { ItemReaderError, type CsvOptions, type ItemReaderRequest } from './request.js';
import { lines, utf8Chunks } from './text.js';

/** What readItems needs of an S3 client: `send` (the SDK's). */
export interface S3Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

type Bytes = AsyncIterable<Uint8Array>;

interface GetObjectOut {
  Body?: unknown;
  ContentRange?: string;
  ContentLength?: number;
}

/** A manifest is a small index, read whole; past this size it is refused rather than held. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** The end of a Parquet file fetched first: its footer (index) is usually within it. */
export const PARQUET_TAIL_BYTES = 64 * 1024;

export interface ReadItemsOptions {
  /** How much of a Parquet file's end the first request reads (default PARQUET_TAIL_BYTES). */
  parquetTailBytes?: number;
}

class S3Reader {
  constructor(
    readonly s3: S3Sender,
    readonly signal: AbortSignal | undefined,
    readonly tailBytes: number,
  ) {}

  async get(params: JsonObject): Promise<GetObjectOut> {
    const { GetObjectCommand } = await s3Commands();
    return (await this.s3.send(new GetObjectCommand(params as never), { abortSignal: this.signal })) as GetObjectOut;
  }

  async body(params: JsonObject): Promise<Bytes> {
    const out = await this.get(params);
    const b = out.Body;
    if (!b || typeof (b as Bytes)[Symbol.asyncIterator] !== 'function') throw new ItemReaderError('The S3 object has no readable body.');
    return b as Bytes;
  }

  async text(params: JsonObject, what: string): Promise<string> {
    let n = 0;
    const parts: string[] = [];
    for await (const s of utf8Chunks(await this.body(params))) {
      n += s.length;
      if (n > MAX_MANIFEST_BYTES) throw new ItemReaderError(`The ${what} is larger than ${MAX_MANIFEST_BYTES} bytes.`);
      parts.push(s);
    }
    return parts.join('');
  }

  /** The object as a file read by ranges (for Parquet): its end first (a suffix range), then what the reader asks for. */
  async file(params: JsonObject): Promise<AsyncBuffer> {
    const range = (out: GetObjectOut) => {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.ContentRange ?? '');
      return m ? { start: Number(m[1]), total: Number(m[3]) } : undefined;
    };
    const first = await this.get({ ...params, Range: `bytes=-${this.tailBytes}` });
    let tail = await bytesOf(first.Body);
    const r = range(first);
    const byteLength = r?.total ?? tail.byteLength;
    let tailStart = r?.start ?? 0;
    if (tailStart + tail.byteLength < byteLength) {
      // A server that does not take suffix ranges (s3rver answers from byte 0): ask for the end by position.
      const from = Math.max(0, byteLength - this.tailBytes);
      tail = await bytesOf((await this.get({ ...params, Range: `bytes=${from}-${byteLength - 1}` })).Body);
      tailStart = from;
    }
    return {
      byteLength,
      slice: async (start: number, end: number = byteLength): Promise<ArrayBuffer> => {
        if (start >= tailStart) return copy(tail.subarray(start - tailStart, end - tailStart));
        if (end <= start) return new ArrayBuffer(0);
        const part = await this.get({ ...params, Range: `bytes=${start}-${end - 1}` });
        return copy(await bytesOf(part.Body));
      },
    };
  }
}

function copy(u: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(u.byteLength);
  out.set(u);
  return out.buffer;
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (!body || typeof (body as Bytes)[Symbol.asyncIterator] !== 'function') return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for await (const b of body as Bytes) parts.push(b);
  return Buffer.concat(parts);
}

/** The first `max` items (all without one); stopping closes the source. */
async function* take<T>(items: AsyncIterable<T>, max: number | undefined): AsyncGenerator<T> {
  if (max === undefined) return yield* items;
  if (max <= 0) return;
  let n = 0;
  for await (const x of items) {
    yield x;
    if (++n >= max) return;
  }
}

async function* listObjects(r: S3Reader, params: JsonObject): AsyncGenerator<JsonObject> {
  let token = typeof params.ContinuationToken === 'string' ? params.ContinuationToken : undefined;
  const { ListObjectsV2Command } = await s3Commands();
  for (;;) {
    const page = (await r.s3.send(new ListObjectsV2Command({ ...params, ...(token ? { ContinuationToken: token } : {}) } as never), { abortSignal: r.signal })) as {
      Contents?: { Key?: string; Size?: number; LastModified?: Date; ETag?: string; StorageClass?: string }[];
      IsTruncated?: boolean;
      NextContinuationToken?: string;
    };
    for (const o of page.Contents ?? []) {
      // AWS's spelling: Etag (not the API's ETag), LastModified in epoch seconds.
      const item: JsonObject = { Etag: o.ETag ?? null, Key: o.Key ?? null, LastModified: o.LastModified ? Math.floor(o.LastModified.getTime() / 1000) : null, Size: o.Size ?? 0 };
      item.StorageClass = o.StorageClass ?? 'STANDARD';
      yield item;
    }
    if (!page.IsTruncated || !page.NextContinuationToken) return;
    token = page.NextContinuationToken;
  }
}

/** `s3://bucket/key` as Bucket and Key. */
function s3Uri(uri: string): { Bucket: string; Key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri.trim());
  if (!m) throw new ItemReaderError(`The manifest names '${uri}', which is not an s3://bucket/key URI.`);
  return { Bucket: m[1]!, Key: m[2]! };
}

async function* inventory(r: S3Reader, params: JsonObject): AsyncGenerator<JsonObject> {
  let manifest: Json;
  try {
    manifest = JSON.parse(await r.text(params, 'S3 Inventory manifest')) as Json;
  } catch (e) {
    if (e instanceof ItemReaderError || !(e instanceof SyntaxError)) throw e;
    throw new ItemReaderError(`The S3 Inventory manifest is not valid JSON (${e.message}).`);
  }
  if (!isObject(manifest) || !Array.isArray(manifest.files)) throw new ItemReaderError("The S3 Inventory manifest has no 'files' list.");
  if (manifest.fileFormat !== 'CSV') throw new ItemReaderError(`Only CSV S3 Inventories can be read; this one's fileFormat is ${JSON.stringify(manifest.fileFormat ?? null)}.`);
  if (typeof manifest.fileSchema !== 'string') throw new ItemReaderError("The S3 Inventory manifest has no 'fileSchema'.");
  const fields = manifest.fileSchema.split(',').map((f) => f.trim());
  const dest = typeof manifest.destinationBucket === 'string' ? manifest.destinationBucket.replace(/^arn:[^:]+:s3:::/, '') : undefined;
  if (!dest) throw new ItemReaderError("The S3 Inventory manifest has no 'destinationBucket'.");
  for (const f of manifest.files) {
    if (!isObject(f) || typeof f.key !== 'string') throw new ItemReaderError("An entry of the S3 Inventory manifest's 'files' has no 'key'.");
    // Inventory data files are gzip-compressed CSV without a header row.
    const gunzipped = pipeline(Readable.from(await r.body({ Bucket: dest, Key: f.key })), createGunzip(), () => {});
    const bytes = (async function* () {
      try {
        for await (const b of gunzipped as AsyncIterable<Uint8Array>) yield b;
      } catch (e) {
        if (e instanceof Error && 'code' in e && String(e.code).startsWith('Z_'))
          throw new ItemReaderError(`The S3 Inventory file '${f.key}' could not be decompressed (${e.message}).`);
        throw e;
      }
    })();
    for await (const row of csvRows(bytes, 'COMMA')) {
      const item: JsonObject = {};
      fields.forEach((name, i) => setOwn(item, name, row[i] ?? ''));
      yield item;
    }
  }
}

async function* athenaData(r: S3Reader, params: JsonObject, each: 'csv' | 'jsonl' | 'parquet', csv: CsvOptions, left: number | undefined): AsyncGenerator<Json> {
  let remaining = left;
  for await (const line of lines(utf8Chunks(await r.body(params)))) {
    if (!line.trim()) continue;
    const loc = s3Uri(line);
    const items =
      each === 'csv' ? csvItems(await r.body(loc), csv) : each === 'jsonl' ? jsonlItems(utf8Chunks(await r.body(loc))) : parquetItems(await r.file(loc), remaining, r.tailBytes);
    for await (const item of items) {
      yield item;
      if (remaining !== undefined && --remaining <= 0) return;
    }
  }
}

async function* all(req: ItemReaderRequest, r: S3Reader): AsyncGenerator<Json> {
  const s = req.source;
  switch (s.kind) {
    case 'listObjectsV2':
      return yield* listObjects(r, s.params);
    case 'json':
      return yield* jsonItems(utf8Chunks(await r.body(s.params)), s.itemsPointer);
    case 'jsonl':
      return yield* jsonlItems(utf8Chunks(await r.body(s.params)));
    case 'csv':
      return yield* csvItems(await r.body(s.params), s.csv);
    case 'parquet':
      return yield* parquetItems(await r.file(s.params), req.maxItems, r.tailBytes);
    case 's3-inventory':
      return yield* inventory(r, s.params);
    case 'athena-data':
      return yield* athenaData(r, s.params, s.each, s.csv, req.maxItems);
    default: {
      const never: never = s;
      throw new ItemReaderError(`Unknown item source ${JSON.stringify(never)}`);
    }
  }
}

/** The items the request names, at most MaxItems of them. */
export function readItems(request: ItemReaderRequest, s3Client: S3Sender, signal?: AbortSignal, opts: ReadItemsOptions = {}): AsyncIterable<Json> {
  return take(all(request, new S3Reader(s3Client, signal, opts.parquetTailBytes ?? PARQUET_TAIL_BYTES)), request.maxItems);
}
