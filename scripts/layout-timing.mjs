// Times buildGraph + layoutGraph on a 200-state definition (long chains, a Choice with 20 branches,
// a Parallel of 3 branches × 20 states, a Map of 30 states, retry loops).
// Run after a build: npx tsc -p tsconfig.json && node scripts/layout-timing.mjs
import { buildGraph } from '../dist/asl/graph.js';
import { layoutGraph } from '../dist/asl/layout.js';

const LAMBDA = 'arn:aws:states:::lambda:invoke';

/** A chain of `n` states named `${p}0…`, the last going to `next` (or ending). */
function chain(states, p, n, next, type = 'Pass') {
  for (let i = 0; i < n; i++) {
    const s = type === 'Task' ? { Type: 'Task', Resource: LAMBDA } : { Type: type };
    if (i + 1 < n) s.Next = `${p}${i + 1}`;
    else if (next) s.Next = next;
    else s.End = true;
    states[`${p}${i}`] = s;
  }
}

export function bigDefinition() {
  const S = {};
  chain(S, 'Step', 40, 'Route', 'Task');
  S.Route = {
    Type: 'Choice',
    Choices: Array.from({ length: 20 }, (_, i) => ({ Variable: '$.kind', StringEquals: `k${i}`, Next: `Handle${i}` })),
    Default: 'Join',
  };
  for (let i = 0; i < 20; i++) S[`Handle${i}`] = { Type: 'Task', Resource: LAMBDA, Next: 'Join' };
  S.Join = { Type: 'Pass', Next: 'Wait' };
  S.Wait = { Type: 'Wait', Seconds: 10, Next: 'Check' };
  S.Check = { Type: 'Task', Resource: LAMBDA, Next: 'Done?', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] };
  S['Done?'] = { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Fan' }], Default: 'Wait' };
  const branch = (p) => {
    const b = {};
    chain(b, p, 19, `${p}Loop`, 'Task');
    b[`${p}Loop`] = { Type: 'Choice', Choices: [{ Variable: '$.again', BooleanEquals: true, Next: `${p}5` }], Default: `${p}End` };
    b[`${p}End`] = { Type: 'Succeed' };
    delete b[`${p}18`];
    b[`${p}17`].Next = `${p}Loop`;
    return { StartAt: `${p}0`, States: b };
  };
  S.Fan = { Type: 'Parallel', Branches: [branch('A'), branch('B'), branch('C')], Next: 'Each' };
  const items = {};
  chain(items, 'Item', 27, 'ItemOk?', 'Task');
  items['ItemOk?'] = { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Item3' }], Default: 'ItemDone' };
  items.ItemDone = { Type: 'Succeed' };
  items.ItemBad = { Type: 'Fail', Error: 'Bad' };
  items.Item10.Catch = [{ ErrorEquals: ['States.TaskFailed'], Next: 'ItemBad' }];
  S.Each = { Type: 'Map', ItemProcessor: { StartAt: 'Item0', States: items }, Next: 'Tail0' };
  chain(S, 'Tail', 41, 'Ok');
  S.Ok = { Type: 'Succeed' };
  S.Failed = { Type: 'Fail', Error: 'CheckFailed' };
  return { StartAt: 'Step0', States: S };
}

function countStates(def) {
  let n = 0;
  for (const s of Object.values(def.States)) {
    n++;
    for (const b of s.Branches ?? []) n += countStates(b);
    if (s.ItemProcessor) n += countStates(s.ItemProcessor);
  }
  return n;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const def = bigDefinition();
  const states = countStates(def);
  const c0 = performance.now();
  layoutGraph(buildGraph(def).root); // the first run also warms up the JIT
  const cold = performance.now() - c0;
  const runs = [];
  let layout;
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    const { root } = buildGraph(def);
    layout = layoutGraph(root);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `${states} states → ${layout.boxes.length} boxes, ${layout.paths.length} paths, ${layout.width}×${layout.height} px; ` +
      `buildGraph+layoutGraph: median ${runs[10].toFixed(2)} ms, min ${runs[0].toFixed(2)} ms, max ${runs[runs.length - 1].toFixed(2)} ms (20 runs after a warm-up); first run ${cold.toFixed(2)} ms`,
  );
}
