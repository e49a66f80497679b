import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../../shared/json.js';
import { jsonlItems } from './jsonl.js';
import { lines, utf8Chunks } from './text.js';

const from = <T>(xs: T[]) =>
  (async function* () {
    yield* xs;
  })();
const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('text and JSON Lines', () => {
  test('UTF-8 split between chunks is joined; a byte order mark is dropped', async () => {
    const bytes = Buffer.from('\ufeffé€x', 'utf8');
    const parts = [...bytes].map((b) => new Uint8Array([b]));
    assert.equal((await collect(utf8Chunks(from(parts)))).join(''), 'é€x');
  });

  test('lines across chunks, \\n and \\r\\n, a last line without an end', async () => {
    assert.deepEqual(await collect(lines(from(['a\r', '\nb', 'c\n\nd']))), ['a', 'bc', '', 'd']);
    assert.deepEqual(await collect(lines(from(['x\n']))), ['x']);
  });

  test('one JSON value a line, any JSON type; blank lines skipped', async () => {
    const out: Json[] = await collect(jsonlItems(from(['{"a":1}\n[1,2]\n', '"s"\n\n  \n3\nnull'])));
    assert.deepEqual(out, [{ a: 1 }, [1, 2], 's', 3, null]);
  });

  test('a line that is not JSON fails, naming the line', async () => {
    await assert.rejects(collect(jsonlItems(from(['{"a":1}\n{oops}\n']))), /^ItemReaderError: Line 2 of the JSONL file is not valid JSON/);
  });
});
