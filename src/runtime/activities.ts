/**
 * Activities on the engine: the activity ARNs that exist (so a Task can tell at once that its activity
 * does not), the queue that hands activity Tasks over and wakes the workers polling in this process,
 * and GetActivityTask itself. The tasks are rows in the store, written with the step that scheduled
 * them; the engine records what a worker's taking one changes (ActivityStarted, the heartbeat timer).
 * @module
 */
import type { Json } from '../shared/json.js';
import type { EngineInput } from '../interpreter/inputs.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { ActivityQueue } from './tasks/integrations/activity.js';

/** A task an activity worker took. */
export interface ActivityTask {
  taskToken: string;
  input: Json;
}

/** What activities need from the engine. */
export interface ActivityHost {
  store: Store;
  clock: Clock;
  /** Feeds an input to a running execution; false when it is not running. */
  deliver(executionArn: string, input: EngineInput): Promise<boolean>;
  /** The task's HeartbeatSeconds count again from now. */
  restartHeartbeat(executionArn: string, seq: number, heartbeatSeconds: number): Promise<void>;
  closed(): boolean;
}

export class Activities {
  /** The task integration activity Tasks go to. */
  readonly queue = new ActivityQueue();
  /** Known activity ARNs. */
  readonly arns = new Set<string>();

  constructor(
    private readonly host: ActivityHost,
    private readonly pollMs: number,
  ) {}

  /** Reads the activities the store has (at start-up). */
  async load(): Promise<void> {
    for (const a of await this.host.store.listActivities()) this.arns.add(a.activityArn);
  }

  exists(activityArn: string): boolean {
    return this.arns.has(activityArn);
  }

  /**
   * GetActivityTask: the oldest task scheduled for the activity, taken for the worker (ActivityStarted
   * is recorded before it is handed over); waits up to `timeoutMs` for one.
   */
  async poll(activityArn: string, workerName: string | undefined, timeoutMs = this.pollMs, signal?: AbortSignal): Promise<ActivityTask | undefined> {
    const { store, clock } = this.host;
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const row = await store.claimActivityTask(activityArn, workerName);
      if (row && row.token) {
        if (!(await this.host.deliver(row.executionArn, { k: 'taskStarted', seq: row.seq, workerName }))) continue;
        // HeartbeatSeconds count from now: the worker has the task.
        const hb = row.command.heartbeatSeconds;
        if (hb !== undefined) await this.host.restartHeartbeat(row.executionArn, row.seq, hb);
        return { taskToken: row.token, input: row.command.input };
      }
      const left = deadline - clock.now();
      if (left <= 0 || signal?.aborted || this.host.closed()) return undefined;
      // Woken by a task scheduled in this process; the store is looked at again every second for tasks
      // scheduled by other processes sharing it.
      await this.queue.wait(activityArn, Math.min(left, 1000), signal);
    }
  }
}
