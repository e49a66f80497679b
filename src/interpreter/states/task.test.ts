import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StateMachine, type ExecutionResult } from '../../library/state-machine.js';
import { ManualClock } from '../../runtime/clock.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../../runtime/tasks/types.js';
import type { Json, JsonObject } from '../../shared/json.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';
const CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';

async function isDone(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

const summary = (r: ExecutionResult) => r.events.map((e) => [e.type, e.timestamp - T0]);
const never = () => new Promise<never>(() => {});

/** A service integration that only records what it was asked; the test answers through the callbacks. */
class Recorder implements TaskInvoker {
  calls: { cmd: InvokeTask; ctx: TaskContext; cb: TaskCallbacks }[] = [];
  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    this.calls.push({ cmd, ctx, cb });
  }
}

describe('Task: Lambda functions', () => {
  test('the function gets the effective input; its result goes through; events as AWS records them', async () => {
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}add`, Parameters: { 'a.$': '$.x', b: 2 }, End: true } } },
      { functions: { add: (e: { a: number; b: number }) => ({ sum: e.a + e.b }) } },
    );
    const r = await sm.run({ x: 40 });
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { sum: 42 });
    assert.deepEqual(
      r.events.map((e) => [e.type, e.details]),
      [
        ['ExecutionStarted', { input: { x: 40 }, inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/stepwise' }],
        ['TaskStateEntered', { name: 'T', input: { x: 40 }, inputDetails: { truncated: false } }],
        ['LambdaFunctionScheduled', { resource: `${FN}add`, input: { a: 40, b: 2 }, inputDetails: { truncated: false } }],
        ['LambdaFunctionStarted', undefined],
        ['LambdaFunctionSucceeded', { output: { sum: 42 }, outputDetails: { truncated: false } }],
        ['TaskStateExited', { name: 'T', output: { sum: 42 }, outputDetails: { truncated: false } }],
        ['ExecutionSucceeded', { output: { sum: 42 }, outputDetails: { truncated: false } }],
      ],
    );
  });

  test('a function error becomes the error (errorType) with the runtime’s error payload as cause', async () => {
    class ValidationError extends Error {
      override name = 'ValidationError';
    }
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}check`, End: true } } },
      {
        functions: {
          check: () => {
            throw new ValidationError('amount must be positive');
          },
        },
      },
    );
    const r = await sm.run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'ValidationError');
    const cause = JSON.parse(r.cause!);
    assert.equal(cause.errorType, 'ValidationError');
    assert.equal(cause.errorMessage, 'amount must be positive');
    assert.ok(Array.isArray(cause.trace));
    const failed = r.events.find((e) => e.type === 'LambdaFunctionFailed')!;
    assert.deepEqual(failed.details, { error: 'ValidationError', cause: r.cause });
  });
});

describe('Task: TimeoutSeconds and HeartbeatSeconds', () => {
  test('a task that outlives TimeoutSeconds fails with States.Timeout, exactly then', async () => {
    const clock = new ManualClock(T0);
    const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}slow`, TimeoutSeconds: 3, End: true } } }, { clock, functions: { slow: never } });
    const ex = sm.start({});
    await clock.advance(2999);
    assert.equal(await isDone(ex.done), false);
    await clock.advance(1);
    const r = await ex.done;
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Timeout');
    assert.equal(r.cause, undefined);
    assert.deepEqual(summary(r).slice(2), [
      ['LambdaFunctionScheduled', 0],
      ['LambdaFunctionStarted', 0],
      ['LambdaFunctionTimedOut', 3000],
      ['ExecutionFailed', 3000],
    ]);
    assert.equal((r.events[2]!.details as JsonObject).timeoutInSeconds, 3);
  });

  test('TimeoutSecondsPath reads the timeout from the input; a non-positive value fails with States.Runtime', async () => {
    const clock = new ManualClock(T0);
    const def = { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}slow`, TimeoutSecondsPath: '$.t', End: true } } };
    const sm = new StateMachine(def, { clock, functions: { slow: never } });
    const ex = sm.start({ t: 7 });
    await clock.advance(7000);
    assert.equal((await ex.done).error, 'States.Timeout');
    const bad = await sm.run({ t: 0 });
    assert.equal(bad.error, 'States.Runtime');
    assert.equal(bad.cause, "An error occurred while executing the state 'T' (entered at the event id #2). The value of the field 'TimeoutSecondsPath' must be a positive integer, but was: 0");
  });

  test('a result that comes after the timeout is ignored', async () => {
    const clock = new ManualClock(T0);
    let resolve!: (v: Json) => void;
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}late`, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }], End: true }, TimedOut: { Type: 'Pass', Result: 'timed out', End: true } } },
      { clock, functions: { late: () => new Promise((r) => (resolve = r)) } },
    );
    const ex = sm.start({});
    await clock.advance(1000);
    resolve('too late');
    const r = await ex.done;
    assert.equal(r.output, 'timed out');
    assert.ok(!r.events.some((e) => e.type === 'LambdaFunctionSucceeded'));
  });

  test('States.Timeout is retried and caught by name or States.ALL, not by States.TaskFailed', async () => {
    const clock = new ManualClock(T0);
    const def = (errorEquals: string[]) => ({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: `${FN}slow`, TimeoutSeconds: 1, Retry: [{ ErrorEquals: errorEquals, MaxAttempts: 1, IntervalSeconds: 1 }], Catch: [{ ErrorEquals: errorEquals, Next: 'C' }], End: true },
        C: { Type: 'Succeed' },
      },
    });
    for (const [errorEquals, status, attempts] of [
      [['States.Timeout'], 'SUCCEEDED', 2],
      [['States.ALL'], 'SUCCEEDED', 2],
      [['States.TaskFailed'], 'FAILED', 1],
    ] as const) {
      let calls = 0;
      const ex = new StateMachine(def([...errorEquals]), { clock, functions: { slow: () => (calls++, never()) } }).start({});
      await clock.advance(5000);
      const r = await ex.done;
      assert.equal(r.status, status, errorEquals[0]);
      assert.equal(calls, attempts, errorEquals[0]);
    }
  });

  test('heartbeats keep a callback task alive; HeartbeatSeconds after the last one it fails with States.Timeout', async () => {
    const clock = new ManualClock(T0);
    const sqs = new Recorder();
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, HeartbeatSeconds: 5, TimeoutSeconds: 60, End: true } } },
      { clock, services: { 'sqs:sendMessage': sqs } },
    );
    const ex = sm.start({});
    await clock.advance(4000);
    assert.equal(ex.sendTaskHeartbeat(sqs.calls[0]!.cmd.token!), true);
    await clock.advance(4000);
    assert.equal(ex.sendTaskHeartbeat(sqs.calls[0]!.cmd.token!), true);
    await clock.advance(4999);
    assert.equal(await isDone(ex.done), false, 'alive 4.999 s after the last heartbeat');
    assert.equal(sqs.calls[0]!.ctx.cancel.cancelled, false);
    await clock.advance(1);
    const r = await ex.done;
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Timeout');
    const timedOut = r.events.find((e) => e.type === 'TaskTimedOut')!;
    assert.equal(timedOut.timestamp - T0, 13000);
    assert.deepEqual(timedOut.details, { resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', error: 'States.Timeout', cause: '' });
    assert.equal(sqs.calls[0]!.ctx.cancel.cancelled, true, 'the integration is told to stop');
    // A late answer changes nothing.
    assert.equal(ex.sendTaskSuccess(sqs.calls[0]!.cmd.token!, 'late'), false, 'the token is no longer valid');
    assert.equal(r.events.filter((e) => e.type === 'TaskSucceeded').length, 0);
  });

  test('a missed heartbeat of a service integration is caught and retried as States.HeartbeatTimeout too', async () => {
    const clock = new ManualClock(T0);
    const sqs = new Recorder();
    const sm = new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q' }, HeartbeatSeconds: 2,
            Retry: [{ ErrorEquals: ['States.HeartbeatTimeout'], MaxAttempts: 1, IntervalSeconds: 1 }],
            Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Pass', End: true },
        },
      },
      { clock, services: { 'sqs:sendMessage': sqs } },
    );
    const ex = sm.start({});
    await clock.advance(2000);
    await clock.advance(1000);
    await clock.advance(2000);
    const r = await ex.done;
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(sqs.calls.length, 2, 'retried once');
    assert.deepEqual(r.output, { Error: 'States.Timeout', Cause: '' });
  });

  test('a heartbeat does not extend TimeoutSeconds', async () => {
    const clock = new ManualClock(T0);
    const sqs = new Recorder();
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q' }, HeartbeatSeconds: 2, TimeoutSeconds: 5, End: true } } },
      { clock, services: { 'sqs:sendMessage': sqs } },
    );
    const ex = sm.start({});
    for (let i = 0; i < 4; i++) {
      await clock.advance(1500);
      // At 6 s the task has timed out (at 5 s): its token is no longer valid.
      assert.equal(ex.sendTaskHeartbeat(sqs.calls[0]!.cmd.token!), i < 3);
    }
    const r = await ex.done;
    assert.equal(r.error, 'States.Timeout');
    assert.equal(r.events.find((e) => e.type === 'TaskTimedOut')!.timestamp - T0, 5000);
  });
});

describe('Task: service integrations and callbacks', () => {
  test('SendTaskFailure without error or cause: the Catch error output has both as null, as AWS gives it', async () => {
    const sqs = new Recorder();
    const sm = new StateMachine(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q' }, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'C' }], End: true },
          C: { Type: 'Pass', End: true },
        },
      },
      { services: { 'sqs:sendMessage': sqs } },
    );
    const ex = sm.start({ id: 1 });
    while (sqs.calls.length === 0) await new Promise((r) => setImmediate(r));
    sqs.calls[0]!.cb.succeeded({});
    await new Promise((r) => setImmediate(r));
    assert.equal(ex.sendTaskFailure(sqs.calls[0]!.cmd.token!), true);
    const r = await ex.done;
    assert.deepEqual(r.output, { id: 1, err: { Error: null, Cause: null } });
  });

  test('a callback task gets a token in its parameters and waits for the answer', async () => {
    const clock = new ManualClock(T0);
    const sqs = new Recorder();
    const sm = new StateMachine(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, ResultPath: '$.answer', End: true } } },
      { clock, services: { 'sqs:sendMessage': sqs } },
    );
    const ex = sm.start({ id: 1 });
    await clock.advance(60_000);
    assert.equal(sqs.calls.length, 1);
    const { cmd, cb } = sqs.calls[0]!;
    // The message is sent; the task waits for its token.
    cb.succeeded({ MessageId: 'm-1' });
    await new Promise((r) => setImmediate(r));
    assert.equal(await isDone(ex.done), false);
    assert.equal(ex.sendTaskSuccess('not-a-token', {}), false);
    assert.equal(typeof cmd.token, 'string');
    assert.deepEqual(cmd.input, { QueueUrl: 'q', MessageBody: cmd.token });
    assert.equal(await isDone(ex.done), false);
    assert.equal(ex.sendTaskSuccess(cmd.token!, { approved: true }), true);
    const r = await ex.done;
    assert.deepEqual(r.output, { id: 1, answer: { approved: true } });
    assert.deepEqual(
      r.events.map((e) => e.type).slice(2, 6),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    // TaskSubmitted carries the call's response; TaskSucceeded the answer sent with the token.
    assert.deepEqual(r.events[4]!.details, { resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', output: { MessageId: 'm-1' }, outputDetails: { truncated: false } });
    assert.deepEqual(r.events[5]!.details, { resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', output: { approved: true }, outputDetails: { truncated: false } });
  });

  test('a token answered before its call returned: TaskSubmitted (the call’s response) comes first, then the answer', async () => {
    const sqs = new Recorder();
    const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' }, End: true } } }, { services: { 'sqs:sendMessage': sqs } });
    const ex = sm.start({});
    await new Promise((r) => setImmediate(r));
    const { cmd, cb } = sqs.calls[0]!;
    assert.equal(ex.sendTaskSuccess(cmd.token!, { approved: true }), true);
    assert.equal(await isDone(ex.done), false);
    assert.equal(ex.isWaiting(cmd.token!), false);
    assert.equal(ex.sendTaskSuccess(cmd.token!, { approved: false }), false, 'answered once');
    cb.succeeded({ MessageId: 'm-1' });
    const r = await ex.done;
    assert.deepEqual([r.status, r.output], ['SUCCEEDED', { approved: true }]);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.details?.output]),
      [
        ['ExecutionStarted', undefined],
        ['TaskStateEntered', undefined],
        ['TaskScheduled', undefined],
        ['TaskStarted', undefined],
        ['TaskSubmitted', { MessageId: 'm-1' }],
        ['TaskSucceeded', { approved: true }],
        ['TaskStateExited', { approved: true }],
        ['ExecutionSucceeded', { approved: true }],
      ],
    );
  });

  test('a failed callback reports its error and cause', async () => {
    const sqs = new Recorder();
    const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: CALLBACK, Parameters: { QueueUrl: 'q' }, End: true } } }, { services: { 'sqs:sendMessage': sqs } });
    const ex = sm.start({});
    await new Promise((r) => setImmediate(r));
    // The message is sent (an answer to a token whose call is still out waits for the call's response).
    sqs.calls[0]!.cb.succeeded({ MessageId: 'm-1' });
    assert.equal(ex.sendTaskFailure(sqs.calls[0]!.cmd.token!, 'Rejected', 'not approved'), true);
    const r = await ex.done;
    assert.deepEqual([r.status, r.error, r.cause], ['FAILED', 'Rejected', 'not approved']);
    assert.deepEqual(r.events.find((e) => e.type === 'TaskFailed')!.details, { resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', error: 'Rejected', cause: 'not approved' });
  });

  test('a resource the engine cannot run fails the execution with States.Runtime', async () => {
    const r = await new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::codebuild:startBuild', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true }, C: { Type: 'Succeed' } } }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Runtime');
    assert.match(r.cause!, /codebuild:startBuild/);
  });

  test('JSONata: Arguments, Output and TimeoutSeconds as expressions', async () => {
    const clock = new ManualClock(T0);
    const sm = new StateMachine(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: `${FN}f`,
            Arguments: { n: '{% $states.input.n + 1 %}', token: '{% $states.context.State.Name %}' },
            TimeoutSeconds: '{% $states.input.t %}',
            Output: '{% $states.result.n * 10 %}',
            End: true,
          },
        },
      },
      { clock, functions: { f: (e: { n: number; token: string }) => (e.n > 100 ? never() : { n: e.n, state: e.token }) } },
    );
    assert.equal((await sm.run({ n: 1, t: 5 })).output, 20);
    const ex = sm.start({ n: 500, t: 2 });
    await clock.advance(2000);
    assert.equal((await ex.done).error, 'States.Timeout');
  });
});
