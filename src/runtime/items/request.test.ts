import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { itemReaderRequest, ItemReaderError, maxItemsOf } from './request.js';

const fails = (f: () => unknown, cause: string | RegExp) => assert.throws(f, (e: unknown) => e instanceof ItemReaderError && (typeof cause === 'string' ? e.message === cause : cause.test(e.message)));

describe('ItemReader request', () => {
  test('MaxItems: 0 and absent mean no limit; negative or fractional fail as AWS words it; at most 100,000,000', () => {
    assert.equal(maxItemsOf(undefined), undefined);
    assert.equal(maxItemsOf(0), undefined);
    assert.equal(maxItemsOf(7), 7);
    assert.equal(maxItemsOf(100_000_000), 100_000_000);
    fails(() => maxItemsOf(-1), 'field MaxItems must be positive');
    fails(() => maxItemsOf(1.5), 'field MaxItems must be positive');
    fails(() => maxItemsOf('3'), 'field MaxItems must be positive');
    fails(() => maxItemsOf(100_000_001), /at most 100000000/);
    fails(() => itemReaderRequest('getObject', { Parameters: {}, ReaderConfig: { InputType: 'CSV', MaxItems: -1 } }), 'field MaxItems must be positive');
  });

  test('each InputType to its source; CSV headers and delimiter', () => {
    const p = { Bucket: 'b', Key: 'k' };
    assert.deepEqual(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSON', ItemsPointer: '/a/b' } }).source, { kind: 'json', params: p, itemsPointer: '/a/b' });
    assert.equal(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSONL' } }).source.kind, 'jsonl');
    assert.deepEqual(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['a'], CSVDelimiter: 'PIPE' }, }).source, {
      kind: 'csv',
      params: p,
      csv: { headers: ['a'], delimiter: 'PIPE' },
    });
    assert.deepEqual(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV' } }).source, { kind: 'csv', params: p, csv: { headers: undefined, delimiter: 'COMMA' } });
    assert.equal(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'PARQUET', MaxItems: 3 } }).maxItems, 3);
    assert.equal(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'MANIFEST' } }).source.kind, 's3-inventory');
    assert.equal(itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', ManifestType: 'S3_INVENTORY' } }).source.kind, 's3-inventory');
    const athena = itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSONL', ManifestType: 'ATHENA_DATA' } }).source;
    assert.equal(athena.kind === 'athena-data' && athena.each, 'jsonl');
    assert.deepEqual(itemReaderRequest('listObjectsV2', { Parameters: { Bucket: 'b', Prefix: 'x/' } }), { source: { kind: 'listObjectsV2', params: { Bucket: 'b', Prefix: 'x/' } }, maxItems: undefined });
  });

  test('what cannot be read is refused with a clear cause, never ignored', () => {
    const p = { Bucket: 'b', Key: 'k' };
    fails(() => itemReaderRequest('getObject', { Parameters: p }), /needs ReaderConfig.InputType/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'XML' } }), /needs ReaderConfig.InputType/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN' } }), /needs CSVHeaders/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', CSVHeaders: ['a'] } }), /only be given with CSVHeaderLocation 'GIVEN'/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', CSVDelimiter: 'COLON' } }), /CSVDelimiter must be one of/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSON', CSVDelimiter: 'TAB' } }), /applies only to InputType CSV/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'CSV', ItemsPointer: '/a' } }), /applies only to InputType JSON/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSON', ItemsPointer: 'a' } }), /must be a JSON Pointer/);
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSON', Other: 1 } }), "The ReaderConfig field 'Other' is not supported.");
    fails(() => itemReaderRequest('getObject', { Parameters: p, ReaderConfig: { InputType: 'JSON', ManifestType: 'ATHENA_DATA' } }), /ATHENA_DATA reads data files of InputType CSV, JSONL or PARQUET/);
    fails(() => itemReaderRequest('listObjectsV2', { Parameters: p, ReaderConfig: { InputType: 'CSV' } }), /does not apply to s3:listObjectsV2/);
    fails(() => itemReaderRequest('putObject', { Parameters: p, ReaderConfig: { InputType: 'CSV' } }), /not s3:putObject/);
  });
});
