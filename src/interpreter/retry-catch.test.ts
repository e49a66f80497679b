import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine } from '../asl/compile.js';
import type { Retrier } from '../asl/model.js';
import { seededRng } from '../expr/scope.js';
import { StateMachine } from '../library/state-machine.js';
import { ManualClock, settle } from '../runtime/clock.js';
import type { Json, JsonObject } from '../shared/json.js';
import type { ExecutionInfo } from './exec-state.js';
import { errorMatches, findCatcher, findRetrier, retryDelayMs } from './retry-catch.js';
import { initialState, step } from './step.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const T0 = Date.UTC(2024, 0, 1);

const retrier = (r: Partial<Retrier>): Retrier => ({ errorEquals: ['E'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2, maxDelaySeconds: undefined, jitter: 'NONE', ...r });

/** Advances the clock timer by timer until `done` settles. */
async function finish<T>(clock: ManualClock, done: Promise<T>): Promise<T> {
  let out: { v: T } | undefined;
  void done.then((v) => (out = { v }));
  for (let i = 0; i < 1000 && !out; i++) if (!(await clock.advanceToNext())) await settle();
  assert.ok(out, 'the execution did not end');
  return out.v;
}

/** An error thrown by a local function: its `name` becomes the Step Functions error. */
function err(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

describe('retry-catch: ErrorEquals matching', () => {
  test('names match exactly (case-sensitive)', () => {
    assert.equal(errorMatches(['A', 'B'], 'B'), true);
    assert.equal(errorMatches(['A', 'B'], 'b'), false);
    assert.equal(errorMatches(['A'], 'AB'), false);
    assert.equal(errorMatches([], 'A'), false);
  });

  test('States.ALL matches any error except States.Runtime', () => {
    for (const e of ['Custom', 'States.Timeout', 'States.HeartbeatTimeout', 'States.TaskFailed', 'Lambda.Unknown', 'States.Permissions']) {
      assert.equal(errorMatches(['States.ALL'], e), true, e);
    }
    assert.equal(errorMatches(['States.ALL'], 'States.Runtime'), false);
  });

  test('States.ALL matches States.DataLimitExceeded (recorded AWS executions catch it); the name itself does too', () => {
    assert.equal(errorMatches(['States.ALL'], 'States.DataLimitExceeded'), true);
    assert.equal(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded'), true);
  });

  test('States.TaskFailed matches any error but the timeouts and States.Runtime', () => {
    assert.equal(errorMatches(['States.TaskFailed'], 'Custom'), true);
    assert.equal(errorMatches(['States.TaskFailed'], 'Lambda.ServiceException'), true);
    assert.equal(errorMatches(['States.TaskFailed'], 'States.Timeout'), false);
    assert.equal(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout'), false);
    assert.equal(errorMatches(['States.TaskFailed'], 'States.Runtime'), false);
    assert.equal(errorMatches(['States.TaskFailed', 'States.Timeout'], 'States.Timeout'), true);
  });

  test('the first matching retrier and catcher win', () => {
    const rs = [retrier({ errorEquals: ['A'] }), retrier({ errorEquals: ['B', 'C'] }), retrier({ errorEquals: ['States.ALL'] })];
    assert.equal(findRetrier(rs, 'A'), 0);
    assert.equal(findRetrier(rs, 'C'), 1);
    assert.equal(findRetrier(rs, 'Z'), 2);
    assert.equal(findRetrier(rs.slice(0, 2), 'Z'), -1);
    const cs = [
      { errorEquals: ['A'], next: 'first', resultPath: undefined, output: undefined, assign: undefined },
      { errorEquals: ['States.ALL'], next: 'all', resultPath: undefined, output: undefined, assign: undefined },
    ];
    assert.equal(findCatcher(cs, 'A')?.next, 'first');
    assert.equal(findCatcher(cs, 'B')?.next, 'all');
    assert.equal(findCatcher(cs, 'States.Runtime'), undefined);
  });
});

describe('retry-catch: back-off', () => {
  test('IntervalSeconds × BackoffRate^attempt', () => {
    const r = retrier({ intervalSeconds: 3, backoffRate: 1.5 });
    const rng = seededRng(1);
    assert.deepEqual(
      [0, 1, 2, 3].map((a) => retryDelayMs(r, a, rng)),
      [3000, 4500, 6750, 10125],
    );
  });

  test('MaxDelaySeconds caps the delay', () => {
    const r = retrier({ intervalSeconds: 2, backoffRate: 3, maxDelaySeconds: 10 });
    const rng = seededRng(1);
    assert.deepEqual(
      [0, 1, 2, 3].map((a) => retryDelayMs(r, a, rng)),
      [2000, 6000, 10000, 10000],
    );
  });

  test('JitterStrategy FULL: a delay in [0, capped back-off], the same for the same seed', () => {
    const r = retrier({ intervalSeconds: 10, backoffRate: 2, maxDelaySeconds: 15, jitter: 'FULL' });
    const delays = Array.from({ length: 50 }, (_, seed) => retryDelayMs(r, 1, seededRng(seed)));
    for (const d of delays) assert.ok(d >= 0 && d <= 15000, String(d));
    assert.ok(new Set(delays).size > 40, 'the jitter spreads the delays');
    assert.deepEqual(
      Array.from({ length: 50 }, (_, seed) => retryDelayMs(r, 1, seededRng(seed))),
      delays,
    );
  });

  test('the step arms jittered retry timers from its seed: same seed, same delay', async () => {
    const def = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: `${FN}f`, Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 100, JitterStrategy: 'FULL' }], End: true } },
    };
    const m = compileMachine(def);
    const info: ExecutionInfo = { executionArn: 'arn:aws:states:us-east-1:1:execution:M:e', name: 'e', stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:M', stateMachineName: 'M', roleArn: 'r', startTime: T0, input: {}, redriveCount: 0 };
    const delayFor = async (seed: number) => {
      const r1 = await step(m, initialState(info), { k: 'start', info }, { now: T0, seed: 1 });
      const seq = (r1.commands[0] as { seq: number }).seq;
      const r2 = await step(m, r1.state, { k: 'taskFailed', seq, error: 'E' }, { now: T0, seed });
      const timer = r2.commands[0]!;
      assert.equal(timer.k, 'startTimer');
      return (timer as { delayMs: number }).delayMs;
    };
    const a = [await delayFor(11), await delayFor(12), await delayFor(13)];
    assert.deepEqual([await delayFor(11), await delayFor(12), await delayFor(13)], a);
    assert.ok(new Set(a).size > 1, `different seeds give different delays: ${a}`);
    for (const d of a) assert.ok(d >= 0 && d <= 100000);
  });
});

describe('retry-catch: executions', () => {
  test('each retrier counts its own attempts (the AWS documentation example)', async () => {
    // Errors A, B, C, B: waits of 1 s and 2 s (first retrier), 5 s (second); the fourth error finds the
    // first retrier used up, so the catcher takes it.
    const clock = new ManualClock(T0);
    const errors = ['ErrorA', 'ErrorB', 'ErrorC', 'ErrorB'];
    const calls: number[] = [];
    const sm = new StateMachine(
      {
        StartAt: 'X',
        States: {
          X: {
            Type: 'Task',
            Resource: `${FN}x`,
            Retry: [
              { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2 },
              { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
            ],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Z' }],
            Next: 'Y',
          },
          Y: { Type: 'Succeed' },
          Z: { Type: 'Pass', End: true },
        },
      },
      {
        clock,
        functions: {
          x: () => {
            calls.push(clock.now() - T0);
            throw err(errors[calls.length - 1]!);
          },
        },
      },
    );
    const r = await finish(clock, sm.run({}));
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(calls, [0, 1000, 3000, 8000]);
    assert.equal((r.output as JsonObject).Error, 'ErrorB');
    const stateNames = r.events.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.details as JsonObject).name);
    assert.deepEqual(stateNames, ['X', 'Z']);
  });

  test('MaxAttempts 0 never retries', async () => {
    let calls = 0;
    const sm = new StateMachine(
      {
        StartAt: 'X',
        States: {
          X: {
            Type: 'Task',
            Resource: `${FN}x`,
            Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Z' }],
            End: true,
          },
          Z: { Type: 'Succeed' },
        },
      },
      {
        functions: {
          x: () => {
            calls++;
            throw err('Nope', 'no');
          },
        },
      },
    );
    const r = await sm.run({ in: 1 });
    assert.equal(calls, 1);
    assert.deepEqual(r.output, { in: 1, error: { Error: 'Nope', Cause: JSON.parse(JSON.stringify(r.output)).error.Cause } });
    assert.match(String((r.output as any).error.Cause), /"errorMessage":"no"/);
  });

  test('the default retrier retries 3 times, 1 s apart doubling, then the error fails the execution', async () => {
    const clock = new ManualClock(T0);
    const calls: number[] = [];
    const sm = new StateMachine(
      { StartAt: 'X', States: { X: { Type: 'Task', Resource: `${FN}x`, Retry: [{ ErrorEquals: ['Flaky'] }], End: true } } },
      {
        clock,
        functions: {
          x: () => {
            calls.push(clock.now() - T0);
            throw err('Flaky');
          },
        },
      },
    );
    const r = await finish(clock, sm.run({}));
    assert.deepEqual(calls, [0, 1000, 3000, 7000]);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'Flaky');
  });

  test('a retry that succeeds continues normally and $$.State.RetryCount counts the attempts', async () => {
    const clock = new ManualClock(T0);
    const seen: Json[] = [];
    const sm = new StateMachine(
      {
        StartAt: 'X',
        States: {
          X: { Type: 'Task', Resource: `${FN}x`, Parameters: { 'retry.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1 }], End: true },
        },
      },
      {
        clock,
        functions: {
          x: (e: { retry: number }) => {
            seen.push(e.retry);
            if (e.retry < 2) throw err('Transient');
            return 'ok';
          },
        },
      },
    );
    const r = await finish(clock, sm.run({}));
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.output, 'ok');
    assert.deepEqual(seen, [0, 1, 2]);
  });

  test('retry counts start again when the state is entered again', async () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const sm = new StateMachine(
      {
        StartAt: 'X',
        States: {
          X: { Type: 'Task', Resource: `${FN}x`, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1, IntervalSeconds: 1 }], Next: 'Again' },
          Again: { Type: 'Choice', Choices: [{ Variable: '$.round', NumericLessThan: 3, Next: 'X' }], Default: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      {
        clock,
        functions: {
          // Every entry fails once and succeeds on its one retry.
          x: () => {
            calls++;
            if (calls % 2 === 1) throw err('E');
            return { round: calls / 2 };
          },
        },
      },
    );
    const r = await finish(clock, sm.run({}));
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.equal(calls, 6);
  });

  test('States.Runtime is neither retried nor caught, even when named', async () => {
    let calls = 0;
    const sm = new StateMachine(
      {
        StartAt: 'X',
        States: {
          X: {
            Type: 'Task',
            Resource: `${FN}x`,
            ResultSelector: { 'v.$': '$.missing' },
            Retry: [{ ErrorEquals: ['States.Runtime'] }, { ErrorEquals: ['States.ALL'] }],
            Catch: [{ ErrorEquals: ['States.Runtime'], Next: 'Z' }, { ErrorEquals: ['States.ALL'], Next: 'Z' }],
            End: true,
          },
          Z: { Type: 'Succeed' },
        },
      },
      { functions: { x: () => (calls++, { present: 1 }) } },
    );
    const r = await sm.run({});
    assert.equal(calls, 1);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.ok(!r.events.some((e) => e.type === 'SucceedStateEntered'));
  });

  test('an oversized task result fails the task with States.DataLimitExceeded, which Retry and Catch handle', async () => {
    const def = (errorEquals: string[]) => ({
      StartAt: 'X',
      States: {
        X: { Type: 'Task', Resource: `${FN}x`, Retry: [{ ErrorEquals: errorEquals, IntervalSeconds: 0 }], Catch: [{ ErrorEquals: errorEquals, Next: 'Z' }], End: true },
        Z: { Type: 'Succeed' },
      },
    });
    let calls = 0;
    const functions = { x: () => (calls++, 'x'.repeat(300 * 1024)) };
    const all = await new StateMachine(def(['States.ALL']), { functions, waitTimeScale: 0 }).run({});
    assert.equal(calls, 4, 'States.ALL retries it');
    assert.equal(all.status, 'SUCCEEDED');
    assert.ok(all.events.some((e) => e.type === 'LambdaFunctionFailed' && (e.details as JsonObject).error === 'States.DataLimitExceeded'));
    calls = 0;
    const named = await new StateMachine(def(['States.DataLimitExceeded']), { functions, waitTimeScale: 0 }).run({});
    assert.equal(calls, 4, 'named, it is retried');
    assert.equal(named.status, 'SUCCEEDED');
  });

  test('a catcher ResultPath puts {Error, Cause} into the input; without one the error output replaces it', async () => {
    const def = (catcher: JsonObject) => ({
      StartAt: 'F',
      States: {
        F: { Type: 'Task', Resource: `${FN}f`, Catch: [{ ErrorEquals: ['Oops'], Next: 'Z', ...catcher }], End: true },
        Z: { Type: 'Succeed' },
      },
    });
    const functions = { f: () => Promise.reject(err('Oops', 'bad thing')) };
    const withPath = await new StateMachine(def({ ResultPath: '$.caught' }), { functions }).run({ keep: true });
    const out = withPath.output as any;
    assert.equal(out.keep, true);
    assert.equal(out.caught.Error, 'Oops');
    assert.equal(JSON.parse(out.caught.Cause).errorMessage, 'bad thing');
    const replaced = await new StateMachine(def({}), { functions }).run({ keep: true });
    assert.deepEqual(Object.keys(replaced.output as JsonObject), ['Error', 'Cause']);
    const discarded = await new StateMachine(def({ ResultPath: null }), { functions }).run({ keep: true });
    assert.deepEqual(discarded.output, { keep: true });
  });

  test('JSONata catchers: Output reads $states.errorOutput and Assign sets variables', async () => {
    const sm = new StateMachine(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'F',
        States: {
          F: {
            Type: 'Task',
            Resource: `${FN}f`,
            Catch: [{ ErrorEquals: ['States.ALL'], Output: { err: '{% $states.errorOutput.Error %}', input: '{% $states.input %}' }, Assign: { failed: true }, Next: 'Z' }],
            End: true,
          },
          Z: { Type: 'Pass', Output: '{% $merge([$states.input, {"failed": $failed}]) %}', End: true },
        },
      },
      { functions: { f: () => Promise.reject(err('Bad')) } },
    );
    const r = await sm.run({ a: 1 });
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { err: 'Bad', input: { a: 1 }, failed: true });
  });
});
