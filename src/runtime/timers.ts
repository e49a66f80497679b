/**
 * Timers of an execution, behind a port: in memory (the clock; library and Express executions) or
 * durable (rows in the store with one process-level timer; see `durable-engine.ts`).
 * @module
 */
import type { EngineInput } from '../interpreter/inputs.js';
import type { TimerKind } from '../store/store.js';
import type { Clock, TimerHandle } from './clock.js';

export type { TimerKind };

export interface TimerPort {
  /**
   * Arms a timer; `fire` is called when it is due (in-memory ports; a durable port's timers come back as
   * inputs through the engine). `moved` is set when a heartbeat moves a timer the store already has.
   */
  set(seq: number, kind: TimerKind, dueAt: number, fire: () => void, moved?: boolean): void;
  /** Disarms every timer of the sequence number. */
  cancel(seq: number): void;
  cancelAll(): void;
}

/** The input a due timer delivers. */
export function timerInput(seq: number, kind: TimerKind): EngineInput {
  switch (kind) {
    case 'taskTimeout':
      return { k: 'taskTimedOut', seq, error: 'States.Timeout' };
    case 'heartbeat':
      return { k: 'taskTimedOut', seq, error: 'States.HeartbeatTimeout' };
    default:
      return { k: 'timerFired', seq };
  }
}

/** In-memory timers on a clock. */
export class ClockTimers implements TimerPort {
  #handles: Map<string, TimerHandle> | undefined;

  constructor(private readonly clock: Clock) {}

  set(seq: number, kind: TimerKind, dueAt: number, fire: () => void): void {
    const key = `${seq}:${kind}`;
    const handles = (this.#handles ??= new Map());
    handles.get(key)?.cancel();
    handles.set(
      key,
      this.clock.setTimer(() => {
        handles.delete(key);
        fire();
      }, Math.max(0, dueAt - this.clock.now())),
    );
  }

  cancel(seq: number): void {
    if (!this.#handles) return;
    for (const [key, h] of this.#handles) {
      if (key.startsWith(`${seq}:`)) {
        h.cancel();
        this.#handles.delete(key);
      }
    }
  }

  cancelAll(): void {
    for (const h of this.#handles?.values() ?? []) h.cancel();
    this.#handles?.clear();
  }
}
