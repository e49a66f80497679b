import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { activityArn, event, execState, execution, machine, runStoreContract, same, task, tm } from '../contract.js';
import { MIGRATIONS, migrate, openPostgresStore, type Migration } from './index.js';
import { assertPostgresReachable, POSTGRES_URL, SKIP_POSTGRES, testSchema } from './test-db.js';

const open = (options: Parameters<typeof openPostgresStore>[1] = {}) => openPostgresStore(POSTGRES_URL, { schema: testSchema(), poolSize: 4, ...options });

test('PostgreSQL is reachable for these tests', { skip: SKIP_POSTGRES }, assertPostgresReachable);

if (SKIP_POSTGRES) {
  test('PostgreSQL store contract', { skip: SKIP_POSTGRES }, () => undefined);
} else {
  runStoreContract('postgres', () => open());
  runStoreContract('postgres (no group commit)', () => open({ groupCommit: false }));
}

/** A plain connection to the test database, for looking at what the store wrote. */
async function sql<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    return (await c.query<R>(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe('postgres store', { skip: SKIP_POSTGRES }, () => {
  test('an unreachable server: a clear error naming the URL (without its password)', async () => {
    await assert.rejects(openPostgresStore('postgres://someone:secret@127.0.0.1:1/none', { schema: testSchema() }), (e: Error) => {
      assert.match(e.message, /Cannot connect to PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/none/);
      assert.doesNotMatch(e.message, /secret/);
      return true;
    });
    await assert.rejects(openPostgresStore(POSTGRES_URL, { schema: 'bad-name' }), /schema must be letters/);
  });

  test('migrations: every one once, recorded; two stores opening at once migrate once', async () => {
    const schema = testSchema();
    const [a, b] = await Promise.all([
      openPostgresStore(POSTGRES_URL, { schema, exclusive: false }),
      openPostgresStore(POSTGRES_URL, { schema, exclusive: false }),
    ]);
    const rows = await sql<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    same(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
    // Both work on the same tables.
    await a.putActivity({ activityArn: activityArn('x'), name: 'x', creationDate: 1 });
    same(await b.listActivities(), [{ activityArn: activityArn('x'), name: 'x', creationDate: 1 }]);
    await a.close();
    await b.close();
  });

  test('migrations run concurrently on many connections: applied once each, under the advisory lock', async () => {
    const schema = testSchema();
    let runs = 0;
    const slow: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'slow',
      up: async (c) => {
        runs++;
        await c.query('SELECT pg_sleep(0.05)');
        await c.query('CREATE TABLE extra (x integer)');
      },
    };
    const clients = await Promise.all(Array.from({ length: 4 }, async () => {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      return c;
    }));
    const results = await Promise.all(clients.map((c) => migrate(c, schema, [...MIGRATIONS, slow])));
    assert.equal(runs, 1);
    assert.equal(results.flatMap((r) => r.applied).filter((v) => v === slow.version).length, 1);
    for (const r of results) assert.equal(r.to, slow.version);
    for (const c of clients) await c.end();
  });

  test('a failing migration leaves nothing behind and is not recorded; a newer database is refused', async () => {
    const schema = testSchema();
    const c = new pg.Client({ connectionString: POSTGRES_URL });
    await c.connect();
    try {
      await migrate(c, schema);
      const next = MIGRATIONS.length + 1;
      const bad: Migration = {
        version: next,
        name: 'half done',
        up: async (cl) => {
          await cl.query('CREATE TABLE extra (x integer)');
          throw new Error('boom');
        },
      };
      await assert.rejects(migrate(c, schema, [...MIGRATIONS, bad]), /boom/);
      same((await c.query(`SELECT max(version) AS v FROM "${schema}".schema_migrations`)).rows[0].v, MIGRATIONS.length);
      same((await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'extra'`, [schema])).rows[0].n, 0);
      await migrate(c, schema, [...MIGRATIONS, { version: next, name: 'future', up: async () => {} }]);
      await assert.rejects(migrate(c, schema), new RegExp(`version ${next}, newer than this Stepwise knows \\(${MIGRATIONS.length}\\)`));
      await assert.rejects(openPostgresStore(POSTGRES_URL, { schema }), /newer than this Stepwise knows/);
      await assert.rejects(migrate(c, schema, [{ version: 2, name: 'x', up: async () => {} }]), /numbered 2, expected 1/);
    } finally {
      await c.end();
    }
  });

  test('one node per schema: a second exclusive store is refused until the first closes', async () => {
    const schema = testSchema();
    const a = await openPostgresStore(POSTGRES_URL, { schema });
    await assert.rejects(openPostgresStore(POSTGRES_URL, { schema }), /Another Stepwise server is using schema .* not supported yet/);
    await a.close();
    const b = await openPostgresStore(POSTGRES_URL, { schema });
    await b.close();
  });

  test('the connection holding the node lock is lost: reported, and another server may then open the schema', async () => {
    const schema = testSchema();
    const applicationName = `stepwise-lock-${schema}`;
    const lost: (Error | undefined)[] = [];
    const a = await openPostgresStore(POSTGRES_URL, { schema, applicationName, onLockLost: (e) => lost.push(e) });
    try {
      const killed = await sql<{ ok: boolean }>(
        `SELECT pg_terminate_backend(l.pid) AS ok FROM pg_locks l JOIN pg_stat_activity s ON s.pid = l.pid WHERE l.locktype = 'advisory' AND s.application_name = $1`,
        [applicationName],
      );
      same(killed, [{ ok: true }]);
      for (let i = 0; i < 100 && !lost.length; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(lost.length, 1);
      // The store itself goes on (its pool is not the lock's connection).
      await a.putActivity({ activityArn: activityArn('x'), name: 'x', creationDate: 1 });
      const b = await openPostgresStore(POSTGRES_URL, { schema });
      await b.close();
    } finally {
      await a.close();
    }
    assert.equal(lost.length, 1, 'closing is not a loss');
  });

  test('group commit: the commits of one turn share one transaction, history in one multi-row insert', async () => {
    const s = await open();
    const execs = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const rec = execution('sm', `e${i}`, i);
        await s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] });
        return rec;
      }),
    );
    assert.equal(s.stats.jobs, 50);
    assert.equal(s.stats.batches, 1, '50 createExecution calls of one turn: one transaction');
    const before = { ...s.stats };
    await Promise.all(execs.map((rec) => s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 2), events: [event(2)], record: {} })));
    assert.equal(s.stats.batches, before.batches + 1);
    assert.equal(s.stats.maxBatch, 50);
    // A batch with refused jobs commits the others without being written again.
    const results = await Promise.allSettled(execs.map((rec, i) => s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 3), events: [event(i < 5 ? 2 : 3)], record: {} })));
    same(results.map((r) => r.status), execs.map((_, i) => (i < 5 ? 'rejected' : 'fulfilled')));
    assert.equal(s.stats.retried, 0);
    same((await s.getHistory(execs[5]!.executionArn, { limit: 10 })).map((e) => e.id), [1, 2, 3]);
    same((await s.getExecutionState(execs[0]!.executionArn))?.lastEventId, 2);
    await s.close();
  });

  test('a job failing in the database (mid-batch) rolls back alone: the batch is written again job by job', async () => {
    const s = await open();
    const a = execution('sm', 'a', 1);
    const b = execution('sm', 'b', 1);
    await s.createExecution(a, { state: execState(a, 1), events: [event(1)] });
    await s.createExecution(b, { state: execState(b, 1), events: [event(1)] });
    const results = await Promise.allSettled([
      s.commitStep({ executionArn: a.executionArn, state: execState(a, 2), events: [event(2)], record: {}, timersAdd: [tm(1, 'wait', 10)] }),
      // A NUL character cannot be stored in a PostgreSQL text column: the server refuses the statement.
      s.setTags(machine('x').stateMachineArn, { k: 'a\u0000b' }),
      s.commitStep({ executionArn: b.executionArn, state: execState(b, 2), events: [event(2)], record: {}, tasksAdd: [task(b.executionArn, 1, { token: 'tb' })] }),
    ]);
    same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(s.stats.retried, 1);
    same((await s.getHistory(a.executionArn, { limit: 10 })).map((e) => e.id), [1, 2]);
    same((await s.getHistory(b.executionArn, { limit: 10 })).map((e) => e.id), [1, 2]);
    assert.equal(await s.nextTimerDue(), 10);
    same(await s.taskByToken('tb'), task(b.executionArn, 1, { token: 'tb' }));
    same(await s.getTags(machine('x').stateMachineArn), {});
    await s.close();
  });

  test('what was written, awaited or not before close, is there after reopening', async () => {
    const schema = testSchema();
    const s = await openPostgresStore(POSTGRES_URL, { schema });
    const rec = execution('sm', 'e1', 1000);
    const arn = rec.executionArn;
    await s.putStateMachine(machine('sm'));
    await s.createExecution(rec, { state: execState(rec, 1), events: [event(1, 'ExecutionStarted', { input: { a: 1 } })], timersAdd: [tm(9, 'executionTimeout', 9000)] });
    void s.commitStep({ executionArn: arn, state: execState(rec, 2), events: [event(2)], record: { status: 'RUNNING' }, tasksAdd: [task(arn, 2, { activityArn: activityArn('work'), token: 'tok' })] });
    void s.commitStep({ executionArn: arn, state: execState(rec, 3), events: [event(3)], record: { status: 'RUNNING' }, timersAdd: [tm(3, 'wait', 3000)] });
    await s.close();
    const r = await openPostgresStore(POSTGRES_URL, { schema });
    same(await r.getStateMachine(machine('sm').stateMachineArn), machine('sm'));
    same(await r.getExecution(arn), rec);
    same(await r.getExecutionState(arn), execState(rec, 3));
    same((await r.getHistory(arn, { limit: 10 })).map((e) => e.id), [1, 2, 3]);
    assert.equal(await r.nextTimerDue(), 3000);
    same(await r.taskByToken('tok'), task(arn, 2, { activityArn: activityArn('work'), token: 'tok' }));
    // Definitions are kept once.
    same((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".definitions`))[0]!.n, 1);
    await r.close();
  });

  test('two stores on one schema: claims never hand out a timer or task twice (FOR UPDATE SKIP LOCKED)', async () => {
    const schema = testSchema();
    const a = await openPostgresStore(POSTGRES_URL, { schema, exclusive: false });
    const b = await openPostgresStore(POSTGRES_URL, { schema, exclusive: false });
    const rec = execution('sm', 'e1', 1);
    const work = activityArn('work');
    const tasks = Array.from({ length: 6 }, (_, i) => task(rec.executionArn, i + 1, { activityArn: work, token: `t${i}` }));
    const timers = Array.from({ length: 20 }, (_, i) => tm(i + 1, 'wait', 10 + i));
    await a.createExecution(rec, { state: execState(rec, 1), events: [event(1)], tasksAdd: tasks, timersAdd: timers });
    assert.equal(await b.createExecution(rec, { state: execState(rec, 1), events: [event(1)] }), false);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimActivityTask(work, `w${i}`)));
    same(claims.filter(Boolean).map((t) => t!.seq).sort(), [1, 2, 3, 4, 5, 6]);
    const got = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claimDueTimers(100, 3, 1000)));
    same(got.flat().map((t) => t.seq).sort((x, y) => x - y), timers.map((t) => t.seq));
    await a.close();
    await b.close();
  });

  test('purge deletes history in bulk (no history row left for purged executions)', async () => {
    const schema = testSchema();
    const s = await openPostgresStore(POSTGRES_URL, { schema });
    for (let i = 0; i < 30; i++) {
      const rec = execution('sm', `e${i}`, i);
      await s.createExecution(rec, { state: execState(rec, 2), events: [event(1), event(2)] });
      await s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 3), events: [event(3)], record: { status: 'SUCCEEDED', stopDate: i < 20 ? 100 : 300 } });
    }
    assert.equal(await s.purgeClosedExecutions(200), 20);
    same((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".history_steps`))[0]!.n, 20);
    await s.close();
  });

  test('after close: writes and reads reject; close again is fine', async () => {
    const s = await open();
    await s.close();
    await s.close();
    await assert.rejects(s.putActivity({ activityArn: activityArn('x'), name: 'x', creationDate: 1 }));
    await assert.rejects(s.listActivities());
  });
});

describe('postgres store: set-based batches', { skip: SKIP_POSTGRES }, () => {
  test('a batch of many executions’ creates and steps (work, closes, refusals) ends as the memory store does one by one', async () => {
    const { MemoryStore } = await import('../memory/memory-store.js');
    const kinds = ['wait', 'retry', 'taskTimeout', 'heartbeat'] as const;
    // A deterministic mix: 12 executions, 8 steps each, interleaved; some refused, some closing, one redriven.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    type Op = { kind: 'create'; rec: ReturnType<typeof execution> } | { kind: 'step'; c: import('../store.js').StepCommit };
    const ops: Op[] = [];
    const recs = Array.from({ length: 12 }, (_, i) => execution('sm', `x${i}`, i * 10));
    const lastId = recs.map(() => 1);
    for (const rec of recs) ops.push({ kind: 'create', rec });
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < recs.length; i++) {
        const refused = (round === 3 && i % 4 === 1) || rnd(10) === 0;
        const closing = round === 5 && i % 3 === 0;
        const redrive = round === 6 && i % 6 === 0;
        // Round 1 adds a timer and a task of seq 9; round 2 removes and re-adds them in one step (removals first).
        const replace = round === 2 && !refused;
        if (!refused && !closing && !redrive && round > 2 && rnd(4) === 0) continue;
        const rec = recs[i]!;
        const empty = !refused && rnd(5) === 0;
        // A refused step repeats the last event id recorded; an empty one records none.
        const id = refused || empty ? lastId[i]! : ++lastId[i]!;
        ops.push({
          kind: 'step',
          c: {
            executionArn: rec.executionArn,
            state: execState(rec, id),
            events: empty ? [] : [event(id)],
            record: closing ? { status: 'FAILED', stopDate: 1000 + i, error: 'E' } : redrive ? { status: 'RUNNING', stopDate: undefined, error: undefined, redriveCount: 1 } : { status: 'RUNNING' },
            timersAdd: [...Array.from({ length: rnd(3) }, () => tm(rnd(4), kinds[rnd(4)]!, rnd(1000))), ...(round === 1 || replace ? [tm(9, 'wait', round)] : [])],
            timersRemove: [...Array.from({ length: rnd(2) }, () => (rnd(2) ? { seq: rnd(4) } : { seq: rnd(4), kind: kinds[rnd(4)]! })), ...(replace ? [{ seq: 9 }] : [])],
            tasksAdd: [
              ...Array.from({ length: rnd(2) }, () => {
                const seq = rnd(5);
                return task(rec.executionArn, seq, { token: `tok-${i}-${round}-${seq}`, createdAt: rnd(50), ...(rnd(2) ? { activityArn: activityArn('work') } : {}) });
              }),
              ...(round === 1 || replace ? [task(rec.executionArn, 9, { token: `nine-${i}-${round}` })] : []),
            ],
            tasksRemove: [...Array.from({ length: rnd(2) }, () => rnd(5)), ...(replace ? [9] : [])],
            tasksStarted: rnd(3) === 0 ? [{ seq: rnd(5), workerName: 'w' }] : [],
          },
        });
      }
    }
    const apply = async (s: import('../store.js').Store) => {
      const results = await Promise.allSettled(ops.map((op) => (op.kind === 'create' ? s.createExecution(op.rec, { state: execState(op.rec, 1), events: [event(1)] }) : s.commitStep(op.c))));
      const peek = await s.claimDueTimers(Number.MAX_SAFE_INTEGER, 10_000, Number.MAX_SAFE_INTEGER);
      const view = {
        results: results.map((r) => r.status),
        timers: peek.map((t) => `${t.executionArn}/${t.seq}/${t.kind}/${t.dueAt}`).sort(),
        perExecution: [] as unknown[],
        invocable: (await s.invocableTasks()).map((t) => `${t.executionArn}/${t.seq}`).sort(),
        tokens: (await s.tokenTasks(1000)).map((t) => t.token),
      };
      for (const rec of recs) {
        view.perExecution.push({
          rec: await s.getExecution(rec.executionArn),
          state: await s.getExecutionState(rec.executionArn),
          history: (await s.getHistory(rec.executionArn, { limit: 100 })).map((e) => e.id),
          tasks: await s.openTasks(rec.executionArn),
        });
      }
      return view;
    };
    const expected = await apply(new MemoryStore());
    const s = await open();
    try {
      const got = await apply(s);
      assert.ok(s.stats.maxBatch >= ops.length, 'all in one batch');
      assert.equal(s.stats.retried, 0);
      assert.ok(expected.results.includes('rejected'), 'the mix has refused steps');
      assert.ok(expected.perExecution.some((e) => (e as { rec: { status: string } }).rec.status === 'FAILED'), 'the mix has closed executions');
      same(got, expected);
    } finally {
      await s.close();
    }
  });
});
