/**
 * API errors in AWS's shape: HTTP 400 with `{"__type": "<Exception>", "message": "…"}`.
 * @module
 */

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const notFoundStateMachine = (arn: string) => new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const notFoundExecution = (arn: string) => new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const notFoundActivity = (arn: string) => new ApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
export const invalidArn = (msg: string) => new ApiError('InvalidArn', `Invalid Arn: '${msg}'`);
export const invalidName = (name: string) => new ApiError('InvalidName', `Invalid Name: '${name}'`);
export const resourceNotFound = () => new ApiError('ResourceNotFound', 'Request references a resource that does not exist.');
export const invalidToken = (msg = 'Invalid token') => new ApiError('InvalidToken', msg);

/** `1 validation error detected: Value '…' at '…' failed to satisfy constraint: …` */
export function validation(value: unknown, field: string, constraint: string): ApiError {
  const shown = value === null || value === undefined ? 'null' : `'${String(value)}'`;
  return new ApiError('ValidationException', `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function missing(field: string): ApiError {
  return validation(null, field, 'Member must not be null');
}
