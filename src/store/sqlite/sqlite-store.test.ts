import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { activityArn, event, execState, execution, machine, runStoreContract, same, task, tm } from '../contract.js';
import { openSqliteStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `db-${++n}.db`);

runStoreContract('sqlite (file, synchronous=FULL)', () => openSqliteStore(file()));
runStoreContract('sqlite (:memory:)', () => openSqliteStore(':memory:'));
runStoreContract('sqlite (file, NORMAL, no group commit)', () => openSqliteStore(file(), { groupCommit: false, synchronous: 'NORMAL' }));

describe('sqlite store', () => {
  test('pragmas: WAL, synchronous FULL by default (or NORMAL), foreign keys, busy timeout', async () => {
    const s = await openSqliteStore(file());
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s.db.pragma('synchronous', { simple: true }), 2);
    assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(s.db.pragma('busy_timeout', { simple: true }), 5000);
    await s.close();
    const t = await openSqliteStore(file(), { synchronous: 'NORMAL', busyTimeoutMs: 100 });
    assert.equal(t.db.pragma('synchronous', { simple: true }), 1);
    assert.equal(t.db.pragma('busy_timeout', { simple: true }), 100);
    await t.close();
    await assert.rejects(openSqliteStore(file(), { synchronous: 'OFF' as 'FULL' }), /synchronous/);
  });

  test('the WAL is checkpointed by the worker thread, not inside commits', async () => {
    const path = file();
    const s = await openSqliteStore(path, { checkpointIntervalMs: 50 });
    assert.equal(s.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'no checkpoint inside a commit');
    const before = statSync(path).size;
    const rec = execution('sm', 'e1', 1000);
    await s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] });
    for (let i = 2; i < 300; i++) await s.commitStep({ executionArn: rec.executionArn, state: execState(rec, i), events: [event(i)], record: { status: 'RUNNING' } });
    // The frames written so far get copied into the database file by the worker: the file grows while
    // this connection never checkpoints (its own commits leave the file as it was).
    let done = false;
    for (let t = 0; t < 100 && !done; t++) {
      await new Promise((r) => setTimeout(r, 20));
      done = statSync(path).size > before;
    }
    assert.ok(done, 'every WAL frame was checkpointed');
    await s.close();
    // Without the worker, SQLite checkpoints inside commits as usual.
    const t = await openSqliteStore(file(), { checkpointer: false });
    assert.equal(t.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await t.close();
  });

  test('creates the folder of the database file', async () => {
    const path = join(dir, 'nested', 'deeper', 'stepwise.db');
    const s = await openSqliteStore(path);
    await s.close();
    assert.ok(existsSync(path));
  });

  test('what was written, awaited or not before close, is there after reopening', async () => {
    const path = file();
    const s = await openSqliteStore(path);
    const rec = execution('sm', 'e1', 1000);
    const arn = rec.executionArn;
    await s.putStateMachine(machine('sm'));
    await s.setTags(machine('sm').stateMachineArn, { k: 'v' });
    await s.createExecution(rec, { state: execState(rec, 1), events: [event(1, 'ExecutionStarted', { input: { a: 1 } })], timersAdd: [tm(9, 'executionTimeout', 9000)] });
    // Not awaited: close writes them.
    void s.commitStep({ executionArn: arn, state: execState(rec, 2), events: [event(2)], record: { status: 'RUNNING' }, tasksAdd: [task(arn, 2, { activityArn: activityArn('work'), token: 'tok' })] });
    void s.commitStep({ executionArn: arn, state: execState(rec, 3), events: [event(3)], record: { status: 'RUNNING' }, timersAdd: [tm(3, 'wait', 3000)] });
    await s.close();

    const r = await openSqliteStore(path);
    same(await r.getStateMachine(machine('sm').stateMachineArn), machine('sm'));
    same(await r.getTags(machine('sm').stateMachineArn), { k: 'v' });
    same(await r.getExecution(arn), rec);
    same(await r.getExecutionState(arn), execState(rec, 3));
    same((await r.getHistory(arn, { limit: 10 })).map((e) => e.id), [1, 2, 3]);
    same(await r.runningExecutionArns(), [arn]);
    assert.equal(await r.nextTimerDue(), 3000);
    same(await r.taskByToken('tok'), task(arn, 2, { activityArn: activityArn('work'), token: 'tok' }));
    await r.close();
  });

  test('group commit: the commits of one turn share one transaction; awaited ones do not', async () => {
    const s = await openSqliteStore(file());
    const execs = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const rec = execution('sm', `e${i}`, i);
        await s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] });
        return rec;
      }),
    );
    const before = { ...s.stats };
    assert.equal(before.jobs, 50);
    assert.equal(before.batches, 1, '50 createExecution calls of one turn: one transaction');
    await Promise.all(execs.map((rec) => s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 2), events: [event(2)], record: {} })));
    assert.equal(s.stats.batches, before.batches + 1);
    assert.equal(s.stats.maxBatch, 50);
    for (const rec of execs.slice(0, 5)) await s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 3), events: [event(3)], record: {} });
    assert.equal(s.stats.batches, before.batches + 6);
    // A batch whose jobs reject does not stop the next one.
    const results = await Promise.allSettled(execs.map((rec) => s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 4), events: [event(3)], record: {} })));
    same(results.map((r) => r.status), execs.map((_, i) => (i < 5 ? 'rejected' : 'fulfilled')));
    same((await s.getHistory(execs[5]!.executionArn, { limit: 10 })).map((e) => e.id), [1, 2, 3]);
    same((await s.getExecutionState(execs[0]!.executionArn))?.lastEventId, 3);
    await s.close();
  });

  test('without group commit every write is its own transaction', async () => {
    const s = await openSqliteStore(file(), { groupCommit: false });
    const recs = Array.from({ length: 10 }, (_, i) => execution('sm', `e${i}`, i));
    await Promise.all(recs.map((rec) => s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] })));
    assert.equal(s.stats.batches, 10);
    await s.close();
  });

  test('two connections on one file see each other’s commits; claims never hand out a task twice', async () => {
    const path = file();
    const a = await openSqliteStore(path);
    const b = await openSqliteStore(path);
    const rec = execution('sm', 'e1', 1);
    const work = activityArn('work');
    const tasks = Array.from({ length: 6 }, (_, i) => task(rec.executionArn, i + 1, { activityArn: work, token: `t${i}` }));
    await a.createExecution(rec, { state: execState(rec, 1), events: [event(1)], tasksAdd: tasks, timersAdd: [tm(1, 'wait', 10), tm(2, 'wait', 20)] });
    assert.equal(await b.createExecution(rec, { state: execState(rec, 1), events: [event(1)] }), false);
    same(await b.getExecution(rec.executionArn), rec);
    const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimActivityTask(work, `w${i}`)));
    same(claims.filter(Boolean).map((t) => t!.seq).sort(), [1, 2, 3, 4, 5, 6]);
    const timers = await Promise.all([a.claimDueTimers(100, 10, 1000), b.claimDueTimers(100, 10, 1000)]);
    same(timers.flat().map((t) => t.seq).sort(), [1, 2]);
    await a.commitStep({ executionArn: rec.executionArn, state: execState(rec, 2), events: [event(2)], record: { status: 'SUCCEEDED', stopDate: 5 } });
    same(await b.openTasks(rec.executionArn), []);
    assert.equal(await b.nextTimerDue(), undefined);
    await a.close();
    await b.close();
  });

  test('after close: writes and reads reject; close again is fine', async () => {
    const s = await openSqliteStore(file());
    await s.close();
    await s.close();
    await assert.rejects(s.putActivity({ activityArn: activityArn('x'), name: 'x', creationDate: 1 }));
    await assert.rejects(s.listActivities());
  });
});
