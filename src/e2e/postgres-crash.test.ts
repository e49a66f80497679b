/**
 * Crash test on PostgreSQL: `stepwise serve --db postgres://…` in its own process, driven with the AWS
 * SDK. Executions that wait (Wait states, a Parallel between them) are started, the server is killed
 * with SIGKILL while they wait, and started again on the same database (the second time through
 * DATABASE_URL): every execution completes, with its whole history once (ids 1..n, the same events as
 * an uninterrupted run). A second server on the same schema while one runs is refused.
 *
 * Needs the PostgreSQL of the tests (see `store/postgres/test-db.ts`); fails if it is not running,
 * unless STEPWISE_SKIP_POSTGRES=1.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { assertPostgresReachable, POSTGRES_URL, SKIP_POSTGRES, testSchema } from '../store/postgres/test-db.js';
import { ACCOUNT, REGION, ROLE, sdkClient } from './helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'stepwise.js');
const EXECUTIONS = 40;

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'id.$': '$.id' }, Next: 'First' },
    First: { Type: 'Wait', Seconds: 3, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'L', States: { L: { Type: 'Pass', Result: 'left', End: true } } },
        { StartAt: 'R', States: { R: { Type: 'Wait', Seconds: 1, Next: 'R2' }, R2: { Type: 'Pass', Result: 'right', End: true } } },
      ],
      ResultPath: '$.fan',
      Next: 'Second',
    },
    Second: { Type: 'Wait', Seconds: 1, Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
/** The history of an uninterrupted run (Parallel branches may interleave: compared as a multiset). */
const EXPECTED_TYPES = [
  'ExecutionStarted',
  'PassStateEntered',
  'PassStateExited',
  'WaitStateEntered',
  'WaitStateExited',
  'ParallelStateEntered',
  'ParallelStateStarted',
  'PassStateEntered',
  'PassStateExited',
  'WaitStateEntered',
  'WaitStateExited',
  'PassStateEntered',
  'PassStateExited',
  'ParallelStateSucceeded',
  'ParallelStateExited',
  'WaitStateEntered',
  'WaitStateExited',
  'SucceedStateEntered',
  'SucceedStateExited',
  'ExecutionSucceeded',
];

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  proc: ChildProcess;
  out: () => string;
  /** Resolves once serving; rejects if the process exits first. */
  up: Promise<void>;
  exited: Promise<number | null>;
}

function serve(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, AWS_ACCOUNT_ID: ACCOUNT, AWS_DEFAULT_REGION: REGION, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const up = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => {
      if (/\nData: .*\n/.test(text)) resolve();
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before serving: ${text}`)));
  });
  up.catch(() => undefined);
  return { proc, out: () => text, up, exited };
}

describe('PostgreSQL: crash recovery through the real server', { skip: SKIP_POSTGRES }, () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it(`${EXECUTIONS} waiting executions survive kill -9 of the server and complete with their whole history`, { timeout: 120_000 }, async () => {
    await assertPostgresReachable();
    const schema = testSchema();
    const port = await freePort();
    const client = sdkClient(`http://127.0.0.1:${port}`);
    const first = serve(['--port', String(port), '--db', POSTGRES_URL, '--pg-schema', schema]);
    children.push(first.proc);
    await first.up;
    assert.match(first.out(), new RegExp(`Data: postgres://.*\\(PostgreSQL, schema ${schema}; one node\\)`));

    // A second server on the same schema is refused while the first runs.
    const second = serve(['--port', '0', '--db', POSTGRES_URL, '--pg-schema', schema]);
    children.push(second.proc);
    assert.notEqual(await second.exited, 0);
    assert.match(second.out(), /Another Stepwise server is using schema .* not supported yet/);

    const { stateMachineArn } = await client.send(new CreateStateMachineCommand({ name: 'pg-crash', definition: JSON.stringify(definition), roleArn: ROLE }));
    const arns = await Promise.all(
      Array.from({ length: EXECUTIONS }, async (_, i) => (await client.send(new StartExecutionCommand({ stateMachineArn, name: `run-${i}`, input: JSON.stringify({ id: i }) }))).executionArn!),
    );
    // Every execution is in its first Wait (3 s): kill the server now.
    for (const executionArn of arns) {
      const h = await client.send(new GetExecutionHistoryCommand({ executionArn }));
      assert.ok(h.events!.some((e) => e.type === 'WaitStateEntered'), 'waiting before the kill');
      assert.ok(!h.events!.some((e) => e.type === 'WaitStateExited'), 'still waiting at the kill');
    }
    first.proc.kill('SIGKILL');
    await first.exited;

    // Start again on the same database, found this time through DATABASE_URL (no --db, no STEPWISE_DB).
    const env = { ...process.env };
    delete env.STEPWISE_DB;
    const restarted = serve(['--port', String(port), '--pg-schema', schema], { ...env, DATABASE_URL: POSTGRES_URL });
    children.push(restarted.proc);
    await restarted.up;
    assert.match(restarted.out(), /\(PostgreSQL, schema/);

    const deadline = Date.now() + 60_000;
    for (const executionArn of arns) {
      for (;;) {
        const d = await client.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== 'RUNNING') {
          assert.equal(d.status, 'SUCCEEDED', `${executionArn}: ${d.error} ${d.cause}`);
          break;
        }
        assert.ok(Date.now() < deadline, `${executionArn} still running`);
        await sleep(200);
      }
    }
    for (const executionArn of arns) {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 7, nextToken }));
        events.push(...page.events!);
        nextToken = page.nextToken;
      } while (nextToken);
      assert.deepEqual(
        events.map((e) => e.id),
        events.map((_, i) => i + 1),
        'event ids 1..n, none lost or doubled',
      );
      assert.deepEqual(events.map((e) => e.type).sort(), [...EXPECTED_TYPES].sort(), `${executionArn}: the events of an uninterrupted run`);
      assert.equal(events[0]!.type, 'ExecutionStarted');
      assert.equal(events.at(-1)!.type, 'ExecutionSucceeded');
      const out = JSON.parse(events.at(-1)!.executionSucceededEventDetails!.output!) as { id: number; fan: string[] };
      assert.deepEqual(out.fan, ['left', 'right']);
    }
    restarted.proc.kill('SIGTERM');
    assert.equal(await restarted.exited, 0);
  });
});
