/**
 * What arrives with a task token from outside an execution: SendTaskSuccess / SendTaskFailure complete
 * the task, SendTaskHeartbeat (or a worker taking an activity task) restarts its HeartbeatSeconds, and a
 * `.sync` or callback call that went through is recorded as TaskSubmitted. Each becomes an input to the
 * execution's driver, through the engine's `deliver`.
 * @module
 */
import type { EngineInput } from '../interpreter/inputs.js';
import type { Json } from '../shared/json.js';
import type { Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { TimerLoop } from './timer-loop.js';

export interface TaskTokensPort {
  store: Store;
  clock: Clock;
  timers: TimerLoop;
  waitTimeScale: number | undefined;
  /** Feeds an input to a running Standard execution; false when it is not running. */
  deliver(arn: string, input: EngineInput): Promise<boolean>;
  /** Whether the task `seq`'s token was answered already, the answer waiting for its call to return. */
  answered(arn: string, seq: number): Promise<boolean>;
}

export type TokenOutcome = { k: 'succeeded'; output: Json } | { k: 'failed'; error?: string; cause?: string };

export class TaskTokens {
  constructor(private readonly port: TaskTokensPort) {}

  /**
   * The call of a `.sync` or `.waitForTaskToken` task returned `output`: TaskSubmitted is recorded (once)
   * and the task goes on waiting. False when the execution is not running here.
   */
  submitted(arn: string, seq: number, output: Json): Promise<boolean> {
    return this.port.deliver(arn, { k: 'taskSubmitted', seq, output });
  }

  /** Completes the task a token belongs to; false when no open task has that token. */
  async complete(token: string, outcome: TokenOutcome): Promise<boolean> {
    const row = await this.port.store.taskByToken(token);
    if (!row) return false;
    // Answered already, the answer waiting for the task's call to return: the task is over for its token.
    if (await this.port.answered(row.executionArn, row.seq)) return false;
    const input: EngineInput =
      outcome.k === 'succeeded'
        ? { k: 'taskSucceeded', seq: row.seq, output: outcome.output, byToken: true }
        : { k: 'taskFailed', seq: row.seq, error: outcome.error, cause: outcome.cause, byToken: true };
    return this.port.deliver(row.executionArn, input);
  }

  /** A heartbeat for the task a token belongs to; false when no open task has it. */
  async heartbeat(token: string): Promise<boolean> {
    const row = await this.port.store.taskByToken(token);
    if (!row) return false;
    const hb = row.command.heartbeatSeconds;
    if (hb !== undefined) await this.restartHeartbeat(row.executionArn, row.seq, hb);
    return true;
  }

  /** A task's HeartbeatSeconds count again from now (a heartbeat came, or a worker took the task). */
  async restartHeartbeat(arn: string, seq: number, heartbeatSeconds: number): Promise<void> {
    const due = this.port.clock.now() + heartbeatSeconds * 1000 * (this.port.waitTimeScale ?? 1);
    this.port.timers.forget(arn, seq, 'heartbeat');
    await this.port.store.rescheduleTimer(arn, seq, 'heartbeat', due);
    this.port.timers.arm(due);
  }
}
