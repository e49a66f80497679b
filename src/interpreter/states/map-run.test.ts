import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMachine } from '../../asl/compile.js';
import type { Machine } from '../../asl/model.js';
import type { Json, JsonObject } from '../../shared/json.js';
import type { Command } from '../commands.js';
import type { ExecState, MapRunCounts, MapRunReport } from '../exec-state.js';
import type { EngineInput } from '../inputs.js';
import { initialState, step, type StepResult } from '../step.js';

const T0 = Date.UTC(2024, 0, 1);
const FN = 'arn:aws:lambda:us-east-1:123456789012:function:';

type InvokeTask = Extract<Command, { k: 'invokeTask' }>;

function distributed(map: JsonObject, processor?: JsonObject): Machine {
  return compileMachine({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemProcessor: processor ?? {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'W',
          States: { W: { Type: 'Task', Resource: `${FN}work`, End: true } },
        },
        End: true,
        ...map,
      },
    },
  } as Json);
}

/** One execution stepped by hand: open tasks by the item they work on, each step's Map Run reports. */
class Run {
  state: ExecState;
  now = T0;
  open = new Map<Json, InvokeTask>();
  last: StepResult | undefined;
  constructor(readonly m: Machine) {
    this.state = initialState({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:e',
      name: 'e',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
      stateMachineName: 'sm',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      startTime: T0,
      input: null,
      redriveCount: 0,
    });
  }
  async feed(input: EngineInput): Promise<MapRunReport[]> {
    this.now += 1000;
    const r = await step(this.m, this.state, input, { now: this.now, seed: 1 });
    // As a store keeps it: through JSON.
    this.state = JSON.parse(JSON.stringify(r.state)) as ExecState;
    this.last = r;
    for (const c of r.commands) if (c.k === 'invokeTask') this.open.set(c.input, c);
    return r.mapRuns ?? [];
  }
  start(items: Json[]): Promise<MapRunReport[]> {
    return this.feed({ k: 'start', info: { ...this.state.info, input: items } });
  }
  #take(item: Json): InvokeTask {
    const c = this.open.get(item);
    assert.ok(c, `no task open for ${JSON.stringify(item)}`);
    this.open.delete(item);
    return c;
  }
  succeed(item: Json): Promise<MapRunReport[]> {
    return this.feed({ k: 'taskSucceeded', seq: this.#take(item).seq, output: item });
  }
  fail(item: Json): Promise<MapRunReport[]> {
    return this.feed({ k: 'taskFailed', seq: this.#take(item).seq, error: 'Boom', cause: 'it broke' });
  }
}

const zero: MapRunCounts = { pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, resultsWritten: 0, failuresNotRedrivable: 0, pendingRedrive: 0 };
const c = (x: Partial<MapRunCounts>): MapRunCounts => ({ ...zero, ...x });

function only(reports: MapRunReport[]): MapRunReport {
  assert.equal(reports.length, 1, `one Map Run reported: ${JSON.stringify(reports)}`);
  return reports[0]!;
}

describe('Map Run reports', () => {
  test('started, each iteration ending, UpdateMapRun starting more at once, then SUCCEEDED with its stop date', async () => {
    const ex = new Run(distributed({ MaxConcurrency: 2, ToleratedFailureCount: 1 }));
    const started = only(await ex.start(['a', 'b', 'c', 'd', 'e']));
    assert.match(started.mapRunArn, /^arn:aws:states:us-east-1:123456789012:mapRun:sm\/M:[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...started, mapRunArn: '' },
      {
        mapRunArn: '',
        status: 'RUNNING',
        startDate: T0 + 1000,
        redriveCount: 0,
        maxConcurrency: 2,
        toleratedFailureCount: 1,
        toleratedFailurePercentage: 0,
        itemCounts: c({ pending: 3, running: 2, total: 5 }),
        executionCounts: c({ pending: 3, running: 2, total: 5 }),
      },
    );
    let r = only(await ex.succeed('a'));
    assert.deepEqual(r.executionCounts, c({ pending: 2, running: 2, succeeded: 1, total: 5, resultsWritten: 1 }));
    r = only(await ex.fail('b'));
    assert.equal(r.status, 'RUNNING', 'one failure is tolerated');
    assert.deepEqual(r.executionCounts, c({ pending: 1, running: 2, succeeded: 1, failed: 1, total: 5, resultsWritten: 2 }));
    assert.deepEqual([...ex.open.keys()], ['c', 'd']);
    // UpdateMapRun: no limit on the concurrency any more, and one more failure tolerated.
    r = only(await ex.feed({ k: 'updateMapRun', mapRunArn: started.mapRunArn, maxConcurrency: 0, toleratedFailureCount: 2 }));
    assert.deepEqual([...ex.open.keys()], ['c', 'd', 'e'], 'the last item started at once');
    assert.equal(r.maxConcurrency, 0);
    assert.equal(r.toleratedFailureCount, 2);
    assert.deepEqual(r.executionCounts, c({ running: 3, succeeded: 1, failed: 1, total: 5, resultsWritten: 2 }));
    await ex.fail('c');
    await ex.succeed('d');
    r = only(await ex.succeed('e'));
    assert.equal(ex.state.status, 'SUCCEEDED');
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.stopDate, ex.now);
    assert.equal(r.startDate, T0 + 1000);
    assert.deepEqual(r.itemCounts, c({ succeeded: 3, failed: 2, total: 5, resultsWritten: 5 }));
    assert.deepEqual(
      ex.last!.events.map((e) => e.type),
      ['MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded'],
    );
  });

  test('a step that touches no Map Run reports none; an update for an unknown run changes nothing', async () => {
    const ex = new Run(distributed({ MaxConcurrency: 1 }));
    const arn = only(await ex.start([1, 2])).mapRunArn;
    assert.deepEqual(await ex.feed({ k: 'updateMapRun', mapRunArn: `${arn}x`, maxConcurrency: 5 }), []);
    assert.deepEqual([...ex.open.keys()], [1]);
    // An inline Map has no Map Run.
    const inline = new Run(compileMachine({ StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'W', States: { W: { Type: 'Task', Resource: `${FN}w`, End: true } } } } } }));
    assert.deepEqual(await inline.start([1, 2]), []);
    assert.deepEqual(await inline.succeed(1), []);
  });

  test('the tolerated failures exceeded: FAILED, the running iterations aborted; a redrive runs it again (RUNNING, redriveCount 1, redriveDate)', async () => {
    const ex = new Run(distributed({ MaxConcurrency: 3 }));
    const arn = only(await ex.start(['a', 'b', 'c', 'd'])).mapRunArn;
    await ex.succeed('a');
    let r = only(await ex.fail('b'));
    assert.equal(ex.state.status, 'FAILED');
    assert.equal(r.status, 'FAILED');
    assert.equal(r.stopDate, ex.now);
    assert.deepEqual(r.executionCounts, c({ succeeded: 1, failed: 1, aborted: 2, total: 4, resultsWritten: 2 }), 'a succeeded, b failed, c and d (started when a ended) aborted');
    ex.open.clear();
    r = only(await ex.feed({ k: 'redrive', time: ex.now + 1000 }));
    assert.equal(r.mapRunArn, arn, 'the same Map Run');
    assert.equal(r.status, 'RUNNING');
    assert.equal(r.stopDate, undefined);
    assert.equal(r.redriveCount, 1);
    assert.equal(r.redriveDate, ex.now);
    assert.deepEqual(r.executionCounts, c({ running: 3, succeeded: 1, total: 4, resultsWritten: 1 }));
    assert.deepEqual([...ex.open.keys()].sort(), ['b', 'c', 'd']);
    for (const item of ['b', 'c']) await ex.succeed(item);
    r = only(await ex.succeed('d'));
    assert.equal(r.status, 'SUCCEEDED');
    assert.equal(r.redriveCount, 1);
    assert.deepEqual(r.executionCounts, c({ succeeded: 4, total: 4, resultsWritten: 4 }));
  });

  test('StopExecution: the running Map Run is ABORTED (MapRunAborted), its running iterations counted aborted', async () => {
    const ex = new Run(distributed({ MaxConcurrency: 2 }));
    await ex.start([1, 2, 3]);
    await ex.succeed(1);
    const r = only(await ex.feed({ k: 'stop', error: 'Stopped', cause: 'by hand' }));
    assert.equal(r.status, 'ABORTED');
    assert.equal(r.stopDate, ex.now);
    assert.deepEqual(r.executionCounts, c({ succeeded: 1, aborted: 2, total: 3, resultsWritten: 1 }));
    assert.deepEqual(
      ex.last!.events.map((e) => e.type),
      ['MapRunAborted', 'MapStateAborted', 'ExecutionAborted'],
    );
    // A stopped execution takes no update.
    assert.deepEqual(await ex.feed({ k: 'updateMapRun', mapRunArn: r.mapRunArn, maxConcurrency: 5 }), []);
  });

  test('with an ItemBatcher: child executions count batches, items count the items in them', async () => {
    const ex = new Run(distributed({ MaxConcurrency: 1, ItemBatcher: { MaxItemsPerBatch: 2 } }));
    const r = only(await ex.start(['a', 'b', 'c', 'd', 'e']));
    assert.deepEqual(r.executionCounts, c({ pending: 2, running: 1, total: 3 }));
    assert.deepEqual(r.itemCounts, c({ pending: 3, running: 2, total: 5 }));
    const first = [...ex.open.keys()][0]!;
    const s = only(await ex.fail(first));
    assert.deepEqual(s.itemCounts, c({ pending: 3, failed: 2, total: 5, resultsWritten: 2 }));
    assert.equal(s.status, 'FAILED');
  });
});
