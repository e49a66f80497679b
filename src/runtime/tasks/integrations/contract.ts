/**
 * The shared contract of Task integrations: one suite that every integration runs (Lambda, activities,
 * `states:startExecution`, and each one added later), through the real runtime: a real `Engine` on the
 * memory store (or the server's own engine), its timers and its history.
 *
 *   runIntegrationContract({ name: 'lambda', host: () => lambdaHost(), cases: [...] });
 *
 * An integration plugs in with a small descriptor: how to get a host running it, and one case per way
 * of calling it (a Resource in one pattern), each with the Task fields that make it succeed, fail and
 * (where the pattern can stay open) wait until cancelled, plus `play`, the world outside (a worker, the
 * party that answers the task token). The pattern and the history events' family come from the Resource
 * (`LambdaFunction*` for function ARNs, `Activity*` for activities, `Task*` otherwise). For each case the
 * suite checks:
 * - success: SUCCEEDED, the output, and the task's events: Scheduled, Started, (Submitted for `.sync`
 *   and `.waitForTaskToken`), Succeeded;
 * - failure: FAILED with the error (and cause) as AWS names them, the events ending in Failed;
 * - StopExecution while the task is open: ABORTED, no task outcome recorded, and the integration let go
 *   of its work (`letGo`: e.g. a `.sync` child execution is stopped);
 * - TimeoutSeconds while the task is open: FAILED with States.Timeout, the events ending in TimedOut,
 *   and `letGo` again.
 * @module
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { parseResource, type IntegrationPattern } from '../../../asl/resources.js';
import type { HistoryEvent } from '../../../interpreter/history.js';
import { toJsonText, type Json, type JsonObject } from '../../../shared/json.js';
import type { ExecutionRecord } from '../../../store/store.js';
import type { Engine } from '../../engine.js';

/** A running engine with the integration registered; `close` stops it. */
export interface ContractHost {
  engine: Engine;
  close(): Promise<void>;
}

export interface Outcome {
  /**
   * The Task state's fields besides `Type` and `End`: `Resource`, `Parameters` / `Arguments` …; a
   * function is called when the test runs (e.g. for ARNs the host creates).
   */
  fields: JsonObject | (() => JsonObject);
  /** The world outside, started once the execution is: a worker, whoever answers the token. */
  play?(host: ContractHost, executionArn: string): Promise<void>;
}

export interface ContractCase {
  /** Shown in the test names (default: the Resource). */
  name?: string;
  succeed: Outcome & { output: (output: Json | undefined) => void };
  fail: Outcome & { error: string; cause?: string | RegExp };
  /** A task that stays open until it is cancelled (omitted where the pattern cannot, e.g. a request-response call that answers at once). */
  wait?: Outcome & { letGo?(host: ContractHost, executionArn: string, events: HistoryEvent[]): Promise<void> };
}

export interface IntegrationUnderTest {
  name: string;
  /** A fresh host; the suite makes one for all the cases and closes it at the end. */
  host(): Promise<ContractHost>;
  cases: ContractCase[];
}

type Family = 'LambdaFunction' | 'Activity' | 'Task';

const fieldsOf = (o: Outcome): JsonObject => (typeof o.fields === 'function' ? o.fields() : o.fields);

function shapeOf(fields: JsonObject): { family: Family; pattern: IntegrationPattern } {
  const r = typeof fields.Resource === 'string' ? parseResource(fields.Resource) : undefined;
  assert.ok(r, `a contract case needs a Resource ARN, got ${JSON.stringify(fields.Resource)}`);
  if (r.kind === 'lambda-function') return { family: 'LambdaFunction', pattern: 'request-response' };
  if (r.kind === 'activity') return { family: 'Activity', pattern: 'request-response' };
  return { family: 'Task', pattern: r.pattern };
}

/** The task's own events (not TaskStateEntered/Exited), by type without the family prefix. */
function taskEvents(events: HistoryEvent[], family: Family): string[] {
  return events.filter((e) => e.type.startsWith(family) && !e.type.startsWith('TaskState')).map((e) => e.type.slice(family.length));
}

const opening = (family: Family, pattern: IntegrationPattern): string[] =>
  family === 'Task' && pattern !== 'request-response' ? ['Scheduled', 'Started', 'Submitted'] : ['Scheduled', 'Started'];

/**
 * Polls `f` until it gives a value. It gives up after `giveUpMs` (a bound so that a broken integration
 * fails its test instead of hanging the suite; not a measure of speed).
 */
export async function until<T>(f: () => Promise<T | undefined | false> | T | undefined | false, what = 'the condition', giveUpMs = 20000): Promise<T> {
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits for the end of an execution, within the same bound as `until`. */
const ended = (engine: Engine, arn: string): Promise<ExecutionRecord | undefined> =>
  until(async () => {
    const r = await engine.store.getExecution(arn);
    return r && r.status !== 'RUNNING' ? r : undefined;
  }, `the end of ${arn}`);

export const historyOf = (engine: Engine, executionArn: string): Promise<HistoryEvent[]> => engine.store.getHistory(executionArn, { limit: 100000 });

/** Starts a Standard execution of a one-Task state machine on the engine; returns its ARN. */
export async function startTask(engine: Engine, task: JsonObject, input: Json = {}): Promise<string> {
  const { region, accountId } = engine.opts;
  const smName = 'IntegrationContract';
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${smName}`;
  const name = randomUUID();
  const executionArn = `arn:aws:states:${region}:${accountId}:execution:${smName}:${name}`;
  const definition = toJsonText({ StartAt: 'T', States: { T: { Type: 'Task', ...task, End: true } } });
  const roleArn = `arn:aws:iam::${accountId}:role/stepwise`;
  const startDate = engine.clock.now();
  const rec: ExecutionRecord = { executionArn, stateMachineArn, name, type: 'STANDARD', status: 'RUNNING', startDate, input: toJsonText(input), definition, roleArn, redriveCount: 0 };
  const ok = await engine.startStandard(rec, engine.machines.get(definition), { executionArn, name, stateMachineArn, stateMachineName: smName, roleArn, startTime: startDate, input, redriveCount: 0 });
  assert.ok(ok, 'the execution started');
  return executionArn;
}

async function runToEnd(host: ContractHost, outcome: Outcome, extra: JsonObject = {}): Promise<{ rec: ExecutionRecord; events: HistoryEvent[]; arn: string }> {
  const arn = await startTask(host.engine, { ...fieldsOf(outcome), ...extra }, { from: 'contract' });
  const playing = outcome.play?.(host, arn);
  const rec = await ended(host.engine, arn);
  await playing;
  assert.ok(rec, 'the execution is recorded');
  return { rec, events: await historyOf(host.engine, arn), arn };
}

export function runIntegrationContract(it: IntegrationUnderTest): void {
  describe(`integration contract: ${it.name}`, () => {
    let host: ContractHost;
    before(async () => {
      host = await it.host();
    });
    after(async () => {
      await host?.close();
    });

    for (const c of it.cases) {
      const resource = fieldsOf(c.succeed).Resource;
      const { family, pattern } = shapeOf(fieldsOf(c.succeed));
      const label = c.name ?? String(resource);

      test(`${label}: succeeds with its output and the task's events`, async () => {
        const { rec, events } = await runToEnd(host, c.succeed);
        assert.equal(rec.status, 'SUCCEEDED', `${rec.error}: ${rec.cause}`);
        c.succeed.output(rec.output === undefined ? undefined : (JSON.parse(rec.output) as Json));
        assert.deepEqual(taskEvents(events, family), [...opening(family, pattern), 'Succeeded']);
      });

      test(`${label}: fails with the error as AWS names it`, async () => {
        const { rec, events } = await runToEnd(host, c.fail);
        assert.equal(rec.status, 'FAILED');
        assert.equal(rec.error, c.fail.error);
        if (typeof c.fail.cause === 'string') assert.equal(rec.cause, c.fail.cause);
        else if (c.fail.cause) assert.match(rec.cause ?? '', c.fail.cause);
        const seen = taskEvents(events, family);
        assert.equal(seen.at(-1), 'Failed');
        assert.deepEqual(seen.slice(0, 1), ['Scheduled']);
        const failed = events.find((e) => e.type === `${family}Failed`)!;
        assert.equal(failed.details?.error, c.fail.error);
      });

      const wait = c.wait;
      if (!wait) continue;
      /** Starts the waiting task and returns once the integration has it (its opening events are recorded). */
      const open = async (extra: JsonObject = {}) => {
        const arn = await startTask(host.engine, { ...fieldsOf(wait), ...extra }, { from: 'contract' });
        void wait.play?.(host, arn);
        const want = opening(family, pattern);
        await until(async () => taskEvents(await historyOf(host.engine, arn), family).length >= want.length, `the task's ${want.join(', ')} events`);
        return arn;
      };

      test(`${label}: StopExecution cancels the open task`, async () => {
        const arn = await open();
        assert.equal(await host.engine.stop(arn, 'Contract.Stop', 'stopped by the contract'), true);
        const rec = await ended(host.engine, arn);
        assert.equal(rec?.status, 'ABORTED');
        const events = await historyOf(host.engine, arn);
        assert.equal(events.at(-1)?.type, 'ExecutionAborted');
        assert.deepEqual(taskEvents(events, family), opening(family, pattern));
        await wait.letGo?.(host, arn, events);
      });

      test(`${label}: TimeoutSeconds times the open task out`, async () => {
        const arn = await open({ TimeoutSeconds: 1 });
        const rec = await ended(host.engine, arn);
        assert.equal(rec?.status, 'FAILED');
        assert.equal(rec?.error, 'States.Timeout');
        const events = await historyOf(host.engine, arn);
        assert.deepEqual(taskEvents(events, family), [...opening(family, pattern), 'TimedOut']);
        await wait.letGo?.(host, arn, events);
      });
    }
  });
}
