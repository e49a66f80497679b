/**
 * The PostgreSQL group commit's writer: the write jobs of one batch (several executions' steps, claims,
 * catalog writes) run in one transaction on one connection, and the history rows they produce go in at
 * the end as one multi-row insert.
 *
 * Same guarantees as the SQLite group commit: a job that fails rolls back alone and rejects its promise,
 * the others commit. PostgreSQL ends a transaction at the first error, so the batch is first written
 * optimistically (no savepoints: the common case costs one statement per job and one for the history);
 * a job that refuses cleanly (a `Refusal`: it wrote nothing, e.g. an event id already recorded) just
 * rejects and the batch goes on. Any other failure rolls the batch back and writes it again with each
 * job in a savepoint, history rows included, so only the failing job is lost. A failure of the
 * connection or of COMMIT (its outcome unknown) rejects the whole batch.
 * @module
 */
import pg from 'pg';
import type { Job } from '../sqlite/group-commit.js';
import { writeRows, type DefinitionIds, type Outcome, type RowJob } from './rows.js';
import { Q, type Sql } from './statements.js';

/** What a write job gets: queries on the batch's connection, and history rows to insert later. */
export interface Tx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(q: Sql, values: unknown[]): Promise<pg.QueryResult<R>>;
  /** A step's history row, inserted with the others of the batch (before COMMIT). */
  history(executionId: number, firstId: number, lastId: number, events: string): void;
}

export type TxJob<R = unknown> = (tx: Tx) => Promise<R>;

/** What a write job's `run()` returns: a function of the transaction, or a row job written set-based with its neighbours (`rows.ts`). */
export type BatchJob = TxJob | RowJob;

/** A job's rejection that wrote nothing: the batch's transaction goes on without it. */
export class Refusal extends Error {}


/** History rows gathered for one multi-row insert. */
class HistoryRows {
  ids: number[] = [];
  firsts: number[] = [];
  lasts: number[] = [];
  events: string[] = [];
  add = (executionId: number, firstId: number, lastId: number, events: string): void => {
    this.ids.push(executionId);
    this.firsts.push(firstId);
    this.lasts.push(lastId);
    this.events.push(events);
  };
  async flush(client: pg.ClientBase): Promise<void> {
    if (!this.ids.length) return;
    await client.query({ name: Q.insertSteps.name, text: Q.insertSteps.text, values: [this.ids, this.firsts, this.lasts, this.events] });
    this.ids = [];
    this.firsts = [];
    this.lasts = [];
    this.events = [];
  }
}

function txOf(client: pg.ClientBase, rows: HistoryRows): Tx {
  return {
    query: <R extends pg.QueryResultRow>(q: Sql, values: unknown[]) => client.query<R>({ name: q.name, text: q.text, values }),
    history: rows.add,
  };
}

export interface BatchStats {
  /** Batches written again job by job (in savepoints) after a failure. */
  retried: number;
}

/**
 * Writes a batch on `client` and settles its jobs. `onFailure` runs whenever a transaction (or part of
 * one) is rolled back, so caches of what it wrote can be dropped. Resolves once every job is settled;
 * rejects only when the connection should be discarded (every job already rejected).
 */
export async function writeBatch(client: pg.ClientBase, jobs: Job[], definitionId: DefinitionIds, onFailure: () => void, stats: BatchStats): Promise<void> {
  const fns = jobs.map((j) => j.run() as BatchJob);
  let out: Outcome[] | undefined;
  try {
    const fast = await optimistic(client, fns, definitionId);
    if (Array.isArray(fast)) out = fast;
    else {
      onFailure();
      if (fns.length === 1) out = [{ ok: false, error: fast.error }];
      else {
        stats.retried++;
        out = await isolated(client, fns, definitionId, onFailure);
      }
    }
  } catch (error) {
    onFailure();
    for (const j of jobs) j.reject(error);
    throw error;
  }
  out.forEach((o, i) => (o.ok ? jobs[i]!.resolve(o.value) : jobs[i]!.reject(o.error)));
}

/** The batch in one transaction without savepoints; `{ error }` when it had to be rolled back. */
async function optimistic(client: pg.ClientBase, fns: BatchJob[], definitionId: DefinitionIds): Promise<Outcome[] | { error: unknown }> {
  const rows = new HistoryRows();
  const tx = txOf(client, rows);
  const out: Outcome[] = [];
  await client.query('BEGIN');
  try {
    // Consecutive row jobs are written together.
    let run: RowJob[] = [];
    for (const fn of fns) {
      if (typeof fn !== 'function') {
        run.push(fn);
        continue;
      }
      if (run.length) out.push(...(await writeRows(tx, run, definitionId)));
      run = [];
      try {
        out.push({ ok: true, value: await fn(tx) });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        out.push({ ok: false, error });
      }
    }
    if (run.length) out.push(...(await writeRows(tx, run, definitionId)));
    await rows.flush(client);
  } catch (error) {
    await client.query('ROLLBACK');
    if (!(error instanceof pg.DatabaseError) && isConnectionError(error)) throw error;
    return { error };
  }
  await client.query('COMMIT');
  return out;
}

/** The batch in one transaction, each job (with its history rows) in a savepoint of its own. */
async function isolated(client: pg.ClientBase, fns: BatchJob[], definitionId: DefinitionIds, onFailure: () => void): Promise<Outcome[]> {
  const out: Outcome[] = [];
  await client.query('BEGIN');
  try {
    for (const fn of fns) {
      const rows = new HistoryRows();
      await client.query('SAVEPOINT stepwise_job');
      try {
        const tx = txOf(client, rows);
        const o = typeof fn === 'function' ? { ok: true as const, value: await fn(tx) } : (await writeRows(tx, [fn], definitionId))[0]!;
        await rows.flush(client);
        await client.query('RELEASE SAVEPOINT stepwise_job');
        out.push(o);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError) && isConnectionError(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT stepwise_job');
        onFailure();
        out.push({ ok: false, error });
      }
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await client.query('COMMIT');
  return out;
}

/** Errors of the socket or of a client that was ended: nothing more can be sent on it. */
function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return /Connection terminated|Client was closed|not queryable|Cannot use a pool after calling end/i.test(e.message);
}
