/**
 * Execution timelines for the web console: turns an execution's history (the AWS wire shape, as
 * GetExecutionHistory returns it) into steps — one per state entered — with their status, attempts,
 * payloads and the Map iteration / Parallel branch they ran in; and the log lines AWS's logging
 * levels would write. Pure and browser-safe: no Node imports.
 *
 * How events are attributed (this engine's history):
 * - `previousEventId` links each event to the one that caused it. An event belongs to the step (and
 *   thread) of its previous event, except:
 * - a `…StateEntered` opens a new step, in the thread of its previous event; when that previous event
 *   is a `MapIterationStarted` it opens the iteration's thread (index from the event's details), and
 *   when it is a `ParallelStateStarted` it opens a new branch thread. Branch indices are the order in
 *   which the branches' first states were entered (the engine enters them in branch order, in one step).
 * - `MapIteration{Succeeded,Failed,Aborted}` close the nearest enclosing iteration thread and belong to
 *   its Map step; `MapState…`/`ParallelState…` events (their previous event may be the last event of a
 *   branch) belong to the nearest open step of that type, looking at the previous event's step and then
 *   up the enclosing threads.
 *
 * Status: a step that exited is `succeeded`, or `caught` when it failed and a Catch took it on (a Task
 * or other state whose last attempt failed before it exited; a Map or Parallel that exited without its
 * `…StateSucceeded`). A step that never exited is `failed` (its last attempt failed, or it is a Fail
 * state), `cancelled` (aborted — also during a retry's back-off — or the execution ended while it was
 * open) or `running`.
 * @module
 */

export interface AwsEvent {
  /** Epoch seconds. */
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [detailsKey: string]: unknown;
}

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'caught' | 'cancelled';

export interface Attempt {
  /** Epoch ms. */
  startedAt: number;
  endedAt?: number;
  error?: string;
  cause?: string;
  eventIds: number[];
}

export interface Step {
  /** Unique per step entered (the id of its StateEntered event, as text). */
  key: string;
  name: string;
  /** 'Task', 'Map', … (from the StateEntered event's type). */
  type: string;
  /** Epoch ms. */
  enteredAt: number;
  exitedAt?: number;
  status: StepStatus;
  /** JSON text. */
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Task states: one per scheduling (retries show with the gaps between them). */
  attempts: Attempt[];
  /** Map iteration indices, outer to inner, when the step ran in a Map iteration. */
  iteration?: number[];
  /** Parallel branch indices, outer to inner, when the step ran in a Parallel branch. */
  parallelBranch?: number[];
  eventIds: number[];
  /** assignedVariables of the StateExited event (values as JSON text). */
  assigned?: Record<string, string>;
}

export type ExecutionStatusName = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Timeline {
  steps: Step[];
  startedAt?: number;
  endedAt?: number;
  status: ExecutionStatusName;
  /** One per Map step entered: its state name and how many iterations it has (items). */
  mapRuns: { name: string; iterations: number }[];
}

interface Thread {
  kind: 'root' | 'iteration' | 'branch';
  parent?: Thread;
  /** The Map or Parallel step the thread runs in. */
  owner?: StepState;
  index: number;
  closed: boolean;
  mapPath: number[];
  branchPath: number[];
}

interface StepState {
  step: Step;
  thread: Thread;
  exited: boolean;
  aborted: boolean;
  /** Still open when the execution was aborted or timed out (stopped from outside, not by its failure). */
  stoppedOpen: boolean;
  /** The last attempt (or the state) failed and nothing since says otherwise. */
  failing: boolean;
  /** Map/Parallel: `…StateSucceeded` recorded since the last start. */
  containerSucceeded: boolean;
  branches: Thread[];
  iterations: Thread[];
  mapRun?: { name: string; iterations: number };
  attempt?: Attempt;
}

interface Owner {
  thread: Thread;
  step?: StepState;
}

const ms = (seconds: number): number => Math.round(seconds * 1000);

/** The `<x>EventDetails` object of an event (any key ending in EventDetails). */
export function eventDetails(e: AwsEvent): Record<string, unknown> | undefined {
  for (const k of Object.keys(e)) {
    if (k.endsWith('EventDetails')) {
      const v = e[k];
      if (v && typeof v === 'object') return v as Record<string, unknown>;
    }
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The gist of an error's cause: a Lambda-style cause's errorMessage, or its first line. */
export function causeSummary(cause: string | undefined, max = 200): string {
  if (!cause) return '';
  let text = cause;
  try {
    const v = JSON.parse(cause) as { errorMessage?: unknown };
    if (v && typeof v === 'object' && typeof v.errorMessage === 'string') text = v.errorMessage;
  } catch {
    /* plain text */
  }
  text = text.split('\n')[0]!;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One line about an event for the events table: the state's name, the error, the resource, or the iteration. */
export function eventSummary(e: AwsEvent): string {
  const d = eventDetails(e);
  if (!d) return '';
  if (typeof d.name === 'string') return d.name;
  if (typeof d.error === 'string') return `${d.error}${typeof d.cause === 'string' ? `: ${causeSummary(d.cause, 120)}` : ''}`;
  // Task… events name a resourceType and a resource; LambdaFunction… events only the function's ARN.
  if (typeof d.resource === 'string') return typeof d.resourceType === 'string' && d.resourceType ? `${d.resourceType}:${d.resource}` : d.resource;
  if (typeof d.index === 'number') return `iteration ${d.index}`;
  return '';
}

const ATTEMPT_START = /^(Task|LambdaFunction|Activity)Scheduled$/;
const ATTEMPT_OK = /^(Task|LambdaFunction|Activity)Succeeded$/;
const ATTEMPT_FAIL = /^(Task|LambdaFunction|Activity)(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;
const EXECUTION_END: Record<string, ExecutionStatusName> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** The Error and Cause of a Catch's output ({"Error", "Cause"}), when it is one. */
function caughtError(output: string | undefined): { error?: string; cause?: string } {
  if (!output) return {};
  try {
    const v = JSON.parse(output) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return { error: str(o.Error), cause: str(o.Cause) };
    }
  } catch {
    /* not JSON */
  }
  return {};
}

/** Attributes events to threads and steps; shared by buildTimeline and logLines. */
class Attributor {
  readonly root: Thread = { kind: 'root', index: 0, closed: false, mapPath: [], branchPath: [] };
  readonly owners = new Map<number, Owner>();
  readonly steps: StepState[] = [];
  readonly mapRuns: { name: string; iterations: number }[] = [];
  /** MapIterationStarted id → its thread (the iteration's first state opens in it). */
  readonly #iterationStarts = new Map<number, Thread>();
  /** ParallelStateStarted id → its step. */
  readonly #parallelStarts = new Map<number, StepState>();
  status: ExecutionStatusName = 'RUNNING';
  /** Index in `steps` of the first step of the current run (the first, or since the last end). */
  #runStart = 0;
  startedAt: number | undefined;
  endedAt: number | undefined;

  #prev(e: AwsEvent): Owner {
    return this.owners.get(e.previousEventId) ?? { thread: this.root };
  }

  /** The nearest open step of `type` from `o`: its own step, then the owners of enclosing threads. */
  #container(o: Owner, type: string): StepState | undefined {
    if (o.step && o.step.step.type === type && !o.step.exited) return o.step;
    for (let t: Thread | undefined = o.thread; t; t = t.parent) {
      if (t.owner && t.owner.step.type === type) return t.owner;
    }
    return o.step && o.step.step.type === type ? o.step : undefined;
  }

  /** The attempt the event being added belongs to, when the event ended it. */
  #attemptOfEvent: Attempt | undefined;

  add(e: AwsEvent): Owner {
    this.#attemptOfEvent = undefined;
    const o = this.#add(e);
    this.owners.set(e.id, o);
    o.step?.step.eventIds.push(e.id);
    const attempt = this.#attemptOfEvent ?? o.step?.attempt;
    attempt?.eventIds.push(e.id);
    return o;
  }

  #add(e: AwsEvent): Owner {
    const at = ms(e.timestamp);
    const d = eventDetails(e) ?? {};
    const type = e.type;
    if (type === 'ExecutionStarted') {
      this.startedAt = at;
      return { thread: this.root };
    }
    if (type === 'ExecutionRedriven') {
      this.status = 'RUNNING';
      this.endedAt = undefined;
      this.root.closed = false;
      return { thread: this.root };
    }
    const end = EXECUTION_END[type];
    if (end) {
      this.status = end;
      this.endedAt = at;
      this.root.closed = true;
      // Steps of the run this event ends (a redrive's steps follow those of the runs before it).
      if (end === 'ABORTED' || end === 'TIMED_OUT') for (const s of this.steps.slice(this.#runStart)) if (!s.exited) s.stoppedOpen = true;
      this.#runStart = this.steps.length;
      const p = this.#prev(e);
      const s = p.step;
      // The failure that ended the execution names the step it came from (e.g. a Fail state).
      if (s && !s.exited && end !== 'SUCCEEDED' && s.step.error === undefined) {
        s.step.error = str(d.error);
        s.step.cause = str(d.cause);
      }
      return { thread: this.root };
    }
    if (type.endsWith('StateEntered')) {
      const prevId = e.previousEventId;
      let thread: Thread;
      const iter = this.#iterationStarts.get(prevId);
      const par = this.#parallelStarts.get(prevId);
      if (iter) thread = iter;
      else if (par) {
        const parent = par.thread;
        const index = par.branches.length;
        thread = { kind: 'branch', parent, owner: par, index, closed: false, mapPath: parent.mapPath, branchPath: [...parent.branchPath, index] };
        par.branches.push(thread);
      } else thread = this.#prev(e).thread;
      const step: Step = {
        key: String(e.id),
        name: str(d.name) ?? '',
        type: type.slice(0, -'StateEntered'.length),
        enteredAt: at,
        status: 'running',
        attempts: [],
        eventIds: [],
      };
      const input = str(d.input);
      if (input !== undefined) step.input = input;
      if (thread.mapPath.length) step.iteration = thread.mapPath;
      if (thread.branchPath.length) step.parallelBranch = thread.branchPath;
      const s: StepState = { step, thread, exited: false, aborted: false, stoppedOpen: false, failing: false, containerSucceeded: false, branches: [], iterations: [] };
      this.steps.push(s);
      return { thread, step: s };
    }
    if (type.startsWith('MapIteration')) {
      const p = this.#prev(e);
      if (type === 'MapIterationStarted') {
        const map = this.#container(p, 'Map');
        if (!map) return p;
        const index = typeof d.index === 'number' ? d.index : map.iterations.length;
        const thread: Thread = { kind: 'iteration', parent: map.thread, owner: map, index, closed: false, mapPath: [...map.thread.mapPath, index], branchPath: map.thread.branchPath };
        map.iterations.push(thread);
        if (map.mapRun) map.mapRun.iterations = Math.max(map.mapRun.iterations, map.iterations.length);
        this.#iterationStarts.set(e.id, thread);
        return { thread: map.thread, step: map };
      }
      let t: Thread | undefined = p.thread;
      while (t && t.kind !== 'iteration') t = t.parent;
      if (!t || !t.owner) return p;
      t.closed = true;
      return { thread: t.owner.thread, step: t.owner };
    }
    const container = /^(Map|Parallel)State(Started|Succeeded|Failed|Aborted)$/.exec(type);
    if (container) {
      const s = this.#container(this.#prev(e), container[1]!);
      if (!s) return this.#prev(e);
      switch (container[2]) {
        case 'Started':
          s.containerSucceeded = false;
          s.failing = false;
          if (s.step.type === 'Parallel') this.#parallelStarts.set(e.id, s);
          else {
            const length = typeof d.length === 'number' ? d.length : 0;
            if (s.mapRun) s.mapRun.iterations = Math.max(s.mapRun.iterations, length);
            else {
              s.mapRun = { name: s.step.name, iterations: length };
              this.mapRuns.push(s.mapRun);
            }
          }
          break;
        case 'Succeeded':
          s.containerSucceeded = true;
          break;
        case 'Failed':
          s.failing = true;
          break;
        case 'Aborted':
          s.aborted = true;
          break;
      }
      if (container[2] !== 'Started') for (const t of [...s.branches, ...s.iterations]) t.closed = true;
      return { thread: s.thread, step: s };
    }
    const p = this.#prev(e);
    const s = p.step;
    if (!s) return p;
    if (type.endsWith('StateExited')) {
      s.exited = true;
      s.step.exitedAt = at;
      const output = str(d.output);
      if (output !== undefined) s.step.output = output;
      if (d.assignedVariables && typeof d.assignedVariables === 'object') s.step.assigned = d.assignedVariables as Record<string, string>;
      const container = s.step.type === 'Map' || s.step.type === 'Parallel';
      const caught = container ? !s.containerSucceeded : s.failing;
      if (caught) {
        s.step.status = 'caught';
        if (s.step.error === undefined) {
          const c = caughtError(output);
          if (c.error !== undefined) s.step.error = c.error;
          if (c.cause !== undefined) s.step.cause = c.cause;
        }
      } else s.step.status = 'succeeded';
      for (const t of [...s.branches, ...s.iterations]) t.closed = true;
      return p;
    }
    if (type.endsWith('StateAborted')) {
      s.aborted = true;
      s.step.exitedAt = at;
      return p;
    }
    if (ATTEMPT_START.test(type)) {
      const a: Attempt = { startedAt: at, eventIds: [] };
      s.step.attempts.push(a);
      s.attempt = a;
      s.failing = false;
      s.step.error = undefined;
      s.step.cause = undefined;
      return p;
    }
    if (ATTEMPT_OK.test(type)) {
      if (s.attempt) s.attempt.endedAt = at;
      // The attempt's events include its end; later events of the step are outside it.
      this.#attemptOfEvent = s.attempt;
      s.attempt = undefined;
      s.failing = false;
      return p;
    }
    if (ATTEMPT_FAIL.test(type) || type.endsWith('Failed') || type.endsWith('TimedOut')) {
      const error = str(d.error);
      const cause = str(d.cause);
      if (s.attempt) {
        s.attempt.endedAt = at;
        if (error !== undefined) s.attempt.error = error;
        if (cause !== undefined) s.attempt.cause = cause;
        this.#attemptOfEvent = s.attempt;
        s.attempt = undefined;
      }
      s.failing = true;
      s.step.error = error;
      s.step.cause = cause;
      return p;
    }
    return p;
  }

  /** Statuses of steps that never exited, once the whole history is read. */
  finish(): void {
    for (const s of this.steps) {
      if (s.exited) continue;
      const st = s.step;
      const ended = s.aborted || s.thread.closed || this.root.closed;
      // A step open when the execution was stopped or timed out is cancelled even when its last attempt
      // failed: it was waiting out a retry's back-off, so its own failure did not end it.
      if (st.type === 'Fail') st.status = 'failed';
      else if (s.stoppedOpen) st.status = 'cancelled';
      else if (s.failing && ended) st.status = 'failed';
      else if (ended) st.status = 'cancelled';
      else st.status = 'running';
      if (st.status === 'cancelled' && st.exitedAt === undefined && this.endedAt !== undefined) st.exitedAt = this.endedAt;
    }
  }
}

export function buildTimeline(events: AwsEvent[]): Timeline {
  const a = new Attributor();
  for (const e of [...events].sort((x, y) => x.id - y.id)) a.add(e);
  a.finish();
  const t: Timeline = { steps: a.steps.map((s) => s.step), status: a.status, mapRuns: a.mapRuns };
  if (a.startedAt !== undefined) t.startedAt = a.startedAt;
  if (a.endedAt !== undefined) t.endedAt = a.endedAt;
  return t;
}

const isPrefix = (p: number[], of: number[]) => p.length <= of.length && p.every((v, i) => v === of[i]);

/**
 * Per state name, the status to paint on the graph: that of the latest step of the name. With
 * `iteration`, only steps of that Map iteration path and of the iterations enclosing it (outer states)
 * count; without it, every step does.
 */
export function stateStatuses(t: Timeline, iteration?: number[]): Map<string, StepStatus> {
  const out = new Map<string, StepStatus>();
  for (const s of t.steps) {
    if (iteration && !isPrefix(s.iteration ?? [], iteration)) continue;
    out.set(s.name, s.status);
  }
  return out;
}

export type LogLevel = 'ALL' | 'ERROR' | 'FATAL' | 'OFF';

export interface LogLine {
  /** Epoch ms. */
  time: number;
  level: 'INFO' | 'ERROR' | 'FATAL';
  state?: string;
  event: string;
  eventId: number;
  message: string;
}

const FATAL_EVENTS = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** The level AWS logs an event type at. */
export function eventLevel(type: string): LogLine['level'] {
  if (FATAL_EVENTS.has(type)) return 'FATAL';
  if (type === 'FailStateEntered' || /(Failed|TimedOut|Aborted)$/.test(type)) return 'ERROR';
  return 'INFO';
}

function messageOf(e: AwsEvent, d: Record<string, unknown> | undefined): string {
  if (!d) return e.type;
  const error = str(d.error);
  if (error !== undefined || str(d.cause) !== undefined) return [error, str(d.cause)].filter((x) => x !== undefined).join(': ');
  if (e.type.endsWith('StateEntered')) return str(d.input) !== undefined ? `input ${str(d.input)}` : `entered ${str(d.name) ?? ''}`;
  if (e.type.endsWith('StateExited')) return str(d.output) !== undefined ? `output ${str(d.output)}` : `exited ${str(d.name) ?? ''}`;
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) if (!k.endsWith('Details')) rest[k] = v;
  return Object.keys(rest).length ? JSON.stringify(rest) : e.type;
}

/**
 * Log lines as AWS's loggingConfiguration levels would write them: ALL = every event; ERROR = error
 * events (…Failed, …TimedOut, …Aborted, FailStateEntered, and the execution-level failures); FATAL =
 * execution-level failures only (ExecutionFailed, ExecutionAborted, ExecutionTimedOut); OFF = none.
 */
export function logLines(events: AwsEvent[], level: LogLevel): LogLine[] {
  if (level === 'OFF') return [];
  const a = new Attributor();
  const out: LogLine[] = [];
  for (const e of [...events].sort((x, y) => x.id - y.id)) {
    const o = a.add(e);
    const lv = eventLevel(e.type);
    if (level === 'FATAL' && lv !== 'FATAL') continue;
    if (level === 'ERROR' && lv === 'INFO') continue;
    const line: LogLine = { time: ms(e.timestamp), level: lv, event: e.type, eventId: e.id, message: messageOf(e, eventDetails(e)) };
    if (o.step) line.state = o.step.step.name;
    out.push(line);
  }
  return out;
}
