/**
 * The items of an Apache Parquet file, read by hyparquet: one object a row, by column name. Parquet keeps its
 * index at the end, so the file is read by ranges (`AsyncBuffer`), a row group at a time, and never more rows
 * than `limit`. Values as JSON: 64-bit integers as numbers (as text past 2^53), dates as ISO-8601 text, bytes
 * as base64.
 * @module
 */
import type { AsyncBuffer } from 'hyparquet';
import { setOwn, type Json, type JsonObject } from '../../shared/json.js';
import { ItemReaderError } from './request.js';

export type { AsyncBuffer };

export function parquetValue(v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(parquetValue);
  if (typeof v === 'object') {
    const o: JsonObject = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) setOwn(o, k, parquetValue(x));
    return o;
  }
  return String(v);
}

/** The rows of a Parquet file; `footerBytes`: how much of its end to read first for the index. */
export async function* parquetItems(file: AsyncBuffer, limit: number | undefined, footerBytes?: number): AsyncGenerator<JsonObject> {
  // hyparquet loads with the first Parquet file read.
  const { parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file, footerBytes ? { initialFetchSize: footerBytes } : {});
  } catch (e) {
    throw new ItemReaderError(`The Parquet file could not be read: ${(e as Error).message}`);
  }
  let rowStart = 0;
  let left = limit ?? Infinity;
  for (const group of metadata.row_groups) {
    if (left <= 0) return;
    const n = Number(group.num_rows);
    const rowEnd = rowStart + Math.min(n, left);
    let rows;
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
    } catch (e) {
      throw new ItemReaderError(`The Parquet file could not be read: ${(e as Error).message}`);
    }
    for (const row of rows) yield parquetValue(row) as JsonObject;
    left -= rowEnd - rowStart;
    rowStart += n;
  }
}
