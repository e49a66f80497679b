import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine } from '../asl/compile.js';
import type { PathIO } from '../asl/model.js';
import { AslFailure } from '../expr/failure.js';
import { seededRng, type EvalScope } from '../expr/scope.js';
import { StateMachine } from '../library/state-machine.js';
import type { Json, JsonObject } from '../shared/json.js';
import { applyInputPath, applyResult, applyResultPath, checkSize, effectiveInput, MAX_PAYLOAD_BYTES, mergeVars } from './data-flow.js';

/** The compiled JSONPath data-flow fields of a Pass state with the given fields. */
function io(fields: JsonObject): PathIO {
  const m = compileMachine({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...fields } } });
  return m.states.get('P')!.io;
}

function scope(input: Json, vars: Record<string, Json> = {}): EvalScope {
  return { input, context: { State: { Name: 'P' }, Execution: { Id: 'arn:exec' } }, vars, rng: seededRng(1) };
}

/** Asserts that `fn` throws States.Runtime with exactly `cause`. */
function throwsRuntime(fn: () => unknown, cause: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AslFailure, String(e));
    assert.equal(e.error, 'States.Runtime');
    assert.equal(e.cause_, cause);
    return true;
  });
}

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

describe('data-flow: InputPath and Parameters', () => {
  test('no InputPath passes the input; null gives {}; a path selects', () => {
    const input = { a: { b: [1, 2] }, c: 3 };
    assert.equal(applyInputPath(io({}).inputPath, scope(input)), input);
    assert.deepEqual(applyInputPath(io({ InputPath: null }).inputPath, scope(input)), {});
    assert.equal(applyInputPath(io({ InputPath: '$.a' }).inputPath, scope(input)), input.a);
    assert.equal(applyInputPath(io({ InputPath: '$.a.b[1]' }).inputPath, scope(input)), 2);
    assert.deepEqual(applyInputPath(io({ InputPath: '$..b' }).inputPath, scope(input)), [[1, 2]]);
  });

  test('an InputPath that selects nothing fails with AWS cause text', () => {
    throwsRuntime(() => applyInputPath(io({ InputPath: '$.missing' }).inputPath, scope({ a: 1 })), "Invalid path '$.missing' : No results for path: $['missing']");
    throwsRuntime(() => applyInputPath(io({ InputPath: '$.a.b.c' }).inputPath, scope({ a: 1 })), "Invalid path '$.a.b.c' : Missing property in path $['a']['b']");
  });

  test('Parameters read the InputPath result as $, and the context object as $$', () => {
    const p = io({ InputPath: '$.inner', Parameters: { 'x.$': '$.x', 'name.$': '$$.State.Name', fixed: { k: [1] }, 'n.$': 'States.MathAdd($.x, 1)' } });
    assert.deepEqual(effectiveInput(p, scope({ inner: { x: 41 }, x: 0 })), { x: 41, name: 'P', fixed: { k: [1] }, n: 42 });
  });

  test('constant Parameters are returned as written, not copied', () => {
    const params = { a: { deep: [1, 2, 3] } };
    const m = compileMachine({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: params, End: true } } });
    const out = effectiveInput(m.states.get('P')!.io, scope({ other: 1 })) as JsonObject;
    assert.deepEqual(out, params);
    assert.equal(out.a, (m.definition as any).States.P.Parameters.a);
  });

  test('a Parameters path that selects nothing fails naming the field and the input', () => {
    throwsRuntime(() => effectiveInput(io({ Parameters: { 'x.$': '$.nope' } }), scope({ a: 1 })), `The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`);
  });
});

describe('data-flow: ResultSelector, ResultPath, OutputPath', () => {
  test('ResultSelector reads the result; ResultPath merges into the raw input (not the InputPath view); OutputPath filters', () => {
    const p = io({ InputPath: '$.sub', ResultSelector: { 'v.$': '$.value', 'in.$': '$$.State.Name' }, ResultPath: '$.sub.res', OutputPath: '$.sub' });
    const raw = { sub: { keep: true }, top: 1 };
    assert.deepEqual(applyResult(p, raw, { value: 7, noise: 'x' }, scope(raw)), { keep: true, res: { v: 7, in: 'P' } });
  });

  test('no ResultPath: the result is the output; ResultPath $ too', () => {
    assert.equal(applyResultPath(io({}).resultPath, { a: 1 }, 'r'), 'r');
    assert.equal(applyResultPath(io({ ResultPath: '$' }).resultPath, { a: 1 }, 'r'), 'r');
  });

  test('ResultPath null discards the result and keeps the input itself', () => {
    const raw = { a: { b: 1 } };
    assert.equal(applyResultPath(io({ ResultPath: null }).resultPath, raw, { ignored: true }), raw);
  });

  test('ResultPath creates the missing objects along its path and replaces what is there', () => {
    const rp = io({ ResultPath: '$.a.b.c' }).resultPath;
    assert.deepEqual(applyResultPath(rp, { x: 1 }, 5), { x: 1, a: { b: { c: 5 } } });
    assert.deepEqual(applyResultPath(rp, { a: { y: 2, b: { c: 'old', d: 3 } } }, 5), { a: { y: 2, b: { c: 5, d: 3 } } });
    assert.deepEqual(applyResultPath(io({ ResultPath: '$.list[1]' }).resultPath, { list: [1, 2, 3] }, 'two'), { list: [1, 'two', 3] });
  });

  test('ResultPath does not change the input it merges into', () => {
    const raw = { a: { b: 1 }, list: [1, 2] };
    const before = JSON.parse(JSON.stringify(raw));
    applyResultPath(io({ ResultPath: '$.a.c' }).resultPath, raw, 9);
    applyResultPath(io({ ResultPath: '$.list[0]' }).resultPath, raw, 9);
    assert.deepEqual(raw, before);
  });

  test('ResultPath shares every untouched subtree with the input (no deep copy)', () => {
    const big = { rows: Array.from({ length: 1000 }, (_, i) => ({ i, name: `row ${i}` })) };
    const sibling = { s: [1, 2, 3] };
    const raw = { big, nested: { sibling, target: { old: 1 } } };
    const out = applyResultPath(io({ ResultPath: '$.nested.target.new' }).resultPath, raw, { r: 1 }) as any;
    assert.equal(out.big, big);
    assert.equal(out.nested.sibling, sibling);
    assert.notEqual(out.nested, raw.nested);
    assert.deepEqual(out.nested.target, { old: 1, new: { r: 1 } });
  });

  test('ResultPath through a non-object or a missing index fails with States.Runtime', () => {
    throwsRuntime(() => applyResultPath(io({ ResultPath: '$.a.b' }).resultPath, { a: 'text' }, 1), "Invalid path '$.a.b' : Missing property in path $['a']['b']");
    throwsRuntime(() => applyResultPath(io({ ResultPath: '$.x' }).resultPath, 'text', 1), "Invalid path '$.x' : Missing property in path $['x']");
    throwsRuntime(() => applyResultPath(io({ ResultPath: '$.a[5]' }).resultPath, { a: [1] }, 1), "Invalid path '$.a[5]' : Missing property in path $['a'][5]");
  });

  test('OutputPath null gives {}; a missing OutputPath fails', () => {
    const raw = { a: 1 };
    assert.deepEqual(applyResult(io({ OutputPath: null }), raw, 'r', scope(raw)), {});
    throwsRuntime(() => applyResult(io({ ResultPath: '$.r', OutputPath: '$.nope' }), raw, 'r', scope(raw)), "Invalid path '$.nope' : No results for path: $['nope']");
  });

  test('a ResultSelector path that selects nothing in the result fails', () => {
    throwsRuntime(() => applyResult(io({ ResultSelector: { 'x.$': '$.nope' } }), { a: 1 }, { b: 2 }, scope({ a: 1 })), `The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"b":2}'`);
  });
});

describe('data-flow: variables and payload size', () => {
  test('mergeVars keeps the old object when nothing is assigned and never mutates it', () => {
    const vars = { a: 1, b: 2 };
    assert.equal(mergeVars(vars, undefined), vars);
    const next = mergeVars(vars, { b: 3, c: 4 });
    assert.deepEqual(next, { a: 1, b: 3, c: 4 });
    assert.deepEqual(vars, { a: 1, b: 2 });
  });

  test('checkSize accepts 256 KiB and fails with States.DataLimitExceeded past it', () => {
    const fits = 'x'.repeat(MAX_PAYLOAD_BYTES - 2); // plus the two quotes
    checkSize(fits, 'S');
    assert.throws(
      () => checkSize(fits + 'x', 'S'),
      (e: unknown) => e instanceof AslFailure && e.error === 'States.DataLimitExceeded' && e.cause_ === "The state/task 'S' returned a result with a size exceeding the maximum number of bytes service limit.",
    );
    // Multi-byte characters count in UTF-8 bytes.
    assert.throws(() => checkSize('é'.repeat(MAX_PAYLOAD_BYTES / 2), 'S'), AslFailure);
  });
});

describe('data-flow: through executions', () => {
  test('a Task runs InputPath → Parameters → function → ResultSelector → ResultPath → OutputPath, and Assign sees the selected result', async () => {
    const seen: Json[] = [];
    const sm = new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: `${FN}double`,
            InputPath: '$.job',
            Parameters: { 'v.$': '$.value', 'state.$': '$$.State.Name' },
            ResultSelector: { 'doubled.$': '$.out' },
            ResultPath: '$.job.result',
            OutputPath: '$.job',
            Assign: { 'saved.$': '$.doubled' },
            Next: 'Show',
          },
          Show: { Type: 'Pass', Parameters: { 'saved.$': '$saved', 'all.$': '$' }, End: true },
        },
      },
      { functions: { double: (e: { v: number }) => (seen.push(e), { out: e.v * 2, noise: true }) } },
    );
    const r = await sm.run({ job: { value: 21 }, other: 'dropped by OutputPath' });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(seen, [{ v: 21, state: 'T' }]);
    assert.deepEqual(r.output, { saved: 42, all: { value: 21, result: { doubled: 42 } } });
  });

  test('the execution output shares the big untouched subtree with the execution input', async () => {
    const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ i })) };
    const input = { big, n: 1 };
    const sm = new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: `${FN}f`, Parameters: { 'n.$': '$.n' }, ResultPath: '$.result', Next: 'P' },
          P: { Type: 'Pass', Result: 'done', ResultPath: '$.status', End: true },
        },
      },
      { functions: { f: (e: { n: number }) => e.n + 1 } },
    );
    const r = await sm.run(input);
    const out = r.output as JsonObject;
    assert.deepEqual(out.result, 2);
    assert.equal(out.status, 'done');
    assert.equal(out.big, big, 'the big object is the input’s own, not a copy');
  });

  test('Assign evaluates every variable against the values before the state (a swap works)', async () => {
    const sm = new StateMachine({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { a: 1, b: 2 }, Next: 'B' },
        B: { Type: 'Pass', Assign: { 'a.$': '$b', 'b.$': '$a' }, Next: 'C' },
        C: { Type: 'Pass', Parameters: { 'a.$': '$a', 'b.$': '$b' }, End: true },
      },
    });
    const r = await sm.run({});
    assert.deepEqual(r.output, { a: 2, b: 1 });
    const exited = r.events.find((e) => e.type === 'PassStateExited' && (e.details as JsonObject).name === 'B')!;
    assert.deepEqual((exited.details as JsonObject).assignedVariables, { a: 2, b: 1 });
  });

  test('data-flow failures fail the execution with States.Runtime, prefixed with the state and its entered event, and no catcher takes them', async () => {
    const cases: [JsonObject, Json, string][] = [
      [{ InputPath: '$.nope' }, { a: 1 }, "Invalid path '$.nope' : No results for path: $['nope']"],
      [{ Parameters: { 'x.$': '$.nope' } }, { a: 1 }, `The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{"a":1}'`],
      [{ ResultPath: '$.a.b' }, { a: 'text' }, "Invalid path '$.a.b' : Missing property in path $['a']['b']"],
      [{ OutputPath: '$.nope' }, { a: 1 }, "Invalid path '$.nope' : No results for path: $['nope']"],
    ];
    for (const [fields, input, cause] of cases) {
      const sm = new StateMachine(
        {
          StartAt: 'First',
          States: {
            First: { Type: 'Pass', Next: 'T' },
            T: { Type: 'Task', Resource: `${FN}f`, ...fields, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true },
            Caught: { Type: 'Succeed' },
          },
        },
        { functions: { f: () => ({ r: 1 }) } },
      );
      const r = await sm.run(input);
      assert.equal(r.status, 'FAILED', JSON.stringify(fields));
      assert.equal(r.error, 'States.Runtime');
      assert.equal(r.cause, `An error occurred while executing the state 'T' (entered at the event id #4). ${cause}`);
    }
  });

  test('an output past 256 KiB fails the execution with States.DataLimitExceeded', async () => {
    const sm = new StateMachine({ StartAt: 'P', States: { P: { Type: 'Pass', Result: 'x'.repeat(MAX_PAYLOAD_BYTES), End: true } } });
    const r = await sm.run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.DataLimitExceeded');
  });

  test('JSONata: Arguments build the task input, Output reads $states.result and $states.input', async () => {
    const sm = new StateMachine(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: `${FN}f`,
            Arguments: { sum: '{% $states.input.a + $states.input.b %}' },
            Output: { result: '{% $states.result.twice %}', kept: '{% $states.input.a %}' },
            Assign: { last: '{% $states.result.twice %}' },
            Next: 'P',
          },
          P: { Type: 'Pass', Output: '{% [$last, $states.input.result] %}', End: true },
        },
      },
      { functions: { f: (e: { sum: number }) => ({ twice: e.sum * 2 }) } },
    );
    const r = await sm.run({ a: 1, b: 2 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, [6, 6]);
  });
});
