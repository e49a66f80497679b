/**
 * A callback task (`lambda:invoke.waitForTaskToken`) whose token is answered before the call that
 * handed the token over has returned: after a kill -9 between the call and the record of its response
 * (the restarted server calls again, and the answer to the first call arrives meanwhile), and when the
 * function answers its own token before it returns. Either way the history is the one of an
 * uninterrupted run: TaskSubmitted (the call's response), then TaskSucceeded (the answer).
 *
 * A real `stepwise serve` child on a SQLite file, real functions loaded from a folder, the SDK client.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand, StartExecutionCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { ACCOUNT, REGION, rejectsAws, ROLE, sdkClient, uniqueName, waitForEnd } from './helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stepwise.js');

const FUNCTIONS: Record<string, string> = {
  // Logs the token, then returns only once the test lets it.
  'hold.mjs': `import { appendFileSync, existsSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(process.env.HOLD_LOG, event.token + '\\n');
  while (!existsSync(process.env.HOLD_RELEASE)) await new Promise((r) => setTimeout(r, 10));
  return { sent: true };
};`,
  // Answers its own token (and waits for the answer to be taken) before it returns.
  'self.mjs': `export const handler = async (event) => {
  const res = await fetch(process.env.SFN_ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.SendTaskSuccess' },
    body: JSON.stringify({ taskToken: event.token, output: JSON.stringify({ answered: 'by itself' }) }),
  });
  if (res.status !== 200) throw new Error('SendTaskSuccess: ' + (await res.text()));
  return { sent: true };
};`,
};

const callbackDefinition = (fn: string) =>
  JSON.stringify({
    StartAt: 'Approve',
    States: {
      Approve: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: fn, Payload: { 'token.$': '$$.Task.Token' } },
        TimeoutSeconds: 600,
        End: true,
      },
    },
  });

const UNINTERRUPTED = ['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded'];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a callback answered before its call returned', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-callback-race-'));
  const functionsDir = join(dir, 'functions');
  const log = join(dir, 'tokens.log');
  const release = join(dir, 'release');
  let port = 0;
  let endpoint = '';
  let live: ChildProcess | undefined;
  let stderr = '';
  let c: SFNClient;

  const serve = () =>
    new Promise<ChildProcess>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', join(dir, 'stepwise.db'), '--functions', functionsDir], {
        env: { ...process.env, HOLD_LOG: log, HOLD_RELEASE: release, SFN_ENDPOINT: endpoint, AWS_ACCOUNT_ID: ACCOUNT, AWS_DEFAULT_REGION: REGION },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      live = child;
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20000)));
      child.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('serving')) resolve(child);
      });
      child.once('exit', (code, signal) => reject(new Error(`the server exited (${code ?? signal}) before serving: ${stderr}`)));
    });

  const tokensLogged = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const until = async (what: string, ok: () => boolean) => {
    for (let t = 0; !ok(); t++) {
      assert.ok(t < 3000, `timed out waiting for ${what}`);
      await sleep(10);
    }
  };
  const historyTypes = async (executionArn: string) => {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await c.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
      events.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  };
  const start = async (fn: string) => {
    const { stateMachineArn } = await c.send(new CreateStateMachineCommand({ name: uniqueName(fn), definition: callbackDefinition(fn), roleArn: ROLE }));
    const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    return executionArn!;
  };

  before(async () => {
    mkdirSync(functionsDir);
    for (const [f, text] of Object.entries(FUNCTIONS)) writeFileSync(join(functionsDir, f), text);
    writeFileSync(log, '');
    port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    await serve();
    c = sdkClient(endpoint);
  });
  after(() => {
    c?.destroy();
    if (live && live.exitCode === null && live.signalCode === null) live.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('killed between the call and the record of its response: the call is made again, and the answer waits for it', async () => {
    const arn = await start('hold');
    // The call has handed the token over and hangs: its response is not recorded.
    await until('the call', () => tokensLogged().length === 1);
    const [token] = tokensLogged();
    const first = live!;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    // The restarted server calls again (at least once); the external system answers the token it got
    // from the first call while the second call is still running.
    await serve();
    await until('the second call', () => tokensLogged().length === 2);
    assert.equal(tokensLogged()[1], token, 'the call made again hands over the same token');
    await c.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approved: true }) }));
    // Answered once: a second answer finds no task for the token, as on AWS.
    await rejectsAws(c.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":false}' })), 'TaskTimedOut');
    writeFileSync(release, '');

    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(d.output!), { approved: true });
    const events = await historyTypes(arn);
    assert.deepEqual(
      events.map((e) => e.type),
      UNINTERRUPTED,
    );
    const submitted = events.find((e) => e.type === 'TaskSubmitted')!;
    assert.deepEqual((JSON.parse(submitted.taskSubmittedEventDetails!.output!) as { Payload: unknown }).Payload, { sent: true });
    assert.ok(existsSync(release));
  });

  it('a function that answers its own token before it returns: TaskSubmitted, then TaskSucceeded', async () => {
    const arn = await start('self');
    const d = await waitForEnd(c, arn);
    assert.equal(d.status, 'SUCCEEDED', `${d.error} ${d.cause}`);
    assert.deepEqual(JSON.parse(d.output!), { answered: 'by itself' });
    const events = await historyTypes(arn);
    assert.deepEqual(
      events.map((e) => e.type),
      UNINTERRUPTED,
    );
  });
});
