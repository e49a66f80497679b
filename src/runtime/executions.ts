/**
 * Executions as other parts of the runtime see them: DescribeExecution's answer built from a record
 * (the API's DescribeExecution and the `states:startExecution` integration both give it), and the
 * `NestedExecutions` port through which a Task starts, waits for and stops other executions.
 *
 * Starting an execution is StartExecution itself (its parameter checks, the state machine, version or
 * alias it names, its errors): the host that keeps state machines supplies it as an `ExecutionLauncher`
 * (the server: the API's StartExecution). The runtime never calls up into the API.
 * @module
 */
import type { Json } from '../shared/json.js';
import type { ExecutionRecord } from '../store/store.js';
import type { Engine } from './engine.js';

/** A refused StartExecution: the API's error code, message and HTTP status. */
export interface StartRefusal {
  k: 'refused';
  code: string;
  message: string;
  status: number;
}

export type StartOutcome = { k: 'started'; rec: ExecutionRecord } | StartRefusal;

/** StartExecution's parameters as a Task hands them over (checked by the launcher). */
export interface StartRequest {
  stateMachineArn: unknown;
  input: string;
  name: unknown;
}

/**
 * StartExecution, supplied by the host. A Standard execution of that name running with the same input
 * is the started one (StartExecution is idempotent); `adopt` may accept a closed one with the same input.
 */
export interface ExecutionLauncher {
  start(request: StartRequest, adopt?: (existing: ExecutionRecord) => boolean | Promise<boolean>): Promise<StartOutcome>;
}

/** What a Task that manages other executions needs (the port `states:startExecution` is written against). */
export interface NestedExecutions extends ExecutionLauncher {
  /** DescribeExecution's answer; undefined when there is no such execution. */
  describe(executionArn: string): Promise<Record<string, unknown> | undefined>;
  /** Records TaskSubmitted for the task (a `.sync` call went through). */
  taskSubmitted(executionArn: string, seq: number, output: Json): Promise<boolean>;
  /** The record once the execution has ended (undefined: no such execution, or `signal` aborted first). */
  whenEnded(executionArn: string, signal?: AbortSignal): Promise<ExecutionRecord | undefined>;
  stop(executionArn: string, error?: string, cause?: string): Promise<boolean>;
  getExecution(executionArn: string): Promise<ExecutionRecord | undefined>;
  /** When the open task `seq` of the execution was scheduled; undefined when it is not open. */
  openTaskCreatedAt(executionArn: string, seq: number): Promise<number | undefined>;
  readonly closed: boolean;
  now(): number;
  log(message: string): void;
}

/** The port, on an engine and the host's StartExecution. */
export function nestedExecutions(engine: Engine, launcher: ExecutionLauncher): NestedExecutions {
  return {
    start: (request, adopt) => launcher.start(request, adopt),
    describe: async (arn) => {
      const rec = engine.express(arn)?.rec ?? (await engine.store.getExecution(arn));
      return rec && describeRecord(engine, rec, true);
    },
    taskSubmitted: (arn, seq, output) => engine.tokens.submitted(arn, seq, output),
    whenEnded: (arn, signal) => engine.whenEnded(arn, signal),
    stop: (arn, error, cause) => engine.stop(arn, error, cause),
    getExecution: (arn) => engine.store.getExecution(arn),
    openTaskCreatedAt: async (arn, seq) => (await engine.store.openTasks(arn)).find((t) => t.seq === seq)?.createdAt,
    get closed() {
      return engine.closed;
    },
    now: () => engine.clock.now(),
    log: (message) => (engine.opts.log ?? console.error)(message),
  };
}

/** Epoch ms → the epoch seconds (with fraction) AWS's JSON protocol uses. */
const epoch = (ms: number): number => ms / 1000;

/** DescribeExecution's answer for a record (camelCase, dates in epoch seconds); without input and output unless `withData`. */
export async function describeRecord(engine: Engine, rec: ExecutionRecord, withData: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    startDate: epoch(rec.startDate),
  };
  if (rec.stopDate !== undefined) out.stopDate = epoch(rec.stopDate);
  if (withData) {
    out.input = rec.input;
    out.inputDetails = { included: true };
    if (rec.output !== undefined) {
      out.output = rec.output;
      out.outputDetails = { included: true };
    }
  }
  if (rec.error !== undefined) out.error = rec.error;
  if (rec.cause !== undefined) out.cause = rec.cause;
  if (rec.traceHeader !== undefined) out.traceHeader = rec.traceHeader;
  if (rec.stateMachineVersionArn) out.stateMachineVersionArn = rec.stateMachineVersionArn;
  if (rec.stateMachineAliasArn) out.stateMachineAliasArn = rec.stateMachineAliasArn;
  Object.assign(out, await redriveInfo(engine, rec));
  return out;
}

async function redriveInfo(engine: Engine, rec: ExecutionRecord): Promise<Record<string, unknown>> {
  if (rec.type === 'EXPRESS') return {};
  const out: Record<string, unknown> = { redriveCount: rec.redriveCount };
  if (rec.redriveDate !== undefined) out.redriveDate = epoch(rec.redriveDate);
  const reason = await engine.redriveBlocker(rec);
  if (reason === undefined) out.redriveStatus = 'REDRIVABLE';
  else {
    out.redriveStatus = 'NOT_REDRIVABLE';
    out.redriveStatusReason = reason;
  }
  return out;
}
