// The two engines under test, behind one adapter shape:
//   { id, label, version(), notes[], setup(workload) -> Promise<{ run(input) -> Promise<output> }> }
// run() resolves with the execution output, or rejects when the execution does not succeed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// ---------------------------------------------------------------- local functions
// Bound to arn:aws:lambda:…:function:NAME. `execKey` identifies the execution (flaky counts per execution).
// Errors carry `payload` = message: Stepwise uses a string `payload` as the error's cause (otherwise the
// cause is the Node Lambda runtime's JSON error payload); aws-local-stepfunctions ignores it.
const fail = (name, message) => Object.assign(new Error(message), { name, payload: message });

export function localFunctions() {
  const attempts = new Map();
  return {
    inc: (x) => ({ n: x.n + 1 }),
    flaky: (x, execKey) => {
      const a = (attempts.get(execKey) ?? 0) + 1;
      if (a < 3) {
        attempts.set(execKey, a);
        throw fail('FlakyError', 'flaky');
      }
      attempts.delete(execKey);
      return { attempts: a };
    },
    broken: () => {
      throw fail('BrokenError', 'always broken');
    },
  };
}

const lambdaName = (resource) =>
  typeof resource === 'string' && resource.startsWith('arn:aws:lambda:') ? resource.split(':')[6] : null;

/** [stateName, functionName] of every Task state, nested ones included. */
function taskStates(def, acc = []) {
  for (const [name, s] of Object.entries(def.States)) {
    if (s.Type === 'Task') acc.push([name, lambdaName(s.Resource)]);
    for (const sub of [s.Iterator, s.ItemProcessor, ...(s.Branches ?? [])]) if (sub) taskStates(sub, acc);
  }
  return acc;
}

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- Stepwise (built library)
const stepwise = {
  id: 'stepwise',
  label: 'stepwise',
  version: () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
  notes: [
    'local functions throw errors with a string `payload` = message, so the cause is the message (not the Lambda runtime JSON error payload)',
    'run(input, { history: false }); retry pause of the manifest\'s retryIntervalOverrideMs states set via delayOverride',
  ],
  async setup(w) {
    const { StateMachine } = await import('../dist/index.js');
    const fns = localFunctions();
    const functions = {};
    for (const [name, fn] of Object.entries(fns)) functions[name] = (event, ctx) => fn(event, ctx.executionArn);
    const retry = w.retryIntervalOverrideMs;
    const delayOverride = retry
      ? (why, state) => (why === 'retry' && Object.hasOwn(retry, state) ? retry[state] : undefined)
      : undefined;
    const sm = new StateMachine(w.def, { functions, delayOverride });
    return {
      async run(input) {
        const r = await sm.run(input, { history: false });
        if (r.status !== 'SUCCEEDED') throw new Error(`${r.status}: error ${r.error}, cause ${JSON.stringify(r.cause)}`);
        return r.output;
      },
    };
  },
};

// ---------------------------------------------------------------- aws-local-stepfunctions
const als = {
  id: 'als',
  label: 'aws-local-stepfunctions',
  version: () => JSON.parse(readFileSync(join(dirname(require.resolve('aws-local-stepfunctions')), '..', 'package.json'), 'utf8')).version,
  notes: [
    'Promise.withResolvers polyfilled (v3 targets Node >= 22; its Task states fail on Node 20 without it)',
    'Task states bound with overrides.taskResourceLocalHandlers (fresh handlers per execution where a function counts calls); retry pause via overrides.retryIntervalOverrides',
  ],
  async setup(w) {
    if (!Promise.withResolvers) {
      Promise.withResolvers = function () {
        let resolve, reject;
        const promise = new this((res, rej) => { resolve = res; reject = rej; });
        return { promise, resolve, reject };
      };
    }
    const { StateMachine } = await import('aws-local-stepfunctions');
    const sm = new StateMachine(w.def); // default options: full definition validation
    const tasks = taskStates(w.def);
    const fns = localFunctions();
    const handlers = (execKey) => Object.fromEntries(tasks.map(([state, fn]) => [state, (x) => fns[fn](x, execKey)]));
    const base = { taskResourceLocalHandlers: handlers(0) };
    if (w.retryIntervalOverrideMs) base.retryIntervalOverrides = w.retryIntervalOverrideMs;
    const perExecution = tasks.some(([, fn]) => fn === 'flaky');
    let seq = 0;
    return {
      run(input) {
        const overrides = perExecution ? { ...base, taskResourceLocalHandlers: handlers(++seq) } : base;
        return sm.run(input, { overrides }).result;
      },
    };
  },
};

export const ENGINES = { stepwise, als };
