/**
 * Name rules for state machines, executions and activities: 1–80 characters (checked by AWS's request
 * validation, ValidationException), none of whitespace, brackets, wildcards, special characters or
 * control characters (checked by the service, InvalidName).
 * @module
 */
import { invalidName, Validator } from './errors.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name);
}

/** Adds the model's constraints on a `Name` member to `v` (required unless `optional`). */
export function nameConstraints(v: Validator, p: Record<string, unknown>, field = 'name', optional = false): Validator {
  return optional ? v.optionalString(p, field, { min: 1, max: 80 }) : v.requiredString(p, field, { min: 1, max: 80 });
}

/** The service's own check, after the model constraints passed. */
export function checkNameChars(name: string): string {
  if (FORBIDDEN.test(name)) throw invalidName(name);
  return name;
}

export function checkName(name: unknown, field = 'name'): string {
  const v = new Validator();
  nameConstraints(v, { [field]: name }, field);
  v.check();
  return checkNameChars(name as string);
}
