/**
 * Stepwise: the Amazon States Language, as AWS Step Functions runs it.
 * @module
 */
export { StateMachine, type StateMachineOptions, type RunOptions, type ExecutionResult, type RunningExecution } from './library/state-machine.js';
export { ManualClock, systemClock, type Clock } from './runtime/clock.js';
export type { LocalFunction, LambdaContext } from './runtime/tasks/functions.js';
export type { Json } from './shared/json.js';
export type { HistoryEvent, AwsHistoryEvent } from './interpreter/history.js';
export { compileMachine } from './asl/compile.js';
export { step, initialState, type StepResult } from './interpreter/step.js';
export { SfnClient, SfnError, DEFAULT_ENDPOINT, type SfnClientOptions, type CallOptions, type AwsCredentials } from './client/sfn-client.js';
export {
  createActivityWorker,
  taskFailureOf,
  type ActivityWorker,
  type ActivityWorkerOptions,
  type ActivityHandler,
  type ActivityTaskContext,
  type WorkerErrorInfo,
} from './library/activity-worker.js';
export { redriveBlocker, notRedrivableMessage, NOT_REDRIVABLE, type RedriveCheck } from './interpreter/redrive.js';
export { parseMockConfig, loadMockConfig, MockConfigError, type MockConfig } from './runtime/tasks/mocks/config.js';
