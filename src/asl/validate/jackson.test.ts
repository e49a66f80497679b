import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanJson, sourceLocation } from './jackson.js';

function error(text: string): string {
  const r = scanJson(text);
  assert.equal(r.ok, false, `expected a syntax error for ${JSON.stringify(text)}`);
  return r.ok ? '' : r.error.message;
}

const VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

test('valid JSON is accepted and content after the first value is ignored', () => {
  const text = ' {"a": [1, -2.5e3, true, null, "x\\u0041"]} ';
  assert.deepEqual(scanJson(text), { ok: true, end: text.length - 1 });
  assert.equal(scanJson('{} trailing').ok, true);
});

test('unrecognized tokens are reported after the token', () => {
  assert.equal(
    error('not a definition'),
    `Unrecognized token 'not': was expecting ${VALUES}\n at [Source: (String)"not a definition"; line: 1, column: 4]`,
  );
  assert.equal(error('{"a": tru}'), `Unrecognized token 'tru': was expecting ${VALUES}\n at [Source: (String)"{"a": tru}"; line: 1, column: 10]`);
});

test('unexpected characters are reported one column past them', () => {
  assert.equal(
    error("{'a': 1}"),
    `Unexpected character (''' (code 39)): was expecting double-quote to start field name\n at [Source: (String)"{'a': 1}"; line: 1, column: 3]`,
  );
  assert.match(error('{"a": 1,}'), /^Unexpected character \('}' \(code 125\)\): was expecting double-quote to start field name/);
  assert.match(error('{"a" 1}'), /was expecting a colon to separate field name and value/);
  assert.match(error('{"a": 1 "b": 2}'), /was expecting comma to separate Object entries/);
  assert.match(error('[1 2]'), /was expecting comma to separate Array entries/);
  assert.match(error('[#]'), /^Unexpected character \('#' \(code 35\)\): expected a valid value \(JSON String/);
});

test('end of input inside containers and strings', () => {
  assert.equal(
    error('{"a": 1'),
    'Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"a": 1"; line: 1, column: 1])\n at [Source: (String)"{"a": 1"; line: 1, column: 8]',
  );
  assert.match(error('["abc'), /^Unexpected end-of-input: was expecting closing quote for a string value/);
});

test('control characters in strings and lines are counted', () => {
  assert.match(error('{\n"a": "x\ty"}'), /^Illegal unquoted character \(\(CTRL-CHAR, code 9\)\): has to be escaped using backslash to be included in string value\n at \[Source: .*; line: 2, column: 9\]$/s);
});

test('long sources are truncated to 500 characters', () => {
  const text = 'x'.repeat(600);
  assert.equal(sourceLocation(text, 3), `[Source: (String)"${'x'.repeat(500)}"[truncated 100 chars]; line: 1, column: 4]`);
});
