/**
 * Choice: the first rule that matches picks the next state; else Default; else States.NoChoiceMatched.
 * @module
 */
import type { Json } from '../../shared/json.js';
import { AslFailure } from '../../expr/failure.js';
import { resultTypeFailure } from '../../expr/jsonata.js';
import type { ChoiceState } from '../../asl/model.js';
import { applyInputPath, applyOutputPath, evalAssignJsonata, evalAssignPath, withInput } from '../data-flow.js';
import type { Thread } from '../exec-state.js';
import type { Flow, Maybe } from '../flow.js';
import type { Runner } from '../runner.js';

function noMatch(): AslFailure {
  return new AslFailure('States.NoChoiceMatched', undefined);
}

export function enterChoice(r: Runner, th: Thread, st: ChoiceState): Maybe<Flow> {
  if (st.ql === 'JSONata' || st.choices.some((c) => c.test.k === 'jsonata')) return choiceJsonata(r, th, st);
  try {
    const scope = r.scope(th, th.input);
    const eff = applyInputPath(st.io.inputPath, scope);
    const es = withInput(scope, eff);
    for (const rule of st.choices) {
      if (rule.test.k === 'jsonpath' && rule.test.test(es)) {
        const output = applyOutputPath(st.io.outputPath, es);
        return r.exit(th, st, output, evalAssignPath(rule.assign, es), rule.next);
      }
    }
    if (st.default === undefined) throw noMatch();
    const output = applyOutputPath(st.io.outputPath, es);
    return r.exit(th, st, output, evalAssignPath(st.assign, es), st.default);
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

async function choiceJsonata(r: Runner, th: Thread, st: ChoiceState): Promise<Flow> {
  try {
    const js = r.jscope(th, th.input);
    for (const rule of st.choices) {
      if (rule.test.k !== 'jsonata') continue;
      const cond = rule.test.condition;
      const v: Json = 'evaluateAs' in cond ? await cond.evaluateAs(js, 'boolean') : await cond.evaluate(js);
      if (typeof v !== 'boolean') throw resultTypeFailure(JSON.stringify(rule.test.source), 'Condition', 'boolean', v);
      if (v) {
        const out = rule.output ?? st.jio.output;
        const output = out ? await out.evaluate(js) : th.input;
        return r.exit(th, st, output, await evalAssignJsonata(rule.assign, js), rule.next);
      }
    }
    if (st.default === undefined) throw noMatch();
    const output = st.jio.output ? await st.jio.output.evaluate(js) : th.input;
    return r.exit(th, st, output, await evalAssignJsonata(st.assign, js), st.default);
  } catch (e) {
    return r.stateError(th, st, e);
  }
}
