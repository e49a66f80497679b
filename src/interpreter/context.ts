/**
 * The context object (`$$` in JSONPath, `$states.context` in JSONata).
 * @module
 */
import type { JsonObject } from '../shared/json.js';
import { isoMillis } from '../shared/time.js';
import type { ExecutionInfo, MapItem, Thread } from './exec-state.js';

export interface ContextExtras {
  token?: string;
  mapItem?: MapItem;
  retryCount?: boolean;
}

/** The extras of Task, Parallel and Map states ($$.State.RetryCount), shared. */
export const WITH_RETRY_COUNT: ContextExtras = Object.freeze({ retryCount: true });

export function buildContext(info: ExecutionInfo, th: Thread, extras?: ContextExtras): JsonObject {
  const execution: JsonObject = {
    Id: info.executionArn,
    Input: info.input,
    StartTime: isoMillis(info.startTime),
    Name: info.name,
    RoleArn: info.roleArn,
  };
  // A synchronous Express execution cannot be redriven; AWS leaves the count out of its context object.
  if (!info.startedSync) execution.RedriveCount = info.redriveCount;
  if (info.redriveTime !== undefined) execution.RedriveTime = isoMillis(info.redriveTime);
  const state: JsonObject = { Name: th.state, EnteredTime: isoMillis(th.enteredAt) };
  if (extras?.retryCount) state.RetryCount = th.retryCount;
  const ctx: JsonObject = {
    Execution: execution,
    StateMachine: { Id: info.stateMachineArn, Name: info.stateMachineName },
    State: state,
  };
  if (extras?.token !== undefined) ctx.Task = { Token: extras.token };
  if (extras?.mapItem) ctx.Map = { Item: { Index: extras.mapItem.index, Value: extras.mapItem.value } };
  return ctx;
}
