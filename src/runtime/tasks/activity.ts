/**
 * Activities: tasks handed to workers that poll for them (GetActivityTask) and report back with the
 * task token (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat).
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { InvokeTask, TaskCallbacks, TaskContext, TaskInvoker } from './types.js';

interface QueuedTask {
  activityArn: string;
  token: string;
  input: Json;
  cb: TaskCallbacks;
  taken: boolean;
}

interface Poller {
  activityArn: string;
  resolve: (t: QueuedTask | undefined) => void;
}

export class ActivityHub implements TaskInvoker {
  #queues = new Map<string, QueuedTask[]>();
  #byToken = new Map<string, QueuedTask>();
  #pollers: Poller[] = [];

  invoke(cmd: InvokeTask, ctx: TaskContext, cb: TaskCallbacks): void {
    if (cmd.resource.kind !== 'activity' || !cmd.token) {
      cb.failed('States.Runtime', 'Not an activity task.');
      return;
    }
    const task: QueuedTask = { activityArn: cmd.resource.arn, token: cmd.token, input: cmd.input, cb, taken: false };
    this.#byToken.set(task.token, task);
    ctx.cancel.onCancel(() => this.#remove(task));
    const i = this.#pollers.findIndex((p) => p.activityArn === task.activityArn);
    if (i >= 0) {
      const [p] = this.#pollers.splice(i, 1);
      task.taken = true;
      p!.resolve(task);
      return;
    }
    let q = this.#queues.get(task.activityArn);
    if (!q) this.#queues.set(task.activityArn, (q = []));
    q.push(task);
  }

  #remove(task: QueuedTask): void {
    this.#byToken.delete(task.token);
    const q = this.#queues.get(task.activityArn);
    if (q) {
      const i = q.indexOf(task);
      if (i >= 0) q.splice(i, 1);
    }
  }

  /** Waits up to `timeoutMs` for a task of the activity; undefined when none came. */
  poll(activityArn: string, workerName: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<{ taskToken: string; input: Json } | undefined> {
    const q = this.#queues.get(activityArn);
    const take = (t: QueuedTask) => {
      t.taken = true;
      t.cb.started(workerName);
      return { taskToken: t.token, input: t.input };
    };
    if (q && q.length) return Promise.resolve(take(q.shift()!));
    return new Promise((resolve) => {
      const p: Poller = {
        activityArn,
        resolve: (t) => {
          clearTimeout(timer);
          resolve(t ? take(t) : undefined);
        },
      };
      const timer = setTimeout(() => {
        const i = this.#pollers.indexOf(p);
        if (i >= 0) this.#pollers.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      signal?.addEventListener('abort', () => {
        const i = this.#pollers.indexOf(p);
        if (i >= 0) this.#pollers.splice(i, 1);
        clearTimeout(timer);
        resolve(undefined);
      }, { once: true });
      this.#pollers.push(p);
    });
  }

  /** The callbacks of an open activity task, by token. */
  byToken(token: string): TaskCallbacks | undefined {
    return this.#byToken.get(token)?.cb;
  }

  /** Drops queued tasks of a deleted activity (they stay open until they time out, as on AWS). */
  forget(activityArn: string): void {
    this.#queues.delete(activityArn);
  }
}
