/**
 * Waiting for executions to end: `whenEnded` resolves with the record once an execution is no longer
 * running. Express executions are watched in memory; Standard ones are read from the store, so the wait
 * holds however long the execution stays out of memory: an end in this process wakes it at once
 * (`ended`), and the store is read again every few seconds for executions run by other processes.
 * @module
 */
import type { ExecutionRecord, Store } from '../store/store.js';
import type { ExpressEntry } from './express.js';

export interface ExecutionEndsPort {
  store: Store;
  express(arn: string): ExpressEntry | undefined;
  closed(): boolean;
}

export class ExecutionEnds {
  readonly #waiters = new Map<string, (() => void)[]>();

  constructor(private readonly port: ExecutionEndsPort) {}

  /** A Standard execution ended in this process: its waiters look again now. */
  ended(arn: string): void {
    const waiters = this.#waiters.get(arn);
    if (!waiters) return;
    this.#waiters.delete(arn);
    for (const w of waiters) w();
  }

  #listen(arn: string, wake: () => void): void {
    let list = this.#waiters.get(arn);
    if (!list) this.#waiters.set(arn, (list = []));
    list.push(wake);
  }

  #unlisten(arn: string, wake: () => void): void {
    const waiting = this.#waiters.get(arn);
    const at = waiting ? waiting.indexOf(wake) : -1;
    if (at >= 0) waiting!.splice(at, 1);
    if (waiting && waiting.length === 0) this.#waiters.delete(arn);
  }

  /** Resolves when a Standard execution is no longer running (tests). */
  async wait(arn: string): Promise<void> {
    for (;;) {
      const rec = await this.port.store.getExecution(arn);
      if (!rec || rec.status !== 'RUNNING') return;
      await new Promise<void>((resolve) => {
        this.#listen(arn, resolve);
        // A driver in another state of loading may end without this process seeing it: look again.
        setTimeout(resolve, 1000).unref();
      });
    }
  }

  /**
   * The record of an execution once it is no longer running; undefined when there is no such execution
   * (or `signal` aborted, or the engine was closed, first).
   */
  async whenEnded(arn: string, signal?: AbortSignal): Promise<ExecutionRecord | undefined> {
    if (this.port.closed()) return undefined;
    const ex = this.port.express(arn);
    if (ex) {
      const driver = ex.driver;
      if (driver) {
        let onAbort!: () => void;
        await new Promise<void>((resolve) => {
          onAbort = resolve;
          signal?.addEventListener('abort', onAbort, { once: true });
          // startExpress's own handler, registered first, has updated the record by then.
          void driver.done.then(() => resolve());
        });
        signal?.removeEventListener('abort', onAbort);
      }
      return signal?.aborted ? undefined : ex.rec;
    }
    for (;;) {
      if (signal?.aborted || this.port.closed()) return undefined;
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      // Listening before the read: an end between the read and the wait is not missed.
      this.#listen(arn, wake);
      const timer = setTimeout(wake, 5000);
      timer.unref();
      signal?.addEventListener('abort', wake, { once: true });
      try {
        const rec = await this.port.store.getExecution(arn);
        if (!rec) return undefined;
        if (rec.status !== 'RUNNING') return rec;
        await woken;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        this.#unlisten(arn, wake);
      }
    }
  }
}
