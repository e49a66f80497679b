import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine } from '../asl/compile.js';
import type { ExecState, ExecutionInfo } from '../interpreter/exec-state.js';
import type { StepResult } from '../interpreter/step.js';
import type { Json, JsonObject } from '../shared/json.js';
import { ManualClock, settle } from './clock.js';
import { ExecutionDriver, type DriverOptions } from './driver.js';
import { createTaskRegistry } from './tasks/registry.js';
import { functionsFromObject, type LocalFunction } from './tasks/functions.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './tasks/types.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

function info(input: Json = {}): ExecutionInfo {
  return {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:M:e1',
    name: 'e1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:M',
    stateMachineName: 'M',
    roleArn: 'arn:aws:iam::123456789012:role/r',
    startTime: T0,
    input,
    redriveCount: 0,
  };
}

/** Records the callbacks of the tasks it is given (a stand-in for an external service the test plays). */
class Pending implements TaskInvoker {
  tasks: { cmd: InvokeTask; ctx: TaskContext; cb: TaskCallbacks }[] = [];
  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    this.tasks.push({ cmd, ctx, cb });
  }
}

function driver(def: object, opts: Partial<DriverOptions> & { functions?: Record<string, LocalFunction>; services?: Record<string, TaskInvoker> } = {}, input: Json = {}) {
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock(T0);
  const invoker = createTaskRegistry({ functions: functionsFromObject(opts.functions ?? {}), services: opts.services });
  const d = new ExecutionDriver(compileMachine(def as Json), info(input), { clock, invoker, region: 'us-east-1', accountId: '123456789012', keepHistory: true, ...opts });
  return { d, clock };
}

async function isDone(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await settle();
  return done;
}

const exitTimes = (d: ExecutionDriver, type: string) => d.events.filter((e) => e.type === type).map((e) => e.timestamp - T0);

describe('ExecutionDriver: delay scaling (WAIT_TIME_SCALE)', () => {
  test('waitTimeScale multiplies Wait durations', async () => {
    const { d, clock } = driver({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } }, { waitTimeScale: 0.25 });
    d.start();
    await clock.advance(2499);
    assert.equal(await isDone(d.done), false);
    await clock.advance(1);
    assert.equal((await d.done).status, 'SUCCEEDED');
    assert.deepEqual(exitTimes(d, 'WaitStateExited'), [2500]);
  });

  test('waitTimeScale multiplies retry back-off and task timeouts too', async () => {
    const calls: number[] = [];
    const clock = new ManualClock(T0);
    const { d } = driver(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: `${FN}f`, TimeoutSeconds: 100, Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 20, MaxAttempts: 1 }], End: true } },
      },
      { clock, waitTimeScale: 0.1, functions: { f: () => (calls.push(clock.now() - T0), new Promise(() => {})) } },
    );
    d.start();
    await clock.advance(60_000);
    const s = await d.done;
    assert.equal(s.error, 'States.Timeout');
    // Times out at 10 s, retries 2 s later, times out again 10 s after that.
    assert.deepEqual(calls, [0, 12000]);
    assert.deepEqual(exitTimes(d, 'ExecutionFailed'), [22000]);
  });

  test('waitTimeScale 0 runs a Wait without waiting', async () => {
    const { d } = driver({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }, { waitTimeScale: 0, clock: new ManualClock(T0) });
    d.start();
    const clock = d.opts.clock as ManualClock;
    await clock.advance(0);
    assert.equal((await d.done).status, 'SUCCEEDED');
  });

  test('delayOverride replaces chosen delays and keeps the others (undefined)', async () => {
    const seen: [string, string | undefined, number][] = [];
    const { d, clock } = driver(
      { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 100, Next: 'B' }, B: { Type: 'Wait', Seconds: 7, End: true } } },
      {
        delayOverride: (why, state, ms) => {
          seen.push([why, state, ms]);
          return state === 'A' ? 1 : undefined;
        },
      },
    );
    d.start();
    await clock.advance(7001);
    assert.equal((await d.done).status, 'SUCCEEDED');
    assert.deepEqual(seen, [
      ['wait', 'A', 100000],
      ['wait', 'B', 7000],
    ]);
    assert.deepEqual(exitTimes(d, 'WaitStateExited'), [1, 7001]);
  });
});

describe('ExecutionDriver: stop and timeouts', () => {
  test('stop aborts the execution, cancels the open task and its timers', async () => {
    const svc = new Pending();
    const { d, clock } = driver(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', HeartbeatSeconds: 10, TimeoutSeconds: 20, Parameters: {}, End: true } } },
      { services: { 'sqs:sendMessage': svc } },
    );
    d.start();
    await settle();
    assert.equal(clock.pending, 2, 'timeout and heartbeat timers');
    d.stop('Operator', 'stopped by hand');
    const s = await d.done;
    assert.deepEqual([s.status, s.error, s.cause], ['ABORTED', 'Operator', 'stopped by hand']);
    assert.equal(svc.tasks[0]!.ctx.cancel.cancelled, true);
    assert.equal(clock.pending, 0);
    assert.deepEqual(d.events.slice(-2).map((e) => [e.type, e.details]), [
      ['TaskStateAborted', undefined],
      ['ExecutionAborted', { error: 'Operator', cause: 'stopped by hand' }],
    ]);
    // Outcomes that arrive after the stop change nothing.
    svc.tasks[0]!.cb.succeeded('late');
    await settle();
    assert.equal(d.events.at(-1)!.type, 'ExecutionAborted');
  });

  test('execution TimeoutSeconds times the execution out with ExecutionTimedOut', async () => {
    const { d, clock } = driver({ TimeoutSeconds: 30, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } });
    d.start();
    await clock.advance(29_999);
    assert.equal(await isDone(d.done), false);
    await clock.advance(1);
    const s = await d.done;
    assert.equal(s.status, 'TIMED_OUT');
    assert.deepEqual(d.events.slice(-2).map((e) => [e.type, e.timestamp - T0, e.details]), [
      ['WaitStateAborted', 30000, undefined],
      ['ExecutionTimedOut', 30000, { error: 'States.Timeout' }],
    ]);
    assert.equal(clock.pending, 0);
  });

  test('the execution timeout is scaled like the other delays', async () => {
    const { d, clock } = driver({ TimeoutSeconds: 30, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } }, { waitTimeScale: 0.5 });
    d.start();
    await clock.advance(15_000);
    assert.equal((await d.done).status, 'TIMED_OUT');
  });

  test('an execution that ends in time cancels its timeout timer', async () => {
    const { d, clock } = driver({ TimeoutSeconds: 30, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, End: true } } });
    d.start();
    await clock.advance(5000);
    assert.equal((await d.done).status, 'SUCCEEDED');
    assert.equal(clock.pending, 0);
  });
});

describe('ExecutionDriver: steps and tasks', () => {
  test('onStep sees every step before its commands run, with the events of that step', async () => {
    const steps: { types: string[]; status: string }[] = [];
    const order: string[] = [];
    const { d, clock } = driver(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}f`, Next: 'W' }, W: { Type: 'Wait', Seconds: 1, End: true } } },
      {
        functions: { f: () => (order.push('task runs'), 'r') },
        onStep: (r: StepResult) => {
          order.push(`step ${steps.length}`);
          steps.push({ types: r.events.map((e) => e.type), status: r.state.status });
        },
      },
    );
    d.start();
    await clock.advance(1000);
    await d.done;
    assert.deepEqual(steps, [
      { types: ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted'], status: 'RUNNING' },
      { types: ['LambdaFunctionSucceeded', 'TaskStateExited', 'WaitStateEntered'], status: 'RUNNING' },
      { types: ['WaitStateExited', 'ExecutionSucceeded'], status: 'SUCCEEDED' },
    ]);
    assert.deepEqual(order.slice(0, 2), ['step 0', 'task runs']);
    assert.deepEqual(d.events.map((e) => e.type), steps.flatMap((s) => s.types));
  });

  test('an asynchronous onStep (persistence) holds the commands back until it resolves', async () => {
    let release!: () => void;
    let invoked = false;
    const { d } = driver({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}f`, End: true } } }, {
      functions: { f: () => ((invoked = true), 1) },
      onStep: () => new Promise<void>((r) => (release = r)),
    });
    d.start();
    await settle();
    assert.equal(invoked, false, 'not before the step is persisted');
    release();
    await settle();
    assert.equal(invoked, true);
    release();
    assert.equal((await d.done).status, 'SUCCEEDED');
  });

  test('the seed option makes the steps’ randomness repeatable', async () => {
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, End: true } } };
    const run = async (seed: number) => {
      const { d } = driver(def, { seed: () => seed });
      d.start();
      return ((await d.done).output as JsonObject).id;
    };
    assert.equal(await run(42), await run(42));
    assert.notEqual(await run(42), await run(43));
  });

  test('an invoker that throws fails the task with States.Runtime', async () => {
    const { d } = driver({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true } } }, {
      services: {
        'sns:publish': {
          invoke() {
            throw new Error('cannot reach the topic');
          },
        },
      },
    });
    d.start();
    const s: ExecState = await d.done;
    assert.deepEqual([s.status, s.error, s.cause], ['FAILED', 'States.Runtime', 'cannot reach the topic']);
  });

  test('a task answers only once: a second outcome is ignored', async () => {
    const svc = new Pending();
    const { d } = driver({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: {}, End: true } } }, { services: { 'sqs:sendMessage': svc } });
    d.start();
    await settle();
    assert.equal(d.isTaskOpen(svc.tasks[0]!.cmd.seq), true);
    svc.tasks[0]!.cb.succeeded('first');
    svc.tasks[0]!.cb.failed('E', 'second');
    const s = await d.done;
    assert.equal(s.output, 'first');
    assert.equal(d.isTaskOpen(svc.tasks[0]!.cmd.seq), false);
    assert.equal(d.events.filter((e) => e.type.startsWith('Task') && !e.type.startsWith('TaskState')).map((e) => e.type).join(), 'TaskScheduled,TaskStarted,TaskSucceeded');
  });
});
