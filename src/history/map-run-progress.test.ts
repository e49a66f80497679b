import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addSample, averageItemsPerSecond, doneCount, itemsPerSecond, mapRunArnOfStep, mapRunParts, mapRunsByState, progressSegments, eventsById, type MapRunCounts } from './map-run-progress.js';
import { buildTimeline, type AwsEvent } from './timeline.js';

const RUN = 'arn:aws:states:us-east-1:123456789012:mapRun:orders/Fan:9e664965-a951-4775-989e-2ba91af32404';
const RUN2 = 'arn:aws:states:us-east-1:123456789012:mapRun:orders/Fan:11111111-a951-4775-989e-2ba91af32404';

const counts = (c: Partial<MapRunCounts>): MapRunCounts => ({ pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total: 0, ...c });

/** The parent's history of a Distributed Map (as the server records it), redriven once. */
function history(): AwsEvent[] {
  const ev = (id: number, previousEventId: number, type: string, details?: Record<string, unknown>): AwsEvent => {
    const e: AwsEvent = { id, previousEventId, type, timestamp: 1_796_687_021 + id };
    if (details) e[`${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`] = details;
    return e;
  };
  const enter = (id: number, prev: number, type: string, name: string) => ev(id, prev, type, { name, input: '{}', inputDetails: { truncated: false } });
  return [
    ev(1, 0, 'ExecutionStarted', { input: '{}', roleArn: 'r' }),
    enter(2, 0, 'PassStateEntered', 'First'),
    ev(3, 2, 'PassStateExited', { name: 'First', output: '{}' }),
    enter(4, 3, 'MapStateEntered', 'Fan'),
    ev(5, 4, 'MapStateStarted', { length: 3 }),
    ev(6, 5, 'MapRunStarted', { mapRunArn: RUN }),
    ev(7, 6, 'MapRunFailed', { error: 'States.ExceedToleratedFailureThreshold' }),
    ev(8, 7, 'MapStateFailed'),
    ev(9, 8, 'ExecutionFailed', { error: 'States.ExceedToleratedFailureThreshold' }),
  ];
}

describe('map-run-progress', () => {
  it("finds each Map state's Map Run from its MapRunStarted event", () => {
    const events = history();
    const t = buildTimeline(events);
    assert.deepEqual([...mapRunsByState(t, events)], [['Fan', RUN]]);
    const fan = t.steps.find((s) => s.name === 'Fan')!;
    assert.equal(mapRunArnOfStep(fan, eventsById(events)), RUN);
    assert.equal(mapRunArnOfStep(t.steps.find((s) => s.name === 'First')!, eventsById(events)), undefined);
  });

  it('keeps the latest Map Run of a state entered twice', () => {
    const events = history().slice(0, 6);
    events.push(
      { id: 7, previousEventId: 6, type: 'MapRunSucceeded', timestamp: 1 },
      { id: 8, previousEventId: 7, type: 'MapStateSucceeded', timestamp: 1 },
      { id: 9, previousEventId: 8, type: 'MapStateExited', timestamp: 1, stateExitedEventDetails: { name: 'Fan', output: '[]' } },
      { id: 10, previousEventId: 9, type: 'MapStateEntered', timestamp: 1, stateEnteredEventDetails: { name: 'Fan', input: '{}' } },
      { id: 11, previousEventId: 10, type: 'MapStateStarted', timestamp: 1, mapStateStartedEventDetails: { length: 1 } },
      { id: 12, previousEventId: 11, type: 'MapRunStarted', timestamp: 1, mapRunStartedEventDetails: { mapRunArn: RUN2 } },
    );
    assert.equal(mapRunsByState(buildTimeline(events), events).get('Fan'), RUN2);
  });

  it('reads the state machine, label and id from a Map Run ARN, and refuses other ARNs', () => {
    assert.deepEqual(mapRunParts(RUN), { stateMachine: 'orders', label: 'Fan', id: '9e664965-a951-4775-989e-2ba91af32404' });
    assert.equal(mapRunParts('arn:aws:states:us-east-1:123456789012:execution:orders:abc'), undefined);
    assert.equal(mapRunParts('arn:aws:states:us-east-1:123456789012:mapRun:orders:abc'), undefined);
  });

  it('splits the progress bar by status, ended ones first, in percent of the total', () => {
    const c = counts({ pending: 2, running: 1, succeeded: 4, failed: 1, total: 8 });
    assert.equal(doneCount(c), 5);
    assert.deepEqual(
      progressSegments(c).map((s) => [s.key, s.count, s.percent]),
      [
        ['succeeded', 4, 50],
        ['failed', 1, 12.5],
        ['running', 1, 12.5],
        ['pending', 2, 25],
      ],
    );
    assert.deepEqual(progressSegments(counts({})), []);
  });

  it('gives items per second over the recent samples, none over too short a span, and starts over when the count drops', () => {
    assert.equal(itemsPerSecond([{ at: 0, done: 0 }]), undefined);
    assert.equal(itemsPerSecond([{ at: 0, done: 0 }, { at: 500, done: 3 }]), undefined);
    assert.deepEqual(itemsPerSecond([{ at: 0, done: 0 }, { at: 1000, done: 2 }, { at: 2000, done: 6 }]), { rate: 3, spanMs: 2000 });
    // Only the last 10 s count.
    const old = [{ at: 0, done: 0 }, { at: 20_000, done: 100 }, { at: 25_000, done: 110 }, { at: 30_000, done: 120 }];
    assert.deepEqual(itemsPerSecond(old), { rate: 2, spanMs: 10_000 });
    // A redrive counts failed items as pending again: the window starts after the drop.
    assert.deepEqual(itemsPerSecond([{ at: 0, done: 8 }, { at: 1000, done: 5 }, { at: 3000, done: 9 }]), { rate: 2, spanMs: 2000 });
    // Samples kept are those within the window of the newest.
    assert.deepEqual(addSample(old, { at: 36_000, done: 130 }).map((s) => s.at), [30_000, 36_000]);
  });

  it('averages a whole run over its duration', () => {
    assert.equal(averageItemsPerSecond(10, 1000, 6000), 2);
    assert.equal(averageItemsPerSecond(10, 1000, 1000), undefined);
  });
});
