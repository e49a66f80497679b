import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../shared/json.js';
import { parquetItems, parquetValue, type AsyncBuffer } from './parquet.js';

/**
 * The fixture: 2,500 rows in row groups of 1,000, 1,000 and 500 (columns id INT64, name STRING, score DOUBLE,
 * active BOOLEAN, big INT64; row 1's big is 2^53 + 1), written by hyparquet-writer 0.17.0 (see test/fixtures/README.md).
 */
const FIXTURE = new URL('../../../test/fixtures/items-2500-rows.parquet', import.meta.url);

function fileOf(): AsyncBuffer & { reads: [number, number][] } {
  const b = readFileSync(FIXTURE);
  const reads: [number, number][] = [];
  return {
    reads,
    byteLength: b.byteLength,
    slice(start: number, end = b.byteLength) {
      reads.push([start, end]);
      return b.buffer.slice(b.byteOffset + start, b.byteOffset + end) as ArrayBuffer;
    },
  };
}

async function rows(file: AsyncBuffer, limit?: number): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const r of parquetItems(file, limit, 4096)) out.push(r);
  return out;
}

describe('Parquet items', () => {
  test('every row of every row group, by column name, as JSON', async () => {
    const all = await rows(fileOf());
    assert.equal(all.length, 2500);
    assert.deepEqual(all[0], { id: 0, name: 'item-0', score: 0, active: true, big: 0 });
    assert.deepEqual(all[1], { id: 1, name: 'item-1', score: 0.25, active: false, big: '9007199254740993' });
    assert.deepEqual(all[2499], { id: 2499, name: 'item-2499', score: 624.75, active: false, big: 2499000 });
  });

  test('a limit reads only the row groups it needs', async () => {
    const whole = fileOf();
    await rows(whole);
    const few = fileOf();
    const got = await rows(few, 10);
    assert.deepEqual(got.map((r) => r.id), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const bytes = (f: { reads: [number, number][] }) => f.reads.reduce((n, [s, e]) => n + (e - s), 0);
    assert.ok(bytes(few) < bytes(whole) / 2, `read ${bytes(few)} of ${bytes(whole)} bytes`);
  });

  test('values: bigint, dates, bytes, nested', () => {
    assert.equal(parquetValue(5n), 5);
    assert.equal(parquetValue(2n ** 60n), '1152921504606846976');
    assert.equal(parquetValue(new Date(Date.UTC(2024, 0, 2))), '2024-01-02T00:00:00.000Z');
    assert.equal(parquetValue(new Uint8Array([1, 2, 3])), 'AQID');
    assert.deepEqual(parquetValue({ a: [1n, null], b: { c: NaN } }), { a: [1, null], b: { c: 'NaN' } });
  });

  test('a file that is not Parquet fails with a clear cause', async () => {
    const text = Buffer.from('not parquet at all');
    const file: AsyncBuffer = { byteLength: text.length, slice: (s, e) => text.buffer.slice(text.byteOffset + s, text.byteOffset + (e ?? text.length)) as ArrayBuffer };
    await assert.rejects(rows(file), /^ItemReaderError: The Parquet file could not be read: /);
  });
});
