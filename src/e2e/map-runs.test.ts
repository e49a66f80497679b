/**
 * Map Runs through the real server and the official SDK client: DescribeMapRun while a Distributed Map
 * runs and after it ended, UpdateMapRun taking effect at once, ListMapRuns, StopExecution aborting the
 * run, the errors, and a run that survives a server restart (SQLite).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type DescribeMapRunCommandOutput,
  ListExecutionsCommand,
  ListMapRunsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateMapRunCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, rejectsAws, ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

/** A Distributed Map whose iterations wait `seconds` (a slow item processor), or fail on `{"fail": true}`. */
function mapDefinition(opts: { maxConcurrency: number; seconds?: number; tolerated?: number }): string {
  const map: Record<string, unknown> = {
    Type: 'Map',
    Label: 'Items',
    ItemsPath: '$.items',
    MaxConcurrency: opts.maxConcurrency,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'Broken' }], Default: 'Slow' },
        Broken: { Type: 'Fail', Error: 'Item.Broken', Cause: 'this item fails' },
        Slow: { Type: 'Wait', Seconds: opts.seconds ?? 0, End: true },
      },
    },
    End: true,
  };
  if (opts.tolerated !== undefined) map.ToleratedFailureCount = opts.tolerated;
  return JSON.stringify({ StartAt: 'Fan', States: { Fan: map } });
}

async function createMachine(client: SFNClient, definition: string): Promise<string> {
  const r = await client.send(new CreateStateMachineCommand({ name: uniqueName('maprun'), definition, roleArn: ROLE }));
  return r.stateMachineArn!;
}

async function startWith(client: SFNClient, sm: string, items: unknown[]): Promise<string> {
  return (await client.send(new StartExecutionCommand({ stateMachineArn: sm, input: JSON.stringify({ items }) }))).executionArn!;
}

/** The execution's one Map Run (it starts with the execution's first step). */
async function onlyRun(client: SFNClient, executionArn: string): Promise<string> {
  const list = await client.send(new ListMapRunsCommand({ executionArn }));
  assert.equal(list.mapRuns?.length, 1);
  return list.mapRuns![0]!.mapRunArn!;
}

const describeRun = (client: SFNClient, mapRunArn: string) => client.send(new DescribeMapRunCommand({ mapRunArn }));

/** The counters as plain numbers (the SDK's object has exactly these members). */
const counts = (d: DescribeMapRunCommandOutput, which: 'itemCounts' | 'executionCounts') => ({ ...d[which] });
const c = (x: Record<string, number>) => ({ pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0, ...x });

describe('Map Runs (e2e)', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(async () => {
    await srv.close();
  });

  test('a running Map Run: DescribeMapRun shows RUNNING and its counts; UpdateMapRun of maxConcurrency starts the rest at once; then SUCCEEDED', async () => {
    const client = srv.client;
    const sm = await createMachine(client, mapDefinition({ maxConcurrency: 1, seconds: 2 }));
    const exec = await startWith(client, sm, [{}, {}, {}, {}]);
    const runArn = await onlyRun(client, exec);
    const name = sm.split(':').at(-1)!;
    assert.match(runArn, new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${name}/Items:[0-9a-f-]{36}$`));

    const list = await client.send(new ListMapRunsCommand({ executionArn: exec }));
    const item = list.mapRuns![0]!;
    assert.equal(item.executionArn, exec);
    assert.equal(item.stateMachineArn, `${sm}/Items`, "the child executions' state machine");
    assert.ok(item.startDate instanceof Date);
    assert.equal(item.stopDate, undefined);

    const running = await describeRun(client, runArn);
    assert.equal(running.status, 'RUNNING');
    assert.equal(running.executionArn, exec);
    assert.equal(running.maxConcurrency, 1);
    assert.equal(running.toleratedFailureCount, 0);
    assert.equal(running.toleratedFailurePercentage, 0);
    assert.equal(running.redriveCount, 0);
    assert.equal(running.stopDate, undefined);
    assert.deepEqual(counts(running, 'itemCounts'), c({ pending: 3, running: 1, total: 4 }));
    assert.deepEqual(counts(running, 'executionCounts'), c({ pending: 3, running: 1, total: 4 }));

    // The first iteration waits 2 s: the update lands while it runs, and the other three start at once.
    await client.send(new UpdateMapRunCommand({ mapRunArn: runArn, maxConcurrency: 4, toleratedFailurePercentage: 50 }));
    const updated = await describeRun(client, runArn);
    assert.equal(updated.maxConcurrency, 4);
    assert.equal(updated.toleratedFailurePercentage, 50);
    assert.deepEqual(counts(updated, 'executionCounts'), c({ running: 4, total: 4 }));

    // DescribeExecution of the parent shows no mapRunArn (AWS shows it for child executions only).
    const parent = await client.send(new DescribeExecutionCommand({ executionArn: exec }));
    assert.equal(parent.mapRunArn, undefined);
    // The iterations are not executions of their own yet: a known Map Run lists none.
    assert.deepEqual((await client.send(new ListExecutionsCommand({ mapRunArn: runArn }))).executions, []);

    const end = await waitForEnd(client, exec, 15000);
    assert.equal(end.status, 'SUCCEEDED');
    const done = await describeRun(client, runArn);
    assert.equal(done.status, 'SUCCEEDED');
    assert.ok(done.stopDate instanceof Date && done.stopDate >= done.startDate!);
    assert.deepEqual(counts(done, 'itemCounts'), c({ succeeded: 4, total: 4, resultsWritten: 4 }));
    assert.ok((await client.send(new ListMapRunsCommand({ executionArn: exec }))).mapRuns![0]!.stopDate instanceof Date);
    // A finished run takes no update.
    await rejectsAws(client.send(new UpdateMapRunCommand({ mapRunArn: runArn, maxConcurrency: 2 })), 'ValidationException', /SUCCEEDED/);
  });

  test('a failing Map Run: FAILED, with the failed, succeeded and never-started iterations counted', async () => {
    const client = srv.client;
    const sm = await createMachine(client, mapDefinition({ maxConcurrency: 1 }));
    const exec = await startWith(client, sm, [{}, { fail: true }, {}]);
    const end = await waitForEnd(client, exec);
    assert.equal(end.status, 'FAILED');
    assert.equal(end.error, 'Item.Broken');
    const d = await describeRun(client, await onlyRun(client, exec));
    assert.equal(d.status, 'FAILED');
    assert.ok(d.stopDate instanceof Date);
    assert.deepEqual(counts(d, 'executionCounts'), c({ pending: 1, succeeded: 1, failed: 1, total: 3, resultsWritten: 2 }));
  });

  test('RedriveExecution of the parent: the failed iterations run again, the same Map Run counts the redrive', async () => {
    const client = srv.client;
    // An item fails until the execution is redriven: index RedriveCount - 1 of a one-item array.
    const def = JSON.parse(mapDefinition({ maxConcurrency: 1 })) as { States: { Fan: { ItemProcessor: { States: Record<string, unknown> } } } };
    def.States.Fan.ItemProcessor.States.Broken = {
      Type: 'Pass',
      Parameters: { 'x.$': "States.ArrayGetItem(States.Array('ok'), States.MathAdd($$.Execution.RedriveCount, -1))" },
      End: true,
    };
    const sm = await createMachine(client, JSON.stringify(def));
    const exec = await startWith(client, sm, [{ fail: false }, { fail: true }]);
    assert.equal((await waitForEnd(client, exec)).status, 'FAILED');
    const runArn = await onlyRun(client, exec);
    assert.equal((await describeRun(client, runArn)).status, 'FAILED');
    const { RedriveExecutionCommand } = await import('@aws-sdk/client-sfn');
    const redriven = await client.send(new RedriveExecutionCommand({ executionArn: exec }));
    assert.equal((await waitForEnd(client, exec)).status, 'SUCCEEDED');
    const d = await describeRun(client, runArn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.redriveCount, 1);
    assert.equal(d.redriveDate?.getTime(), redriven.redriveDate?.getTime());
    assert.deepEqual(counts(d, 'executionCounts'), c({ succeeded: 2, total: 2, resultsWritten: 2 }));
    assert.equal((await client.send(new ListMapRunsCommand({ executionArn: exec }))).mapRuns?.length, 1, 'no new Map Run');
  });

  test('StopExecution of the parent: the running Map Run is ABORTED', async () => {
    const client = srv.client;
    const sm = await createMachine(client, mapDefinition({ maxConcurrency: 2, seconds: 60 }));
    const exec = await startWith(client, sm, [{}, {}, {}]);
    const runArn = await onlyRun(client, exec);
    await client.send(new StopExecutionCommand({ executionArn: exec }));
    const d = await describeRun(client, runArn);
    assert.equal(d.status, 'ABORTED');
    assert.ok(d.stopDate instanceof Date);
    assert.deepEqual(counts(d, 'executionCounts'), c({ pending: 1, aborted: 2, total: 3 }));
    await rejectsAws(client.send(new UpdateMapRunCommand({ mapRunArn: runArn, maxConcurrency: 3 })), 'ValidationException', /ABORTED/);
  });

  test('the errors: unknown and malformed Map Run ARNs, UpdateMapRun validation, ListMapRuns and ListExecutions', async () => {
    const client = srv.client;
    const unknown = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:nobody/Items:00000000-0000-4000-8000-000000000000`;
    await rejectsAws(describeRun(client, unknown), 'ResourceNotFound', 'Request references a resource that does not exist.');
    await rejectsAws(client.send(new UpdateMapRunCommand({ mapRunArn: unknown, maxConcurrency: 1 })), 'ResourceNotFound');
    await rejectsAws(describeRun(client, 'not-an-arn'), 'InvalidArn', "Invalid Arn: 'Invalid ARN prefix: not-an-arn'");
    await rejectsAws(describeRun(client, `arn:aws:states:${REGION}:${ACCOUNT}:execution:sm:e`), 'InvalidArn', "Invalid Arn: 'Resource type not valid in this context: execution'");
    await rejectsAws(
      client.send(new UpdateMapRunCommand({ mapRunArn: unknown, toleratedFailurePercentage: 101 })),
      'ValidationException',
      "1 validation error detected: Value '101' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    await rejectsAws(
      client.send(new UpdateMapRunCommand({ mapRunArn: unknown, maxConcurrency: -1 })),
      'ValidationException',
      "1 validation error detected: Value '-1' at 'maxConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    const none = await rejectsAws(client.send(new UpdateMapRunCommand({ mapRunArn: unknown })), 'ValidationException');
    assert.equal((none as unknown as { reason?: string }).reason, 'MISSING_REQUIRED_PARAMETER');

    const missingExec = `arn:aws:states:${REGION}:${ACCOUNT}:execution:nobody:e`;
    await rejectsAws(client.send(new ListMapRunsCommand({ executionArn: missingExec })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${missingExec}'`);
    await rejectsAws(client.send(new ListMapRunsCommand({ executionArn: unknown })), 'InvalidArn');

    await rejectsAws(client.send(new ListExecutionsCommand({ mapRunArn: unknown })), 'ResourceNotFound');
    await rejectsAws(client.send(new ListExecutionsCommand({ mapRunArn: `arn:aws:states:${REGION}:${ACCOUNT}:activity:a` })), 'InvalidArn');
    await rejectsAws(
      client.send(new ListExecutionsCommand({ mapRunArn: unknown, stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nobody` })),
      'ValidationException',
    );
  });

  test('ListMapRuns pages with maxResults and nextToken, newest first', async () => {
    const client = srv.client;
    const def = JSON.stringify({
      StartAt: 'A',
      States: {
        A: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, Next: 'B' },
        B: { Type: 'Map', Label: 'Second', ItemsPath: '$', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } }, End: true },
      },
    });
    const sm = await createMachine(client, def);
    const exec = await startWith(client, sm, [1, 2]);
    assert.equal((await waitForEnd(client, exec)).status, 'SUCCEEDED');
    const first = await client.send(new ListMapRunsCommand({ executionArn: exec, maxResults: 1 }));
    assert.equal(first.mapRuns?.length, 1);
    assert.ok(first.nextToken);
    const second = await client.send(new ListMapRunsCommand({ executionArn: exec, maxResults: 1, nextToken: first.nextToken }));
    assert.equal(second.mapRuns?.length, 1);
    assert.equal(second.nextToken, undefined);
    const labels = [first.mapRuns![0]!, second.mapRuns![0]!].map((m) => m.stateMachineArn!.split('/').at(-1));
    assert.deepEqual(labels, ['Second', 'A']);
    for (const m of [...first.mapRuns!, ...second.mapRuns!]) assert.equal((await describeRun(client, m.mapRunArn!)).status, 'SUCCEEDED');
  });
});

describe('Map Runs survive a server restart (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-maprun-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the running Map Run is there after a restart, and finishes', async () => {
    const db = join(dir, 'stepwise.db');
    let srv = await startTestServer({ db });
    let exec: string;
    let runArn: string;
    try {
      const sm = await createMachine(srv.client, mapDefinition({ maxConcurrency: 1, seconds: 1 }));
      exec = await startWith(srv.client, sm, [{}, {}]);
      runArn = await onlyRun(srv.client, exec);
      assert.equal((await describeRun(srv.client, runArn)).status, 'RUNNING');
    } finally {
      await srv.close();
    }
    srv = await startTestServer({ db });
    try {
      const d = await describeRun(srv.client, runArn);
      assert.equal(d.executionArn, exec);
      assert.ok(d.status === 'RUNNING' || d.status === 'SUCCEEDED');
      assert.equal(d.executionCounts?.total, 2);
      assert.equal((await waitForEnd(srv.client, exec, 15000)).status, 'SUCCEEDED');
      const done = await describeRun(srv.client, runArn);
      assert.equal(done.status, 'SUCCEEDED');
      assert.deepEqual(counts(done, 'executionCounts'), c({ succeeded: 2, total: 2, resultsWritten: 2 }));
      assert.equal((await srv.client.send(new ListMapRunsCommand({ executionArn: exec }))).mapRuns?.length, 1);
    } finally {
      await srv.close();
    }
  });
});
