/**
 * E2E through the real server with @aws-sdk/client-sfn: activities (Create/Describe/List/Delete),
 * workers (GetActivityTask, SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat) and task tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { activityArnOf, rejectsAws, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

async function activity(): Promise<string> {
  return (await c.send(new CreateActivityCommand({ name: uniqueName('act') }))).activityArn!;
}

/** A state machine whose one Task is the activity; returns a started execution's ARN. */
async function startWorkflow(activityArn: string, input: unknown): Promise<string> {
  const definition = JSON.stringify({
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 30, TimeoutSeconds: 60, End: true } },
  });
  const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('worker-sm'), definition, roleArn: ROLE }));
  const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return executionArn!;
}

describe('activities', () => {
  it('create (idempotent), describe, list, delete', async () => {
    const name = uniqueName('act');
    const a = await c.send(new CreateActivityCommand({ name }));
    assert.equal(a.activityArn, activityArnOf(name));
    assert.ok(a.creationDate instanceof Date);
    const again = await c.send(new CreateActivityCommand({ name }));
    assert.equal(again.activityArn, a.activityArn);
    assert.equal(again.creationDate?.getTime(), a.creationDate?.getTime());

    const d = await c.send(new DescribeActivityCommand({ activityArn: a.activityArn }));
    assert.equal(d.name, name);
    assert.equal(d.activityArn, a.activityArn);

    const other = await activity();
    const listed: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await c.send(new ListActivitiesCommand({ maxResults: 1, nextToken }));
      listed.push(...r.activities!.map((x) => x.activityArn!));
      nextToken = r.nextToken;
    } while (nextToken);
    assert.ok(listed.includes(a.activityArn!) && listed.includes(other));

    await c.send(new DeleteActivityCommand({ activityArn: a.activityArn }));
    await c.send(new DeleteActivityCommand({ activityArn: a.activityArn })); // again: still fine
    await rejectsAws(c.send(new DescribeActivityCommand({ activityArn: a.activityArn })), 'ActivityDoesNotExist', `Activity Does Not Exist: '${a.activityArn}'`);
    await rejectsAws(c.send(new GetActivityTaskCommand({ activityArn: a.activityArn })), 'ActivityDoesNotExist', `Activity Does Not Exist: '${a.activityArn}'`);
  });

  it('rejects bad names and ARNs', async () => {
    await rejectsAws(c.send(new CreateActivityCommand({ name: 'TestActivity InvalidName$' })), 'InvalidName', "Invalid Name: 'TestActivity InvalidName$'");
    await rejectsAws(c.send(new DescribeActivityCommand({ activityArn: 'no_an_activity_arn' })), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'");
  });
});

describe('activity workers', () => {
  it('get a task, heartbeat, and succeed it', async () => {
    const act = await activity();
    const executionArn = await startWorkflow(act, { job: 42 });
    const task = await c.send(new GetActivityTaskCommand({ activityArn: act, workerName: 'worker-1' }));
    assert.ok(task.taskToken);
    assert.deepEqual(JSON.parse(task.input!), { job: 42 });
    await c.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"result": "done"}' }));
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { result: 'done' });

    const events = (await c.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    const types: string[] = events.map((e) => String(e.type));
    for (const t of ['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded']) assert.ok(types.includes(t), `${t} in ${types.join(',')}`);
    const scheduled = events.find((e) => e.type === 'ActivityScheduled')!;
    assert.equal(scheduled.activityScheduledEventDetails?.resource, act);
    assert.equal(scheduled.activityScheduledEventDetails?.heartbeatInSeconds, 30);
    assert.equal(events.find((e) => e.type === 'ActivityStarted')!.activityStartedEventDetails?.workerName, 'worker-1');

    // The task is over: its token no longer works.
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{}' })), 'TaskTimedOut');
  });

  it('fail a task with error and cause', async () => {
    const act = await activity();
    const executionArn = await startWorkflow(act, {});
    const task = await c.send(new GetActivityTaskCommand({ activityArn: act }));
    await c.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Worker.Error', cause: 'disk full' }));
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'Worker.Error');
    assert.equal(d.cause, 'disk full');
    const types: string[] = (await c.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => String(e.type));
    assert.ok(types.includes('ActivityFailed'));
  });

  it('reject bad tokens and bad output', async () => {
    const act = await activity();
    const executionArn = await startWorkflow(act, {});
    const task = await c.send(new GetActivityTaskCommand({ activityArn: act }));
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{not json' })), 'InvalidOutput', /^Invalid Output: /);
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })), 'InvalidToken');
    await rejectsAws(c.send(new SendTaskHeartbeatCommand({ taskToken: 'garbage' })), 'InvalidToken');
    await rejectsAws(c.send(new SendTaskFailureCommand({ taskToken: 'garbage' })), 'InvalidToken');
    await rejectsAws(
      c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken } as never)),
      'ValidationException',
      "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
    );
    // The bad attempts did not touch the task: it can still succeed.
    await c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"ok"' }));
    assert.equal((await waitForEnd(c, executionArn)).output, '"ok"');
  });

  it('HeartbeatSeconds count from when a worker takes the task', async () => {
    const activityArn = await activity();
    const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 1, End: true } } });
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('hb-sm'), definition, roleArn: ROLE }));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn }));
    // Queued for longer than HeartbeatSeconds: still waiting for a worker, not timed out.
    await new Promise((r) => setTimeout(r, 1500));
    const t = await c.send(new GetActivityTaskCommand({ activityArn, workerName: 'late-worker' }));
    assert.ok(t.taskToken);
    const takenAt = Date.now();
    // No heartbeat from the worker: the task times out about a second after it was taken.
    const end = await waitForEnd(c, executionArn!, 5000);
    assert.equal(end.status, 'FAILED');
    assert.equal(end.error, 'States.HeartbeatTimeout');
    const elapsed = end.stopDate!.getTime() - takenAt;
    assert.ok(elapsed >= 900 && elapsed < 2500, `timed out ${elapsed} ms after the worker took it`);
  });
});
