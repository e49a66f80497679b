/**
 * A step the store cannot write (its state or events are beyond what a JSON text can hold: V8's
 * RangeError "Invalid string length", or nesting too deep to serialise). Rather than lose the
 * execution or answer 500, it fails: its state is reduced to the failure, which follows the last event
 * recorded, as AWS fails an execution that goes beyond its limits.
 * @module
 */
import type { ExecState, Thread } from '../interpreter/exec-state.js';
import type { HistoryEvent } from '../interpreter/history.js';
import type { StepResult } from '../interpreter/step.js';

/** Whether a persistence error means the step itself is too large to write (not a store failure). */
export function isUnrecordable(e: unknown): e is RangeError {
  return e instanceof RangeError;
}

/**
 * Turns `s` (the state the step left, which could not be written) into a FAILED execution whose only
 * new event is ExecutionFailed after `recordedEventId`, the last event already stored.
 */
export function unrecordableStep(s: ExecState, recordedEventId: number, now: number, reason: RangeError): StepResult {
  const error = 'States.Runtime';
  const cause = `The execution's state grew beyond what can be recorded (${reason.message}).`;
  const root: Thread = { path: [], state: '', input: null, enteredId: 0, enteredAt: now, prev: recordedEventId, vars: {}, retries: null, retryCount: 0, item: null, wait: null, halted: true };
  s.root = root;
  s.status = 'FAILED';
  s.error = error;
  s.cause = cause;
  s.stopTime = now;
  s.pending = {};
  s.timeoutSeq = null;
  s.continueSeq = null;
  delete s.yielded;
  delete s.childEventIds;
  delete s.output;
  s.lastEventId = recordedEventId + 1;
  const ev: HistoryEvent = { id: s.lastEventId, previousEventId: recordedEventId, timestamp: now, type: 'ExecutionFailed', details: { error, cause } };
  return { state: s, events: [ev], commands: [{ k: 'complete', status: 'FAILED' }] };
}
