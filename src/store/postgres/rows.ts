/**
 * Executions' first steps and steps, written many at once: the group commit hands a run of
 * `createExecution` / `commitStep` jobs here, and each kind of change of the whole run is one statement
 * over arrays (`unnest`), not one per job: the steps' state updates, the new executions, the record
 * changes, the timers and tasks added and removed (the history rows go in with the batch's).
 *
 * A run is cut into rounds in which each execution appears once (its k-th job of the run in round k),
 * so a round's statements never touch one row twice and each execution's jobs apply in call order;
 * jobs of different executions touch different rows, so their order does not matter.
 *
 * A step refused (an event id already recorded) writes nothing and gets a `Refusal`; a step of an
 * unknown execution writes nothing and resolves.
 * @module
 */
import type { ExecutionRecord, StepWork } from '../store.js';
import { Refusal, type Tx } from './batch.js';
import { mirroredColumns, QM, type ExecColValues } from './statements.js';
import { changes, copyPatch, serializeEvents, type EventsRow } from '../rows.js';

export { changes, copyPatch, serializeEvents, type EventsRow };


/** A step's work, serialized: removals before additions, one row per key. */
export interface Work {
  timersRemove: { seq: number; kind: string | null }[];
  timersAdd: { seq: number; kind: string; dueAt: number }[];
  /** Seqs whose task goes (removed, or replaced by one added). */
  tasksDelete: number[];
  tasksAdd: { seq: number; command: string; activityArn: string | null; token: string | null; status: string; workerName: string | null; createdAt: number }[];
  tasksStarted: { seq: number; workerName: string | null }[];
}

/** A Map Run a step started or changed: its record as JSON (with the execution's ARN). */
export interface MapRunRow {
  arn: string;
  startDate: number;
  record: string;
}

export interface CreateJob {
  kind: 'create';
  arn: string;
  cols: ExecColValues;
  record: string;
  state: string;
  definition: string;
  events: EventsRow | undefined;
  /** Absent for an execution created closed. */
  work: Work | undefined;
  mapRuns: MapRunRow[];
}

export interface StepJob {
  kind: 'step';
  arn: string;
  state: string;
  events: EventsRow | undefined;
  patch: Record<string, unknown>;
  /** Whether the patch changes more than the status (the record is read with the update). */
  needsRecord: boolean;
  work: Work;
  /** Written whatever the execution's status (the step that closes it ends its runs too). */
  mapRuns: MapRunRow[];
}

export type RowJob = CreateJob | StepJob;

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The id a definition is kept under (written if new), on the batch's connection. */
export type DefinitionIds = (tx: Tx, text: string) => Promise<number>;

/** Writes a run of jobs; their outcomes in order. Any error thrown leaves the transaction to roll back. */
export async function writeRows(tx: Tx, jobs: RowJob[], definitionId: DefinitionIds): Promise<Outcome[]> {
  const out: Outcome[] = new Array(jobs.length);
  const rounds: number[][] = [];
  const seen = new Map<string, number>();
  jobs.forEach((j, i) => {
    const k = seen.get(j.arn) ?? 0;
    seen.set(j.arn, k + 1);
    (rounds[k] ??= []).push(i);
  });
  for (const round of rounds) await writeRound(tx, jobs, round, out, definitionId);
  return out;
}

async function writeRound(tx: Tx, jobs: RowJob[], round: number[], out: Outcome[], definitionId: DefinitionIds): Promise<void> {
  const work = new WorkArrays();
  const runs: [string[], string[], number[], string[]] = [[], [], [], []];
  const addRuns = (j: RowJob) => {
    for (const m of j.mapRuns) push(runs, [m.arn, j.arn, m.startDate, m.record]);
  };
  const creates = round.filter((i) => jobs[i]!.kind === 'create');
  const steps = round.filter((i) => jobs[i]!.kind === 'step');

  if (creates.length) {
    const cols: unknown[][] = Array.from({ length: 14 }, () => []);
    for (const i of creates) {
      const j = jobs[i] as CreateJob;
      const row = [j.arn, ...j.cols, j.record, j.state, await definitionId(tx, j.definition), j.events ? j.events.last : 0];
      row.forEach((v, c) => cols[c]!.push(v));
    }
    const ids = new Map((await tx.query<{ arn: string; id: number }>(QM.insertExecutions, cols)).rows.map((r) => [r.arn, r.id]));
    for (const i of creates) {
      const j = jobs[i] as CreateJob;
      const id = ids.get(j.arn);
      out[i] = { ok: true, value: id !== undefined };
      if (id === undefined) continue;
      if (j.events) tx.history(id, j.events.first, j.events.last, j.events.text);
      if (j.work) work.add(j.arn, j.work);
      addRuns(j);
    }
  }

  if (steps.length) {
    const cols: unknown[][] = [[], [], [], [], []];
    for (const i of steps) {
      const j = jobs[i] as StepJob;
      cols[0]!.push(j.arn);
      cols[1]!.push(j.state);
      cols[2]!.push(j.events ? j.events.last : null);
      cols[3]!.push(j.events ? j.events.first : null);
      cols[4]!.push(j.needsRecord);
    }
    const rows = new Map(
      (await tx.query<{ arn: string; id: number; status: string; record: string | null }>(QM.updateSteps, cols)).rows.map((r) => [r.arn, r]),
    );
    // Steps that updated nothing: an unknown execution (resolves), or events already recorded (refused).
    const missed = steps.filter((i) => !rows.has(jobs[i]!.arn) && jobs[i]!.events);
    const existing = missed.length ? new Set((await tx.query<{ arn: string }>(QM.existing, [missed.map((i) => jobs[i]!.arn)])).rows.map((r) => r.arn)) : new Set<string>();
    const merges: { i: number; id: number; record: string | null }[] = [];
    const closed: string[] = [];
    for (const i of steps) {
      const j = jobs[i] as StepJob;
      const row = rows.get(j.arn);
      if (!row) {
        out[i] = existing.has(j.arn) ? { ok: false, error: new Refusal(`The history of ${j.arn} already has an event with id ${j.events!.first} or later`) } : { ok: true, value: undefined };
        continue;
      }
      out[i] = { ok: true, value: undefined };
      if (j.events) tx.history(row.id, j.events.first, j.events.last, j.events.text);
      addRuns(j);
      if (changes(row.status, j.patch)) merges.push({ i, id: row.id, record: row.record });
      else if (row.status === 'RUNNING') work.add(j.arn, j.work);
      else closed.push(j.arn);
    }
    if (merges.length) {
      // A status-only change did not read the record with the update: read those now.
      const unread = merges.filter((m) => m.record === null).map((m) => m.id);
      if (unread.length) {
        const texts = new Map((await tx.query<{ id: number; record: string }>(QM.recordsById, [unread])).rows.map((r) => [r.id, r.record]));
        for (const m of merges) m.record ??= texts.get(m.id)!;
      }
      const cols: unknown[][] = Array.from({ length: 11 }, () => []);
      for (const m of merges) {
        const j = jobs[m.i] as StepJob;
        const rec = merge(m.record!, j.patch);
        [...mirroredColumns(rec), JSON.stringify(rec), m.id].forEach((v, c) => cols[c]!.push(v));
        if (rec.status === 'RUNNING') work.add(j.arn, j.work);
        else closed.push(j.arn);
      }
      await tx.query(QM.updateRecords, cols);
    }
    if (closed.length) await tx.query(QM.deleteWorkOf, [closed]);
  }
  await work.apply(tx);
  // A Map Run belongs to one execution, and each execution is once in a round: no ARN twice here.
  if (runs[0].length) await tx.query(QM.putMapRuns, runs);
}

/** Applies record changes (Object.assign semantics; `undefined` deletes). */
function merge(text: string, patch: Record<string, unknown>): ExecutionRecord {
  const rec = JSON.parse(text) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'definition') continue; // kept apart, and never changed
    if (v === undefined) delete rec[k];
    else rec[k] = v;
  }
  return rec as unknown as ExecutionRecord;
}

/** The work of a round's executions (each once), as the columns of one statement per kind of change. */
class WorkArrays {
  timersRemove: [string[], number[], (string | null)[]] = [[], [], []];
  timersAdd: [string[], number[], string[], number[]] = [[], [], [], []];
  tasksDelete: [string[], number[]] = [[], []];
  tasksAdd: [string[], number[], string[], (string | null)[], (string | null)[], string[], (string | null)[], number[]] = [[], [], [], [], [], [], [], []];
  tasksStarted: [string[], number[], (string | null)[]] = [[], [], []];

  add(arn: string, w: Work): void {
    for (const r of w.timersRemove) push(this.timersRemove, [arn, r.seq, r.kind]);
    for (const t of w.timersAdd) push(this.timersAdd, [arn, t.seq, t.kind, t.dueAt]);
    for (const seq of w.tasksDelete) push(this.tasksDelete, [arn, seq]);
    for (const t of w.tasksAdd) push(this.tasksAdd, [arn, t.seq, t.command, t.activityArn, t.token, t.status, t.workerName, t.createdAt]);
    for (const s of w.tasksStarted) push(this.tasksStarted, [arn, s.seq, s.workerName]);
  }

  /** Removals before additions. */
  async apply(tx: Tx): Promise<void> {
    if (this.timersRemove[0].length) await tx.query(QM.deleteTimers, this.timersRemove);
    if (this.timersAdd[0].length) await tx.query(QM.putTimers, this.timersAdd);
    if (this.tasksDelete[0].length) await tx.query(QM.deleteTasks, this.tasksDelete);
    if (this.tasksAdd[0].length) await tx.query(QM.insertTasks, this.tasksAdd);
    if (this.tasksStarted[0].length) await tx.query(QM.startTasks, this.tasksStarted);
  }
}

function push(cols: unknown[][], row: unknown[]): void {
  row.forEach((v, c) => cols[c]!.push(v));
}




/** The step's Map Runs as rows (the last report of an ARN wins). */
export function serializeMapRuns(w: StepWork, executionArn: string): MapRunRow[] {
  const byArn = new Map<string, MapRunRow>();
  for (const m of w.mapRuns ?? []) byArn.set(m.mapRunArn, { arn: m.mapRunArn, startDate: m.startDate, record: JSON.stringify({ ...m, executionArn }) });
  return [...byArn.values()];
}

export function serializeWork(w: StepWork): Work {
  const timersRemove = (w.timersRemove ?? []).map((r) => ({ seq: r.seq, kind: r.kind ?? null }));
  // One row per (seq, kind): the last one given wins (as successive upserts would).
  const timers = new Map<string, Work['timersAdd'][number]>();
  for (const t of w.timersAdd ?? []) timers.set(`${t.seq}/${t.kind}`, { seq: t.seq, kind: t.kind, dueAt: t.dueAt });
  // A task added replaces the one of its seq: delete both the removed and the replaced, then insert.
  const tasks = new Map<number, Work['tasksAdd'][number]>();
  for (const t of w.tasksAdd ?? []) {
    tasks.delete(t.seq); // the last one given, in its place in the order
    tasks.set(t.seq, { seq: t.seq, command: JSON.stringify(t.command), activityArn: t.activityArn ?? null, token: t.token ?? null, status: t.status, workerName: t.workerName ?? null, createdAt: t.createdAt });
  }
  return {
    timersRemove,
    timersAdd: [...timers.values()],
    tasksDelete: [...new Set([...(w.tasksRemove ?? []), ...tasks.keys()])],
    tasksAdd: [...tasks.values()],
    tasksStarted: (w.tasksStarted ?? []).map((s) => ({ seq: s.seq, workerName: s.workerName ?? null })),
  };
}
