/**
 * `--functions DIR` must name a folder that exists: a typo would otherwise show up only later, as
 * `Lambda.ResourceNotFoundException` from the first Task.
 * @module
 */
import { statSync } from 'node:fs';
import { UsageError } from './args.js';

/** Throws a UsageError unless `dir` is a folder; `what` names where it came from (`--functions`, a variable). */
export function checkFunctionsDir(what: string, dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${what}: no such folder: ${dir}`);
  }
  if (!isDir) throw new UsageError(`${what}: not a folder: ${dir}`);
}
