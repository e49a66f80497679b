/**
 * The examples in examples/ run with `stepwise run`, each with its functions beside it, and give the
 * outputs their READMEs describe.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin', 'stepwise.js');
const exec = promisify(execFile);

async function runExample(name: string, extra: string[] = [], env: NodeJS.ProcessEnv = { WAIT_TIME_SCALE: '0' }) {
  const dir = join(root, 'examples', name);
  const args = [cli, 'run', join(dir, 'workflow.asl.json'), '--functions', join(dir, 'functions'), ...extra];
  if (!extra.includes('--input')) args.push('--input-file', join(dir, 'input.json'));
  try {
    const { stdout } = await exec(process.execPath, args, { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, output: JSON.parse(stdout) as unknown, stderr: '' };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, output: undefined, stderr: err.stderr };
  }
}

test('order fulfillment: standard shipping of a valid order', async () => {
  const r = await runExample('order-fulfillment');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output, {
    orderId: 'ord-1001',
    status: 'FULFILLED',
    chargeId: 'ch_ord-1001',
    trackingNumber: 'GR-ord-1001',
    summary: 'Order ord-1001 shipped by ground',
  });
});

test('order fulfillment: the payment gateway times out once, Retry recovers, express shipping', async () => {
  const r = await runExample('order-fulfillment', ['--input', JSON.stringify({ orderId: 'ord-2-flaky', shipping: 'express', items: [{ sku: 'a', quantity: 1, price: 5 }] })]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.output as { trackingNumber: string }).trackingNumber, 'EX-ord-2-flaky');
});

test('order fulfillment: an order without items is caught and rejected', async () => {
  const r = await runExample('order-fulfillment', ['--input', JSON.stringify({ orderId: 'ord-3', items: [] })]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Execution FAILED: InvalidOrder/);
  assert.match(r.stderr, /Order ord-3 has no items/);
});

test('data-processing Map: records cleaned, scored, skipped and aggregated', async () => {
  const r = await runExample('data-processing-map');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output, {
    batchId: '2026-11-21-a',
    total: 5,
    processed: 3,
    skipped: [
      { id: 'r3', reason: 'missing name' },
      { id: 'r5', reason: "bad amount 'not a number'" },
    ],
    flagged: ['r1', 'r4'],
    totalScore: 211,
  });
});

test('parallel fan-out (JSONata): branches merged, variables steer the decision', async () => {
  const r = await runExample('parallel-fan-out');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output, { decision: 'ACCEPTED', customer: 'c-9', recommendations: ['bike-bell', 'rain-cape'] });
  const backorder = await runExample('parallel-fan-out', ['--input', JSON.stringify({ orderId: 'o', customer: { id: 'c', country: 'NL', since: '2010-01-01' }, items: [{ sku: 'chair-9' }] })]);
  assert.equal(backorder.code, 0, backorder.stderr);
  assert.deepEqual(backorder.output, { decision: 'BACKORDERED', missing: ['chair-9'] });
});

test('order approval: a small order is confirmed without asking anyone (larger ones wait for a person: src/e2e/order-approval.test.ts)', async () => {
  const r = await runExample('order-approval', ['--input', JSON.stringify({ orderId: 'ord-7', customer: 'c-1', items: [{ sku: 'pen', quantity: 3, price: 2 }] })]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.output, { orderId: 'ord-7', status: 'CONFIRMED', total: 6, currency: 'EUR', approvedBy: 'auto', confirmationId: 'conf-ord-7' });
});

test('order approval in process: a large order waits, --approve-all confirms it, --reject-all rejects it (the handler logs to stderr, stdout stays JSON)', async () => {
  const approvals = join(mkdtempSync(join(tmpdir(), 'stepwise-approvals-')), 'approvals.jsonl');
  // Real time: with WAIT_TIME_SCALE=0 the task's TimeoutSeconds (a day) would be over at once.
  const env = { ORDER_APPROVALS_FILE: approvals };
  try {
    const approved = await runExample('order-approval', ['--approve-all', '--approve-output', '{"approved": true, "by": "dana"}'], env);
    assert.equal(approved.code, 0, approved.stderr);
    assert.deepEqual(approved.output, { orderId: 'ord-2001', status: 'CONFIRMED', total: 1150, currency: 'EUR', approvedBy: 'dana', confirmationId: 'conf-ord-2001' });
    const rejected = await runExample('order-approval', ['--reject-all', '--error', 'OrderRejected', '--cause', 'over budget'], env);
    assert.equal(rejected.code, 0, rejected.stderr);
    assert.deepEqual(rejected.output, { orderId: 'ord-2001', status: 'REJECTED', decision: { Error: 'OrderRejected', Cause: 'over budget' } });
    assert.equal(readFileSync(approvals, 'utf8').trim().split('\n').length, 2);
  } finally {
    rmSync(dirname(approvals), { recursive: true, force: true });
  }
});

test('seed ECS + SNS offline: the ECS task runs as the local process the config maps it to (node index.js), then the SNS state, mocked by the MockConfigFile, is called with its message (through the server and fauxqs: src/e2e/seed-ecs-sns.test.ts)', async () => {
  const dir = join(root, 'examples', 'seed-ecs-sns');
  const args = [cli, 'run', join(dir, 'workflow.asl.json'), '--config', join(dir, 'stepwise.json'), '--input-file', join(dir, 'input.json'), '--history', '-'];
  args.push('--mock-config', join(dir, 'MockConfigFile.json'), '--test-case', 'SnsPublished');
  const r = await exec(process.execPath, args, { timeout: 60_000 });
  assert.match(r.stderr, /processing batch b-17/);
  const events = JSON.parse(r.stdout) as { type: string; taskSucceededEventDetails?: { output: string }; taskScheduledEventDetails?: { resource: string; parameters: string } }[];
  const ecs = events.find((e) => e.type === 'TaskSucceeded')!;
  const task = JSON.parse(ecs.taskSucceededEventDetails!.output) as { Containers: { ExitCode: number; Name: string }[]; StopCode: string };
  assert.deepEqual([task.Containers[0]!.Name, task.Containers[0]!.ExitCode, task.StopCode], ['app', 0, 'EssentialContainerExited']);
  const sns = events.filter((e) => e.type === 'TaskScheduled')[1]!.taskScheduledEventDetails!;
  assert.equal(sns.resource, 'publish');
  assert.deepEqual(JSON.parse(sns.parameters), { TopicArn: 'arn:aws:sns:us-east-1:123456789012:batch-done', Message: 'batch b-17 done (exit code 0)' });
  const end = events.at(-1) as { type: string; executionSucceededEventDetails?: { output: string } };
  assert.equal(end.type, 'ExecutionSucceeded');
  assert.equal(JSON.parse(end.executionSucceededEventDetails!.output).MessageId, '5b8a1d2e-0c4f-4e7a-9d3b-7f6e2a1c9b40');
});
