/**
 * Listeners to the events each execution records (the console's live history): called with the events
 * of every step once it is committed (Standard) or applied (Express). A listener that throws is logged and
 * the others still hear the step.
 * @module
 */
import type { HistoryEvent } from '../interpreter/history.js';

export type EventListener = (events: HistoryEvent[]) => void;

export class ExecutionEventListeners {
  readonly #byArn = new Map<string, Set<EventListener>>();

  constructor(private readonly log: (what: string, e: unknown) => void) {}

  /**
   * Calls `listener` with the events of each step the execution records from now on; returns the
   * unsubscribe function. Steps committed by other processes sharing the store are not seen.
   */
  on(arn: string, listener: EventListener): () => void {
    let set = this.#byArn.get(arn);
    if (!set) this.#byArn.set(arn, (set = new Set()));
    set.add(listener);
    return () => {
      const now = this.#byArn.get(arn);
      if (!now) return;
      now.delete(listener);
      if (now.size === 0) this.#byArn.delete(arn);
    };
  }

  /** Whether anyone listens to the execution (a commit then tells them). */
  has(arn: string): boolean {
    return this.#byArn.has(arn);
  }

  /** How many listeners an execution has (all executions' when no ARN is given). */
  count(arn?: string): number {
    if (arn !== undefined) return this.#byArn.get(arn)?.size ?? 0;
    let n = 0;
    for (const set of this.#byArn.values()) n += set.size;
    return n;
  }

  emit(arn: string, events: HistoryEvent[]): void {
    const set = this.#byArn.get(arn);
    if (!set || events.length === 0) return;
    for (const l of [...set]) {
      try {
        l(events);
      } catch (e) {
        this.log('an event listener', e);
      }
    }
  }
}
