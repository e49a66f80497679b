import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, type GScope } from './graph.js';
import { layoutGraph, SIZES, type Box, type Layout, type Point } from './layout.js';

type Def = Record<string, unknown>;
type States = Record<string, Record<string, unknown>>;

const LAMBDA = 'arn:aws:states:::lambda:invoke';

function chain(states: States, p: string, n: number, next?: string, type = 'Pass'): void {
  for (let i = 0; i < n; i++) {
    const s: Record<string, unknown> = type === 'Task' ? { Type: 'Task', Resource: LAMBDA } : { Type: type };
    if (i + 1 < n) s['Next'] = `${p}${i + 1}`;
    else if (next) s['Next'] = next;
    else s['End'] = true;
    states[`${p}${i}`] = s;
  }
}

/** The same 200-state definition as scripts/layout-timing.mjs. */
function bigDefinition(): Def {
  const S: States = {};
  chain(S, 'Step', 40, 'Route', 'Task');
  S['Route'] = {
    Type: 'Choice',
    Choices: Array.from({ length: 20 }, (_, i) => ({ Variable: '$.kind', StringEquals: `k${i}`, Next: `Handle${i}` })),
    Default: 'Join',
  };
  for (let i = 0; i < 20; i++) S[`Handle${i}`] = { Type: 'Task', Resource: LAMBDA, Next: 'Join' };
  S['Join'] = { Type: 'Pass', Next: 'Wait' };
  S['Wait'] = { Type: 'Wait', Seconds: 10, Next: 'Check' };
  S['Check'] = { Type: 'Task', Resource: LAMBDA, Next: 'Done?', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] };
  S['Done?'] = { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Fan' }], Default: 'Wait' };
  const branch = (p: string) => {
    const b: States = {};
    chain(b, p, 19, `${p}Loop`, 'Task');
    b[`${p}Loop`] = { Type: 'Choice', Choices: [{ Variable: '$.again', BooleanEquals: true, Next: `${p}5` }], Default: `${p}End` };
    b[`${p}End`] = { Type: 'Succeed' };
    delete b[`${p}18`];
    b[`${p}17`]!['Next'] = `${p}Loop`;
    return { StartAt: `${p}0`, States: b };
  };
  S['Fan'] = { Type: 'Parallel', Branches: [branch('A'), branch('B'), branch('C')], Next: 'Each' };
  const items: States = {};
  chain(items, 'Item', 27, 'ItemOk?', 'Task');
  items['ItemOk?'] = { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'Item3' }], Default: 'ItemDone' };
  items['ItemDone'] = { Type: 'Succeed' };
  items['ItemBad'] = { Type: 'Fail', Error: 'Bad' };
  items['Item10']!['Catch'] = [{ ErrorEquals: ['States.TaskFailed'], Next: 'ItemBad' }];
  S['Each'] = { Type: 'Map', ItemProcessor: { StartAt: 'Item0', States: items }, Next: 'Tail0' };
  chain(S, 'Tail', 41, 'Ok');
  S['Ok'] = { Type: 'Succeed' };
  S['Failed'] = { Type: 'Fail', Error: 'CheckFailed' };
  return { StartAt: 'Step0', States: S };
}

const POLL: Def = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Next: 'Wait' },
    Wait: { Type: 'Wait', Seconds: 10, Next: 'Check' },
    Check: { Type: 'Task', Resource: LAMBDA, Next: 'Done?', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
    'Done?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.status', StringEquals: 'DONE', Next: 'Par' },
        { Variable: '$.status', StringEquals: 'FAILED', Next: 'Failed' },
      ],
      Default: 'Wait',
    },
    Par: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'A1', States: { A1: { Type: 'Pass', Next: 'A2' }, A2: { Type: 'Pass', End: true } } },
        { StartAt: 'B1', States: { B1: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:foo', End: true } } },
      ],
      Next: 'Map',
    },
    Map: { Type: 'Map', ItemProcessor: { StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Y' }, Y: { Type: 'Succeed' } } }, Next: 'Ok' },
    Ok: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'Boom' },
  },
};

const NESTED: Def = {
  StartAt: 'M',
  States: {
    M: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } },
              { StartAt: 'X', States: { X: { Type: 'Pass', Next: 'Y' }, Y: { Type: 'Pass', Next: 'X' } } },
              { StartAt: 'X', States: { X: { Type: 'Task', Resource: LAMBDA, Next: 'X', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }] } } },
            ],
            Next: 'Z',
          },
          Z: { Type: 'Succeed' },
        },
      },
      End: true,
    },
  },
};

/** Container id of each box (undefined at the root), from the graph's scopes. */
function parents(root: GScope): Map<string, string | undefined> {
  const m = new Map<string, string | undefined>();
  const walk = (s: GScope, parent: string | undefined) => {
    for (const n of s.nodes) {
      m.set(n.id, parent);
      if (n.kind === 'Parallel') {
        for (const b of n.scopes ?? []) {
          m.set(b.id, n.id);
          walk(b, b.id);
        }
      } else if (n.kind === 'Map' && n.scopes?.[0]) walk(n.scopes[0], n.id);
    }
  };
  walk(root, undefined);
  return m;
}

const inside = (a: Box, b: Box) => a.x >= b.x - 0.01 && a.y >= b.y - 0.01 && a.x + a.w <= b.x + b.w + 0.01 && a.y + a.h <= b.y + b.h + 0.01;
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function onBoundary(p: Point, b: Box, tol = 1): boolean {
  const inX = p.x >= b.x - tol && p.x <= b.x + b.w + tol;
  const inY = p.y >= b.y - tol && p.y <= b.y + b.h + tol;
  const nearV = Math.abs(p.x - b.x) <= tol || Math.abs(p.x - b.x - b.w) <= tol;
  const nearH = Math.abs(p.y - b.y) <= tol || Math.abs(p.y - b.y - b.h) <= tol;
  return (inX && nearH) || (inY && nearV);
}

/** Whether an axis-parallel segment enters the interior of a box. */
function crosses(p: Point, q: Point, b: Box): boolean {
  const e = 1;
  const x1 = Math.min(p.x, q.x);
  const x2 = Math.max(p.x, q.x);
  const y1 = Math.min(p.y, q.y);
  const y2 = Math.max(p.y, q.y);
  return x1 < b.x + b.w - e && x2 > b.x + e && y1 < b.y + b.h - e && y2 > b.y + e;
}

/** The invariants every layout must hold; returns the layout for further checks. */
function check(def: unknown): { layout: Layout; root: GScope } {
  const { root } = buildGraph(def);
  const layout = layoutGraph(root);
  const byId = new Map(layout.boxes.map((b) => [b.id, b]));
  assert.equal(byId.size, layout.boxes.length, 'box ids are unique');
  const parent = parents(root);
  const index = new Map(layout.boxes.map((b, i) => [b.id, i]));
  for (const b of layout.boxes) {
    assert.ok(b.x >= SIZES.margin - 0.01 && b.y >= SIZES.margin - 0.01, `${b.id} inside the margin`);
    assert.ok(b.x + b.w <= layout.width - SIZES.margin + 0.5 && b.y + b.h <= layout.height - SIZES.margin + 0.5, `${b.id} inside the layout`);
    assert.ok(Number.isFinite(b.x) && Number.isFinite(b.y) && b.w > 0 && b.h > 0);
    const p = parent.get(b.id);
    assert.ok(parent.has(b.id), `${b.id} comes from the graph`);
    if (p !== undefined) {
      const pb = byId.get(p)!;
      assert.ok(pb.container, `${p} is a container`);
      assert.ok(inside(b, pb), `${b.id} inside ${p}`);
      assert.ok(index.get(p)! < index.get(b.id)!, `${p} listed before ${b.id}`);
      assert.equal(b.depth, pb.depth + 1, `${b.id} depth`);
    } else assert.equal(b.depth, 0);
  }
  // Siblings never overlap.
  const groups = new Map<string | undefined, Box[]>();
  for (const b of layout.boxes) {
    const k = parent.get(b.id);
    groups.set(k, [...(groups.get(k) ?? []), b]);
  }
  for (const sibs of groups.values()) {
    for (let i = 0; i < sibs.length; i++) for (let j = i + 1; j < sibs.length; j++) assert.ok(!overlap(sibs[i]!, sibs[j]!), `${sibs[i]!.id} overlaps ${sibs[j]!.id}`);
  }
  // Every edge of the graph has a path; paths are orthogonal, start and end on their boxes, never cross a box.
  let edgeCount = 0;
  const countEdges = (s: GScope) => {
    edgeCount += s.edges.length;
    s.nodes.forEach((n) => n.scopes?.forEach(countEdges));
  };
  countEdges(root);
  assert.equal(layout.paths.length, edgeCount);
  const ancestors = (id: string) => {
    const out = new Set<string>();
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) out.add(p);
    return out;
  };
  for (const path of layout.paths) {
    const from = byId.get(path.from)!;
    const to = byId.get(path.to)!;
    assert.ok(path.points.length >= 2, `${path.from}→${path.to} has points`);
    assert.ok(onBoundary(path.points[0]!, from), `${path.from}→${path.to} starts on its box`);
    assert.ok(onBoundary(path.points[path.points.length - 1]!, to), `${path.from}→${path.to} ends on its box`);
    const skip = ancestors(path.from);
    for (let i = 1; i < path.points.length; i++) {
      const p = path.points[i - 1]!;
      const q = path.points[i]!;
      assert.ok(p.x === q.x || p.y === q.y, `${path.from}→${path.to} is orthogonal`);
      for (const b of layout.boxes) {
        if (skip.has(b.id)) continue;
        assert.ok(!crosses(p, q, b), `${path.from}→${path.to} crosses ${b.id} (${JSON.stringify([p, q])})`);
      }
    }
    for (const pt of path.points) assert.ok(pt.x >= 0 && pt.y >= 0 && pt.x <= layout.width && pt.y <= layout.height);
    if (path.kind === 'choice' || path.kind === 'catch' || path.kind === 'default') {
      assert.ok(path.label !== undefined && path.labelAt !== undefined, `${path.from}→${path.to} label placed`);
    }
  }
  return { layout, root };
}

const box = (l: Layout, id: string) => l.boxes.find((b) => b.id === id)!;
const cx = (b: Box) => b.x + b.w / 2;

test('a linear chain is a straight vertical line from Start to End', () => {
  const S: States = {};
  chain(S, 'S', 6);
  const { layout } = check({ StartAt: 'S0', States: S });
  const ids = ['#start', '/S0', '/S1', '/S2', '/S3', '/S4', '/S5', '#end'];
  const boxes = ids.map((id) => box(layout, id));
  for (const b of boxes) assert.equal(cx(b), cx(boxes[0]!));
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i]!.y > boxes[i - 1]!.y + boxes[i - 1]!.h);
  assert.deepEqual(
    [boxes[0]!.w, boxes[0]!.h, boxes[1]!.w, boxes[1]!.h],
    [SIZES.pillW, SIZES.pillH, SIZES.stateW, SIZES.stateH],
  );
  for (const p of layout.paths) {
    assert.equal(p.points.length, 2, 'straight');
    const [a, b] = p.points;
    assert.equal(a!.y, box(layout, p.from).y + box(layout, p.from).h, 'leaves at the bottom');
    assert.equal(b!.y, box(layout, p.to).y, 'enters at the top');
  }
  assert.equal(layout.width, SIZES.stateW + 2 * SIZES.margin);
});

test('long names widen boxes up to a limit', () => {
  const { layout } = check({ StartAt: 'A name that is quite long', States: { 'A name that is quite long': { Type: 'Pass', Next: 'B'.repeat(80) }, ['B'.repeat(80)]: { Type: 'Pass', End: true } } });
  assert.ok(box(layout, '/A name that is quite long').w >= SIZES.stateW);
  assert.equal(box(layout, '/' + 'B'.repeat(80)).w, SIZES.stateMaxW);
});

test('a retry loop: the back edge leaves and enters by the side, going up', () => {
  const { layout } = check(POLL);
  const wait = box(layout, '/Wait');
  const choice = box(layout, '/Done?');
  assert.ok(wait.y < choice.y);
  const back = layout.paths.find((p) => p.from === '/Done?' && p.to === '/Wait')!;
  assert.equal(back.kind, 'default');
  const first = back.points[0]!;
  const last = back.points[back.points.length - 1]!;
  assert.equal(first.x, choice.x + choice.w, 'leaves by the right side');
  assert.equal(last.x, wait.x + wait.w, 'enters by the right side');
  assert.ok(Math.max(...back.points.map((p) => p.x)) > choice.x + choice.w);
  // Start on top, End at the bottom; the chain above the loop is straight.
  const start = box(layout, '#start');
  const end = box(layout, '#end');
  for (const b of layout.boxes) {
    if (b.depth === 0 && b !== start) assert.ok(b.y > start.y);
    if (b.depth === 0 && b !== end) assert.ok(b.y < end.y);
  }
  assert.equal(cx(box(layout, '/Init')), cx(wait));
  assert.equal(cx(box(layout, '/Check')), cx(wait));
});

test('choice and catch labels sit at different points', () => {
  const { layout } = check(POLL);
  const labelled = layout.paths.filter((p) => p.labelAt);
  assert.deepEqual(labelled.map((p) => p.label).sort(), ['$.status == "DONE"', '$.status == "FAILED"', 'Default', 'States.ALL']);
  const at = new Set(labelled.map((p) => `${p.labelAt!.x},${p.labelAt!.y}`));
  assert.equal(at.size, labelled.length);
});

test('a Next and a Catch to the same target are two distinct paths', () => {
  const { layout } = check({
    StartAt: 'T',
    States: {
      T: { Type: 'Task', Resource: LAMBDA, Next: 'H', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'H' }] },
      H: { Type: 'Succeed' },
    },
  });
  const two = layout.paths.filter((p) => p.from === '/T' && p.to === '/H');
  assert.equal(two.length, 2);
  assert.notDeepEqual(two[0]!.points, two[1]!.points);
});

test('parallel branches sit side by side in branch boxes; map content sits in the map box', () => {
  const { layout } = check(POLL);
  const par = box(layout, '/Par');
  assert.ok(par.container);
  const b1 = box(layout, '/Par[0]');
  const b2 = box(layout, '/Par[1]');
  assert.deepEqual([b1.kind, b1.name, b1.container, b1.depth], ['Branch', 'Branch 1', true, 1]);
  assert.equal(b2.name, 'Branch 2');
  assert.equal(b1.y, b2.y);
  assert.ok(b1.x + b1.w < b2.x);
  assert.ok(b1.y >= par.y + SIZES.header);
  assert.equal(box(layout, '/Par[0]/A1').depth, 2);
  const map = box(layout, '/Map');
  assert.ok(map.container);
  assert.equal(box(layout, '/Map[*]/X').depth, 1);
  assert.ok(box(layout, '/Map[*]#start').y >= map.y + SIZES.header);
});

test('a parallel nested in a map, loops and self loops inside branches, duplicate names across scopes', () => {
  const { layout } = check(NESTED);
  assert.equal(box(layout, '/M').depth, 0);
  assert.equal(box(layout, '/M[*]/P').depth, 1);
  assert.equal(box(layout, '/M[*]/P[2]').depth, 2);
  assert.equal(box(layout, '/M[*]/P[2]/X').depth, 3);
  const xs = layout.boxes.filter((b) => b.name === 'X');
  assert.equal(xs.length, 3);
  const self = layout.paths.filter((p) => p.from === '/M[*]/P[2]/X' && p.to === '/M[*]/P[2]/X');
  assert.equal(self.length, 2);
  assert.notDeepEqual(self[0]!.points, self[1]!.points);
});

test('unreachable states, missing targets and invalid definitions still lay out', () => {
  check({ StartAt: 'A', States: { A: { Type: 'Pass', End: true }, Lost: { Type: 'Pass', Next: 'Lost2' }, Lost2: { Type: 'Pass', Next: 'A' } } });
  check({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' }, B: 'oops', C: { Type: 'Teleport' } } });
  check({ StartAt: 'A', States: { A: { Type: 'Parallel', Branches: [], End: true }, B: { Type: 'Map', End: true } } });
  for (const def of [undefined, null, 3, [], {}, { StartAt: 'X' }, { States: { A: { Type: 'Pass', Next: 'A' } } }]) {
    const { layout } = check(def);
    assert.ok(layout.width > 0 && layout.height > 0);
  }
  // A graph whose End nobody reaches (everything loops).
  check({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } });
});

test('a Choice with many branches spreads them under it and joins them again', () => {
  const S: States = {
    C: { Type: 'Choice', Choices: Array.from({ length: 8 }, (_, i) => ({ Variable: '$.k', NumericEquals: i, Next: `H${i}` })), Default: 'J' },
    J: { Type: 'Succeed' },
  };
  for (let i = 0; i < 8; i++) S[`H${i}`] = { Type: 'Pass', Next: 'J' };
  const { layout } = check({ StartAt: 'C', States: S });
  const hs = Array.from({ length: 8 }, (_, i) => box(layout, `/H${i}`));
  for (const h of hs) assert.equal(h.y, hs[0]!.y);
  const c = box(layout, '/C');
  const spanMid = (hs[0]!.x + hs[7]!.x + hs[7]!.w) / 2;
  assert.ok(Math.abs(cx(c) - spanMid) < SIZES.stateW, 'the choice is roughly centred over its branches');
});

test('200 states: a mix of chains, a wide choice, nested parallel branches, a map and loops', () => {
  const { layout } = check(bigDefinition());
  assert.ok(layout.boxes.length > 200);
});
