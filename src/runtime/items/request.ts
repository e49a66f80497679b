/**
 * What a Distributed Map's ItemReader asks for, as the interpreter hands it over (Parameters and ReaderConfig
 * already evaluated), checked into a typed request; and the reader's one error, `States.ItemReaderFailed`.
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';

export class ItemReaderError extends Error {
  override readonly name = 'ItemReaderError';
}

export type InputType = 'JSON' | 'JSONL' | 'CSV' | 'MANIFEST' | 'PARQUET';
export type CsvDelimiter = 'COMMA' | 'PIPE' | 'SEMICOLON' | 'SPACE' | 'TAB';
export type ManifestType = 'ATHENA_DATA' | 'S3_INVENTORY';

/** How a CSV file's rows become items. */
export interface CsvOptions {
  /** Headers given in the definition; undefined: the file's first row. */
  headers: string[] | undefined;
  delimiter: CsvDelimiter;
}

/** The source an ItemReader reads, one variant per way of reading it. */
export type ItemSource =
  | { kind: 'listObjectsV2'; params: JsonObject }
  | { kind: 'json'; params: JsonObject; itemsPointer: string | undefined }
  | { kind: 'jsonl'; params: JsonObject }
  | { kind: 'csv'; params: JsonObject; csv: CsvOptions }
  | { kind: 'parquet'; params: JsonObject }
  /** An S3 Inventory manifest.json: its CSV data files (gzip), one item per row with the inventory's fields. */
  | { kind: 's3-inventory'; params: JsonObject }
  /** An Athena UNLOAD data manifest: the S3 URIs of data files, one a line, each read as `each` says. */
  | { kind: 'athena-data'; params: JsonObject; each: 'csv' | 'jsonl' | 'parquet'; csv: CsvOptions };

export interface ItemReaderRequest {
  source: ItemSource;
  /** At most this many items; undefined: all of them. */
  maxItems: number | undefined;
}

/** The largest MaxItems AWS takes. */
export const MAX_ITEMS_LIMIT = 100_000_000;

const INPUT_TYPES: readonly string[] = ['JSON', 'JSONL', 'CSV', 'MANIFEST', 'PARQUET'];
const DELIMITERS: readonly string[] = ['COMMA', 'PIPE', 'SEMICOLON', 'SPACE', 'TAB'];
const READER_CONFIG_FIELDS: readonly string[] = ['InputType', 'CSVHeaderLocation', 'CSVHeaders', 'CSVDelimiter', 'ManifestType', 'ItemsPointer', 'MaxItems'];

/** MaxItems as resolved from MaxItems / MaxItemsPath: 0 means no limit (as AWS treats it). */
export function maxItemsOf(v: Json | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ItemReaderError('field MaxItems must be positive');
  if (v > MAX_ITEMS_LIMIT) throw new ItemReaderError(`field MaxItems must be at most ${MAX_ITEMS_LIMIT}`);
  return v === 0 ? undefined : v;
}

function csvOptions(rc: JsonObject): CsvOptions {
  const location = rc.CSVHeaderLocation ?? 'FIRST_ROW';
  const delimiter = rc.CSVDelimiter ?? 'COMMA';
  if (typeof delimiter !== 'string' || !DELIMITERS.includes(delimiter))
    throw new ItemReaderError(`CSVDelimiter must be one of ${DELIMITERS.join(', ')}; got ${JSON.stringify(delimiter)}.`);
  if (location === 'FIRST_ROW') {
    if (rc.CSVHeaders !== undefined) throw new ItemReaderError("CSVHeaders can only be given with CSVHeaderLocation 'GIVEN'.");
    return { headers: undefined, delimiter: delimiter as CsvDelimiter };
  }
  if (location !== 'GIVEN') throw new ItemReaderError(`CSVHeaderLocation must be FIRST_ROW or GIVEN; got ${JSON.stringify(location)}.`);
  const h = rc.CSVHeaders;
  if (!Array.isArray(h) || h.length === 0 || !h.every((x) => typeof x === 'string'))
    throw new ItemReaderError("CSVHeaderLocation 'GIVEN' needs CSVHeaders, a non-empty list of strings.");
  return { headers: h as string[], delimiter: delimiter as CsvDelimiter };
}

/**
 * The typed request of an item reader command: `api` is the resource's (`getObject` or `listObjectsV2`),
 * `input` the command's `{ Parameters, ReaderConfig }`. Throws an ItemReaderError for what cannot be read.
 */
export function itemReaderRequest(api: string, input: Json): ItemReaderRequest {
  if (!isObject(input)) throw new ItemReaderError('The ItemReader input must be an object with Parameters and ReaderConfig.');
  const params = input.Parameters ?? {};
  if (!isObject(params)) throw new ItemReaderError('The ItemReader Parameters must be an object.');
  const rc = input.ReaderConfig ?? {};
  if (!isObject(rc)) throw new ItemReaderError('The ItemReader ReaderConfig must be an object.');
  for (const k of Object.keys(rc)) if (!READER_CONFIG_FIELDS.includes(k)) throw new ItemReaderError(`The ReaderConfig field '${k}' is not supported.`);
  const maxItems = maxItemsOf(rc.MaxItems);
  if (api === 'listObjectsV2') {
    for (const k of ['InputType', 'CSVHeaderLocation', 'CSVHeaders', 'CSVDelimiter', 'ManifestType', 'ItemsPointer'])
      if (rc[k] !== undefined) throw new ItemReaderError(`The ReaderConfig field '${k}' does not apply to s3:listObjectsV2.`);
    return { source: { kind: 'listObjectsV2', params }, maxItems };
  }
  if (api !== 'getObject') throw new ItemReaderError(`An ItemReader reads with s3:getObject or s3:listObjectsV2, not s3:${api}.`);
  const type = rc.InputType;
  if (typeof type !== 'string' || !INPUT_TYPES.includes(type))
    throw new ItemReaderError(`An ItemReader with s3:getObject needs ReaderConfig.InputType, one of ${INPUT_TYPES.join(', ')}; got ${JSON.stringify(type ?? null)}.`);
  const manifest = rc.ManifestType;
  if (manifest !== undefined && manifest !== 'ATHENA_DATA' && manifest !== 'S3_INVENTORY')
    throw new ItemReaderError(`ManifestType must be ATHENA_DATA or S3_INVENTORY; got ${JSON.stringify(manifest)}.`);
  const onlyFor = (field: string, ok: boolean, what: string): void => {
    if (rc[field] !== undefined && !ok) throw new ItemReaderError(`The ReaderConfig field '${field}' applies only to ${what}.`);
  };
  const csvLike = type === 'CSV';
  onlyFor('CSVHeaderLocation', csvLike, 'InputType CSV');
  onlyFor('CSVHeaders', csvLike, 'InputType CSV');
  onlyFor('CSVDelimiter', csvLike, 'InputType CSV');
  onlyFor('ItemsPointer', type === 'JSON' && manifest === undefined, 'InputType JSON');
  if (manifest === 'ATHENA_DATA') {
    if (type !== 'CSV' && type !== 'JSONL' && type !== 'PARQUET')
      throw new ItemReaderError(`ManifestType ATHENA_DATA reads data files of InputType CSV, JSONL or PARQUET; got ${type}.`);
    const each = type === 'CSV' ? 'csv' : type === 'JSONL' ? 'jsonl' : 'parquet';
    return { source: { kind: 'athena-data', params, each, csv: type === 'CSV' ? csvOptions(rc) : { headers: undefined, delimiter: 'COMMA' } }, maxItems };
  }
  if (manifest === 'S3_INVENTORY' && type !== 'MANIFEST' && type !== 'CSV')
    throw new ItemReaderError(`ManifestType S3_INVENTORY reads an S3 Inventory manifest (InputType MANIFEST or CSV); got ${type}.`);
  if (manifest === 'S3_INVENTORY' || type === 'MANIFEST') {
    if (csvLike && (rc.CSVHeaderLocation !== undefined || rc.CSVHeaders !== undefined || rc.CSVDelimiter !== undefined))
      throw new ItemReaderError('An S3 Inventory names its own fields (fileSchema): CSVHeaderLocation, CSVHeaders and CSVDelimiter do not apply.');
    return { source: { kind: 's3-inventory', params }, maxItems };
  }
  switch (type) {
    case 'JSON': {
      const p = rc.ItemsPointer;
      if (p !== undefined && (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))))
        throw new ItemReaderError(`ItemsPointer must be a JSON Pointer (RFC 6901), such as '/data/items'; got ${JSON.stringify(p)}.`);
      return { source: { kind: 'json', params, itemsPointer: p === '' ? undefined : (p as string | undefined) }, maxItems };
    }
    case 'JSONL':
      return { source: { kind: 'jsonl', params }, maxItems };
    case 'CSV':
      return { source: { kind: 'csv', params, csv: csvOptions(rc) }, maxItems };
    case 'PARQUET':
      return { source: { kind: 'parquet', params }, maxItems };
    default:
      throw new ItemReaderError(`InputType ${type} is not supported.`);
  }
}
