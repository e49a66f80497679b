/**
 * The data flow of a state: JSONPath (InputPath → Parameters → ResultSelector → ResultPath → OutputPath)
 * and JSONata (Arguments → Output), plus Assign in both languages. Pure functions over immutable values;
 * ResultPath builds new objects only along its path.
 * @module
 */
import { jsonBoundWithin, jsonByteSize, jsonFitsIn, jsonUpperBound, type Json, type JsonObject } from '../shared/json.js';
import { AslFailure } from '../expr/failure.js';
import type { JsonataScope } from '../expr/jsonata.js';
import { evaluatePath, setAtPath, type CompiledPath } from '../expr/jsonpath.js';
import type { EvalScope, Vars } from '../expr/scope.js';
import type { Assigner, PathIO } from '../asl/model.js';

/** The intermediate values of a JSONPath state's data flow, in the order they are produced. */
export type DataFlowStage = 'afterInputPath' | 'afterParameters' | 'afterResultSelector' | 'afterResultPath';

/**
 * Receives a state's intermediate data-flow values as they are computed. TestState's inspection data
 * comes from it; executions pass none (see `StepOptions.trace`).
 */
export type DataFlowTrace = (stage: DataFlowStage, value: Json) => void;

/** AWS's payload quota: 256 KiB of UTF-8 JSON. */
export const MAX_PAYLOAD_BYTES = 262144;

export function applyInputPath(p: CompiledPath | null | undefined, scope: EvalScope): Json {
  if (p === undefined) return scope.input;
  if (p === null) return {};
  const r = evaluatePath(p, scope);
  if (!r.ok) throw new AslFailure('States.Runtime', `Invalid path '${p.source}' : ${r.message}`);
  return r.value;
}

export const applyOutputPath = applyInputPath;

/** InputPath then Parameters: the effective input of a JSONPath state. */
export function effectiveInput(io: PathIO, scope: EvalScope, trace?: DataFlowTrace): Json {
  const afterInputPath = applyInputPath(io.inputPath, scope);
  trace?.('afterInputPath', afterInputPath);
  let eff = afterInputPath;
  if (io.parameters) {
    eff = io.parameters.constant || afterInputPath === scope.input ? io.parameters.evaluate(scope) : io.parameters.evaluate(withInput(scope, afterInputPath));
  }
  trace?.('afterParameters', eff);
  return eff;
}

/** ResultSelector → ResultPath → OutputPath. `rawInput` is the state's raw input; `scope.input` is ignored. */
export function applyResult(io: PathIO, rawInput: Json, result: Json, scope: EvalScope, trace?: DataFlowTrace): Json {
  let r = result;
  if (io.resultSelector) r = io.resultSelector.evaluate(withInput(scope, result));
  trace?.('afterResultSelector', r);
  const merged = applyResultPath(io.resultPath, rawInput, r);
  trace?.('afterResultPath', merged);
  return applyOutputPath(io.outputPath, withInput(scope, merged));
}

export function applyResultPath(rp: PathIO['resultPath'], rawInput: Json, result: Json): Json {
  if (rp === undefined) return result;
  if (rp === null) return rawInput;
  const res = setAtPath(rawInput, rp.keys, result, rp.source);
  if (!res.ok) throw new AslFailure('States.Runtime', res.message);
  return res.value;
}

/** A scope that reads `$` from another value. */
export function withInput(scope: EvalScope, input: Json): EvalScope {
  return new DerivedScope(input, scope);
}

class DerivedScope implements EvalScope {
  constructor(
    readonly input: Json,
    private readonly base: EvalScope,
  ) {}
  get context(): Json {
    return this.base.context;
  }
  get vars(): Vars {
    return this.base.vars;
  }
  get rng() {
    return this.base.rng;
  }
}

/** Evaluates Assign (JSONPath: `$` is the given value). Returns the assigned variables, or undefined. */
export function evalAssignPath(a: Assigner | undefined, scope: EvalScope): JsonObject | undefined {
  if (!a || a.ql !== 'JSONPath') return undefined;
  return a.template.evaluate(scope) as JsonObject;
}

export async function evalAssignJsonata(a: Assigner | undefined, scope: JsonataScope): Promise<JsonObject | undefined> {
  if (!a || a.ql !== 'JSONata') return undefined;
  return (await a.value.evaluate(scope)) as JsonObject;
}

export function mergeVars(vars: Vars, assigned: JsonObject | undefined): Vars {
  if (!assigned) return vars;
  return { ...vars, ...assigned };
}

export function dataLimitExceeded(name: string): AslFailure {
  return new AslFailure(
    'States.DataLimitExceeded',
    `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}

export function checkSize(v: Json, name: string): void {
  if (!jsonFitsIn(v, MAX_PAYLOAD_BYTES)) throw dataLimitExceeded(name);
}

/**
 * Checks an output against the payload quota and returns a bound of its size to carry to the next
 * state. `known` is a bound the caller derived without walking the value (see `resultPathBound`).
 */
export function checkedBound(v: Json, name: string, known: number | undefined): number {
  if (known !== undefined && known <= MAX_PAYLOAD_BYTES) return known;
  const b = jsonBoundWithin(v, MAX_PAYLOAD_BYTES);
  if (b === undefined) throw dataLimitExceeded(name);
  return b;
}

const constantBounds = new WeakMap<object, number>();

/** Bound of a value fixed in the definition (Result), computed once. */
export function constantBound(v: Json): number {
  if (v === null || typeof v !== 'object') return jsonUpperBound(v);
  let b = constantBounds.get(v);
  if (b === undefined) constantBounds.set(v, (b = jsonUpperBound(v)));
  return b;
}

/**
 * Bound of the size of ResultPath's output from bounds of the input and the result: placing a value
 * inside the input adds at most the value and the keys (and braces) along the path.
 */
export function resultPathBound(rp: PathIO['resultPath'], inputBound: number | undefined, resultBound: number | undefined): number | undefined {
  if (rp === undefined) return resultBound;
  if (rp === null) return inputBound;
  if (inputBound === undefined || resultBound === undefined) return undefined;
  let n = inputBound + resultBound;
  for (const k of rp.keys) n += typeof k === 'string' ? k.length * 6 + 6 : 0;
  return n;
}

/** AWS's variable quotas: 256 KiB per variable and per Assign, 10 MiB for all variables of an execution. */
export const MAX_VARIABLE_BYTES = 262144;
export const MAX_ASSIGN_BYTES = 262144;
export const MAX_ALL_VARIABLES_BYTES = 10 * 1024 * 1024;

export function checkVariables(state: string, vars: Vars, assigned: JsonObject): void {
  if (jsonFitsIn(assigned, MAX_VARIABLE_BYTES)) {
    // Small assignments cannot break any quota unless the variables already fill nearly 10 MiB.
    if (jsonFitsIn(vars as Json, MAX_ALL_VARIABLES_BYTES - MAX_ASSIGN_BYTES)) return;
  }
  for (const [name, v] of Object.entries(assigned)) {
    if (jsonByteSize(v) > MAX_VARIABLE_BYTES) {
      throw new AslFailure('States.DataLimitExceeded', `The variable '${name}' assigned in the state '${state}' exceeds the maximum size of ${MAX_VARIABLE_BYTES} bytes.`);
    }
  }
  if (jsonByteSize(assigned) > MAX_ASSIGN_BYTES) {
    throw new AslFailure('States.DataLimitExceeded', `The variables assigned in the state '${state}' exceed the maximum size of ${MAX_ASSIGN_BYTES} bytes.`);
  }
  if (jsonByteSize({ ...vars, ...assigned } as Json) > MAX_ALL_VARIABLES_BYTES) {
    throw new AslFailure('States.DataLimitExceeded', `The variables of the execution exceed the maximum size of ${MAX_ALL_VARIABLES_BYTES} bytes.`);
  }
}
