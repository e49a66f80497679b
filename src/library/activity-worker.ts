/**
 * Activity workers: long-poll GetActivityTask, run a handler per task and report the outcome with
 * SendTaskSuccess / SendTaskFailure, heartbeating while the handler runs. Works against Stepwise's server
 * and, with a signing `SfnClient`, against AWS Step Functions.
 * @module
 */
import { hostname } from 'node:os';
import { SfnClient, SfnError } from '../client/sfn-client.js';

export interface ActivityTaskContext {
  taskToken: string;
  /** Sends a heartbeat now. Rejects when it fails; when the task is over (TaskTimedOut…) `signal` aborts too. */
  heartbeat(): Promise<void>;
  /** Aborted (its reason: the SfnError) when Step Functions answers a heartbeat with: this task is over. */
  signal: AbortSignal;
}

/** Returns (or resolves to) the task's output; a throw fails the task. */
export type ActivityHandler<I = any> = (input: I, ctx: ActivityTaskContext) => unknown;

export interface WorkerErrorInfo {
  /** What failed: a GetActivityTask poll, a heartbeat, or reporting a task's outcome. */
  phase: 'poll' | 'heartbeat' | 'report';
  taskToken?: string;
}

export interface ActivityWorkerOptions<I = any> {
  activityArn: string;
  handler: ActivityHandler<I>;
  /** The API's URL when no `client` is given (default: `STEPWISE_ENDPOINT`, else http://127.0.0.1:8083). */
  endpoint?: string;
  /** A client of your own (a signing one for AWS, say). */
  client?: SfnClient;
  /** Shown in the history's ActivityStarted event. Default: `<hostname>-<pid>`. */
  workerName?: string;
  /** How many tasks run at once (each has a poll of its own while idle). Default 1. */
  concurrency?: number;
  /**
   * Send SendTaskHeartbeat when a task is picked up and then every so many seconds while its handler runs.
   * Choose it below the state's HeartbeatSeconds (half of it, say). Default: no automatic heartbeats.
   */
  heartbeatSeconds?: number;
  /** Failures of the worker itself (never of a handler: those fail the task). Default: a line on stderr. */
  onError?: (error: unknown, info: WorkerErrorInfo) => void;
}

export interface ActivityWorker {
  /** Starts polling (again calling it is a no-op). */
  start(): void;
  /**
   * Aborts the polls and waits for running handlers to finish and their outcomes to be reported. A task
   * the service hands to a poll in the instant it is aborted never reaches a handler (as with any
   * long-poll worker, on AWS too): give the state a TimeoutSeconds or HeartbeatSeconds so it times out.
   */
  stop(): Promise<void>;
  /** Settles once the worker has stopped and every handler has finished. */
  readonly done: Promise<void>;
}

/** API limits of SendTaskFailure. */
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32768;

/** The first back-off after a failed poll; it doubles up to MAX_RETRY_MS while polls keep failing. */
const RETRY_MS = 1000;
const MAX_RETRY_MS = 10000;
/** Attempts at reporting an outcome while the network (or a 5xx / throttling) is in the way. */
const REPORT_ATTEMPTS = 5;

export function createActivityWorker<I = any>(opts: ActivityWorkerOptions<I>): ActivityWorker {
  const { activityArn, handler } = opts;
  if (typeof activityArn !== 'string' || !activityArn) throw new TypeError('activityArn is required');
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const heartbeatMs = opts.heartbeatSeconds === undefined ? undefined : opts.heartbeatSeconds * 1000;
  if (heartbeatMs !== undefined && !(heartbeatMs > 0 && Number.isFinite(heartbeatMs))) throw new RangeError(`heartbeatSeconds must be a positive number, got ${opts.heartbeatSeconds}`);

  const client = opts.client ?? new SfnClient({ endpoint: opts.endpoint });
  const workerName = opts.workerName ?? `${hostname()}-${process.pid}`.slice(0, 80);
  const report = (e: unknown, info: WorkerErrorInfo) => {
    try {
      (opts.onError ?? logError)(e, info);
    } catch {
      /* a failing onError must not stop the worker */
    }
  };

  const polls = new AbortController();
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  async function pollLoop(): Promise<void> {
    let delay = RETRY_MS;
    while (!polls.signal.aborted) {
      let task: { taskToken?: string; input?: string };
      try {
        task = await client.call('GetActivityTask', { activityArn, workerName }, { signal: polls.signal });
        delay = RETRY_MS;
      } catch (e) {
        if (polls.signal.aborted) break;
        report(e, { phase: 'poll' });
        await sleep(delay, polls.signal);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
        continue;
      }
      if (task.taskToken) await runTask(task.taskToken, task.input);
    }
  }

  async function runTask(taskToken: string, inputText: string | undefined): Promise<void> {
    const task = new AbortController();
    const heartbeat = async (): Promise<void> => {
      if (task.signal.aborted) throw task.signal.reason;
      try {
        await client.call('SendTaskHeartbeat', { taskToken });
      } catch (e) {
        if (isTaskGone(e)) task.abort(e);
        throw e;
      }
    };

    // Automatic heartbeats: one at once (the state's heartbeat clock may have run since the task was
    // scheduled), then one every heartbeatSeconds after the previous one is answered.
    let timer: NodeJS.Timeout | undefined;
    let running = true;
    const beat = () => {
      heartbeat()
        .catch((e: unknown) => {
          if (running) report(e, { phase: 'heartbeat', taskToken });
        })
        .finally(() => {
          if (running && !task.signal.aborted) timer = setTimeout(beat, heartbeatMs);
        });
    };
    if (heartbeatMs !== undefined) beat();

    let outcome: { output: string } | { error: string; cause: string };
    try {
      const input = JSON.parse(inputText ?? 'null') as I;
      const result = await handler(input, { taskToken, heartbeat, signal: task.signal });
      outcome = { output: JSON.stringify(result) ?? 'null' };
    } catch (e) {
      outcome = taskFailureOf(e);
    } finally {
      running = false;
      clearTimeout(timer);
    }
    // Step Functions already said the task is over: nobody would take the outcome.
    if (task.signal.aborted) return;

    if ('output' in outcome) {
      try {
        await send('SendTaskSuccess', { taskToken, output: outcome.output });
        return;
      } catch (e) {
        report(e, { phase: 'report', taskToken });
        if (!(e instanceof SfnError) || isTaskGone(e)) return;
        // The output was refused (too large, say): fail the task rather than leave it open.
        outcome = taskFailureOf(e);
      }
    }
    try {
      await send('SendTaskFailure', { taskToken, error: outcome.error, cause: outcome.cause });
    } catch (e) {
      report(e, { phase: 'report', taskToken });
    }
  }

  /** A report, retried while the network (or a 5xx / throttling) is in the way. */
  async function send(operation: string, params: object): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.call(operation, params);
        return;
      } catch (e) {
        const retryable = !(e instanceof SfnError) || e.httpStatus >= 500 || e.name === 'ThrottlingException';
        if (!retryable || attempt >= REPORT_ATTEMPTS) throw e;
        await sleep(RETRY_MS * attempt);
      }
    }
  }

  return {
    start() {
      if (state === 'running') return;
      if (state === 'stopped') throw new Error('this activity worker was stopped; create a new one');
      state = 'running';
      const loops = Array.from({ length: concurrency }, () => pollLoop().catch((e: unknown) => report(e, { phase: 'poll' })));
      void Promise.all(loops).then(() => resolveDone());
    },
    stop() {
      if (state !== 'stopped') {
        const wasRunning = state === 'running';
        state = 'stopped';
        polls.abort();
        if (!wasRunning) resolveDone();
      }
      return done;
    },
    done,
  };
}

/** Step Functions' answer for a task that is over (timed out, finished, or never was). */
function isTaskGone(e: unknown): boolean {
  return e instanceof SfnError && (e.name === 'TaskTimedOut' || e.name === 'InvalidToken' || e.name === 'TaskDoesNotExist');
}

/**
 * What SendTaskFailure gets for a thrown value: `error` is the error's `code` when that is a string, else
 * its `name` (a subclass without a name of its own gives its class name); `cause` is its message. Both are
 * cut to the API's limits.
 */
export function taskFailureOf(e: unknown): { error: string; cause: string } {
  let error = 'Error';
  let cause: string;
  if (e !== null && typeof e === 'object') {
    const err = e as { code?: unknown; name?: unknown; message?: unknown };
    const ctor = (e as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof err.code === 'string' && err.code) error = err.code;
    else if (typeof err.name === 'string' && err.name && err.name !== 'Error') error = err.name;
    else if (e instanceof Error && typeof ctor === 'string' && ctor) error = ctor;
    cause = typeof err.message === 'string' ? err.message : (safeJson(e) ?? String(e));
  } else {
    cause = String(e);
  }
  return { error: truncate(error, MAX_ERROR_LENGTH), cause: truncate(cause, MAX_CAUSE_LENGTH) };
}

function safeJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair. */
function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function logError(e: unknown, info: WorkerErrorInfo): void {
  const err = e as { name?: unknown; message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
  const what = err && typeof err.message === 'string' ? `${String(err.name ?? 'Error')}: ${err.message}` : String(e);
  const why = err?.cause ? ` (${String(err.cause.code ?? err.cause.message ?? err.cause)})` : '';
  console.error(`stepwise activity worker: ${info.phase} failed: ${what}${why}`);
}
