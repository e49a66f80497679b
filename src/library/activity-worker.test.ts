/**
 * createActivityWorker against a real Stepwise server (in memory, port 0): STANDARD state machines with a
 * Task on an activity, executions started and checked with @aws-sdk/client-sfn.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { SfnError } from '../client/sfn-client.js';
import { ROLE, startTestServer, uniqueName, waitForEnd, type TestServer } from '../e2e/helpers.js';
import { createActivityWorker, taskFailureOf, type ActivityWorker, type ActivityWorkerOptions, type WorkerErrorInfo } from './activity-worker.js';

let srv: TestServer;
let c: SFNClient;
const workers: ActivityWorker[] = [];
before(async () => {
  srv = await startTestServer();
  c = srv.client;
  // The SDK loads much of itself on its first call; do that before the timed tests run side by side.
  await c.send(new ListActivitiesCommand({}));
});
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await srv.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 10 s) until `cond()` holds. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    assert.ok(Date.now() < deadline, 'timed out waiting');
    await sleep(10);
  }
}

async function activity(): Promise<string> {
  return (await c.send(new CreateActivityCommand({ name: uniqueName('worker-act') }))).activityArn!;
}

/** A STANDARD state machine: the activity's Task (with `task` merged in), plus `states`. */
async function machine(activityArn: string, task: Record<string, unknown> = {}, states: Record<string, unknown> = {}): Promise<string> {
  const definition = JSON.stringify({
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: activityArn, TimeoutSeconds: 30, End: true, ...task }, ...states },
  });
  return (await c.send(new CreateStateMachineCommand({ name: uniqueName('worker-sm'), definition, roleArn: ROLE }))).stateMachineArn!;
}

async function execute(stateMachineArn: string, input: unknown): Promise<string> {
  return (await c.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }))).executionArn!;
}

/** A started worker against the test server; stopped after the tests if the test does not stop it. */
function worker(opts: Omit<ActivityWorkerOptions, 'endpoint'>): ActivityWorker {
  const w = createActivityWorker({ endpoint: srv.endpoint, ...opts });
  workers.push(w);
  w.start();
  return w;
}

describe('activity worker', { concurrency: true }, () => {
  it('completes tasks: the execution succeeds with the handler output', async () => {
    const act = await activity();
    const sm = await machine(act);
    let active = 0;
    let maxActive = 0;
    const w = worker({
      activityArn: act,
      workerName: 'worker-one',
      handler: async (input: { n: number }, ctx) => {
        maxActive = Math.max(maxActive, ++active);
        await sleep(20);
        active--;
        return { doubled: input.n * 2, hasToken: ctx.taskToken.length > 0, aborted: ctx.signal.aborted };
      },
    });
    const runs = await Promise.all([1, 2, 3].map((n) => execute(sm, { n })));
    for (const [i, arn] of runs.entries()) {
      const d = await waitForEnd(c, arn);
      assert.equal(d.status, 'SUCCEEDED', d.cause);
      assert.deepEqual(JSON.parse(d.output!), { doubled: (i + 1) * 2, hasToken: true, aborted: false });
    }
    assert.equal(maxActive, 1, 'concurrency defaults to 1');
    const events = (await c.send(new GetExecutionHistoryCommand({ executionArn: runs[0] }))).events!;
    assert.equal(events.find((e) => e.type === 'ActivityStarted')?.activityStartedEventDetails?.workerName, 'worker-one');
    await w.stop();
  });

  it('a result of undefined is null; a string is a JSON string', async () => {
    const act = await activity();
    const sm = await machine(act);
    const w = worker({ activityArn: act, handler: (input: { kind: string }) => (input.kind === 'none' ? undefined : 'text') });
    const [none, text] = await Promise.all([execute(sm, { kind: 'none' }), execute(sm, { kind: 'text' })]);
    assert.equal((await waitForEnd(c, none)).output, 'null');
    assert.equal((await waitForEnd(c, text)).output, '"text"');
    await w.stop();
  });

  it('a thrown error is the error and cause: caught by Catch, or failing the execution', async () => {
    class OrderRejected extends Error {}
    const act = await activity();
    const sm = await machine(
      act,
      { End: undefined, Next: 'Done', Catch: [{ ErrorEquals: ['OrderRejected'], ResultPath: '$.failure', Next: 'Rejected' }] },
      { Done: { Type: 'Succeed' }, Rejected: { Type: 'Pass', End: true } },
    );
    const w = worker({
      activityArn: act,
      handler: (input: { case: string }) => {
        switch (input.case) {
          case 'rejected':
            throw new OrderRejected('out of stock');
          case 'code':
            throw Object.assign(new Error('disk full'), { code: 'EDISK' });
          case 'named':
            throw Object.assign(new Error('bad input'), { name: 'Validation.Error' });
          case 'long':
            throw Object.assign(new Error('c'.repeat(40000)), { name: 'N'.repeat(300) });
          case 'string':
            throw 'just a string';
          case 'bigint':
            return { n: 1n }; // JSON.stringify throws a TypeError
          default:
            return 'ok';
        }
      },
    });
    const cases = ['rejected', 'code', 'named', 'long', 'string', 'bigint'] as const;
    const runs = await Promise.all(cases.map((k) => execute(sm, { case: k })));
    const [rejected, code, named, long, str, big] = await Promise.all(runs.map((arn) => waitForEnd(c, arn)));

    assert.equal(rejected!.status, 'SUCCEEDED');
    assert.deepEqual(JSON.parse(rejected!.output!), { case: 'rejected', failure: { Error: 'OrderRejected', Cause: 'out of stock' } });
    assert.deepEqual([code!.status, code!.error, code!.cause], ['FAILED', 'EDISK', 'disk full']);
    assert.deepEqual([named!.status, named!.error, named!.cause], ['FAILED', 'Validation.Error', 'bad input']);
    assert.equal(long!.status, 'FAILED');
    assert.equal(long!.error, 'N'.repeat(256));
    assert.equal(long!.cause, 'c'.repeat(32768));
    assert.deepEqual([str!.status, str!.error, str!.cause], ['FAILED', 'Error', 'just a string']);
    assert.equal(big!.status, 'FAILED');
    assert.equal(big!.error, 'TypeError');
    assert.match(big!.cause!, /BigInt/);
    const types = (await c.send(new GetExecutionHistoryCommand({ executionArn: runs[1] }))).events!.map((e) => String(e.type));
    assert.ok(types.includes('ActivityFailed'), types.join(','));
    await w.stop();
  });

  it('an output the API refuses (too large) fails the task instead of leaving it open', async () => {
    const act = await activity();
    const sm = await machine(act);
    const errors: WorkerErrorInfo[] = [];
    const w = worker({ activityArn: act, onError: (_e, info) => errors.push(info), handler: () => 'x'.repeat(300000) });
    const d = await waitForEnd(c, await execute(sm, {}));
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'ValidationException');
    // The API's message (which leaves the sensitive output out, as AWS does) becomes the cause.
    assert.equal(d.cause, "1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to 262144");
    await w.stop();
    assert.deepEqual(errors.map((e) => e.phase), ['report']);
  });

  it('automatic heartbeats keep a task with HeartbeatSeconds 1 alive for 2.5 s', async () => {
    const act = await activity();
    const sm = await machine(act, { HeartbeatSeconds: 1, TimeoutSeconds: 10 });
    const w = worker({
      activityArn: act,
      heartbeatSeconds: 0.4,
      handler: async (_input, ctx) => {
        await sleep(2500);
        return { aborted: ctx.signal.aborted };
      },
    });
    const d = await waitForEnd(c, await execute(sm, {}));
    assert.equal(d.status, 'SUCCEEDED', `${d.error}: ${d.cause}`);
    assert.deepEqual(JSON.parse(d.output!), { aborted: false });
    await w.stop();
  });

  it('without heartbeats the same task times out', async () => {
    const act = await activity();
    const sm = await machine(act, { HeartbeatSeconds: 1, TimeoutSeconds: 10 });
    const errors: WorkerErrorInfo[] = [];
    const w = worker({
      activityArn: act,
      onError: (_e, info) => errors.push(info),
      handler: async () => {
        await sleep(2500);
        return 'late';
      },
    });
    const d = await waitForEnd(c, await execute(sm, {}));
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'States.HeartbeatTimeout');
    await w.stop();
    // The late SendTaskSuccess got TaskTimedOut, which the worker reports.
    assert.deepEqual(errors.map((e) => e.phase), ['report']);
  });

  it('a heartbeat answered with TaskTimedOut aborts the handler signal', async () => {
    const act = await activity();
    const sm = await machine(act, { HeartbeatSeconds: 1, TimeoutSeconds: 10 });
    const errors: { error: unknown; info: WorkerErrorInfo }[] = [];
    let reason: unknown;
    const w = worker({
      activityArn: act,
      heartbeatSeconds: 1.5, // too slow: the task is over before the first heartbeat
      onError: (error, info) => errors.push({ error, info }),
      handler: async (_input, ctx) => {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
        reason = ctx.signal.reason;
        await assert.rejects(ctx.heartbeat(), { name: 'TaskTimedOut' });
        throw new Error('gave up');
      },
    });
    const started = Date.now();
    const d = await waitForEnd(c, await execute(sm, {}));
    assert.equal(d.status, 'FAILED');
    assert.equal(d.error, 'States.HeartbeatTimeout');
    await w.stop();
    assert.ok(Date.now() - started < 4000, 'the handler stopped at the abort, not after 5 s');
    assert.ok(reason instanceof SfnError && reason.name === 'TaskTimedOut', String(reason));
    // One heartbeat error; no report after it (the task was known to be over).
    assert.deepEqual(
      errors.map((e) => [e.info.phase, (e.error as Error).name]),
      [['heartbeat', 'TaskTimedOut']],
    );
  });

  it('ctx.heartbeat() sends a heartbeat', async () => {
    const act = await activity();
    const sm = await machine(act, { HeartbeatSeconds: 1, TimeoutSeconds: 10 });
    const w = worker({
      activityArn: act,
      handler: async (_input, ctx) => {
        // Stepwise starts the heartbeat clock when the task is scheduled: beat at once, then every 0.5 s.
        await ctx.heartbeat();
        for (let i = 0; i < 4; i++) {
          await sleep(500);
          await ctx.heartbeat();
        }
        return 'alive';
      },
    });
    const d = await waitForEnd(c, await execute(sm, {}));
    assert.equal(d.status, 'SUCCEEDED', `${d.error}: ${d.cause}`);
    await w.stop();
  });

  it('concurrency > 1 runs tasks in parallel', async () => {
    const act = await activity();
    const sm = await machine(act);
    let active = 0;
    let maxActive = 0;
    const w = worker({
      activityArn: act,
      concurrency: 3,
      handler: async (input: { i: number }) => {
        maxActive = Math.max(maxActive, ++active);
        await sleep(400);
        active--;
        return input.i;
      },
    });
    const runs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => execute(sm, { i })));
    const results = await Promise.all(runs.map((arn) => waitForEnd(c, arn)));
    assert.deepEqual(
      results.map((d) => d.output),
      ['0', '1', '2', '3', '4', '5'],
    );
    assert.equal(maxActive, 3, 'three handlers at a time, never more');
    await w.stop();
  });

  it('stop() ends the long poll at once and leaves no poller behind on the server', async () => {
    const act = await activity();
    const sm = await machine(act);
    // This worker's requests go to their own path, so the server's own events show its polls: when they
    // arrive, and when the server sees them end.
    const path = `/${uniqueName('stop-test')}`;
    const polls: Promise<void>[] = [];
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === path) polls.push(new Promise<void>((resolve) => res.on('close', () => resolve())));
    };
    srv.server.on('request', onRequest);
    try {
      const w = createActivityWorker({ endpoint: srv.endpoint + path, activityArn: act, concurrency: 2, handler: () => assert.fail('no task expected') });
      w.start();
      await until(() => polls.length >= 2);
      await sleep(50); // the server is waiting on both polls now
      const t0 = Date.now();
      await w.stop();
      assert.ok(Date.now() - t0 < 1000, `stop() took ${Date.now() - t0} ms`);
      await w.done;
      // The server learns that a poll was aborted when it handles the closed connection, a moment after
      // the client gave up on it. A task handed out in between goes to a dead poll, as it would on AWS.
      // Wait for that moment; after it, a new task must go to the next poller.
      await Promise.all(polls);
      assert.equal(polls.length, 2, 'no poll after stop()');
      const executionArn = await execute(sm, { after: 'stop' });
      const task = await c.send(new GetActivityTaskCommand({ activityArn: act }), { abortSignal: AbortSignal.timeout(5000) });
      assert.ok(task.taskToken, 'the task went to an abandoned poll');
      assert.deepEqual(JSON.parse(task.input!), { after: 'stop' });
      await c.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '"by hand"' }));
      assert.equal((await waitForEnd(c, executionArn)).output, '"by hand"');
      assert.throws(() => w.start(), /stopped/);
    } finally {
      srv.server.off('request', onRequest);
    }
  });

  it('stop() waits for a running handler and its report', async () => {
    const act = await activity();
    const sm = await machine(act);
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    let finished = false;
    const w = worker({
      activityArn: act,
      handler: async () => {
        entered();
        await sleep(500);
        finished = true;
        return 'finished';
      },
    });
    const executionArn = await execute(sm, {});
    await inHandler;
    await w.stop();
    assert.equal(finished, true);
    const d = await waitForEnd(c, executionArn, 1000);
    assert.equal(d.status, 'SUCCEEDED');
    assert.equal(d.output, '"finished"');
  });

  it('poll errors are reported and retried with back-off, and stop() still ends it promptly', async () => {
    // Nothing listens on this port any more: every poll fails at the network level.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const errors: { error: unknown; info: WorkerErrorInfo; at: number }[] = [];
    const w = createActivityWorker({
      endpoint: `http://127.0.0.1:${port}`,
      activityArn: 'arn:aws:states:us-east-1:123456789012:activity:nowhere',
      onError: (error, info) => errors.push({ error, info, at: Date.now() }),
      handler: () => assert.fail('no task expected'),
    });
    w.start();
    await until(() => errors.length >= 2);
    assert.ok(errors[1]!.at - errors[0]!.at >= 950, `retried after ${errors[1]!.at - errors[0]!.at} ms, not after the 1 s back-off`);
    assert.ok(errors.every((e) => e.info.phase === 'poll' && e.error instanceof TypeError));
    const t0 = Date.now();
    await w.stop();
    assert.ok(Date.now() - t0 < 500, 'stop() interrupts the back-off');
    const count = errors.length;
    await sleep(100);
    assert.equal(errors.length, count, 'no polls after stop()');

    // API errors too: an activity that does not exist.
    const missing: unknown[] = [];
    const w2 = worker({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:missing', onError: (e) => missing.push(e), handler: () => null });
    await until(() => missing.length >= 1);
    await w2.stop();
    assert.equal(missing.length, 1, 'the second poll waits for the back-off');
    assert.ok(missing[0] instanceof SfnError && missing[0].name === 'ActivityDoesNotExist');
  });

  it('stop() before start() settles done; options are checked', async () => {
    const w = createActivityWorker({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:x', handler: () => null, endpoint: srv.endpoint });
    await w.stop();
    await w.done;
    assert.throws(() => createActivityWorker({ activityArn: 'a', handler: () => null, concurrency: 0 }), RangeError);
    assert.throws(() => createActivityWorker({ activityArn: 'a', handler: () => null, heartbeatSeconds: 0 }), RangeError);
    assert.throws(() => createActivityWorker({ activityArn: '', handler: () => null }), TypeError);
  });
});

describe('taskFailureOf', () => {
  it('code, then name, then the class name; message as cause', () => {
    class Custom extends Error {}
    assert.deepEqual(taskFailureOf(new Custom('m')), { error: 'Custom', cause: 'm' });
    assert.deepEqual(taskFailureOf(new Error('m')), { error: 'Error', cause: 'm' });
    assert.deepEqual(taskFailureOf(new RangeError('r')), { error: 'RangeError', cause: 'r' });
    assert.deepEqual(taskFailureOf(Object.assign(new Error('m'), { code: 'E1', name: 'Named' })), { error: 'E1', cause: 'm' });
    assert.deepEqual(taskFailureOf(Object.assign(new Error('m'), { code: 42, name: 'Named' })), { error: 'Named', cause: 'm' });
    assert.deepEqual(taskFailureOf({ reason: 'x' }), { error: 'Error', cause: '{"reason":"x"}' });
    assert.deepEqual(taskFailureOf(undefined), { error: 'Error', cause: 'undefined' });
    // Truncation never splits a surrogate pair.
    const emoji = '😀'.repeat(200);
    const cut = taskFailureOf(Object.assign(new Error(''), { name: emoji })).error;
    assert.equal(cut.length, 256);
    assert.equal(cut, '😀'.repeat(128));
    assert.equal(taskFailureOf(Object.assign(new Error(''), { name: 'x' + emoji })).error, 'x' + '😀'.repeat(127));
  });
});
