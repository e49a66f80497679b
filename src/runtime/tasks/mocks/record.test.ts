import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMockConfig } from './config.js';
import { mergeTestCase, recordTestCase, type AwsEvent } from './record.js';

const ev = (id: number, previousEventId: number, type: string, details?: Record<string, unknown>): AwsEvent => {
  const key = type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
  return { id, previousEventId, type, ...(details ? { [key]: details } : {}) };
};

describe('recording a test case from a history', () => {
  it('numbers invocations in scheduling order, merges equal neighbours into ranges, keeps errors and time-outs', () => {
    const events = [
      ev(1, 0, 'ExecutionStarted'),
      ev(2, 1, 'TaskStateEntered', { name: 'Call' }),
      ev(3, 2, 'TaskScheduled'),
      ev(4, 3, 'TaskStarted'),
      ev(5, 4, 'TaskFailed', { error: 'E', cause: 'c' }),
      ev(6, 5, 'TaskScheduled'),
      ev(7, 6, 'TaskStarted'),
      ev(8, 7, 'TaskFailed', { error: 'E', cause: 'c' }),
      ev(9, 8, 'TaskScheduled'),
      ev(10, 9, 'TaskStarted'),
      ev(11, 10, 'TaskTimedOut', { error: 'States.Timeout', cause: '' }),
      ev(12, 11, 'TaskScheduled'),
      ev(13, 12, 'TaskStarted'),
      ev(14, 13, 'TaskSucceeded', { output: '{"ok":true}' }),
      ev(15, 14, 'TaskStateExited', { name: 'Call' }),
      ev(16, 15, 'TaskStateEntered', { name: 'Fn' }),
      ev(17, 16, 'LambdaFunctionScheduled'),
      ev(18, 17, 'LambdaFunctionStarted'),
      ev(19, 18, 'LambdaFunctionFailed', { error: 'Broken' }),
      ev(20, 19, 'ExecutionFailed'),
    ];
    const rec = recordTestCase(events, 'T');
    assert.deepEqual(rec.testCase, { Call: 'T.Call', Fn: 'T.Fn' });
    assert.deepEqual(rec.mockedResponses, {
      'T.Call': {
        '0-1': { Throw: { Error: 'E', Cause: 'c' } },
        '2': { Throw: { Error: 'States.Timeout', Cause: '' } },
        '3': { Return: { ok: true } },
      },
      'T.Fn': { '0': { Throw: { Error: 'Broken' } } },
    });
    assert.deepEqual(rec.unfinished, []);
    // What it writes is a valid mock configuration.
    parseMockConfig(mergeTestCase(undefined, 'M', 'T', rec), 'recorded');
  });

  it('an invocation without an outcome (the execution was stopped) is left out and reported', () => {
    const rec = recordTestCase([ev(1, 0, 'ExecutionStarted'), ev(2, 1, 'TaskStateEntered', { name: 'Slow' }), ev(3, 2, 'TaskScheduled'), ev(4, 3, 'TaskStarted'), ev(5, 4, 'ExecutionAborted')], 'T');
    assert.deepEqual(rec.mockedResponses, { 'T.Slow': {} });
    assert.deepEqual(rec.unfinished, [{ stateName: 'Slow', invocation: 0 }]);
  });

  it('merging replaces a test case of the same name and the responses only it named', () => {
    const before = {
      StateMachines: { M: { TestCases: { T: { A: 'T.A', B: 'Shared' }, U: { B: 'Shared' } } } },
      MockedResponses: { 'T.A': { '0': { Return: 1 } }, Shared: { '0': { Return: 2 } } },
    };
    const rec = recordTestCase([ev(1, 0, 'ExecutionStarted'), ev(2, 1, 'TaskStateEntered', { name: 'C' }), ev(3, 2, 'TaskScheduled'), ev(4, 3, 'TaskSucceeded', { output: '3' })], 'T');
    assert.deepEqual(mergeTestCase(before, 'M', 'T', rec), {
      StateMachines: { M: { TestCases: { T: { C: 'T.C' }, U: { B: 'Shared' } } } },
      MockedResponses: { Shared: { '0': { Return: 2 } }, 'T.C': { '0': { Return: 3 } } },
    });
  });
});
