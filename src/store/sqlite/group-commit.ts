/**
 * Group commit: write jobs submitted in the same event-loop turn (and, with an asynchronous writer,
 * while a batch is being written) run together in one transaction, so a burst of commits costs one
 * fsync instead of one each, and throughput is not capped by the disk's fsync rate.
 *
 * A batch is written from `setImmediate`, i.e. after the current turn's I/O callbacks and microtasks
 * (everything the engine does in reaction to the previous batch's promises lands in the next batch).
 * Each job's promise settles after its batch commits: resolved with what the job returned, or rejected
 * with its error (the writer decides how one failing job affects the others; the SQLite writer isolates
 * each job in a savepoint, so only a failed COMMIT fails them all).
 *
 * The writer here is synchronous (better-sqlite3), so nothing can be submitted while a batch runs; the
 * class also accepts a writer that returns a promise (a PostgreSQL adapter), in which case submissions
 * made meanwhile wait for the next batch, written as soon as the current one settles.
 * @module
 */

export interface Job<R = unknown> {
  run(): R;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** Writes a batch in one transaction and settles every job of it. */
export type BatchWriter = (jobs: Job[]) => void | Promise<void>;

export interface GroupCommitStats {
  /** Batches written (transactions, so fsyncs with synchronous=FULL). */
  batches: number;
  /** Jobs written. */
  jobs: number;
  /** The largest batch so far. */
  maxBatch: number;
}

export class GroupCommit {
  #queue: Job[] = [];
  /** Called once the batch the queued jobs go into has settled. */
  #queueWaiters: (() => void)[] = [];
  #inFlight: Promise<void> | undefined;
  #inFlightWaiters: (() => void)[] = [];
  #scheduled: NodeJS.Immediate | undefined;
  readonly stats: GroupCommitStats = { batches: 0, jobs: 0, maxBatch: 0 };

  /**
   * @param write writes one batch.
   * @param grouped false: every job is written at once, alone (one transaction per job).
   */
  constructor(
    private readonly write: BatchWriter,
    private readonly grouped = true,
  ) {}

  /** Queues a job; the promise settles once its batch is written. */
  submit<R>(run: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ run, resolve, reject } as Job);
      if (!this.grouped) this.flush();
      else if (!this.#scheduled && !this.#inFlight) this.#scheduled = setImmediate(this.#flushScheduled);
    });
  }

  /**
   * Undefined when nothing is queued or being written; otherwise a promise that resolves (never
   * rejects) once everything submitted so far has been written or has failed.
   */
  whenWritten(): Promise<void> | undefined {
    if (this.#queue.length) return new Promise((r) => this.#queueWaiters.push(r));
    if (this.#inFlight) return new Promise((r) => this.#inFlightWaiters.push(r));
    return undefined;
  }

  /** Writes what is queued now (unless a batch is in flight: then right after it). */
  flush(): void {
    if (this.#scheduled) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#inFlight || !this.#queue.length) return;
    const batch = this.#queue;
    const waiters = this.#queueWaiters;
    this.#queue = [];
    this.#queueWaiters = [];
    this.stats.batches++;
    this.stats.jobs += batch.length;
    if (batch.length > this.stats.maxBatch) this.stats.maxBatch = batch.length;
    let pending: void | Promise<void> = undefined;
    try {
      pending = this.write(batch);
    } catch (e) {
      // A writer should settle its jobs itself; this is the safety net.
      for (const j of batch) j.reject(e);
    }
    if (!pending) {
      for (const w of waiters) w();
      return;
    }
    this.#inFlightWaiters = waiters;
    this.#inFlight = pending
      .catch((e: unknown) => {
        for (const j of batch) j.reject(e);
      })
      .then(() => {
        const done = this.#inFlightWaiters;
        this.#inFlight = undefined;
        this.#inFlightWaiters = [];
        for (const w of done) w();
        if (this.#queue.length) this.flush();
      });
  }

  #flushScheduled = (): void => {
    this.#scheduled = undefined;
    this.flush();
  };
}
