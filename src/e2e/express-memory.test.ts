/**
 * End to end: the server keeps the most recently ended Express executions within its bound
 * (STEPWISE_EXPRESS_KEEP / STEPWISE_EXPRESS_KEEP_MB); older ones are evicted and answer as any unknown
 * execution does, running ones are never evicted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, StartSyncExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseArgs } from '../cli/args.js';
import { serveConfig, startServer, type RunningServer } from '../cli/serve.js';
import { DEFAULT_LIMITS } from '../runtime/engine.js';
import { ACCOUNT, AWS_CLI, REGION, ROLE, cli, hasCli, passDefinition, rawRequest, rejectsAws, sdkClient, uniqueName } from './helpers.js';

describe('ended Express executions kept within a bound', () => {
  it('are configured by STEPWISE_EXPRESS_KEEP, STEPWISE_EXPRESS_KEEP_MB and STEPWISE_EXPRESS_MAX_RUNNING', () => {
    assert.equal(DEFAULT_LIMITS.expressKeep, 10000);
    assert.equal(DEFAULT_LIMITS.expressKeepBytes, 100 * 1024 * 1024);
    assert.equal(DEFAULT_LIMITS.expressMaxRunning, 100000);
    const cfg = serveConfig(parseArgs([]), { STEPWISE_EXPRESS_KEEP: '500', STEPWISE_EXPRESS_KEEP_MB: '8', STEPWISE_EXPRESS_MAX_RUNNING: '20' });
    assert.deepEqual(cfg.limits, { expressKeep: 500, expressKeepBytes: 8 * 1024 * 1024, expressMaxRunning: 20 });
    assert.throws(() => serveConfig(parseArgs([]), { STEPWISE_EXPRESS_MAX_RUNNING: '1e-3' }), /STEPWISE_EXPRESS_MAX_RUNNING must be a positive integer/);
    assert.throws(() => serveConfig(parseArgs([]), { STEPWISE_EXPRESS_KEEP: '2.5' }), /STEPWISE_EXPRESS_KEEP must be a positive integer, got '2.5'/);
    assert.throws(() => serveConfig(parseArgs([]), { STEPWISE_EXPRESS_KEEP_MB: '0' }), /STEPWISE_EXPRESS_KEEP_MB must be a positive number, got '0'/);
  });

  describe('through the server', () => {
    let dir: string;
    let running: RunningServer;
    let endpoint: string;
    let client: SFNClient;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'stepwise-express-keep-'));
      running = await startServer({ port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db: join(dir, 'db.sqlite'), limits: { expressKeep: 3 } }, () => {});
      endpoint = `http://127.0.0.1:${running.port}`;
      client = sdkClient(endpoint);
    });
    after(async () => {
      client.destroy();
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const create = async (definition: string) =>
      (await client.send(new CreateStateMachineCommand({ name: uniqueName('keep'), definition, roleArn: ROLE, type: 'EXPRESS' }))).stateMachineArn!;

    it('the newest stay describable with their history; older ones are ExecutionDoesNotExist; a running one stays', { timeout: 60000 }, async () => {
      const waiting = await create(JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } }));
      const { executionArn: runningArn } = await client.send(new StartExecutionCommand({ stateMachineArn: waiting, input: '{}' }));
      const sm = await create(passDefinition({ done: true }));
      const arns: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await client.send(new StartSyncExecutionCommand({ stateMachineArn: sm, name: `run${i}`, input: JSON.stringify({ i }) }));
        assert.equal(r.status, 'SUCCEEDED');
        arns.push(r.executionArn!);
      }
      for (const arn of arns.slice(3)) {
        const d = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
        assert.equal(d.status, 'SUCCEEDED');
        assert.equal(d.output, '{"done":true}');
        const h = await client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
        assert.deepEqual(h.events?.map((e) => e.type), ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
      }
      for (const arn of arns.slice(0, 3)) {
        await rejectsAws(client.send(new DescribeExecutionCommand({ executionArn: arn })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
        await rejectsAws(client.send(new GetExecutionHistoryCommand({ executionArn: arn })), 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
      }
      // On the wire: AWS's shape.
      const raw = await rawRequest(endpoint, { target: 'AWSStepFunctions.DescribeExecution', body: JSON.stringify({ executionArn: arns[0] }) });
      assert.equal(raw.status, 400);
      assert.deepEqual(raw.body, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${arns[0]}'` });
      // The running one was never evicted, though many ended after it started.
      assert.equal((await client.send(new DescribeExecutionCommand({ executionArn: runningArn }))).status, 'RUNNING');
      // The console lists what is kept: the running one and the three newest.
      const res = await fetch(`${endpoint}/console/api/executions?limit=100`);
      const listed = ((await res.json()) as { executions: { executionArn: string }[] }).executions.map((e) => e.executionArn).sort();
      assert.deepEqual(listed, [runningArn!, ...arns.slice(3)].sort());
    });

    it("a kept execution's history pages as a Standard one's does", async () => {
      const sm = await create(passDefinition({ done: true }));
      const { executionArn } = await client.send(new StartSyncExecutionCommand({ stateMachineArn: sm, input: '{}' }));
      for (const reverseOrder of [false, true]) {
        const types: string[] = [];
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 3, reverseOrder, nextToken }));
          types.push(...page.events!.map((e) => e.type!));
          nextToken = page.nextToken;
          pages++;
        } while (nextToken);
        const all = ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'];
        assert.deepEqual(types, reverseOrder ? [...all].reverse() : all);
        assert.equal(pages, 2);
      }
    });

    it('the AWS CLI gets ExecutionDoesNotExist for an evicted one', { skip: !hasCli() && `no ${AWS_CLI}`, timeout: 60000 }, async () => {
      const sm = await create(passDefinition());
      const arns: string[] = [];
      for (let i = 0; i < 4; i++) arns.push((await client.send(new StartSyncExecutionCommand({ stateMachineArn: sm, input: '{}' }))).executionArn!);
      const gone = await cli(endpoint, ['describe-execution', '--execution-arn', arns[0]!]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, new RegExp(`\\(ExecutionDoesNotExist\\) when calling the DescribeExecution operation: Execution Does Not Exist: '${arns[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
      const kept = await cli(endpoint, ['describe-execution', '--execution-arn', arns[3]!]);
      assert.equal(kept.code, 0, kept.stderr);
      assert.equal(kept.json?.status, 'SUCCEEDED');
    });
  });

  it('beyond STEPWISE_EXPRESS_MAX_RUNNING running at once, a start gets ThrottlingException', { timeout: 60000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-express-running-'));
    const running = await startServer({ port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db: join(dir, 'db.sqlite'), limits: { expressMaxRunning: 2 } }, () => {});
    const endpoint = `http://127.0.0.1:${running.port}`;
    const client = sdkClient(endpoint);
    try {
      const create = async (definition: string) =>
        (await client.send(new CreateStateMachineCommand({ name: uniqueName('cap'), definition, roleArn: ROLE, type: 'EXPRESS' }))).stateMachineArn!;
      const quick = await create(passDefinition({ done: true }));
      // Ended ones do not count.
      for (let i = 0; i < 3; i++) assert.equal((await client.send(new StartSyncExecutionCommand({ stateMachineArn: quick, input: '{}' }))).status, 'SUCCEEDED');
      const waiting = await create(JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 10, End: true } } }));
      for (let i = 0; i < 2; i++) await client.send(new StartExecutionCommand({ stateMachineArn: waiting, input: '{}' }));
      await rejectsAws(client.send(new StartExecutionCommand({ stateMachineArn: waiting, input: '{}' })), 'ThrottlingException', 'Rate exceeded');
      await rejectsAws(client.send(new StartSyncExecutionCommand({ stateMachineArn: quick, input: '{}' })), 'ThrottlingException', 'Rate exceeded');
      const raw = await rawRequest(endpoint, { target: 'AWSStepFunctions.StartExecution', body: JSON.stringify({ stateMachineArn: quick, input: '{}' }) });
      assert.equal(raw.status, 400);
      assert.deepEqual(raw.body, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      // Nothing of the refused starts is kept.
      assert.equal(running.engine.expressStats().running, 2);
      assert.equal(running.engine.expressStats().ended, 3);
    } finally {
      client.destroy();
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
