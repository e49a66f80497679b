/**
 * Durable timers: rows in the store with a due time, and one process-level timer. Rows due soon (within
 * `lookaheadMs`) are claimed ahead of time, with a lease (another process sharing the store leaves them
 * alone, and they fire again if this one dies first), and their executions are loaded meanwhile
 * (`prepare`), so at the due time only the step is left to do: each claimed row is delivered as an input
 * to its execution when due, and the step it causes deletes its row.
 * @module
 */
import type { TimerRow, TimerKind, Store } from '../store/store.js';
import type { Clock, TimerHandle } from './clock.js';
import type { TimerPort } from './timers.js';

export interface TimerLoopOptions {
  store: Store;
  clock: Clock;
  /** Delivers a due timer to its execution; settles once the step it causes is persisted. */
  fire: (t: TimerRow) => Promise<unknown>;
  /** Gets ready for a timer claimed ahead of its due time (e.g. loads its execution). */
  prepare?: (t: TimerRow) => void;
  /** Rows claimed at a time. */
  batch?: number;
  /** How long a claimed row is left alone before it fires again. */
  leaseMs?: number;
  /** How far ahead rows are claimed (default 250 ms). */
  lookaheadMs?: number;
  onError?: (e: unknown) => void;
}

/** The longest single sleep (setTimeout's limit is about 24.8 days; a year-long Wait sleeps in parts). */
const MAX_SLEEP_MS = 6 * 60 * 60 * 1000;

export class TimerLoop {
  #handle: TimerHandle | undefined;
  /** When the armed timer fires. */
  #armedAt = Infinity;
  #running = false;
  /** Earliest wake-up asked for while a round was running. */
  #wanted = Infinity;
  #stopped = false;
  /** The round in progress, if any. */
  #round: Promise<void> | undefined;
  /** Rows claimed ahead of their due time, earliest first, with when they were claimed. */
  #ahead: { t: TimerRow; claimedAt: number }[] = [];
  /** When rows were last moved in the store (by key), to leave a claimed copy that went stale unfired. */
  #moved = new Map<string, number>();
  readonly #batch: number;
  readonly #leaseMs: number;
  readonly #lookahead: number;

  constructor(private readonly opts: TimerLoopOptions) {
    this.#batch = opts.batch ?? 256;
    this.#leaseMs = opts.leaseMs ?? 60000;
    this.#lookahead = opts.lookaheadMs ?? 250;
  }

  /** A timer row is due at `dueAt`: makes sure the loop claims it in time. */
  arm(dueAt: number | undefined): void {
    if (dueAt !== undefined) this.#wake(dueAt - this.#lookahead);
  }

  /**
   * A row is being moved in the store (a heartbeat): a copy claimed before now must not fire; the moved
   * row is claimed again when it falls due.
   */
  forget(executionArn: string, seq: number, kind: TimerKind): void {
    this.#moved.set(`${executionArn}#${seq}#${kind}`, this.opts.clock.now());
  }

  #stale(a: { t: TimerRow; claimedAt: number }): boolean {
    if (this.#moved.size === 0) return false;
    const movedAt = this.#moved.get(`${a.t.executionArn}#${a.t.seq}#${a.t.kind}`);
    return movedAt !== undefined && movedAt >= a.claimedAt;
  }

  #wake(at: number): void {
    if (this.#stopped) return;
    if (this.#running) {
      if (at < this.#wanted) this.#wanted = at;
      return;
    }
    if (at >= this.#armedAt) return;
    this.#handle?.cancel();
    this.#armedAt = at;
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, at - this.opts.clock.now()));
    this.#handle = this.opts.clock.setTimer(() => {
      this.#handle = undefined;
      this.#armedAt = Infinity;
      this.#round = this.#run();
    }, delay);
  }

  async #run(): Promise<void> {
    this.#running = true;
    this.#wanted = Infinity;
    let next: number | undefined;
    try {
      for (;;) {
        // Fire what is due of the rows claimed ahead.
        let now = this.opts.clock.now();
        let n = 0;
        while (n < this.#ahead.length && this.#ahead[n]!.t.dueAt <= now) n++;
        if (n) {
          const due = this.#ahead.splice(0, n).filter((a) => !this.#stale(a));
          await Promise.all(due.map((a) => this.opts.fire(a.t).catch((e) => this.opts.onError?.(e))));
        }
        for (const [k, at] of this.#moved) if (at < now - this.#leaseMs) this.#moved.delete(k);
        if (this.#stopped) break;
        // Claim what falls due soon, and get ready for it.
        now = this.opts.clock.now();
        const room = this.#batch - this.#ahead.length;
        const rows = room > 0 ? await this.opts.store.claimDueTimers(now + this.#lookahead, room, now + this.#leaseMs) : [];
        for (const t of rows) this.opts.prepare?.(t);
        if (rows.length) this.#ahead = this.#ahead.concat(rows.map((t) => ({ t, claimedAt: now }))).sort((a, b) => a.t.dueAt - b.t.dueAt);
        // Go round again while something is due already or a full batch came.
        if (this.#ahead.length && this.#ahead[0]!.t.dueAt <= this.opts.clock.now()) continue;
        if (rows.length === room && room > 0) continue;
        break;
      }
      next = await this.opts.store.nextTimerDue();
      if (next !== undefined) next -= this.#lookahead;
    } catch (e) {
      this.opts.onError?.(e);
      next = this.opts.clock.now() + 1000;
    } finally {
      this.#running = false;
    }
    const wanted = this.#wanted;
    this.#wanted = Infinity;
    if (this.#ahead.length) this.#wake(this.#ahead[0]!.t.dueAt);
    if (next !== undefined) this.#wake(next);
    if (wanted !== Infinity) this.#wake(wanted);
  }

  /** Stops the loop; resolves when a round in progress is over. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#handle?.cancel();
    this.#handle = undefined;
    await this.#round;
  }
}

/**
 * An execution's timers when they are rows in the store: the rows are written with the step that
 * starts them, so arming only wakes the loop; a heartbeat moves its row.
 */
export class StoreTimers implements TimerPort {
  constructor(
    private readonly store: Store,
    private readonly loop: TimerLoop,
    private readonly executionArn: string,
    private readonly onError?: (e: unknown) => void,
  ) {}

  set(seq: number, kind: TimerKind, dueAt: number, _fire: () => void, moved?: boolean): void {
    if (moved) {
      this.loop.forget(this.executionArn, seq, kind);
      this.store.rescheduleTimer(this.executionArn, seq, kind, dueAt).then(
        () => this.loop.arm(dueAt),
        (e) => this.onError?.(e),
      );
      return;
    }
    this.loop.arm(dueAt);
  }

  cancel(): void {}

  cancelAll(): void {}
}
