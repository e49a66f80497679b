/**
 * Crash test: `stepwise serve` (SQLite, synchronous=FULL; PostgreSQL when STEPWISE_CRASH_POSTGRES=1, on
 * the tests' server, see `store/postgres/test-db.ts`) in its own process runs 1,000 Standard
 * executions that mix Task (local functions), Wait, Parallel, Map, Retry and a callback
 * (`lambda:invoke.waitForTaskToken`), and is killed with SIGKILL several times mid-run and restarted on
 * the same database. Then every execution must have succeeded with the right output, every history must
 * be the same events as an uninterrupted run (no event lost or doubled, ids 1..n), and every task must
 * have run exactly once, except those a crash caught between their invocation and the record of their
 * result: those ran again (at least once), and the test counts them.
 *
 * The local functions log each invocation (its idempotency key) to a file, which outlives the killed
 * process; the test plays the external system of the callback, answering each token it finds logged.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StateMachine } from '../library/state-machine.js';
import type { Json } from '../shared/json.js';
import type { HistoryEvent } from '../interpreter/history.js';
import { ACCOUNT, REGION, ROLE } from './helpers.js';
import { POSTGRES_URL, testSchema } from '../store/postgres/test-db.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXECUTIONS = 1000;
const KILLS = 4;
const FN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'items.$': '$.items' }, Next: 'Work' },
    Work: { Type: 'Task', Resource: `${FN}work`, Parameters: { 'id.$': '$.id', step: 'work' }, ResultPath: '$.work', Next: 'Pause' },
    Pause: { Type: 'Wait', Seconds: 1, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: `${FN}work`, Parameters: { 'id.$': '$.id', step: 'left' }, End: true } } },
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.items',
              MaxConcurrency: 2,
              ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: `${FN}work`, Parameters: { 'id.$': '$', step: 'item' }, End: true } } },
              End: true,
            },
          },
        },
      ],
      ResultPath: '$.fan',
      Next: 'Flaky',
    },
    Flaky: {
      Type: 'Task',
      Resource: `${FN}flaky`,
      Parameters: { 'id.$': '$.id' },
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 2 }],
      ResultPath: '$.flaky',
      Next: 'Approve',
    },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'callback', Payload: { 'token.$': '$$.Task.Token', 'id.$': '$.id' } },
      ResultPath: '$.approval',
      TimeoutSeconds: 600,
      Next: 'Done',
    },
    Done: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'work.$': '$.work', 'fan.$': '$.fan', 'flaky.$': '$.flaky', 'approval.$': '$.approval' }, End: true },
  },
};

const inputOf = (i: number) => ({ id: `e${i}`, items: Array.from({ length: (i % 3) + 1 }, (_, k) => `e${i}-${k}`) });
const expectedOutput = (i: number) => {
  const { id, items } = inputOf(i);
  return { id, work: { step: 'work', id }, fan: [{ step: 'left', id }, items.map((x) => ({ step: 'item', id: x }))], flaky: { ok: true, id }, approval: { approved: id } };
};
/** Distinct task invocations an execution makes: work, left, one per item, flaky twice, callback. */
const expectedKeys = (i: number) => 2 + ((i % 3) + 1) + 2 + 1;

// The functions, as files the server loads. Each logs its idempotency key before it answers.
const FUNCTIONS: Record<string, string> = {
  'work.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(process.env.CRASH_LOG, JSON.stringify({ k: context.idempotencyKey, f: 'work' }) + '\\n');
  return { step: event.step, id: event.id };
};`,
  'flaky.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(process.env.CRASH_LOG, JSON.stringify({ k: context.idempotencyKey, f: 'flaky' }) + '\\n');
  if (context.idempotencyKey.endsWith('/0')) { const e = new Error('first attempts fail'); e.name = 'Flaky'; throw e; }
  return { ok: true, id: event.id };
};`,
  'callback.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => {
  appendFileSync(process.env.CRASH_LOG, JSON.stringify({ k: context.idempotencyKey, f: 'callback', token: event.token, id: event.id }) + '\\n');
  return { sent: true };
};`,
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`${type}: ${message}`);
  }
}

describe('crash recovery', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-crash-'));
  /** The server child of the moment: killed after the test, whatever its outcome, so a failure never leaves it running. */
  let live: ChildProcess | undefined;
  after(() => {
    if (live && live.exitCode === null && live.signalCode === null) live.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${EXECUTIONS} executions survive ${KILLS} kill -9 of the server`, { timeout: 600_000 }, async () => {
    const functionsDir = join(dir, 'functions');
    mkdirSync(functionsDir);
    for (const [f, text] of Object.entries(FUNCTIONS)) writeFileSync(join(functionsDir, f), text);
    const log = join(dir, 'invocations.log');
    writeFileSync(log, '');
    const db = join(dir, 'stepwise.db');
    const dbArgs = process.env.STEPWISE_CRASH_POSTGRES === '1' ? ['--db', POSTGRES_URL, '--pg-schema', testSchema()] : ['--db', db];
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;

    let server: ChildProcess | undefined;
    let up: Promise<void> = Promise.resolve();
    const serverLog = join(dir, 'server.log');
    writeFileSync(serverLog, '');
    const startServer = () => {
      const child = spawn(process.execPath, [join(root, 'bin', 'stepwise.js'), 'serve', '--port', String(port), ...dbArgs, '--functions', functionsDir], {
        env: { ...process.env, CRASH_LOG: log, WAIT_TIME_SCALE: '0.2', AWS_ACCOUNT_ID: ACCOUNT, AWS_DEFAULT_REGION: REGION },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stderr!.on('data', (d) => appendFileSync(serverLog, d));
      up = new Promise((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          if (String(d).includes('serving')) resolve();
        });
        child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before serving; see ${serverLog}`)));
      });
      up.catch(() => undefined);
      server = child;
      live = child;
      return up;
    };

    /** One API call; retried while the server is down (connection refused or reset). */
    const call = async (op: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await fetch(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${op}` },
            body: JSON.stringify(params),
          });
        } catch {
          if (attempt > 600) throw new Error(`${op}: the server did not come back`);
          await sleep(50);
          continue;
        }
        const text = await res.text().catch(() => undefined);
        if (text === undefined) {
          // The connection died mid-answer (the server was killed): ask again.
          await sleep(50);
          continue;
        }
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        if (res.status === 200) return body;
        throw new ApiError(String(body.__type), String(body.message));
      }
    };

    await startServer();
    const { stateMachineArn } = (await call('CreateStateMachine', { name: 'crash-test', definition: JSON.stringify(definition), roleArn: ROLE })) as { stateMachineArn: string };
    const arnOf = (i: number) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-${i}`;

    // The external system of the callback: answers every token logged, once each (again if a crash
    // made the task ask again: the second answer gets TaskTimedOut, which is fine).
    let stopAnswering = false;
    let logOffset = 0;
    const answered = new Set<string>();
    const answerer = (async () => {
      while (!stopAnswering) {
        const text = readFileSync(log, 'utf8');
        const fresh = text.slice(logOffset, text.lastIndexOf('\n') + 1);
        logOffset += fresh.length;
        const tokens: { token: string; id: string }[] = [];
        for (const line of fresh.split('\n')) {
          if (!line) continue;
          const r = JSON.parse(line) as { f: string; token?: string; id?: string };
          if (r.f === 'callback' && !answered.has(r.token!)) {
            answered.add(r.token!);
            tokens.push({ token: r.token!, id: r.id! });
          }
        }
        await Promise.all(
          tokens.map(async ({ token, id }) => {
            try {
              await call('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ approved: id }) });
            } catch (e) {
              if (!(e instanceof ApiError && e.type === 'TaskTimedOut')) throw e;
            }
          }),
        );
        await sleep(20);
      }
    })();

    // Start the executions (20 at a time); a start the crash interrupted is asked again with the
    // same name and input, which AWS answers idempotently while it runs.
    let next = 0;
    const starter = Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const i = next++;
          if (i >= EXECUTIONS) return;
          try {
            await call('StartExecution', { stateMachineArn, name: `run-${i}`, input: JSON.stringify(inputOf(i)) });
          } catch (e) {
            // Already started and already over (a retried start after its first answer was lost).
            if (!(e instanceof ApiError && e.type === 'ExecutionAlreadyExists')) throw e;
          }
        }
      }),
    );

    // Kill the server several times while the executions run, and start it again each time.
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await sleep(1200 + 700 * k);
      await up;
      server!.kill('SIGKILL');
      await new Promise((r) => server!.once('exit', r));
      killedAt.push(Date.now());
      await startServer();
    }
    await starter;

    // Wait for every execution to end.
    const statuses = new Map<number, Record<string, unknown>>();
    const deadline = Date.now() + 240_000;
    while (statuses.size < EXECUTIONS) {
      assert.ok(Date.now() < deadline, `${EXECUTIONS - statuses.size} executions still running`);
      const pending = Array.from({ length: EXECUTIONS }, (_, i) => i).filter((i) => !statuses.has(i));
      for (let b = 0; b < pending.length; b += 50) {
        await Promise.all(
          pending.slice(b, b + 50).map(async (i) => {
            const d = await call('DescribeExecution', { executionArn: arnOf(i) });
            if (d.status !== 'RUNNING') statuses.set(i, d);
          }),
        );
      }
      if (statuses.size < EXECUTIONS) await sleep(200);
    }
    stopAnswering = true;
    await answerer;

    // Reference histories: the same workflow run without crashes, in process (one per item count).
    const reference = new Map<number, string>();
    for (let n = 1; n <= 3; n++) {
      let token: string | undefined;
      const sm = new StateMachine(definition, {
        functions: {
          work: (e: { step: string; id: string }) => ({ step: e.step, id: e.id }),
          flaky: (e: { id: string }, ctx) => {
            if (ctx.idempotencyKey.endsWith('/0')) {
              const err = new Error('first attempts fail');
              err.name = 'Flaky';
              throw err;
            }
            return { ok: true, id: e.id };
          },
          callback: (e: { token: string }) => ((token = e.token), { sent: true }),
        },
        delayOverride: () => 0,
      });
      const ex = sm.start(inputOf(n - 1) as unknown as Json);
      for (let t = 0; t < 200 && !token; t++) await sleep(5);
      assert.ok(token, 'the reference run reached the callback');
      assert.equal(ex.sendTaskSuccess(token, { approved: inputOf(n - 1).id }), true);
      const r = await ex.done;
      assert.equal(r.status, 'SUCCEEDED');
      reference.set(n, typeMultiset(r.events));
    }

    // Every execution: the right output, and its history the reference's events, once each.
    let failures = 0;
    for (let i = 0; i < EXECUTIONS; i++) {
      const d = statuses.get(i)!;
      if (d.status !== 'SUCCEEDED') {
        failures++;
        assert.fail(`run-${i} ended ${String(d.status)}: ${String(d.error)} ${String(d.cause)}`);
      }
      assert.deepEqual(JSON.parse(d.output as string), expectedOutput(i), `output of run-${i}`);
    }
    assert.equal(failures, 0);
    for (let b = 0; b < EXECUTIONS; b += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, EXECUTIONS - b) }, async (_, j) => {
          const i = b + j;
          const events: HistoryEvent[] = [];
          let nextToken: string | undefined;
          do {
            const page = (await call('GetExecutionHistory', { executionArn: arnOf(i), maxResults: 1000, nextToken })) as { events: HistoryEvent[]; nextToken?: string };
            events.push(...page.events);
            nextToken = page.nextToken;
          } while (nextToken);
          assert.deepEqual(
            events.map((e) => e.id),
            events.map((_, k) => k + 1),
            `run-${i}: event ids are 1..n`,
          );
          for (const e of events) assert.ok(e.previousEventId < e.id, `run-${i}: event ${e.id} links back`);
          assert.equal(typeMultiset(events), reference.get((i % 3) + 1), `run-${i}: the same events as an uninterrupted run`);
        }),
      );
    }

    // Invocations: each task once, except those a crash caught between invocation and record.
    const byKey = new Map<string, number>();
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      if (!line) continue;
      const { k } = JSON.parse(line) as { k: string };
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
    let distinct = 0;
    for (let i = 0; i < EXECUTIONS; i++) {
      const prefix = `${arnOf(i)}/`;
      const keys = [...byKey.keys()].filter((k) => k.startsWith(prefix));
      assert.equal(keys.length, expectedKeys(i), `run-${i}: every task ran, and no task beyond them`);
      distinct += keys.length;
    }
    const reinvoked = [...byKey.values()].filter((n) => n > 1).length;
    const invocations = [...byKey.values()].reduce((a, b) => a + b, 0);
    assert.equal(byKey.size, distinct);
    assert.equal(killedAt.length, KILLS);
    // A re-invoked task is one that was in flight when the server died: at most what can be in flight.
    assert.ok(reinvoked <= KILLS * EXECUTIONS, `${reinvoked} re-invocations`);
    process.stdout.write(
      `# crash test: ${EXECUTIONS} executions, ${KILLS} kills; ${distinct} tasks, ${invocations} invocations; ` +
        `${reinvoked} tasks ran again because a crash fell between their invocation and the record of their result\n`,
    );

    server!.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  });
});

/** The history's event types with their counts (order within Parallel/Map depends on timing). */
function typeMultiset(events: { type: string }[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return JSON.stringify([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
}
