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
/** A pagination token this server did not issue (or that no longer fits the request). */
export const invalidPageToken = () => new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
export const conflict = (msg: string) => new ApiError('ConflictException', msg);

/** One broken model constraint, as AWS's request validation reports it. */
export interface Violation {
  value: unknown;
  field: string;
  constraint: string;
}

/** How AWS's validation layer prints a value: `null`, or the value's (Java) text in quotes. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `'${javaText(value)}'`;
}

function javaText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(javaText).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${javaText(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** `N validation error(s) detected: Value … at '…' failed to satisfy constraint: …; Value …` */
export function validationErrors(violations: Violation[]): ApiError {
  const n = violations.length;
  const parts = violations.map((v) => `Value ${shownValue(v.value)} at '${v.field}' failed to satisfy constraint: ${v.constraint}`);
  return new ApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}

/** `1 validation error detected: Value '…' at '…' failed to satisfy constraint: …` */
export function validation(value: unknown, field: string, constraint: string): ApiError {
  return validationErrors([{ value, field, constraint }]);
}

export function missing(field: string): ApiError {
  return validation(null, field, 'Member must not be null');
}

/** Collects model-constraint violations in order and throws them together, as AWS does. */
export class Validator {
  readonly violations: Violation[] = [];

  add(value: unknown, field: string, constraint: string): this {
    this.violations.push({ value, field, constraint });
    return this;
  }

  /** A required member: must be present (and, when given, a string of `min`..`max` characters). */
  requiredString(p: Record<string, unknown>, field: string, opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {}): this {
    const v = p[field];
    if (v === undefined || v === null) return this.add(null, field, 'Member must not be null');
    return this.optionalString(p, field, opts);
  }

  optionalString(p: Record<string, unknown>, field: string, opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string } = {}): this {
    const v = p[field];
    if (v === undefined || v === null) return this;
    if (typeof v !== 'string') throw new ApiError('SerializationException', `STRING_VALUE can not be converted to a String`);
    const len = [...v].length;
    if (opts.min !== undefined && len < opts.min) this.add(v, field, `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && len > opts.max) this.add(v, field, `Member must have length less than or equal to ${opts.max}`);
    if (opts.pattern && !opts.pattern.test(v)) this.add(v, field, `Member must satisfy regular expression pattern: ${opts.patternText ?? opts.pattern.source}`);
    return this;
  }

  optionalEnum(p: Record<string, unknown>, field: string, values: readonly string[]): this {
    const v = p[field];
    if (v === undefined || v === null) return this;
    if (typeof v !== 'string' || !values.includes(v)) this.add(v, field, `Member must satisfy enum value set: [${values.join(', ')}]`);
    return this;
  }

  optionalInt(p: Record<string, unknown>, field: string, min: number, max: number): this {
    const v = p[field];
    if (v === undefined || v === null) return this;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ApiError('SerializationException', `NUMBER_VALUE can not be converted to an Integer`);
    if (v < min) this.add(v, field, `Member must have value greater than or equal to ${min}`);
    if (v > max) this.add(v, field, `Member must have value less than or equal to ${max}`);
    return this;
  }

  check(): void {
    if (this.violations.length) throw validationErrors(this.violations);
  }
}
