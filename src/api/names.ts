/**
 * Name rules for state machines, executions and activities: 1–80 characters, none of whitespace,
 * brackets, wildcards, special characters or control characters.
 * @module
 */
import { invalidName } from './errors.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name);
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !isValidName(name)) throw invalidName(String(name));
  return name;
}
