import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine } from '../../library/state-machine.js';
import type { Json, JsonObject } from '../../shared/json.js';

const run = (state: JsonObject, input: Json, extra: JsonObject = {}) => new StateMachine({ StartAt: 'S', States: { S: state }, ...extra }).run(input);

describe('Succeed', () => {
  test('ends the execution with its (filtered) input', async () => {
    const r = await run({ Type: 'Succeed', InputPath: '$.a', OutputPath: '$.b' }, { a: { b: 'kept', c: 0 } });
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.output, 'kept');
    assert.deepEqual(r.events.map((e) => e.type), ['ExecutionStarted', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  test('inside a Parallel branch it ends only the branch', async () => {
    const r = await new StateMachine({
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'Ok', States: { Ok: { Type: 'Succeed' } } }, { StartAt: 'X', States: { X: { Type: 'Pass', Result: 2, End: true } } }], Next: 'After' },
        After: { Type: 'Pass', Parameters: { 'branches.$': '$' }, End: true },
      },
    }).run({ v: 1 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { branches: [{ v: 1 }, 2] });
  });

  test('JSONata: Output shapes the result', async () => {
    const r = await run({ Type: 'Succeed', Output: '{% $states.input.x + 1 %}' }, { x: 1 }, { QueryLanguage: 'JSONata' });
    assert.equal(r.output, 2);
  });
});

describe('Fail', () => {
  test('fails the execution with Error and Cause', async () => {
    const r = await run({ Type: 'Fail', Error: 'Custom.Error', Cause: 'because' }, {});
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Custom.Error', 'because']);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.details]),
      [
        ['ExecutionStarted', { input: {}, inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/stepwise' }],
        ['FailStateEntered', { name: 'S', input: {}, inputDetails: { truncated: false } }],
        ['ExecutionFailed', { error: 'Custom.Error', cause: 'because' }],
      ],
    );
  });

  test('ErrorPath and CausePath read the input, or take an intrinsic function', async () => {
    const r = await run({ Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('order {} failed: {}', $.id, $.why)" }, { code: 'OrderFailed', id: 7, why: 'no stock' });
    assert.deepEqual([r.error, r.cause], ['OrderFailed', 'order 7 failed: no stock']);
  });

  test('a Fail state error can be caught by the enclosing Parallel', async () => {
    const r = await new StateMachine({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Inner', Cause: 'c' } } }],
          Catch: [{ ErrorEquals: ['Inner'], ResultPath: '$.err', Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    }).run({ a: 1 });
    assert.deepEqual(r.output, { a: 1, err: { Error: 'Inner', Cause: 'c' } });
  });

  test('JSONata: Error and Cause are expressions', async () => {
    const r = await run({ Type: 'Fail', Error: '{% $states.input.kind %}', Cause: "{% 'id ' & $string($states.input.id) %}" }, { kind: 'Bad', id: 3 }, { QueryLanguage: 'JSONata' });
    assert.deepEqual([r.error, r.cause], ['Bad', 'id 3']);
  });
});
