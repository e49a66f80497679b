/**
 * E2E: the integrations that run locally, through the real server and @aws-sdk/client-sfn, with a
 * Stepwise config file (`--config`): the HTTP Task against a local HTTP server with an API-key
 * connection; ecs:runTask.sync as a local process (exit 0 and non-zero); ecs:runTask.waitForTaskToken
 * whose process answers SendTaskSuccess itself over the wire with the token from its environment;
 * StopExecution stopping a running process; a bad config file stopping `stepwise serve` at start-up.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, StopExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
import { loadLocalConfig } from '../runtime/tasks/integrations/local-config.js';
import { ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from './helpers.js';

const CONN = 'arn:aws:events:us-east-1:123456789012:connection/orders/5f1e';
let dir: string;
let api: Server;
let apiUrl: string;
let srv: TestServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stepwise-local-e2e-'));
  api = createServer((req, res) => {
    if (req.headers['x-api-key'] !== 'k-42') return void res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ order: req.url }));
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  // Answers SendTaskSuccess over the wire with the token ECS's overrides put in its environment.
  writeFileSync(
    join(dir, 'callback.mjs'),
    `const res = await fetch(process.env.SFN_ENDPOINT, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.SendTaskSuccess' }, body: JSON.stringify({ taskToken: process.env.TASK_TOKEN, output: JSON.stringify({ from: 'container' }) }) });
if (!res.ok) { console.error(await res.text()); process.exit(1); }`,
  );
  writeFileSync(join(dir, 'linger.mjs'), `import { writeFileSync } from 'node:fs'; writeFileSync(process.env.PID_FILE, String(process.pid)); setInterval(() => {}, 1000);`);
  const file = join(dir, 'stepwise.json');
  writeFileSync(
    file,
    JSON.stringify({
      connections: { [CONN]: { AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-42' } } } },
      ecs: {
        taskDefinitions: {
          worker: { command: [process.execPath, '-e', 'process.exit(Number(process.env.CODE || 0))'] },
          callback: { command: [process.execPath, 'callback.mjs'] },
          linger: { command: [process.execPath, 'linger.mjs'], stopTimeoutSeconds: 1 },
        },
      },
    }),
  );
  srv = await startTestServer({ db: ':memory:', localConfig: loadLocalConfig(file) });
});
after(async () => {
  await srv.close();
  await new Promise<void>((r) => api.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function runOne(task: Record<string, unknown>, input: unknown = {}) {
  const name = uniqueName('local');
  const { stateMachineArn } = await srv.client.send(
    new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify({ StartAt: 'T', States: { T: { Type: 'Task', End: true, ...task } } }) }),
  );
  const { executionArn } = await srv.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return executionArn!;
}

const history = async (executionArn: string) => (await srv.client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];

describe('local integrations through the server', () => {
  it('HTTP Task with an API-key connection: output in AWS shape; a 403 is States.Http.StatusCode.403', async () => {
    const arn = await runOne({ Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: `${apiUrl}/orders/7`, Method: 'GET', Authentication: { ConnectionArn: CONN } } });
    const d = await waitForEnd(srv.client, arn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    const out = JSON.parse(d.output!) as { ResponseBody: unknown; StatusCode: number; StatusText: string };
    assert.deepEqual([out.ResponseBody, out.StatusCode, out.StatusText], [{ order: '/orders/7' }, 200, 'OK']);
    const scheduled = (await history(arn)).find((e) => e.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    assert.deepEqual([scheduled.resourceType, scheduled.resource], ['http', 'invoke']);

    const other = 'arn:aws:events:us-east-1:123456789012:connection/other/1';
    const denied = await runOne({ Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: `${apiUrl}/x`, Method: 'GET', Authentication: { ConnectionArn: other } } });
    const d2 = await waitForEnd(srv.client, denied);
    assert.equal(d2.error, 'States.Runtime');
    assert.match(d2.cause!, /connection\/other\/1' is not in the Stepwise config file/);
  });

  it('ecs:runTask.sync: exit 0 succeeds with the stopped task; exit 5 is States.TaskFailed', async () => {
    const ok = await runOne({ Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { TaskDefinition: 'worker' } });
    const d = await waitForEnd(srv.client, ok);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.equal((JSON.parse(d.output!) as { Containers: { ExitCode: number }[] }).Containers[0]!.ExitCode, 0);
    assert.deepEqual(
      (await history(ok)).map((e) => e.type).filter((t) => t!.startsWith('Task') && t !== 'TaskStateEntered' && t !== 'TaskStateExited'),
      ['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
    );
    const bad = await runOne({
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: { TaskDefinition: 'worker', Overrides: { ContainerOverrides: [{ Name: 'worker', Environment: [{ Name: 'CODE', Value: '5' }] }] } },
    });
    const d2 = await waitForEnd(srv.client, bad);
    assert.equal(d2.status, 'FAILED');
    assert.equal(d2.error, 'States.TaskFailed');
    assert.equal((JSON.parse(d2.cause!) as { Containers: { ExitCode: number }[] }).Containers[0]!.ExitCode, 5);
  });

  it('ecs:runTask.waitForTaskToken: the process sends the token back over the API', async () => {
    const arn = await runOne({
      Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
      Parameters: {
        TaskDefinition: 'callback',
        Overrides: {
          ContainerOverrides: [
            {
              Name: 'callback',
              Environment: [
                { Name: 'TASK_TOKEN', 'Value.$': '$$.Task.Token' },
                { Name: 'SFN_ENDPOINT', Value: srv.endpoint },
              ],
            },
          ],
        },
      },
    });
    const d = await waitForEnd(srv.client, arn);
    assert.equal(d.status, 'SUCCEEDED', d.cause);
    assert.deepEqual(JSON.parse(d.output!), { from: 'container' });
  });

  it('StopExecution stops the running process', async () => {
    const pidFile = join(dir, 'linger.pid');
    const arn = await runOne({
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: { TaskDefinition: 'linger', Overrides: { ContainerOverrides: [{ Name: 'linger', Environment: [{ Name: 'PID_FILE', Value: pidFile }] }] } },
    });
    // The file exists before its pid is written in it (an empty read is pid 0: this process group).
    const readPid = () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0);
    for (let i = 0; i < 500 && !(readPid() > 0); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = readPid();
    assert.ok(pid > 0, 'the process wrote its pid');
    await srv.client.send(new StopExecutionCommand({ executionArn: arn }));
    assert.equal((await srv.client.send(new DescribeExecutionCommand({ executionArn: arn }))).status, 'ABORTED');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 500 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(), false);
  });

  it('TestState at TRACE shows the HTTP request and response (the API key redacted unless revealSecrets)', async () => {
    const definition = JSON.stringify({ Type: 'Task', Resource: 'arn:aws:states:::http:invoke', Parameters: { ApiEndpoint: `${apiUrl}/orders/9`, Method: 'GET', Authentication: { ConnectionArn: CONN } }, End: true });
    const send = (revealSecrets: boolean, inspectionLevel: 'TRACE' | 'DEBUG' = 'TRACE') =>
      srv.client.send(new TestStateCommand({ definition, roleArn: ROLE, input: '{}', inspectionLevel, revealSecrets }));
    const hidden = await send(false);
    assert.equal(hidden.status, 'SUCCEEDED');
    const req = hidden.inspectionData!.request!;
    assert.deepEqual([req.protocol, req.method, req.url], ['http', 'GET', `${apiUrl}/orders/9`]);
    assert.match(req.headers!, /x-api-key: <redacted>/);
    const res = hidden.inspectionData!.response!;
    assert.deepEqual([res.statusCode, res.statusMessage, res.body], ['200', 'OK', '{"order":"/orders/9"}']);
    assert.match(res.headers!, /content-type: application\/json/);
    assert.match((await send(true)).inspectionData!.request!.headers!, /x-api-key: k-42/);
    assert.equal((await send(false, 'DEBUG')).inspectionData!.request, undefined, 'only TRACE shows them');
  });

  it('stepwise serve --config with a bad file stops at start-up, naming the file and the path', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ecs: { taskDefinitions: { web: { command: [] } } } }));
    const cli = fileURLToPath(new URL('../../bin/stepwise.js', import.meta.url));
    const r = await promisify(execFile)(process.execPath, [cli, 'serve', '--config', bad, '--port', '0', '--db', ':memory:'], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\$\\.ecs\\.taskDefinitions\\['web'\\]\\.command: must not be empty`));
  });
});
