/**
 * Graph checks, run once the schema is valid: transitions naming existing states of the same workflow
 * (MISSING_TRANSITION_TARGET), states reachable from StartAt, duplicate state names across the whole
 * machine (DUPLICATE_STATE_NAME) and a terminal state in every workflow, nested ones included
 * (MISSING_END_STATE).
 * @module
 */
import { isObject, type Json, type JsonObject } from '../../shared/json.js';
import { at, atIndex, type Diagnostic } from './context.js';

const MISSING_TARGET = 'MISSING_TRANSITION_TARGET';

interface Edge {
  target: string;
  location: string;
}

function edgesOf(state: JsonObject, location: string): Edge[] {
  const out: Edge[] = [];
  const add = (holder: unknown, field: string, loc: string) => {
    if (isObject(holder) && typeof holder[field] === 'string') out.push({ target: holder[field] as string, location: at(loc, field) });
  };
  add(state, 'Next', location);
  if (Array.isArray(state['Choices'])) state['Choices'].forEach((r, i) => add(r, 'Next', atIndex(at(location, 'Choices'), i)));
  add(state, 'Default', location);
  if (Array.isArray(state['Catch'])) state['Catch'].forEach((c, i) => add(c, 'Next', atIndex(at(location, 'Catch'), i)));
  return out;
}

function nestedWorkflows(state: JsonObject, location: string): { wf: JsonObject; location: string }[] {
  const out: { wf: JsonObject; location: string }[] = [];
  if (Array.isArray(state['Branches'])) {
    state['Branches'].forEach((b, i) => {
      if (isObject(b)) out.push({ wf: b, location: atIndex(at(location, 'Branches'), i) });
    });
  }
  for (const f of ['ItemProcessor', 'Iterator']) {
    const wf = state[f];
    if (isObject(wf)) out.push({ wf, location: at(location, f) });
  }
  return out;
}

function isTerminal(state: Json | undefined): boolean {
  return isObject(state) && (state['Type'] === 'Succeed' || state['Type'] === 'Fail' || state['End'] === true);
}

class Graph {
  readonly diags: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  private add(code: string, message: string, location?: string): void {
    this.diags.push(location === undefined ? { severity: 'ERROR', code, message } : { severity: 'ERROR', code, message, location });
  }

  workflow(wf: JsonObject, location: string, top: boolean): void {
    const states = isObject(wf['States']) ? wf['States'] : {};
    const statesLoc = at(location, 'States');
    const names = Object.keys(states);
    const startAt = typeof wf['StartAt'] === 'string' ? wf['StartAt'] : undefined;
    if (startAt !== undefined && !Object.hasOwn(states, startAt)) {
      this.add(MISSING_TARGET, `Missing 'Next' target: ${startAt}`, at(location, 'StartAt'));
    }
    for (const name of names) {
      const state = states[name];
      if (!isObject(state)) continue;
      for (const e of edgesOf(state, at(statesLoc, name))) {
        if (!Object.hasOwn(states, e.target)) this.add(MISSING_TARGET, `Missing 'Next' target: ${e.target}`, e.location);
      }
    }
    const noTerminal = !names.some((n) => isTerminal(states[n]));
    if (!noTerminal) {
      const reached = new Set<string>();
      const queue: string[] = [];
      if (startAt !== undefined && Object.hasOwn(states, startAt)) {
        reached.add(startAt);
        queue.push(startAt);
      }
      while (queue.length > 0) {
        const name = queue.shift()!;
        const state = states[name];
        if (!isObject(state)) continue;
        for (const e of edgesOf(state, '')) {
          if (Object.hasOwn(states, e.target) && !reached.has(e.target)) {
            reached.add(e.target);
            queue.push(e.target);
          }
        }
      }
      for (const name of names) {
        if (!reached.has(name)) this.add(MISSING_TARGET, `State "${name}" is not reachable.`, at(statesLoc, name));
      }
    }
    for (const name of names) {
      const state = states[name];
      if (!isObject(state)) continue;
      for (const nested of nestedWorkflows(state, at(statesLoc, name))) this.workflow(nested.wf, nested.location, false);
    }
    // Every workflow needs one, a Map processor's or a Parallel branch's too (else it could only loop);
    // AWS reports the machine's own without a location.
    if (noTerminal) this.add('MISSING_END_STATE', 'Workflow has no terminal state', top ? undefined : location);
  }

  /** State names are unique in the whole machine; the later occurrence (depth first) is reported. */
  duplicates(wf: JsonObject, location: string): void {
    const states = isObject(wf['States']) ? wf['States'] : {};
    const statesLoc = at(location, 'States');
    for (const name of Object.keys(states)) {
      const loc = at(statesLoc, name);
      if (this.seen.has(name)) this.add('DUPLICATE_STATE_NAME', `Duplicate State name: ${name}`, loc);
      this.seen.add(name);
      const state = states[name];
      if (isObject(state)) for (const nested of nestedWorkflows(state, loc)) this.duplicates(nested.wf, nested.location);
    }
  }
}

export function checkGraph(definition: JsonObject): Diagnostic[] {
  const g = new Graph();
  g.duplicates(definition, '/');
  g.workflow(definition, '/', true);
  return g.diags;
}
