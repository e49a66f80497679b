import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Json } from '../shared/json.js';
import { AslFailure } from './failure.js';
import {
  compileIntrinsic,
  isIntrinsicCall,
  IntrinsicSyntaxError,
  javaDoubleText,
  javaText,
  parseIntrinsic,
} from './intrinsics.js';
import { seededRng, type EvalScope, type Rng } from './scope.js';

function scope(input: Json = {}, extra: Partial<EvalScope> = {}): EvalScope {
  return { input, context: { Execution: { Name: 'exec-1', Input: input } }, vars: {}, rng: seededRng(1), ...extra };
}

const run = (text: string, input: Json = {}, extra: Partial<EvalScope> = {}): Json => compileIntrinsic(text)(scope(input, extra));

/** Runs and expects States.Runtime with exactly this cause. */
function fails(text: string, input: Json, detail: string, extra: Partial<EvalScope> = {}): void {
  assert.throws(
    () => run(text, input, extra),
    (e: unknown) => {
      assert.ok(e instanceof AslFailure, `not an AslFailure: ${String(e)}`);
      assert.equal(e.error, 'States.Runtime');
      assert.equal(e.cause_, `The function '${text}' had the following error: ${detail}`);
      return true;
    },
  );
}

const invalidArgs = (text: string, input: Json = {}) => {
  const name = /States\.[A-Za-z0-9]+/.exec(text)![0];
  fails(text, input, `Invalid arguments in ${name}`);
};

const rejects = (text: string, re?: RegExp) => assert.throws(() => compileIntrinsic(text), re ? (e: unknown) => e instanceof IntrinsicSyntaxError && re.test((e as Error).message) : IntrinsicSyntaxError);

describe('isIntrinsicCall', () => {
  it('recognises States.Name( with optional whitespace', () => {
    assert.equal(isIntrinsicCall('States.Format($.a)'), true);
    assert.equal(isIntrinsicCall('  States.Nope ('), true);
    assert.equal(isIntrinsicCall('$.States.Format(1)'), false);
    assert.equal(isIntrinsicCall('States.Format'), false);
  });
});

describe('parseIntrinsic', () => {
  it('builds an AST with every kind of argument', () => {
    const ast = parseIntrinsic(`States.Array('a\\'b\\{', -1.5e2, 7, true, false, null, $.x[0], $$.Execution.Name, $v.y, States.UUID())`);
    assert.equal(ast.k, 'call');
    assert.equal(ast.name, 'States.Array');
    const kinds = ast.args.map((a) => a.k);
    assert.deepEqual(kinds, ['str', 'num', 'num', 'bool', 'bool', 'null', 'path', 'path', 'path', 'call']);
    const s = ast.args[0]!;
    assert.ok(s.k === 'str' && s.value === "a'b{" && s.raw === "a\\'b\\{");
    const n = ast.args[1]!;
    assert.ok(n.k === 'num' && n.value === -150 && n.float);
    const i = ast.args[2]!;
    assert.ok(i.k === 'num' && i.value === 7 && !i.float);
    const ctx = ast.args[7]!;
    assert.ok(ctx.k === 'path' && ctx.path.root === 'context');
    const v = ast.args[8]!;
    assert.ok(v.k === 'path' && v.path.root === 'var' && v.path.varName === 'v');
  });

  it('accepts whitespace, empty argument lists, paths with brackets, filters and functions', () => {
    assert.equal(parseIntrinsic('  States.UUID( )  ').args.length, 0);
    const ast = parseIntrinsic(`States.Array( $.a['x,y'] , $.b[?(@.c == 'd)')].e , $.f.length() )`);
    assert.deepEqual(
      ast.args.map((a) => a.source),
      [`$.a['x,y']`, `$.b[?(@.c == 'd)')].e`, '$.f.length()'],
    );
  });

  it('accepts unescaped braces and raw control characters inside string literals', () => {
    assert.doesNotThrow(() => parseIntrinsic(`States.StringToJson('{"a": "b"}')`));
    assert.doesNotThrow(() => parseIntrinsic("States.StringSplit('Hello\nWorld', '\n')"));
  });

  it('rejects escapes other than \\\' \\{ \\} \\\\', () => {
    rejects(`States.Format('He said \\"hi\\"')`, /invalid escape sequence '\\"'/);
    rejects(`States.Format('a\\nb')`, /invalid escape sequence '\\n'/);
    rejects(`States.Format('a\\')`);
  });

  it('rejects unknown functions and malformed calls', () => {
    rejects('States.Nope(1)', /unknown intrinsic function 'States.Nope'/);
    rejects('States.Array(States.Foo())', /unknown intrinsic function 'States.Foo'/);
    rejects('States.Array(1', /missing '\)'/);
    rejects('States.Array(1))', /unexpected text after/);
    rejects('States.Array(1,)', /missing argument/);
    rejects('States.Array(,1)', /missing argument/);
    rejects("States.Array('abc)", /unterminated string literal/);
    rejects('States.Array(1 2)', /expected ',' or '\)'/);
    rejects('States.Array(truex)', /invalid argument/);
    rejects('States.Array(abc)', /unexpected 'a'/);
    rejects('States.Array($.a[0)', /unterminated bracket/);
    rejects('States.Array($.a..)', /invalid path/);
    rejects('Format(1)');
  });

  it('allows at most 10 intrinsic functions in one field', () => {
    const nest = (n: number): string => (n === 0 ? '1' : `States.Array(${nest(n - 1)})`);
    assert.doesNotThrow(() => parseIntrinsic(nest(10)));
    rejects(nest(11), /at most 10 intrinsic functions, found 11/);
    // The documented example: nine functions in one field.
    assert.doesNotThrow(() =>
      parseIntrinsic(
        "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.Arn, '/'), 2), '.'), 1))",
      ),
    );
  });

  it('does not check arity at definition time', () => {
    assert.doesNotThrow(() => compileIntrinsic('States.Hash()'));
    assert.doesNotThrow(() => compileIntrinsic('States.UUID(1)'));
  });
});

describe('path arguments', () => {
  it('reads the input, the context object and variables', () => {
    assert.deepEqual(run('States.Array($, $.a, $$.Execution.Name, $v.w[1])', { a: 1 }, { vars: { v: { w: [0, 'x'] } } }), [
      { a: 1 },
      1,
      'exec-1',
      'x',
    ]);
  });

  it('fails with AWS wording when a path selects nothing', () => {
    fails('States.Format(\'{}\', $.nope)', { other: 1 }, `The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`);
    fails('States.Array($.a.b)', { other: 1 }, `The JsonPath argument for the field '$.a.b' could not be found in the input '{"other":1}'`);
    // An index past the end is a miss here, unlike in a plain "x.$": "$.a[5]".
    fails('States.Array($.items[5])', { items: [1, 2] }, `The JsonPath argument for the field '$.items[5]' could not be found in the input '{"items":[1,2]}'`);
    fails('States.Array($missing.x)', {}, `The JsonPath argument for the field '$missing.x' could not be found in the input '{}'`);
  });

  it('reports a context path rewritten to $. and against the state input', () => {
    fails('States.Format(\'{}\', $$.Nope.Deep)', { other: 1 }, `The JsonPath argument for the field '$.Nope.Deep' could not be found in the input '{"other":1}'`);
  });

  it("leaks the JSONPath library's message when indexing a non-array", () => {
    fails('States.Format(\'{}\', $.other[0])', { other: 1 }, 'Filter: [0] can only be applied to arrays. Current context is: 1');
  });

  it('names the whole expression, verbatim, even for a nested call', () => {
    fails("States.Format('{}',States.Format('{}', $.nope))", {}, `The JsonPath argument for the field '$.nope' could not be found in the input '{}'`);
  });

  it('gives an indefinite path the list of what it selects (possibly empty)', () => {
    assert.equal(run('States.ArrayLength($.items[*].nope)', { items: [1, 2] }), 0);
    assert.deepEqual(run('States.Array($.items[*].a)', { items: [{ a: 1 }, { a: 2 }] }), [[1, 2]]);
  });

  it('treats an explicit null as a value', () => {
    assert.equal(run("States.Format('{}', $.n)", { n: null }), 'null');
  });
});

describe('States.Format', () => {
  it('fills placeholders in order', () => {
    assert.equal(run("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' }), 'Hello, my name is Arnav.');
    assert.equal(run('States.Format($.t, $.a, $.b)', { t: '{}-{}', a: 'x', b: 2 }), 'x-2');
    assert.equal(run("States.Format('no placeholders')"), 'no placeholders');
    assert.equal(run("States.Format('')"), '');
  });

  it('prints values the way AWS does', () => {
    const input = { s: ' ', n: null, t: true, f: false, i: 1, d: 1.1, big: 9007199254740991, o: { Arg1: 1, Arg2: [] }, a: [1, 'x', null, { k: [true] }] };
    assert.equal(run("States.Format('{}|{}|{}|{}|{}|{}|{}', $.s, $.n, $.t, $.f, $.i, $.d, $.big)", input), ' |null|true|false|1|1.1|9007199254740991');
    assert.equal(run("States.Format('{} {}', $.o, $.a)", input), '{Arg1=1, Arg2=[]} [1, x, null, {k=[true]}]');
    assert.equal(run("States.Format('{}', $.s)", { s: '{"Arg1": 1}' }), '{"Arg1": 1}');
  });

  it('prints fractions as Java doubles, and float literals with their .0', () => {
    assert.equal(run("States.Format('{} {} {} {}', $.a, $.b, $.c, $.d)", { a: 3.3, b: 12345678.9, c: 0.0001, d: -2.5e-10 }), '3.3 1.23456789E7 1.0E-4 -2.5E-10');
    assert.equal(run("States.Format('{} {} {}', 1.0, 2, 1e3)"), '1.0 2 1000.0');
  });

  it('honours escaped braces, quotes and backslashes in the template', () => {
    assert.equal(run("States.Format('\\{\\} {} \\'q\\' \\\\', 'x')"), "{} x 'q' \\");
    assert.equal(run("States.Format('This value is \\{{}\\}', 'Foo')"), 'This value is {Foo}');
    assert.equal(run('States.Format($.t, 1)', { t: '\\{{}\\}' }), '{1}');
    // Braces inside an argument are never placeholders.
    assert.equal(run("States.Format('{}', '\\{\\}')"), '{}');
  });

  it('fails when placeholders and arguments do not match', () => {
    fails("States.Format('{} {}', 1)", {}, 'Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.');
    fails("States.Format('{}', 1, 2)", {}, 'Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.');
    fails("States.Format('x', 1)", {}, 'Invalid arguments in States.Format: number of arguments do not match the occurrences of {}.');
  });

  it('fails on an invalid template at run time', () => {
    fails("States.Format('Hello {', $.a)", { a: 'x' }, "Invalid template in States.Format: matching '}' not found for '{'.");
    fails("States.Format('Hello {{}}', $.a)", { a: 'x' }, "Invalid template in States.Format: matching '}' not found for '{'.");
    fails("States.Format('}')", {}, "Invalid template in States.Format: matching '{' not found for '}'.");
    fails("States.Format('{x}', 1)", {}, "Invalid template in States.Format: matching '}' not found for '{'.");
  });

  it('needs a string template', () => {
    invalidArgs('States.Format($.t, 1)', { t: 123 });
    invalidArgs('States.Format()');
  });
});

describe('States.StringToJson / States.JsonToString', () => {
  it('parses JSON text', () => {
    assert.deepEqual(run('States.StringToJson($.s)', { s: '{"Arg1": 1, "Arg2": []}' }), { Arg1: 1, Arg2: [] });
    assert.deepEqual(run('States.StringToJson($.s)', { s: ' [1, 2, "x"] ' }), [1, 2, 'x']);
    assert.equal(run('States.StringToJson($.s)', { s: '"HelloWorld"' }), 'HelloWorld');
    assert.equal(run('States.StringToJson($.s)', { s: 'true' }), true);
    assert.equal(run('States.StringToJson($.s)', { s: '1.1' }), 1.1);
    assert.equal(JSON.stringify(run('States.StringToJson($.s)', { s: '-0' })), '0');
  });

  it('gives null for empty or blank text', () => {
    assert.equal(run('States.StringToJson($.s)', { s: '' }), null);
    assert.equal(run('States.StringToJson($.s)', { s: ' \n' }), null);
  });

  it('fails on invalid JSON and on non-strings', () => {
    invalidArgs('States.StringToJson($.s)', { s: '{bad json}' });
    invalidArgs('States.StringToJson($.s)', { s: '{"a":1' });
    invalidArgs('States.StringToJson($.s)', { s: 'undefined' });
    invalidArgs('States.StringToJson($.s)', { s: 123 });
    invalidArgs('States.StringToJson($.s)', { s: { a: 1 } });
    invalidArgs('States.StringToJson()');
    invalidArgs("States.StringToJson('1', '2')");
  });

  it('writes compact JSON text, keeping key order', () => {
    assert.equal(run('States.JsonToString($.v)', { v: { b: 1, a: [1, 2, 'HelloWorld'], c: { z: null } } }), '{"b":1,"a":[1,2,"HelloWorld"],"c":{"z":null}}');
    assert.equal(run('States.JsonToString($.v)', { v: null }), 'null');
    assert.equal(run('States.JsonToString($.v)', { v: 'HelloWorld' }), '"HelloWorld"');
    assert.equal(run('States.JsonToString($.v)', { v: 1.1 }), '1.1');
    assert.deepEqual(run('States.StringToJson(States.JsonToString($.v))', { v: { a: [1, { b: 2 }] } }), { a: [1, { b: 2 }] });
  });
});

describe('array functions', () => {
  it('States.Array collects its arguments', () => {
    assert.deepEqual(run('States.Array()'), []);
    assert.deepEqual(run("States.Array('a', 1, 1.5, true, null, $.o, States.Array())", { o: { k: 'v' } }), ['a', 1, 1.5, true, null, { k: 'v' }, []]);
  });

  it('States.ArrayPartition chunks, truncating the chunk size', () => {
    assert.deepEqual(run('States.ArrayPartition($.a, 4)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), [[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    assert.deepEqual(run('States.ArrayPartition($.a, 5)', { a: [] }), []);
    assert.deepEqual(run('States.ArrayPartition($.a, 10)', { a: [0, 1] }), [[0, 1]]);
    assert.deepEqual(run('States.ArrayPartition($.a, 2.6)', { a: [1, 2, 3, 4, 5] }), [[1, 2], [3, 4], [5]]);
    invalidArgs('States.ArrayPartition($.a, 0)', { a: [1] });
    invalidArgs('States.ArrayPartition($.a, -1)', { a: [1] });
    invalidArgs('States.ArrayPartition($.a, 0.6)', { a: [1] });
    invalidArgs("States.ArrayPartition($.a, '2')", { a: [1] });
    invalidArgs("States.ArrayPartition('x', 2)");
    invalidArgs('States.ArrayPartition($.a)', { a: [1] });
  });

  it('States.ArrayContains compares values as AWS prints them', () => {
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [], v: 1 }), false);
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [[1, 2, 3], 2], v: null }), false);
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [[1, 2, 3], 2], v: [1, 2, 3] }), true);
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [{ 1: 2, 2: [] }], v: [] }), false);
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [{ 1: 2, 2: [] }], v: { 1: 2, 2: [] } }), true);
    assert.equal(run('States.ArrayContains($.a, false)', { a: [true, false] }), true);
    assert.equal(run('States.ArrayContains($.a, false)', { a: [0, 1] }), false);
    // AWS quirks: a string matches the number or boolean it spells; key order matters.
    assert.equal(run('States.ArrayContains($.a, true)', { a: ['true'] }), true);
    assert.equal(run('States.ArrayContains($.a, 5)', { a: ['5'] }), true);
    assert.equal(run('States.ArrayContains($.a, $.v)', { a: [{ a: 1, b: 2 }], v: { b: 2, a: 1 } }), false);
    invalidArgs("States.ArrayContains('x', 'x')");
    invalidArgs('States.ArrayContains($.a)', { a: [] });
  });

  it('States.ArrayRange counts inclusively, truncating its arguments', () => {
    assert.deepEqual(run('States.ArrayRange(1, 9, 2)'), [1, 3, 5, 7, 9]);
    assert.deepEqual(run('States.ArrayRange(0, 10, 3)'), [0, 3, 6, 9]);
    assert.deepEqual(run('States.ArrayRange(1, 9, 9)'), [1]);
    assert.deepEqual(run('States.ArrayRange(9, -1, -2)'), [9, 7, 5, 3, 1, -1]);
    assert.deepEqual(run('States.ArrayRange(3, 3, -1)'), [3]);
    assert.deepEqual(run('States.ArrayRange(5, 1, 1)'), []);
    assert.deepEqual(run('States.ArrayRange(1.6, 1.4, 1)'), [1]);
    assert.deepEqual(run('States.ArrayRange(5.4, -0.6, -2.4)'), [5, 3, 1]);
    assert.equal((run('States.ArrayRange(1, 1000, 1)') as number[]).length, 1000);
    assert.equal((run('States.ArrayRange(1000, 1, -1)') as number[]).length, 1000);
    invalidArgs('States.ArrayRange(1, 1001, 1)');
    invalidArgs('States.ArrayRange(1001, 1, -1)');
    invalidArgs('States.ArrayRange(1, 10, 0)');
    invalidArgs('States.ArrayRange(1, 10, 0.49)');
    invalidArgs("States.ArrayRange('a', 5, 1)");
    invalidArgs('States.ArrayRange(1, 5)');
    invalidArgs('States.ArrayRange(1, 5, 1, 99)');
  });

  it('States.ArrayGetItem indexes from zero, truncating the index', () => {
    assert.equal(run('States.ArrayGetItem($.a, $.i)', { a: [1, 2, 3, 4, 5, 6, 7, 8, 9], i: 5 }), 6);
    assert.equal(run('States.ArrayGetItem($.a, 1.2)', { a: [10, 20, 30] }), 20);
    assert.deepEqual(run('States.ArrayGetItem($.a, 1)', { a: [{ a: 1 }, { b: 2 }] }), { b: 2 });
    assert.equal(run('States.ArrayGetItem($.a, 999)', { a: [] }), null);
    invalidArgs('States.ArrayGetItem($.a, 3)', { a: [10, 20, 30] });
    invalidArgs('States.ArrayGetItem($.a, -1)', { a: [10, 20, 30] });
    invalidArgs("States.ArrayGetItem($.a, '1')", { a: [10, 20, 30] });
    invalidArgs("States.ArrayGetItem('not-array', 0)");
  });

  it('States.ArrayLength and States.ArrayUnique', () => {
    assert.equal(run('States.ArrayLength($.a)', { a: [1, 2, 3] }), 3);
    assert.equal(run('States.ArrayLength($.a)', { a: [] }), 0);
    invalidArgs('States.ArrayLength($.a)', { a: 'abc' });
    const a = [null, null, true, true, false, 1, 1, 1.1, 0, 'x', 'x', [], [], [null], [null], { a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1, b: 1 }, '1'];
    assert.deepEqual(run('States.ArrayUnique($.a)', { a }), [null, true, false, 1, 1.1, 0, 'x', [], [null], { a: 1, b: 2 }, { a: 1, b: 1 }, '1']);
    invalidArgs('States.ArrayUnique($.a)', { a: {} });
  });
});

describe('encoding and hashing', () => {
  it('States.Base64Encode / Base64Decode round-trip UTF-8 text', () => {
    assert.equal(run("States.Base64Encode('Data to encode')"), 'RGF0YSB0byBlbmNvZGU=');
    assert.equal(run("States.Base64Encode('')"), '');
    assert.equal(run("States.Base64Encode('✓')"), '4pyT');
    assert.equal(run("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), 'Data to encode');
    assert.equal(run("States.Base64Decode('')"), '');
    assert.equal(run("States.Base64Decode('44GT44KT44Gr44Gh44Gv')"), 'こんにちは');
    assert.equal(run('States.Base64Decode(States.Base64Encode($.s))', { s: 'héllo 🚀' }), 'héllo 🚀');
  });

  it('States.Base64Decode is lenient like Commons Codec', () => {
    assert.equal(run("States.Base64Decode(' YWJjZA== ')"), 'abcd');
    assert.equal(run("States.Base64Decode('aGVsbG8')"), 'hello');
    assert.equal(run("States.Base64Decode('YW Jj\nZA')"), 'abcd');
    assert.equal(run("States.Base64Decode('YWJj=ZA==')"), 'abc');
    assert.equal(run("States.Base64Decode('-_8')"), Buffer.from([0xfb, 0xff]).toString('utf8'));
  });

  it('limits Base64 input to 10000 characters', () => {
    assert.equal((run('States.Base64Encode($.s)', { s: 'a'.repeat(10000) }) as string).length, 13336);
    invalidArgs('States.Base64Encode($.s)', { s: 'a'.repeat(10001) });
    assert.doesNotThrow(() => run('States.Base64Decode($.s)', { s: 'A'.repeat(10000) }));
    invalidArgs('States.Base64Decode($.s)', { s: 'A'.repeat(10001) });
    invalidArgs('States.Base64Encode(1)');
    invalidArgs('States.Base64Decode($.o)', { o: {} });
    invalidArgs("States.Base64Decode('aGVsbG8=', 'extra')");
  });

  it('States.Hash supports the five algorithms, exactly spelled', () => {
    const h = (alg: string) => run(`States.Hash($.d, '${alg}')`, { d: 'input data' });
    assert.equal(h('MD5'), '812f45842bc6d66ee14572ce20db8e86');
    assert.equal(run("States.Hash('hello', 'SHA-1')"), 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    assert.equal(h('SHA-256'), 'b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3');
    assert.equal(
      h('SHA-384'),
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    );
    assert.equal(
      h('SHA-512'),
      '6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4',
    );
    for (const bad of ['sha-256', 'SHA256', 'MD-5', '', 'SHA-257', '__proto__']) invalidArgs(`States.Hash('data', '${bad}')`);
    invalidArgs("States.Hash('data', 256)");
    invalidArgs("States.Hash('data')");
  });

  it('States.Hash stringifies non-string data and limits it to 10000 characters', () => {
    assert.equal(run("States.Hash(123, 'MD5')"), run("States.Hash('123', 'MD5')"));
    assert.equal(run("States.Hash($.o, 'MD5')", { o: {} }), run("States.Hash('\\{\\}', 'MD5')"));
    assert.match(run("States.Hash($.s, 'SHA-256')", { s: 'a'.repeat(10000) }) as string, /^[0-9a-f]{64}$/);
    invalidArgs("States.Hash($.s, 'SHA-256')", { s: 'a'.repeat(10001) });
    invalidArgs("States.Hash(null, 'SHA-256')");
  });
});

describe('States.JsonMerge', () => {
  it('merges shallowly, the second object winning', () => {
    const input = { a: { a: { a1: 1, a2: 2 }, b: 2, d: 3 }, b: { a: { a3: 1, a4: 2 }, c: 3, d: 4 } };
    const out = run('States.JsonMerge($.a, $.b, false)', input);
    assert.deepEqual(out, { a: { a3: 1, a4: 2 }, b: 2, c: 3, d: 4 });
    assert.deepEqual(Object.keys(out as object), ['a', 'b', 'c', 'd']);
    assert.deepEqual(run('States.JsonMerge($.a, $.b, false)', { a: {}, b: { x: 1 } }), { x: 1 });
    assert.deepEqual(run('States.JsonMerge($.a, $.b, false)', { a: { x: 1 }, b: {} }), { x: 1 });
    assert.deepEqual(run('States.JsonMerge($.a, $.b, false)', { a: { n: { l: 1 }, k: 1 }, b: { n: null } }), { n: null, k: 1 });
  });

  it('returns keys in java.util.HashMap order, as AWS does', () => {
    const out = run(`States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $.f, false)`, { f: { constant_input_field: 'constant_value' } });
    assert.equal(JSON.stringify(out), '{"constant_input_field":"constant_value","constant_in_literal":"false"}');
  });

  it('rejects the deep flag and non-objects, accepts a non-boolean flag', () => {
    invalidArgs('States.JsonMerge($.a, $.b, true)', { a: {}, b: {} });
    invalidArgs('States.JsonMerge($.a, $.b, false)', { a: null, b: {} });
    invalidArgs('States.JsonMerge($.a, $.b, false)', { a: {}, b: [] });
    invalidArgs('States.JsonMerge($.a, $.b)', { a: {}, b: {} });
    assert.deepEqual(run("States.JsonMerge($.a, $.b, 'false')", { a: { x: 1 }, b: { y: 2 } }), { x: 1, y: 2 });
  });
});

describe('math', () => {
  it('States.MathAdd rounds half up (Java Math.round) before adding', () => {
    const add = (a: number, b: number) => run('States.MathAdd($.a, $.b)', { a, b });
    assert.equal(add(-9, 3), -6);
    assert.equal(add(1.49, 1.5), 3);
    assert.equal(add(-1.49, -1.5), -2);
    assert.equal(add(0.5, 0), 1);
    assert.equal(add(2.5, 0), 3);
    assert.equal(add(-0.5, 0.5), 1);
    assert.equal(add(-2.5, 0), -2);
    assert.equal(add(-1.5, 0), -1);
    assert.equal(run('States.MathAdd(States.ArrayLength($.a), -1)', { a: [1, 2] }), 1);
  });

  it('States.MathAdd works in 32-bit integers and wants numbers', () => {
    assert.equal(run('States.MathAdd(2147483646, 1)'), 2147483647);
    assert.equal(run('States.MathAdd(-2147483647, -1)'), -2147483648);
    invalidArgs('States.MathAdd(2147483647, 1)');
    invalidArgs('States.MathAdd(-2147483648, -1)');
    invalidArgs('States.MathAdd(3000000000, 1)');
    invalidArgs('States.MathAdd(3000000000, -1000000000)');
    invalidArgs("States.MathAdd('1', 2)");
    invalidArgs('States.MathAdd(null, 1)');
    invalidArgs('States.MathAdd(true, 1)');
    invalidArgs('States.MathAdd(1)');
    invalidArgs('States.MathAdd(1, 2, 3)');
  });

  it('States.MathRandom draws from scope.rng in [start, end)', () => {
    const fixed = (r: number): Rng => ({ next: () => r, uuid: () => 'u' });
    assert.equal(run('States.MathRandom(1, 999)', {}, { rng: fixed(0) }), 1);
    assert.equal(run('States.MathRandom(1, 999)', {}, { rng: fixed(0.999999) }), 998);
    assert.equal(run('States.MathRandom(-10, 10)', {}, { rng: fixed(0.5) }), 0);
    assert.equal(run('States.MathRandom(1.6, 5.4)', {}, { rng: fixed(0) }), 1);
    assert.equal(run('States.MathRandom(1.6, 5.4)', {}, { rng: fixed(0.99) }), 4);
    const a = run('States.MathRandom(0, 1000000)', {}, { rng: seededRng(42) });
    const b = run('States.MathRandom(0, 1000000)', {}, { rng: seededRng(42) });
    assert.equal(a, b);
  });

  it('States.MathRandom with a seed is java.util.Random', () => {
    // new java.util.Random(42).nextInt() is -1170105035, so next(31) is 1562431130.
    assert.equal(run('States.MathRandom(0, 2147483647, 42)'), 1562431130);
    assert.equal(run('States.MathRandom(1, 100, 42)'), 1 + (1562431130 % 99));
    const v = run('States.MathRandom(1, 100, 42)', {}, { rng: { next: () => assert.fail('rng used'), uuid: () => '' } });
    assert.equal(v, run('States.MathRandom(1, 100, 42)'));
    assert.equal(typeof run('States.MathRandom(1, 10, -10)'), 'number');
  });

  it('States.MathRandom rejects empty ranges and non-numbers', () => {
    invalidArgs('States.MathRandom(1, 1)');
    invalidArgs('States.MathRandom(10, 5)');
    invalidArgs('States.MathRandom(1.4, 1.6)');
    invalidArgs("States.MathRandom('a', 10)");
    invalidArgs('States.MathRandom(1, 10, null)');
    invalidArgs("States.MathRandom(1, 10, 'seed')");
    invalidArgs('States.MathRandom(1)');
    invalidArgs('States.MathRandom(1, 10, 5, 99)');
  });
});

describe('strings and ids', () => {
  it('States.StringSplit splits on any delimiter character and drops empty pieces', () => {
    const split = (s: string, d: string) => run('States.StringSplit($.s, $.d)', { s, d });
    assert.deepEqual(split('1,2,3,4,5', ','), ['1', '2', '3', '4', '5']);
    assert.deepEqual(split('This.is+a,test=string', '.+,='), ['This', 'is', 'a', 'test', 'string']);
    assert.deepEqual(split(' , ', ','), [' ', ' ']);
    assert.deepEqual(split(', , ,', ','), [' ', ' ']);
    assert.deepEqual(split(',,,,', ','), []);
    assert.deepEqual(split('', ','), []);
    assert.deepEqual(split('abc', ''), ['abc']);
    assert.deepEqual(split('1a2b3ab4', 'ab'), ['1', '2', '3', '4']);
    assert.deepEqual(run("States.StringSplit('Hello\nWorld', '\n')"), ['Hello', 'World']);
    invalidArgs('States.StringSplit($.s, \',\')', { s: 123 });
    invalidArgs('States.StringSplit($.s, $.d)', { s: 'a,b', d: null });
    invalidArgs("States.StringSplit('a,b')");
  });

  it('States.UUID comes from scope.rng', () => {
    assert.equal(run('States.UUID()', {}, { rng: { next: () => 0, uuid: () => 'the-uuid' } }), 'the-uuid');
    assert.match(run('States.UUID()') as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    invalidArgs('States.UUID(1)');
  });
});

describe('nesting', () => {
  it('evaluates nested calls', () => {
    const ctx = { StateMachine: { Name: 'alpha-beta-gamma' } };
    const ev = compileIntrinsic(
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
    );
    assert.equal(ev({ input: {}, context: ctx, vars: {}, rng: seededRng(1) }), 'gamma');
    assert.equal(run("States.Format('arn:{}:{}', $.svc, States.JsonToString($.obj))", { svc: 'lambda', obj: { k: 1 } }), 'arn:lambda:{"k":1}');
  });
});

describe('Java text helpers', () => {
  it('javaDoubleText matches Double.toString', () => {
    assert.equal(javaDoubleText(1), '1.0');
    assert.equal(javaDoubleText(0), '0.0');
    assert.equal(javaDoubleText(100), '100.0');
    assert.equal(javaDoubleText(0.001), '0.001');
    assert.equal(javaDoubleText(9999999), '9999999.0');
    assert.equal(javaDoubleText(1e7), '1.0E7');
    assert.equal(javaDoubleText(1.5e300), '1.5E300');
    assert.equal(javaDoubleText(-0.00012), '-1.2E-4');
  });

  it('javaText prints maps and lists', () => {
    assert.equal(javaText({ a: { b: [1, 2.5, 'c'] }, n: null }), '{a={b=[1, 2.5, c]}, n=null}');
    assert.equal(javaText(1e21), '1000000000000000000000');
  });
});
