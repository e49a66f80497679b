import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanDocument, scanJson, sourceLocation } from './jackson.js';

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

test('a whole document refuses content after its value, as Jackson with FAIL_ON_TRAILING_TOKENS', () => {
  const doc = (text: string): string => {
    const r = scanDocument(text);
    assert.equal(r.ok, false, `expected trailing content to be refused in ${JSON.stringify(text)}`);
    return r.ok ? '' : r.error.message.split('\n')[0]!;
  };
  assert.deepEqual(scanDocument(' {"a": 1} \n\t'), { ok: true, end: 9 });
  const trailing = (type: string) => `Trailing token (of type ${type}) found after value (bound as \`com.fasterxml.jackson.databind.JsonNode\`): not allowed as per \`DeserializationFeature.FAIL_ON_TRAILING_TOKENS\``;
  assert.equal(doc('{}{"x":1}'), trailing('START_OBJECT'));
  assert.equal(doc('{} [1]'), trailing('START_ARRAY'));
  assert.equal(doc('{} "s'), trailing('VALUE_STRING'));
  assert.equal(doc('{} 12'), trailing('VALUE_NUMBER_INT'));
  assert.equal(doc('{} -1.5e3'), trailing('VALUE_NUMBER_FLOAT'));
  assert.equal(doc('{} true'), trailing('VALUE_TRUE'));
  assert.equal(doc('{} null'), trailing('VALUE_NULL'));
  assert.equal(doc('{} xyz'), `Unrecognized token 'xyz': was expecting ${VALUES}`);
  assert.equal(doc('{} ,'), `Unexpected character (',' (code 44)): expected a valid value ${VALUES}`);
  assert.match(doc('{} }'), /^Unexpected close marker '}': expected '\]' \(for root starting at \[Source: \(String\)"\{\} \}"; line: 1, column: 0\]\)$/);
  const r = scanDocument('{}{"x":1}');
  assert.equal(r.ok ? '' : r.error.location, '[Source: (String)"{}{"x":1}"; line: 1, column: 4]');
});
