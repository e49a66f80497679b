import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StateMachine } from '../../../library/state-machine.js';
import type { JsonObject } from '../../../shared/json.js';

let dir = '';
const out = (name: string) => join(dir, `${name}.json`);

/** Waits for a file a child process writes (the process's own pace; bounded). */
async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    if (existsSync(file)) {
      const t = readFileSync(file, 'utf8');
      if (t.endsWith('\n')) return t;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${file} was never written`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitDead(pid: number): Promise<void> {
  for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false, `process ${pid} is still running`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-ecs-'));
  // Writes its argv, cwd and some environment to $OUT, then exits with $CODE.
  writeFileSync(
    join(dir, 'report.js'),
    `require('fs').writeFileSync(process.env.OUT, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: { GREETING: process.env.GREETING, FROM_DEF: process.env.FROM_DEF, TASK_TOKEN: process.env.TASK_TOKEN } }) + '\\n');
process.exit(Number(process.env.CODE || 0));`,
  );
  // Writes its pid to $OUT and runs until killed; with IGNORE_TERM it ignores SIGTERM.
  writeFileSync(
    join(dir, 'linger.js'),
    `if (process.env.IGNORE_TERM) process.on('SIGTERM', () => {});
require('fs').writeFileSync(process.env.OUT, JSON.stringify({ pid: process.pid, token: process.env.TASK_TOKEN }) + '\\n');
setInterval(() => {}, 1000);`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

const config = () => ({
  ecs: {
    taskDefinitions: {
      report: { command: [process.execPath, 'report.js', 'from-definition'], workingDirectory: dir, environment: { FROM_DEF: 'def', GREETING: 'hello' }, containerName: 'app' },
      linger: { command: [process.execPath, 'linger.js'], workingDirectory: dir, stopTimeoutSeconds: 0.2 },
      missing: { command: ['/no/such/program'] },
    },
  },
  batch: {
    jobDefinitions: {
      'arn:aws:batch:us-east-1:123456789012:job-definition/report:3': { command: [process.execPath, 'report.js', 'Ref::who'], workingDirectory: dir },
      linger: { command: [process.execPath, 'linger.js'], workingDirectory: dir, stopTimeoutSeconds: 0.2 },
    },
  },
});

const one = (resource: string, params: JsonObject, extra: JsonObject = {}) =>
  new StateMachine({ StartAt: 'Run', States: { Run: { Type: 'Task', Resource: resource, Parameters: params, End: true, ...extra } } }, { config: config() });

const env = (o: Record<string, string>) => Object.entries(o).map(([Name, Value]) => ({ Name, Value }));

describe('ecs:runTask as a local process', () => {
  test('.sync: overrides apply; the exit comes back as DescribeTasks describes the task; TaskSubmitted first', async () => {
    const r = await one('arn:aws:states:::ecs:runTask.sync', {
      Cluster: 'local',
      TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/report:4',
      Overrides: { ContainerOverrides: [{ Name: 'app', Command: [process.execPath, 'report.js', 'overridden'], Environment: env({ OUT: out('sync0'), GREETING: 'hi' }) }] },
    }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = JSON.parse(readFileSync(out('sync0'), 'utf8')) as JsonObject;
    assert.deepEqual(seen.argv, ['overridden']);
    assert.equal(seen.cwd, dir);
    assert.deepEqual(seen.env, { GREETING: 'hi', FROM_DEF: 'def' });
    const task = r.output as JsonObject;
    assert.equal(task.LastStatus, 'STOPPED');
    assert.equal(task.StopCode, 'EssentialContainerExited');
    assert.equal(task.StoppedReason, 'Essential container in task exited');
    assert.equal(task.TaskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/report:4');
    assert.match(String(task.TaskArn), /^arn:aws:ecs:us-east-1:123456789012:task\/local\/[0-9a-f]{32}$/);
    const c = (task.Containers as JsonObject[])[0]!;
    assert.equal(c.Name, 'app');
    assert.equal(c.ExitCode, 0);
    const types = r.events.map((e) => e.type);
    assert.deepEqual(types.slice(2, 6), ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']);
    const submitted = r.events.find((e) => e.type === 'TaskSubmitted')!;
    assert.equal((((submitted.details as JsonObject).output as JsonObject).Tasks as JsonObject[])[0]!.LastStatus, 'PROVISIONING');
  });

  test('.sync: a non-zero exit fails with States.TaskFailed and the task as the cause', async () => {
    const r = await one('arn:aws:states:::ecs:runTask.sync', {
      TaskDefinition: 'report',
      Overrides: { ContainerOverrides: [{ Name: 'app', Environment: env({ OUT: out('sync3'), CODE: '3' }) }] },
    }).run({});
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.TaskFailed');
    const task = JSON.parse(r.cause!) as JsonObject;
    assert.equal((task.Containers as JsonObject[])[0]!.ExitCode, 3);
    assert.equal(task.StopCode, 'EssentialContainerExited');
    assert.deepEqual((JSON.parse(readFileSync(out('sync3'), 'utf8')) as JsonObject).argv, ['from-definition']);
  });

  test('request-response: RunTask answers once the process runs', async () => {
    const r = await one('arn:aws:states:::ecs:runTask', { TaskDefinition: 'report', Overrides: { ContainerOverrides: [{ Name: 'app', Environment: env({ OUT: out('rr') }) }] } }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const o = r.output as JsonObject;
    assert.deepEqual(o.Failures, []);
    assert.equal((o.Tasks as JsonObject[])[0]!.LastStatus, 'PROVISIONING');
    await waitForFile(out('rr'));
  });

  test('.waitForTaskToken: the token reaches the process through the overrides; the token ends the task', async () => {
    const sm = one('arn:aws:states:::ecs:runTask.waitForTaskToken', {
      TaskDefinition: 'report',
      Overrides: { ContainerOverrides: [{ Name: 'app', Environment: [{ Name: 'OUT', Value: out('token') }, { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' }] }] },
    });
    const running = sm.start({});
    const seen = JSON.parse(await waitForFile(out('token'))) as { env: { TASK_TOKEN: string } };
    assert.ok(seen.env.TASK_TOKEN.length > 10);
    assert.ok(running.sendTaskSuccess(seen.env.TASK_TOKEN, { done: true }));
    const r = await running.done;
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    assert.deepEqual(r.output, { done: true });
    assert.ok(r.events.some((e) => e.type === 'TaskSubmitted'));
  });

  test('.waitForTaskToken: the process keeps running after the token answers and after StopExecution (AWS does not stop it)', async () => {
    const params = (name: string): JsonObject => ({
      TaskDefinition: 'linger',
      Overrides: { ContainerOverrides: [{ Name: 'linger', Environment: [{ Name: 'OUT', Value: out(name) }, { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' }] }] },
    });
    const answered = one('arn:aws:states:::ecs:runTask.waitForTaskToken', params('tokenLinger')).start({});
    const stopped = one('arn:aws:states:::ecs:runTask.waitForTaskToken', params('stopLinger')).start({});
    const first = JSON.parse(await waitForFile(out('tokenLinger'))) as { pid: number; token: string };
    const second = JSON.parse(await waitForFile(out('stopLinger'))) as { pid: number };
    try {
      assert.ok(answered.sendTaskSuccess(first.token, { ok: 1 }));
      const r = await answered.done;
      assert.equal(r.status, 'SUCCEEDED', r.cause);
      assert.deepEqual(r.output, { ok: 1 });
      stopped.stop('Stopped', 'by the test');
      assert.equal((await stopped.done).status, 'ABORTED');
      // Had the engine stopped them, SIGTERM would have ended them at once (they do not ignore it).
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(alive(first.pid), 'the process whose token answered still runs');
      assert.ok(alive(second.pid), 'the process of the stopped execution still runs');
    } finally {
      for (const p of [first.pid, second.pid]) if (alive(p)) process.kill(p, 'SIGKILL');
      await waitDead(first.pid);
      await waitDead(second.pid);
    }
  });

  test('StopExecution stops the process (SIGTERM)', async () => {
    const running = one('arn:aws:states:::ecs:runTask.sync', { TaskDefinition: 'linger', Overrides: { ContainerOverrides: [{ Name: 'linger', Environment: env({ OUT: out('stop') }) }] } }).start({});
    const { pid } = JSON.parse(await waitForFile(out('stop'))) as { pid: number };
    assert.ok(alive(pid));
    running.stop('Stopped', 'by the test');
    const r = await running.done;
    assert.equal(r.status, 'ABORTED');
    await waitDead(pid);
  });

  test('TimeoutSeconds stops the process; one that ignores SIGTERM gets SIGKILL', async () => {
    const r0 = one(
      'arn:aws:states:::ecs:runTask.sync',
      { TaskDefinition: 'linger', Overrides: { ContainerOverrides: [{ Name: 'linger', Environment: env({ OUT: out('timeout'), IGNORE_TERM: '1' }) }] } },
      { TimeoutSeconds: 1 },
    ).start({});
    const { pid } = JSON.parse(await waitForFile(out('timeout'))) as { pid: number };
    const r = await r0.done;
    assert.equal(r.status, 'FAILED');
    assert.equal(r.error, 'States.Timeout');
    await waitDead(pid);
  });

  test('HeartbeatSeconds stops the process', async () => {
    const r0 = one(
      'arn:aws:states:::ecs:runTask.sync',
      { TaskDefinition: 'linger', Overrides: { ContainerOverrides: [{ Name: 'linger', Environment: env({ OUT: out('heartbeat') }) }] } },
      { HeartbeatSeconds: 1 },
    ).start({});
    const { pid } = JSON.parse(await waitForFile(out('heartbeat'))) as { pid: number };
    const r = await r0.done;
    // A service integration's missed heartbeat is reported as States.Timeout, as AWS records it.
    assert.equal(r.error, 'States.Timeout');
    await waitDead(pid);
  });

  test('refused clearly: an unmapped definition, a field ECS does not have, a container the definition lacks; a program that does not start', async () => {
    const cases: [JsonObject, string, RegExp][] = [
      [{ TaskDefinition: 'unknown-family' }, 'States.Runtime', /'unknown-family' is not mapped in the Stepwise config file: add it under 'ecs.taskDefinitions'/],
      [{ TaskDefinition: 'report', Overrides: { Command: ['node', 'index.js'] } }, 'States.Runtime', /The field 'Command' is not supported by ecs:runTask Overrides/],
      [{ TaskDefinition: 'report', Overrides: { ContainerOverrides: [{ Name: 'other' }] } }, 'ECS.InvalidParameterException', /Override for container named other is not a container in the TaskDefinition/],
      [{ TaskDefinition: 'missing' }, 'States.TaskFailed', /TaskFailedToStart/],
    ];
    for (const [params, error, cause] of cases) {
      const r = await one('arn:aws:states:::ecs:runTask.sync', params).run({});
      assert.equal(r.status, 'FAILED');
      assert.equal(r.error, error);
      assert.match(r.cause!, cause);
    }
  });
});

describe('batch:submitJob as a local process', () => {
  test('.sync: Parameters fill Ref::, overrides apply; the job as DescribeJobs describes it', async () => {
    const r = await one('arn:aws:states:::batch:submitJob.sync', {
      JobName: 'nightly',
      JobQueue: 'q1',
      JobDefinition: 'arn:aws:batch:us-east-1:123456789012:job-definition/report:3',
      Parameters: { who: 'world' },
      ContainerOverrides: { Environment: env({ OUT: out('batch0'), GREETING: 'hey' }) },
    }).run({});
    assert.equal(r.status, 'SUCCEEDED', r.cause);
    const seen = JSON.parse(readFileSync(out('batch0'), 'utf8')) as JsonObject;
    assert.deepEqual(seen.argv, ['world']);
    assert.equal((seen.env as JsonObject).GREETING, 'hey');
    const job = r.output as JsonObject;
    assert.equal(job.Status, 'SUCCEEDED');
    assert.equal(job.JobName, 'nightly');
    assert.equal(job.JobQueue, 'arn:aws:batch:us-east-1:123456789012:job-queue/q1');
    assert.equal((job.Container as JsonObject).ExitCode, 0);
    assert.equal(((job.Attempts as JsonObject[])[0]!.Container as JsonObject).ExitCode, 0);
    const submitted = r.events.find((e) => e.type === 'TaskSubmitted')!;
    assert.deepEqual(Object.keys((submitted.details as JsonObject).output as JsonObject).sort(), ['JobArn', 'JobId', 'JobName']);
  });

  test('.sync: a failing job is States.TaskFailed with the job as the cause; request-response returns SubmitJob', async () => {
    const r = await one('arn:aws:states:::batch:submitJob.sync', {
      JobName: 'bad',
      JobQueue: 'q1',
      JobDefinition: 'report',
      ContainerOverrides: { Command: [process.execPath, 'report.js'], Environment: env({ OUT: out('batch2'), CODE: '2' }) },
    }).run({});
    assert.equal(r.error, 'States.TaskFailed');
    const job = JSON.parse(r.cause!) as JsonObject;
    assert.equal(job.Status, 'FAILED');
    assert.equal(job.StatusReason, 'Essential container in task exited');
    assert.equal((job.Container as JsonObject).ExitCode, 2);
    const rr = await one('arn:aws:states:::batch:submitJob', { JobName: 'rr', JobQueue: 'q', JobDefinition: 'report:3', ContainerOverrides: { Environment: env({ OUT: out('batchrr') }) } }).run({});
    assert.equal(rr.status, 'SUCCEEDED', rr.cause);
    assert.equal((rr.output as JsonObject).JobName, 'rr');
    assert.match(String((rr.output as JsonObject).JobArn), /^arn:aws:batch:us-east-1:123456789012:job\//);
    await waitForFile(out('batchrr'));
  });

  test('StopExecution stops the job', async () => {
    const running = one('arn:aws:states:::batch:submitJob.sync', { JobName: 'l', JobQueue: 'q', JobDefinition: 'linger', ContainerOverrides: { Environment: env({ OUT: out('bstop') }) } }).start({});
    const { pid } = JSON.parse(await waitForFile(out('bstop'))) as { pid: number };
    running.stop();
    assert.equal((await running.done).status, 'ABORTED');
    await waitDead(pid);
  });
});
