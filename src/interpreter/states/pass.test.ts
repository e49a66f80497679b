import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine } from '../../library/state-machine.js';
import type { Json, JsonObject } from '../../shared/json.js';

const run = (pass: JsonObject, input: Json, extra: JsonObject = {}) => new StateMachine({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...pass } }, ...extra }).run(input);

describe('Pass', () => {
  test('passes its input through; records PassStateEntered and PassStateExited', async () => {
    const input = { a: [1, { b: 2 }] };
    const r = await run({}, input);
    assert.equal(r.output, input);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.details]),
      [
        ['ExecutionStarted', { input, inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/stepwise' }],
        ['PassStateEntered', { name: 'P', input, inputDetails: { truncated: false } }],
        ['PassStateExited', { name: 'P', output: input, outputDetails: { truncated: false } }],
        ['ExecutionSucceeded', { output: input, outputDetails: { truncated: false } }],
      ],
    );
  });

  test('Result replaces the input, or goes where ResultPath says', async () => {
    assert.deepEqual((await run({ Result: { r: 1 } }, { a: 1 })).output, { r: 1 });
    assert.deepEqual((await run({ Result: { r: 1 }, ResultPath: '$.res' }, { a: 1 })).output, { a: 1, res: { r: 1 } });
    assert.deepEqual((await run({ Result: 'x', ResultPath: null }, { a: 1 })).output, { a: 1 });
  });

  test('Result is taken as written: "….$" keys in it are not evaluated', async () => {
    assert.deepEqual((await run({ Result: { 'v.$': '$.a' } }, { a: 1 })).output, { 'v.$': '$.a' });
  });

  test('Parameters build the result from the InputPath view; ResultPath merges into the raw input', async () => {
    const r = await run({ InputPath: '$.in', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)', 'name.$': '$$.State.Name' }, ResultPath: '$.out', OutputPath: '$.out' }, { in: { n: 4 }, x: 1 });
    assert.deepEqual(r.output, { doubled: 8, name: 'P' });
  });

  test('Result wins over Parameters', async () => {
    assert.deepEqual((await run({ Parameters: { p: 1 }, Result: { r: 1 } }, {})).output, { r: 1 });
  });

  test('Assign with a Result sees the Result as $; the variables are recorded on PassStateExited', async () => {
    const r = await new StateMachine({
      StartAt: 'P',
      States: {
        P: { Type: 'Pass', Result: { v: 5 }, ResultPath: '$.r', Assign: { 'fromResult.$': '$.v', constant: [1] }, Next: 'Q' },
        Q: { Type: 'Pass', Parameters: { 'a.$': '$fromResult', 'b.$': '$constant', 'in.$': '$' }, End: true },
      },
    }).run({ i: 1 });
    assert.deepEqual(r.output, { a: 5, b: [1], in: { i: 1, r: { v: 5 } } });
    const exited = r.events.find((e) => e.type === 'PassStateExited')!;
    assert.deepEqual((exited.details as JsonObject).assignedVariables, { fromResult: 5, constant: [1] });
  });

  test('JSONata: Output is evaluated with $states.input and variables', async () => {
    const r = await new StateMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Assign: { factor: 3 }, Next: 'B' },
        B: { Type: 'Pass', Output: { product: '{% $states.input.n * $factor %}', literal: 'text', list: ['{% $states.input.n %}', 2] }, End: true },
      },
    }).run({ n: 7 });
    assert.deepEqual(r.output, { product: 21, literal: 'text', list: [7, 2] });
  });

  test('a JSONata error fails the state with States.QueryEvaluationError and an EvaluationFailed event', async () => {
    const r = await run({ Output: '{% $error("custom failure") %}' }, {}, { QueryLanguage: 'JSONata' });
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.QueryEvaluationError');
    const ev = r.events.find((e) => e.type === 'EvaluationFailed')!;
    assert.equal((ev.details as JsonObject).state, 'P');
    assert.match(r.cause!, /^An error occurred while executing the state 'P' \(entered at the event id #2\)\. /);
    assert.match(r.cause!, /custom failure/);
  });
});
