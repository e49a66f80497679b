/**
 * E2E: the human-approval example (examples/order-approval) through a real server with its functions:
 * started with @aws-sdk/client-sfn, the task token read from the approvals file `request-approval`
 * writes, and the decision sent by the real CLI (`node bin/stepwise.js approve | reject TOKEN`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'order-approval');
const BIN = join(ROOT, 'bin', 'stepwise.js');
const DEFINITION = readFileSync(join(EXAMPLE, 'workflow.asl.json'), 'utf8');
const INPUT = JSON.parse(readFileSync(join(EXAMPLE, 'input.json'), 'utf8')) as Record<string, unknown>;

let tmp: string;
let approvals: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'stepwise-approval-'));
  approvals = join(tmp, 'approvals.jsonl');
  // request-approval runs in this process (the server is in-process): where it writes, and no chatter.
  process.env.ORDER_APPROVALS_FILE = approvals;
  process.env.ORDER_APPROVALS_QUIET = '1';
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `stepwise ARGS` as its own process, without the caller's STEPWISE_ENDPOINT or AWS credentials. */
function stepwise(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const k of ['STEPWISE_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

async function deploy(client: SFNClient): Promise<string> {
  return (await client.send(new CreateStateMachineCommand({ name: uniqueName('order-approval'), definition: DEFINITION, roleArn: ROLE }))).stateMachineArn!;
}

/** Starts an order and, when it needs approval, waits for its request in the approvals file. */
async function order(client: SFNClient, stateMachineArn: string, changes: Record<string, unknown> = {}): Promise<{ executionArn: string; orderId: string }> {
  const orderId = uniqueName('ord');
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ ...INPUT, ...changes, orderId }) }));
  return { executionArn: executionArn!, orderId };
}

async function approvalRequest(orderId: string): Promise<{ taskToken: string; total: number; executionArn: string; customer: string }> {
  const until = Date.now() + 10000;
  for (;;) {
    const lines = existsSync(approvals) ? readFileSync(approvals, 'utf8').split('\n').filter(Boolean) : [];
    const found = lines.map((l) => JSON.parse(l) as { orderId: string; taskToken: string; total: number; executionArn: string; customer: string }).find((r) => r.orderId === orderId);
    if (found) return found;
    if (Date.now() > until) assert.fail(`no approval request for ${orderId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function history(client: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  return (await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

const statesEntered = (h: HistoryEvent[]) => h.filter((e) => e.type!.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails!.name);
const approvalTask = (h: HistoryEvent[]) => h.filter((e) => /^Task(Scheduled|Started|Submitted|Succeeded|Failed|TimedOut)$/.test(e.type!));

describe('examples/order-approval on the server', { concurrency: true }, () => {
  let srv: TestServer;
  let sm: string;
  before(async () => {
    srv = await startTestServer({ functionsDir: join(EXAMPLE, 'functions') });
    sm = await deploy(srv.client);
  });
  after(() => srv.close());

  it('a large order waits for a person; `stepwise approve` confirms it', async () => {
    const { executionArn, orderId } = await order(srv.client, sm);
    const request = await approvalRequest(orderId);
    assert.deepEqual([request.total, request.customer, request.executionArn], [1150, 'c-42', executionArn]);
    const r = await stepwise(['approve', request.taskToken, '--output', '{"approved": true, "by": "dana"}', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Task approved.');
    const d = await waitForEnd(srv.client, executionArn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual(JSON.parse(d.output!), { orderId, status: 'CONFIRMED', total: 1150, currency: 'EUR', approvedBy: 'dana', confirmationId: `conf-${orderId}` });
    const h = await history(srv.client, executionArn);
    assert.deepEqual(statesEntered(h), ['PriceOrder', 'NeedsApproval', 'RequestApproval', 'Decision', 'ConfirmOrder']);
    const task = approvalTask(h);
    assert.deepEqual(
      task.map((e) => e.type),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    const scheduled = task[0]!.taskScheduledEventDetails!;
    assert.deepEqual([scheduled.resourceType, scheduled.resource, scheduled.timeoutInSeconds], ['lambda', 'invoke.waitForTaskToken', 86400]);
    assert.equal((JSON.parse(scheduled.parameters!) as { Payload: { taskToken: string } }).Payload.taskToken, request.taskToken);
    assert.equal(task[3]!.taskSucceededEventDetails!.output, '{"approved":true,"by":"dana"}');
    assert.equal(h.at(-1)!.type, 'ExecutionSucceeded');
    // The decision is in; the token is spent.
    const again = await stepwise(['approve', request.taskToken, '--endpoint', srv.endpoint]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^TaskTimedOut: /);
  });

  it('`stepwise reject --error OrderRejected` ends the order as Rejected', async () => {
    const { executionArn, orderId } = await order(srv.client, sm);
    const request = await approvalRequest(orderId);
    const r = await stepwise(['reject', request.taskToken, '--error', 'OrderRejected', '--cause', 'over the quarterly budget', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'Task rejected with OrderRejected.');
    const d = await waitForEnd(srv.client, executionArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { orderId, status: 'REJECTED', decision: { Error: 'OrderRejected', Cause: 'over the quarterly budget' } });
    const h = await history(srv.client, executionArn);
    assert.deepEqual(statesEntered(h), ['PriceOrder', 'NeedsApproval', 'RequestApproval', 'Rejected']);
    const failed = approvalTask(h).at(-1)!;
    assert.equal(failed.type, 'TaskFailed');
    assert.deepEqual(failed.taskFailedEventDetails, { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', error: 'OrderRejected', cause: 'over the quarterly budget' });
  });

  it('an approval that says no goes through the Choice to Rejected', async () => {
    const { executionArn, orderId } = await order(srv.client, sm);
    const request = await approvalRequest(orderId);
    const r = await stepwise(['approve', request.taskToken, '--output', '{"approved": false, "reason": "duplicate order"}', '--endpoint', srv.endpoint]);
    assert.equal(r.code, 0, r.stderr);
    const d = await waitForEnd(srv.client, executionArn);
    assert.deepEqual(JSON.parse(d.output!), { orderId, status: 'REJECTED', decision: { approved: false, reason: 'duplicate order' } });
    assert.deepEqual(statesEntered(await history(srv.client, executionArn)), ['PriceOrder', 'NeedsApproval', 'RequestApproval', 'Decision', 'Rejected']);
  });

  it('a small order is confirmed without asking anyone', async () => {
    const { executionArn, orderId } = await order(srv.client, sm, { items: [{ sku: 'pen', quantity: 10, price: 2 }] });
    const d = await waitForEnd(srv.client, executionArn);
    assert.equal(JSON.parse(d.output!).approvedBy, 'auto');
    assert.deepEqual(statesEntered(await history(srv.client, executionArn)), ['PriceOrder', 'NeedsApproval', 'ConfirmOrder']);
    assert.equal(existsSync(approvals) && readFileSync(approvals, 'utf8').includes(orderId), false);
  });
});

describe('examples/order-approval: no decision in time', () => {
  it('TimeoutSeconds (a day, scaled down here) ends the order with ApprovalTimedOut', async () => {
    // WAIT_TIME_SCALE 1e-5: the day-long TimeoutSeconds passes in under a second.
    const srv = await startTestServer({ functionsDir: join(EXAMPLE, 'functions'), waitTimeScale: 1e-5 });
    try {
      const sm = await deploy(srv.client);
      const { executionArn, orderId } = await order(srv.client, sm);
      await approvalRequest(orderId);
      const d = await waitForEnd(srv.client, executionArn, 15000);
      assert.deepEqual([d.status, d.error, d.cause], ['FAILED', 'ApprovalTimedOut', 'No one approved or rejected the order within a day.']);
      const h = await history(srv.client, executionArn);
      assert.equal(approvalTask(h).at(-1)!.type, 'TaskTimedOut');
      assert.deepEqual(statesEntered(h), ['PriceOrder', 'NeedsApproval', 'RequestApproval', 'NoDecision']);
    } finally {
      await srv.close();
    }
  });
});
