/**
 * The items of a JSON Lines file: one JSON value a line, blank lines skipped, read line by line as the text arrives.
 * @module
 */
import type { Json } from '../../shared/json.js';
import { ItemReaderError } from './request.js';
import { lines } from './text.js';

export async function* jsonlItems(chunks: AsyncIterable<string>): AsyncGenerator<Json> {
  let n = 0;
  for await (const line of lines(chunks)) {
    n++;
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as Json;
    } catch (e) {
      throw new ItemReaderError(`Line ${n} of the JSONL file is not valid JSON (${(e as Error).message}).`);
    }
  }
}
