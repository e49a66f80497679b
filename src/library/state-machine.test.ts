import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as stepwise from '../index.js';
import { ManualClock } from '../runtime/clock.js';
import type { JsonObject } from '../shared/json.js';
import { StateMachine } from './state-machine.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

describe('StateMachine', () => {
  test('the package entry point exports the library', () => {
    assert.equal(stepwise.StateMachine, StateMachine);
    assert.equal(stepwise.ManualClock, ManualClock);
    assert.equal(typeof stepwise.compileMachine, 'function');
    assert.equal(typeof stepwise.step, 'function');
    assert.equal(typeof stepwise.initialState, 'function');
    assert.equal(typeof stepwise.systemClock.now, 'function');
  });

  test('takes the definition as an object or as JSON text; runs it many times', async () => {
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'double.$': 'States.MathAdd($.n, $.n)' }, End: true } } };
    const fromText = new StateMachine(JSON.stringify(def));
    const fromObject = new StateMachine(def);
    for (const n of [1, 2, 3]) {
      assert.deepEqual((await fromText.run({ n })).output, { double: n * 2 });
      assert.deepEqual((await fromObject.run({ n })).output, { double: n * 2 });
    }
  });

  test('ARNs follow name, region and account; the execution name defaults to a UUID', async () => {
    const def = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'ctx.$': '$$' }, End: true } } };
    const sm = new StateMachine(def, { name: 'Orders', region: 'eu-west-1', accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/sfn' });
    assert.equal(sm.stateMachineArn, 'arn:aws:states:eu-west-1:111122223333:stateMachine:Orders');
    const named = await sm.run({ x: 1 }, { name: 'order-7' });
    assert.equal(named.executionArn, 'arn:aws:states:eu-west-1:111122223333:execution:Orders:order-7');
    const ctx = (named.output as JsonObject).ctx as any;
    assert.equal(ctx.Execution.Id, named.executionArn);
    assert.equal(ctx.Execution.Name, 'order-7');
    assert.equal(ctx.Execution.RoleArn, 'arn:aws:iam::111122223333:role/sfn');
    assert.deepEqual(ctx.Execution.Input, { x: 1 });
    assert.deepEqual(ctx.StateMachine, { Id: sm.stateMachineArn, Name: 'Orders' });
    const unnamed = await sm.run();
    assert.match(unnamed.executionArn, /:execution:Orders:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual((unnamed.output as any).ctx.Execution.Input, {});
  });

  test('the context object carries times from the clock', async () => {
    const clock = new ManualClock(new Date('2025-03-04T05:06:07.089Z'));
    const sm = new StateMachine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 2, Next: 'P' }, P: { Type: 'Pass', Parameters: { 'start.$': '$$.Execution.StartTime', 'entered.$': '$$.State.EnteredTime' }, End: true } } }, { clock });
    const ex = sm.start({});
    await clock.advance(2000);
    assert.deepEqual((await ex.done).output, { start: '2025-03-04T05:06:07.089Z', entered: '2025-03-04T05:06:09.089Z' });
  });

  test('history(): events as the AWS API returns them; history: false keeps none', async () => {
    const sm = new StateMachine({ StartAt: 'T', States: { T: { Type: 'Task', Resource: `${FN}f`, End: true } } }, { functions: { f: (e: { a: number }) => ({ b: e.a }) }, clock: new ManualClock(Date.UTC(2024, 0, 1)) });
    const r = await sm.run({ a: 1 });
    const h = r.history();
    assert.deepEqual(h[0], {
      timestamp: Date.UTC(2024, 0, 1) / 1000,
      type: 'ExecutionStarted',
      id: 1,
      previousEventId: 0,
      executionStartedEventDetails: { input: '{"a":1}', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/stepwise' },
    });
    assert.deepEqual(h.find((e) => e.type === 'LambdaFunctionSucceeded')!.lambdaFunctionSucceededEventDetails, { output: '{"b":1}', outputDetails: { truncated: false } });
    assert.deepEqual(h.find((e) => e.type === 'TaskStateEntered')!.stateEnteredEventDetails, { name: 'T', input: '{"a":1}', inputDetails: { truncated: false } });
    const quiet = await sm.run({ a: 1 }, { history: false });
    assert.deepEqual(quiet.events, []);
    assert.deepEqual(quiet.output, { b: 1 });
  });

  test('start() returns the running execution; stop() aborts it', async () => {
    const clock = new ManualClock();
    const sm = new StateMachine({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }, { clock });
    const ex = sm.start({}, { name: 'to-stop' });
    assert.match(ex.executionArn, /:execution:StateMachine:to-stop$/);
    ex.stop('Manual', 'enough');
    const r = await ex.done;
    assert.deepEqual([r.status, r.error, r.cause, r.output], ['ABORTED', 'Manual', 'enough', undefined]);
  });

  test('executions of one machine are independent', async () => {
    const clock = new ManualClock();
    const sm = new StateMachine({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }, { clock });
    const slow = sm.start({ s: 10 });
    const fast = sm.start({ s: 1 });
    slow.stop();
    await clock.advance(1000);
    assert.equal((await fast.done).status, 'SUCCEEDED');
    assert.equal((await slow.done).status, 'ABORTED');
  });

  test('a definition the engine cannot compile throws at construction', () => {
    assert.throws(() => new StateMachine({ StartAt: 'X', States: { X: { Type: 'Teleport', End: true } } }), /Unknown state type Teleport/);
    assert.throws(() => new StateMachine('{ not json'), SyntaxError);
  });

  test('services: a host-provided integration handles its resource', async () => {
    const sent: unknown[] = [];
    const sm = new StateMachine(
      { StartAt: 'Send', States: { Send: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$.msg' }, End: true } } },
      {
        services: {
          'sqs:sendMessage': {
            invoke(cmd, _ctx, cb) {
              sent.push(cmd.input);
              cb.succeeded({ MessageId: 'm-1' });
            },
          },
        },
      },
    );
    const r = await sm.run({ msg: 'hi' });
    assert.deepEqual(r.output, { MessageId: 'm-1' });
    assert.deepEqual(sent, [{ QueueUrl: 'q', MessageBody: 'hi' }]);
  });

  test('onWaiting: a .waitForTaskToken task is announced once its local handler has returned, with its state and token', async () => {
    const seen: string[] = [];
    const def = {
      StartAt: 'Ask',
      States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } }, End: true } },
    };
    const sm = new StateMachine(def, { functions: { ask: (e: any) => void seen.push(`handler ${e.token}`) } });
    let running!: ReturnType<StateMachine['start']>;
    running = sm.start({}, {
      onWaiting: (t) => {
        seen.push(`waiting ${t.stateName} ${t.kind} ${t.resource} ${t.token}`);
        assert.equal(running.isWaiting(t.token), true);
        setImmediate(() => assert.equal(running.sendTaskSuccess(t.token, { ok: 1 }), true));
      },
    });
    const r = await running.done;
    assert.equal(r.status, 'SUCCEEDED');
    assert.deepEqual(r.output, { ok: 1 });
    assert.equal(seen.length, 2);
    const token = seen[0]!.slice('handler '.length);
    assert.deepEqual(seen, [`handler ${token}`, `waiting Ask callback arn:aws:states:::lambda:invoke.waitForTaskToken ${token}`]);
    assert.equal(running.isWaiting(token), false);
  });

  test('an activity waits in process (ActivityStarted) until its token is answered; a failed handler never waits', async () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:activity:review';
    const sm = new StateMachine({ StartAt: 'Review', States: { Review: { Type: 'Task', Resource: arn, End: true } } });
    let running!: ReturnType<StateMachine['start']>;
    const waited: string[] = [];
    running = sm.start({ doc: 1 }, {
      onWaiting: (t) => {
        waited.push(`${t.stateName} ${t.kind} ${t.resource}`);
        setImmediate(() => running.sendTaskFailure(t.token, 'Review.No', 'nope'));
      },
    });
    const r = await running.done;
    assert.deepEqual(waited, [`Review activity ${arn}`]);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'Review.No');
    assert.deepEqual(
      r.history().map((e) => e.type),
      ['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivityFailed', 'ExecutionFailed'],
    );

    const failing = new StateMachine(
      { StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'ask', Payload: { 'token.$': '$$.Task.Token' } }, End: true } } },
      { functions: { ask: () => { throw new Error('no mail today'); } } },
    );
    const calls: string[] = [];
    const f = await failing.run({}, { onWaiting: (t) => void calls.push(t.token) });
    assert.equal(f.status, 'FAILED');
    assert.deepEqual(calls, []);
  });
});
