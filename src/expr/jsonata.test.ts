import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Json, JsonObject } from '../shared/json.js';
import { AslFailure } from './failure.js';
import {
  assignVariables,
  checkJsonataExpression,
  compileJsonataAssign,
  compileJsonataExpression,
  compileJsonataValue,
  evaluateJsonataTimestamp,
  hasJsonataTemplates,
  isJsonataTemplate,
  JsonataFailure,
  JsonataSyntaxError,
  jsonataReferences,
  mapInputNotArrayFailure,
  parseOffsetDateTime,
  type JsonataScope,
} from './jsonata.js';
import { javaRandomDouble } from './jsonata-functions.js';
import { seededRng, type Vars } from './scope.js';

const NOW = Date.UTC(2024, 10, 15, 16, 16, 35, 123);

function scope(input: Json, extra: Partial<JsonataScope> = {}): JsonataScope {
  return {
    input,
    context: { Execution: { Id: 'arn:exec' }, State: { Name: 'S' } },
    vars: {},
    rng: seededRng(7),
    now: NOW,
    ...extra,
  };
}

const run = (value: Json, s: JsonataScope = scope({}), field = 'Output') => compileJsonataValue(value, field).evaluate(s);
const expr = (text: string, s: JsonataScope = scope({})) => run(`{% ${text} %}`, s);

async function failure(p: Promise<unknown>): Promise<JsonataFailure> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof JsonataFailure, `expected a JsonataFailure, got ${String(e)}`);
    assert.ok(e instanceof AslFailure);
    assert.equal(e.error, 'States.QueryEvaluationError');
    return e;
  }
  assert.fail('expected a failure');
}
const cause = async (p: Promise<unknown>): Promise<string> => (await failure(p)).cause_ ?? "";

describe('what counts as an expression', () => {
  test('exactly {% at the start and %} at the end', () => {
    assert.equal(isJsonataTemplate('{% $x %}'), true);
    assert.equal(isJsonataTemplate('{%$x%}'), true);
    assert.equal(isJsonataTemplate(' {% states.input %} '), false);
    assert.equal(isJsonataTemplate('a {% 1 %}'), false);
    assert.equal(isJsonataTemplate('{% 1 %} b'), false);
    assert.equal(isJsonataTemplate('{%}'), false);
    assert.equal(isJsonataTemplate('$states.input'), false);
  });

  test('strings that are not expressions are copied as they are', async () => {
    const v = { a: ' {% states.input %} ', b: '$states.input', c: 'States.Format(\'{}\', 1)', d: ['a {% 1 %}', '$$'] };
    const c = compileJsonataValue(v, 'Output');
    assert.equal(c.constant, true);
    assert.equal(await c.evaluate(scope({})), v);
    assert.equal(hasJsonataTemplates(v), false);
    assert.equal(hasJsonataTemplates({ a: [1, '{% 1 %}'] }), true);
  });

  test('constant subtrees are shared, dynamic containers are new', async () => {
    const inner = { k: [1, 2] };
    const v = { a: inner, b: '{% 1 + 1 %}', c: [inner, '{% "x" %}'] };
    const c = compileJsonataValue(v, 'Output');
    assert.equal(c.constant, false);
    const out = (await c.evaluate(scope({}))) as JsonObject;
    assert.deepEqual(out, { a: inner, b: 2, c: [inner, 'x'] });
    assert.equal(out.a, inner);
    assert.equal((out.c as Json[])[0], inner);
    assert.notEqual(out, v);
  });

  test('a syntax error is found at compile time', () => {
    assert.throws(
      () => compileJsonataValue({ a: ['{% a[1,2) %}'] }, 'Output'),
      (e: unknown) => e instanceof JsonataSyntaxError && e.code === 'S0202' && e.field === 'Output/a[0]' && e.detail === 'Expected "]", got ","',
    );
    assert.throws(() => compileJsonataExpression('{%%}', 'Seconds'), JsonataSyntaxError);
  });
});

describe('$states and variables', () => {
  test('$states holds input and context, and result/errorOutput only when bound', async () => {
    const s = scope({ a: 1 });
    assert.deepEqual(await expr('$keys($states)', s), ['input', 'context']);
    assert.deepEqual(await expr('$keys($states)', scope({}, { result: [1] })), ['input', 'context', 'result']);
    assert.deepEqual(await expr('$states.errorOutput', scope({}, { errorOutput: { Error: 'E', Cause: 'c' } })), { Error: 'E', Cause: 'c' });
    assert.equal(await expr('$states.context.State.Name', s), 'S');
  });

  test('$states.input is returned as is, not copied', async () => {
    const input = { items: [0], deep: { x: [[1, 2], [3]] } };
    const s = scope(input);
    assert.equal(await expr('$states.input', s), input);
    assert.equal(await expr('$states.input.items', s), input.items); // a one-item array stays an array
    assert.equal(await expr('$states.input.deep.x', s), input.deep.x);
  });

  test('the direct read agrees with the JSONata evaluator', async () => {
    const input = { a: { b: [1, [2]], n: null, e: [] }, arr: [{ v: 1 }, { v: 2 }], one: [{ v: 1 }] };
    const s = scope(input, { vars: { x: { y: [{ z: 1 }] } } });
    for (const path of ['$states.input.a.b', '$states.input.a.n', '$states.input.a.e', '$states.input.arr.v', '$states.input.one.v', '$x.y', '$x.y.z']) {
      assert.deepEqual(await expr(path, s), await expr(`(${path})`, s), path);
    }
    for (const path of ['$states.input.a.missing', '$states.input.a.b.c']) {
      assert.match(await cause(expr(path, s)), /returned nothing/);
    }
  });

  test('variables are $name; $states stays reserved', async () => {
    const vars: Vars = { n: 2, list: [1, 2, 3], states: 'not this' };
    const s = scope({ k: 1 }, { vars });
    assert.equal(await expr('$n * $sum($list) + $states.input.k', s), 13);
    assert.deepEqual(await expr('$states.input', s), { k: 1 });
  });

  test('the root context is empty', async () => {
    assert.match(await cause(expr('k', scope({ k: 1 }))), /returned nothing/);
  });
});

describe('undefined, sequences, numbers, functions', () => {
  test('nothing at a field is a failure naming the field', async () => {
    assert.equal(
      await cause(run({ result: '{% $doesNotExist %}' }, scope({}))),
      "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",
    );
    assert.equal(
      await cause(run({ FunctionName: '{% $doesNotExist %}' }, scope({}), 'Arguments')),
      "The JSONata expression '$doesNotExist' specified for the field 'Arguments/FunctionName' returned nothing (undefined).",
    );
    assert.equal(
      await cause(run('{% $doesNotExist %}', scope({}), 'Arguments')),
      "The JSONata expression '$doesNotExist' specified for the field 'Arguments' returned nothing (undefined).",
    );
    const f = await failure(run([1, '{%  $nope  %}', 3], scope({}), 'Items'));
    assert.equal(f.cause_, "The JSONata expression '$nope' specified for the field 'Items[1]' returned nothing (undefined).");
    assert.equal(f.location, 'Items[1]');
  });

  test('nothing inside a JSONata object or array constructor drops the member', async () => {
    assert.deepEqual(await expr('{"a": 1, "b": $nope}'), { a: 1 });
    assert.deepEqual(await expr('[1, $nope, 3]'), [1, 3]);
    assert.equal(await expr('null'), null);
  });

  test('results are plain JSON arrays, not JSONata sequences', async () => {
    const out = await expr('$states.input.arr.v', scope({ arr: [{ v: 1 }, { v: 2 }] }));
    assert.deepEqual(out, [1, 2]);
    assert.deepEqual(Object.keys(out as object), ['0', '1']);
    const nested = (await expr('{"x": $states.input.arr.v}', scope({ arr: [{ v: 1 }, { v: 2 }] }))) as JsonObject;
    assert.deepEqual(Object.keys(nested.x as object), ['0', '1']);
    assert.equal(await expr('$states.input.arr.v', scope({ arr: [{ v: 1 }] })), 1); // singleton sequence
  });

  test('non-finite numbers and functions', async () => {
    assert.equal(await expr('1/0'), 'Infinity');
    assert.equal(await expr('-1/0'), '-Infinity');
    assert.deepEqual(await expr('[1/0]'), ['Infinity']);
    assert.deepEqual(await expr('{"f": function($x) { $x }}'), { f: '' });
    assert.equal(await expr('1.0'), 1);
  });

  test('an expression whose value is a function fails: AWS\'s unsupported result type, in every field', async () => {
    const unsupported = (src: string, field: string) =>
      `The JSONata expression '${src}' specified for the field '${field}' returned an unsupported result type.`;
    for (const src of ['$sum', '$fn := function($x){$x}', 'function($x) { $x }', '/ab+c/']) {
      assert.equal(await cause(expr(src)), unsupported(src, 'Output'));
      const items = compileJsonataExpression(`{% ${src} %}`, 'Items');
      const f = await failure(items.evaluateAs(scope({}), 'array'));
      assert.equal(f.cause_, unsupported(src, 'Items'));
      assert.equal(f.location, 'Items');
    }
    assert.equal(await cause(run({ a: { b: '{% $sum %}' } }, scope({}), 'Arguments')), unsupported('$sum', 'Arguments/a/b'));
  });
});

describe('functions Step Functions adds', () => {
  test('$partition', async () => {
    const p = (arr: Json, n: Json) => expr('$partition($states.input.a, $states.input.n)', scope({ a: arr, n }));
    assert.deepEqual(await p([0], 1), [[0]]);
    assert.deepEqual(await p([0, 1, 2], 1), [[0], [1], [2]]);
    assert.deepEqual(await p([0, 1, 2, 3], 2), [[0, 1], [2, 3]]);
    assert.deepEqual(await p([0, 1, 2], 5), [[0, 1, 2]]);
    assert.deepEqual(await p([0, 1, 2], 2.9), [[0, 1], [2]]);
    assert.equal(
      await cause(p([1, 2], -1)),
      "The JSONata expression '$partition($states.input.a, $states.input.n)' specified for the field 'Output' threw an error during evaluation. D3137: Second argument must be zero or greater",
    );
    assert.match(await cause(p('abc', 2)), /\. T0412: Argument 1 of function "partition" must be an array of undefined$/);
    assert.match(await cause(p([1], 'x')), /\. T0410: Argument 2 of function "partition" does not match function signature$/);
  });

  test('$range includes the end when the step lands on it; one value is a value', async () => {
    assert.deepEqual(await expr('$range(0, 9, 3)'), [0, 3, 6, 9]);
    assert.deepEqual(await expr('$range(0, 10, 3)'), [0, 3, 6, 9]);
    assert.deepEqual(await expr('$range(1, 9, 2)'), [1, 3, 5, 7, 9]);
    assert.deepEqual(await expr('$range(0, 10, 2)'), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(await expr('$range(5, 1, -2)'), [5, 3, 1]);
    assert.equal(await expr('$range(1, 9, 9)'), 1);
    assert.deepEqual(await expr('[$range(1, 9, 9)]'), [1]);
    assert.match(await cause(expr('$range(1, 9, -1)')), /returned nothing/);
    assert.match(await cause(expr('$range(1, 9, 0)')), /returned nothing/);
    assert.match(await cause(expr('$range(0, 1000000, 1)')), /threw an error during evaluation: Expression evaluation memory limit exceeded/);
  });

  test('$hash: lowercase hex of the UTF-8 text', async () => {
    assert.equal(await expr('$hash("input", "SHA-1")'), '140f86aae51ab9e1cda9b4254fe98a74eb54c1a1');
    const text = 'héllo wörld ✓';
    for (const [alg, node] of [['MD5', 'md5'], ['SHA-1', 'sha1'], ['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-512', 'sha512']]) {
      assert.equal(await expr(`$hash($states.input, "${alg}")`, scope(text)), createHash(node!).update(text, 'utf8').digest('hex'));
    }
    assert.match(
      await cause(expr('$hash("a", "sha-256")')),
      /\. D3137: Hash algorithm 'sha-256' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5$/,
    );
    assert.match(await cause(expr('$hash(1, "MD5")')), /T0410: Argument 1 of function "hash"/);
  });

  test('$random: java.util.Random when seeded, the scope\'s generator otherwise', async () => {
    assert.equal(javaRandomDouble(42), 0.7275636800328681);
    assert.equal(await expr('$random(42)'), 0.7275636800328681);
    assert.equal(await expr('$random(42.9)'), 0.7275636800328681);
    assert.equal(await expr('$random($states.input)', scope(-5)), javaRandomDouble(-5));
    const a = await expr('[$random(), $random()]', scope({}, { rng: seededRng(3) }));
    const b = await expr('[$random(), $random()]', scope({}, { rng: seededRng(3) }));
    assert.deepEqual(a, b);
    const r = seededRng(3);
    assert.deepEqual(a, [r.next(), r.next()]);
    assert.match(await cause(expr('$random("x")')), /T0410: Argument 1 of function "random" does not match function signature$/);
  });

  test('$uuid comes from the scope', async () => {
    const u = await expr('$uuid()', scope({}, { rng: seededRng(9) }));
    assert.equal(u, seededRng(9).uuid());
    assert.match(u as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(await cause(expr('$uuid(1)')), /T0410: Argument 1 of function "uuid"/);
  });

  test('$parse', async () => {
    const p = (t: string) => expr('$parse($states.input)', scope(t));
    assert.equal(await p('1'), 1);
    assert.equal(await p('1.1'), 1.1);
    assert.equal(await p('true'), true);
    assert.equal(await p('"HelloWorld"'), 'HelloWorld');
    assert.deepEqual(await p('[1, 2, "HelloWorld"]'), [1, 2, 'HelloWorld']);
    assert.deepEqual(await p('{"Arg1": 1, "Arg2": []}'), { Arg1: 1, Arg2: [] });
    assert.equal(await p(' null '), null);
    assert.match(await cause(p('{a}')), /\. D3137: Invalid JSON$/);
    assert.match(await cause(p('')), /\. D3137: Invalid JSON$/);
  });

  test('$eval is not available', async () => {
    assert.equal(
      await cause(run({ r: '{% $eval("1+1") %}' })),
      "The JSONata expression '$eval(\"1+1\")' specified for the field 'Output/r' threw an error during evaluation. T1006: Attempted to invoke a non-function",
    );
  });

  test('$now and $millis come from the scope', async () => {
    assert.equal(await expr('$millis()'), NOW);
    assert.equal(await expr('$now()'), '2024-11-15T16:16:35.123Z');
    assert.equal(await expr('$now("[Y0001]-[M01]")'), '2024-11');
    assert.equal(await expr('$now()', scope({}, { now: 0 })), '1970-01-01T00:00:00.000Z');
    // a picture without a date takes the date of the step
    assert.equal(await expr('$toMillis("10:30", "[H01]:[m01]")'), Date.UTC(2024, 10, 15, 10, 30));
    assert.equal(await expr('$toMillis("2020-01-01T00:00:00Z")'), Date.UTC(2020, 0, 1));
  });
});

describe('errors raised inside JSONata', () => {
  test('coded errors: ". <code>: <message>"', async () => {
    assert.equal(
      await cause(run({ FunctionResult: '{% $randomSeeded($states.input.FunctionInput.fst) %}' }, scope({ FunctionInput: 'fst' }))),
      "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified for the field 'Output/FunctionResult' threw an error during evaluation. T1006: Attempted to invoke a non-function",
    );
    assert.match(await cause(expr('"a" + 1')), /threw an error during evaluation\. T2001: The left side of the "\+" operator must evaluate to a number$/);
    assert.match(await cause(expr('$error("boom")')), /threw an error during evaluation\. D3137: boom$/);
    const f = await failure(run({ x: { y: '{% $sum("a") %}' } }));
    assert.equal(f.location, 'Output/x/y');
  });

  test('limits: ": <message>" without a code', async () => {
    assert.match(await cause(expr('[1..900000] ~> $count()')), /threw an error during evaluation: Expression evaluation memory limit exceeded: Check for excessive memory usage$/);
    assert.equal(await expr('$count([1..873782])'), 873782);
    const sum = (n: number) => Array(n).fill('1').join('+');
    assert.equal(await expr(sum(40)), 40);
    assert.match(await cause(expr(sum(200))), /threw an error during evaluation: Stack overflow error: Check for non-terminating recursive function\./);
    const fact = '($f := function($n) { $n <= 1 ? 1 : $n * $f($n - 1) }; $f(N))';
    assert.equal(await expr(fact.replace('N', '20')), 2432902008176640000);
    assert.match(await cause(expr(fact.replace('N', '40'))), /Stack overflow error/);
  });
});

describe('typed single expressions', () => {
  test('AWS wording of an unexpected result type', async () => {
    const items = compileJsonataExpression("{% {'foo': 'bar'} %}", 'Items');
    assert.equal(items.source, "{'foo': 'bar'}");
    assert.equal(
      await cause(items.evaluateAs(scope({}), 'array')),
      "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}",
    );
    const s = scope({}, { vars: { ItemsVar: null } });
    assert.equal(
      await cause(compileJsonataExpression('{% $ItemsVar %}', 'Items').evaluateAs(s, 'array')),
      "The JSONata expression '$ItemsVar' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'null' for value: null",
    );
    assert.equal(
      await cause(compileJsonataExpression("{% 'string' %}", 'Items').evaluateAs(s, 'array')),
      "The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\"",
    );
    assert.deepEqual(await compileJsonataExpression("{% [1, 'two', 3] %}", 'Items').evaluateAs(s, 'array'), [1, 'two', 3]);
  });

  test('integer, number, boolean', async () => {
    const mc = compileJsonataExpression('{% $variable := 1 %}', 'MaxConcurrency');
    assert.equal(await mc.evaluateAs(scope({}), 'integer'), 1);
    assert.match(await cause(compileJsonataExpression('{% 1.5 %}', 'Seconds').evaluateAs(scope({}), 'integer')), /Expected 'integer', but was 'number' for value: 1\.5$/);
    const cond = compileJsonataExpression('{% $states.input.result.done %}', 'Condition');
    assert.equal(await cond.evaluateAs(scope({ result: { done: false } }), 'boolean'), false);
    assert.match(await cause(cond.evaluateAs(scope({ result: { done: 'yes' } }), 'boolean')), /Expected 'boolean', but was 'string' for value: "yes"$/);
  });

  test('Wait Timestamp', async () => {
    const ts = compileJsonataExpression('{% $states.input.TimestampValue %}', 'Timestamp');
    assert.equal(await evaluateJsonataTimestamp(ts, scope({ TimestampValue: '2016-03-05T21:29:29.243167252Z' })), Date.UTC(2016, 2, 5, 21, 29, 29, 243));
    for (const bad of ['2016-13-05T21:29:29Z', '2016-12-05T25:29:29Z', '2016-12-05 21:29:29Z', '2016-12-05T21:29:29']) {
      assert.equal(
        await cause(evaluateJsonataTimestamp(ts, scope({ TimestampValue: bad }))),
        `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${bad}`,
      );
    }
    assert.equal(parseOffsetDateTime('2016-03-14T01:59:00+01:30'), Date.UTC(2016, 2, 14, 0, 29, 0));
    assert.equal(parseOffsetDateTime('2016-03-14T01:59Z'), Date.UTC(2016, 2, 14, 1, 59, 0));
    assert.equal(parseOffsetDateTime('2016-02-30T00:00:00Z'), undefined);
    assert.equal(parseOffsetDateTime('2016-02-29T00:00:00Z'), Date.UTC(2016, 1, 29));
    assert.equal(parseOffsetDateTime('2016-03-14t01:59:00z'), undefined);
  });

  test('Map input that is not an array', () => {
    assert.equal(mapInputNotArrayFailure({ foo: 'bar' }).cause_, 'Map state input must be an array but was: {"foo":"bar"}');
    assert.equal(mapInputNotArrayFailure(true).cause_, 'Map state input must be an array but was: true');
  });
});

describe('Assign', () => {
  test('every right-hand side sees the variables from before the assignment', async () => {
    const a = compileJsonataAssign({ x: '{% $x + 1 %}', y: '{% $x %}', z: { fixed: true }, r: '{% $states.result.v %}' });
    const vars: Vars = { x: 1, keep: 'k' };
    const assigned = await a.evaluate(scope({}, { vars, result: { v: 'res' } }));
    assert.deepEqual(assigned, { x: 2, y: 1, z: { fixed: true }, r: 'res' });
    assert.deepEqual(assignVariables(vars, assigned), { x: 2, keep: 'k', y: 1, z: { fixed: true }, r: 'res' });
    assert.deepEqual(vars, { x: 1, keep: 'k' });
  });

  test('failures name Assign/<variable>', async () => {
    assert.equal(
      await cause(compileJsonataAssign({ result: '{% $doesNotExist %}' }).evaluate(scope({}))),
      "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
    );
  });
});

describe('definition checks', () => {
  test('parse errors and top-level field references', () => {
    assert.deepEqual(checkJsonataExpression('{% a[1,2) %}'), { code: 'INVALID_JSONATA_EXPRESSION', message: 'Expected "]", got ","' });
    assert.deepEqual(checkJsonataExpression('{% phone %}'), {
      code: 'UNSUPPORTED_JSONATA_EXPRESSION',
      message: "Reference to 'phone' at the top level is not supported.",
    });
    assert.equal(checkJsonataExpression('{% $sum(price) %}')?.message, "Reference to 'price' at the top level is not supported.");
    for (const ok of ['$states.input.products[calories=0]', '$x.phone', '$map($states.input, function($v) { $v.a })', '$states.input.(a + b)', '$count($states.result[$ = 1])', '{"a": $x}']) {
      assert.equal(checkJsonataExpression(`{% ${ok} %}`), undefined, ok);
    }
  });

  test('references', () => {
    const r = jsonataReferences('{% $sum($states.input.x) + $var1 %}');
    assert.equal(r.states, true);
    assert.deepEqual(r.variables.sort(), ['sum', 'var1']);
  });
});
