import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine } from '../../library/state-machine.js';
import { ManualClock, settle } from '../../runtime/clock.js';
import type { JsonObject } from '../../shared/json.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const never = () => new Promise<never>(() => {});
const fail = (name: string, message = name) => Promise.reject(Object.assign(new Error(message), { name }));

const branch = (states: JsonObject, startAt = Object.keys(states)[0]!) => ({ StartAt: startAt, States: states });

describe('Parallel', () => {
  test('every branch gets the effective input; the output lists the branch outputs in branch order', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Parameters: { 'n.$': '$.n' },
            Branches: [
              branch({ Slow: { Type: 'Wait', Seconds: 5, Next: 'Double' }, Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($.n, $.n)' }, End: true } }),
              branch({ Fast: { Type: 'Task', Resource: `${FN}inc`, End: true } }),
              branch({ Same: { Type: 'Pass', End: true } }),
            ],
            ResultPath: '$.results',
            End: true,
          },
        },
      },
      { clock, functions: { inc: (e: { n: number }) => ({ v: e.n + 1 }) } },
    ).start({ n: 10, other: true });
    await clock.advance(5000);
    const r = await ex.done;
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { n: 10, other: true, results: [{ v: 20 }, { v: 11 }, { n: 10 }] });
  });

  test('events: ParallelStateStarted, the branches, ParallelStateSucceeded, ParallelStateExited', async () => {
    const r = await new StateMachine({
      StartAt: 'P',
      States: { P: { Type: 'Parallel', Branches: [branch({ A: { Type: 'Pass', End: true } }), branch({ B: { Type: 'Pass', End: true } })], End: true } },
    }).run({});
    assert.deepEqual(
      r.events.map((e) => [e.type, e.previousEventId]),
      [
        ['ExecutionStarted', 0],
        ['ParallelStateEntered', 0],
        ['ParallelStateStarted', 2],
        ['PassStateEntered', 3],
        ['PassStateExited', 4],
        ['PassStateEntered', 3],
        ['PassStateExited', 6],
        ['ParallelStateSucceeded', 7],
        ['ParallelStateExited', 8],
        ['ExecutionSucceeded', 9],
      ],
    );
  });

  test('a failing branch aborts the others (*Aborted events, work cancelled) and fails the state', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              branch({ Busy: { Type: 'Task', Resource: `${FN}busy`, End: true } }),
              branch({ Sleep: { Type: 'Wait', Seconds: 100, End: true } }),
              branch({ Pause: { Type: 'Wait', Seconds: 2, Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Broken', Cause: 'branch 3' } }),
              branch({ Each: { Type: 'Map', ItemProcessor: branch({ Inner: { Type: 'Wait', Seconds: 100, End: true } }), End: true } }),
            ],
            End: true,
          },
        },
      },
      { clock, functions: { busy: never } },
    ).start([1]);
    await clock.advance(2000);
    const r = await ex.done;
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Broken', 'branch 3']);
    const after = r.events.slice(r.events.findIndex((e) => e.type === 'FailStateEntered') + 1).map((e) => e.type);
    assert.deepEqual(after, ['TaskStateAborted', 'WaitStateAborted', 'WaitStateAborted', 'MapIterationAborted', 'MapStateAborted', 'ParallelStateFailed', 'ExecutionFailed']);
    assert.equal(clock.pending, 0, 'the other branches’ timers are gone');
  });

  test('Retry runs every branch again; Catch takes the branch error', async () => {
    const clock = new ManualClock(T0);
    let a = 0;
    let b = 0;
    const ex = new StateMachine(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [branch({ A: { Type: 'Task', Resource: `${FN}a`, End: true } }), branch({ B: { Type: 'Task', Resource: `${FN}b`, End: true } })],
            Retry: [{ ErrorEquals: ['BErr'], MaxAttempts: 2, IntervalSeconds: 1 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      { clock, functions: { a: () => ++a, b: () => (++b, fail('BErr', 'b failed')) } },
    ).start({});
    await clock.advance(10_000);
    const r = await ex.done;
    assert.equal(b, 3);
    assert.equal(a, 3);
    assert.equal((r.output as any).error.Error, 'BErr');
    assert.equal(r.events.filter((e) => e.type === 'ParallelStateStarted').length, 3);
  });

  test('branches read outer variables; what they assign stays in the branch', async () => {
    const r = await new StateMachine({
      StartAt: 'Init',
      States: {
        Init: { Type: 'Pass', Assign: { base: 100 }, Next: 'P' },
        P: {
          Type: 'Parallel',
          Branches: [
            branch({ Set: { Type: 'Pass', Assign: { local: 1 }, Next: 'Use' }, Use: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($base, $local)' }, End: true } }),
            branch({ Set2: { Type: 'Pass', Assign: { local: 2 }, Next: 'Use2' }, Use2: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($base, $local)' }, End: true } }),
          ],
          Assign: { 'sum.$': 'States.MathAdd($[0].v, $[1].v)' },
          Next: 'After',
        },
        After: { Type: 'Pass', Parameters: { 'sum.$': '$sum' }, Next: 'Leak' },
        Leak: { Type: 'Pass', Parameters: { 'local.$': '$local' }, End: true },
      },
    }).run({});
    assert.equal(r.status, 'FAILED');
    const after = r.events.find((e) => e.type === 'PassStateExited' && (e.details as JsonObject).name === 'After')!;
    assert.deepEqual((after.details as JsonObject).output, { sum: 203 });
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /state 'Leak'.*'\$local'/);
  });

  test('JSONata: Arguments feed the branches, Output shapes the result', async () => {
    const r = await new StateMachine({
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Arguments: { x: '{% $states.input.x * 2 %}' },
          Branches: [branch({ A: { Type: 'Pass', Output: '{% $states.input.x + 1 %}', End: true } }), branch({ B: { Type: 'Pass', Output: '{% $states.input.x + 2 %}', End: true } })],
          Output: { total: '{% $sum($states.result) %}', first: '{% $states.result[0] %}' },
          End: true,
        },
      },
    }).run({ x: 5 });
    assert.deepEqual(r.output, { total: 23, first: 11 });
  });

  test('stopping the execution aborts every branch', async () => {
    const clock = new ManualClock(T0);
    const ex = new StateMachine(
      { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch({ W: { Type: 'Wait', Seconds: 50, End: true } }), branch({ T: { Type: 'Task', Resource: `${FN}busy`, End: true } })], End: true } } },
      { clock, functions: { busy: never } },
    ).start({});
    await settle();
    ex.stop();
    const r = await ex.done;
    assert.equal(r.status, 'ABORTED');
    assert.deepEqual(r.events.slice(-4).map((e) => e.type), ['WaitStateAborted', 'TaskStateAborted', 'ParallelStateAborted', 'ExecutionAborted']);
    assert.equal(clock.pending, 0);
  });
});
