import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine } from '../library/state-machine.js';
import type { TaskInvoker } from '../runtime/tasks/types.js';
import { buildTimeline, eventSummary, logLines, stateStatuses, type AwsEvent, type Step } from './timeline.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

function fail(name: string, message: string): never {
  const e = new Error(message);
  e.name = name;
  throw e;
}

/** A service integration that takes the call and waits for its token (never answered here). */
const callback: TaskInvoker = {
  invoke(_c, _ctx, cb) {
    cb.submitted({});
    cb.detach();
  },
};

async function history(def: object, input: unknown, opts: { functions?: Record<string, (x: any) => Promise<unknown>>; stopAfterMs?: number } = {}): Promise<AwsEvent[]> {
  const sm = new StateMachine(def, { functions: opts.functions, waitTimeScale: 0.02, services: { 'sqs:sendMessage': callback } });
  const ex = sm.start(input as never);
  if (opts.stopAfterMs !== undefined) setTimeout(() => ex.stop('Stopped', 'by the test'), opts.stopAfterMs);
  const r = await ex.done;
  return r.history() as AwsEvent[];
}

const byName = (steps: Step[], name: string) => steps.filter((s) => s.name === name);

describe('buildTimeline', () => {
  test('retries are attempts with their back-off gaps; a caught failure is caught; the Catch target runs', async () => {
    let calls = 0;
    const events = await history(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: `${FN}flaky`, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }], Next: 'F' },
          F: { Type: 'Task', Resource: `${FN}bad`, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }], End: true },
          H: { Type: 'Pass', End: true },
        },
      },
      {},
      {
        functions: {
          flaky: async () => (calls++ < 2 ? fail('Flaky', 'boom') : { ok: true }),
          bad: async () => fail('Bad', 'no'),
        },
      },
    );
    const t = buildTimeline(events);
    assert.equal(t.status, 'SUCCEEDED');
    assert.ok(t.startedAt !== undefined && t.endedAt !== undefined && t.endedAt >= t.startedAt);
    assert.deepEqual(
      t.steps.map((s) => [s.name, s.type, s.status]),
      [
        ['T', 'Task', 'succeeded'],
        ['F', 'Task', 'caught'],
        ['H', 'Pass', 'succeeded'],
      ],
    );
    const [T, F, H] = t.steps as [Step, Step, Step];
    assert.equal(T.attempts.length, 3);
    assert.deepEqual(
      T.attempts.map((a) => a.error),
      ['Flaky', 'Flaky', undefined],
    );
    assert.ok(T.attempts.every((a) => a.endedAt !== undefined && a.eventIds.length === 3));
    const gap1 = T.attempts[1]!.startedAt - T.attempts[0]!.endedAt!;
    const gap2 = T.attempts[2]!.startedAt - T.attempts[1]!.endedAt!;
    assert.ok(gap1 >= 15, `first back-off ${gap1} ms`);
    assert.ok(gap2 >= 30 && gap2 > gap1, `second back-off ${gap2} ms`);
    assert.equal(T.output, '{"ok":true}');
    assert.equal(T.input, '{}');
    assert.equal(T.error, undefined);
    assert.equal(F.error, 'Bad');
    assert.match(F.cause!, /"errorMessage":"no"/);
    assert.equal(F.attempts.length, 1);
    assert.equal(H.status, 'succeeded');
    // Every event but the execution's own belongs to exactly one step.
    const owned = t.steps.flatMap((s) => s.eventIds).sort((a, b) => a - b);
    assert.deepEqual(
      owned,
      events.filter((e) => !e.type.startsWith('Execution')).map((e) => e.id),
    );
    assert.deepEqual(stateStatuses(t), new Map([['T', 'succeeded'], ['F', 'caught'], ['H', 'succeeded']]));
  });

  test('Map: steps carry their iteration; a failing iteration fails the Map and aborts the others', async () => {
    const events = await history(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Task', Resource: `${FN}item`, Next: 'After' }, After: { Type: 'Pass', End: true } } }, End: true },
        },
      },
      [1, 2, 3],
      {
        functions: {
          item: async (x: number) => {
            if (x === 2) fail('Two', 'two');
            if (x === 3) await new Promise((r) => setTimeout(r, 200));
            return x;
          },
        },
      },
    );
    const t = buildTimeline(events);
    assert.equal(t.status, 'FAILED');
    assert.deepEqual(t.mapRuns, [{ name: 'M', iterations: 3 }]);
    const M = byName(t.steps, 'M')[0]!;
    assert.equal(M.status, 'failed');
    assert.equal(M.error, 'Two');
    assert.equal(M.iteration, undefined);
    const I = byName(t.steps, 'I');
    assert.deepEqual(
      I.map((s) => [s.iteration, s.status, s.error]),
      [
        [[0], 'succeeded', undefined],
        [[1], 'failed', 'Two'],
        [[2], 'cancelled', undefined],
      ],
    );
    assert.deepEqual(
      byName(t.steps, 'After').map((s) => [s.iteration, s.status]),
      [[[0], 'succeeded']],
    );
    assert.deepEqual(stateStatuses(t, [0]), new Map([['M', 'failed'], ['I', 'succeeded'], ['After', 'succeeded']]));
    assert.deepEqual(stateStatuses(t, [1]), new Map([['M', 'failed'], ['I', 'failed']]));
    assert.equal(stateStatuses(t).get('I'), 'cancelled');
  });

  test('Map with a Catch: the Map is caught, the Fail state inside the iteration failed; nested Map iteration paths', async () => {
    const events = await history(
      {
        StartAt: 'Outer',
        States: {
          Outer: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Inner',
              States: {
                Inner: {
                  Type: 'Map',
                  ItemProcessor: { StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 4, Next: 'X' }], Default: 'S' }, X: { Type: 'Fail', Error: 'Four', Cause: 'four' }, S: { Type: 'Succeed' } } },
                  End: true,
                },
              },
            },
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      [
        [1, 2],
        [3, 4],
      ],
    );
    const t = buildTimeline(events);
    assert.equal(t.status, 'SUCCEEDED');
    const outer = byName(t.steps, 'Outer')[0]!;
    assert.equal(outer.status, 'caught');
    assert.equal(outer.error, 'Four');
    assert.equal(outer.cause, 'four');
    assert.deepEqual(
      byName(t.steps, 'Inner').map((s) => [s.iteration, s.status]),
      [
        [[0], 'succeeded'],
        [[1], 'failed'],
      ],
    );
    assert.deepEqual(
      byName(t.steps, 'C').map((s) => s.iteration),
      [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ],
    );
    const X = byName(t.steps, 'X');
    assert.deepEqual(
      X.map((s) => [s.iteration, s.status]),
      [[[1, 1], 'failed']],
    );
    assert.equal(byName(t.steps, 'Handled')[0]!.status, 'succeeded');
    assert.deepEqual(t.mapRuns, [
      { name: 'Outer', iterations: 2 },
      { name: 'Inner', iterations: 2 },
      { name: 'Inner', iterations: 2 },
    ]);
    assert.deepEqual(stateStatuses(t, [1, 1]).get('X'), 'failed');
    assert.equal(stateStatuses(t, [0, 1]).get('X'), undefined);
  });

  test('Parallel: branch indices in branch order; a failing branch fails the Parallel and aborts the other branch', async () => {
    const ok = await history(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 1, Next: 'B2' }, B2: { Type: 'Pass', End: true } } },
            ],
            Next: 'Z',
          },
          Z: { Type: 'Pass', End: true },
        },
      },
      {},
    );
    const t = buildTimeline(ok);
    assert.deepEqual(
      t.steps.map((s) => [s.name, s.parallelBranch, s.status]),
      [
        ['P', undefined, 'succeeded'],
        ['A', [0], 'succeeded'],
        ['B', [1], 'succeeded'],
        ['B2', [1], 'succeeded'],
        ['Z', undefined, 'succeeded'],
      ],
    );
    const P = t.steps[0]!;
    assert.ok(P.eventIds.includes(ok.find((e) => e.type === 'ParallelStateSucceeded')!.id));
    assert.equal(P.output, '[{},{}]');
    // The same history cut while B waits: B (and P) are running.
    const cut = ok.slice(0, ok.findIndex((e) => e.type === 'WaitStateExited'));
    const running = buildTimeline(cut);
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.endedAt, undefined);
    assert.deepEqual(
      running.steps.map((s) => [s.name, s.status]),
      [
        ['P', 'running'],
        ['A', 'succeeded'],
        ['B', 'running'],
      ],
    );

    const bad = await history(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: { Type: 'Task', Resource: `${FN}bad`, End: true } } },
              { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 100, End: true } } },
            ],
            End: true,
          },
        },
      },
      {},
      { functions: { bad: async () => fail('Bad', 'no') } },
    );
    const f = buildTimeline(bad);
    assert.equal(f.status, 'FAILED');
    assert.deepEqual(
      f.steps.map((s) => [s.name, s.parallelBranch, s.status, s.error]),
      [
        ['P', undefined, 'failed', 'Bad'],
        ['A', [0], 'failed', 'Bad'],
        ['B', [1], 'cancelled', undefined],
      ],
    );
  });

  test('an execution stopped while a step is open: the step is cancelled', async () => {
    const events = await history(
      {
        StartAt: 'W',
        States: {
          W: { Type: 'Pass', Next: 'T' },
          T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { 'token.$': '$$.Task.Token' }, End: true },
        },
      },
      {},
      { stopAfterMs: 30 },
    );
    const t = buildTimeline(events);
    assert.equal(t.status, 'ABORTED');
    assert.deepEqual(
      t.steps.map((s) => [s.name, s.status]),
      [
        ['W', 'succeeded'],
        ['T', 'cancelled'],
      ],
    );
    const T = t.steps[1]!;
    assert.equal(T.attempts.length, 1);
    assert.equal(T.attempts[0]!.endedAt, undefined);
    assert.ok(T.exitedAt !== undefined);
    assert.deepEqual(stateStatuses(t), new Map([['W', 'succeeded'], ['T', 'cancelled']]));
  });

  test('a step stopped during its retry back-off is cancelled, not failed', async () => {
    const events = await history(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}flaky`, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 100, MaxAttempts: 3 }], End: true } } },
      {},
      { functions: { flaky: async () => fail('Flaky', 'boom') }, stopAfterMs: 60 },
    );
    const t = buildTimeline(events);
    assert.equal(t.status, 'ABORTED');
    assert.ok(events.some((e) => e.type === 'LambdaFunctionFailed'), 'the first attempt failed before the stop');
    assert.deepEqual(
      t.steps.map((s) => [s.name, s.status]),
      [['T', 'cancelled']],
    );
    assert.equal(t.steps[0]!.attempts[0]!.error, 'Flaky');
    assert.deepEqual(stateStatuses(t), new Map([['T', 'cancelled']]));
  });

  test('a step in back-off when the execution times out is cancelled; one whose failure ended the execution is failed', async () => {
    const timedOut = await history(
      { TimeoutSeconds: 1, StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}flaky`, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1000, MaxAttempts: 3 }], End: true } } },
      {},
      { functions: { flaky: async () => fail('Flaky', 'boom') } },
    );
    const t1 = buildTimeline(timedOut);
    assert.equal(t1.status, 'TIMED_OUT');
    assert.equal(t1.steps[0]!.status, 'cancelled');
    const failed = await history(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}flaky`, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 1 }], End: true } } },
      {},
      { functions: { flaky: async () => fail('Flaky', 'boom') } },
    );
    const t2 = buildTimeline(failed);
    assert.equal(t2.status, 'FAILED');
    assert.equal(t2.steps[0]!.status, 'failed');
  });

  test('assigned variables of StateExited are kept', async () => {
    const events = await history({ StartAt: 'A', States: { A: { Type: 'Pass', Assign: { x: 1, y: 'two' }, End: true } } }, {});
    const t = buildTimeline(events);
    assert.deepEqual(t.steps[0]!.assigned, { x: '1', y: '"two"' });
  });
});

describe('logLines', () => {
  test('levels: ALL every event, ERROR error events, FATAL execution failures, OFF none', async () => {
    const events = await history(
      {
        StartAt: 'F',
        States: {
          F: { Type: 'Task', Resource: `${FN}bad`, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true },
          X: { Type: 'Fail', Error: 'Final', Cause: 'the end' },
        },
      },
      {},
      { functions: { bad: async () => fail('Bad', 'no') } },
    );
    const all = logLines(events, 'ALL');
    assert.equal(all.length, events.length);
    assert.deepEqual(
      all.map((l) => l.eventId),
      events.map((e) => e.id),
    );
    assert.equal(all[0]!.event, 'ExecutionStarted');
    assert.equal(all[0]!.state, undefined);
    const entered = all.find((l) => l.event === 'TaskStateEntered')!;
    assert.equal(entered.level, 'INFO');
    assert.equal(entered.state, 'F');
    assert.equal(entered.time, Math.round(events[1]!.timestamp * 1000));
    const errors = logLines(events, 'ERROR');
    assert.deepEqual(
      errors.map((l) => [l.event, l.level, l.state]),
      [
        ['LambdaFunctionFailed', 'ERROR', 'F'],
        ['FailStateEntered', 'ERROR', 'X'],
        ['ExecutionFailed', 'FATAL', undefined],
      ],
    );
    assert.match(errors[0]!.message, /^Bad: /);
    assert.equal(errors[2]!.message, 'Final: the end');
    assert.deepEqual(
      logLines(events, 'FATAL').map((l) => l.event),
      ['ExecutionFailed'],
    );
    assert.deepEqual(logLines(events, 'OFF'), []);
  });

  test('FATAL includes ExecutionAborted; ERROR the aborted state too', async () => {
    const events = await history({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 100, End: true } } }, {}, { stopAfterMs: 20 });
    assert.deepEqual(
      logLines(events, 'ERROR').map((l) => [l.event, l.state]),
      [
        ['WaitStateAborted', 'W'],
        ['ExecutionAborted', undefined],
      ],
    );
    assert.deepEqual(
      logLines(events, 'FATAL').map((l) => l.event),
      ['ExecutionAborted'],
    );
  });
});

describe('eventSummary', () => {
  const ev = (type: string, key: string, details: Record<string, unknown>): AwsEvent => ({ timestamp: 0, type, id: 1, previousEventId: 0, [key]: details });

  test('a LambdaFunctionScheduled event is summed up by its function ARN, with no stray colon', () => {
    const arn = `${FN}charge`;
    assert.equal(eventSummary(ev('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', { resource: arn, input: '{}' })), arn);
  });

  test('a TaskScheduled event by its resource type and resource', () => {
    assert.equal(eventSummary(ev('TaskScheduled', 'taskScheduledEventDetails', { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', region: 'us-east-1' })), 'lambda:invoke.waitForTaskToken');
  });

  test('a state by its name, a failure by its error and the gist of its cause, an iteration by its index', () => {
    assert.equal(eventSummary(ev('PassStateEntered', 'stateEnteredEventDetails', { name: 'Validate', input: '{}' })), 'Validate');
    assert.equal(
      eventSummary(ev('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { error: 'PaymentDeclined', cause: JSON.stringify({ errorMessage: 'The card was declined.', trace: ['a', 'b'] }) })),
      'PaymentDeclined: The card was declined.',
    );
    assert.equal(eventSummary(ev('MapIterationStarted', 'mapIterationStartedEventDetails', { name: 'Each', index: 2 })), 'Each');
    assert.equal(eventSummary(ev('MapIterationStarted', 'mapIterationStartedEventDetails', { index: 2 })), 'iteration 2');
    assert.equal(eventSummary({ timestamp: 0, type: 'ExecutionSucceeded', id: 9, previousEventId: 8 }), '');
  });
});
