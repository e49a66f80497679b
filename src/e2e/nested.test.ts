/**
 * E2E: nested workflows through the real server with @aws-sdk/client-sfn — a Task with
 * `arn:aws:states:::states:startExecution` in each pattern (request-response, `.sync`, `.sync:2`,
 * `.waitForTaskToken`), children's failures, timeouts and aborts, a parent that stops its child,
 * refused starts, version and alias ARNs, the children as DescribeExecution / ListExecutions show them,
 * and a restart that re-invokes the task and finds the child it started.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type ExecutionListItem,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { childExecutionName } from '../runtime/tasks/integrations/states.js';
import { Cancellation } from '../runtime/tasks/types.js';
import type { JsonObject } from '../shared/json.js';
import { ROLE, smArn, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const SE = 'arn:aws:states:::states:startExecution';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ABORT_CAUSE = (parent: string) => `The Task state in AWS Step Functions execution [${parent}] which was managing this resource was aborted`;

let srv: TestServer;
let c: SFNClient;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
});
after(() => srv.close());

/** A child that returns its context object and its input. */
const ECHO = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'execution.$': '$$.Execution', 'input.$': '$' }, End: true } } });
const WAIT = (seconds: number) => JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: seconds, End: true } } });
const FAIL = JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Child.Broke', Cause: 'the child broke' } } });

async function machine(definition: string, client = c, opts: { publish?: boolean; type?: 'EXPRESS' } = {}): Promise<{ arn: string; version?: string }> {
  const r = await client.send(new CreateStateMachineCommand({ name: uniqueName('nested'), definition, roleArn: ROLE, publish: opts.publish, type: opts.type }));
  return { arn: r.stateMachineArn!, version: r.stateMachineVersionArn };
}

/** A parent whose one Task starts the child `target` with `resource` and these extra parameters. */
function parentOf(suffix: string, target: string, extra: Record<string, unknown> = {}, state: Record<string, unknown> = {}): string {
  return JSON.stringify({
    StartAt: 'Nest',
    States: { Nest: { Type: 'Task', Resource: SE + suffix, Parameters: { StateMachineArn: target, ...extra }, End: true, ...state } },
  });
}

async function start(stateMachineArn: string, input: unknown = {}, client = c): Promise<string> {
  return (await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }))).executionArn!;
}

async function history(executionArn: string, client = c): Promise<HistoryEvent[]> {
  return (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

async function children(stateMachineArn: string, client = c): Promise<ExecutionListItem[]> {
  return (await client.send(new ListExecutionsCommand({ stateMachineArn }))).executions!;
}

/** Polls until the state machine has `n` executions. */
async function childrenOf(stateMachineArn: string, n = 1, client = c): Promise<ExecutionListItem[]> {
  const until = Date.now() + 10000;
  for (;;) {
    const list = await children(stateMachineArn, client);
    if (list.length >= n) return list;
    if (Date.now() > until) assert.fail(`no child of ${stateMachineArn}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function statusOf(executionArn: string, status: string, client = c): Promise<void> {
  const until = Date.now() + 10000;
  for (;;) {
    const d = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status === status) return;
    if (Date.now() > until) assert.fail(`${executionArn} is ${d.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const taskEvents = (h: HistoryEvent[]) => h.filter((e) => e.type!.startsWith('Task') && !e.type!.startsWith('TaskState'));

describe('states:startExecution', { concurrency: true }, () => {
  it('request-response: the StartExecution response with the SDK metadata; the child runs on its own', async () => {
    const child = await machine(ECHO);
    const parent = await machine(parentOf('', child.arn, { Input: { order: 7, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } }));
    const before = Date.now();
    const arn = await start(parent.arn);
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'SUCCEEDED');
    const out = JSON.parse(d.output!) as Record<string, any>;
    assert.deepEqual(Object.keys(out), ['ExecutionArn', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StartDate']);
    assert.equal(typeof out.StartDate, 'number');
    assert.ok(out.StartDate >= before - 1000 && out.StartDate <= Date.now(), 'StartDate in epoch milliseconds');
    assert.equal(out.SdkHttpMetadata.HttpStatusCode, 200);
    assert.equal(out.SdkHttpMetadata.HttpHeaders['x-amzn-RequestId'], out.SdkResponseMetadata.RequestId);
    // The child: an execution of the child machine, named like a UUID, given the input and the parent's id.
    const [item] = await childrenOf(child.arn);
    assert.equal(item!.executionArn, out.ExecutionArn);
    assert.match(item!.name!, UUID);
    const cd = await waitForEnd(c, out.ExecutionArn);
    assert.deepEqual(JSON.parse(cd.input!), { order: 7, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: arn });
    // Its context object is its own.
    const echo = JSON.parse(cd.output!) as { execution: Record<string, unknown> };
    assert.equal(echo.execution.Id, out.ExecutionArn);
    assert.equal(echo.execution.Name, item!.name);
    assert.deepEqual(echo.execution.Input, { order: 7, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: arn });
    assert.equal(echo.execution.RoleArn, ROLE);
    const h = taskEvents(await history(arn));
    assert.deepEqual(
      h.map((e) => e.type),
      ['TaskScheduled', 'TaskStarted', 'TaskSucceeded'],
    );
    assert.deepEqual(h[0]!.taskScheduledEventDetails, {
      resourceType: 'states',
      resource: 'startExecution',
      region: 'us-east-1',
      parameters: JSON.stringify({ StateMachineArn: child.arn, Input: { order: 7, AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: arn } }),
    });
    assert.deepEqual(h[1]!.taskStartedEventDetails, { resourceType: 'states', resource: 'startExecution' });
    assert.equal(h[2]!.taskSucceededEventDetails!.resource, 'startExecution');
  });

  it('.sync: waits for the child; DescribeExecution in PascalCase with Input and Output as JSON text', async () => {
    const child = await machine(ECHO);
    const parent = await machine(parentOf('.sync', child.arn, { 'Input.$': '$.payload' }));
    const arn = await start(parent.arn, { payload: { n: 1 } });
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!) as Record<string, any>;
    assert.deepEqual(Object.keys(out), [
      'ExecutionArn',
      'Input',
      'InputDetails',
      'Name',
      'Output',
      'OutputDetails',
      'RedriveCount',
      'RedriveStatus',
      'RedriveStatusReason',
      'StartDate',
      'StateMachineArn',
      'Status',
      'StopDate',
    ]);
    const cd = await c.send(new DescribeExecutionCommand({ executionArn: out.ExecutionArn }));
    assert.equal(out.Input, '{"n":1}');
    assert.equal(out.Output, cd.output);
    assert.deepEqual(JSON.parse(out.Output as string).input, { n: 1 });
    assert.deepEqual(out.InputDetails, { Included: true });
    assert.deepEqual(out.OutputDetails, { Included: true });
    assert.equal(out.Name, cd.name);
    assert.equal(out.Status, 'SUCCEEDED');
    assert.equal(out.StateMachineArn, child.arn);
    assert.equal(out.StartDate, cd.startDate!.getTime());
    assert.equal(out.StopDate, cd.stopDate!.getTime());
    assert.equal(out.RedriveCount, 0);
    assert.equal(out.RedriveStatus, 'NOT_REDRIVABLE');
    assert.equal(out.RedriveStatusReason, 'Execution is SUCCEEDED and cannot be redriven');
    // TaskSubmitted holds the StartExecution response, between TaskStarted and TaskSucceeded.
    const h = taskEvents(await history(arn));
    assert.deepEqual(
      h.map((e) => [e.type, e.previousEventId]),
      [
        ['TaskScheduled', 2],
        ['TaskStarted', 3],
        ['TaskSubmitted', 4],
        ['TaskSucceeded', 5],
      ],
    );
    const submitted = h[2]!.taskSubmittedEventDetails!;
    assert.equal(submitted.resourceType, 'states');
    assert.equal(submitted.resource, 'startExecution.sync');
    assert.deepEqual(submitted.outputDetails, { truncated: false });
    const response = JSON.parse(submitted.output!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(response), ['ExecutionArn', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StartDate']);
    assert.equal(response.ExecutionArn, out.ExecutionArn);
    assert.equal(response.StartDate, out.StartDate);
    assert.equal(h[3]!.taskSucceededEventDetails!.resource, 'startExecution.sync');
  });

  it('.sync:2: the same with Input and Output as JSON values (a Choice can read them)', async () => {
    const child = await machine(JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { verdict: 'ok', list: [1, 2] }, End: true } } }));
    const parent = await machine(
      JSON.stringify({
        StartAt: 'Nest',
        States: {
          Nest: { Type: 'Task', Resource: `${SE}.sync:2`, Parameters: { StateMachineArn: child.arn, Input: { q: 'x' } }, ResultPath: '$.nested', Next: 'Check' },
          Check: { Type: 'Choice', Choices: [{ Variable: '$.nested.Output.verdict', StringEquals: 'ok', Next: 'Good' }], Default: 'Bad' },
          Good: { Type: 'Pass', OutputPath: '$.nested', End: true },
          Bad: { Type: 'Fail', Error: 'Bad' },
        },
      }),
    );
    const d = await waitForEnd(c, await start(parent.arn));
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!) as Record<string, unknown>;
    assert.deepEqual(out.Input, { q: 'x' });
    assert.deepEqual(out.Output, { verdict: 'ok', list: [1, 2] });
    assert.equal(out.Status, 'SUCCEEDED');
  });

  it('.sync with an Express child: waits for it in memory; its description has no redrive fields', async () => {
    const child = await machine(ECHO, c, { type: 'EXPRESS' });
    const d = await waitForEnd(c, await start((await machine(parentOf('.sync:2', child.arn, { Input: { e: 1 } }))).arn));
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!) as Record<string, any>;
    assert.match(out.ExecutionArn, /:express:/);
    assert.deepEqual(Object.keys(out), ['ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', 'OutputDetails', 'StartDate', 'StateMachineArn', 'Status', 'StopDate']);
    assert.deepEqual(out.Output.input, { e: 1 });
  });

  it('.waitForTaskToken: the child gets the token; the parent waits for SendTaskSuccess with it', async () => {
    const child = await machine(ECHO);
    const parent = await machine(parentOf('.waitForTaskToken', child.arn, { Input: { 'token.$': '$$.Task.Token', order: 9 } }, { HeartbeatSeconds: 600 }));
    const arn = await start(parent.arn);
    const [item] = await childrenOf(child.arn);
    const cd = await waitForEnd(c, item!.executionArn!);
    const { token } = JSON.parse(cd.input!) as { token: string };
    assert.equal(typeof token, 'string');
    // The child has ended; the parent still waits for the token.
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn: arn }))).status, 'RUNNING');
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { approved: true });
    const h = taskEvents(await history(arn));
    assert.deepEqual(
      h.map((e) => e.type),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    assert.equal(h[0]!.taskScheduledEventDetails!.heartbeatInSeconds, 600);
    assert.equal(JSON.parse(h[2]!.taskSubmittedEventDetails!.output!).ExecutionArn, item!.executionArn);
    assert.equal(h[2]!.taskSubmittedEventDetails!.resource, 'startExecution.waitForTaskToken');
  });

  it('a failed child fails the .sync task with States.TaskFailed and its description as the cause', async () => {
    const child = await machine(FAIL);
    const parent = await machine(parentOf('.sync', child.arn, { Input: { a: 1 } }));
    const arn = await start(parent.arn);
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'States.TaskFailed');
    const cause = JSON.parse(d.cause!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(cause), [
      'Cause',
      'Error',
      'ExecutionArn',
      'Input',
      'InputDetails',
      'Name',
      'RedriveCount',
      'RedriveStatus',
      'StartDate',
      'StateMachineArn',
      'Status',
      'StopDate',
    ]);
    assert.equal(cause.Status, 'FAILED');
    assert.equal(cause.Error, 'Child.Broke');
    assert.equal(cause.Cause, 'the child broke');
    assert.equal(cause.Input, '{"a":1}');
    assert.equal(cause.RedriveStatus, 'REDRIVABLE');
    const failed = (await history(arn)).find((e) => e.type === 'TaskFailed')!;
    assert.deepEqual(failed.taskFailedEventDetails, { resourceType: 'states', resource: 'startExecution.sync', error: 'States.TaskFailed', cause: d.cause });
  });

  it('.sync:2: a Catch on States.TaskFailed gets the failed child parsed in the cause', async () => {
    const child = await machine(FAIL);
    const parent = await machine(
      JSON.stringify({
        StartAt: 'Nest',
        States: {
          Nest: { Type: 'Task', Resource: `${SE}.sync:2`, Parameters: { StateMachineArn: child.arn, Input: { a: 2 } }, Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.err', Next: 'Done' }], End: true },
          Done: { Type: 'Pass', End: true },
        },
      }),
    );
    const d = await waitForEnd(c, await start(parent.arn));
    assert.equal(d.status, 'SUCCEEDED');
    const { err } = JSON.parse(d.output!) as { err: { Error: string; Cause: string } };
    assert.equal(err.Error, 'States.TaskFailed');
    const cause = JSON.parse(err.Cause) as Record<string, unknown>;
    assert.deepEqual(cause.Input, { a: 2 });
    assert.equal(cause.Error, 'Child.Broke');
  });

  it('a child that times out, or is stopped, fails the task with its status in the cause', async () => {
    const slow = await machine(JSON.stringify({ TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }));
    const timedOut = await waitForEnd(c, await start((await machine(parentOf('.sync', slow.arn))).arn), 15000);
    assert.equal(timedOut.error, 'States.TaskFailed');
    const tc = JSON.parse(timedOut.cause!) as Record<string, unknown>;
    assert.equal(tc.Status, 'TIMED_OUT');
    // As DescribeExecution describes a timed-out execution: no error or cause of its own.
    assert.equal(tc.Error, (await c.send(new DescribeExecutionCommand({ executionArn: tc.ExecutionArn as string }))).error);

    const waiting = await machine(WAIT(3600));
    const arn = await start((await machine(parentOf('.sync:2', waiting.arn))).arn);
    const [item] = await childrenOf(waiting.arn);
    await c.send(new StopExecutionCommand({ executionArn: item!.executionArn, error: 'Ops.Stop', cause: 'stopped by hand' }));
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'States.TaskFailed');
    const ac = JSON.parse(d.cause!) as Record<string, unknown>;
    assert.deepEqual([ac.Status, ac.Error, ac.Cause], ['ABORTED', 'Ops.Stop', 'stopped by hand']);
  });

  it('stopping the parent stops its .sync child, with the cause AWS gives', async () => {
    const waiting = await machine(WAIT(3600));
    const parentArn = await start((await machine(parentOf('.sync', waiting.arn))).arn);
    const [item] = await childrenOf(waiting.arn);
    await statusOf(item!.executionArn!, 'RUNNING');
    await c.send(new StopExecutionCommand({ executionArn: parentArn }));
    await statusOf(item!.executionArn!, 'ABORTED');
    const cd = await c.send(new DescribeExecutionCommand({ executionArn: item!.executionArn }));
    assert.equal(cd.error, undefined);
    assert.equal(cd.cause, ABORT_CAUSE(parentArn));
    const aborted = (await history(item!.executionArn!)).find((e) => e.type === 'ExecutionAborted')!;
    assert.deepEqual(aborted.executionAbortedEventDetails, { cause: ABORT_CAUSE(parentArn) });
  });

  it('a failing sibling branch stops the .sync child of the other branch', async () => {
    const waiting = await machine(WAIT(3600));
    const parent = await machine(
      JSON.stringify({
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Nest', States: { Nest: { Type: 'Task', Resource: `${SE}.sync`, Parameters: { StateMachineArn: waiting.arn }, End: true } } },
              { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 1, Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Sibling.Failed' } } },
            ],
            End: true,
          },
        },
      }),
    );
    const parentArn = await start(parent.arn);
    const [item] = await childrenOf(waiting.arn);
    const d = await waitForEnd(c, parentArn, 15000);
    assert.deepEqual([d.status, d.error], ['FAILED', 'Sibling.Failed']);
    await statusOf(item!.executionArn!, 'ABORTED');
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn: item!.executionArn }))).cause, ABORT_CAUSE(parentArn));
  });

  it("the task's TimeoutSeconds stops the child too; a request-response child is left running", async () => {
    const waiting = await machine(WAIT(3600));
    const parentArn = await start((await machine(parentOf('.sync', waiting.arn, {}, { TimeoutSeconds: 1 }))).arn);
    const d = await waitForEnd(c, parentArn, 15000);
    assert.deepEqual([d.status, d.error], ['FAILED', 'States.Timeout']);
    const [item] = await children(waiting.arn);
    await statusOf(item!.executionArn!, 'ABORTED');

    const other = await machine(WAIT(3600));
    const rr = await waitForEnd(c, await start((await machine(parentOf('', other.arn))).arn));
    assert.equal(rr.status, 'SUCCEEDED');
    const [running] = await childrenOf(other.arn);
    assert.equal(running!.status, 'RUNNING');
    await c.send(new StopExecutionCommand({ executionArn: running!.executionArn }));
  });

  it('a refused start fails the task with StepFunctions.<Error>Exception and the SDK-style message', async () => {
    const missing = smArn(uniqueName('missing'));
    const d1 = await waitForEnd(c, await start((await machine(parentOf('.sync', missing))).arn));
    assert.equal(d1.error, 'StepFunctions.StateMachineDoesNotExistException');
    assert.match(d1.cause!, new RegExp(`^State Machine Does Not Exist: '${missing}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`));
    const types = (await history((await c.send(new ListExecutionsCommand({ stateMachineArn: d1.stateMachineArn }))).executions![0]!.executionArn!)).map((e) => e.type);
    assert.deepEqual(types, ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskFailed', 'ExecutionFailed']);

    const child = await machine(WAIT(3600));
    const name = uniqueName('taken');
    const taken = await c.send(new StartExecutionCommand({ stateMachineArn: child.arn, name, input: '{"a":1}' }));
    // The same name and input while it runs: StartExecution is idempotent, the task gets that execution.
    const same = await waitForEnd(c, await start((await machine(parentOf('', child.arn, { Name: name, Input: { a: 1 } }))).arn));
    assert.equal(same.status, 'SUCCEEDED');
    assert.equal(JSON.parse(same.output!).ExecutionArn, taken.executionArn);
    // Another input: ExecutionAlreadyExists, which a Catch can take by its name.
    const parent = await machine(
      JSON.stringify({
        StartAt: 'Nest',
        States: {
          Nest: { Type: 'Task', Resource: SE, Parameters: { StateMachineArn: child.arn, Name: name, Input: { a: 2 } }, Catch: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], Next: 'Exists' }], End: true },
          Exists: { Type: 'Pass', End: true },
        },
      }),
    );
    const d2 = await waitForEnd(c, await start(parent.arn));
    assert.equal(d2.status, 'SUCCEEDED');
    const caught = JSON.parse(d2.output!) as { Error: string; Cause: string };
    assert.equal(caught.Error, 'StepFunctions.ExecutionAlreadyExistsException');
    assert.match(caught.Cause, new RegExp(`^Execution Already Exists: '${taken.executionArn}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists;`));
    await c.send(new StopExecutionCommand({ executionArn: taken.executionArn }));

    const d3 = await waitForEnd(c, await start((await machine(parentOf('', child.arn, { Input: 'not json' }))).arn));
    assert.equal(d3.error, 'StepFunctions.InvalidExecutionInputException');
    assert.match(d3.cause!, /^Invalid State Machine Execution Input: '.*' \(Service: AWSStepFunctions; Status Code: 400; Error Code: InvalidExecutionInput;/);

    const d4 = await waitForEnd(c, await start((await machine(parentOf('', child.arn, { Name: 'bad name?' }))).arn));
    assert.equal(d4.error, 'StepFunctions.InvalidNameException');
  });

  it('Input given as JSON text is the child input as it is', async () => {
    const child = await machine(ECHO);
    const d = await waitForEnd(c, await start((await machine(parentOf('.sync:2', child.arn, { 'Input.$': 'States.JsonToString($.doc)' }))).arn, { doc: { k: [1] } }));
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual((JSON.parse(d.output!) as { Input: unknown }).Input, { k: [1] });
  });

  it('a version or an alias ARN as StateMachineArn: the child runs that version and says so', async () => {
    const child = await machine(ECHO, c, { publish: true });
    const alias = (await c.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: child.version!, weight: 100 }] }))).stateMachineAliasArn!;
    const viaAlias = await waitForEnd(c, await start((await machine(parentOf('.sync:2', alias))).arn));
    assert.equal(viaAlias.status, 'SUCCEEDED', viaAlias.cause);
    const out = JSON.parse(viaAlias.output!) as Record<string, unknown>;
    assert.equal(out.StateMachineArn, child.arn);
    assert.equal(out.StateMachineAliasArn, alias);
    assert.equal(out.StateMachineVersionArn, child.version);
    const cd = await c.send(new DescribeExecutionCommand({ executionArn: out.ExecutionArn as string }));
    assert.equal(cd.stateMachineAliasArn, alias);
    assert.equal(cd.stateMachineVersionArn, child.version);

    const viaVersion = await waitForEnd(c, await start((await machine(parentOf('', child.version!))).arn));
    const started = JSON.parse(viaVersion.output!) as { ExecutionArn: string };
    assert.equal((await waitForEnd(c, started.ExecutionArn)).stateMachineVersionArn, child.version);
    // ListExecutions by version or alias finds the children started through them.
    assert.deepEqual((await children(child.version!)).map((e) => e.executionArn).sort(), [out.ExecutionArn, started.ExecutionArn].sort());
    assert.deepEqual((await children(alias)).map((e) => e.executionArn), [out.ExecutionArn]);
  });

  it('children in ListExecutions and DescribeExecution: one per parent, each naming its parent', async () => {
    const child = await machine(ECHO);
    const parent = await machine(parentOf('.sync', child.arn, { Input: { 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' } }));
    const parents = await Promise.all([start(parent.arn), start(parent.arn), start(parent.arn)]);
    const outs = await Promise.all(parents.map(async (p) => JSON.parse((await waitForEnd(c, p)).output!) as { ExecutionArn: string }));
    const list = await children(child.arn);
    assert.equal(list.length, 3);
    assert.deepEqual(list.map((e) => e.executionArn).sort(), outs.map((o) => o.ExecutionArn).sort());
    for (const [i, p] of parents.entries()) {
      const cd = await c.send(new DescribeExecutionCommand({ executionArn: outs[i]!.ExecutionArn }));
      assert.equal(cd.status, 'SUCCEEDED');
      assert.deepEqual(JSON.parse(cd.input!), { AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: p });
    }
  });
});

/**
 * Invokes the Task `Nest` of a parent again, as a restarted engine does (same sequence number, attempt
 * 0, so the same idempotency key); resolves with what the invocation reported.
 */
function invokeAgain(
  server: TestServer,
  parentArn: string,
  parentMachine: string,
  task: { seq: number; pattern: 'request-response' | 'sync' | 'callback'; input: Record<string, unknown> },
): Promise<{ k: 'succeeded' | 'failed' | 'detached'; value?: unknown }> {
  const suffix = task.pattern === 'sync' ? '.sync' : task.pattern === 'callback' ? '.waitForTaskToken' : '';
  return new Promise((resolve) => {
    server.running.engine.invokeTask(
      {
        k: 'invokeTask',
        seq: task.seq,
        stateName: 'Nest',
        resource: { kind: 'service', arn: SE + suffix, service: 'states', action: `startExecution${suffix}`, api: 'startExecution', pattern: task.pattern },
        input: task.input as JsonObject,
        timeoutSeconds: undefined,
        heartbeatSeconds: undefined,
        token: undefined,
        attempt: 0,
        credentials: undefined,
      },
      { executionArn: parentArn, stateMachineArn: parentMachine, idempotencyKey: `${parentArn}/Nest/${task.seq}/0`, region: 'us-east-1', accountId: '123456789012', cancel: new Cancellation() },
      {
        started() {},
        heartbeat() {},
        submitted() {},
        detach: () => resolve({ k: 'detached' }),
        succeeded: (value) => resolve({ k: 'succeeded', value }),
        failed: (error, cause) => resolve({ k: 'failed', value: { error, cause } }),
      },
    );
  });
}

describe('states:startExecution invoked again (after a restart)', () => {
  it('the task invoked again finds the child it started (one child), and waits for it from the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-nested-'));
    const db = join(dir, 'stepwise.db');
    try {
      let s1: TestServer | undefined = await startTestServer({ db });
      const child = await machine(WAIT(1), s1.client);
      const parent = await machine(parentOf('.sync', child.arn, { Input: { from: 'parent' } }), s1.client);
      const parentArn = await start(parent.arn, {}, s1.client);
      const [first] = await childrenOf(child.arn, 1, s1.client);
      await statusOf(first!.executionArn!, 'RUNNING', s1.client);
      await s1.close();
      s1 = undefined;
      // A new process on the same database: the parent's task is invoked again.
      const s2 = await startTestServer({ db });
      try {
        const d = await waitForEnd(s2.client, parentArn, 15000);
        assert.equal(d.status, 'SUCCEEDED', d.cause);
        const list = await children(child.arn, s2.client);
        assert.equal(list.length, 1, 'one child');
        assert.equal(JSON.parse(d.output!).ExecutionArn, first!.executionArn);
        const h = await history(parentArn, s2.client);
        assert.equal(h.filter((e) => e.type === 'TaskSubmitted').length, 1);
        // The same task invoked again once more (its child has ended): the child's result at once, no new child.
        // (The task was the execution's second sequence number: the first is its execution timeout.)
        assert.equal(childExecutionName(`${parentArn}/Nest/2/0`), first!.name);
        const outcome = await invokeAgain(s2, parentArn, parent.arn, { seq: 2, pattern: 'sync', input: { StateMachineArn: child.arn, Input: { from: 'parent' } } });
        assert.equal(outcome.k, 'succeeded', JSON.stringify(outcome.value));
        assert.equal((outcome.value as { ExecutionArn: string }).ExecutionArn, first!.executionArn);
        assert.equal((await children(child.arn, s2.client)).length, 1);
      } finally {
        await s2.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a Name: a child of that name and input started since the task was scheduled is its own; an older one is not', async () => {
    const child = await machine(ECHO);
    const name = uniqueName('named');
    const parent = await machine(parentOf('.waitForTaskToken', child.arn, { Name: name, Input: { 'token.$': '$$.Task.Token' } }));
    const parentArn = await start(parent.arn);
    const [item] = await childrenOf(child.arn);
    const { token } = JSON.parse((await waitForEnd(c, item!.executionArn!)).input!) as { token: string };
    // The child has ended; the task, still waiting for its token, is invoked again: it takes that child.
    const again = await invokeAgain(srv, parentArn, parent.arn, { seq: 2, pattern: 'callback', input: { StateMachineArn: child.arn, Name: name, Input: { token } } });
    assert.equal(again.k, 'detached');
    assert.equal((await children(child.arn)).length, 1);
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: '"done"' }));
    assert.equal((await waitForEnd(c, parentArn)).output, '"done"');
    assert.equal((await history(parentArn)).filter((e) => e.type === 'TaskSubmitted').length, 1);

    // A child of that name that ended before the task was scheduled is someone else's.
    const older = uniqueName('older');
    await waitForEnd(c, (await c.send(new StartExecutionCommand({ stateMachineArn: child.arn, name: older, input: '{}' }))).executionArn!);
    const d = await waitForEnd(c, await start((await machine(parentOf('', child.arn, { Name: older, Input: {} }))).arn));
    assert.equal(d.error, 'StepFunctions.ExecutionAlreadyExistsException');
  });
});
