import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pyRepr, pyReprList } from './pyrepr.js';

test('pyRepr picks quotes as Python does', () => {
  assert.equal(pyRepr('abc'), "'abc'");
  assert.equal(pyRepr("it's"), `"it's"`);
  assert.equal(pyRepr(`say "hi"`), `'say "hi"'`);
  assert.equal(pyRepr(`'"`), `'\\'"'`);
});

test('pyRepr escapes backslashes, whitespace controls and non-printables', () => {
  assert.equal(pyRepr('a\\b'), "'a\\\\b'");
  assert.equal(pyRepr('\n\r\t'), "'\\n\\r\\t'");
  assert.equal(pyRepr('\u0000\u001f\u007f'), "'\\x00\\x1f\\x7f'");
  assert.equal(pyRepr('\u0080\u009f'), "'\\x80\\x9f'");
  assert.equal(pyRepr('\u00a0'), "'\\xa0'"); // no-break space is Zs: not printable
  assert.equal(pyRepr('\u2028'), "'\\u2028'");
  assert.equal(pyRepr('\ud800'), "'\\ud800'");
  assert.equal(pyRepr('é€😀'), "'é€😀'");
  assert.equal(pyRepr('\u{e0001}'), "'\\U000e0001'");
});

test('pyReprList formats a list of strings', () => {
  assert.equal(pyReprList([]), '[]');
  assert.equal(pyReprList(["Label contains invalid character: '~'"]), `["Label contains invalid character: '~'"]`);
  assert.equal(pyReprList(['a', 'b']), "['a', 'b']");
});
