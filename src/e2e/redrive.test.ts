/**
 * E2E through the real server (SQLite) with @aws-sdk/client-sfn and the AWS CLI: RedriveExecution,
 * DescribeExecution's redrive fields, ListExecutions' redriveFilter, with AWS's errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliDataPath } from './cli-model.js';
import { cli, hasCli, rejectsAws, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

/** Takes the next task of the activity (GetActivityTask), with what its Parameters said about it. */
async function take(activityArn: string): Promise<{ token: string; input: { branch: string } }> {
  const t = await c.send(new GetActivityTaskCommand({ activityArn, workerName: 'redrive-test' }));
  assert.ok(t.taskToken, 'a task is waiting');
  return { token: t.taskToken, input: JSON.parse(t.input!) };
}

async function parallelOfTwo(): Promise<{ activityArn: string; stateMachineArn: string }> {
  const { activityArn } = await c.send(new CreateActivityCommand({ name: uniqueName('redrive-act') }));
  const branch = (name: string) => ({
    StartAt: name,
    States: { [name]: { Type: 'Task', Resource: activityArn, Parameters: { branch: name }, TimeoutSeconds: 60, End: true } },
  });
  const definition = JSON.stringify({
    StartAt: 'Before',
    States: {
      Before: { Type: 'Pass', Result: 'done once', ResultPath: '$.before', Next: 'Both' },
      Both: { Type: 'Parallel', Branches: [branch('Left'), branch('Right')], End: true },
    },
  });
  const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('redrive-sm'), definition, roleArn: ROLE }));
  return { activityArn: activityArn!, stateMachineArn: stateMachineArn! };
}

describe('RedriveExecution', () => {
  it('re-runs only the failed branch, counts the redrive, and answers a client token once', async () => {
    const { activityArn, stateMachineArn } = await parallelOfTwo();
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: '{"n":1}' }));
    const first = [await take(activityArn), await take(activityArn)];
    const left = first.find((t) => t.input.branch === 'Left')!;
    const right = first.find((t) => t.input.branch === 'Right')!;
    await c.send(new SendTaskSuccessCommand({ taskToken: left.token, output: '{"left":"ok"}' }));
    await c.send(new SendTaskFailureCommand({ taskToken: right.token, error: 'Flaky', cause: 'try again' }));
    const failed = await waitForEnd(c, executionArn!);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.redriveCount, 0);
    assert.equal(failed.redriveStatus, 'REDRIVABLE');
    assert.equal(failed.redriveDate, undefined);

    const r1 = await c.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-A' }));
    assert.ok(r1.redriveDate instanceof Date);
    const running = await c.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.redriveCount, 1);
    assert.equal(running.redriveDate?.getTime(), r1.redriveDate.getTime());
    assert.equal(running.redriveStatus, 'NOT_REDRIVABLE');
    assert.equal(running.redriveStatusReason, 'Execution is RUNNING and cannot be redriven');
    assert.equal(running.stopDate, undefined);
    assert.equal(running.error, undefined);

    // The same client token answers with the first redrive's date; another one is refused while running.
    const again = await c.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-A' }));
    assert.equal(again.redriveDate?.getTime(), r1.redriveDate.getTime());
    await rejectsAws(
      c.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-B' })),
      'ExecutionNotRedrivable',
      `Execution ${executionArn} invalid for redrive as: Execution is RUNNING and cannot be redriven`,
    );
    // The failed attempt's token is over.
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: right.token, output: '{}' })), 'TaskTimedOut');

    // Only the failed branch runs again.
    const retry = await take(activityArn);
    assert.equal(retry.input.branch, 'Right');
    await c.send(new SendTaskSuccessCommand({ taskToken: retry.token, output: '{"right":"ok"}' }));
    const done = await waitForEnd(c, executionArn!);
    assert.equal(done.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(done.output!), [{ left: 'ok' }, { right: 'ok' }]);
    assert.equal(done.redriveCount, 1);
    assert.equal(done.redriveStatusReason, 'Execution is SUCCEEDED and cannot be redriven');
    assert.equal(done.error, undefined);
    const empty = await c.send(new GetActivityTaskCommand({ activityArn, workerName: 'late' }), { abortSignal: AbortSignal.timeout(1500) }).catch(() => ({ taskToken: undefined }));
    assert.equal(empty.taskToken, undefined, 'the branch that succeeded did not run again');

    const { events } = await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const types = events!.map((e) => e.type);
    assert.equal(types.filter((t) => t === 'PassStateEntered').length, 1, 'Before ran once');
    assert.equal(types.filter((t) => t === 'ActivityScheduled').length, 3);
    const redriven = events!.find((e) => e.type === 'ExecutionRedriven')!;
    assert.deepEqual(redriven.executionRedrivenEventDetails, { redriveCount: 1 });
    assert.equal(events![redriven.id! - 2]!.type, 'ExecutionFailed');
    assert.equal(redriven.previousEventId, redriven.id! - 1);
    assert.deepEqual(
      events!.map((e) => e.id),
      events!.map((_, i) => i + 1),
      'ids are 1..n with no gap',
    );

    // Replaying the successful token still answers; a new one is refused.
    const replay = await c.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-A' }));
    assert.equal(replay.redriveDate?.getTime(), r1.redriveDate.getTime());
    await rejectsAws(
      c.send(new RedriveExecutionCommand({ executionArn, clientToken: 'token-C' })),
      'ExecutionNotRedrivable',
      `Execution ${executionArn} invalid for redrive as: Execution is SUCCEEDED and cannot be redriven`,
    );
  });

  it('redrives an aborted execution and a Fail state fails again', async () => {
    const { activityArn } = await c.send(new CreateActivityCommand({ name: uniqueName('redrive-act') }));
    const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, Next: 'Stop' }, Stop: { Type: 'Fail', Error: 'Final', Cause: 'by design' } } });
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('redrive-sm'), definition, roleArn: ROLE }));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn }));
    await srv.client.send(new DescribeExecutionCommand({ executionArn }));
    await new Promise((r) => setTimeout(r, 50));
    const { StopExecutionCommand } = await import('@aws-sdk/client-sfn');
    await c.send(new StopExecutionCommand({ executionArn, error: 'Manual', cause: 'stopped' }));
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn }))).redriveStatus, 'REDRIVABLE');
    await c.send(new RedriveExecutionCommand({ executionArn }));
    const t = await c.send(new GetActivityTaskCommand({ activityArn }));
    await c.send(new SendTaskSuccessCommand({ taskToken: t.taskToken, output: '{}' }));
    const end = await waitForEnd(c, executionArn!);
    assert.deepEqual([end.status, end.error, end.cause, end.redriveCount], ['FAILED', 'Final', 'by design', 1]);
    // The Fail state's failure can be redriven again: it fails the same way, without a new FailStateEntered.
    await c.send(new RedriveExecutionCommand({ executionArn }));
    const end2 = await waitForEnd(c, executionArn!);
    assert.deepEqual([end2.status, end2.error, end2.redriveCount], ['FAILED', 'Final', 2]);
    const { events } = await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const tail = events!.slice(-2).map((e) => e.type);
    assert.deepEqual(tail, ['ExecutionRedriven', 'ExecutionFailed']);
    assert.equal(events!.filter((e) => e.type === 'FailStateEntered').length, 1);
  });

  it('refuses what cannot be redriven, with AWS errors', async () => {
    const { stateMachineArn } = await c.send(
      new CreateStateMachineCommand({ name: uniqueName('redrive-ok'), definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), roleArn: ROLE }),
    );
    const missing = `${stateMachineArn!.replace(':stateMachine:', ':execution:')}:nope`;
    await rejectsAws(c.send(new RedriveExecutionCommand({ executionArn: missing })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${missing}'`);
    await rejectsAws(c.send(new RedriveExecutionCommand({ executionArn: 'not-an-arn' })), 'InvalidArn');
    await rejectsAws(c.send(new RedriveExecutionCommand({ executionArn: missing, clientToken: '' })), 'ValidationException');

    const { stateMachineArn: expressArn } = await c.send(
      new CreateStateMachineCommand({ name: uniqueName('redrive-x'), type: 'EXPRESS', definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }), roleArn: ROLE }),
    );
    const sync = await c.send(new StartSyncExecutionCommand({ stateMachineArn: expressArn }));
    await rejectsAws(c.send(new RedriveExecutionCommand({ executionArn: sync.executionArn })), 'InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");

    await rejectsAws(
      c.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'REDRIVEN' })),
      'ValidationException',
      'RedriveFilter cannot be applied to ListExecutions call with StateMachine ARN',
    );
  });

  it('works from the AWS CLI', { skip: !hasCli() && 'no AWS CLI on this machine (CI installs the Debian awscli package)' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-cli-model-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const dataPath = cliDataPath(dir);
    const env = dataPath ? { AWS_DATA_PATH: dataPath } : {};
    const { activityArn } = await c.send(new CreateActivityCommand({ name: uniqueName('redrive-cli') }));
    const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName('redrive-cli'), definition, roleArn: ROLE }));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn }));
    const t = await c.send(new GetActivityTaskCommand({ activityArn }));
    await c.send(new SendTaskFailureCommand({ taskToken: t.taskToken, error: 'Oops' }));
    await waitForEnd(c, executionArn!);
    const r = await cli(srv.endpoint, ['redrive-execution', '--execution-arn', executionArn!, '--client-token', 'cli-1'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(typeof r.json?.redriveDate, 'string');
    const d = await cli(srv.endpoint, ['describe-execution', '--execution-arn', executionArn!], env);
    assert.equal(d.json?.redriveCount, 1);
    assert.equal(d.json?.status, 'RUNNING');
    const refused = await cli(srv.endpoint, ['redrive-execution', '--execution-arn', executionArn!], env);
    assert.equal(refused.code, 254);
    assert.match(refused.stderr, /ExecutionNotRedrivable/);
  });
});
