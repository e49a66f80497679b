/**
 * A top-to-bottom layered layout (Sugiyama style) of a state machine graph, for drawing in the console.
 * Pure and browser-safe: no Node.js modules.
 *
 * Per scope (the root, each Parallel branch, each Map processor):
 *  1. back edges are found by a depth-first search from Start (retry loops are common);
 *  2. layers by longest path from Start, ignoring back edges; End goes below everything;
 *  3. edges spanning several layers get a dummy node per layer; a back edge gets a dummy beside its
 *     source and beside its target (so it leaves and enters by the side) and one per layer between;
 *  4. nodes are ordered in each layer by barycenter sweeps (the ordering with the fewest crossings wins);
 *  5. x coordinates by the priority method: each node moves towards its neighbours (a parent's children
 *     spread under it), dummies first so long edges stay straight, never overlapping;
 *  6. edges are orthogonal polylines: vertical through a layer only at a box's centre or a dummy's slot,
 *     horizontal only in the gaps between layers, on tracks so unrelated jogs do not merge.
 * Containers (Parallel, Map) are laid out inside out: a scope's layout is a block placed in its box.
 * @module
 */
import type { GEdge, GEdgeKind, GNode, GNodeKind, GScope } from './graph.js';

export interface Box {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  kind: GNodeKind | 'Branch';
  name: string;
  sub?: string;
  container: boolean;
  depth: number;
}
export interface Point {
  x: number;
  y: number;
}
export interface Path {
  from: string;
  to: string;
  kind: GEdgeKind;
  points: Point[];
  label?: string;
  labelAt?: Point;
}
export interface Layout {
  width: number;
  height: number;
  boxes: Box[];
  paths: Path[];
}

/** Sizes, in px. */
export const SIZES = {
  margin: 24,
  scopePad: 16,
  header: 28,
  stateW: 180,
  stateMaxW: 260,
  stateH: 48,
  pillW: 64,
  pillH: 28,
  charW: 7,
  subCharW: 6,
  labelCharW: 6.5,
  labelH: 16,
  dummyW: 12,
  sepNodes: 40,
  sepDummy: 16,
  minGap: 40,
  track: 8,
  branchGap: 16,
} as const;

/** Estimated width of an edge label at the renderer's label font (~11px). */
export function labelWidth(label: string): number {
  return Math.ceil(label.length * SIZES.labelCharW) + 10;
}

interface Block {
  w: number;
  h: number;
  boxes: Box[];
  paths: Path[];
}

interface LNode {
  idx: number;
  /** The node drawn, for real nodes. */
  g?: GNode;
  /** 0 real, 1 dummy between layers, 2 dummy attached beside a real node (back edges). */
  dummy: 0 | 1 | 2;
  host?: LNode;
  /** Span of the back edge (attached dummies): shorter loops sit closer to their host. */
  span: number;
  w: number;
  h: number;
  /** Width reserved in the layer (a label sitting on the node's incoming vertical may be wider). */
  slot: number;
  layer: number;
  order: number;
  key: number;
  x: number;
  y: number;
  /** Neighbours in the layers above / below, for ordering. */
  up: LNode[];
  down: LNode[];
  /** Neighbours for x placement (a back edge's dummies follow its attached dummies, not its hosts). */
  xUp: LNode[];
  xDown: LNode[];
  attached: LNode[];
  /** Container content, placed once the node's box is known. */
  content?: { blocks: { block: Block; label?: string; id: string }[] };
}

interface LEdge {
  e: GEdge;
  s: LNode;
  t: LNode;
  back: boolean;
  chain: LNode[];
  dupOff: number;
  labelW: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

function textWidth(g: GNode): number {
  const w = Math.max(g.name.length * SIZES.charW, (g.sub?.length ?? 0) * SIZES.subCharW) + 28;
  return Math.min(SIZES.stateMaxW, Math.max(SIZES.stateW, w));
}

function translate(block: Block, dx: number, dy: number, out: { boxes: Box[]; paths: Path[] }): void {
  for (const b of block.boxes) out.boxes.push({ ...b, x: round(b.x + dx), y: round(b.y + dy) });
  for (const p of block.paths) {
    const q: Path = { ...p, points: p.points.map((pt) => ({ x: round(pt.x + dx), y: round(pt.y + dy) })) };
    if (p.labelAt) q.labelAt = { x: round(p.labelAt.x + dx), y: round(p.labelAt.y + dy) };
    out.paths.push(q);
  }
}

/** Lays out the nodes of a real node's scopes; sets its size. */
function sizeNode(n: LNode, g: GNode, depth: number): void {
  if (g.kind === 'Start' || g.kind === 'End') {
    n.w = SIZES.pillW;
    n.h = SIZES.pillH;
    return;
  }
  const minW = textWidth(g);
  if ((g.kind !== 'Parallel' && g.kind !== 'Map') || !g.scopes || g.scopes.length === 0) {
    n.w = minW;
    n.h = SIZES.stateH;
    return;
  }
  if (g.kind === 'Map') {
    const scope = g.scopes[0]!;
    const block = layoutScope(scope, depth + 1, SIZES.scopePad);
    n.w = Math.max(minW, block.w);
    n.h = SIZES.header + block.h;
    n.content = { blocks: [{ block, id: scope.id }] };
    return;
  }
  const blocks = g.scopes.map((s, i) => ({ block: layoutScope(s, depth + 2, SIZES.scopePad), label: s.label ?? `Branch ${i + 1}`, id: s.id }));
  const bw = blocks.map((b) => Math.max(b.block.w, Math.min(SIZES.stateMaxW, b.label.length * SIZES.charW + 24)));
  const bh = Math.max(...blocks.map((b) => SIZES.header + b.block.h));
  n.w = Math.max(minW, SIZES.branchGap * 2 + bw.reduce((a, b) => a + b, 0) + SIZES.branchGap * (blocks.length - 1));
  n.h = SIZES.header + bh + SIZES.branchGap;
  n.content = { blocks };
}

/** Emits a real node's box, then (for containers) its branch boxes and content, in absolute coordinates. */
function emitNode(n: LNode, depth: number, out: { boxes: Box[]; paths: Path[] }): void {
  const g = n.g!;
  const left = n.x - n.w / 2;
  const box: Box = {
    id: g.id,
    x: round(left),
    y: round(n.y),
    w: n.w,
    h: n.h,
    kind: g.kind,
    name: g.name,
    container: g.kind === 'Parallel' || g.kind === 'Map',
    depth,
  };
  if (g.sub !== undefined) box.sub = g.sub;
  out.boxes.push(box);
  if (!n.content) return;
  const blocks = n.content.blocks;
  if (g.kind === 'Map') {
    const b = blocks[0]!.block;
    translate(b, left + (n.w - b.w) / 2, n.y + SIZES.header, out);
    return;
  }
  const bw = blocks.map((b) => Math.max(b.block.w, Math.min(SIZES.stateMaxW, (b.label ?? '').length * SIZES.charW + 24)));
  const total = bw.reduce((a, b) => a + b, 0) + SIZES.branchGap * (blocks.length - 1);
  let x = left + (n.w - total) / 2;
  const bh = n.h - SIZES.header - SIZES.branchGap;
  blocks.forEach((b, i) => {
    const w = bw[i]!;
    out.boxes.push({ id: b.id, x: round(x), y: round(n.y + SIZES.header), w, h: bh, kind: 'Branch', name: b.label ?? `Branch ${i + 1}`, container: true, depth: depth + 1 });
    translate(b.block, x + (w - b.block.w) / 2, n.y + SIZES.header * 2, out);
    x += w + SIZES.branchGap;
  });
}

function sep(a: LNode, b: LNode): number {
  return a.dummy === 0 && b.dummy === 0 ? SIZES.sepNodes : SIZES.sepDummy;
}

function minDist(a: LNode, b: LNode): number {
  return a.slot / 2 + sep(a, b) + b.slot / 2;
}

/** Crossings between two adjacent layers: inversions among the edges' lower ends (Fenwick tree). */
function crossingsBetween(upper: LNode[], lowerSize: number): number {
  const pairs: [number, number][] = [];
  for (const u of upper) for (const v of u.down) pairs.push([u.order, v.order]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const tree = new Array<number>(lowerSize + 1).fill(0);
  let c = 0;
  let seen = 0;
  for (const [, lo] of pairs) {
    // Edges seen so far ending strictly right of this one cross it.
    let notRight = 0;
    for (let i = lo + 1; i > 0; i -= i & -i) notRight += tree[i]!;
    c += seen - notRight;
    for (let i = lo + 1; i <= lowerSize; i += i & -i) tree[i]!++;
    seen++;
  }
  return c;
}

function totalCrossings(layers: LNode[][]): number {
  let c = 0;
  for (let i = 0; i + 1 < layers.length; i++) c += crossingsBetween(layers[i]!, layers[i + 1]!.length);
  return c;
}

function sortLayer(layer: LNode[], bary: (n: LNode) => number): void {
  const b = new Map<LNode, number>();
  for (const n of layer) b.set(n, bary(n));
  layer.sort((p, q) => b.get(p)! - b.get(q)! || p.order - q.order);
  layer.forEach((n, i) => (n.order = i));
}

function mean(list: LNode[], f: (n: LNode) => number): number {
  let s = 0;
  for (const n of list) s += f(n);
  return s / list.length;
}

/** Moves the nodes of one layer towards their desired centres, highest priority first, never overlapping. */
function place(seq: LNode[], desired: number[], prio: number[]): void {
  const n = seq.length;
  // cum[j] - cum[k]: the least distance between the centres of seq[k] and seq[j] (k < j).
  const cum: number[] = [0];
  for (let j = 1; j < n; j++) cum.push(cum[j - 1]! + minDist(seq[j - 1]!, seq[j]!));
  const locked: number[] = []; // sorted indices of the nodes already placed
  const idx = [...Array(n).keys()].sort((a, b) => prio[b]! - prio[a]! || a - b);
  for (const k of idx) {
    const v = seq[k]!;
    let d = desired[k]! - v.x;
    let lo = 0;
    let hi = locked.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (locked[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    if (d > 0) {
      const j = locked[lo];
      if (j !== undefined) d = Math.min(d, seq[j]!.x - v.x - (cum[j]! - cum[k]!));
      if (d > 0) {
        v.x += d;
        for (let j = k + 1; j < n; j++) {
          const m = seq[j - 1]!.x + minDist(seq[j - 1]!, seq[j]!);
          if (seq[j]!.x < m) seq[j]!.x = m;
          else break;
        }
      }
    } else if (d < 0) {
      const j = lo > 0 ? locked[lo - 1] : undefined;
      if (j !== undefined) d = Math.max(d, seq[j]!.x - v.x + (cum[k]! - cum[j]!));
      if (d < 0) {
        v.x += d;
        for (let j = k - 1; j >= 0; j--) {
          const m = seq[j + 1]!.x - minDist(seq[j]!, seq[j + 1]!);
          if (seq[j]!.x > m) seq[j]!.x = m;
          else break;
        }
      }
    }
    locked.splice(lo, 0, k);
  }
}

/** Puts attached dummies right beside their host (pushing what follows if needed). */
function hug(seq: LNode[]): void {
  for (let i = 1; i < seq.length; i++) {
    const n = seq[i]!;
    const m = seq[i - 1]!.x + minDist(seq[i - 1]!, n);
    if (n.dummy === 2 || n.x < m) n.x = m;
  }
}

/** Offsets of a node's neighbours (in order) packed side by side under / over it. */
function spreadOffsets(list: LNode[]): Map<LNode, number> {
  const sorted = [...new Set(list)].sort((a, b) => a.order - b.order);
  const pos: number[] = [];
  let x = 0;
  sorted.forEach((n, i) => {
    if (i > 0) x += minDist(sorted[i - 1]!, n);
    pos.push(x);
  });
  // Centred on the real nodes among them, so a chain stays straight beside a long edge's dummy.
  let lo = Infinity;
  let hi = -Infinity;
  sorted.forEach((n, i) => {
    if (n.dummy === 0) {
      lo = Math.min(lo, pos[i]!);
      hi = Math.max(hi, pos[i]!);
    }
  });
  const mid = lo <= hi ? (lo + hi) / 2 : x / 2;
  const m = new Map<LNode, number>();
  sorted.forEach((n, i) => m.set(n, pos[i]! - mid));
  return m;
}

/** Lays out one scope as a block with its own origin; `depth` is the depth of the scope's nodes. */
function layoutScope(scope: GScope, depth: number, pad: number): Block {
  const nodes: LNode[] = [];
  const byId = new Map<string, LNode>();
  const mk = (dummy: 0 | 1 | 2, layer: number, g?: GNode): LNode => {
    const n: LNode = { idx: nodes.length, dummy, span: 0, w: SIZES.dummyW, h: 0, slot: SIZES.dummyW, layer, order: 0, key: 0, x: 0, y: 0, up: [], down: [], xUp: [], xDown: [], attached: [] };
    if (g) n.g = g;
    nodes.push(n);
    return n;
  };
  for (const g of scope.nodes) {
    if (byId.has(g.id)) continue;
    const n = mk(0, 0, g);
    sizeNode(n, g, depth);
    n.slot = n.w;
    byId.set(g.id, n);
  }
  const real = [...nodes];
  const start = real.find((n) => n.g!.kind === 'Start');
  const end = real.find((n) => n.g!.kind === 'End');

  const edges: LEdge[] = [];
  const out = new Map<LNode, LEdge[]>();
  for (const e of scope.edges) {
    const s = byId.get(e.from);
    const t = byId.get(e.to);
    if (!s || !t) continue;
    const le: LEdge = { e, s, t, back: false, chain: [], dupOff: 0, labelW: e.label ? labelWidth(e.label) : 0 };
    edges.push(le);
    let l = out.get(s);
    if (!l) out.set(s, (l = []));
    l.push(le);
  }

  // 1. Back edges (iterative DFS from Start, then from any node not reached); preorder keys the initial order.
  const state = new Map<LNode, 1 | 2>();
  let preorder = 0;
  const roots = start ? [start, ...real.filter((n) => n !== start)] : real;
  for (const root of roots) {
    if (state.has(root)) continue;
    const stack: { n: LNode; i: number }[] = [{ n: root, i: 0 }];
    state.set(root, 1);
    root.key = preorder++;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const list = out.get(top.n) ?? [];
      if (top.i >= list.length) {
        state.set(top.n, 2);
        stack.pop();
        continue;
      }
      const le = list[top.i++]!;
      const st = state.get(le.t);
      if (st === 1) le.back = true;
      else if (st === undefined) {
        state.set(le.t, 1);
        le.t.key = preorder++;
        stack.push({ n: le.t, i: 0 });
      }
    }
  }

  // 2. Layers: longest path over forward edges (Kahn), Start on 0, End below everything.
  const indeg = new Map<LNode, number>();
  for (const le of edges) if (!le.back) indeg.set(le.t, (indeg.get(le.t) ?? 0) + 1);
  for (const n of real) n.layer = n === start ? 0 : 1;
  const queue = real.filter((n) => !indeg.get(n));
  for (let qi = 0; qi < queue.length; qi++) {
    const u = queue[qi]!;
    for (const le of out.get(u) ?? []) {
      if (le.back) continue;
      le.t.layer = Math.max(le.t.layer, u.layer + 1);
      const d = indeg.get(le.t)! - 1;
      indeg.set(le.t, d);
      if (d === 0) queue.push(le.t);
    }
  }
  if (end) {
    let max = 0;
    for (const n of real) if (n !== end) max = Math.max(max, n.layer);
    end.layer = max + 1;
  }
  let layerCount = 0;
  for (const n of real) layerCount = Math.max(layerCount, n.layer + 1);

  // 3. Dummies, and the neighbour links used for ordering and placement.
  const link = (a: LNode, b: LNode, x = true) => {
    a.down.push(b);
    b.up.push(a);
    if (x) xlink(a, b);
  };
  const xlink = (a: LNode, b: LNode) => {
    a.xDown.push(b);
    b.xUp.push(a);
  };
  const pairCount = new Map<string, number>();
  for (const le of edges) {
    const { s, t } = le;
    if (!le.back) {
      let prev = s;
      for (let l = s.layer + 1; l < t.layer; l++) {
        const d = mk(1, l);
        d.key = s.key + 0.5;
        le.chain.push(d);
        link(prev, d);
        prev = d;
      }
      link(prev, t);
      const k = `${s.idx}>${t.idx}`;
      pairCount.set(k, (pairCount.get(k) ?? 0) + 1);
    } else {
      const span = s.layer - t.layer;
      const as = mk(2, s.layer);
      as.host = s;
      as.span = span;
      s.attached.push(as);
      le.chain.push(as);
      if (s !== t) {
        const at = mk(2, t.layer);
        at.host = t;
        at.span = span;
        t.attached.push(at);
        // Ordering sees the loop as t → dummies → s; placement as t's dummy → dummies → s's dummy.
        let prev = t;
        let xprev = at;
        const mids: LNode[] = [];
        for (let l = t.layer + 1; l < s.layer; l++) {
          const d = mk(1, l);
          d.key = 1e9 + span; // loops start on the right
          mids.push(d);
          link(prev, d, false);
          xlink(xprev, d);
          prev = xprev = d;
        }
        link(prev, s, false);
        if (mids.length) xlink(xprev, as);
        le.chain.push(...mids.reverse(), at);
      }
    }
  }
  // Parallel forward edges between the same two nodes (Next and Catch to one target) are drawn side by side.
  const pairSeen = new Map<string, number>();
  for (const le of edges) {
    if (le.back) continue;
    const k = `${le.s.idx}>${le.t.idx}`;
    const n = pairCount.get(k)!;
    const i = pairSeen.get(k) ?? 0;
    pairSeen.set(k, i + 1);
    if (n > 1) le.dupOff = (i - (n - 1) / 2) * 10;
  }
  // Slots: a label sits on the vertical after the edge's first jog (forward) or beside the source (back).
  for (const le of edges) {
    if (!le.labelW) continue;
    const host = le.back ? le.chain[0]! : le.chain[0] ?? le.t;
    host.slot = Math.max(host.slot, le.labelW + Math.abs(le.dupOff) * 2);
  }

  // 4. Ordering (attached dummies are left out and put beside their hosts afterwards).
  const layers: LNode[][] = Array.from({ length: layerCount }, () => []);
  for (const n of nodes) if (n.dummy !== 2) layers[n.layer]!.push(n);
  for (const layer of layers) sortLayer(layer, (n) => n.key);
  let best = layers.map((l) => [...l]);
  let bestC = totalCrossings(layers);
  for (let it = 0; it < 8 && bestC > 0; it++) {
    if (it % 2 === 0) {
      for (let i = 1; i < layerCount; i++) sortLayer(layers[i]!, (n) => (n.up.length ? mean(n.up, (u) => u.order) : n.order));
    } else {
      for (let i = layerCount - 2; i >= 0; i--) sortLayer(layers[i]!, (n) => (n.down.length ? mean(n.down, (d) => d.order) : n.order));
    }
    const c = totalCrossings(layers);
    if (c < bestC) {
      bestC = c;
      best = layers.map((l) => [...l]);
    }
  }
  const seqs: LNode[][] = best.map((layer) => {
    const seq: LNode[] = [];
    for (const n of layer) {
      seq.push(n);
      seq.push(...[...n.attached].sort((a, b) => a.span - b.span));
    }
    seq.forEach((n, i) => (n.order = i));
    return seq;
  });

  // 5. x coordinates: each layer packed and centred, then sweeps of the priority method.
  for (const seq of seqs) {
    let x = 0;
    seq.forEach((n, i) => {
      if (i > 0) x += minDist(seq[i - 1]!, n);
      n.x = x;
    });
    const mid = x / 2;
    for (const n of seq) n.x -= mid;
  }
  const downOff = new Map<LNode, Map<LNode, number>>();
  const upOff = new Map<LNode, Map<LNode, number>>();
  for (const n of nodes) {
    if (n.xDown.length) downOff.set(n, spreadOffsets(n.xDown));
    if (n.xUp.length) upOff.set(n, spreadOffsets(n.xUp));
  }
  const BIG = 1e6;
  const sweep = (dir: 'down' | 'up') => {
    const order = dir === 'down' ? [...seqs.keys()] : [...seqs.keys()].reverse();
    for (const li of order) {
      const seq = seqs[li]!;
      const desired: number[] = [];
      const prio: number[] = [];
      for (const n of seq) {
        const nb = dir === 'down' ? n.xUp : n.xDown;
        if (n.dummy === 2 || nb.length === 0) {
          desired.push(n.x);
          prio.push(n.dummy === 2 ? -1 : 0);
          continue;
        }
        const offs = dir === 'down' ? downOff : upOff;
        desired.push(mean(nb, (u) => u.x + (offs.get(u)?.get(n) ?? 0)));
        prio.push(n.dummy === 1 ? BIG : nb.length);
      }
      place(seq, desired, prio);
      hug(seq);
    }
  };
  sweep('down');
  sweep('up');
  sweep('down');
  sweep('up');
  sweep('down');
  let minX = Infinity;
  let maxX = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.x - n.slot / 2);
    maxX = Math.max(maxX, n.x + n.slot / 2);
  }
  if (nodes.length === 0) minX = maxX = 0;
  for (const n of nodes) n.x += pad - minX;
  const width = maxX - minX + pad * 2;

  // 6. Gaps between layers: tracks for the horizontal jogs, then room for labels.
  interface Jog {
    group: string;
    /** Fan-out from one source / fan-in to one target share a track (drawn as a bus). */
    src?: string;
    tgt?: string;
    a: number;
    b: number;
  }
  const gapJogs: Jog[][] = Array.from({ length: Math.max(0, layerCount - 1) }, () => []);
  const gapLabels: Map<LNode, number>[] = Array.from({ length: Math.max(0, layerCount - 1) }, () => new Map());
  const jogOf = new Map<string, Jog>(); // `${edge}:${gap}` → jog
  const labelRow = new Map<LEdge, number>();
  const srcX = (le: LEdge) => le.s.x + le.dupOff;
  edges.forEach((le, ei) => {
    if (!le.back) {
      let x = srcX(le);
      const seq = [...le.chain, le.t];
      seq.forEach((el, k) => {
        const nx = el === le.t ? le.t.x + le.dupOff : el.x;
        const g = el.layer - 1;
        const jog: Jog = { group: `e${ei}`, a: Math.min(x, nx), b: Math.max(x, nx) };
        if (k === 0) jog.src = `s${le.s.idx}:${le.dupOff}`;
        if (el === le.t) jog.tgt = `t${le.t.idx}:${le.dupOff}`;
        jogOf.set(`${ei}:${g}`, jog);
        if (Math.abs(nx - x) > 0.5) gapJogs[g]!.push(jog);
        x = nx;
      });
      if (le.labelW) {
        const g = le.s.layer;
        const host = seq[0]!;
        const m = gapLabels[g]!;
        const row = m.get(host) ?? 0;
        m.set(host, row + 1);
        labelRow.set(le, row);
      }
    } else if (le.s !== le.t) {
      for (let k = 1; k < le.chain.length; k++) {
        const lower = le.chain[k - 1]!;
        const upper = le.chain[k]!;
        const jog: Jog = { group: `e${ei}`, a: Math.min(lower.x, upper.x), b: Math.max(lower.x, upper.x) };
        jogOf.set(`${ei}:${upper.layer}`, jog);
        if (Math.abs(lower.x - upper.x) > 0.5) gapJogs[upper.layer]!.push(jog);
      }
    }
  });
  const trackOf = new Map<Jog, number>();
  const gapTracks: number[] = [];
  gapJogs.forEach((jogs) => {
    const fanOut = new Map<string, number>();
    for (const j of jogs) if (j.src) fanOut.set(j.src, (fanOut.get(j.src) ?? 0) + 1);
    for (const j of jogs) {
      if (j.src && fanOut.get(j.src)! > 1) j.group = j.src;
      else if (j.tgt) j.group = j.tgt;
      else if (j.src) j.group = j.src;
    }
    const groups = new Map<string, { a: number; b: number; jogs: Jog[] }>();
    for (const j of jogs) {
      const g = groups.get(j.group);
      if (g) {
        g.a = Math.min(g.a, j.a);
        g.b = Math.max(g.b, j.b);
        g.jogs.push(j);
      } else groups.set(j.group, { a: j.a, b: j.b, jogs: [j] });
    }
    const sorted = [...groups.values()].sort((p, q) => p.a - q.a || p.b - q.b);
    const ends: number[] = [];
    for (const g of sorted) {
      let t = ends.findIndex((e) => e + SIZES.track < g.a);
      if (t < 0) {
        t = ends.length;
        ends.push(g.b);
      } else ends[t] = g.b;
      for (const j of g.jogs) trackOf.set(j, t);
    }
    gapTracks.push(ends.length);
  });

  // 7. y coordinates.
  const bandH: number[] = new Array<number>(layerCount).fill(0);
  for (const n of real) bandH[n.layer] = Math.max(bandH[n.layer]!, n.h);
  const bandTop: number[] = [];
  const gapTop: number[] = [];
  const gapH: number[] = [];
  let y = pad;
  for (let l = 0; l < layerCount; l++) {
    bandTop.push(y);
    y += bandH[l]!;
    if (l + 1 < layerCount) {
      const tracks = gapTracks[l]!;
      const rows = Math.max(0, ...gapLabels[l]!.values());
      const h = Math.max(SIZES.minGap, 12 + Math.max(0, tracks - 1) * SIZES.track + 10 + (rows ? rows * SIZES.labelH + 4 : 0) + 14);
      gapTop.push(y);
      gapH.push(h);
      y += h;
    }
  }
  const height = y + pad;
  for (const n of nodes) n.y = bandTop[n.layer] ?? pad;
  const trackY = (g: number, jog: Jog | undefined) => gapTop[g]! + 12 + (jog ? trackOf.get(jog) ?? 0 : 0) * SIZES.track;
  const labelY = (g: number, row: number) => gapTop[g]! + 12 + Math.max(0, gapTracks[g]! - 1) * SIZES.track + 10 + SIZES.labelH / 2 + 2 + row * SIZES.labelH;

  // 8. Paths.
  const paths: Path[] = [];
  edges.forEach((le, ei) => {
    const pts: Point[] = [];
    const push = (px: number, py: number) => pts.push({ x: px, y: py });
    let labelAt: Point | undefined;
    const { s, t } = le;
    if (!le.back) {
      let x = srcX(le);
      push(x, s.y + s.h);
      for (const el of [...le.chain, t]) {
        const g = el.layer - 1;
        const ty = trackY(g, jogOf.get(`${ei}:${g}`));
        const nx = el === t ? t.x + le.dupOff : el.x;
        push(x, ty);
        push(nx, ty);
        x = nx;
      }
      push(x, t.y);
      if (le.labelW) {
        const host = le.chain[0] ?? t;
        labelAt = { x: host === t ? t.x + le.dupOff : host.x, y: labelY(s.layer, labelRow.get(le) ?? 0) };
      }
    } else {
      const as = le.chain[0]!;
      const rank = s.attached.indexOf(as);
      const right = s.x + s.w / 2;
      const cy = s.y + s.h / 2;
      const clampY = (n: LNode, v: number) => Math.min(n.y + n.h - 4, Math.max(n.y + 4, v));
      if (s === t) {
        const y1 = clampY(s, cy + 8 + rank * 4);
        const y2 = clampY(s, cy - 8 - rank * 4);
        push(right, y1);
        push(as.x, y1);
        push(as.x, y2);
        push(right, y2);
        if (le.labelW) labelAt = { x: as.x, y: cy };
      } else {
        const ys = clampY(s, cy + (rank - (s.attached.length - 1) / 2) * 8);
        push(right, ys);
        let x = as.x;
        push(x, ys);
        for (let k = 1; k < le.chain.length; k++) {
          const upper = le.chain[k]!;
          const ty = trackY(upper.layer, jogOf.get(`${ei}:${upper.layer}`));
          push(x, ty);
          push(upper.x, ty);
          x = upper.x;
        }
        const at = le.chain[le.chain.length - 1]!;
        const trank = t.attached.indexOf(at);
        const yt = clampY(t, t.y + t.h / 2 + (trank - (t.attached.length - 1) / 2) * 8);
        push(x, yt);
        push(t.x + t.w / 2, yt);
        if (le.labelW) labelAt = { x: as.x, y: (ys + pts[2]!.y) / 2 };
      }
    }
    const path: Path = { from: le.e.from, to: le.e.to, kind: le.e.kind, points: simplify(pts) };
    if (le.e.label !== undefined) path.label = le.e.label;
    if (labelAt) path.labelAt = labelAt;
    paths.push(path);
  });

  // 9. Boxes: each container before its content.
  const outp = { boxes: [] as Box[], paths: [] as Path[] };
  for (const n of real) emitNode(n, depth, outp);
  outp.paths.unshift(...paths);
  return { w: width, h: height, boxes: outp.boxes, paths: outp.paths };
}

/** Drops repeated points and middle points of straight runs. */
function simplify(pts: Point[]): Point[] {
  const out: Point[] = [];
  for (const p of pts) {
    const q = { x: round(p.x), y: round(p.y) };
    const last = out[out.length - 1];
    if (last && last.x === q.x && last.y === q.y) continue;
    const prev = out[out.length - 2];
    if (last && prev && ((prev.x === last.x && last.x === q.x) || (prev.y === last.y && last.y === q.y))) out[out.length - 1] = q;
    else out.push(q);
  }
  return out;
}

/** Lays out a graph from `buildGraph` (coordinates absolute, non-negative, with a margin). */
export function layoutGraph(root: GScope): Layout {
  const block = layoutScope(root, 0, SIZES.margin);
  return {
    width: Math.ceil(block.w),
    height: Math.ceil(block.h),
    boxes: block.boxes.map((b) => ({ ...b, x: round(b.x), y: round(b.y) })),
    paths: block.paths.map((p) => {
      const q: Path = { ...p, points: p.points.map((pt) => ({ x: round(pt.x), y: round(pt.y) })) };
      if (p.labelAt) q.labelAt = { x: round(p.labelAt.x), y: round(p.labelAt.y) };
      return q;
    }),
  };
}
