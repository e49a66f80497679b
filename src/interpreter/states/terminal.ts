/**
 * Succeed and Fail: the states that end a thread.
 * @module
 */
import type { Json } from '../../shared/json.js';
import type { FailState, SucceedState } from '../../asl/model.js';
import { applyInputPath, applyOutputPath, withInput } from '../data-flow.js';
import type { Thread } from '../exec-state.js';
import type { Flow, Maybe } from '../flow.js';
import type { Runner } from '../runner.js';
import { evalDynJsonata, evalDynPath } from './dyn.js';

export function enterSucceed(r: Runner, th: Thread, st: SucceedState): Maybe<Flow> {
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        const output = st.jio.output ? await st.jio.output.evaluate(r.jscope(th, th.input)) : th.input;
        return r.exit(th, st, output, undefined);
      } catch (e) {
        return r.stateError(th, st, e);
      }
    })();
  }
  try {
    const scope = r.scope(th, th.input);
    const eff = applyInputPath(st.io.inputPath, scope);
    const output = applyOutputPath(st.io.outputPath, withInput(scope, eff));
    return r.exit(th, st, output, undefined);
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

const asText = (v: Json | undefined): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

export function enterFail(r: Runner, th: Thread, st: FailState): Maybe<Flow> {
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        const js = r.jscope(th, th.input);
        const error = st.error ? await evalDynJsonata(st.error, js) : undefined;
        const cause = st.cause ? await evalDynJsonata(st.cause, js) : undefined;
        return { k: 'fail', error: asText(error) ?? '', cause: asText(cause), fatal: false } as Flow;
      } catch (e) {
        return r.stateError(th, st, e);
      }
    })();
  }
  try {
    const scope = r.scope(th, th.input);
    const error = st.error ? evalDynPath(st.error, scope) : undefined;
    const cause = st.cause ? evalDynPath(st.cause, scope) : undefined;
    return { k: 'fail', error: asText(error) ?? '', cause: asText(cause), fatal: false };
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

