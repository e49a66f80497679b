import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Json } from '../shared/json.js';
import { seededRng, type EvalScope } from './scope.js';
import { compileTemplate } from './template.js';

const scope = (input: Json): EvalScope => ({ input, context: { Execution: { Name: 'e1' } }, vars: { v: 7 }, rng: seededRng(1) });

test('a template with no .$ key is a constant: the same object every time', () => {
  const value = { a: 1, b: { c: [1, 2] } };
  const t = compileTemplate(value);
  assert.equal(t.constant, true);
  assert.equal(t.evaluate(scope({})), value);
});

test('.$ keys read paths, the context object, variables and intrinsics; other keys are copied', () => {
  const t = compileTemplate({ 'x.$': '$.a.b', 'n.$': '$$.Execution.Name', 'v.$': '$v', 'f.$': "States.Format('{}-{}', $.a.b, $v)", k: 'lit', nested: { 'y.$': '$.a' } });
  assert.deepEqual(t.evaluate(scope({ a: { b: 2 } })), { x: 2, n: 'e1', v: 7, f: '2-7', k: 'lit', nested: { y: { b: 2 } } });
});

test('results are fresh objects; constant sub-values are shared, not copied', () => {
  const constant = { deep: [1, 2, 3] };
  const t = compileTemplate({ 'x.$': '$.a', c: constant });
  const r1 = t.evaluate(scope({ a: 1 })) as Record<string, Json>;
  const r2 = t.evaluate(scope({ a: 2 })) as Record<string, Json>;
  assert.notEqual(r1, r2);
  assert.equal(r1.c, constant);
  assert.deepEqual([r1.x, r2.x], [1, 2]);
});

test('a __proto__ key stays an own property and never changes the prototype', () => {
  const t = compileTemplate({ '__proto__.$': '$.p', other: 1 });
  const r = t.evaluate(scope({ p: { polluted: true } })) as Record<string, Json>;
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(r, '__proto__')?.value, { polluted: true });
  assert.equal((r as { polluted?: boolean }).polluted, undefined);
});

test('keys that need quoting are kept exactly', () => {
  const t = compileTemplate({ 'a b.$': '$.x', '"quoted"': 1, 'line\u2028sep.$': '$.x', '0.$': '$.x' });
  assert.deepEqual(t.evaluate(scope({ x: 'v' })), { 'a b': 'v', '"quoted"': 1, 'line\u2028sep': 'v', '0': 'v' });
});

test('a path that selects nothing fails with States.Runtime naming the field', () => {
  const t = compileTemplate({ 'value.$': '$.missing' });
  assert.throws(() => t.evaluate(scope({ a: 1 })), (e: { error?: string; message?: string }) => e.error === 'States.Runtime' && /field 'value\.\$'/.test(String(e.message)));
});
