import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3, TEST_CREDENTIALS, type Emulator } from '../../e2e/aws-emulators.js';
import type { Json, JsonObject } from '../../shared/json.js';
import { readItems, type S3Sender } from './read-items.js';
import { itemReaderRequest } from './request.js';

let s3: Emulator;
let client: S3Client;
const BUCKET = 'items';
const PARQUET = readFileSync(new URL('../../../test/fixtures/items-2500-rows.parquet', import.meta.url));

const put = (Key: string, Body: string | Uint8Array, Bucket = BUCKET) => client.send(new PutObjectCommand({ Bucket, Key, Body }));

/** The client, counting the GetObject requests, their ranges, and the body bytes the reader pulled. */
function counting(): S3Sender & { gets: (string | undefined)[]; bytes: number } {
  const c = {
    gets: [] as (string | undefined)[],
    bytes: 0,
    async send(command: unknown, options?: { abortSignal?: AbortSignal }) {
      const out = (await client.send(command as GetObjectCommand, options)) as { Body?: AsyncIterable<Uint8Array> };
      if (command instanceof GetObjectCommand) {
        c.gets.push(command.input.Range);
        const body = out.Body!;
        out.Body = {
          async *[Symbol.asyncIterator]() {
            for await (const b of body) {
              c.bytes += b.byteLength;
              yield b;
            }
          },
        } as never;
      }
      return out;
    },
  };
  return c;
}

async function read(api: string, input: JsonObject, sender: S3Sender = client, opts = {}): Promise<Json[]> {
  const out: Json[] = [];
  for await (const x of readItems(itemReaderRequest(api, input), sender, undefined, opts)) out.push(x);
  return out;
}
const get = (Key: string, ReaderConfig: JsonObject, sender?: S3Sender, opts?: object) => read('getObject', { Parameters: { Bucket: BUCKET, Key }, ReaderConfig }, sender, opts);

before(async () => {
  s3 = await startS3({ pagination: true });
  client = new S3Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS, endpoint: s3.endpoint, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await client.send(new CreateBucketCommand({ Bucket: 'listing' }));
  await client.send(new CreateBucketCommand({ Bucket: 'inventory-dest' }));
});
after(async () => {
  client?.destroy();
  await s3?.close();
});

describe('readItems over S3 (s3rver)', () => {
  test('JSON, JSON with ItemsPointer, JSONL and CSV objects', async () => {
    await put('a.json', JSON.stringify([{ a: 1 }, 'two', [3]]));
    await put('o.json', JSON.stringify({ page: 1, data: { rows: [{ r: 1 }, { r: 2 }] } }));
    await put('a.jsonl', '{"a":1}\n{"a":2}\n');
    await put('a.csv', 'h1;h2\nv1;v2\n');
    assert.deepEqual(await get('a.json', { InputType: 'JSON' }), [{ a: 1 }, 'two', [3]]);
    assert.deepEqual(await get('o.json', { InputType: 'JSON', ItemsPointer: '/data/rows' }), [{ r: 1 }, { r: 2 }]);
    assert.deepEqual(await get('a.jsonl', { InputType: 'JSONL', MaxItems: 1 }), [{ a: 1 }]);
    assert.deepEqual(await get('a.csv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', CSVDelimiter: 'SEMICOLON' }), [{ h1: 'v1', h2: 'v2' }]);
  });

  test('streaming: MaxItems 10 of a 100,000-line JSONL object reads only a prefix of its body', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ i, text: 'some padding to make lines longer' })).join('\n');
    await put('big.jsonl', lines);
    const c = counting();
    const got = await get('big.jsonl', { InputType: 'JSONL', MaxItems: 10 }, c);
    assert.deepEqual(got.map((x) => (x as JsonObject).i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const size = Buffer.byteLength(lines);
    assert.ok(c.bytes < size / 10, `pulled ${c.bytes} of ${size} bytes`);
    // The same for a JSON array and CSV.
    const arr = counting();
    await put('big.json', JSON.stringify(Array.from({ length: 100_000 }, (_, i) => ({ i }))));
    assert.equal((await get('big.json', { InputType: 'JSON', MaxItems: 5 }, arr)).length, 5);
    assert.ok(arr.bytes < 200_000, `JSON: pulled ${arr.bytes} bytes`);
    const csv = counting();
    await put('big.csv', `i\n${Array.from({ length: 100_000 }, (_, i) => i).join('\n')}\n`);
    assert.deepEqual(await get('big.csv', { InputType: 'CSV', MaxItems: 3 }, csv), [{ i: '0' }, { i: '1' }, { i: '2' }]);
    assert.ok(csv.bytes < 200_000, `CSV: pulled ${csv.bytes} bytes`);
  });

  test('listObjectsV2: every object over all pages (ContinuationToken), Prefix passed through, AWS item shape', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => put(`p/k${String(i).padStart(2, '0')}`, 'x'.repeat(i), 'listing')));
    await put('other', 'o', 'listing');
    const items = (await read('listObjectsV2', { Parameters: { Bucket: 'listing', Prefix: 'p/', MaxKeys: 4 } })) as JsonObject[];
    assert.equal(items.length, 25);
    assert.deepEqual(items.map((o) => o.Key), Array.from({ length: 25 }, (_, i) => `p/k${String(i).padStart(2, '0')}`));
    const first = items[3]!;
    assert.deepEqual(Object.keys(first).sort(), ['Etag', 'Key', 'LastModified', 'Size', 'StorageClass']);
    assert.equal(first.Size, 3);
    assert.equal(first.StorageClass, 'STANDARD');
    assert.match(String(first.Etag), /^"[0-9a-f]{32}"$/);
    assert.ok(typeof first.LastModified === 'number' && Math.abs(first.LastModified - Date.now() / 1000) < 600, String(first.LastModified));
    // MaxItems across pages: stops after the page that reaches it.
    assert.equal((await read('listObjectsV2', { Parameters: { Bucket: 'listing', MaxKeys: 4 }, ReaderConfig: { MaxItems: 6 } })).length, 6);
  });

  test('PARQUET: read by byte ranges; MaxItems fetches only what it needs', async () => {
    await put('items.parquet', PARQUET);
    const all = counting();
    const rows = (await get('items.parquet', { InputType: 'PARQUET' }, all, { parquetTailBytes: 4096 })) as JsonObject[];
    assert.equal(rows.length, 2500);
    assert.deepEqual(rows[1], { id: 1, name: 'item-1', score: 0.25, active: false, big: '9007199254740993' });
    assert.equal(all.gets[0], 'bytes=-4096');
    // s3rver answers a suffix range from byte 0: the end is then asked for by position (AWS takes the suffix range).
    assert.ok(all.gets.slice(1).every((r) => /^bytes=\d+-\d+$/.test(r ?? '')), String(all.gets));
    const few = counting();
    assert.equal((await get('items.parquet', { InputType: 'PARQUET', MaxItems: 10 }, few, { parquetTailBytes: 4096 })).length, 10);
    assert.ok(few.bytes < all.bytes / 2, `MaxItems 10 pulled ${few.bytes} of ${all.bytes} bytes`);
    // The default tail takes a small file in one request.
    const one = counting();
    assert.equal((await get('items.parquet', { InputType: 'PARQUET' }, one)).length, 2500);
    assert.equal(one.gets.length, 1);
  });

  test('MANIFEST: an S3 Inventory manifest.json, its gzip CSV data files, one item per row by fileSchema', async () => {
    const rows1 = '"src","a/1.txt","10","2024-01-01T00:00:00.000Z"\n"src","a/2.txt","20","2024-01-02T00:00:00.000Z"\n';
    const rows2 = '"src","b/3.txt","30","2024-01-03T00:00:00.000Z"\n';
    await put('inv/data/f1.csv.gz', gzipSync(rows1), 'inventory-dest');
    await put('inv/data/f2.csv.gz', gzipSync(rows2), 'inventory-dest');
    const manifest = {
      sourceBucket: 'src',
      destinationBucket: 'arn:aws:s3:::inventory-dest',
      version: '2016-11-30',
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size, LastModifiedDate',
      files: [
        { key: 'inv/data/f1.csv.gz', size: 1, MD5checksum: 'x' },
        { key: 'inv/data/f2.csv.gz', size: 1, MD5checksum: 'y' },
      ],
    };
    await put('inv/manifest.json', JSON.stringify(manifest), 'inventory-dest');
    const p = { Parameters: { Bucket: 'inventory-dest', Key: 'inv/manifest.json' } };
    const items = await read('getObject', { ...p, ReaderConfig: { InputType: 'MANIFEST' } });
    assert.deepEqual(items, [
      { Bucket: 'src', Key: 'a/1.txt', Size: '10', LastModifiedDate: '2024-01-01T00:00:00.000Z' },
      { Bucket: 'src', Key: 'a/2.txt', Size: '20', LastModifiedDate: '2024-01-02T00:00:00.000Z' },
      { Bucket: 'src', Key: 'b/3.txt', Size: '30', LastModifiedDate: '2024-01-03T00:00:00.000Z' },
    ]);
    assert.equal((await read('getObject', { ...p, ReaderConfig: { InputType: 'CSV', ManifestType: 'S3_INVENTORY', MaxItems: 2 } })).length, 2);
    await put('inv/orc.json', JSON.stringify({ ...manifest, fileFormat: 'ORC' }), 'inventory-dest');
    await assert.rejects(read('getObject', { Parameters: { Bucket: 'inventory-dest', Key: 'inv/orc.json' }, ReaderConfig: { InputType: 'MANIFEST' } }), /Only CSV S3 Inventories can be read; this one's fileFormat is "ORC"/);
  });

  test('ATHENA_DATA: the data files an Athena manifest lists, each read as InputType says, MaxItems across files', async () => {
    await put('athena/1.jsonl', '{"n":1}\n{"n":2}\n');
    await put('athena/2.jsonl', '{"n":3}\n');
    await put('athena/1.csv', 'x,y\n');
    await put('athena/2.csv', 'z,w\n');
    await put('athena/items.parquet', PARQUET);
    await put('athena/jsonl-manifest.csv', `s3://${BUCKET}/athena/1.jsonl\ns3://${BUCKET}/athena/2.jsonl\n`);
    await put('athena/csv-manifest.csv', `s3://${BUCKET}/athena/1.csv\ns3://${BUCKET}/athena/2.csv\n`);
    await put('athena/parquet-manifest.csv', `s3://${BUCKET}/athena/items.parquet\n`);
    assert.deepEqual(await get('athena/jsonl-manifest.csv', { InputType: 'JSONL', ManifestType: 'ATHENA_DATA' }), [{ n: 1 }, { n: 2 }, { n: 3 }]);
    assert.deepEqual(await get('athena/jsonl-manifest.csv', { InputType: 'JSONL', ManifestType: 'ATHENA_DATA', MaxItems: 2 }), [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(await get('athena/csv-manifest.csv', { InputType: 'CSV', ManifestType: 'ATHENA_DATA', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['a', 'b'] }), [
      { a: 'x', b: 'y' },
      { a: 'z', b: 'w' },
    ]);
    assert.equal((await get('athena/parquet-manifest.csv', { InputType: 'PARQUET', ManifestType: 'ATHENA_DATA', MaxItems: 1001 })).length, 1001);
    await put('athena/bad-manifest.csv', 'not-a-uri\n');
    await assert.rejects(get('athena/bad-manifest.csv', { InputType: 'JSONL', ManifestType: 'ATHENA_DATA' }), /names 'not-a-uri', which is not an s3:\/\/bucket\/key URI/);
  });

  test('S3 errors come through as the SDK gives them', async () => {
    await assert.rejects(get('missing.json', { InputType: 'JSON' }), (e: unknown) => (e as { name?: string }).name === 'NoSuchKey');
    await assert.rejects(read('listObjectsV2', { Parameters: { Bucket: 'no-such-bucket' } }), (e: unknown) => (e as { name?: string }).name === 'NoSuchBucket');
  });
});
