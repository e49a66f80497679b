/**
 * What TestState runs: the state under test, found in the definition (a single state, or a state machine
 * and `stateName`, also inside Parallel branches and Map processors), validated as AWS validates it, and
 * compiled as a one-state program, so it runs through the same compiled model and interpreter code as in
 * an execution.
 * @module
 */
import { isObject, type JsonObject } from '../../shared/json.js';
import { compileMachine } from '../../asl/compile.js';
import type { Machine, QueryLanguage, State } from '../../asl/model.js';
import { invalidDefinitionMessage, validateParsed } from '../../asl/validate.js';
import { parseResource, type TaskResource } from '../../asl/resources.js';
import { validateMockResult, type Shape } from './mock-schema.js';
import { TestStateRequestError, type TestStateRequest } from './request.js';

/** The name the state under test gets when the definition is a single state. */
export const SINGLE_STATE_NAME = 'StateName';

/** Graph diagnostics that do not apply to a single state tested on its own (its transitions leave it). */
const GRAPH_CODES: ReadonlySet<string> = new Set(['MISSING_TRANSITION_TARGET', 'MISSING_END_STATE', 'DUPLICATE_STATE_NAME']);

export interface TestStateProgram {
  /** A machine with one state: the state under test. */
  machine: Machine;
  state: State;
  name: string;
  /** The state's definition as written, with the names of the states below it (Map, Parallel). */
  raw: JsonObject;
  innerStates: ReadonlySet<string>;
}

const isMachine = (d: JsonObject): boolean => Object.hasOwn(d, 'States') || Object.hasOwn(d, 'StartAt');

function languageOf(raw: JsonObject, inherited: QueryLanguage): QueryLanguage {
  return raw.QueryLanguage === 'JSONata' ? 'JSONata' : raw.QueryLanguage === 'JSONPath' ? 'JSONPath' : inherited;
}

/** The programs nested in a state: Parallel branches, the Map processor. */
function children(raw: JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  if (Array.isArray(raw.Branches)) for (const b of raw.Branches) if (isObject(b)) out.push(b);
  if (isObject(raw.ItemProcessor)) out.push(raw.ItemProcessor);
  else if (isObject(raw.Iterator)) out.push(raw.Iterator);
  return out;
}

/** Finds a state by name anywhere in a program; returns it with the query language it runs in. */
export function findState(program: JsonObject, name: string, ql: QueryLanguage): { raw: JsonObject; ql: QueryLanguage } | undefined {
  const states = isObject(program.States) ? program.States : {};
  for (const [n, st] of Object.entries(states)) {
    if (!isObject(st)) continue;
    const sql = languageOf(st, ql);
    if (n === name) return { raw: st, ql: sql };
    for (const child of children(st)) {
      const found = findState(child, name, sql);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every state name below a state (inside its branches or processor). */
export function innerStateNames(raw: JsonObject): Set<string> {
  const names = new Set<string>();
  const visit = (program: JsonObject) => {
    const states = isObject(program.States) ? program.States : {};
    for (const [n, st] of Object.entries(states)) {
      names.add(n);
      if (isObject(st)) children(st).forEach(visit);
    }
  };
  children(raw).forEach(visit);
  return names;
}

const UNRECOGNIZED_RESOURCE = /^The resource provided .* is not recognized\./;

/**
 * Validates the definition as AWS's TestState does: as CreateStateMachine would, except that a single
 * state's transitions may leave it, and the Resource of a state that is not run (inside a mocked Map or
 * Parallel, or elsewhere in the machine) need not be a known ARN.
 */
function checkDefinition(req: TestStateRequest, definition: JsonObject, single: boolean, name: string): void {
  const own = `/${name}/Resource`;
  let diags = validateParsed(definition).filter(
    (d) => d.severity === 'ERROR' && !(UNRECOGNIZED_RESOURCE.test(d.message) && !(d.location ?? '').endsWith(own)),
  );
  if (single) diags = diags.filter((d) => !GRAPH_CODES.has(d.code));
  if (diags.length) throw new TestStateRequestError('InvalidDefinition', invalidDefinitionMessage(req.definitionText, diags));
}

type ServiceResource = Extract<TaskResource, { kind: 'service' }>;

export interface BuildOptions {
  /**
   * The output shape a mocked Task result is checked against (fieldValidationMode); by default the
   * hand-written table's (mock-schema.ts). The server gives the installed AWS SDK client's.
   */
  outputShape?: (res: ServiceResource) => Shape | undefined;
}

/**
 * The service resource of the Task under test when its mocked result is to be checked against a shape,
 * found in the definition before it is compiled (for a caller that loads shapes asynchronously).
 */
export function mockedServiceResource(req: TestStateRequest): ServiceResource | undefined {
  if (req.mock?.result === undefined || req.mock.fieldValidationMode === 'NONE') return undefined;
  const def = req.definition;
  const raw = isMachine(def) ? findState(def, req.stateName ?? String(def.StartAt), 'JSONPath')?.raw : def;
  if (!raw || raw.Type !== 'Task' || typeof raw.Resource !== 'string') return undefined;
  const res = parseResource(raw.Resource);
  return res?.kind === 'service' ? res : undefined;
}

/** Locates, validates and compiles the state under test, and checks the mock against it. */
export function buildTestStateProgram(req: TestStateRequest, opts: BuildOptions = {}): TestStateProgram {
  const def = req.definition;
  let raw: JsonObject;
  let name: string;
  let ql: QueryLanguage;
  if (isMachine(def)) {
    const machineQl = languageOf(def, 'JSONPath');
    name = req.stateName ?? String(def.StartAt);
    checkDefinition(req, def, false, name);
    const found = findState(def, name, machineQl);
    if (!found) throw new TestStateRequestError('ValidationException', 'State not found in definition');
    raw = found.raw;
    ql = found.ql;
  } else {
    // stateName picks a state of a state machine: a single state has none to pick.
    if (req.stateName !== undefined) throw new TestStateRequestError('ValidationException', 'State not found in definition');
    name = SINGLE_STATE_NAME;
    raw = def;
    ql = languageOf(def, 'JSONPath');
    checkDefinition(req, { StartAt: name, States: { [name]: def } }, true, name);
  }
  const machine = compileMachine({ QueryLanguage: ql, StartAt: name, States: { [name]: raw } });
  const state = machine.states.get(name)!;
  checkMockAgainstState(req, state, opts);
  if (req.context) checkContext(req.context, state);
  return { machine, state, name, raw, innerStates: innerStateNames(raw) };
}

const MAP_OR_PARALLEL =
  'TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]';

const NEEDS_MOCK = 'TestState supports Activity tasks and the .sync and .waitForTaskToken service integration patterns only when a mock is specified';

function checkMockAgainstState(req: TestStateRequest, st: State, opts: BuildOptions): void {
  const mock = req.mock;
  if (!mock) {
    if (st.type === 'Map' || st.type === 'Parallel') throw new TestStateRequestError('InvalidDefinition', MAP_OR_PARALLEL);
    if (st.type === 'Task') {
      if (req.roleArn === undefined) throw new TestStateRequestError('ValidationException', 'RoleArn must be specified when testing a Task state');
      const res = st.parsedResource;
      if (res?.kind === 'activity' || (res?.kind === 'service' && res.pattern !== 'request-response')) {
        throw new TestStateRequestError('ValidationException', NEEDS_MOCK);
      }
    }
    return;
  }
  if (st.type !== 'Task' && st.type !== 'Map' && st.type !== 'Parallel') {
    throw new TestStateRequestError('ValidationException', `State type '${st.type}' is not supported when a mock is specified`);
  }
  if (mock.result === undefined) return;
  if (st.type === 'Map') {
    if (st.resultWriter !== undefined) {
      if (!isObject(mock.result)) throw new TestStateRequestError('ValidationException', 'Mocked result must be a JSON object.');
    } else if (!Array.isArray(mock.result)) throw new TestStateRequestError('ValidationException', 'Mocked result must be an array.');
  } else if (st.type === 'Parallel') {
    if (!Array.isArray(mock.result)) throw new TestStateRequestError('ValidationException', 'Mocked result must be an array.');
    if (mock.result.length !== st.branches.length) {
      throw new TestStateRequestError('ValidationException', 'Mocked result must contain the same number of items as number of Parallel branches.');
    }
  } else if (st.parsedResource?.kind === 'service' && mock.fieldValidationMode !== 'NONE') {
    const res = st.parsedResource;
    const problem = opts.outputShape
      ? validateMockResult(res, mock.result, mock.fieldValidationMode, opts.outputShape(res))
      : validateMockResult(res, mock.result, mock.fieldValidationMode);
    if (problem) throw new TestStateRequestError('ValidationException', `Mock result schema validation error: ${problem}`);
  }
}

type FieldKind = 'string' | 'number' | 'any';

/** The fields a supplied context object may have, by section, with their types. */
const CONTEXT_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  Execution: { Id: 'string', Input: 'any', Name: 'string', RoleArn: 'string', StartTime: 'string', RedriveCount: 'number', RedriveTime: 'string' },
  State: { EnteredTime: 'string', Name: 'string', RetryCount: 'number' },
  StateMachine: { Id: 'string', Name: 'string' },
  Task: { Token: 'string' },
};

const invalidContext = (why: string) => new TestStateRequestError('ValidationException', `Invalid Context object provided: ${why}`);

/** Checks a supplied context object as AWS does: known sections and fields, field types, Task only where a token exists. */
function checkContext(ctx: JsonObject, st: State): void {
  for (const [section, value] of Object.entries(ctx)) {
    if (section === 'Map') throw invalidContext("'Map' field is not supported when mocking a Context object");
    const fields = CONTEXT_FIELDS[section];
    if (!fields) throw invalidContext(`Field '${section}' is not allowed`);
    if (section === 'Task') {
      const res = st.type === 'Task' ? st.parsedResource : undefined;
      const tokenPattern = res?.kind === 'service' && res.pattern !== 'request-response';
      if (!tokenPattern) {
        throw invalidContext("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern");
      }
    }
    if (!isObject(value)) throw invalidContext(`${section} must be an object`);
    for (const [field, v] of Object.entries(value)) {
      const kind = fields[field];
      if (!kind) throw invalidContext(`Field '${field}' is not allowed`);
      if (kind !== 'any' && typeof v !== kind) throw invalidContext(`${section}.${field} must be a ${kind}`);
    }
  }
}
