/**
 * Wait: a delay (Seconds, SecondsPath) or a date (Timestamp, TimestampPath), then on.
 * @module
 */
import type { Json } from '../../shared/json.js';
import { parseTimestamp } from '../../shared/time.js';
import { AslFailure } from '../../expr/failure.js';
import { evaluateJsonataTimestamp, JsonataFailure, resultTypeFailure, timestampFailure } from '../../expr/jsonata.js';
import type { WaitState } from '../../asl/model.js';
import { applyInputPath, applyOutputPath, evalAssignJsonata, evalAssignPath, withInput } from '../data-flow.js';
import type { Thread } from '../exec-state.js';
import { BLOCKED, type Flow, type Maybe } from '../flow.js';
import type { EngineInput } from '../inputs.js';
import type { Runner } from '../runner.js';
import { evalDynJsonata, evalDynPath } from './dyn.js';

const show = (v: Json | undefined) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

/** Milliseconds to wait, from the state's fields (JSONPath). */
function delayPath(r: Runner, th: Thread, st: WaitState, eff: Json): number {
  const scope = r.scope(th, eff);
  if (st.seconds) {
    const v = evalDynPath(st.seconds, scope);
    const src = st.seconds.k === 'path' ? st.seconds.path.source : '';
    if (v === undefined) throw new AslFailure('States.Runtime', `The SecondsPath parameter does not reference an input value: ${src}`);
    // AWS reads the value as a long: anything but an integer (1.5, -1.5, "3") fails before the sign is looked at.
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new AslFailure('States.Runtime', `The SecondsPath parameter cannot be parsed as a long value: ${src} == ${show(v)}`);
    }
    if (v < 0) throw new AslFailure('States.Runtime', `The SecondsPath parameter references a negative value: ${src} == ${show(v)}`);
    return v * 1000;
  }
  if (st.timestamp) {
    const v = evalDynPath(st.timestamp, scope);
    const ts = typeof v === 'string' ? parseTimestamp(v) : undefined;
    if (!ts) {
      const src = st.timestamp.k === 'path' ? st.timestamp.path.source : '';
      throw new AslFailure('States.Runtime', `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${src} == ${show(v)}`);
    }
    return ts.ms - r.now;
  }
  return 0;
}

export function enterWait(r: Runner, th: Thread, st: WaitState): Maybe<Flow> {
  if (st.ql === 'JSONata') return enterWaitJsonata(r, th, st);
  try {
    const eff = applyInputPath(st.io.inputPath, r.scope(th, th.input));
    const delay = delayPath(r, th, st, eff);
    if (delay <= 0) return waitDone(r, th, st);
    return r.startTimer(th, delay, 'wait');
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

async function enterWaitJsonata(r: Runner, th: Thread, st: WaitState): Promise<Flow> {
  try {
    const js = r.jscope(th, th.input);
    let delay = 0;
    if (st.seconds) {
      const v = await evalDynJsonata(st.seconds, js);
      // The integer check comes first (1.5 and -1.5 fail alike), then the sign.
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        if (st.seconds.k === 'jsonata') throw resultTypeFailure(st.seconds.expr.source, 'Seconds', 'integer', v ?? null);
        throw new JsonataFailure(`The Seconds field must be an integer, but was: ${show(v)}`, 'Seconds');
      }
      if (v < 0) throw new JsonataFailure(`The Seconds field must be a non-negative integer, but was: ${show(v)}`, 'Seconds');
      delay = v * 1000;
    } else if (st.timestamp) {
      if (st.timestamp.k === 'jsonata') delay = (await evaluateJsonataTimestamp(st.timestamp.expr, js)) - r.now;
      else {
        const ts = parseTimestamp(String(st.timestamp.k === 'const' ? st.timestamp.v : ''));
        if (!ts) throw timestampFailure(String(st.timestamp.k === 'const' ? st.timestamp.v : ''));
        delay = ts.ms - r.now;
      }
    }
    if (delay <= 0) return await waitDone(r, th, st);
    return r.startTimer(th, delay, 'wait');
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

function waitDone(r: Runner, th: Thread, st: WaitState): Maybe<Flow> {
  if (st.ql === 'JSONata') {
    return (async () => {
      try {
        const js = r.jscope(th, th.input);
        const output = st.jio.output ? await st.jio.output.evaluate(js) : th.input;
        return r.exit(th, st, output, await evalAssignJsonata(st.assign, js));
      } catch (e) {
        return r.stateError(th, st, e);
      }
    })();
  }
  try {
    const scope = r.scope(th, th.input);
    const eff = applyInputPath(st.io.inputPath, scope);
    const es = withInput(scope, eff);
    return r.exit(th, st, applyOutputPath(st.io.outputPath, es), evalAssignPath(st.assign, es));
  } catch (e) {
    return r.stateError(th, st, e);
  }
}

export function resumeWait(r: Runner, th: Thread, st: WaitState, input: EngineInput): Maybe<Flow> {
  if (input.k !== 'timerFired' || th.wait?.k !== 'timer' || th.wait.seq !== input.seq) return BLOCKED;
  th.wait = null;
  return waitDone(r, th, st);
}
