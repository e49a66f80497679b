/**
 * AWS Step Functions' TestState: run one state (alone, or picked from a state machine) with a mocked
 * or real Task result, variables, a context object and a state configuration, and report its status,
 * output, next state and the inspection data of its data flow.
 * @module
 */
export { parseTestStateRequest, TestStateRequestError, type TestStateRequest, type TestStateMock, type TestStateConfig, type InspectionLevel } from './request.js';
export { buildTestStateProgram, findState, mockedServiceResource, type BuildOptions, type TestStateProgram } from './program.js';
export { runTestState, type TestStateEnv, type TestStateResult, type InspectionData, type TaskOutcome, type InvokeTaskCommand } from './run.js';
export { validateMockResult, outputShape, type Shape } from './mock-schema.js';
