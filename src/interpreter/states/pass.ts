/**
 * Pass: passes its input on, or a fixed Result, or the Parameters / Output it builds.
 * @module
 */
import type { PassState } from '../../asl/model.js';
import { applyResult, constantBound, effectiveInput, evalAssignJsonata, evalAssignPath, resultPathBound, withInput } from '../data-flow.js';
import { jsonUpperBound, type Json } from '../../shared/json.js';
import type { Thread } from '../exec-state.js';
import type { Flow, Maybe } from '../flow.js';
import type { Runner } from '../runner.js';

export function enterPass(r: Runner, th: Thread, st: PassState): Maybe<Flow> {
  if (st.ql === 'JSONata') return passJsonata(r, th, st);
  try {
    const scope = r.scope(th, th.input);
    const eff = effectiveInput(st.io, scope, r.opts.trace);
    const result = st.result !== undefined ? st.result : eff;
    const output = applyResult(st.io, th.input, result, scope, r.opts.trace);
    const assigned = evalAssignPath(st.assign, withInput(scope, result));
    return r.exit(th, st, output, assigned, undefined, outputBound(th, st, eff, result));
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

/** A bound of the output's size from the input's bound and the (usually small) new result, when knowable. */
function outputBound(th: Thread, st: PassState, eff: Json, result: Json): number | undefined {
  if (st.io.outputPath === null) return 2;
  const resultBound = st.result !== undefined ? constantBound(st.result) : eff === th.input ? th.inputBound : jsonUpperBound(result);
  // OutputPath selects a part of the merged value: the merged value's bound holds for it too.
  return resultPathBound(st.io.resultPath, th.inputBound, resultBound);
}

async function passJsonata(r: Runner, th: Thread, st: PassState): Promise<Flow> {
  try {
    const js = r.jscope(th, th.input);
    const output = st.jio.output ? await st.jio.output.evaluate(js) : th.input;
    const assigned = await evalAssignJsonata(st.assign, js);
    return r.exit(th, st, output, assigned);
  } catch (e) {
    return r.stateError(th, st, e);
  }
}
