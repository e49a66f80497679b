/**
 * Activities: tasks handed to workers that poll for them (GetActivityTask) and report back with the
 * task token (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat). The server hands them out through
 * the engine's `ActivityQueue`; the in-process library, where no worker polls, through `inProcessActivity`.
 *
 * The task itself is a row in the store (written with the step that scheduled it), so invoking one only
 * detaches it from the execution and wakes the workers polling that activity in this process. Pollers
 * also look at the store now and then, for tasks other processes scheduled.
 * @module
 */
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from '../types.js';

export class ActivityQueue implements TaskInvoker {
  #waiters = new Map<string, Set<() => void>>();

  invoke(cmd: InvokeTask, _ctx: TaskContext, cb: TaskCallbacks): void {
    if (cmd.resource.kind !== 'activity' || !cmd.token) {
      cb.failed('States.Runtime', 'Not an activity task.');
      return;
    }
    cb.detach();
    this.notify(cmd.resource.arn);
  }

  /** Wakes the pollers of an activity. */
  notify(activityArn: string): void {
    const set = this.#waiters.get(activityArn);
    if (!set) return;
    this.#waiters.delete(activityArn);
    for (const wake of set) wake();
  }

  /** Resolves when a task of the activity may be there, after `ms`, or when `signal` aborts. */
  wait(activityArn: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(activityArn);
      if (!set) this.#waiters.set(activityArn, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set!.delete(done);
        if (set!.size === 0 && this.#waiters.get(activityArn) === set) this.#waiters.delete(activityArn);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}

/**
 * Activities in process (the library): no worker polls for them, so the task is taken at once
 * (ActivityStarted) and waits for its token (`sendTaskSuccess` / `sendTaskFailure` of the running execution).
 */
export const inProcessActivity: TaskInvoker = {
  invoke(_cmd, _ctx, cb) {
    cb.started('stepwise-in-process');
    cb.detach();
  },
};
