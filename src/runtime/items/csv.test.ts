import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JsonObject } from '../../shared/json.js';
import { csvItems } from './csv.js';
import type { CsvOptions } from './request.js';

const from = (s: string, n = 1 << 20) =>
  (async function* () {
    const b = Buffer.from(s);
    for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
  })();
async function items(s: string, opts: Partial<CsvOptions> = {}, n?: number): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const x of csvItems(from(s, n), { headers: undefined, delimiter: 'COMMA', ...opts })) out.push(x);
  return out;
}

describe('CSV items', () => {
  test('headers from the first row; every value a string; more fields than headers dropped, fewer filled with ""', async () => {
    const text = 'k,v,w\nA,B,C\n1,2\n,,,,\nyes,  ,no,extra\n \n';
    const want = [
      { k: 'A', v: 'B', w: 'C' },
      { k: '1', v: '2', w: '' },
      { k: '', v: '', w: '' },
      { k: 'yes', v: '  ', w: 'no' },
      { k: ' ', v: '', w: '' },
    ];
    for (const n of [1, 3, 1 << 20]) assert.deepEqual(await items(text, {}, n), want, `chunks of ${n} bytes`);
  });

  test('headers given; header-like values are items then; the last line end ends the file', async () => {
    assert.deepEqual(await items('x,y\n1,2\n', { headers: ['P', 'Q'] }), [
      { P: 'x', Q: 'y' },
      { P: '1', Q: '2' },
    ]);
    assert.deepEqual(await items('5,False,[]\nr,s,t\n'), [{ '5': 'r', False: 's', '[]': 't' }]);
  });

  test("duplicate headers fail as AWS words it, given or read", async () => {
    await assert.rejects(items('a,b\n', { headers: ['h', 'h'] }), /^ItemReaderError: CSV headers cannot contain duplicates\.$/);
    await assert.rejects(items('h,g,h\n1,2,3\n'), /^ItemReaderError: CSV headers cannot contain duplicates\.$/);
  });

  test('quoted fields (delimiters, quotes and line ends inside), CRLF, a byte order mark, and each delimiter', async () => {
    assert.deepEqual(await items('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\r\n'), [{ a: 'x, y', b: 'say "hi"\nthere' }]);
    const rows = { COMMA: 'a,b\n1,2\n', PIPE: 'a|b\n1|2\n', SEMICOLON: 'a;b\n1;2\n', SPACE: 'a b\n1 2\n', TAB: 'a\tb\n1\t2\n' } as const;
    for (const [d, text] of Object.entries(rows)) assert.deepEqual(await items(text, { delimiter: d as CsvOptions['delimiter'] }), [{ a: '1', b: '2' }], d);
  });

  test('a broken quote fails with a clear cause', async () => {
    await assert.rejects(items('a,b\n"open,1\n'), /^ItemReaderError: The CSV file could not be read: /);
  });
});
