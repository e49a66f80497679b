/**
 * The items of a CSV file, parsed by csv-parse as the bytes arrive: one object a row, every value a string,
 * keyed by the headers (given in the definition, or the file's first row). A row with more fields than
 * headers drops the extra ones; one with fewer gives "" for the missing ones.
 * @module
 */
import { Readable } from 'node:stream';
// csv-parse loads with the first CSV read.
import { setOwn, type JsonObject } from '../../shared/json.js';
import { ItemReaderError, type CsvDelimiter, type CsvOptions } from './request.js';

const DELIMITER: Record<CsvDelimiter, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };

function checkHeaders(headers: string[]): string[] {
  if (new Set(headers).size !== headers.length) throw new ItemReaderError('CSV headers cannot contain duplicates.');
  return headers;
}

/** The rows of a CSV byte stream as lists of fields. */
export async function* csvRows(bytes: AsyncIterable<Uint8Array | string>, delimiter: CsvDelimiter): AsyncGenerator<string[]> {
  const { parse } = await import('csv-parse');
  const source = Readable.from(bytes, { objectMode: false });
  const parser = parse({ delimiter: DELIMITER[delimiter], relax_column_count: true, bom: true });
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  try {
    for await (const row of parser as AsyncIterable<string[]>) yield row;
  } catch (e) {
    if (e instanceof ItemReaderError || !(e as { code?: string }).code?.startsWith('CSV_')) throw e;
    throw new ItemReaderError(`The CSV file could not be read: ${(e as Error).message}`);
  } finally {
    source.unpipe(parser);
    source.destroy();
    parser.destroy();
  }
}

export async function* csvItems(bytes: AsyncIterable<Uint8Array | string>, opts: CsvOptions): AsyncGenerator<JsonObject> {
  let headers = opts.headers ? checkHeaders(opts.headers) : undefined;
  for await (const row of csvRows(bytes, opts.delimiter)) {
    if (!headers) {
      headers = checkHeaders(row);
      continue;
    }
    const item: JsonObject = {};
    headers.forEach((h, i) => setOwn(item, h, row[i] ?? ''));
    yield item;
  }
}
