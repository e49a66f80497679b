/**
 * API errors in AWS's shape: HTTP 400 with `{"__type": "<Exception>", "message": "…"}`.
 * @module
 */
import { shortened as cutText } from '../shared/text.js';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Members the error shape has besides its message (ValidationException's `reason`). */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFoundStateMachine = (arn: string) => new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${shortened(arn)}'`);
export const notFoundExecution = (arn: string) => new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${shortened(arn)}'`);
export const notFoundActivity = (arn: string) => new ApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${shortened(arn)}'`);
export const invalidArn = (msg: string) => new ApiError('InvalidArn', `Invalid Arn: '${shortened(msg)}'`);
export const invalidName = (name: string) => new ApiError('InvalidName', `Invalid Name: '${shortened(name)}'`);
export const resourceNotFound = () => new ApiError('ResourceNotFound', 'Request references a resource that does not exist.');
export const invalidToken = (msg = 'Invalid token') => new ApiError('InvalidToken', msg);
/** A pagination token this server did not issue (or that no longer fits the request). */
export const invalidPageToken = () => new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
export const conflict = (msg: string) => new ApiError('ConflictException', msg);

/** The longest user value an error message repeats (AWS repeats values of a few KB, e.g. a 3097-character nextToken); longer ones are cut. */
export const MAX_SHOWN = 4096;

/** A user value as an error message repeats it: whole up to MAX_SHOWN characters, else cut short. */
export const shortened = (text: string): string => cutText(text, MAX_SHOWN);

/**
 * A value AWS's model marks sensitive (a definition, an execution's input or output, a task's error or
 * cause): AWS's validation messages leave it out (`Value at 'definition' failed to satisfy ...`).
 */
export const SENSITIVE: unique symbol = Symbol('sensitive');

/** One broken model constraint, as AWS's request validation reports it. */
export interface Violation {
  value: unknown;
  field: string;
  constraint: string;
}

/** How AWS's validation layer prints a value: `null`, or the value's (Java) text in quotes (long text cut short). */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  return `'${shortened(javaText(value))}'`;
}

function violationText(v: Violation): string {
  const value = v.value === SENSITIVE ? '' : ` ${shownValue(v.value)}`;
  return `Value${value} at '${v.field}' failed to satisfy constraint: ${v.constraint}`;
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
  const parts = violations.map(violationText);
  return new ApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}

/** `1 validation error detected: Value '…' at '…' failed to satisfy constraint: …` */
export function validation(value: unknown, field: string, constraint: string): ApiError {
  return validationErrors([{ value, field, constraint }]);
}

export function missing(field: string): ApiError {
  return validation(null, field, 'Member must not be null');
}

/** A string member's model constraints; `sensitive` members are not repeated in the message. */
export interface StringRules {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  sensitive?: boolean;
}

/** Collects model-constraint violations in order and throws them together, as AWS does. */
export class Validator {
  readonly violations: Violation[] = [];

  add(value: unknown, field: string, constraint: string): this {
    this.violations.push({ value, field, constraint });
    return this;
  }

  /** A required member: must be present (and, when given, a string of `min`..`max` characters). */
  requiredString(p: Record<string, unknown>, field: string, opts: StringRules = {}): this {
    const v = p[field];
    if (v === undefined || v === null) return this.add(null, field, 'Member must not be null');
    return this.optionalString(p, field, opts);
  }

  optionalString(p: Record<string, unknown>, field: string, opts: StringRules = {}): this {
    const v = p[field];
    if (v === undefined || v === null) return this;
    if (typeof v !== 'string') throw new ApiError('SerializationException', `STRING_VALUE can not be converted to a String`);
    const len = [...v].length;
    const shown = opts.sensitive ? SENSITIVE : v;
    if (opts.min !== undefined && len < opts.min) this.add(shown, field, `Member must have length greater than or equal to ${opts.min}`);
    if (opts.max !== undefined && len > opts.max) this.add(shown, field, `Member must have length less than or equal to ${opts.max}`);
    if (opts.pattern && !opts.pattern.test(v)) this.add(shown, field, `Member must satisfy regular expression pattern: ${opts.patternText ?? opts.pattern.source}`);
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
