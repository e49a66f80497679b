/**
 * Halted threads: a thread that failed or was aborted stays in its parent's Parallel/Map progress so
 * that a redrive can resume it. A halted child keeps what the redrive needs and drops what it can find
 * again, so a failed Map does not keep a copy of the same variables or item per iteration.
 * @module
 */
import type { Vars } from '../expr/scope.js';
import type { Thread } from './exec-state.js';

const NO_VARS: Vars = Object.freeze({});

/** Marks `c` halted and drops its parent's variables (if it assigned none) and its Map item's value. */
export function haltChild(c: Thread): void {
  c.halted = true;
  if (!c.ownVars) c.vars = NO_VARS;
  if (c.item && c.item.value !== null) c.item = { index: c.item.index, value: null };
}

/** Gives a halted child back the variables `haltChild` dropped, before it is resumed. */
export function restoreChild(c: Thread, parent: Thread): void {
  if (!c.ownVars) c.vars = parent.vars;
}
