/**
 * Durable timers: rows in the store with a due time, and one process-level timer for the earliest. When
 * it fires, the due rows are claimed (with a lease, so another process sharing the store leaves them
 * alone, and they fire again if this one dies first) and delivered as inputs to their executions; the
 * step a timer causes deletes its row.
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
  /** Rows claimed at a time. */
  batch?: number;
  /** How long a claimed row is left alone before it fires again. */
  leaseMs?: number;
  onError?: (e: unknown) => void;
}

/** The longest single sleep (setTimeout's limit is about 24.8 days; a year-long Wait sleeps in parts). */
const MAX_SLEEP_MS = 6 * 60 * 60 * 1000;

export class TimerLoop {
  #handle: TimerHandle | undefined;
  /** When the armed timer fires. */
  #armedAt = Infinity;
  #running = false;
  /** Earliest due time asked for while a round was running. */
  #wanted = Infinity;
  #stopped = false;
  /** The round in progress, if any. */
  #round: Promise<void> | undefined;
  readonly #batch: number;
  readonly #leaseMs: number;

  constructor(private readonly opts: TimerLoopOptions) {
    this.#batch = opts.batch ?? 128;
    this.#leaseMs = opts.leaseMs ?? 60000;
  }

  /** Makes sure the loop wakes up by `dueAt`. */
  arm(dueAt: number | undefined): void {
    if (dueAt === undefined || this.#stopped) return;
    if (this.#running) {
      if (dueAt < this.#wanted) this.#wanted = dueAt;
      return;
    }
    if (dueAt >= this.#armedAt) return;
    this.#handle?.cancel();
    this.#armedAt = dueAt;
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, dueAt - this.opts.clock.now()));
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
        const now = this.opts.clock.now();
        const rows = await this.opts.store.claimDueTimers(now, this.#batch, now + this.#leaseMs);
        if (rows.length) await Promise.all(rows.map((t) => this.opts.fire(t).catch((e) => this.opts.onError?.(e))));
        if (rows.length < this.#batch || this.#stopped) break;
      }
      next = await this.opts.store.nextTimerDue();
    } catch (e) {
      this.opts.onError?.(e);
      next = this.opts.clock.now() + 1000;
    } finally {
      this.#running = false;
    }
    const wanted = this.#wanted;
    this.#wanted = Infinity;
    this.arm(next);
    if (wanted !== Infinity) this.arm(wanted);
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
