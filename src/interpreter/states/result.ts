/**
 * What Task, Parallel and Map do with their result: JSONPath (ResultSelector → ResultPath → OutputPath,
 * Assign over the selected result) or JSONata (Output and Assign with `$states.result`), then exit; a
 * failure here goes through the state's Retry / Catch.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { MapState, ParallelState, TaskState } from '../../asl/model.js';
import { applyOutputPath, applyResultPath, evalAssignJsonata, evalAssignPath, resultPathBound, withInput } from '../data-flow.js';
import type { Thread } from '../exec-state.js';
import type { Flow, Maybe } from '../flow.js';
import type { Runner } from '../runner.js';
import { WITH_RETRY_COUNT } from '../context.js';

export function exitWithResult(r: Runner, th: Thread, st: TaskState | ParallelState | MapState, result: Json, resultBound?: number): Maybe<Flow> {
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        const js = r.jscope(th, th.input, { result, retryCount: true });
        const output = st.jio.output ? await st.jio.output.evaluate(js) : result;
        return r.exit(th, st, output, await evalAssignJsonata(st.assign, js));
      } catch (e) {
        return r.handleFailure(th, st, r.stateError(th, st, e));
      }
    })();
  }
  const io = st.io;
  if (!io.resultSelector && io.outputPath === undefined && !st.assign && !r.opts.trace) {
    // The common case needs no scope: ResultPath only.
    try {
      const output = applyResultPath(io.resultPath, th.input, result);
      return r.exit(th, st, output, undefined, undefined, resultPathBound(io.resultPath, th.inputBound, resultBound));
    } catch (e) {
      return r.handleFailure(th, st, r.stateError(th, st, e));
    }
  }
  try {
    const scope = r.scope(th, th.input, WITH_RETRY_COUNT);
    const selected = st.io.resultSelector ? st.io.resultSelector.evaluate(withInput(scope, result)) : result;
    r.opts.trace?.('afterResultSelector', selected);
    const merged = applyResultPath(st.io.resultPath, th.input, selected);
    r.opts.trace?.('afterResultPath', merged);
    const output = applyOutputPath(st.io.outputPath, withInput(scope, merged));
    // OutputPath selects a part of the merged value: its bound holds for the output too.
    const mergedBound = resultPathBound(io.resultPath, th.inputBound, io.resultSelector ? undefined : resultBound);
    const bound = io.outputPath === null ? 2 : mergedBound;
    return r.exit(th, st, output, evalAssignPath(st.assign, withInput(scope, selected)), undefined, bound);
  } catch (e) {
    return r.handleFailure(th, st, r.stateError(th, st, e));
  }
}
