/**
 * AWS's quotas as the server's limits: the defaults, and overrides from the environment (a Standard
 * execution's longest run, Express's five minutes, the history-event quota, GetActivityTask's poll).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateActivityCommand, CreateStateMachineCommand, GetActivityTaskCommand, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { parseArgs } from '../cli/args.js';
import { serveConfig, startServer } from '../cli/serve.js';
import { DEFAULT_LIMITS } from '../runtime/engine.js';
import { ACCOUNT, REGION, ROLE, sdkClient, uniqueName, waitForEnd } from './helpers.js';

describe('limits', () => {
  it("default to AWS's quotas", () => {
    assert.equal(DEFAULT_LIMITS.maxHistoryEvents, 25000);
    assert.equal(DEFAULT_LIMITS.retentionDays, 90);
    assert.equal(DEFAULT_LIMITS.standardMaxSeconds, 365 * 24 * 3600);
    assert.equal(DEFAULT_LIMITS.expressMaxSeconds, 300);
    assert.equal(DEFAULT_LIMITS.activityPollMs, 60000);
    assert.deepEqual(serveConfig(parseArgs([]), {}).limits, {});
  });

  it('are read from the environment, and bad values are refused', () => {
    const cfg = serveConfig(parseArgs([]), {
      STEPWISE_MAX_HISTORY_EVENTS: '100',
      STEPWISE_RETENTION_DAYS: '7',
      STEPWISE_STANDARD_MAX_SECONDS: '3600',
      STEPWISE_EXPRESS_MAX_SECONDS: '60',
      STEPWISE_ACTIVITY_POLL_SECONDS: '5',
    });
    assert.deepEqual(cfg.limits, { maxHistoryEvents: 100, retentionDays: 7, standardMaxSeconds: 3600, expressMaxSeconds: 60, activityPollMs: 5000 });
    assert.throws(() => serveConfig(parseArgs([]), { STEPWISE_RETENTION_DAYS: 'soon' }), /STEPWISE_RETENTION_DAYS must be a positive number/);
  });

  it('apply to executions on the server', { timeout: 30000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-limits-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const running = await startServer(
      { port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db: join(dir, 'db.sqlite'), limits: { standardMaxSeconds: 1, expressMaxSeconds: 1, maxHistoryEvents: 30, activityPollMs: 300 } },
      () => {},
    );
    const c = sdkClient(`http://127.0.0.1:${running.port}`);
    after(async () => {
      c.destroy();
      await running.close();
    });
    const create = async (definition: unknown, type?: 'EXPRESS') =>
      (await c.send(new CreateStateMachineCommand({ name: uniqueName('limits'), definition: JSON.stringify(definition), roleArn: ROLE, type }))).stateMachineArn!;

    // A Standard execution runs at most standardMaxSeconds: it times out as with TimeoutSeconds.
    const long = await create({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } });
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: long }));
    const end = await waitForEnd(c, executionArn!, 5000);
    assert.equal(end.status, 'TIMED_OUT');
    assert.ok(end.stopDate!.getTime() - end.startDate!.getTime() >= 1000);

    // An Express execution likewise.
    const slow = await create({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 30, End: true } } }, 'EXPRESS');
    const sync = await c.send(new StartSyncExecutionCommand({ stateMachineArn: slow }));
    assert.equal(sync.status, 'TIMED_OUT');

    // The history quota: a loop that would go on fails the execution when the quota is reached.
    const loop = await create({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'C' }, C: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'A' }, Done: { Type: 'Succeed' } },
    });
    const looped = await c.send(new StartExecutionCommand({ stateMachineArn: loop }));
    const failed = await waitForEnd(c, looped.executionArn!, 5000);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error, 'States.Runtime');
    assert.match(failed.cause!, /maximum number of history events \(30\)/);

    // GetActivityTask's long poll.
    const { activityArn } = await c.send(new CreateActivityCommand({ name: uniqueName('limits-act') }));
    const t0 = Date.now();
    const none = await c.send(new GetActivityTaskCommand({ activityArn }));
    assert.equal(none.taskToken, undefined);
    const waited = Date.now() - t0;
    assert.ok(waited >= 250 && waited < 3000, `polled ${waited} ms`);
  });

  it('closed executions are deleted after the retention period; running ones stay', { timeout: 30000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-retention-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'db.sqlite');
    const cfg = { port: 0, host: '127.0.0.1', region: REGION, accountId: ACCOUNT, db };
    const first = await startServer(cfg, () => {});
    let c = sdkClient(`http://127.0.0.1:${first.port}`);
    const mk = async (definition: unknown) => (await c.send(new CreateStateMachineCommand({ name: uniqueName('retention'), definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
    const quick = await mk({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const slow = await mk({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } });
    const done = (await c.send(new StartExecutionCommand({ stateMachineArn: quick }))).executionArn!;
    const waiting = (await c.send(new StartExecutionCommand({ stateMachineArn: slow }))).executionArn!;
    assert.equal((await waitForEnd(c, done)).status, 'SUCCEEDED');
    c.destroy();
    await first.close();
    await new Promise((r) => setTimeout(r, 1200));
    // Restarted with a retention of about 0.9 s: the closed execution is gone, the running one is not.
    const second = await startServer({ ...cfg, limits: { retentionDays: 0.9 / 86400 } }, () => {});
    c = sdkClient(`http://127.0.0.1:${second.port}`);
    after(async () => {
      c.destroy();
      await second.close();
    });
    const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
    await assert.rejects(c.send(new DescribeExecutionCommand({ executionArn: done })), (e: Error) => e.name === 'ExecutionDoesNotExist');
    assert.equal((await c.send(new DescribeExecutionCommand({ executionArn: waiting }))).status, 'RUNNING');
  });
});
