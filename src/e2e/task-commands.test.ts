/**
 * E2E: `stepwise approve | reject | heartbeat` as processes of their own (bin/stepwise.js) against a real
 * server, for activity task tokens taken with @aws-sdk/client-sfn's GetActivityTask.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CreateActivityCommand, CreateStateMachineCommand, GetActivityTaskCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `stepwise ARGS` (stdin: `stdin`), without the caller's STEPWISE_ENDPOINT or AWS credentials. */
function stepwise(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<Outcome> {
  const env = { ...process.env };
  for (const k of ['STEPWISE_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[k];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: { ...env, ...opts.env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(opts.stdin ?? '');
  });
}

let srv: TestServer;
let c: SFNClient;
let activityArn: string;
let stateMachineArn: string;
before(async () => {
  srv = await startTestServer();
  c = srv.client;
  activityArn = (await c.send(new CreateActivityCommand({ name: uniqueName('cli-act') }))).activityArn!;
  const definition = JSON.stringify({
    StartAt: 'Approval',
    States: { Approval: { Type: 'Task', Resource: activityArn, HeartbeatSeconds: 30, TimeoutSeconds: 60, End: true } },
  });
  stateMachineArn = (await c.send(new CreateStateMachineCommand({ name: uniqueName('cli-sm'), definition, roleArn: ROLE }))).stateMachineArn!;
});
after(() => srv.close());

/**
 * Starts an execution and takes its activity task: its ARN and token. Executions of the one state machine
 * share the activity, so tasks are taken one at a time and matched by their input.
 */
let taking = Promise.resolve();
async function pendingTask(): Promise<{ executionArn: string; taskToken: string }> {
  const id = uniqueName('run');
  const turn = taking.then(async () => {
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ id }) }));
    const task = await c.send(new GetActivityTaskCommand({ activityArn, workerName: 'cli-test' }));
    assert.deepEqual(JSON.parse(task.input!), { id });
    return { executionArn: executionArn!, taskToken: task.taskToken! };
  });
  taking = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

describe('stepwise approve | reject | heartbeat', { concurrency: true }, () => {
  it('approve sends the output; the execution succeeds with it', async () => {
    const { executionArn, taskToken } = await pendingTask();
    const r = await stepwise(['approve', taskToken, '--output', '{"approved": true, "by": "ops"}', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Task approved.');
    assert.equal(r.stderr, '');
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { approved: true, by: 'ops' });
  });

  it('approve: the output defaults to {}, the endpoint to STEPWISE_ENDPOINT, and - reads the token from stdin', async () => {
    const { executionArn, taskToken } = await pendingTask();
    const r = await stepwise(['approve', '-'], { env: { STEPWISE_ENDPOINT: srv.endpoint }, stdin: `${taskToken}\n` });
    assert.equal(r.code, 0, r.stderr);
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.output, '{}');
  });

  it('reject sends error and cause; the execution fails with them', async () => {
    const { executionArn, taskToken } = await pendingTask();
    const r = await stepwise(['reject', taskToken, '--error', 'Rejected.ByOps', '--cause', 'budget exceeded', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Task rejected with Rejected.ByOps.');
    const d = await waitForEnd(c, executionArn);
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'Rejected.ByOps');
    assert.equal(d.cause, 'budget exceeded');
  });

  it('heartbeat; then an approved task token is TaskTimedOut for every command', async () => {
    const { executionArn, taskToken } = await pendingTask();
    const hb = await stepwise(['heartbeat', taskToken, '--endpoint', srv.endpoint]);
    assert.equal(hb.code, 0, hb.stderr);
    assert.equal(hb.stdout.trim(), 'Heartbeat sent.');
    assert.equal((await stepwise(['approve', taskToken, '--endpoint', srv.endpoint])).code, 0);
    assert.equal((await waitForEnd(c, executionArn)).status, 'SUCCEEDED');
    for (const cmd of ['approve', 'reject', 'heartbeat']) {
      const r = await stepwise([cmd, taskToken, '--endpoint', srv.endpoint]);
      assert.equal(r.code, 1, `${cmd}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim(), "TaskTimedOut: Task Timed Out: 'Provided task does not exist anymore'");
    }
  });

  it('an invalid token: InvalidToken, exit code 1', async () => {
    for (const cmd of ['approve', 'reject', 'heartbeat']) {
      const r = await stepwise([cmd, 'not-a-token', '--endpoint', srv.endpoint]);
      assert.equal(r.code, 1, `${cmd}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim(), 'InvalidToken: Invalid token');
    }
  });

  it('invalid JSON output is refused before sending (exit code 2); the task stays open for a good one', async () => {
    const { executionArn, taskToken } = await pendingTask();
    const r = await stepwise(['approve', taskToken, '--output', '{"approved": yes}', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr.trim(), /^stepwise: --output is not valid JSON: .+/);
    const ok = await stepwise(['approve', taskToken, '--output', '"later"', '--endpoint', srv.endpoint]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await waitForEnd(c, executionArn)).output, '"later"');
  });

  it('usage errors (exit code 2) and an unreachable endpoint (exit code 1)', async () => {
    const missing = await stepwise(['approve']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^stepwise: approve: missing the task token/);
    assert.match(missing.stderr, /Usage: stepwise/);
    const unknown = await stepwise(['reject', 'tok', '--output', '{}']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^stepwise: reject: unknown option --output/);
    const noStdin = await stepwise(['heartbeat', '-'], { stdin: '  \n' });
    assert.equal(noStdin.code, 2);
    assert.match(noStdin.stderr, /^stepwise: heartbeat: no task token on stdin/);

    // A port nothing listens on any more.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const down = await stepwise(['approve', 'tok', '--endpoint', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 1);
    assert.equal(down.stderr.trim(), `stepwise: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
