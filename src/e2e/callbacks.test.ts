/**
 * E2E: callbacks with a task token, end to end — `arn:aws:states:::lambda:invoke.waitForTaskToken` with a
 * local function (a functions folder given to the server) that records `$$.Task.Token` from its payload;
 * the test answers with SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat through
 * @aws-sdk/client-sfn and through the AWS CLI (`send-task-success` …), and checks the histories:
 * HeartbeatSeconds and TimeoutSeconds enforced, a wrong token InvalidToken, a finished task's token
 * TaskTimedOut.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { cliDataPath } from './cli-model.js';
import { AWS_CLI, assertCliError, cliBatch, hasCli, rejectsAws, ROLE, startTestServer, uniqueName, waitForEnd, type CliResult, type TestServer } from './helpers.js';

const skipCli = hasCli() ? false : `AWS CLI v2 not found at ${AWS_CLI} (CI installs the Debian awscli package)`;
const RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** The local function: records the token (and the event) in `<dir>/<id>.json`, returns a small result. */
const RECORD_TOKEN = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
export async function handler(event, context) {
  mkdirSync(event.dir, { recursive: true });
  writeFileSync(join(event.dir, event.id + '.json'), JSON.stringify({ token: event.token, event, executionArn: context.executionArn }));
  return { recorded: event.id };
}
`;

let root: string;
let tokens: string;
let srv: TestServer;
let c: SFNClient;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'stepwise-callbacks-'));
  const functions = join(root, 'functions');
  mkdirSync(functions);
  writeFileSync(join(functions, 'record-token.mjs'), RECORD_TOKEN);
  tokens = join(root, 'tokens');
  srv = await startTestServer({ functionsDir: functions });
  c = srv.client;
});
after(async () => {
  await srv.close();
  rmSync(root, { recursive: true, force: true });
});

/** A machine whose one Task hands its token to `record-token` and waits (with these extra fields). */
async function callbackMachine(state: Record<string, unknown> = {}, others: Record<string, unknown> = {}): Promise<string> {
  const definition = JSON.stringify({
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: RESOURCE,
        Parameters: { FunctionName: 'record-token', Payload: { 'id.$': '$.id', dir: tokens, 'token.$': '$$.Task.Token' } },
        End: true,
        ...state,
      },
      ...others,
    },
  });
  return (await c.send(new CreateStateMachineCommand({ name: uniqueName('callback'), definition, roleArn: ROLE }))).stateMachineArn!;
}

/** Starts an execution and waits until the function has recorded its token. */
async function started(stateMachineArn: string): Promise<{ executionArn: string; token: string; id: string }> {
  const id = uniqueName('req');
  const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ id }) }));
  const file = join(tokens, `${id}.json`);
  const until = Date.now() + 10000;
  while (!existsSync(file)) {
    if (Date.now() > until) assert.fail(`the function never recorded a token for ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { token: string; executionArn: string };
  assert.equal(rec.executionArn, executionArn);
  return { executionArn: executionArn!, token: rec.token, id };
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

const types = (h: HistoryEvent[]) => h.map((e) => e.type);

describe('lambda:invoke.waitForTaskToken with the SDK', { concurrency: true }, () => {
  it('SendTaskSuccess: the output is the result; the function’s response is in TaskSubmitted', async () => {
    const sm = await callbackMachine();
    const { executionArn, token, id } = await started(sm);
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn }))).status, 'RUNNING');
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true, by: 'ops' }) }));
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { approved: true, by: 'ops' });
    const h = await history(executionArn);
    assert.deepEqual(types(h), ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    assert.deepEqual(
      h.map((e) => [e.id, e.previousEventId]),
      [
        [1, 0],
        [2, 0],
        [3, 2],
        [4, 3],
        [5, 4],
        [6, 5],
        [7, 6],
        [8, 7],
      ],
    );
    const scheduled = h[2]!.taskScheduledEventDetails!;
    assert.deepEqual([scheduled.resourceType, scheduled.resource, scheduled.region], ['lambda', 'invoke.waitForTaskToken', 'us-east-1']);
    assert.deepEqual(JSON.parse(scheduled.parameters!), { FunctionName: 'record-token', Payload: { id, dir: tokens, token } });
    const submitted = h[4]!.taskSubmittedEventDetails!;
    assert.deepEqual([submitted.resourceType, submitted.resource], ['lambda', 'invoke.waitForTaskToken']);
    const envelope = JSON.parse(submitted.output!) as { Payload: unknown; StatusCode: number };
    assert.deepEqual(envelope.Payload, { recorded: id });
    assert.equal(envelope.StatusCode, 200);
    assert.deepEqual(h[5]!.taskSucceededEventDetails, { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"approved":true,"by":"ops"}', outputDetails: { truncated: false } });
    // The task is over: its token is no longer good.
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })), 'TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    await rejectsAws(c.send(new SendTaskHeartbeatCommand({ taskToken: token })), 'TaskTimedOut');
    await rejectsAws(c.send(new SendTaskFailureCommand({ taskToken: token })), 'TaskTimedOut');
  });

  it('SendTaskFailure: the task fails with its error and cause (a Catch can take it)', async () => {
    const sm = await callbackMachine();
    const { executionArn, token } = await started(sm);
    await c.send(new SendTaskFailureCommand({ taskToken: token, error: 'Request.Denied', cause: 'not this time' }));
    const d = await waitForEnd(c, executionArn);
    assert.deepEqual([d.status, d.error, d.cause], ['FAILED', 'Request.Denied', 'not this time']);
    const h = await history(executionArn);
    assert.deepEqual(types(h).slice(-3), ['TaskSubmitted', 'TaskFailed', 'ExecutionFailed']);
    assert.deepEqual(h.at(-2)!.taskFailedEventDetails, { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'Request.Denied', cause: 'not this time' });

    const caught = await callbackMachine({ Catch: [{ ErrorEquals: ['Request.Denied'], ResultPath: '$.denied', Next: 'Denied' }] }, { Denied: { Type: 'Pass', End: true } });
    const second = await started(caught);
    await c.send(new SendTaskFailureCommand({ taskToken: second.token, error: 'Request.Denied', cause: 'again' }));
    const d2 = await waitForEnd(c, second.executionArn);
    assert.equal(d2.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d2.output!), { id: second.id, denied: { Error: 'Request.Denied', Cause: 'again' } });
  });

  it('SendTaskHeartbeat keeps a task with HeartbeatSeconds alive until SendTaskSuccess', async () => {
    const sm = await callbackMachine({ HeartbeatSeconds: 1, TimeoutSeconds: 30 });
    const { executionArn, token } = await started(sm);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 350));
      await c.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn }))).status, 'RUNNING');
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: '"alive"' }));
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.output, '"alive"');
    const scheduled = (await history(executionArn)).find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    assert.deepEqual([scheduled.heartbeatInSeconds, scheduled.timeoutInSeconds], [1, 30]);
  });

  it('no heartbeat within HeartbeatSeconds: States.Timeout (as AWS reports it for service integrations); the token then times out', async () => {
    const sm = await callbackMachine({ HeartbeatSeconds: 1 });
    const { executionArn, token } = await started(sm);
    const d = await waitForEnd(c, executionArn, 15000);
    assert.deepEqual([d.status, d.error], ['FAILED', 'States.Timeout']);
    const h = await history(executionArn);
    assert.deepEqual(types(h).slice(-3), ['TaskSubmitted', 'TaskTimedOut', 'ExecutionFailed']);
    const timedOut = h.at(-2)!.taskTimedOutEventDetails!;
    assert.deepEqual([timedOut.resourceType, timedOut.resource, timedOut.error], ['lambda', 'invoke.waitForTaskToken', 'States.Timeout']);
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })), 'TaskTimedOut');
  });

  it('TimeoutSeconds: States.Timeout however many heartbeats came', async () => {
    const sm = await callbackMachine({ HeartbeatSeconds: 1, TimeoutSeconds: 2 });
    const { executionArn, token } = await started(sm);
    // Heartbeats every 300 ms, until the task is gone.
    for (;;) {
      await new Promise((r) => setTimeout(r, 300));
      try {
        await c.send(new SendTaskHeartbeatCommand({ taskToken: token }));
      } catch (e) {
        assert.equal((e as Error).name, 'TaskTimedOut');
        break;
      }
    }
    const d = await waitForEnd(c, executionArn, 15000);
    assert.deepEqual([d.status, d.error], ['FAILED', 'States.Timeout']);
    assert.equal((await history(executionArn)).at(-2)!.type, 'TaskTimedOut');
  });

  it('tokens are opaque and unforgeable: nothing of the execution in them, a made-up one answers no task', async () => {
    const sm = await callbackMachine();
    const a = await started(sm);
    const b = await started(sm);
    for (const t of [a.token, b.token]) {
      assert.match(t, /^[0-9a-f]{64}$/);
      const decoded = Buffer.from(t, 'hex').toString('latin1');
      assert.ok(!decoded.includes('arn:') && !t.includes(a.executionArn.split(':').pop()!), 'the token does not carry the execution');
    }
    assert.notEqual(a.token, b.token);
    // A well-formed token that no task has: TaskTimedOut, and both executions still wait.
    const bytes = Buffer.from(a.token, 'hex');
    bytes[0] = bytes[0]! ^ 1;
    const forged = bytes.toString('hex');
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: forged, output: '{}' })), 'TaskTimedOut');
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn: a.executionArn }))).status, 'RUNNING');
    await c.send(new SendTaskSuccessCommand({ taskToken: a.token, output: '"a"' }));
    await c.send(new SendTaskSuccessCommand({ taskToken: b.token, output: '"b"' }));
    assert.equal((await waitForEnd(c, a.executionArn)).output, '"a"');
    assert.equal((await waitForEnd(c, b.executionArn)).output, '"b"');
  });

  it('a token that is not one: InvalidToken', async () => {
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })), 'InvalidToken', 'Invalid token');
    await rejectsAws(c.send(new SendTaskFailureCommand({ taskToken: 'not-a-token' })), 'InvalidToken');
    await rejectsAws(c.send(new SendTaskHeartbeatCommand({ taskToken: 'not-a-token' })), 'InvalidToken');
  });
});

describe('lambda:invoke.waitForTaskToken with the AWS CLI', { skip: skipCli }, () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv = {};
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'stepwise-cli-model-'));
    const dataPath = cliDataPath(dataDir);
    if (dataPath) env = { AWS_DATA_PATH: dataPath };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const ok = (r: CliResult): Record<string, unknown> => {
    assert.equal(r.code, 0, `CLI failed (${r.code}): ${r.stderr}`);
    return r.json ?? {};
  };

  it('send-task-heartbeat and send-task-success; send-task-failure; bad and finished tokens', async () => {
    const sm = await callbackMachine({ HeartbeatSeconds: 60 });
    const a = await started(sm);
    const b = await started(sm);
    const [hb, success, failure, wrong, again] = await cliBatch(
      srv.endpoint,
      [
        ['send-task-heartbeat', '--task-token', a.token],
        ['send-task-success', '--task-token', a.token, '--task-output', '{"approved": true}'],
        ['send-task-failure', '--task-token', b.token, '--error', 'Request.Denied', '--cause', 'by the CLI'],
        ['send-task-success', '--task-token', 'not-a-token', '--task-output', '{}'],
        ['send-task-heartbeat', '--task-token', a.token],
      ],
      env,
    );
    assert.deepEqual(ok(hb!), {});
    assert.deepEqual(ok(success!), {});
    assert.deepEqual(ok(failure!), {});
    assertCliError(wrong!, 'InvalidToken', 'SendTaskSuccess', 'Invalid token');
    assertCliError(again!, 'TaskTimedOut', 'SendTaskHeartbeat', "Task Timed Out: 'Provided task does not exist anymore'");

    const da = await waitForEnd(c, a.executionArn);
    assert.deepEqual([da.status, JSON.parse(da.output!)], ['SUCCEEDED', { approved: true }]);
    const db = await waitForEnd(c, b.executionArn);
    assert.deepEqual([db.status, db.error, db.cause], ['FAILED', 'Request.Denied', 'by the CLI']);

    const [ha, hbist] = await cliBatch(
      srv.endpoint,
      [
        ['get-execution-history', '--execution-arn', a.executionArn],
        ['get-execution-history', '--execution-arn', b.executionArn],
      ],
      env,
    );
    const eventsOf = (r: CliResult) => (ok(r).events as { type: string }[]).map((e) => e.type);
    assert.deepEqual(eventsOf(ha!), ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    assert.deepEqual(eventsOf(hbist!), ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskFailed', 'ExecutionFailed']);
  });
});
