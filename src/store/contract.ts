/**
 * The shared contract of the `Store` port: one suite that every adapter runs (memory, SQLite,
 * PostgreSQL), so that they behave the same to the engine and the API.
 *
 *   runStoreContract('sqlite', () => openSqliteStore(tempFile()));
 *
 * `make` returns a new, empty store for each test; the suite closes it. What the suite pins down besides
 * the method comments in `store.ts`:
 * - Values are copies both ways: changing an object after handing it to the store, or one the store
 *   returned, never changes what the store holds. `createExecution` and `commitStep` take their snapshot
 *   when called (the interpreter goes on mutating the state object it handed over).
 * - Values are JSON: a property holding `undefined` and an absent one are the same; in a commit's record
 *   changes, `undefined` clears the field.
 * - Operations take effect in call order: a read issued after a write (awaited or not) sees it.
 * - `commitStep` is all or nothing: when it rejects (e.g. an event id already recorded), none of the step
 *   is applied; other commits issued at the same time are not affected. Errors come as rejections.
 * - In a step's work, removals apply before additions (a step may replace a timer or task of its seq).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExecState, MapRunCounts, MapRunReport } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type {
  ActivityRecord,
  AliasRecord,
  ExecutionQuery,
  ExecutionRecord,
  StateMachineRecord,
  StepCommit,
  StepWork,
  Store,
  TaskRow,
  TimerKind,
  TimerRow,
} from './store.js';

const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const ROLE = 'arn:aws:iam::123456789012:role/stepwise';
const TIMER_KINDS: TimerKind[] = ['wait', 'retry', 'executionTimeout', 'taskTimeout', 'heartbeat'];
const FOREVER = Number.MAX_SAFE_INTEGER;

// ---- fixtures -------------------------------------------------------------------------------------

export const smArn = (name: string) => `${ACCOUNT}:stateMachine:${name}`;
export const execArn = (sm: string, name: string) => `${ACCOUNT}:execution:${sm}:${name}`;
export const activityArn = (name: string) => `${ACCOUNT}:activity:${name}`;

export function machine(name: string, extra: Partial<StateMachineRecord> = {}): StateMachineRecord {
  return {
    stateMachineArn: smArn(name),
    name,
    type: 'STANDARD',
    definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
    roleArn: ROLE,
    creationDate: 1_700_000_000_000,
    status: 'ACTIVE',
    loggingConfiguration: { level: 'OFF', includeExecutionData: false, destinations: [] },
    tracingConfiguration: { enabled: false },
    versionCount: 0,
    ...extra,
  };
}

export function version(base: StateMachineRecord, n: number): StateMachineRecord {
  return { ...base, stateMachineArn: `${base.stateMachineArn}:${n}`, versionOf: base.stateMachineArn, versionNumber: n, revisionId: `rev-${n}` };
}

export function execution(sm: string, name: string, startDate: number, extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    executionArn: execArn(sm, name),
    stateMachineArn: smArn(sm),
    name,
    type: 'STANDARD',
    status: 'RUNNING',
    startDate,
    input: '{"k":1}',
    definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
    roleArn: ROLE,
    redriveCount: 0,
    ...extra,
  };
}

export function execState(rec: ExecutionRecord, lastEventId = 0): ExecState {
  return {
    v: 1,
    status: 'RUNNING',
    info: {
      executionArn: rec.executionArn,
      name: rec.name,
      stateMachineArn: rec.stateMachineArn,
      stateMachineName: 'sm',
      roleArn: rec.roleArn,
      startTime: rec.startDate,
      input: { k: 1 },
      redriveCount: 0,
    },
    lastEventId,
    nextSeq: 1,
    root: null,
    pending: {},
    timeoutSeq: null,
  };
}

export function event(id: number, type = 'PassStateEntered', details?: Record<string, unknown>): HistoryEvent {
  const ev: HistoryEvent = { id, previousEventId: id - 1, timestamp: 1_700_000_000_000 + id, type };
  if (details) ev.details = details;
  return ev;
}

/** An open task row of `executionArn` (pass it in `tasksAdd` as it is: the commit's ARN wins anyway). */
export function task(executionArn: string, seq: number, extra: Partial<TaskRow> = {}): TaskRow {
  return {
    executionArn,
    seq,
    command: {
      k: 'invokeTask',
      seq,
      stateName: `T${seq}`,
      resource: { kind: 'activity', arn: activityArn('work'), name: 'work' },
      input: { n: seq, nested: [1, { a: 'b' }] },
      timeoutSeconds: 60,
      heartbeatSeconds: undefined,
      token: extra.token,
      attempt: 0,
      credentials: undefined,
    },
    status: 'scheduled',
    createdAt: 1_700_000_000_000 + seq,
    ...extra,
  };
}

const counts = (extra: Partial<MapRunCounts> = {}): MapRunCounts => ({
  pending: 0,
  running: 0,
  succeeded: 0,
  failed: 0,
  timedOut: 0,
  aborted: 0,
  total: 0,
  resultsWritten: 0,
  failuresNotRedrivable: 0,
  pendingRedrive: 0,
  ...extra,
});

/** A Map Run report as a step gives it (no execution ARN: it is the commit's). */
export function mapRun(label: string, startDate: number, extra: Partial<MapRunReport> = {}): MapRunReport {
  return {
    mapRunArn: `${ACCOUNT}:mapRun:sm/${label}:0f0e0d0c-0b0a-4909-8807-060504030201`,
    status: 'RUNNING',
    startDate,
    redriveCount: 0,
    maxConcurrency: 2,
    toleratedFailureCount: 0,
    toleratedFailurePercentage: 0,
    itemCounts: counts({ pending: 3, total: 3 }),
    executionCounts: counts({ pending: 3, total: 3 }),
    ...extra,
  };
}

/** A timer to add (no ARN: it is the commit's). */
export const tm = (seq: number, kind: TimerKind, dueAt: number) => ({ seq, kind, dueAt });
/** A timer row as the store returns it. */
export const timer = (executionArn: string, seq: number, kind: TimerKind, dueAt: number): TimerRow => ({ executionArn, seq, kind, dueAt });

/** JSON normal form: `undefined` properties dropped (the stores hold JSON values). */
const j = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
/** Deep equality of JSON values (an `undefined` property equals an absent one). */
export function same(actual: unknown, expected: unknown, message?: string): void {
  assert.deepStrictEqual(j(actual), j(expected), message);
}

const byArnSeq = (a: { executionArn: string; seq: number }, b: { executionArn: string; seq: number }) =>
  a.executionArn < b.executionArn ? -1 : a.executionArn > b.executionArn ? 1 : a.seq - b.seq;

// ---- the suite ------------------------------------------------------------------------------------

export function runStoreContract(name: string, make: () => Promise<Store>): void {
  /** A test with a fresh store, closed afterwards. */
  const it = (title: string, fn: (s: Store) => Promise<void>) =>
    test(title, async () => {
      const s = await make();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    });

  /** An execution created with `n` events (ids 1..n). */
  async function started(s: Store, sm: string, name: string, startDate = 1_000, n = 1, extra: Partial<ExecutionRecord> = {}, work: StepWork = {}) {
    const rec = execution(sm, name, startDate, extra);
    const events = Array.from({ length: n }, (_, i) => event(i + 1, i === 0 ? 'ExecutionStarted' : 'PassStateEntered'));
    assert.equal(await s.createExecution(rec, { state: execState(rec, n), events, ...work }), true);
    return rec;
  }

  /** A commit that records one more event (id `id`) and keeps the status RUNNING. */
  const step = (rec: ExecutionRecord, id: number, more: Partial<StepCommit> = {}): StepCommit => ({
    executionArn: rec.executionArn,
    state: execState(rec, id),
    events: [event(id)],
    record: { status: 'RUNNING' },
    ...more,
  });

  const ids = (events: HistoryEvent[]) => events.map((e) => e.id);

  /**
   * Every timer, earliest first, left as it was: claims them all, then moves each back to its due time
   * (so this leans on `claimDueTimers` and `rescheduleTimer`, both under test).
   */
  async function peekTimers(s: Store): Promise<TimerRow[]> {
    const all = await s.claimDueTimers(FOREVER, 10_000, FOREVER);
    for (const t of all) await s.rescheduleTimer(t.executionArn, t.seq, t.kind, t.dueAt);
    return all;
  }

  describe(`Store contract: ${name}`, () => {
    // ---- catalog --------------------------------------------------------------------------------
    describe('state machines', () => {
      it('put, get, replace; an unknown ARN reads as undefined', async (s) => {
        const a = machine('a', { description: 'first', encryptionConfiguration: { type: 'AWS_OWNED_KEY' } });
        await s.putStateMachine(a);
        same(await s.getStateMachine(a.stateMachineArn), a);
        assert.equal(await s.getStateMachine(smArn('nope')), undefined);
        const a2 = { ...a, definition: '{"StartAt":"Q"}', updateDate: 5, revisionId: 'r1', versionCount: 2 };
        delete a2.description;
        await s.putStateMachine(a2);
        same(await s.getStateMachine(a.stateMachineArn), a2);
        assert.equal((await s.listStateMachines()).length, 1);
      });

      it('listStateMachines: unversioned ones in creation order (a replace keeps the place)', async (s) => {
        const [c, a, b] = [machine('c'), machine('a'), machine('b')];
        for (const m of [c, a, b]) await s.putStateMachine(m);
        await s.putStateMachine(version(a, 1));
        await s.putStateMachine({ ...a, versionCount: 1 });
        same(await s.listStateMachines(), [c, { ...a, versionCount: 1 }, b]);
      });

      it('listVersions: one machine’s versions in ascending version number', async (s) => {
        const a = machine('a');
        const b = machine('b');
        await s.putStateMachine(a);
        await s.putStateMachine(b);
        for (const n of [3, 1, 10, 2]) await s.putStateMachine(version(a, n));
        await s.putStateMachine(version(b, 1));
        same(await s.listVersions(a.stateMachineArn), [1, 2, 3, 10].map((n) => version(a, n)));
        same(await s.listVersions(b.stateMachineArn), [version(b, 1)]);
        same(await s.listVersions(smArn('none')), []);
        same(await s.getStateMachine(version(a, 10).stateMachineArn), version(a, 10));
      });

      it('deleteStateMachine removes the record and its tags; an unknown ARN is a no-op', async (s) => {
        const a = machine('a');
        const b = machine('b');
        await s.putStateMachine(a);
        await s.putStateMachine(b);
        await s.putStateMachine(version(a, 1));
        await s.setTags(a.stateMachineArn, { team: 'x' });
        await s.setTags(b.stateMachineArn, { team: 'y' });
        await s.deleteStateMachine(a.stateMachineArn);
        await s.deleteStateMachine(smArn('nope'));
        assert.equal(await s.getStateMachine(a.stateMachineArn), undefined);
        same(await s.getTags(a.stateMachineArn), {});
        same(await s.getTags(b.stateMachineArn), { team: 'y' });
        same(await s.listStateMachines(), [b]);
        // Versions are records of their own: the caller deletes them.
        same(await s.listVersions(a.stateMachineArn), [version(a, 1)]);
        await s.deleteStateMachine(version(a, 1).stateMachineArn);
        same(await s.listVersions(a.stateMachineArn), []);
        // The ARN can be used again.
        await s.putStateMachine(a);
        same(await s.getStateMachine(a.stateMachineArn), a);
      });
    });

    describe('aliases', () => {
      const alias = (sm: string, name: string, weights: number[]): AliasRecord => ({
        stateMachineAliasArn: `${smArn(sm)}:${name}`,
        stateMachineArn: smArn(sm),
        name,
        routingConfiguration: weights.map((weight, i) => ({ stateMachineVersionArn: `${smArn(sm)}:${i + 1}`, weight })),
        creationDate: 10,
      });

      it('put, get, replace, list by state machine in creation order, delete', async (s) => {
        const prod = alias('a', 'prod', [100]);
        const beta = { ...alias('a', 'beta', [60, 40]), description: 'two versions' };
        const other = alias('b', 'prod', [100]);
        for (const x of [prod, beta, other]) await s.putAlias(x);
        same(await s.getAlias(beta.stateMachineAliasArn), beta);
        assert.equal(await s.getAlias(`${smArn('a')}:none`), undefined);
        same(await s.listAliases(smArn('a')), [prod, beta]);
        same(await s.listAliases(smArn('b')), [other]);
        same(await s.listAliases(smArn('c')), []);
        const prod2 = { ...prod, routingConfiguration: [{ stateMachineVersionArn: `${smArn('a')}:2`, weight: 100 }], updateDate: 20 };
        await s.putAlias(prod2);
        same(await s.listAliases(smArn('a')), [prod2, beta]);
        await s.deleteAlias(prod.stateMachineAliasArn);
        await s.deleteAlias(`${smArn('a')}:none`);
        assert.equal(await s.getAlias(prod.stateMachineAliasArn), undefined);
        same(await s.listAliases(smArn('a')), [beta]);
      });
    });

    describe('activities', () => {
      it('put, get, list in creation order, delete (with its tags)', async (s) => {
        const acts: ActivityRecord[] = ['z', 'a', 'm'].map((n, i) => ({ activityArn: activityArn(n), name: n, creationDate: i }));
        for (const a of acts) await s.putActivity(a);
        same(await s.getActivity(activityArn('a')), acts[1]);
        assert.equal(await s.getActivity(activityArn('nope')), undefined);
        same(await s.listActivities(), acts);
        await s.setTags(activityArn('a'), { k: 'v' });
        await s.deleteActivity(activityArn('a'));
        await s.deleteActivity(activityArn('nope'));
        assert.equal(await s.getActivity(activityArn('a')), undefined);
        same(await s.getTags(activityArn('a')), {});
        same(await s.listActivities(), [acts[0], acts[2]]);
      });
    });

    describe('tags', () => {
      it('an unknown resource has none; setTags replaces the whole set, per resource, keeping key order', async (s) => {
        const r1 = smArn('a');
        const r2 = activityArn('b');
        same(await s.getTags(r1), {});
        await s.setTags(r1, { zeta: '1', alpha: '2', empty: '' });
        await s.setTags(r2, { other: 'x' });
        const t = await s.getTags(r1);
        same(t, { zeta: '1', alpha: '2', empty: '' });
        assert.deepEqual(Object.keys(t), ['zeta', 'alpha', 'empty']);
        await s.setTags(r1, { alpha: '3', beta: '4' });
        same(await s.getTags(r1), { alpha: '3', beta: '4' });
        await s.setTags(r1, {});
        same(await s.getTags(r1), {});
        same(await s.getTags(r2), { other: 'x' });
      });

      it('a "__proto__" key is an ordinary own key', async (s) => {
        const tags = JSON.parse('{"__proto__":"p","a":"b"}') as Record<string, string>;
        await s.setTags(smArn('a'), tags);
        const got = await s.getTags(smArn('a'));
        assert.equal(Object.getPrototypeOf(got), Object.prototype);
        assert.ok(Object.prototype.hasOwnProperty.call(got, '__proto__'));
        assert.equal(got['__proto__'], 'p');
        assert.equal(got.a, 'b');
      });
    });

    // ---- executions -----------------------------------------------------------------------------
    describe('createExecution', () => {
      it('records the execution with its first step: state, events and work', async (s) => {
        const rec = execution('sm', 'e1', 1000, { parent: { executionArn: execArn('p', 'x'), seq: 3 }, traceHeader: 'Root=1' });
        const arn = rec.executionArn;
        const state = execState(rec, 2);
        const events = [event(1, 'ExecutionStarted', { input: { k: 1 }, roleArn: ROLE }), event(2)];
        const t = task(arn, 2, { token: 'tok' });
        assert.equal(await s.createExecution(rec, { state, events, timersAdd: [tm(1, 'executionTimeout', 500)], tasksAdd: [t] }), true);
        same(await s.getExecution(arn), rec);
        same(await s.getExecutionState(arn), state);
        same(await s.getHistory(arn, { limit: 100 }), events);
        same(await peekTimers(s), [timer(arn, 1, 'executionTimeout', 500)]);
        same(await s.openTasks(arn), [t]);
        same(await s.taskByToken('tok'), t);
      });

      it("keeps a mocked execution's test case with its record and its state, through commits and redrives", async (s) => {
        const rec = await started(s, 'sm', 'mocked', 1000, 1, { testCase: 'HappyPath' });
        const st = { ...execState(rec, 1), info: { ...execState(rec, 1).info, testCase: 'HappyPath' } };
        await s.commitStep({ executionArn: rec.executionArn, state: st, events: [event(2)], record: { status: 'FAILED', stopDate: 5 } });
        await s.commitStep({ executionArn: rec.executionArn, state: st, events: [event(3)], record: { status: 'RUNNING', stopDate: undefined, redriveCount: 1 } });
        same((await s.getExecution(rec.executionArn))?.testCase, 'HappyPath');
        same((await s.getExecutionState(rec.executionArn))?.info.testCase, 'HappyPath');
        same((await s.listExecutions({ stateMachineArn: rec.stateMachineArn })).map((r) => r.testCase), ['HappyPath']);
      });

      it('with no events; unknown executions read as undefined or empty', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 0);
        same(await s.getHistory(rec.executionArn, { limit: 10 }), []);
        const other = execArn('sm', 'nope');
        assert.equal(await s.getExecution(other), undefined);
        assert.equal(await s.getExecutionState(other), undefined);
        same(await s.getHistory(other, { limit: 10 }), []);
        same(await s.getHistory(other, { limit: 10, reverse: true }), []);
        same(await s.openTasks(other), []);
      });

      it('a second one with the same ARN returns false and writes nothing', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 2);
        const again = { ...rec, input: '{"other":true}', startDate: 2000 };
        const first = {
          state: { ...execState(again, 1), lastEventId: 99 },
          events: [event(1, 'ExecutionStarted', { input: 'x' }), event(3)],
          timersAdd: [tm(1, 'wait', 5)],
          tasksAdd: [task(rec.executionArn, 2, { token: 'dup', activityArn: activityArn('work') })],
        };
        assert.equal(await s.createExecution(again, first), false);
        same(await s.getExecution(rec.executionArn), rec);
        same(await s.getExecutionState(rec.executionArn), execState(rec, 2));
        same(ids(await s.getHistory(rec.executionArn, { limit: 10 })), [1, 2]);
        same(await s.listExecutions({ stateMachineArn: rec.stateMachineArn }), [rec]);
        same(await peekTimers(s), []);
        same(await s.openTasks(rec.executionArn), []);
        assert.equal(await s.taskByToken('dup'), undefined);
      });

      it('concurrent ones with one ARN: exactly one wins', async (s) => {
        const rec = execution('sm', 'race', 1);
        const results = await Promise.all([1, 2, 3, 4].map((n) => s.createExecution(rec, { state: execState(rec, n), events: [event(1)] })));
        assert.equal(results.filter(Boolean).length, 1);
        same(ids(await s.getHistory(rec.executionArn, { limit: 10 })), [1]);
        same(await s.getExecutionState(rec.executionArn), execState(rec, results.indexOf(true) + 1));
      });

      it('an execution created closed keeps no timers or tasks', async (s) => {
        const rec = execution('sm', 'done', 1, { status: 'FAILED', stopDate: 2 });
        await s.createExecution(rec, { state: execState(rec, 1), events: [event(1)], timersAdd: [tm(1, 'wait', 5)], tasksAdd: [task(rec.executionArn, 2, { token: 'x' })] });
        same(await s.getExecution(rec.executionArn), rec);
        same(await peekTimers(s), []);
        same(await s.openTasks(rec.executionArn), []);
        assert.equal(await s.taskByToken('x'), undefined);
      });

      it('an event id repeated in the first step: rejects and writes nothing', async (s) => {
        const rec = execution('sm', 'bad', 1);
        await assert.rejects(s.createExecution(rec, { state: execState(rec, 2), events: [event(1), event(1)], timersAdd: [tm(1, 'wait', 5)] }));
        assert.equal(await s.getExecution(rec.executionArn), undefined);
        same(await s.listExecutions({}), []);
        same(await peekTimers(s), []);
        assert.equal(await s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] }), true);
      });
    });

    describe('listExecutions and countExecutions', () => {
      const names = async (s: Store, q: ExecutionQuery) => (await s.listExecutions(q)).map((e) => e.name);

      it('newest first: by start date, then the later created first', async (s) => {
        await started(s, 'sm', 'e1', 1000);
        await started(s, 'sm', 'e2', 3000);
        await started(s, 'other', 'x', 2000);
        await started(s, 'sm', 'e3', 2000);
        await started(s, 'sm', 'e4', 3000);
        await started(s, 'sm', 'e5', 500);
        same(await names(s, { stateMachineArn: smArn('sm') }), ['e4', 'e2', 'e3', 'e1', 'e5']);
        same(await names(s, { stateMachineArn: smArn('other') }), ['x']);
        same(await names(s, { stateMachineArn: smArn('none') }), []);
        same(await names(s, {}), ['e4', 'e2', 'e3', 'x', 'e1', 'e5']);
        same((await s.listExecutions({ stateMachineArn: smArn('other') }))[0], execution('other', 'x', 2000));
      });

      it('status and redriven filters, alone and together, follow commits', async (s) => {
        const e1 = await started(s, 'sm', 'e1', 1000);
        const e2 = await started(s, 'sm', 'e2', 2000);
        const e3 = await started(s, 'sm', 'e3', 3000);
        const e4 = await started(s, 'sm', 'e4', 4000);
        await started(s, 'other', 'o1', 4500);
        await s.commitStep(step(e1, 2, { record: { status: 'FAILED', stopDate: 5000, error: 'E' } }));
        await s.commitStep(step(e2, 2, { record: { status: 'SUCCEEDED', stopDate: 5000, output: '1' } }));
        await s.commitStep(step(e3, 2, { record: { status: 'RUNNING', redriveCount: 1, redriveDate: 6000 } }));
        await s.commitStep(step(e4, 2, { record: { status: 'FAILED', stopDate: 7000, redriveCount: 2, redriveDate: 6500 } }));
        const sm = smArn('sm');
        same(await names(s, { stateMachineArn: sm }), ['e4', 'e3', 'e2', 'e1']);
        same(await names(s, { stateMachineArn: sm, status: 'FAILED' }), ['e4', 'e1']);
        same(await names(s, { stateMachineArn: sm, status: 'RUNNING' }), ['e3']);
        same(await names(s, { stateMachineArn: sm, status: 'ABORTED' }), []);
        same(await names(s, { stateMachineArn: sm, redriven: true }), ['e4', 'e3']);
        same(await names(s, { stateMachineArn: sm, redriven: false }), ['e2', 'e1']);
        same(await names(s, { stateMachineArn: sm, status: 'FAILED', redriven: true }), ['e4']);
        same(await names(s, { stateMachineArn: sm, status: 'FAILED', redriven: false }), ['e1']);
        same(await names(s, { stateMachineArn: sm, status: 'SUCCEEDED', redriven: true }), []);
        same(await names(s, { status: 'RUNNING' }), ['o1', 'e3']);
        same(await names(s, { redriven: false }), ['o1', 'e2', 'e1']);
        same((await s.listExecutions({ stateMachineArn: sm, status: 'FAILED', redriven: true }))[0], {
          ...e4,
          status: 'FAILED',
          stopDate: 7000,
          redriveCount: 2,
          redriveDate: 6500,
        });
      });

      it('version, alias and start-date filters (bounds inclusive)', async (s) => {
        const v1 = `${smArn('sm')}:1`;
        const v2 = `${smArn('sm')}:2`;
        const prod = `${smArn('sm')}:prod`;
        await started(s, 'sm', 'a', 100, 1, { stateMachineVersionArn: v1 });
        await started(s, 'sm', 'b', 200, 1, { stateMachineVersionArn: v2, stateMachineAliasArn: prod });
        await started(s, 'sm', 'c', 300, 1, { stateMachineVersionArn: v1, stateMachineAliasArn: prod });
        await started(s, 'sm', 'd', 400);
        const sm = smArn('sm');
        same(await names(s, { stateMachineArn: sm, stateMachineVersionArn: v1 }), ['c', 'a']);
        same(await names(s, { stateMachineArn: sm, stateMachineVersionArn: v2 }), ['b']);
        same(await names(s, { stateMachineArn: sm, stateMachineAliasArn: prod }), ['c', 'b']);
        same(await names(s, { stateMachineArn: sm, stateMachineVersionArn: v1, stateMachineAliasArn: prod }), ['c']);
        same(await names(s, { stateMachineArn: sm, stateMachineAliasArn: `${smArn('sm')}:none` }), []);
        same(await names(s, { stateMachineArn: sm, startedFrom: 200 }), ['d', 'c', 'b']);
        same(await names(s, { stateMachineArn: sm, startedTo: 300 }), ['c', 'b', 'a']);
        same(await names(s, { stateMachineArn: sm, startedFrom: 200, startedTo: 300 }), ['c', 'b']);
        same(await names(s, { stateMachineArn: sm, startedFrom: 201, startedTo: 299 }), []);
        same(await names(s, { startedFrom: 300, stateMachineAliasArn: prod }), ['c']);
      });

      it('name filter: case-sensitive substring, with the other filters and paging', async (s) => {
        await started(s, 'sm', 'order-1', 100);
        await started(s, 'sm', 'Order-2', 200);
        await started(s, 'sm', 'refund-order', 300, 1, { status: 'FAILED', stopDate: 1 });
        await started(s, 'sm', '100%_x', 400);
        await started(s, 'other', 'order-9', 500);
        const sm = smArn('sm');
        same(await names(s, { stateMachineArn: sm, name: 'order' }), ['refund-order', 'order-1']);
        same(await names(s, { stateMachineArn: sm, name: 'Order' }), ['Order-2']);
        same(await names(s, { stateMachineArn: sm, name: 'rder-' }), ['Order-2', 'order-1']);
        same(await names(s, { stateMachineArn: sm, name: '' }), ['100%_x', 'refund-order', 'Order-2', 'order-1']);
        same(await names(s, { stateMachineArn: sm, name: '%' }), ['100%_x']);
        same(await names(s, { stateMachineArn: sm, name: '_' }), ['100%_x']);
        same(await names(s, { stateMachineArn: sm, name: 'o%' }), []);
        same(await names(s, { stateMachineArn: sm, name: 'order', status: 'FAILED' }), ['refund-order']);
        same(await names(s, { stateMachineArn: sm, name: 'order', startedTo: 200 }), ['order-1']);
        same(await names(s, { name: 'order-' }), ['order-9', 'order-1']);
        same(await names(s, { stateMachineArn: sm, name: 'rder', offset: 1, limit: 1 }), ['Order-2']);
      });

      it('pages by offset and limit over the filtered, newest-first order', async (s) => {
        for (let i = 1; i <= 7; i++) await started(s, 'sm', `e${i}`, i * 100, 1, i % 2 ? {} : { status: 'FAILED', stopDate: 1 });
        const sm = smArn('sm');
        same(await names(s, { stateMachineArn: sm, limit: 3 }), ['e7', 'e6', 'e5']);
        same(await names(s, { stateMachineArn: sm, offset: 3, limit: 3 }), ['e4', 'e3', 'e2']);
        same(await names(s, { stateMachineArn: sm, offset: 6, limit: 3 }), ['e1']);
        same(await names(s, { stateMachineArn: sm, offset: 7, limit: 3 }), []);
        same(await names(s, { stateMachineArn: sm, offset: 5 }), ['e2', 'e1']);
        same(await names(s, { stateMachineArn: sm, limit: 0 }), []);
        same(await names(s, { stateMachineArn: sm, status: 'RUNNING', offset: 1, limit: 2 }), ['e5', 'e3']);
        same(await names(s, { stateMachineArn: sm, status: 'FAILED', limit: 10 }), ['e6', 'e4', 'e2']);
        same(await names(s, { stateMachineArn: sm, startedTo: 500, offset: 1, limit: 2 }), ['e4', 'e3']);
      });

      it('countExecutions: per status, one state machine’s, following commits', async (s) => {
        const counts = async (sm: string) => Object.fromEntries(Object.entries(await s.countExecutions(smArn(sm))).filter(([, n]) => n));
        same(await counts('sm'), {});
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        await started(s, 'sm', 'c');
        await started(s, 'other', 'x');
        await s.commitStep(step(a, 2, { record: { status: 'SUCCEEDED', stopDate: 5 } }));
        await s.commitStep(step(b, 2, { record: { status: 'FAILED', stopDate: 5 } }));
        same(await counts('sm'), { RUNNING: 1, SUCCEEDED: 1, FAILED: 1 });
        same(await counts('other'), { RUNNING: 1 });
        same(await counts('none'), {});
        await s.commitStep(step(b, 3, { record: { status: 'RUNNING', stopDate: undefined, redriveCount: 1 } }));
        same(await counts('sm'), { RUNNING: 2, SUCCEEDED: 1 });
      });
    });

    describe('commitStep', () => {
      it('replaces the state, appends events, merges record changes', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1);
        const st = { ...execState(rec, 3), nextSeq: 5, pending: { 4: [0] } };
        await s.commitStep({ executionArn: rec.executionArn, state: st, events: [event(2), event(3)], record: { status: 'RUNNING' } });
        same(await s.getExecutionState(rec.executionArn), st);
        same(ids(await s.getHistory(rec.executionArn, { limit: 10 })), [1, 2, 3]);
        same(await s.getExecution(rec.executionArn), rec);
        const done = { ...st, status: 'SUCCEEDED' as const, output: { r: [1, 2] }, root: null };
        await s.commitStep({
          executionArn: rec.executionArn,
          state: done,
          events: [event(4, 'ExecutionSucceeded', { output: { r: [1, 2] } })],
          record: { status: 'SUCCEEDED', stopDate: 9000, output: '{"r":[1,2]}' },
        });
        same(await s.getExecution(rec.executionArn), { ...rec, status: 'SUCCEEDED', stopDate: 9000, output: '{"r":[1,2]}' });
        same(await s.getExecutionState(rec.executionArn), done);
        same((await s.getHistory(rec.executionArn, { limit: 10 })).at(-1), event(4, 'ExecutionSucceeded', { output: { r: [1, 2] } }));
      });

      it('a record change set to undefined clears the field; other fields stay', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1);
        await s.commitStep(step(rec, 2, { record: { status: 'FAILED', stopDate: 5, error: 'E', cause: 'C' } }));
        await s.commitStep(step(rec, 3, { record: { status: 'RUNNING', stopDate: undefined, error: undefined, cause: undefined, redriveCount: 1, redriveDate: 7 } }));
        same(await s.getExecution(rec.executionArn), { ...rec, redriveCount: 1, redriveDate: 7 });
        same(await s.listExecutions({ stateMachineArn: rec.stateMachineArn, status: 'RUNNING', redriven: true }), [{ ...rec, redriveCount: 1, redriveDate: 7 }]);
        same(await s.runningExecutionArns(), [rec.executionArn]);
      });

      it('an object in the record changes replaces the field as a whole', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1, { parent: { executionArn: 'p', seq: 1 } });
        await s.commitStep(step(rec, 2, { record: { parent: { seq: 2 } as ExecutionRecord['parent'] } }));
        same((await s.getExecution(rec.executionArn))!.parent, { seq: 2 });
      });

      it('an empty commit (no events, no record changes) still replaces the state', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1);
        await s.commitStep({ executionArn: rec.executionArn, state: execState(rec, 7), events: [], record: {} });
        same(await s.getExecutionState(rec.executionArn), execState(rec, 7));
        same(await s.getExecution(rec.executionArn), rec);
      });

      it('takes its snapshot when called: later changes to the objects given are not stored', async (s) => {
        const rec = execution('sm', 'e1', 1000);
        const st = execState(rec, 1);
        const ev = event(1, 'ExecutionStarted', { input: { a: 1 } });
        const firstTimers = [tm(9, 'executionTimeout', 900)];
        const created = s.createExecution(rec, { state: st, events: [ev], timersAdd: firstTimers });
        rec.status = 'ABORTED';
        st.lastEventId = 50;
        (ev.details!.input as { a: number }).a = 2;
        firstTimers[0]!.dueAt = 1;
        assert.equal(await created, true);
        const st2 = execState(rec, 2);
        const ev2 = event(2, 'PassStateEntered', { input: { b: 1 } });
        const patch: Partial<ExecutionRecord> = { status: 'RUNNING', parent: { executionArn: 'p', seq: 1 } };
        const timers = [tm(1, 'wait', 100)];
        const tasks = [task(rec.executionArn, 2, { token: 't2' })];
        const committed = s.commitStep({ executionArn: rec.executionArn, state: st2, events: [ev2], record: patch, timersAdd: timers, tasksAdd: tasks });
        st2.nextSeq = 77;
        st2.info.input = 'changed';
        (ev2.details!.input as { b: number }).b = 2;
        patch.parent!.seq = 9;
        timers[0]!.dueAt = 1;
        tasks[0]!.status = 'started';
        (tasks[0]!.command.input as { n: number }).n = 99;
        await committed;
        same(await s.getExecution(rec.executionArn), { ...execution('sm', 'e1', 1000), parent: { executionArn: 'p', seq: 1 } });
        same(await s.getExecutionState(rec.executionArn), execState(execution('sm', 'e1', 1000), 2));
        same(await s.getHistory(rec.executionArn, { limit: 10 }), [
          event(1, 'ExecutionStarted', { input: { a: 1 } }),
          event(2, 'PassStateEntered', { input: { b: 1 } }),
        ]);
        same(await peekTimers(s), [timer(rec.executionArn, 1, 'wait', 100), timer(rec.executionArn, 9, 'executionTimeout', 900)]);
        same(await s.openTasks(rec.executionArn), [task(rec.executionArn, 2, { token: 't2' })]);
      });

      it('for an unknown execution: resolves and records nothing', async (s) => {
        const rec = execution('sm', 'ghost', 1);
        const arn = rec.executionArn;
        await s.commitStep({ ...step(rec, 1), timersAdd: [tm(1, 'wait', 5)], tasksAdd: [task(arn, 2, { activityArn: activityArn('work'), token: 'g' })] });
        assert.equal(await s.getExecution(arn), undefined);
        assert.equal(await s.getExecutionState(arn), undefined);
        same(await s.getHistory(arn, { limit: 10 }), []);
        same(await peekTimers(s), []);
        assert.equal(await s.nextTimerDue(), undefined);
        same(await s.openTasks(arn), []);
        same(await s.invocableTasks(), []);
        assert.equal(await s.taskByToken('g'), undefined);
        assert.equal(await s.claimActivityTask(activityArn('work'), 'w'), undefined);
        same(await s.runningExecutionArns(), []);
      });

      it('rows added take the commit’s execution ARN', async (s) => {
        const a = await started(s, 'sm', 'a');
        const stray = { ...task(execArn('sm', 'elsewhere'), 1, { token: 'st' }) };
        const strayTimer = { ...tm(1, 'wait', 5), executionArn: execArn('sm', 'elsewhere') };
        await s.commitStep(step(a, 2, { tasksAdd: [stray], timersAdd: [strayTimer] }));
        same(await s.openTasks(a.executionArn), [{ ...stray, executionArn: a.executionArn }]);
        same(await s.taskByToken('st'), { ...stray, executionArn: a.executionArn });
        same(await peekTimers(s), [timer(a.executionArn, 1, 'wait', 5)]);
      });

      it('is atomic: a commit with an event id already recorded rejects and applies none of the step', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 2);
        const arn = rec.executionArn;
        await s.commitStep({
          ...step(rec, 3),
          timersAdd: [tm(1, 'wait', 100), tm(2, 'taskTimeout', 200)],
          tasksAdd: [task(arn, 2, { activityArn: activityArn('work'), token: 'tok2' })],
        });
        const before = {
          rec: await s.getExecution(arn),
          state: await s.getExecutionState(arn),
          history: await s.getHistory(arn, { limit: 100 }),
          timers: await peekTimers(s),
          tasks: await s.openTasks(arn),
        };
        await assert.rejects(
          s.commitStep({
            executionArn: arn,
            state: execState(rec, 5),
            events: [event(4), event(3)],
            record: { status: 'SUCCEEDED', stopDate: 5, output: '1' },
            timersAdd: [tm(5, 'retry', 50)],
            timersRemove: [{ seq: 1 }],
            tasksAdd: [task(arn, 6, { activityArn: activityArn('work'), token: 'tok6' })],
            tasksRemove: [2],
            tasksStarted: [{ seq: 2, workerName: 'w' }],
          }),
        );
        same(await s.getExecution(arn), before.rec);
        same(await s.getExecutionState(arn), before.state);
        same(await s.getHistory(arn, { limit: 100 }), before.history);
        same(await peekTimers(s), before.timers);
        same(await s.openTasks(arn), before.tasks);
        assert.equal(await s.taskByToken('tok6'), undefined);
        same(await s.runningExecutionArns(), [arn]);
        same(await s.countExecutions(rec.stateMachineArn), { RUNNING: 1 });
        // The same event id twice within one commit fails the same way.
        await assert.rejects(s.commitStep({ ...step(rec, 4), events: [event(4), event(4)] }));
        same(ids(await s.getHistory(arn, { limit: 100 })), [1, 2, 3]);
        // And the execution goes on.
        await s.commitStep(step(rec, 4));
        same(ids(await s.getHistory(arn, { limit: 100 })), [1, 2, 3, 4]);
      });

      it('a failing commit does not affect others issued at the same time', async (s) => {
        const a = await started(s, 'sm', 'a', 1000, 1);
        const b = await started(s, 'sm', 'b', 1000, 1);
        const results = await Promise.allSettled([
          s.commitStep(step(a, 2, { timersAdd: [tm(1, 'wait', 10)] })),
          s.commitStep(step(b, 2, { timersAdd: [tm(2, 'wait', 30)] })),
          // Event 1 exists: fails after its state, record and first event were written.
          s.commitStep({
            ...step(b, 3),
            state: execState(b, 99),
            events: [event(3), event(1)],
            record: { status: 'FAILED', stopDate: 5, error: 'E' },
            timersAdd: [tm(3, 'wait', 20)],
          }),
          s.commitStep(step(a, 3)),
        ]);
        same(
          results.map((r) => r.status),
          ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
        );
        same(ids(await s.getHistory(a.executionArn, { limit: 10 })), [1, 2, 3]);
        same(ids(await s.getHistory(b.executionArn, { limit: 10 })), [1, 2]);
        same(await s.getExecutionState(b.executionArn), execState(b, 2));
        same(await s.getExecution(b.executionArn), b);
        same(await peekTimers(s), [timer(a.executionArn, 1, 'wait', 10), timer(b.executionArn, 2, 'wait', 30)]);
      });

      it('takes effect in call order: reads issued after unawaited commits see them', async (s) => {
        const a = await started(s, 'sm', 'a', 1000, 1);
        const b = await started(s, 'sm', 'b', 1000, 1);
        const pending: Promise<void>[] = [];
        for (let id = 2; id <= 40; id++) {
          pending.push(s.commitStep(step(a, id)));
          pending.push(s.commitStep(step(b, id, { record: { status: id === 40 ? 'SUCCEEDED' : 'RUNNING' } })));
        }
        const [historyA, recB, stateA, running] = await Promise.all([
          s.getHistory(a.executionArn, { limit: 100 }),
          s.getExecution(b.executionArn),
          s.getExecutionState(a.executionArn),
          s.runningExecutionArns(),
        ]);
        same(ids(historyA), Array.from({ length: 40 }, (_, i) => i + 1));
        assert.equal(recB?.status, 'SUCCEEDED');
        assert.equal(stateA?.lastEventId, 40);
        same(running, [a.executionArn]);
        await Promise.all(pending);
      });

      it('an error is reported through the promise, not thrown', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1);
        // A value that cannot be serialized (or copied).
        const bad = Object.defineProperty(execState(rec, 2), 'output', {
          enumerable: true,
          get() {
            throw new Error('not serializable');
          },
        });
        let p: Promise<void> | undefined;
        assert.doesNotThrow(() => {
          p = s.commitStep({ executionArn: rec.executionArn, state: bad, events: [event(2)], record: {} });
        });
        await assert.rejects(p!);
        same(ids(await s.getHistory(rec.executionArn, { limit: 10 })), [1]);
        let c: Promise<boolean> | undefined;
        const other = execution('sm', 'e2', 1);
        assert.doesNotThrow(() => {
          c = s.createExecution(other, { state: bad, events: [] });
        });
        await assert.rejects(c!);
        assert.equal(await s.getExecution(other.executionArn), undefined);
      });

      it('a commit that closes the execution deletes its timers and tasks (only its own)', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const work = activityArn('work');
        await s.commitStep(step(a, 2, {
          timersAdd: [tm(1, 'taskTimeout', 10), tm(1, 'heartbeat', 20), tm(9, 'executionTimeout', 90)],
          tasksAdd: [task(a.executionArn, 1, { activityArn: work, token: 'a1' }), task(a.executionArn, 2, { token: 'a2' })],
        }));
        await s.commitStep(step(b, 2, { timersAdd: [tm(1, 'wait', 30)], tasksAdd: [task(b.executionArn, 2, { activityArn: work, token: 'b2' })] }));
        // Work added by the closing commit itself goes too.
        await s.commitStep(step(a, 3, { record: { status: 'ABORTED', stopDate: 100 }, timersAdd: [tm(3, 'retry', 40)], tasksAdd: [task(a.executionArn, 3, { token: 'a3' })] }));
        same(await peekTimers(s), [timer(b.executionArn, 1, 'wait', 30)]);
        same(await s.openTasks(a.executionArn), []);
        for (const t of ['a1', 'a2', 'a3']) assert.equal(await s.taskByToken(t), undefined);
        same(await s.invocableTasks(), []);
        same(await s.claimActivityTask(work, 'w'), task(b.executionArn, 2, { activityArn: work, token: 'b2', status: 'started', workerName: 'w' }));
        assert.equal(await s.nextTimerDue(), 30);
      });
    });

    describe('history', () => {
      async function tenEvents(s: Store) {
        const rec = await started(s, 'sm', 'e1', 1000, 3);
        const other = await started(s, 'sm', 'other', 1000, 2);
        await s.commitStep({ ...step(rec, 4), events: [event(4), event(5), event(6)] });
        await s.commitStep(step(other, 3));
        await s.commitStep({ ...step(rec, 7), events: [event(7), event(8), event(9), event(10)] });
        return rec.executionArn;
      }

      it('pages forward by afterId, ascending', async (s) => {
        const arn = await tenEvents(s);
        same(ids(await s.getHistory(arn, { limit: 100 })), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        same(ids(await s.getHistory(arn, { limit: 3 })), [1, 2, 3]);
        same(ids(await s.getHistory(arn, { afterId: 3, limit: 3 })), [4, 5, 6]);
        same(ids(await s.getHistory(arn, { afterId: 9, limit: 3 })), [10]);
        same(ids(await s.getHistory(arn, { afterId: 10, limit: 3 })), []);
        same(ids(await s.getHistory(arn, { afterId: 0, limit: 2 })), [1, 2]);
        same(ids(await s.getHistory(arn, { afterId: 5, limit: 0 })), []);
        same(ids(await s.getHistory(execArn('sm', 'other'), { limit: 100 })), [1, 2, 3]);
      });

      it('pages backward by beforeId, descending', async (s) => {
        const arn = await tenEvents(s);
        same(ids(await s.getHistory(arn, { reverse: true, limit: 100 })), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
        same(ids(await s.getHistory(arn, { reverse: true, limit: 3 })), [10, 9, 8]);
        same(ids(await s.getHistory(arn, { reverse: true, beforeId: 8, limit: 3 })), [7, 6, 5]);
        same(ids(await s.getHistory(arn, { reverse: true, beforeId: 3, limit: 3 })), [2, 1]);
        same(ids(await s.getHistory(arn, { reverse: true, beforeId: 1, limit: 3 })), []);
        same(ids(await s.getHistory(arn, { reverse: true, beforeId: 11, limit: 2 })), [10, 9]);
        same(ids(await s.getHistory(arn, { reverse: true, limit: 0 })), []);
        same(ids(await s.getHistory(execArn('sm', 'other'), { reverse: true, limit: 2 })), [3, 2]);
      });

      it('chained pages, as GetExecutionHistory makes them, cover every event once', async (s) => {
        const arn = await tenEvents(s);
        for (const reverse of [false, true]) {
          const seen: number[] = [];
          let cursor: number | undefined;
          for (;;) {
            const page = await s.getHistory(arn, reverse ? { reverse, beforeId: cursor, limit: 4 } : { afterId: cursor, limit: 4 });
            if (!page.length) break;
            seen.push(...ids(page));
            cursor = page.at(-1)!.id;
          }
          same(seen, reverse ? [10, 9, 8, 7, 6, 5, 4, 3, 2, 1] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        }
      });

      it('events keep every field and JSON payload exactly', async (s) => {
        const rec = execution('sm', 'payloads', 1);
        const tricky = JSON.parse('{"__proto__":{"x":1},"a":[1,2.5,-0.125,1e21,null,true,false,"é\\u2028\\ud800",{"":{}}],"big":12345678901234567890}');
        const ev: HistoryEvent = {
          id: 1,
          previousEventId: 0,
          timestamp: 1_700_000_000_123,
          type: 'ExecutionStarted',
          details: { input: tricky, inputDetails: { truncated: false }, roleArn: ROLE, output: 'a string', parameters: null, assignedVariables: { v: [1] } },
        };
        await s.createExecution(rec, { state: execState(rec, 1), events: [ev] });
        const [got] = await s.getHistory(rec.executionArn, { limit: 1 });
        same(got, ev);
        const input = got!.details!.input as Record<string, unknown>;
        assert.ok(Object.prototype.hasOwnProperty.call(input, '__proto__'), '__proto__ stays an own key');
        assert.equal((input.a as unknown[])[7], 'é\u2028\ud800');
        assert.equal(input.big, 12345678901234567890);
      });
    });

    // ---- durable work ---------------------------------------------------------------------------
    describe('running executions', () => {
      it('runningExecutionArns: Standard executions still RUNNING', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        await started(s, 'ex', 'c', 1000, 1, { type: 'EXPRESS' });
        const d = await started(s, 'other', 'd');
        await s.commitStep(step(b, 2, { record: { status: 'SUCCEEDED', stopDate: 5 } }));
        same((await s.runningExecutionArns()).sort(), [a.executionArn, d.executionArn].sort());
        await s.commitStep(step(a, 2, { record: { status: 'ABORTED', stopDate: 6 } }));
        same(await s.runningExecutionArns(), [d.executionArn]);
        await s.commitStep(step(b, 3, { record: { status: 'RUNNING', stopDate: undefined, redriveCount: 1 } }));
        same((await s.runningExecutionArns()).sort(), [b.executionArn, d.executionArn].sort());
      });
    });

    describe('timers', () => {
      it('claimDueTimers: due at or before `until`, earliest first (then by seq), at most `limit`, as they were', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        await s.commitStep(step(a, 2, { timersAdd: [tm(3, 'wait', 300), tm(1, 'retry', 100), tm(9, 'executionTimeout', 900)] }));
        await s.commitStep(step(b, 2, { timersAdd: [tm(2, 'taskTimeout', 200), tm(1, 'heartbeat', 200), tm(4, 'wait', 400)] }));
        same(await s.claimDueTimers(99, 10, 5000), []);
        same(await s.claimDueTimers(300, 3, 5000), [timer(a.executionArn, 1, 'retry', 100), timer(b.executionArn, 1, 'heartbeat', 200), timer(b.executionArn, 2, 'taskTimeout', 200)]);
        same(await s.claimDueTimers(300, 10, 5000), [timer(a.executionArn, 3, 'wait', 300)]);
        same(await s.claimDueTimers(1000, 10, 5000), [timer(b.executionArn, 4, 'wait', 400), timer(a.executionArn, 9, 'executionTimeout', 900)]);
        same(await s.claimDueTimers(4999, 10, 9000), []);
      });

      it('a claimed timer is leased: not handed out again until the lease ends, then again', async (s) => {
        const a = await started(s, 'sm', 'a');
        const arn = a.executionArn;
        await s.commitStep(step(a, 2, { timersAdd: [tm(1, 'wait', 100), tm(2, 'wait', 200), tm(3, 'wait', 300)] }));
        same(await s.claimDueTimers(150, 10, 1000), [timer(arn, 1, 'wait', 100)]);
        assert.equal(await s.nextTimerDue(), 200);
        same(await s.claimDueTimers(150, 10, 1000), []);
        same(await s.claimDueTimers(999, 10, 2000), [timer(arn, 2, 'wait', 200), timer(arn, 3, 'wait', 300)]);
        // The claimant died: the first lease ends and the timer is due again, as of its lease.
        same(await s.claimDueTimers(1000, 10, 3000), [timer(arn, 1, 'wait', 1000)]);
        // A commit of the step the timer caused deletes it.
        await s.commitStep(step(a, 3, { timersRemove: [{ seq: 1, kind: 'wait' }, { seq: 2 }] }));
        same(await s.claimDueTimers(FOREVER, 10, FOREVER), [timer(arn, 3, 'wait', 2000)]);
        assert.equal(await s.nextTimerDue(), FOREVER);
      });

      it('concurrent claims never hand out one timer twice', async (s) => {
        const a = await started(s, 'sm', 'a');
        await s.commitStep(step(a, 2, { timersAdd: Array.from({ length: 7 }, (_, i) => tm(i + 1, 'wait', 10 * (i + 1))) }));
        const claims = await Promise.all(Array.from({ length: 5 }, () => s.claimDueTimers(1000, 2, 5000)));
        const seqs = claims.flat().map((t) => t.seq);
        same([...seqs].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7]);
        assert.ok(claims.every((c) => c.length <= 2));
      });

      it('nextTimerDue: the earliest due time, undefined when there is none', async (s) => {
        assert.equal(await s.nextTimerDue(), undefined);
        const a = await started(s, 'sm', 'a');
        await s.commitStep(step(a, 2, { timersAdd: [tm(1, 'wait', 500), tm(2, 'wait', 250)] }));
        assert.equal(await s.nextTimerDue(), 250);
        await s.commitStep(step(a, 3, { timersRemove: [{ seq: 2 }] }));
        assert.equal(await s.nextTimerDue(), 500);
        await s.commitStep(step(a, 4, { timersRemove: [{ seq: 1, kind: 'wait' }] }));
        assert.equal(await s.nextTimerDue(), undefined);
      });

      it('timersRemove: one kind of a seq, or every kind of it; only the committing execution’s', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const arn = a.executionArn;
        await s.commitStep(step(a, 2, { timersAdd: [...TIMER_KINDS.map((k, i) => tm(3, k, 100 + i)), tm(4, 'wait', 50), tm(5, 'taskTimeout', 60), tm(5, 'heartbeat', 70)] }));
        await s.commitStep(step(b, 2, { timersAdd: [tm(3, 'wait', 10)] }));
        same((await peekTimers(s)).length, 9);
        await s.commitStep(step(a, 3, { timersRemove: [{ seq: 3 }, { seq: 5, kind: 'heartbeat' }, { seq: 42 }, { seq: 4, kind: 'retry' }] }));
        same(await peekTimers(s), [timer(b.executionArn, 3, 'wait', 10), timer(arn, 4, 'wait', 50), timer(arn, 5, 'taskTimeout', 60)]);
      });

      it('removals apply before additions; adding an existing (seq, kind) moves it', async (s) => {
        const a = await started(s, 'sm', 'a');
        const arn = a.executionArn;
        await s.commitStep(step(a, 2, { timersAdd: [tm(1, 'taskTimeout', 100), tm(1, 'heartbeat', 110)] }));
        await s.commitStep(step(a, 3, { timersRemove: [{ seq: 1 }], timersAdd: [tm(1, 'retry', 300)] }));
        same(await peekTimers(s), [timer(arn, 1, 'retry', 300)]);
        await s.commitStep(step(a, 4, { timersAdd: [tm(1, 'retry', 50)] }));
        same(await peekTimers(s), [timer(arn, 1, 'retry', 50)]);
      });

      it('rescheduleTimer moves one timer; an unknown timer is not created', async (s) => {
        const a = await started(s, 'sm', 'a');
        const arn = a.executionArn;
        await s.commitStep(step(a, 2, { timersAdd: [tm(1, 'taskTimeout', 100), tm(1, 'heartbeat', 110), tm(2, 'wait', 200)] }));
        await s.rescheduleTimer(arn, 1, 'heartbeat', 500);
        assert.equal(await s.nextTimerDue(), 100);
        await s.rescheduleTimer(arn, 1, 'taskTimeout', 10);
        assert.equal(await s.nextTimerDue(), 10);
        await s.rescheduleTimer(arn, 7, 'heartbeat', 1);
        await s.rescheduleTimer(arn, 2, 'retry', 1);
        await s.rescheduleTimer(execArn('sm', 'ghost'), 1, 'heartbeat', 1);
        assert.equal(await s.nextTimerDue(), 10);
        same(await s.claimDueTimers(1000, 10, 5000), [timer(arn, 1, 'taskTimeout', 10), timer(arn, 2, 'wait', 200), timer(arn, 1, 'heartbeat', 500)]);
      });
    });

    describe('tasks', () => {
      it('openTasks: an execution’s tasks in seq order; tasksRemove drops them and their tokens', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const arn = a.executionArn;
        const t3 = task(arn, 3, { token: 'tok3' });
        const t1 = task(arn, 1, { activityArn: activityArn('work'), token: 'tok1' });
        const t2 = task(arn, 2);
        await s.commitStep(step(a, 2, { tasksAdd: [t3, t1] }));
        await s.commitStep(step(a, 3, { tasksAdd: [t2] }));
        await s.commitStep(step(b, 2, { tasksAdd: [task(b.executionArn, 1, { token: 'btok' })] }));
        same(await s.openTasks(arn), [t1, t2, t3]);
        same(await s.taskByToken('tok3'), t3);
        same(await s.taskByToken('btok'), task(b.executionArn, 1, { token: 'btok' }));
        assert.equal(await s.taskByToken('nope'), undefined);
        await s.commitStep(step(a, 4, { tasksRemove: [3, 1, 99] }));
        same(await s.openTasks(arn), [t2]);
        assert.equal(await s.taskByToken('tok3'), undefined);
        assert.equal(await s.taskByToken('tok1'), undefined);
        assert.equal(await s.claimActivityTask(activityArn('work'), 'w'), undefined);
        same(await s.openTasks(b.executionArn), [task(b.executionArn, 1, { token: 'btok' })]);
      });

      it('tasksStarted marks a task started (with the worker name when given)', async (s) => {
        const a = await started(s, 'sm', 'a');
        const arn = a.executionArn;
        const act = activityArn('work');
        await s.commitStep(step(a, 2, { tasksAdd: [task(arn, 1, { activityArn: act, token: 't1' }), task(arn, 2, { activityArn: act, token: 't2' }), task(arn, 3, { activityArn: act })] }));
        await s.commitStep(step(a, 3, { tasksStarted: [{ seq: 1, workerName: 'w1' }, { seq: 2 }, { seq: 42 }] }));
        same(await s.taskByToken('t1'), task(arn, 1, { activityArn: act, token: 't1', status: 'started', workerName: 'w1' }));
        same(await s.taskByToken('t2'), task(arn, 2, { activityArn: act, token: 't2', status: 'started' }));
        same((await s.openTasks(arn)).map((t) => t.status), ['started', 'started', 'scheduled']);
        // Started tasks are not handed out.
        same(await s.claimActivityTask(act, 'w'), task(arn, 3, { activityArn: act, status: 'started', workerName: 'w' }));
        assert.equal(await s.claimActivityTask(act, 'w'), undefined);
      });

      it('removals apply before additions; re-adding a seq replaces the task (and its token)', async (s) => {
        const a = await started(s, 'sm', 'a');
        const arn = a.executionArn;
        await s.commitStep(step(a, 2, { tasksAdd: [task(arn, 1, { token: 'old' })] }));
        await s.commitStep(step(a, 3, { tasksRemove: [1], tasksAdd: [task(arn, 1, { token: 'new', createdAt: 5 })] }));
        same(await s.openTasks(arn), [task(arn, 1, { token: 'new', createdAt: 5 })]);
        await s.commitStep(step(a, 4, { tasksAdd: [task(arn, 1, { token: 'newer', createdAt: 6 })] }));
        same(await s.openTasks(arn), [task(arn, 1, { token: 'newer', createdAt: 6 })]);
        assert.equal(await s.taskByToken('old'), undefined);
        assert.equal(await s.taskByToken('new'), undefined);
        same(await s.taskByToken('newer'), task(arn, 1, { token: 'newer', createdAt: 6 }));
      });

      it('invocableTasks: open tasks of RUNNING executions that are not for activity workers', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const lambda = task(a.executionArn, 2, { createdAt: 5 });
        const callback = task(a.executionArn, 4, { token: 'cb' });
        const other = task(b.executionArn, 1);
        await s.commitStep(step(a, 2, { tasksAdd: [lambda, task(a.executionArn, 3, { activityArn: activityArn('work'), token: 'act' }), callback] }));
        await s.commitStep(step(b, 2, { tasksAdd: [other] }));
        same((await s.invocableTasks()).sort(byArnSeq), [lambda, callback, other].sort(byArnSeq));
        await s.commitStep(step(a, 3, { tasksRemove: [2] }));
        await s.commitStep(step(b, 3, { record: { status: 'FAILED', stopDate: 1 } }));
        same(await s.invocableTasks(), [callback]);
      });

      it('tokenTasks: tasks waiting on a token of RUNNING executions, oldest first, at most the limit', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const cbA = task(a.executionArn, 4, { token: 'cb-a', createdAt: 30 });
        const act = task(a.executionArn, 3, { activityArn: activityArn('work'), token: 'act', createdAt: 10 });
        const cbB = task(b.executionArn, 1, { token: 'cb-b', createdAt: 20 });
        await s.commitStep(step(a, 2, { tasksAdd: [task(a.executionArn, 2, { createdAt: 1 }), act, cbA] }));
        await s.commitStep(step(b, 2, { tasksAdd: [cbB] }));
        same(await s.tokenTasks(10), [act, cbB, cbA]);
        same(await s.tokenTasks(2), [act, cbB]);
        await s.commitStep(step(b, 3, { record: { status: 'ABORTED', stopDate: 1 } }));
        await s.commitStep(step(a, 3, { tasksRemove: [3] }));
        same(await s.tokenTasks(10), [cbA]);
      });
    });

    describe('activity claims', () => {
      it('hands out the oldest scheduled task of the activity, marked started for the worker', async (s) => {
        const a = await started(s, 'sm', 'a');
        const b = await started(s, 'sm', 'b');
        const work = activityArn('work');
        const other = activityArn('other');
        await s.commitStep(step(a, 2, { tasksAdd: [task(a.executionArn, 1, { activityArn: work, createdAt: 300, token: 'a1' }), task(a.executionArn, 2, { activityArn: other, createdAt: 100, token: 'a2' })] }));
        await s.commitStep(step(b, 2, { tasksAdd: [task(b.executionArn, 5, { activityArn: work, createdAt: 200, token: 'b5' }), task(b.executionArn, 1, { token: 'b1', createdAt: 50 })] }));
        await s.commitStep(step(a, 3, { tasksAdd: [task(a.executionArn, 3, { activityArn: work, createdAt: 400 })] }));
        const first = await s.claimActivityTask(work, 'w1');
        same(first, task(b.executionArn, 5, { activityArn: work, createdAt: 200, token: 'b5', status: 'started', workerName: 'w1' }));
        same(await s.taskByToken('b5'), first);
        same((await s.openTasks(b.executionArn)).find((t) => t.seq === 5), first);
        same(await s.claimActivityTask(work, undefined), task(a.executionArn, 1, { activityArn: work, createdAt: 300, token: 'a1', status: 'started' }));
        same(await s.claimActivityTask(work, 'w3'), task(a.executionArn, 3, { activityArn: work, createdAt: 400, status: 'started', workerName: 'w3' }));
        assert.equal(await s.claimActivityTask(work, 'w4'), undefined);
        same(await s.claimActivityTask(other, 'w5'), task(a.executionArn, 2, { activityArn: other, createdAt: 100, token: 'a2', status: 'started', workerName: 'w5' }));
        assert.equal(await s.claimActivityTask(activityArn('none'), 'w'), undefined);
        same(await s.taskByToken('b1'), task(b.executionArn, 1, { token: 'b1', createdAt: 50 }));
      });

      it('tasks created at the same time are handed out in the order they were added', async (s) => {
        const a = await started(s, 'sm', 'a');
        const work = activityArn('work');
        await s.commitStep(step(a, 2, { tasksAdd: [7, 3, 5].map((seq) => task(a.executionArn, seq, { activityArn: work, createdAt: 100 })) }));
        const got: number[] = [];
        for (let i = 0; i < 3; i++) got.push((await s.claimActivityTask(work, 'w'))!.seq);
        same(got, [7, 3, 5]);
      });

      it('never hands out a task twice, even to concurrent claims', async (s) => {
        const a = await started(s, 'sm', 'a');
        const work = activityArn('work');
        await s.commitStep(step(a, 2, { tasksAdd: [1, 2, 3, 4, 5].map((seq) => task(a.executionArn, seq, { activityArn: work, token: `t${seq}` })) }));
        const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => s.claimActivityTask(work, `w${i}`)));
        const got = claims.filter((c): c is TaskRow => c !== undefined);
        assert.equal(got.length, 5);
        same(got.map((t) => t.seq).sort(), [1, 2, 3, 4, 5]);
        for (const t of got) {
          assert.equal(t.status, 'started');
          same(await s.taskByToken(t.token!), t);
        }
        assert.equal(await s.claimActivityTask(work, 'late'), undefined);
      });
    });

    describe('map runs', () => {
      it('a step writes the Map Runs it reports (creation too); a later report replaces the record', async (s) => {
        const a = mapRun('a', 1_000);
        const rec = await started(s, 'sm', 'e', 1_000, 1, {}, { mapRuns: [a] });
        same(await s.getMapRun(a.mapRunArn), { ...a, executionArn: rec.executionArn });
        const running = { ...a, itemCounts: counts({ pending: 1, running: 2, total: 3 }), executionCounts: counts({ pending: 1, running: 2, total: 3 }) };
        await s.commitStep(step(rec, 2, { mapRuns: [running] }));
        same(await s.getMapRun(a.mapRunArn), { ...running, executionArn: rec.executionArn });
        // A step that reports nothing leaves the record alone.
        await s.commitStep(step(rec, 3));
        same(await s.getMapRun(a.mapRunArn), { ...running, executionArn: rec.executionArn });
        assert.equal(await s.getMapRun(`${ACCOUNT}:mapRun:sm/other:0f0e0d0c-0b0a-4909-8807-060504030201`), undefined);
      });

      it('the step that closes the execution still writes its Map Runs (ended, with a stop date)', async (s) => {
        const rec = await started(s, 'sm', 'e', 1_000, 1, {}, { mapRuns: [mapRun('a', 1_000)] });
        const done = mapRun('a', 1_000, { status: 'ABORTED', stopDate: 5_000, itemCounts: counts({ aborted: 3, total: 3 }), executionCounts: counts({ aborted: 3, total: 3 }) });
        await s.commitStep(step(rec, 2, { record: { status: 'ABORTED', stopDate: 5_000 }, mapRuns: [done] }));
        same(await s.getMapRun(done.mapRunArn), { ...done, executionArn: rec.executionArn });
      });

      it('listMapRuns: the runs of one execution, newest first; none for another or an unknown one', async (s) => {
        const rec = await started(s, 'sm', 'e', 1_000, 1, {}, { mapRuns: [mapRun('first', 1_000)] });
        const other = await started(s, 'sm', 'f', 1_000, 1, {}, { mapRuns: [mapRun('elsewhere', 1_500)] });
        await s.commitStep(step(rec, 2, { mapRuns: [mapRun('second', 2_000), mapRun('tie', 2_000)] }));
        const list = await s.listMapRuns(rec.executionArn);
        same(
          list.map((m) => m.mapRunArn.split(':')[6]),
          ['sm/tie', 'sm/second', 'sm/first'],
        );
        assert.ok(list.every((m) => m.executionArn === rec.executionArn));
        same((await s.listMapRuns(other.executionArn)).map((m) => m.mapRunArn.split(':')[6]), ['sm/elsewhere']);
        same(await s.listMapRuns(execArn('sm', 'nobody')), []);
      });

      it('a rejected commit writes none of its Map Runs; a purged execution takes its Map Runs along', async (s) => {
        const a = mapRun('a', 1_000);
        const rec = await started(s, 'sm', 'e', 1_000, 2, {}, { mapRuns: [a] });
        await assert.rejects(s.commitStep(step(rec, 2, { mapRuns: [{ ...a, status: 'SUCCEEDED' }] })));
        assert.equal((await s.getMapRun(a.mapRunArn))?.status, 'RUNNING');
        await s.commitStep(step(rec, 3, { record: { status: 'SUCCEEDED', stopDate: 500 }, mapRuns: [{ ...a, status: 'SUCCEEDED', stopDate: 500 }] }));
        assert.equal(await s.purgeClosedExecutions(1_000), 1);
        assert.equal(await s.getMapRun(a.mapRunArn), undefined);
        same(await s.listMapRuns(rec.executionArn), []);
      });

      it('records are copies both ways', async (s) => {
        const a = mapRun('a', 1_000);
        const rec = await started(s, 'sm', 'e', 1_000, 1, {}, { mapRuns: [a] });
        const kept = structuredClone(a);
        a.itemCounts.running = 99;
        const got = (await s.getMapRun(a.mapRunArn))!;
        got.executionCounts.failed = 7;
        same(await s.getMapRun(a.mapRunArn), { ...kept, executionArn: rec.executionArn });
      });
    });

    describe('purge', () => {
      it('deletes executions closed before the cutoff, with their state and history', async (s) => {
        const old = await started(s, 'sm', 'old', 100, 2);
        const edge = await started(s, 'sm', 'edge', 100, 1);
        const recent = await started(s, 'sm', 'recent', 100, 1);
        const running = await started(s, 'sm', 'running', 1, 1);
        const express = await started(s, 'sm', 'express', 1, 1, { type: 'EXPRESS' });
        await s.commitStep(step(old, 3, { record: { status: 'FAILED', stopDate: 500 } }));
        await s.commitStep(step(edge, 2, { record: { status: 'SUCCEEDED', stopDate: 1000 } }));
        await s.commitStep(step(recent, 2, { record: { status: 'ABORTED', stopDate: 2000 } }));
        await s.commitStep(step(running, 2, { timersAdd: [tm(1, 'wait', 20)], tasksAdd: [task(running.executionArn, 2, { token: 'r' })] }));
        await s.commitStep(step(express, 2, { record: { status: 'SUCCEEDED', stopDate: 10 } }));
        assert.equal(await s.purgeClosedExecutions(1000), 2);
        for (const gone of [old, express]) {
          assert.equal(await s.getExecution(gone.executionArn), undefined);
          assert.equal(await s.getExecutionState(gone.executionArn), undefined);
          same(await s.getHistory(gone.executionArn, { limit: 10 }), []);
        }
        same(await names(s), ['edge', 'recent', 'running']);
        same(await s.countExecutions(smArn('sm')), { SUCCEEDED: 1, ABORTED: 1, RUNNING: 1 });
        same(ids(await s.getHistory(edge.executionArn, { limit: 10 })), [1, 2]);
        assert.equal(await s.purgeClosedExecutions(1000), 0);
        assert.equal(await s.purgeClosedExecutions(FOREVER), 2);
        same(await names(s), ['running']);
        same(await s.runningExecutionArns(), [running.executionArn]);
        same(await peekTimers(s), [timer(running.executionArn, 1, 'wait', 20)]);
        same(await s.taskByToken('r'), task(running.executionArn, 2, { token: 'r' }));
        // A purged ARN can be used again.
        assert.equal(await s.createExecution(old, { state: execState(old, 1), events: [event(1)] }), true);
        same(ids(await s.getHistory(old.executionArn, { limit: 10 })), [1]);
      });

      const names = async (s: Store) => (await s.listExecutions({ stateMachineArn: smArn('sm') })).map((e) => e.name).sort();
    });

    describe('copies', () => {
      it('changing a catalog record after put, or one the store returned, does not change the store', async (s) => {
        const m = machine('a');
        await s.putStateMachine(m);
        (m.loggingConfiguration as { level: string }).level = 'ALL';
        m.name = 'changed';
        const gotM = (await s.getStateMachine(smArn('a')))!;
        (gotM.loggingConfiguration as { level: string }).level = 'ERROR';
        gotM.definition = 'x';
        (await s.listStateMachines())[0]!.name = 'y';
        same(await s.getStateMachine(smArn('a')), machine('a'));

        await s.putStateMachine(version(machine('a'), 1));
        (await s.listVersions(smArn('a')))[0]!.versionNumber = 5;
        same(await s.listVersions(smArn('a')), [version(machine('a'), 1)]);

        const al: AliasRecord = { stateMachineAliasArn: `${smArn('a')}:p`, stateMachineArn: smArn('a'), name: 'p', routingConfiguration: [{ stateMachineVersionArn: `${smArn('a')}:1`, weight: 100 }], creationDate: 1 };
        await s.putAlias(al);
        al.routingConfiguration[0]!.weight = 1;
        (await s.getAlias(al.stateMachineAliasArn))!.routingConfiguration[0]!.weight = 2;
        (await s.listAliases(smArn('a')))[0]!.routingConfiguration.push({ stateMachineVersionArn: 'x', weight: 0 });
        same((await s.getAlias(al.stateMachineAliasArn))!.routingConfiguration, [{ stateMachineVersionArn: `${smArn('a')}:1`, weight: 100 }]);

        const act: ActivityRecord = { activityArn: activityArn('w'), name: 'w', creationDate: 1 };
        await s.putActivity(act);
        act.name = 'changed';
        (await s.getActivity(activityArn('w')))!.name = 'x';
        (await s.listActivities())[0]!.name = 'y';
        same(await s.getActivity(activityArn('w')), { activityArn: activityArn('w'), name: 'w', creationDate: 1 });

        const tags = { a: '1' };
        await s.setTags(smArn('a'), tags);
        tags.a = '2';
        (await s.getTags(smArn('a'))).b = '3';
        same(await s.getTags(smArn('a')), { a: '1' });
      });

      it('changing an execution, state, event, timer or task the store returned does not change the store', async (s) => {
        const rec = await started(s, 'sm', 'e1', 1000, 1, { parent: { executionArn: 'p', seq: 1 } });
        const arn = rec.executionArn;
        await s.commitStep(step(rec, 2, {
          events: [event(2, 'PassStateEntered', { input: { a: [1] } })],
          timersAdd: [tm(1, 'wait', 10)],
          tasksAdd: [task(arn, 2, { activityArn: activityArn('work'), token: 't' })],
        }));
        const e = (await s.getExecution(arn))!;
        e.status = 'FAILED';
        e.parent!.seq = 7;
        const listed = (await s.listExecutions({ stateMachineArn: rec.stateMachineArn }))[0]!;
        listed.name = 'x';
        listed.parent!.seq = 8;
        same(await s.getExecution(arn), rec);

        const st = (await s.getExecutionState(arn))!;
        st.lastEventId = 99;
        st.info.input = 'changed';
        same(await s.getExecutionState(arn), execState(rec, 2));

        const h = await s.getHistory(arn, { limit: 10 });
        (h[1]!.details!.input as { a: number[] }).a.push(2);
        h[0]!.type = 'Changed';
        same(await s.getHistory(arn, { limit: 10 }), [event(1, 'ExecutionStarted'), event(2, 'PassStateEntered', { input: { a: [1] } })]);

        (await peekTimers(s))[0]!.dueAt = 1000;
        same(await peekTimers(s), [timer(arn, 1, 'wait', 10)]);

        const t = task(arn, 2, { activityArn: activityArn('work'), token: 't' });
        (await s.openTasks(arn))[0]!.status = 'started';
        ((await s.taskByToken('t'))!.command.input as { n: number }).n = 42;
        same(await s.openTasks(arn), [t]);
        const claimed = (await s.claimActivityTask(activityArn('work'), 'w'))!;
        claimed.workerName = 'other';
        same(await s.taskByToken('t'), { ...t, status: 'started', workerName: 'w' });
      });
    });

    describe('close', () => {
      it('resolves with work just issued', async (s) => {
        const rec = execution('sm', 'e1', 1);
        void s.createExecution(rec, { state: execState(rec, 1), events: [event(1)] });
        void s.commitStep(step(rec, 2));
        // The harness closes the store right after this.
      });
    });
  });
}
