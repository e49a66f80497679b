/**
 * Time, injected: the system clock for servers, a manual clock for tests that jump time.
 * @module
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimer(fn: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, delayMs) {
    // setTimeout holds at most 2^31-1 ms; longer waits re-arm.
    const MAX = 2 ** 31 - 1;
    let h: NodeJS.Timeout;
    const due = Date.now() + delayMs;
    const arm = () => {
      const left = due - Date.now();
      h = setTimeout(left > MAX ? arm : fn, Math.min(Math.max(0, left), MAX));
    };
    arm();
    return { cancel: () => clearTimeout(h) };
  },
};

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer due within the window, in due
 * order, letting the work each timer triggers settle before the next.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { due: number; fn: () => void }>();

  constructor(start: number | Date = Date.UTC(2024, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { due: this.#now + Math.max(0, delayMs), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Due time of the next timer, if any. */
  nextDue(): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers.values()) if (min === undefined || t.due < min) min = t.due;
    return min;
  }

  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      let next: [number, { due: number; fn: () => void }] | undefined;
      for (const e of this.#timers) if (e[1].due <= target && (!next || e[1].due < next[1].due)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].due);
      next[1].fn();
    }
    this.#now = target;
    await settle();
  }

  /** Advances to the next timer and fires it (and any due at the same time). */
  async advanceToNext(): Promise<boolean> {
    await settle();
    const due = this.nextDue();
    if (due === undefined) return false;
    await this.advance(Math.max(0, due - this.#now));
    return true;
  }
}

/** Lets pending promise callbacks and immediates run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
