import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Json } from '../../shared/json.js';
import { jsonItems, NOT_ITERABLE, pointerTokens } from './json-array.js';
import { ItemReaderError } from './request.js';

/** The text in chunks of `n` characters, as a stream would split it. */
const chunks = (s: string, n: number) =>
  (async function* () {
    for (let i = 0; i < s.length; i += n) yield s.slice(i, i + n);
  })();

async function items(s: string, pointer?: string, n = 1): Promise<Json[]> {
  const out: Json[] = [];
  for await (const x of jsonItems(chunks(s, n), pointer)) out.push(x);
  return out;
}

const SIZES = [1, 2, 7, 1 << 20];

describe('JSON items', () => {
  test('the elements of a top-level array, whatever the chunking: strings with brackets, escapes, nesting, numbers, literals', async () => {
    const doc = '[1, "a,]\\"}", {"x":[1,{"y":"}"}]}, true, null, -1.5e3, [], {}, "\\u00e9"]';
    for (const n of SIZES) assert.deepEqual(await items(doc, undefined, n), JSON.parse(doc), `chunks of ${n}`);
    assert.deepEqual(await items(' \n [ ] '), []);
  });

  test('ItemsPointer: the array at an RFC 6901 pointer inside an object (escaped tokens, array indexes)', async () => {
    assert.deepEqual(pointerTokens('/a~1b/~0c/0'), ['a/b', '~c', '0']);
    const doc = '{"meta": {"items": "no"}, "data": {"rows": [{"id": 1}, {"id": 2}], "more": [3]}, "a/b": [[9], [8, 7]], "k\\"q": ["esc"]}';
    for (const n of SIZES) {
      assert.deepEqual(await items(doc, '/data/rows', n), [{ id: 1 }, { id: 2 }]);
      assert.deepEqual(await items(doc, '/a~1b/1', n), [8, 7]);
      assert.deepEqual(await items(doc, '/k"q', n), ['esc']);
    }
  });

  test("a document or pointed value that is not an array: AWS's cause", async () => {
    for (const [doc, p] of [['{"Hello": "world"}', undefined], ['"text"', undefined], ['12', undefined], ['{"a": {"b": 1}}', '/a'], ['{"a": 5}', '/a']] as const)
      await assert.rejects(items(doc, p), (e: unknown) => e instanceof ItemReaderError && e.message === NOT_ITERABLE, `${doc} ${p}`);
  });

  test('a pointer to nothing, and broken JSON, fail with a clear cause', async () => {
    await assert.rejects(items('{"a": [1]}', '/b'), /The ItemsPointer '\/b' points at nothing in the file\./);
    await assert.rejects(items('[1, 2'), /ends before its arrays and objects close/);
    await assert.rejects(items(''), /the file is empty/);
    await assert.rejects(items('[{"a": 1}, {"b": 2]'), /unexpected '\]'/);
    await assert.rejects(items('[1, tru]'), /item 1 is not valid JSON/);
  });

  test('reading stops once the array closes: the rest of the stream is not pulled', async () => {
    let pulled = 0;
    const src = (async function* () {
      yield '{"items": [1, 2], "rest": [';
      for (;;) {
        pulled++;
        yield '0,';
      }
    })();
    // The array at /items closes in the first chunk; the endless rest is never read.
    const out: Json[] = [];
    for await (const x of jsonItems(src, '/items')) out.push(x);
    assert.deepEqual(out, [1, 2]);
    assert.equal(pulled, 0);
  });
});
